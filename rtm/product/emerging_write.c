/* emerging_write.c: the files of the emerging hot-spot product - the
 * category GeoTIFF (colour table, category names, .qml), the cube and the
 * Gi* z-scores as multi-band GeoTIFFs (one band per step, described by the
 * step's label), the trends, the cells with a pattern as a GeoPackage, the
 * map, and the table of categories (CSV and Markdown). */
#include "product/emerging_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NODATA_CLASS 255

/* Colours by raster value: hot patterns in reds, oranges and browns, cold
 * in blues and teal, oscillating in magenta/purple; "no pattern" light grey. */
static const char *const ESRI_CLASS_COLORS[] = {
    "0=#e8e8e8",  "1=#f4a582",  "2=#fc8d59",  "3=#b2182b",  "4=#d6604d",  "5=#f1b6da",
    "6=#fdd49e",  "7=#c51b7d",  "8=#8c510a",  "9=#92c5de",  "10=#74add1", "11=#2166ac",
    "12=#4393c3", "13=#c7eae5", "14=#d1e5f0", "15=#762a83", "16=#01665e", NULL};
static const char *const SFH_CLASS_COLORS[] = {
    "0=#e8e8e8", "1=#b2182b", "2=#ef8a62", "3=#fddbc7", "4=#d6604d", "5=#762a83",
    "6=#2166ac", "7=#67a9cf", "8=#d1e5f0", "9=#4393c3", NULL};

const char *const *em_class_colors(const em_state *s)
{
    return s->p->scheme == RTM_SCHEME_ESRI ? ESRI_CLASS_COLORS : SFH_CLASS_COLORS;
}

int em_ncodes(const em_state *s, int *lo, int *hi)
{
    int esri = s->p->scheme == RTM_SCHEME_ESRI;
    *lo = esri ? -8 : -4;
    *hi = esri ? 8 : 5;
    return *hi - *lo + 1;
}

int em_raster_value(const em_state *s, int code)
{
    int top = s->p->scheme == RTM_SCHEME_ESRI ? 8 : 5;
    return code >= 0 ? code : top - code;
}

const char *em_code_name(const em_state *s, int code)
{
    return s->p->scheme == RTM_SCHEME_ESRI ? rtm_ehsa_name(code) : rtm_sfh_name(code);
}

char *em_file_name(const em_state *s, const char *name, rtm_error *err)
{
    char *fn = rtm_prod_join(s->p->dir, name);
    if (!fn)
        rtm_error_set(err, RTM_ERR_NOMEM, "emerging: out of memory");
    return fn;
}

static int add_meta(const em_state *s, const char *what, rtm_kv *kv)
{
    char a[64], b[64];
    const rtm_gistar_opts *gi = &s->gi;
    int rc = rtm_kv_add(kv, "SOFTWARE", "rtm %s", RTM_VERSION) |
             rtm_kv_add(kv, "SURFACE", "%s", what) |
             rtm_kv_add(kv, "STATISTIC", "space-time Getis-Ord Gi* (Ord & Getis 1995), binary "
                        "weights, self included; Mann-Kendall trend (Mann 1945; Kendall 1975)");
    if (gi->knn > 0)
        rc |= rtm_kv_add(kv, "KNN", "%d", gi->knn);
    else
        rc |= rtm_kv_add(kv, "DISTANCE_BAND", "%.17g", gi->band);
    rc |= rtm_kv_add(kv, "TIME_STEPS_BACK", "%d", s->p->time_steps) |
          rtm_kv_add(kv, "STEP", "%s", rtm_vocab_name("step", (int)s->p->step)) |
          rtm_kv_add(kv, "WEEK_START", "Monday (ISO 8601)") |
          rtm_kv_add(kv, "STEPS", "%d", s->steps.n) |
          rtm_kv_add(kv, "FIRST_STEP", "%s", rtm_step_label(&s->steps, 0, a, sizeof a)) |
          rtm_kv_add(kv, "LAST_STEP", "%s", rtm_step_label(&s->steps, s->steps.n - 1, b,
                                                           sizeof b)) |
          rtm_kv_add(kv, "ALPHA", "%g", s->p->alpha) |
          rtm_kv_add(kv, "FDR", "%s", gi->fdr ? "Benjamini-Hochberg over every bin" : "none") |
          rtm_kv_add(kv, "CRITICAL_P", "%.6g", s->cells.crit_p) |
          rtm_kv_add(kv, "SCHEME", "%s", rtm_vocab_name("scheme", (int)s->p->scheme)) |
          rtm_kv_add(kv, "LOCATIONS", "%zu (%s)", s->cells.locations,
                     s->p->all_cells ? "every cell of the study area"
                                     : "cells with at least one event");
    return rc | rtm_prod_events_meta(s->env, s->ev, kv);
}

/* Category labels and colours ("VALUE=...") for the GeoTIFF and .qml. */
typedef struct em_classes {
    int n;
    char label[17][96], item[17][112];
    const char *lp[18], *ip[18];   /* "VALUE=LABEL"; "CATEGORY_VALUE=LABEL" */
} em_classes;

static void make_classes(const em_state *s, em_classes *c)
{
    int lo, hi;
    em_ncodes(s, &lo, &hi);
    c->n = 0;
    for (int code = lo; code <= hi; code++, c->n++) {
        int v = em_raster_value(s, code);
        snprintf(c->label[c->n], sizeof c->label[0], "%d=%s", v, em_code_name(s, code));
        snprintf(c->item[c->n], sizeof c->item[0], "CATEGORY_%d=%s", v, em_code_name(s, code));
        c->lp[c->n] = c->label[c->n];
        c->ip[c->n] = c->item[c->n];
    }
    c->lp[c->n] = c->ip[c->n] = NULL;
}

int em_write_categories(em_state *s, double *v, int values_only, rtm_error *err)
{
    rtm_geotiff_opts go;
    em_classes c;
    rtm_kv kv;
    char *fn = em_file_name(s, "categories.tif", err);
    int rc;
    for (size_t k = 0; k < s->nc; k++)
        v[k] = s->loc[k] ? em_raster_value(s, s->cells.code[k]) : NAN;
    if (values_only || !fn) {
        rc = values_only ? 0 : RTM_ERR_NOMEM;
        free(fn);
        return rc;
    }
    make_classes(s, &c);
    rtm_kv_init(&kv);
    rc = add_meta(s, "emerging hot-spot category", &kv) ? RTM_ERR_NOMEM : 0;
    rtm_geotiff_opts_init(&go);
    go.metadata = rtm_kv_list(&kv);
    go.band_description = s->p->scheme == RTM_SCHEME_ESRI
                              ? "emerging hot-spot category (ArcGIS Pro's 17 patterns)"
                              : "hot-spot category (sfhotspot's scheme)";
    go.categorical = 1;
    go.nodata = NODATA_CLASS;
    go.class_labels = c.lp;
    go.band_metadata = c.ip; /* the names inside the TIFF too (GDAL_METADATA tag) */
    go.class_colors = em_class_colors(s);
    go.qml_ramp = "diverging";
    if (rc == 0)
        rc = rtm_prod_geotiff(s->out, fn, &s->ev->grid, v, s->loc, &go, err);
    else
        rtm_error_set(err, rc, "emerging: out of memory");
    rtm_kv_free(&kv);
    free(fn);
    return rc;
}

/* A multi-band GeoTIFF of nsteps layers of data (one per step). */
int em_write_steps(em_state *s, const char *name, const double *data, const char *what,
                       const char *units, rtm_error *err)
{
    int T = s->steps.n, rc = 0;
    const double **bands = malloc((size_t)T * sizeof *bands);
    char (*lab)[64] = malloc((size_t)T * sizeof *lab);
    const char **desc = malloc((size_t)T * sizeof *desc);
    char *fn = em_file_name(s, name, err);
    rtm_geotiff_opts go;
    rtm_kv kv;
    if (!bands || !lab || !desc || !fn) {
        free(bands), free(lab), free(desc), free(fn);
        return rtm_error_set(err, RTM_ERR_NOMEM, "emerging: out of memory");
    }
    for (int t = 0; t < T; t++) {
        bands[t] = data + (size_t)t * s->nc;
        desc[t] = rtm_step_label(&s->steps, t, lab[t], sizeof lab[t]);
    }
    rtm_kv_init(&kv);
    if (add_meta(s, what, &kv))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "emerging: out of memory");
    rtm_geotiff_opts_init(&go);
    go.metadata = rtm_kv_list(&kv);
    go.units = units;
    go.qml_ramp = strcmp(units, "z") == 0 ? "diverging" : "viridis";
    const char *path = rc ? NULL : rtm_outset_file(s->out, fn, err);
    char qml[4096];
    if (!rc && !path)
        rc = err->code;
    if (!rc)
        rc = rtm_geotiff_write_bands(path, &s->ev->grid, T, bands, desc,
                                     strcmp(units, "z") == 0 ? s->loc : s->ev->mask, &go, err);
    if (!rc && !(rc = rtm_qml_path(fn, qml, sizeof qml, err)))
        rc = rtm_outset_sidecar(s->out, qml, err);
    rtm_kv_free(&kv);
    free(bands), free(lab), free(desc), free(fn);
    return rc;
}

int em_write_trend(em_state *s, rtm_error *err)
{
    const double *bands[2] = {s->cells.trend_z, s->cells.count_z};
    const char *desc[2] = {"Mann-Kendall z of the Gi* z-scores",
                           "Mann-Kendall z of the counts"};
    char *fn = em_file_name(s, "trend.tif", err), qml[4096];
    const char *path = fn ? rtm_outset_file(s->out, fn, err) : NULL;
    rtm_geotiff_opts go;
    rtm_kv kv;
    int rc = !fn ? RTM_ERR_NOMEM : !path ? err->code : 0;
    rtm_kv_init(&kv);
    if (!rc && add_meta(s, "Mann-Kendall trend z per location", &kv))
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "emerging: out of memory");
    rtm_geotiff_opts_init(&go);
    go.metadata = rtm_kv_list(&kv);
    go.units = "z";
    go.qml_ramp = "diverging";
    if (!rc)
        rc = rtm_geotiff_write_bands(path, &s->ev->grid, 2, bands, desc, s->loc, &go, err);
    if (!rc && !(rc = rtm_qml_path(fn, qml, sizeof qml, err)))
        rc = rtm_outset_sidecar(s->out, qml, err);
    rtm_kv_free(&kv);
    free(fn);
    return rc;
}
