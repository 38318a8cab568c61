/* points.c: the weighted point set and load statistics (see rtm/input.h). */
#include "rtm/input.h"

#include "core/hugepage.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void rtm_points_init(rtm_points *p)
{
    memset(p, 0, sizeof *p);
}

/* The label hash table: open addressing on FNV-1a, indices into labels[]
 * (-1 = empty slot); grown at half load, so a probe always ends. */
typedef struct intern {
    int *slot;
    size_t cap;        /* slots, a power of two */
    size_t lcap;       /* capacity of labels[] */
} intern;

#define LABEL_MAX 255  /* longer texts are cut (bytes) */

void rtm_points_clear(rtm_points *p)
{
    intern *h = p->intern_;
    size_t i;
    free(p->x);
    free(p->y);
    free(p->w);
    free(p->month);
    free(p->day);
    free(p->minute);
    free(p->label);
    for (i = 0; i < p->nlabels; i++)
        free(p->labels[i]);
    free(p->labels);
    if (h)
        free(h->slot);
    free(h);
    rtm_points_init(p);
}

/* Make room for cap points (cap > p->cap), keeping the n there are. */
static int grow_to(rtm_points *p, size_t cap, rtm_error *err)
{
    size_t n = p->n;
    double *x = rtm_hugepage_realloc(p->x, n * sizeof *x, cap * sizeof *x);
    if (x)
        p->x = x;
    double *y = x ? rtm_hugepage_realloc(p->y, n * sizeof *y, cap * sizeof *y) : NULL;
    if (y)
        p->y = y;
    double *w = y ? rtm_hugepage_realloc(p->w, n * sizeof *w, cap * sizeof *w) : NULL;
    if (w)
        p->w = w;
    int *m = w ? rtm_hugepage_realloc(p->month, n * sizeof *m, cap * sizeof *m) : NULL;
    if (m)
        p->month = m;
    int *d = m ? rtm_hugepage_realloc(p->day, n * sizeof *d, cap * sizeof *d) : NULL;
    if (d)
        p->day = d;
    int *t = d ? rtm_hugepage_realloc(p->minute, n * sizeof *t, cap * sizeof *t) : NULL;
    if (t)
        p->minute = t;
    int *l = t ? rtm_hugepage_realloc(p->label, n * sizeof *l, cap * sizeof *l) : NULL;
    if (l)
        p->label = l;
    if (!l)
        return rtm_error_set(err, RTM_ERR_NOMEM, "points: out of memory at %zu points", p->n);
    p->cap = cap;
    return 0;
}

static int grow(rtm_points *p, rtm_error *err)
{
    return grow_to(p, p->cap ? p->cap * 2 : 1024, err);
}

int rtm_points_reserve(rtm_points *p, size_t n, rtm_error *err)
{
    if (n <= p->cap)
        return 0;
    if (n > ((size_t)-1) / sizeof *p->x)
        return rtm_error_set(err, RTM_ERR_NOMEM, "points: out of memory at %zu points", n);
    return grow_to(p, n, err);
}

int rtm_points_push_full(rtm_points *p, double x, double y, double w, int month, int day,
                         int minute, int label, rtm_error *err)
{
    if (p->n == p->cap && grow(p, err))
        return RTM_ERR_NOMEM;
    p->x[p->n] = x;
    p->y[p->n] = y;
    p->w[p->n] = w;
    p->month[p->n] = month;
    p->day[p->n] = day;
    p->minute[p->n] = minute >= 0 && minute < 1440 ? minute : -1;
    p->label[p->n] = label >= 0 && (size_t)label < p->nlabels ? label : -1;
    p->n++;
    return 0;
}

int rtm_points_push_day(rtm_points *p, double x, double y, double w, int month, int day,
                        rtm_error *err)
{
    return rtm_points_push_full(p, x, y, w, month, day, -1, -1, err);
}

static size_t fnv1a(const char *s, size_t n)
{
    size_t h = 1469598103934665603ULL, i;
    for (i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* Double the slot table and re-insert every label. */
static int rehash(intern *h, const rtm_points *p)
{
    size_t cap = h->cap ? h->cap * 2 : 1024, i, k;
    int *slot = malloc(cap * sizeof *slot);
    if (!slot)
        return -1;
    for (k = 0; k < cap; k++)
        slot[k] = -1;
    for (i = 0; i < p->nlabels; i++) {
        k = fnv1a(p->labels[i], strlen(p->labels[i])) & (cap - 1);
        while (slot[k] >= 0)
            k = (k + 1) & (cap - 1);
        slot[k] = (int)i;
    }
    free(h->slot);
    h->slot = slot;
    h->cap = cap;
    return 0;
}

static int add_label(rtm_points *p, intern *h, const char *text, size_t n, size_t k)
{
    char *c;
    if (p->nlabels == h->lcap) {
        size_t lcap = h->lcap ? h->lcap * 2 : 256;
        char **l = realloc(p->labels, lcap * sizeof *l);
        if (!l)
            return -1;
        p->labels = l;
        h->lcap = lcap;
    }
    if (!(c = malloc(n + 1)))
        return -1;
    memcpy(c, text, n);
    c[n] = 0;
    p->labels[p->nlabels] = c;
    h->slot[k] = (int)p->nlabels;
    return (int)p->nlabels++;
}

int rtm_points_label(rtm_points *p, const char *text, rtm_error *err)
{
    intern *h = p->intern_;
    size_t n = strnlen(text ? text : "", LABEL_MAX), k;
    if (!text)
        text = "";
    while (n > 0 && n <= LABEL_MAX && text[n] && ((unsigned char)text[n] & 0xC0) == 0x80)
        n--; /* cut on a UTF-8 character boundary */
    if (!h && !(h = p->intern_ = calloc(1, sizeof *h)))
        goto nomem;
    if ((p->nlabels + 1) * 2 > h->cap && (p->nlabels >= 0x3fffffff || rehash(h, p)))
        goto nomem;
    k = fnv1a(text, n) & (h->cap - 1);
    for (;;) { /* ends: the table is at most half full */
        int i = h->slot[k];
        if (i < 0)
            break;
        if (strlen(p->labels[i]) == n && !memcmp(p->labels[i], text, n))
            return i;
        k = (k + 1) & (h->cap - 1);
    }
    if (add_label(p, h, text, n, k) >= 0)
        return (int)p->nlabels - 1;
nomem:
    rtm_error_set(err, RTM_ERR_NOMEM, "points: out of memory for location labels");
    return -1;
}

const char *rtm_points_label_of(const rtm_points *p, size_t i)
{
    if (i >= p->n || !p->label || p->label[i] < 0)
        return NULL;
    return p->labels[p->label[i]];
}

int rtm_points_push(rtm_points *p, double x, double y, double w, int month, rtm_error *err)
{
    return rtm_points_push_day(p, x, y, w, month, 0, err);
}

double rtm_points_weight_sum(const rtm_points *p)
{
    double s = 0;
    size_t i;
    for (i = 0; i < p->n; i++)
        s += p->w[i];
    return s;
}

const char *rtm_skip_reason_name(rtm_skip_reason r)
{
    static const char *const names[RTM_SKIP_NREASONS] = {
        "no_coordinates", "bad_coordinates", "outside_crs_area", "outside_study_area",
        "bad_weight", "bad_date"};
    return (r >= 0 && r < RTM_SKIP_NREASONS) ? names[r] : "unknown";
}

void rtm_load_stats_init(rtm_load_stats *s)
{
    memset(s, 0, sizeof *s);
}

size_t rtm_load_stats_skipped(const rtm_load_stats *s)
{
    size_t t = 0;
    int r;
    for (r = 0; r < RTM_SKIP_NREASONS; r++)
        t += s->skipped[r];
    return t;
}

int rtm_yyyymm_parse(const char *s)
{
    int y, m;
    if (!s)
        return 0;
    while (isspace((unsigned char)*s))
        s++;
    if (strlen(s) < 7 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        !isdigit((unsigned char)s[2]) || !isdigit((unsigned char)s[3]) ||
        (s[4] != '-' && s[4] != '/') || !isdigit((unsigned char)s[5]) ||
        !isdigit((unsigned char)s[6]))
        return 0;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    if (m < 1 || m > 12 || (s[7] && isdigit((unsigned char)s[7])))
        return 0;
    return y * 100 + m;
}
