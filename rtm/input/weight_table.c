/* weight_table.c: category -> weight tables for harm weighting, read with OGR. */
#include <cpl_error.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rtm/input.h"
#include "core/gdal.h"
#include "input/vsource.h"

struct rtm_weight_table {
    char field[128];
    size_t n;
    char **cat;
    double *w;
    double dflt;
    char unit[96];   /* the "unit" column's first value, or "" */
};

void rtm_weight_table_free(rtm_weight_table *t)
{
    size_t i;
    if (!t)
        return;
    for (i = 0; i < t->n; i++)
        free(t->cat[i]);
    free(t->cat);
    free(t->w);
    free(t);
}

static int table_add(rtm_weight_table *t, const char *cat, double w)
{
    char **c = realloc(t->cat, (t->n + 1) * sizeof *c);
    double *ww;
    if (!c)
        return -1;
    t->cat = c;
    ww = realloc(t->w, (t->n + 1) * sizeof *ww);
    if (!ww)
        return -1;
    t->w = ww;
    if (!(t->cat[t->n] = strdup(cat)))
        return -1;
    t->w[t->n++] = w;
    return 0;
}

rtm_weight_table *rtm_weight_table_load(const char *path, rtm_error *err)
{
    rtm_vsource v;
    rtm_weight_table *t = NULL;
    OGRFeatureH f;
    OGRFeatureDefnH d;
    memset(&v, 0, sizeof v);
    v.name = path;
    rtm_gdal_init();
    CPLErrorReset();
    v.ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, NULL, NULL, NULL);
    if (!v.ds || GDALDatasetGetLayerCount(v.ds) < 1) {
        rtm_error_set(err, RTM_ERR_IO, "weights: cannot read table '%s': %s", path,
                      rtm_gdal_last_error("no such file or no table"));
        goto fail;
    }
    v.is_csv = 1;
    v.layer = GDALDatasetGetLayer(v.ds, 0);
    d = OGR_L_GetLayerDefn(v.layer);
    if (OGR_FD_GetFieldCount(d) < 2) {
        rtm_error_set(err, RTM_ERR_INPUT, "weights: '%s' needs two columns (category field, "
                      "weight), e.g. 'Crime type,weight'", path);
        goto fail;
    }
    if (!(t = calloc(1, sizeof *t)))
        goto nomem;
    t->dflt = 1.0;
    snprintf(t->field, sizeof t->field, "%s", OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, 0)));
    int ui = OGR_FD_GetFieldIndex(d, "unit");
    while ((f = OGR_L_GetNextFeature(v.layer)) != NULL) {
        const char *cat = OGR_F_GetFieldAsString(f, 0);
        if (ui >= 2 && !t->unit[0])
            snprintf(t->unit, sizeof t->unit, "%s", OGR_F_GetFieldAsString(f, ui));
        double w;
        int bad = rtm_vsource_read_number(f, 1, &w);
        if (bad || w < 0) {
            char at[256];
            rtm_vsource_where(&v, OGR_F_GetFID(f), at, sizeof at);
            rtm_error_set(err, RTM_ERR_INPUT, "weights: %s field '%s': weight '%s' is not a "
                          "number >= 0", at, OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(d, 1)),
                          OGR_F_GetFieldAsString(f, 1));
            OGR_F_Destroy(f);
            goto fail;
        }
        int listed = 0;
        if (strcmp(cat, "*"))
            rtm_weight_table_lookup(t, cat, &listed);
        if (listed) { /* which weight would win is not the user's to guess */
            char at[256];
            rtm_vsource_where(&v, OGR_F_GetFID(f), at, sizeof at);
            rtm_error_set(err, RTM_ERR_INPUT, "weights: %s: category '%s' is listed twice", at,
                          cat);
            OGR_F_Destroy(f);
            goto fail;
        }
        if (!strcmp(cat, "*"))
            t->dflt = w;
        else if (table_add(t, cat, w)) {
            OGR_F_Destroy(f);
            goto nomem;
        }
        OGR_F_Destroy(f);
    }
    rtm_vsource_close(&v);
    return t;
nomem:
    rtm_error_set(err, RTM_ERR_NOMEM, "weights: out of memory");
fail:
    rtm_vsource_close(&v);
    rtm_weight_table_free(t);
    return NULL;
}

rtm_weight_table *rtm_weight_table_create(const char *field, const char *const *categories,
                                          const double *weights, size_t n, double dflt,
                                          rtm_error *err)
{
    rtm_weight_table *t = calloc(1, sizeof *t);
    size_t i;
    if (!t) {
        rtm_error_set(err, RTM_ERR_NOMEM, "weights: out of memory");
        return NULL;
    }
    snprintf(t->field, sizeof t->field, "%s", field);
    t->dflt = dflt;
    for (i = 0; i < n; i++) {
        if (!(weights[i] >= 0) || !(dflt >= 0)) {
            rtm_error_set(err, RTM_ERR_ARG, "weights: weight of '%s' must be >= 0",
                          categories[i]);
            rtm_weight_table_free(t);
            return NULL;
        }
        if (table_add(t, categories[i], weights[i])) {
            rtm_error_set(err, RTM_ERR_NOMEM, "weights: out of memory");
            rtm_weight_table_free(t);
            return NULL;
        }
    }
    return t;
}

const char *rtm_weight_table_field(const rtm_weight_table *t)
{
    return t->field;
}

double rtm_weight_table_lookup(const rtm_weight_table *t, const char *category, int *listed)
{
    size_t i;
    for (i = 0; i < t->n; i++)
        if (!strcasecmp(t->cat[i], category)) {
            *listed = 1;
            return t->w[i];
        }
    *listed = 0;
    return t->dflt;
}

const char *rtm_weight_table_unit(const rtm_weight_table *t)
{
    return t && t->unit[0] ? t->unit : NULL;
}
