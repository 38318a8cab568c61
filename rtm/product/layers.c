/* layers.c: loading a vector layer (risk factor, stations) for a product. */
#include "product/product_priv.h"

#include <stdlib.h>
#include <string.h>

static int load_files(const rtm_layer_spec *s, const rtm_load_opts *lo, rtm_features *f,
                      rtm_load_stats *st, rtm_error *err)
{
    int rc = 0;
    rtm_load_stats_init(st);
    for (int i = 0; i < s->nfiles && !rc; i++)
        rc = rtm_layer_load(f, s->files[i], lo, st, err);
    return rc;
}

int rtm_layer_spec_load(const rtm_layer_spec *s, const char *dst_crs,
                        const rtm_product_env *env, rtm_features **out, rtm_load_stats *st,
                        rtm_error *err)
{
    rtm_load_opts lo;
    rtm_load_stats own;
    rtm_features *f = rtm_features_create();
    const char *name = s->name ? s->name : "layer";
    int rc;
    if (!st)
        st = &own;
    if (!f)
        return rtm_error_set(err, RTM_ERR_NOMEM, "layer '%s': out of memory", name);
    rtm_load_opts_init(&lo);
    lo.x_field = s->x_field;
    lo.y_field = s->y_field;
    lo.src_crs = s->crs;
    lo.dst_crs = dst_crs;
    lo.layer = s->layer;
    lo.where = s->where;
    rc = load_files(s, &lo, f, st, err);
    if (rc == RTM_ERR_CRS && !s->crs && strstr(err->msg, "projected coordinates")) {
        /* projected columns without a CRS: taken to be in the grid CRS */
        rtm_features_free(f);
        if (!(f = rtm_features_create()))
            return rtm_error_set(err, RTM_ERR_NOMEM, "layer '%s': out of memory", name);
        lo.src_crs = dst_crs;
        rtm_prod_log(env, "layer %s: projected columns without a CRS, taken as %s", name,
                     dst_crs);
        rc = load_files(s, &lo, f, st, err);
    }
    if (!rc && rtm_features_count(f) == 0)
        rc = rtm_error_set(err, RTM_ERR_INPUT, "no features (%zu rows read, %zu skipped)",
                           st->read, rtm_load_stats_skipped(st));
    if (rc) {
        rtm_error e2 = *err;
        rtm_features_free(f);
        return rtm_error_set(err, e2.code, "layer '%s': %s", name, e2.msg);
    }
    rtm_prod_log(env, "layer %s: %zu features (%zu rows skipped)", name,
                 rtm_features_count(f), rtm_load_stats_skipped(st));
    *out = f;
    return 0;
}
