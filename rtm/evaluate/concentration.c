/* concentration.c: Lorenz curve, Gini coefficients and area/event shares
 * (definitions and sources in rtm/evaluate.h). */
#include "rtm/evaluate.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int check_counts(const double *c, const unsigned char *mask, size_t n, rtm_error *err)
{
    if (!c)
        return rtm_error_set(err, RTM_ERR_ARG, "concentration: NULL counts");
    for (size_t k = 0; k < n; k++)
        if ((!mask || mask[k]) && (!isfinite(c[k]) || c[k] < 0))
            return rtm_error_set(err, RTM_ERR_INPUT,
                                 "concentration: count at cell %zu is negative or not finite (%g)",
                                 k, c[k]);
    return 0;
}

/* Inside cells ranked by count, highest first (ties by index). */
static int ranked(const double *c, const unsigned char *mask, size_t n, uint32_t **order,
                  size_t *m, rtm_error *err)
{
    int rc;
    *order = malloc((n ? n : 1) * sizeof **order);
    if (!*order)
        return rtm_error_set(err, RTM_ERR_NOMEM, "concentration: out of memory (%zu cells)", n);
    if ((rc = rtm_rank_desc(c, mask, n, *order, m, err)) != 0) {
        free(*order);
        *order = NULL;
    }
    return rc;
}

/* ---- Gini ---------------------------------------------------------------------- */

/* From n, N and S = sum_i i x_(i) (x descending, i from 1):
 * G = (n + 1)/n - 2 S/(n N) (rank form, Damgaard & Weiner 2000, reversed to
 * descending order); unbiased G n/(n-1); generalized (Bernasco & Steenbeek
 * 2017) max(1, n/N)(G - 1) + 1. */
static void gini_fill(double n, double N, double S, rtm_gini_t *g)
{
    double G;
    g->n = n;
    g->total = N;
    if (n == 0 || N == 0) {
        g->gini = g->gini_unbiased = g->gini_generalized = NAN;
        return;
    }
    G = (n + 1) / n - 2 * S / (n * N);
    g->gini = G;
    g->gini_unbiased = n > 1 ? G * n / (n - 1) : NAN;
    g->gini_generalized = (n / N > 1 ? n / N : 1) * (G - 1) + 1;
}

/* Walk x in the given (descending) order: N and S = sum_i i x_(i). */
static void rank_sums(const double *x, const uint32_t *ord, size_t m, double *N, double *S)
{
    double s = 0, si = 0;
    for (size_t t = 0; t < m; t++) {
        s += x[ord[t]];
        si += (double)(t + 1) * x[ord[t]];
    }
    *N = s;
    *S = si;
}

int rtm_gini(const double *counts, const unsigned char *mask, size_t ncells, rtm_gini_t *out,
             rtm_error *err)
{
    uint32_t *ord = NULL;
    size_t m = 0;
    double N, S;
    int rc;
    if (!out)
        return rtm_error_set(err, RTM_ERR_ARG, "concentration: NULL output");
    if ((rc = check_counts(counts, mask, ncells, err)) != 0 ||
        (rc = ranked(counts, mask, ncells, &ord, &m, err)) != 0)
        return rc;
    rank_sums(counts, ord, m, &N, &S);
    gini_fill((double)m, N, S, out);
    free(ord);
    return 0;
}

/* ---- Lorenz curve ---------------------------------------------------------------- */

void rtm_lorenz_free(rtm_lorenz *l)
{
    if (!l)
        return;
    free(l->cells), free(l->events);
    free(l);
}

/* Cumulative cells and events at the end of every tie block. */
static void lorenz_points(const double *x, const uint32_t *ord, size_t m, rtm_lorenz *l)
{
    size_t pt = 0;
    double s = 0;
    l->cells[0] = l->events[0] = 0;
    for (size_t t = 0; t < m; t++) {
        s += x[ord[t]];
        if (t + 1 == m || x[ord[t + 1]] != x[ord[t]]) {
            pt++;
            l->cells[pt] = (double)(t + 1);
            l->events[pt] = s;
        }
    }
    l->npts = pt + 1;
    l->total_cells = (double)m;
    l->total_events = s;
}

int rtm_lorenz_create(const double *counts, const unsigned char *mask, size_t ncells,
                      rtm_lorenz **out, rtm_error *err)
{
    uint32_t *ord = NULL;
    size_t m = 0;
    rtm_lorenz *l;
    int rc;
    if (!out)
        return rtm_error_set(err, RTM_ERR_ARG, "concentration: NULL output");
    if ((rc = check_counts(counts, mask, ncells, err)) != 0 ||
        (rc = ranked(counts, mask, ncells, &ord, &m, err)) != 0)
        return rc;
    l = calloc(1, sizeof *l);
    if (l) {
        l->cells = malloc((m + 1) * sizeof *l->cells);
        l->events = malloc((m + 1) * sizeof *l->events);
    }
    if (!l || !l->cells || !l->events) {
        free(ord);
        rtm_lorenz_free(l);
        return rtm_error_set(err, RTM_ERR_NOMEM, "concentration: out of memory (%zu cells)", m);
    }
    lorenz_points(counts, ord, m, l);
    free(ord);
    *out = l;
    return 0;
}

double rtm_lorenz_top_share(const rtm_lorenz *l, double area_frac)
{
    if (!l || l->total_cells == 0 || l->total_events == 0 || !(area_frac >= 0 && area_frac <= 1))
        return NAN;
    return rtm_eval_interp(l->cells, l->events, l->npts, area_frac * l->total_cells) /
           l->total_events;
}

/* Inverse of the pro-rata curve: the first block reaching the target is
 * entered linearly (its cells all hold the same count). */
double rtm_lorenz_area_for(const rtm_lorenz *l, double event_frac)
{
    double target;
    if (!l || l->total_cells == 0 || l->total_events == 0 ||
        !(event_frac >= 0 && event_frac <= 1))
        return NAN;
    target = event_frac * l->total_events;
    if (target <= 0)
        return 0;
    for (size_t k = 1; k < l->npts; k++) {
        if (l->events[k] >= target) {
            double f = (target - l->events[k - 1]) / (l->events[k] - l->events[k - 1]);
            return (l->cells[k - 1] + f * (l->cells[k] - l->cells[k - 1])) / l->total_cells;
        }
    }
    return 1; /* rounding: target a hair above the total */
}

/* ---- per zone ------------------------------------------------------------------- */

/* Share of events in the top a cells of a descending list (pro rata inside
 * the cell straddling a, which is the block rule since ties are collinear). */
static double top_events(const double *x, const uint32_t *ord, size_t m, double a)
{
    size_t full = (size_t)floor(a);
    double s = 0;
    for (size_t t = 0; t < full && t < m; t++)
        s += x[ord[t]];
    if (full < m)
        s += (a - (double)full) * x[ord[full]];
    return s;
}

/* Smallest number of cells (fractional) holding `target` events. */
static double cells_for(const double *x, const uint32_t *ord, size_t m, double target)
{
    double cum = 0;
    if (target <= 0)
        return 0;
    for (size_t t = 0; t < m; t++) {
        double v = x[ord[t]];
        if (cum + v >= target)
            return (double)t + (target - cum) / v;
        cum += v;
    }
    return (double)m;
}

static void zone_result(const double *x, const uint32_t *ord, size_t m, int z, double top_area,
                        double event_share, rtm_conc_zone *r)
{
    double N, S;
    rank_sums(x, ord, m, &N, &S);
    r->zone = z;
    r->cells = m;
    r->events = N;
    gini_fill((double)m, N, S, &r->gini);
    if (m == 0 || N == 0) {
        r->top_share = r->area_for = NAN;
        return;
    }
    r->top_share = top_events(x, ord, m, top_area * (double)m) / N;
    r->area_for = cells_for(x, ord, m, event_share * N) / (double)m;
}

static int zone_args(const double *counts, const int *zone, size_t ncells, int nzones,
                     double top_area, double event_share, rtm_conc_zone *out, rtm_error *err)
{
    if (!counts || !zone || !out || nzones < 0)
        return rtm_error_set(err, RTM_ERR_ARG, "concentration: NULL array or nzones < 0");
    if (!(top_area >= 0 && top_area <= 1) || !(event_share >= 0 && event_share <= 1))
        return rtm_error_set(err, RTM_ERR_ARG,
                             "concentration: top_area and event_share must be in [0, 1] "
                             "(got %g, %g)", top_area, event_share);
    for (size_t k = 0; k < ncells; k++)
        if (zone[k] < -1 || zone[k] >= nzones)
            return rtm_error_set(err, RTM_ERR_INPUT,
                                 "concentration: zone id %d at cell %zu is out of range "
                                 "(-1 to %d)", zone[k], k, nzones - 1);
    return 0;
}

/* Stable counting sort of the ranked cells by zone: each zone's cells stay
 * in descending count order. start[z]..start[z+1] delimit zone z in byz. */
static int group_by_zone(const uint32_t *ord, size_t m, const int *zone, int nzones,
                         uint32_t *byz, size_t *start)
{
    size_t *pos = calloc((size_t)nzones + 1, sizeof *pos);
    if (!pos)
        return -1;
    for (size_t t = 0; t < m; t++)
        pos[zone[ord[t]] + 1]++;
    for (int z = 0; z < nzones; z++)
        pos[z + 1] += pos[z];
    memcpy(start, pos, ((size_t)nzones + 1) * sizeof *start);
    for (size_t t = 0; t < m; t++)
        byz[pos[zone[ord[t]]]++] = ord[t];
    free(pos);
    return 0;
}

int rtm_concentration_by_zone(const double *counts, const int *zone, size_t ncells,
                              int nzones, double top_area, double event_share,
                              rtm_conc_zone *out, rtm_error *err)
{
    unsigned char *in = NULL;
    uint32_t *ord = NULL, *byz = NULL;
    size_t *start = NULL, m = 0;
    int rc;
    if ((rc = zone_args(counts, zone, ncells, nzones, top_area, event_share, out, err)) != 0)
        return rc;
    in = malloc(ncells ? ncells : 1);
    if (!in)
        return rtm_error_set(err, RTM_ERR_NOMEM, "concentration: out of memory (%zu cells)",
                             ncells);
    for (size_t k = 0; k < ncells; k++)
        in[k] = zone[k] >= 0;
    if ((rc = check_counts(counts, in, ncells, err)) != 0 ||
        (rc = ranked(counts, in, ncells, &ord, &m, err)) != 0)
        goto done;
    byz = malloc((m ? m : 1) * sizeof *byz);
    start = malloc(((size_t)nzones + 1) * sizeof *start);
    if (!byz || !start || group_by_zone(ord, m, zone, nzones, byz, start) != 0) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "concentration: out of memory (zones)");
        goto done;
    }
    for (int z = 0; z < nzones; z++)
        zone_result(counts, byz + start[z], start[z + 1] - start[z], z, top_area, event_share,
                    &out[z]);
done:
    free(in), free(ord), free(byz), free(start);
    return rc;
}
