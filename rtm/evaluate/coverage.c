/* coverage.c: coverages as a percentage, an area or a cell count; the
 * too-coarse check on tie blocks; per-cell credits at a coverage
 * (definitions in rtm/evaluate_truth.h). */
#include "rtm/evaluate_truth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *suffix;
    int unit;
} UNITS[] = {{"%", RTM_COVER_PERCENT}, {"km2", RTM_COVER_KM2}, {"km²", RTM_COVER_KM2},
             {"ha", RTM_COVER_HA},     {"cells", RTM_COVER_CELLS}, {"cell", RTM_COVER_CELLS},
             {"", RTM_COVER_PERCENT}};

int rtm_eval_coverage_parse(const char *text, double *value, int *unit, rtm_error *err)
{
    char *end;
    double v;
    if (!text || !*text)
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: empty coverage");
    v = strtod(text, &end);
    while (*end == ' ')
        end++;
    for (size_t i = 0; end != text && i < sizeof UNITS / sizeof UNITS[0]; i++) {
        if (strcasecmp(end, UNITS[i].suffix))
            continue;
        if (!isfinite(v) || !(v > 0) || (UNITS[i].unit == RTM_COVER_PERCENT && v > 100))
            break;
        *value = v;
        *unit = UNITS[i].unit;
        return 0;
    }
    return rtm_error_set(err, RTM_ERR_ARG, "evaluate: coverage '%s' is not a percentage in "
                         "(0, 100], an area (e.g. 0.5km2, 50ha) or a cell count (e.g. "
                         "100cells)", text);
}

int rtm_eval_coverage_fraction(double value, int unit, double cell_km2, double area_cells,
                               double *frac, rtm_error *err)
{
    double f, cells;
    char lab[48];
    if (!(area_cells > 0))
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: no evaluated cell for the coverage");
    if (unit != RTM_COVER_PERCENT && unit != RTM_COVER_CELLS && !(cell_km2 > 0))
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: cell area unknown: give coverages "
                             "in percent or cells");
    switch (unit) {
    case RTM_COVER_KM2: cells = value / cell_km2; break;
    case RTM_COVER_HA: cells = value / 100.0 / cell_km2; break; /* 1 km² = 100 ha */
    case RTM_COVER_CELLS: cells = value; break;
    default: cells = value / 100.0 * area_cells; break;
    }
    f = unit == RTM_COVER_PERCENT ? value / 100.0 : cells / area_cells;
    rtm_eval_coverage_label(value, unit, lab, sizeof lab);
    if (!(f > 0) || f > 1 + 1e-12)
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: coverage %s (%.6g cells) is larger "
                             "than the evaluated area (%.0f cells, %.6g km²)", lab, cells,
                             area_cells, area_cells * cell_km2);
    *frac = f > 1 ? 1 : f;
    return 0;
}

void rtm_eval_coverage_label(double value, int unit, char *buf, size_t n)
{
    static const char *const suf[] = {"", "km2", "cells", "ha"};
    snprintf(buf, n, "%.10g%s", value, unit >= 0 && unit <= RTM_COVER_HA ? suf[unit] : "?");
}

double rtm_eval_tie_block(const rtm_eval_curve_t *c, double coverage, int *first)
{
    double a, tol;
    if (first)
        *first = 0;
    if (!c || c->npts < 2 || !(coverage > 0))
        return 0;
    a = coverage * c->area;
    tol = 1e-9 * (c->area > 1 ? c->area : 1);
    for (size_t k = 1; k < c->npts; k++) /* blocks (cells[k-1], cells[k]] */
        if (a < c->cells[k] - tol) {
            if (a <= c->cells[k - 1] + tol)
                return 0; /* on a boundary */
            if (first)
                *first = k == 1;
            return c->cells[k] - c->cells[k - 1];
        }
    return 0;
}

int rtm_eval_too_coarse(const rtm_eval_curve_t *c, double coverage)
{
    double b = rtm_eval_tie_block(c, coverage, NULL);
    return c && b > coverage * c->area;
}

/* Equal for the ranking: same value (-0 == +0), or both NaN. */
static int same_value(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

int rtm_eval_credits(const double *pred, const unsigned char *mask, size_t ncells,
                     double coverage, double *credit, rtm_error *err)
{
    uint32_t *order;
    size_t m = 0, i = 0;
    double a, done = 0;
    int rc;
    if (!pred || !credit || !(coverage > 0 && coverage <= 1))
        return rtm_error_set(err, RTM_ERR_ARG, "evaluate: credits need a surface, an output "
                             "and a coverage in (0, 1] (got %g)", coverage);
    if (!(order = malloc((ncells ? ncells : 1) * sizeof *order)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "evaluate: out of memory (credits)");
    if ((rc = rtm_rank_desc(pred, mask, ncells, order, &m, err))) {
        free(order);
        return rc;
    }
    memset(credit, 0, ncells * sizeof *credit);
    a = coverage * (double)m;
    while (i < m && done < a) { /* tie block [i, j) */
        size_t j = i + 1;
        double share;
        while (j < m && same_value(pred[order[j]], pred[order[i]]))
            j++;
        share = a - done >= (double)(j - i) ? 1.0 : (a - done) / (double)(j - i);
        for (size_t k = i; k < j; k++)
            credit[order[k]] = share;
        done += (double)(j - i);
        i = j;
    }
    free(order);
    return 0;
}
