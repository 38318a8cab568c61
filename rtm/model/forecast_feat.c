/* forecast_feat.c: the forecast's predictors - events per month on the
 * inside cells, windowed counts, quartic KDE of the history, the prospective
 * surface (Bowers, Johnson & Pease 2004) and the same months a year earlier,
 * and the quantile thresholds of their step indicators (rtm/forecast.h). */
#include "model/forecast_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prospective weights: Bowers, Johnson & Pease (2004), Br. J. Criminol.
 * 44(5) 641-658: events within 400 m and 2 months, each weighted by
 * 1/(1 + distance in 50 m cells) x 1/(1 + age in weeks). */
#define PROSP_RADIUS 400.0
#define PROSP_UNIT 50.0
#define PROSP_MONTHS 2
#define DAYS_PER_MONTH 30.436875 /* Gregorian mean: 365.2425 / 12 */

/* Quantile levels of the indicators among the positive values (the first,
 * 0, is "x > 0"). */
static const double LEVELS[FC_NLEVELS] = {0, .1, .25, .5, .75, .9, .95, .98, .99, .995, .998};

double rtm_fc_level(int l)
{
    return LEVELS[l];
}

int rtm_fc_mnum(int yyyymm)
{
    return (yyyymm / 100) * 12 + (yyyymm % 100) - 1;
}

int rtm_fc_yyyymm(int mnum)
{
    return (mnum / 12) * 100 + mnum % 12 + 1;
}

void rtm_fc_hist_free(fc_hist *h)
{
    if (!h)
        return;
    free(h->in), free(h->x), free(h->y), free(h->w), free(h->start), free(h->cnt);
    memset(h, 0, sizeof *h);
}

static int hist_alloc(fc_hist *h, size_t nev)
{
    size_t n = nev ? nev : 1;
    h->in = malloc((h->nc ? h->nc : 1) * sizeof *h->in);
    h->x = malloc(n * sizeof *h->x);
    h->y = malloc(n * sizeof *h->y);
    h->w = malloc(n * sizeof *h->w);
    h->start = calloc((size_t)h->nm + 1, sizeof *h->start);
    return h->in && h->x && h->y && h->w && h->start ? 0 : -1;
}

/* Events of the window sorted by month (a counting sort: stable). */
static void hist_sort(fc_hist *h, const rtm_points *pts, int b0)
{
    for (size_t i = 0; i < pts->n; i++) {
        int m = rtm_fc_mnum(pts->month[i]) - b0;
        if (m >= 0 && m < h->nm)
            h->start[m + 1]++;
    }
    for (int m = 0; m < h->nm; m++)
        h->start[m + 1] += h->start[m];
    size_t *pos = h->start; /* filled in order, then shifted back */
    for (size_t i = 0; i < pts->n; i++) {
        int m = rtm_fc_mnum(pts->month[i]) - b0;
        if (m < 0 || m >= h->nm)
            continue;
        size_t k = pos[m]++;
        h->x[k] = pts->x[i], h->y[k] = pts->y[i], h->w[k] = pts->w ? pts->w[i] : 1.0;
    }
    for (int m = h->nm; m > 0; m--)
        h->start[m] = h->start[m - 1];
    h->start[0] = 0;
}

/* Events per month and inside cell. */
static int hist_counts(fc_hist *h, const unsigned char *mask, rtm_error *err)
{
    double *tmp = malloc(h->nc * sizeof *tmp);
    size_t ncnt = (size_t)h->nm * h->nin;
    h->cnt = malloc((ncnt > 0 ? ncnt : 1) * sizeof *h->cnt);
    if (!tmp || !h->cnt) {
        free(tmp);
        return rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory for %d months of "
                             "%zu cells", h->nm, h->nin);
    }
    (void)mask;
    for (int m = 0; m < h->nm; m++) {
        size_t a = h->start[m], n = h->start[m + 1] - a;
        rtm_bin_points(h->g, h->x + a, h->y + a, h->w + a, n, tmp);
        for (size_t i = 0; i < h->nin; i++)
            h->cnt[(size_t)m * h->nin + i] = tmp[h->in[i]];
    }
    free(tmp);
    return 0;
}

int rtm_fc_hist_build(fc_hist *h, const rtm_grid *g, const unsigned char *mask,
                      const rtm_points *pts, int first, int last, int horizon, rtm_error *err)
{
    memset(h, 0, sizeof *h);
    h->g = g;
    h->nc = rtm_grid_ncells(g);
    h->base = rtm_fc_mnum(first);
    h->nm = rtm_fc_mnum(last) - h->base + 1;
    h->horizon = horizon;
    size_t nomonth = 0;
    for (size_t i = 0; i < pts->n; i++)
        nomonth += pts->month == NULL || pts->month[i] <= 0;
    if (nomonth)
        return rtm_error_set(err, RTM_ERR_INPUT, "forecast: %zu event%s without a month (the "
                             "forecast learns from the months: give a Month/date field)",
                             nomonth, nomonth == 1 ? "" : "s");
    if (h->nm < 1 || hist_alloc(h, pts->n)) {
        rtm_fc_hist_free(h);
        return rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory");
    }
    for (size_t k = 0; k < h->nc; k++)
        if (!mask || mask[k])
            h->in[h->nin++] = k;
    hist_sort(h, pts, h->base);
    h->nev = h->start[h->nm];
    int rc = hist_counts(h, mask, err);
    if (rc)
        rtm_fc_hist_free(h);
    return rc;
}

static void add_pred(fc_pred *p, int *np, fc_kind kind, double arg, const char *fmt, double v)
{
    p[*np].kind = kind;
    p[*np].arg = arg;
    snprintf(p[*np].name, sizeof p[*np].name, fmt, v);
    (*np)++;
}

int rtm_fc_preds(const fc_hist *h, const rtm_forecast_opts *o, int use_yearago, fc_pred *p)
{
    static const int windows[4] = {1, 3, 6, 12};
    int np = 0;
    for (int k = 0; k < 4; k++)
        if (k == 0 || h->nm > windows[k]) /* else it repeats "all" */
            add_pred(p, &np, FC_LAST, windows[k], "last%.0f", windows[k]);
    add_pred(p, &np, FC_ALL, 0, "all", 0);
    for (int b = 0; b < 3; b++)
        if (o->bandwidths[b] > 0)
            add_pred(p, &np, FC_KDE, o->bandwidths[b], "kde%g", o->bandwidths[b]);
    /* a wide kernel: area-level risk, which ranks the quiet cells (20 % of the area) */
    if (o->wide > 0)
        add_pred(p, &np, FC_KDE, o->wide, "kde%g", o->wide);
    add_pred(p, &np, FC_PROSP, 0, "prospective", 0);
    if (use_yearago)
        add_pred(p, &np, FC_YEARAGO, 0, "yearago", 0);
    return np;
}

/* Events per month of months [a, b) on the inside cells, into v. */
static void window_rate(const fc_hist *h, int a, int b, float *v)
{
    double inv = 1.0 / (b - a);
    for (size_t i = 0; i < h->nin; i++) {
        double s = 0;
        for (int m = a; m < b; m++)
            s += h->cnt[(size_t)m * h->nin + i];
        v[i] = (float)(s * inv);
    }
}

void rtm_fc_prospective(const fc_hist *h, int t, double *s)
{
    const rtm_grid *g = h->g;
    int reach = (int)ceil(PROSP_RADIUS / g->res);
    memset(s, 0, h->nc * sizeof *s);
    for (int m = t - 1; m >= 0 && m >= t - PROSP_MONTHS; m--) {
        /* age from the middle of the event's month to the forecast origin */
        double weeks = (t - m - 0.5) * DAYS_PER_MONTH / 7.0, wa = 1.0 / (1.0 + weeks);
        for (size_t e = h->start[m]; e < h->start[m + 1]; e++) {
            int ci, cj;
            if (rtm_grid_locate(g, h->x[e], h->y[e], &ci, &cj))
                continue;
            for (int i = ci - reach; i <= ci + reach; i++) {
                if (i < 0 || i >= g->nrows)
                    continue;
                for (int j = cj - reach; j <= cj + reach; j++) {
                    if (j < 0 || j >= g->ncols)
                        continue;
                    double d = hypot(rtm_grid_cell_x(g, j) - h->x[e],
                                     rtm_grid_cell_y(g, i) - h->y[e]);
                    if (d <= PROSP_RADIUS)
                        s[(size_t)i * g->ncols + j] += h->w[e] * wa / (1.0 + d / PROSP_UNIT);
                }
            }
        }
    }
}

static int kde_history(const fc_hist *h, double radius, int t, const rtm_forecast_opts *o,
                       double *s, rtm_error *err)
{
    rtm_kde_opts ko;
    rtm_kde_opts_init(&ko);
    ko.radius = radius;
    ko.units = RTM_UNITS_CELL;
    ko.threads = o->threads;
    return rtm_kde_compute(h->g, h->x, h->y, h->w, h->start[t], &ko, s, err);
}

static void gather(const fc_hist *h, const double *s, double scale, float *v)
{
    for (size_t i = 0; i < h->nin; i++)
        v[i] = (float)(s[h->in[i]] * scale);
}

int rtm_fc_features(const fc_hist *h, const fc_pred *p, int np, int t,
                    const rtm_forecast_opts *o, float *F, double *scratch, rtm_error *err)
{
    for (int k = 0; k < np; k++) {
        float *v = F + (size_t)k * h->nin;
        int w = (int)p[k].arg, rc;
        switch (p[k].kind) {
        case FC_LAST: window_rate(h, t - (w < t ? w : t), t, v); break;
        case FC_ALL: window_rate(h, 0, t, v); break;
        case FC_KDE:
            if ((rc = kde_history(h, p[k].arg, t, o, scratch, err)))
                return rc;
            gather(h, scratch, 1.0 / t, v);
            break;
        case FC_PROSP:
            rtm_fc_prospective(h, t, scratch);
            gather(h, scratch, 1.0, v);
            break;
        case FC_YEARAGO:
            if (t < 12)
                return rtm_error_set(err, RTM_ERR_ARG, "forecast: no year-ago months");
            window_rate(h, t - 12, t - 12 + h->horizon, v);
            break;
        }
    }
    return 0;
}

void rtm_fc_outcome(const fc_hist *h, int t, double *y)
{
    for (size_t i = 0; i < h->nin; i++) {
        double s = 0;
        for (int m = t; m < t + h->horizon && m < h->nm; m++)
            s += h->cnt[(size_t)m * h->nin + i];
        y[i] = s;
    }
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

int rtm_fc_levels(const float *v, size_t nin, double *q, rtm_error *err)
{
    size_t npos = 0;
    for (size_t i = 0; i < nin; i++)
        npos += v[i] > 0;
    for (int l = 0; l < FC_NLEVELS; l++)
        q[l] = INFINITY;
    if (npos == 0)
        return 0;
    float *s = malloc(npos * sizeof *s);
    if (!s)
        return rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory");
    npos = 0;
    for (size_t i = 0; i < nin; i++)
        if (v[i] > 0)
            s[npos++] = v[i];
    qsort(s, npos, sizeof *s, cmp_float);
    for (int l = 0; l < FC_NLEVELS; l++)
        q[l] = s[(size_t)floor(LEVELS[l] * (double)(npos - 1))];
    free(s);
    return 0;
}

int rtm_fc_thresholds(const float *v, size_t nin, double *thr, rtm_error *err)
{
    size_t npos = 0;
    for (size_t i = 0; i < nin; i++)
        npos += v[i] > 0;
    if (npos == 0)
        return 0;
    float *s = malloc(npos * sizeof *s);
    if (!s)
        return -rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory");
    npos = 0;
    for (size_t i = 0; i < nin; i++)
        if (v[i] > 0)
            s[npos++] = v[i];
    qsort(s, npos, sizeof *s, cmp_float);
    int n = 0;
    for (int l = 0; l < FC_NLEVELS; l++) {
        /* the lower empirical quantile: the value at rank floor(level x (npos-1)) */
        double q = s[(size_t)floor(LEVELS[l] * (double)(npos - 1))];
        if (n == 0 || q > thr[n - 1])
            thr[n++] = q;
    }
    free(s);
    return n;
}
