/* change_write.c: the change product's files - difference, ratio, log ratio,
 * significance, adjusted p and count difference GeoTIFFs (+ .qml), the table
 * of the places that grew and shrank most, the units table and S-index
 * raster, and the map. */
#include "product/change_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"

static const char *const CLASS_LABELS[] = {
    "-1=significant decrease of the after period's share",
    "0=no significant change",
    "1=significant increase of the after period's share", NULL};
static const char *const S_LABELS[] = {
    "-1=share fell (local S, Andresen's test)", "0=similar",
    "1=share rose (local S, Andresen's test)", NULL};

static int oom(rtm_error *err)
{
    return rtm_error_set(err, RTM_ERR_NOMEM, "change: out of memory");
}

void chg_units_text(chg_state *s)
{
    char label[96], unit[64];
    rtm_prod_kde_units(&s->p->kde, s->ev->weighted, label, sizeof label, unit, sizeof unit);
    snprintf(s->label, sizeof s->label, "%s%s", label, s->per_month ? " per month" : "");
    snprintf(s->unit, sizeof s->unit, "%s%s", unit, s->per_month ? "/month" : "");
}

static void period_text(const rtm_change_period *p, int months, char *buf, size_t n)
{
    if (p->from)
        snprintf(buf, n, "%04d-%02d..%04d-%02d (%d months)", p->from / 100, p->from % 100,
                 p->to / 100, p->to % 100, months);
    else
        snprintf(buf, n, "every month of its events (%d months)", months);
}

static int add_meta(const chg_state *s, const char *what, rtm_kv *kv)
{
    const rtm_change_product *p = s->p;
    char b[96], a[96];
    period_text(&p->before, s->months_b, b, sizeof b);
    period_text(&p->after, s->months_a, a, sizeof a);
    int rc = rtm_kv_add(kv, "SOFTWARE", "rtm %s", RTM_VERSION) |
             rtm_kv_add(kv, "SURFACE", "change: %s", what) |
             rtm_kv_add(kv, "KERNEL", "%s", rtm_kernel_name(s->ko.kernel)) |
             rtm_kv_add(kv, "RADIUS", "%.17g", s->ko.radius) |
             rtm_kv_add(kv, "RADIUS_RULE", "%s%s", rtm_prod_kde_rule(&p->kde),
                        p->kde.radius_rule == RTM_RADIUS_GIVEN ? ""
                        : " (on the pooled events of both periods)") |
             rtm_kv_add(kv, "BEFORE", "%s%s", b, s->two_sets ? ", first event set" : "") |
             rtm_kv_add(kv, "AFTER", "%s%s", a, s->two_sets ? ", second event set" : "") |
             rtm_kv_add(kv, "EVENTS_BEFORE", "%zu", s->nb) |
             rtm_kv_add(kv, "EVENTS_AFTER", "%zu", s->na) |
             rtm_kv_add(kv, "SCALING", s->per_month ? "each period's density divided by its "
                        "number of months (%d before, %d after): densities per month"
                        : "none: each period's total density (%d and %d months)",
                        s->months_b, s->months_a) |
             rtm_kv_add(kv, "DENSITY_UNITS", "%s", s->label);
    if (p->iterations > 0)
        rc |= rtm_kv_add(kv, "TEST", "Monte Carlo permutation of the period labels of the "
                         "pooled events (Kelsall & Diggle 1995); two-sided p = min(1, 2 min(ge+1, "
                         "le+1)/(B+1)); tests where the after period's share of the local density "
                         "differs from its overall share") |
              rtm_kv_add(kv, "ITERATIONS", "%d", p->iterations) |
              rtm_kv_add(kv, "SEED", "%llu", p->seed) |
              rtm_kv_add(kv, "FDR", "Benjamini-Hochberg over %zu tested cells (cells with an "
                         "event within the radius)", s->r.ntested) |
              rtm_kv_add(kv, "ALPHA", "%g", p->alpha);
    return rc | rtm_prod_events_meta(s->env, s->ev, kv);
}

/* One GeoTIFF (+ .qml) as output DIR/file. */
static int write_tif(const chg_state *s, rtm_outset *out, const char *file, const double *v,
                     rtm_geotiff_opts *go, const char *what, rtm_error *err)
{
    char *fn = rtm_prod_join(s->p->dir, file);
    rtm_kv kv;
    int rc;
    rtm_kv_init(&kv);
    if (!fn || add_meta(s, what, &kv)) {
        free(fn), rtm_kv_free(&kv);
        return oom(err);
    }
    go->metadata = rtm_kv_list(&kv);
    go->compress = s->p->kde.compress ? s->p->kde.compress : go->compress;
    rc = rtm_prod_geotiff(out, fn, &s->ev->grid, v, s->ev->mask, go, err);
    free(fn), rtm_kv_free(&kv);
    return rc;
}

static int write_continuous(const chg_state *s, rtm_outset *out, const char *file,
                            const double *v, const char *desc, const char *units,
                            rtm_error *err)
{
    rtm_geotiff_opts go;
    rtm_geotiff_opts_init(&go);
    go.band_description = desc;
    go.units = units;
    go.qml_ramp = "diverging";
    go.float64 = s->p->kde.float64;
    return write_tif(s, out, file, v, &go, desc, err);
}

/* The ratio: a classed diverging style centred on 1 (no change), classes
 * symmetric in the log: 1/2, 1/1.25, 1/1.05, 1.05, 1.25, 2. */
static int write_ratio(const chg_state *s, rtm_outset *out, rtm_error *err)
{
    size_t nc = rtm_grid_ncells(&s->ev->grid);
    double mx = 2.5, br[8] = {0, 0.5, 0.8, 1 / 1.05, 1.05, 1.25, 2, 0};
    rtm_geotiff_opts go;
    for (size_t c = 0; c < nc; c++)
        if (isfinite(s->r.ratio[c]) && s->r.ratio[c] > mx)
            mx = s->r.ratio[c];
    br[7] = mx;
    rtm_geotiff_opts_init(&go);
    go.band_description = "ratio of the densities, after / before (unitless; 1 = no change)";
    go.units = "ratio";
    go.qml_ramp = "diverging";
    go.qml_nclasses = 7;
    go.qml_breaks = br;
    go.float64 = s->p->kde.float64;
    return write_tif(s, out, "ratio.tif", s->r.ratio, &go, "ratio after / before", err) ||
           write_continuous(s, out, "log_ratio.tif", s->r.log_ratio,
                            "natural log of the density ratio, after / before (unitless; "
                            "0 = no change)", "log ratio", err);
}

static int write_test(const chg_state *s, rtm_outset *out, rtm_error *err)
{
    size_t nc = rtm_grid_ncells(&s->ev->grid);
    double *v = rtm_prod_alloc(nc, "change", err);
    rtm_geotiff_opts go;
    int rc;
    if (!v)
        return RTM_ERR_NOMEM;
    for (size_t c = 0; c < nc; c++)
        v[c] = s->r.cls[c];
    rtm_geotiff_opts_init(&go);
    go.band_description = "significance class: -1 share fell, 0 no significant change, +1 "
                          "share rose (permutation test, BH FDR)";
    static const char *const meaning[] = {
        "CLASSES=+1: the after period's share of the local density is significantly higher "
        "than its overall share (BH-adjusted permutation p <= ALPHA); -1: significantly "
        "lower; 0: not significant, or not tested (no event within the radius)", NULL};
    go.categorical = 1;
    go.class_labels = CLASS_LABELS;
    go.qml_ramp = "diverging";
    go.band_metadata = meaning;
    rc = write_tif(s, out, "significance.tif", v, &go, "significance class", err);
    free(v);
    if (rc || !s->r.q)
        return rc;
    rtm_geotiff_opts_init(&go);
    go.band_description = "permutation p-value adjusted by Benjamini-Hochberg (NaN: not "
                          "tested)";
    go.units = "p";
    go.qml_ramp = "magma";
    return write_tif(s, out, "p_adjusted.tif", s->r.q, &go, "adjusted p-value", err);
}

static int write_counts(const chg_state *s, rtm_outset *out, rtm_error *err)
{
    size_t nc = rtm_grid_ncells(&s->ev->grid);
    double *v = rtm_prod_alloc(nc, "change", err);
    char desc[160];
    int rc;
    if (!v)
        return RTM_ERR_NOMEM;
    /* counts are scaled by the months only (sa, sb also hold the density's unit) */
    double ua = s->per_month ? 1.0 / s->months_a : 1, ub = s->per_month ? 1.0 / s->months_b : 1;
    for (size_t c = 0; c < nc; c++)
        v[c] = s->r.count_after[c] * ua - s->r.count_before[c] * ub;
    const char *what = s->ev->weighted ? "weight" : "events";
    char unit[64];
    snprintf(desc, sizeof desc, "%s in the cell, after minus before%s", what,
             s->per_month ? ", per month" : "");
    snprintf(unit, sizeof unit, "%s/cell%s", what, s->per_month ? "/month" : "");
    rc = write_continuous(s, out, "count_difference.tif", v, desc, unit, err);
    free(v);
    return rc;
}

/* Register DIR/file and write text there; frees buf. */
static int write_text(const chg_state *s, rtm_outset *out, const char *file, char *buf,
                      size_t len, rtm_error *err)
{
    char *fn = rtm_prod_join(s->p->dir, file);
    const char *path = fn ? rtm_outset_file(out, fn, err) : NULL;
    int rc = !fn ? oom(err) : !path ? (err ? err->code : RTM_ERR_ARG)
                            : rtm_atomic_write_text(path, buf ? buf : "", buf ? len : 0, err);
    free(fn);
    free(buf);
    return rc;
}

static void csv_num(FILE *f, double v)
{
    if (isnan(v))
        fputs(",", f);
    else
        fprintf(f, ",%.10g", v);
}

static void csv_str(FILE *f, const char *t)
{
    fputc(',', f);
    if (!strpbrk(t, ",\"\n\r")) {
        fputs(t, f);
        return;
    }
    fputc('"', f);
    for (; *t; t++) {
        if (*t == '"')
            fputc('"', f);
        fputc(*t, f);
    }
    fputc('"', f);
}

typedef struct { double d; size_t c; } ranked;

/* Largest difference first; ties by cell index. */
static int cmp_ranked(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->d != y->d)
        return x->d > y->d ? -1 : 1;
    return x->c < y->c ? -1 : x->c > y->c;
}

static void place_row(const chg_state *s, FILE *f, int rank, const char *what, size_t c)
{
    const rtm_grid *g = &s->ev->grid;
    int row = (int)(c / (size_t)g->ncols), col = (int)(c % (size_t)g->ncols);
    fprintf(f, "%d,%s,%d,%d,%.3f,%.3f", rank, what, row, col, rtm_grid_cell_x(g, col),
            rtm_grid_cell_y(g, row));
    csv_num(f, s->r.count_before[c]);
    csv_num(f, s->r.count_after[c]);
    csv_num(f, s->r.before[c]);
    csv_num(f, s->r.after[c]);
    csv_num(f, s->r.difference[c]);
    csv_num(f, s->r.ratio[c]);
    csv_num(f, s->r.q ? s->r.q[c] : NAN);
    fprintf(f, ",%d\n", s->r.cls[c]);
}

/* places.csv: the top cells that grew and the top that shrank. */
static int write_places(const chg_state *s, rtm_outset *out, rtm_error *err)
{
    size_t nc = rtm_grid_ncells(&s->ev->grid), m = 0, top = (size_t)s->p->top;
    ranked *r = malloc((nc ? nc : 1) * sizeof *r);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = r ? open_memstream(&buf, &len) : NULL;
    if (!f) {
        free(r);
        return oom(err);
    }
    for (size_t c = 0; c < nc; c++)
        if (isfinite(s->r.difference[c]) && s->r.difference[c] != 0)
            r[m++] = (ranked){s->r.difference[c], c};
    qsort(r, m, sizeof *r, cmp_ranked);
    fprintf(f, "rank,change,row,col,x,y,count_before,count_after,density_before,"
               "density_after,difference,ratio,p_adjusted,class\n");
    for (size_t k = 0; k < m && k < top && r[k].d > 0; k++)
        place_row(s, f, (int)k + 1, "increase", r[k].c);
    for (size_t k = 0; k < m && k < top && r[m - 1 - k].d < 0; k++)
        place_row(s, f, (int)k + 1, "decrease", r[m - 1 - k].c);
    fclose(f);
    free(r);
    return write_text(s, out, "places.csv", buf, len, err);
}

/* units.csv: both unit tests, one row per unit in the layer's order. */
static int write_units_csv(const chg_state *s, rtm_outset *out, rtm_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return oom(err);
    fprintf(f, "unit,name,count_before,count_after,pct_before,pct_after,conf_low,conf_high,"
               "s_index,local_s,p,p_adjusted_by,local_s_diff\n");
    for (int k = 0; k < s->sppt.nunits; k++) {
        const rtm_sppt_unit *u = &s->sppt.u[k];
        fprintf(f, "%d", k + 1);
        csv_str(f, s->names && s->names[k] ? s->names[k] : "");
        csv_num(f, u->n_before), csv_num(f, u->n_after);
        csv_num(f, u->pct_before), csv_num(f, u->pct_after);
        csv_num(f, u->conf_low), csv_num(f, u->conf_high);
        fprintf(f, ",%d,%d", u->s_index, -u->s_index);
        csv_num(f, u->p), csv_num(f, u->p_adj);
        fprintf(f, ",%d\n", -u->s_index_diff);
    }
    fclose(f);
    return write_text(s, out, "units.csv", buf, len, err);
}

/* units_sppt.tif: each unit's local S (Andresen) on its cells. */
static int write_units_tif(const chg_state *s, rtm_outset *out, rtm_error *err)
{
    size_t nc = rtm_grid_ncells(&s->ev->grid);
    double *v = rtm_prod_alloc(nc, "change", err);
    rtm_geotiff_opts go;
    char gs[200];
    const char *bm[2] = {gs, NULL};
    int rc;
    if (!v)
        return RTM_ERR_NOMEM;
    for (size_t c = 0; c < nc; c++)
        v[c] = s->zone[c] >= 0 ? -s->sppt.u[s->zone[c]].s_index : NAN;
    snprintf(gs, sizeof gs, "SPPT=global S %.4f, robust S %.4f (%d units, %d with events); "
             "proportion test (BY): global S %.4f, robust S %.4f", s->sppt.global_s,
             s->sppt.robust_s, s->sppt.nunits, s->sppt.nrobust, s->sppt.global_s_diff,
             s->sppt.robust_s_diff);
    rtm_geotiff_opts_init(&go);
    go.band_description = "local S of Andresen's spatial point pattern test (Andresen 2009): "
                          "+1 the unit's share of events rose, -1 fell, 0 similar";
    go.categorical = 1;
    go.class_labels = S_LABELS;
    go.qml_ramp = "diverging";
    go.band_metadata = bm;
    rc = write_tif(s, out, "units_sppt.tif", v, &go, "Andresen's S index per unit", err);
    free(v);
    return rc;
}

static int write_map(const chg_state *s, rtm_outset *out, rtm_error *err)
{
    static const int values[3] = {-1, 0, 1};
    static const char *const labels[3] = {"share fell", "no significant change",
                                          "share rose"};
    size_t nc = rtm_grid_ncells(&s->ev->grid);
    char sub[256], *fn = rtm_prod_join(s->p->dir, "change.png");
    double *v = rtm_prod_alloc(nc, "change", err);
    rtm_map_opts mo;
    int rc;
    if (!fn || !v) {
        free(fn), free(v);
        return oom(err);
    }
    rtm_map_opts_init(&mo);
    mo.title = s->p->kde.title ? s->p->kde.title : "Change between the periods";
    snprintf(sub, sizeof sub, "N = %zu before, %zu after · %s kernel, radius %g · %d "
             "permutations, FDR %g", s->nb, s->na, rtm_kernel_name(s->ko.kernel), s->ko.radius,
             s->p->iterations, s->p->alpha);
    mo.subtitle = sub;
    mo.attribution = s->env && s->env->attribution ? s->env->attribution : RTM_ATTR_OGL;
    if (s->p->iterations > 0) {
        for (size_t c = 0; c < nc; c++)
            v[c] = s->r.cls[c];
        mo.units_label = "permutation test";
        rc = rtm_prod_map_categorical(out, fn, &s->ev->grid, v, s->ev->mask, values, labels, 3,
                                      &mo, err);
    } else {
        mo.ramp = "diverging";
        mo.zero_transparent_below = -INFINITY;
        mo.units_label = s->label;
        rc = rtm_prod_map(out, fn, &s->ev->grid, s->r.difference, s->ev->mask, &mo, err);
    }
    free(fn), free(v);
    return rc;
}

int chg_write(const chg_state *s, rtm_outset *out, rtm_error *err)
{
    char desc[200];
    int rc;
    snprintf(desc, sizeof desc, "density after minus before (%s)", s->label);
    if ((rc = write_continuous(s, out, "difference.tif", s->r.difference, desc, s->unit, err)) ||
        (rc = write_ratio(s, out, err)) || (rc = write_test(s, out, err)) ||
        (rc = write_counts(s, out, err)) || (rc = write_places(s, out, err)))
        return rc;
    if (s->nzones > 0 && ((rc = write_units_csv(s, out, err)) ||
                          (rc = write_units_tif(s, out, err))))
        return rc;
    return s->p->png ? write_map(s, out, err) : 0;
}
