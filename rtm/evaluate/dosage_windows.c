/* dosage_windows.c: the statistics of each place in each time window (day
 * or shift) from the inside intervals of the tracks - device minutes,
 * presence, visits with re-entries merged, Koper's visit-length bins,
 * distinct devices, the longest gap between visits and the first and last
 * visit (see rtm/dosage.h; the dimensions of presence are Sherman et al.
 * 2014's frequency, duration and intermittency). */
#include <stdlib.h>
#include <string.h>

#include "rtm/dosage.h"

/* Koper (1995): under 2 min, 2-10, 10-16, over 16. */
#define MS_2 120000LL
#define MS_10 600000LL
#define MS_16 960000LL

typedef struct piece {
    int place, window, dev;
    int64_t s, e;
} piece;

static int cmp_time(const void *a, const void *b)
{
    const piece *p = a, *q = b;
    if (p->place != q->place)
        return p->place < q->place ? -1 : 1;
    if (p->window != q->window)
        return p->window < q->window ? -1 : 1;
    if (p->s != q->s)
        return p->s < q->s ? -1 : 1;
    if (p->e != q->e)
        return p->e < q->e ? -1 : 1;
    return (p->dev > q->dev) - (p->dev < q->dev);
}

static int cmp_dev(const void *a, const void *b)
{
    const piece *p = a, *q = b;
    if (p->place != q->place)
        return p->place < q->place ? -1 : 1;
    if (p->window != q->window)
        return p->window < q->window ? -1 : 1;
    if (p->dev != q->dev)
        return p->dev < q->dev ? -1 : 1;
    if (p->s != q->s)
        return p->s < q->s ? -1 : 1;
    return (p->e > q->e) - (p->e < q->e);
}

static int cmp_int(const void *a, const void *b)
{
    int p = *(const int *)a, q = *(const int *)b;
    return (p > q) - (p < q);
}

/* The intervals cut by every window they overlap. */
static piece *cut(const rtm_dosage_tracks *t, const int64_t *ws, const int64_t *we, int nw,
                  size_t *np)
{
    size_t n = 0, cap = t->niv + 16;
    piece *p = malloc(cap * sizeof *p);
    for (size_t i = 0; p && i < t->niv; i++) {
        const rtm_dosage_interval *v = &t->iv[i];
        for (int k = 0; k < nw; k++) {
            int64_t s = v->start > ws[k] ? v->start : ws[k];
            int64_t e = v->end < we[k] ? v->end : we[k];
            if (e <= s)
                continue;
            if (n == cap) {
                piece *q = realloc(p, 2 * cap * sizeof *p);
                if (!q) {
                    free(p);
                    return NULL;
                }
                p = q, cap *= 2;
            }
            p[n++] = (piece){v->place, k, v->dev, s, e};
        }
    }
    *np = n;
    return p;
}

static void close_visit(rtm_dosage_cell *c, int64_t vs, int64_t ve, int64_t *prev_end)
{
    int64_t len = ve - vs;
    c->visits++;
    c->koper[len < MS_2 ? 0 : len < MS_10 ? 1 : len <= MS_16 ? 2 : 3]++;
    if (*prev_end >= 0 && vs - *prev_end > c->longest_gap_ms)
        c->longest_gap_ms = vs - *prev_end;
    if (c->first_ms < 0)
        c->first_ms = vs;
    c->last_ms = ve;
    *prev_end = ve;
}

/* One (place, window): pieces a..b-1 sorted by start. */
static void cell_stats(const piece *p, size_t a, size_t b, int64_t merge, int *devs,
                       rtm_dosage_cell *c)
{
    int64_t us = p[a].s, ue = p[a].e, vs = p[a].s, ve = p[a].e, prev = -1;
    int nd = 0;
    for (size_t i = a; i < b; i++) {
        c->ms += p[i].e - p[i].s;
        devs[nd++] = p[i].dev;
        if (i == a)
            continue;
        if (p[i].s > ue) { /* presence: union of the pieces */
            c->presence_ms += ue - us;
            us = p[i].s, ue = p[i].e;
        } else if (p[i].e > ue)
            ue = p[i].e;
        if (p[i].s > ve + merge) { /* visits: gaps up to merge joined */
            close_visit(c, vs, ve, &prev);
            vs = p[i].s, ve = p[i].e;
        } else if (p[i].e > ve)
            ve = p[i].e;
    }
    c->presence_ms += ue - us;
    close_visit(c, vs, ve, &prev);
    qsort(devs, (size_t)nd, sizeof *devs, cmp_int);
    for (int i = 0; i < nd; i++)
        c->devices += !i || devs[i] != devs[i - 1];
}

int rtm_dosage_windows(const rtm_dosage_tracks *t, int nplaces, const int64_t *ws,
                       const int64_t *we, int nw, int64_t merge_gap_ms,
                       rtm_dosage_cell *cells, rtm_error *err)
{
    size_t np, a = 0;
    piece *p = cut(t, ws, we, nw, &np);
    int *devs = malloc((np + 1) * sizeof *devs);
    if (!p || !devs) {
        free(p), free(devs);
        return rtm_error_set(err, RTM_ERR_NOMEM, "dosage: out of memory");
    }
    for (size_t k = 0; k < (size_t)nplaces * nw; k++)
        cells[k] = (rtm_dosage_cell){.longest_gap_ms = -1, .first_ms = -1, .last_ms = -1};
    qsort(p, np, sizeof *p, cmp_time);
    while (a < np) {
        size_t b = a + 1;
        while (b < np && p[b].place == p[a].place && p[b].window == p[a].window)
            b++;
        if (p[a].place >= 0 && p[a].place < nplaces)
            cell_stats(p, a, b, merge_gap_ms, devs,
                       &cells[(size_t)p[a].place * nw + p[a].window]);
        a = b;
    }
    free(p), free(devs);
    return 0;
}

int rtm_dosage_device_rows(const rtm_dosage_tracks *t, const int64_t *ws, const int64_t *we,
                           int nw, int64_t merge_gap_ms, rtm_dosage_devrow **rows,
                           size_t *nrows, rtm_error *err)
{
    size_t np, a = 0, n = 0;
    piece *p = cut(t, ws, we, nw, &np);
    rtm_dosage_devrow *r = malloc((np + 1) * sizeof *r);
    if (!p || !r) {
        free(p), free(r);
        return rtm_error_set(err, RTM_ERR_NOMEM, "dosage: out of memory");
    }
    qsort(p, np, sizeof *p, cmp_dev);
    while (a < np) {
        size_t b = a;
        int64_t ve = -1;
        rtm_dosage_devrow *q = &r[n++];
        *q = (rtm_dosage_devrow){p[a].place, p[a].window, p[a].dev, 0, 0};
        for (; b < np && p[b].place == q->place && p[b].window == q->window &&
               p[b].dev == q->dev; b++) {
            q->ms += p[b].e - p[b].s;
            if (ve < 0 || p[b].s > ve + merge_gap_ms)
                q->visits++;
            if (p[b].e > ve)
                ve = p[b].e;
        }
        a = b;
    }
    free(p);
    *rows = r;
    *nrows = n;
    return 0;
}
