/* product_common.c: what every product shares - the environment, event
 * metadata, and writing GeoTIFFs and maps into an output set. */
#include "product/product_priv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/stats_meta.h"

void rtm_product_env_init(rtm_product_env *env)
{
    memset(env, 0, sizeof *env); /* attribution NULL: each product's own default */
}

void rtm_product_result_free(rtm_product_result *r)
{
    if (r) {
        free(r->v);
        r->v = NULL;
    }
}

void rtm_prod_log(const rtm_product_env *env, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    if (!env || !env->log)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    env->log(env->log_arg, buf);
}

void rtm_prod_log_load(const rtm_product_env *env, const char *what, const rtm_load_stats *st)
{
    char line[512];
    int n = snprintf(line, sizeof line, "%s: %zu read", what, st->read);
    if (st->filtered_where)
        n += snprintf(line + n, sizeof line - (size_t)n, ", %zu excluded by --where",
                      st->filtered_where);
    if (st->filtered_month)
        n += snprintf(line + n, sizeof line - (size_t)n, ", %zu outside the month window",
                      st->filtered_month);
    snprintf(line + n, sizeof line - (size_t)n, ", %zu used (weight %.6g), %zu skipped",
             st->used, st->weight_used, rtm_load_stats_skipped(st));
    rtm_prod_log(env, "%s", line);
    for (int r = 0; r < RTM_SKIP_NREASONS; r++)
        if (st->skipped[r])
            rtm_prod_log(env, "  skipped %-20s %8zu  (first: %s)",
                         rtm_skip_reason_name((rtm_skip_reason)r), st->skipped[r],
                         st->example[r]);
    if (st->weight_defaulted)
        rtm_prod_log(env, "  %zu rows had a category not in the weight table (default weight)",
                     st->weight_defaulted);
    if (st->transform[0])
        rtm_prod_log(env, "  coordinates: %s -> via '%s'", st->src_crs, st->transform);
}

char *rtm_prod_join(const char *dir, const char *name)
{
    char *s = NULL;
    if (!dir || !dir[0])
        return strdup(name);
    return asprintf(&s, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name) < 0
               ? NULL : s;
}

double *rtm_prod_alloc(size_t n, const char *what, rtm_error *err)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        rtm_error_set(err, RTM_ERR_NOMEM, "%s: out of memory for %zu cells", what, n);
    return v;
}

static int add_inputs(const rtm_events_opts *eo, rtm_kv *kv)
{
    int n = 0, rc = 0;
    for (int s = 0; s < eo->nsources; s++)
        for (int i = 0; i < eo->sources[s].nfiles; i++) {
            const char *f = eo->sources[s].files[i], *b = strrchr(f, '/');
            char key[32];
            snprintf(key, sizeof key, "INPUT_%d", ++n);
            rc |= rtm_kv_add(kv, key, "%s", b ? b + 1 : f);
        }
    for (int s = 0; s < eo->nsources; s++) {
        char key[32];
        if (!eo->sources[s].where)
            continue;
        snprintf(key, sizeof key, eo->nsources > 1 ? "WHERE_%d" : "WHERE", s + 1);
        rc |= rtm_kv_add(kv, key, "%s", eo->sources[s].where);
    }
    return rc;
}

int rtm_prod_grid_meta(const rtm_product_env *env, const rtm_grid *g, rtm_kv *kv)
{
    const rtm_events_opts *eo = env ? env->events : NULL;
    int rc = 0;
    if (eo && eo->study_area)
        rc |= rtm_kv_add(kv, "STUDY_AREA", "%s", eo->study_area);
    return rc | rtm_kv_add(kv, "CELL_SIZE", "%.17g", g->res);
}

int rtm_prod_events_meta(const rtm_product_env *env, const rtm_events *ev, rtm_kv *kv)
{
    const rtm_events_opts *eo = env ? env->events : NULL;
    const char *wf = NULL;
    int rc = 0;
    if (eo) {
        rc |= add_inputs(eo, kv);
        if (eo->month_from)
            rc |= rtm_kv_add(kv, "MONTH_FROM", "%04d-%02d", eo->month_from / 100,
                             eo->month_from % 100);
        if (eo->month_to)
            rc |= rtm_kv_add(kv, "MONTH_TO", "%04d-%02d", eo->month_to / 100,
                             eo->month_to % 100);
        if (eo->date_from)
            rc |= rtm_kv_add(kv, "DATE_FROM", "%04d-%02d-%02d", eo->date_from / 10000,
                             eo->date_from / 100 % 100, eo->date_from % 100);
        if (eo->date_to)
            rc |= rtm_kv_add(kv, "DATE_TO", "%04d-%02d-%02d", eo->date_to / 10000,
                             eo->date_to / 100 % 100, eo->date_to % 100);
        for (int s = 0; s < eo->nsources && !wf; s++)
            wf = eo->sources[s].weight_field;
        if (wf)
            rc |= rtm_kv_add(kv, "WEIGHT_FIELD", "%s", wf);
        if (eo->weights)
            rc |= rtm_kv_add(kv, "WEIGHT_TABLE", "%s",
                             eo->weights_name ? eo->weights_name : "(given)");
    }
    int m0, m1;
    rtm_events_months(ev, &m0, &m1);
    if (m0) /* the period the events actually cover, whatever the window asked */
        rc |= rtm_kv_add(kv, "EVENTS_PERIOD", "%04d-%02d..%04d-%02d", m0 / 100, m0 % 100,
                         m1 / 100, m1 % 100);
    rc |= rtm_prod_grid_meta(env, &ev->grid, kv);
    return rc | rtm_kv_add_load_stats(kv, "EVENTS", &ev->st);
}

int rtm_prod_geotiff(rtm_outset *out, const char *name, const rtm_grid *g, const double *v,
                     const unsigned char *mask, const rtm_geotiff_opts *go, rtm_error *err)
{
    char qml[4096];
    const char *p = rtm_outset_file(out, name, err);
    int rc;
    if (!p)
        return err->code;
    if ((rc = rtm_geotiff_write(p, g, v, mask, go, err)))
        return rc;
    if (go && go->categorical) { /* class names and colours: GDAL's PAM sidecar */
        snprintf(qml, sizeof qml, "%s.aux.xml", name);
        if ((rc = rtm_outset_sidecar(out, qml, err)))
            return rc;
    }
    if (go && !go->write_qml)
        return 0;
    if ((rc = rtm_qml_path(name, qml, sizeof qml, err)))
        return rc;
    return rtm_outset_sidecar(out, qml, err);
}

int rtm_prod_map_files(const char *name, const rtm_grid *g, char files[4][4096], rtm_error *err)
{
    int rc, n = 0;
    snprintf(files[n++], 4096, "%s", name);
    if ((rc = rtm_map_png_georef_path(name, files[n], 4096, err)))
        return -rc;
    n++;
    if ((rc = rtm_png_world_path(files[1], files[n], 4096, err)))
        return -rc;
    n++;
    if (!g->crs[0])
        return n; /* the map writer makes no CRS sidecar then */
    if ((rc = rtm_png_aux_path(files[1], files[n], 4096, err)))
        return -rc;
    return n + 1;
}

/* The georeferenced map-only image, its world file and CRS sidecar, which
 * the map writer made beside the briefing map name (RTM_MAP_GEOREF_MAP_ONLY:
 * the composed map with title and legend is not georeferenced, so a GIS
 * never places the legend on the ground). */
static int map_sidecars(rtm_outset *out, const char *name, const rtm_grid *g, rtm_error *err)
{
    char files[4][4096];
    int n = rtm_prod_map_files(name, g, files, err), rc = 0;
    if (n < 0)
        return -n;
    for (int i = 1; i < n && !rc; i++)
        rc = rtm_outset_sidecar(out, files[i], err);
    return rc;
}

int rtm_prod_map(rtm_outset *out, const char *name, const rtm_grid *g, const double *v,
                 const unsigned char *mask, const rtm_map_opts *mo, rtm_error *err)
{
    const char *p = rtm_outset_file(out, name, err);
    rtm_map_opts m = *mo;
    int rc;
    if (!p)
        return err->code;
    m.georef = RTM_MAP_GEOREF_MAP_ONLY;
    if ((rc = rtm_map_png_write(p, g, v, mask, &m, err)))
        return rc;
    return map_sidecars(out, name, g, err);
}

int rtm_prod_map_categorical(rtm_outset *out, const char *name, const rtm_grid *g,
                             const double *v, const unsigned char *mask, const int *values,
                             const char *const *labels, int nvalues, const rtm_map_opts *mo,
                             rtm_error *err)
{
    const char *p = rtm_outset_file(out, name, err);
    rtm_map_opts m = *mo;
    int rc;
    if (!p)
        return err->code;
    m.georef = RTM_MAP_GEOREF_MAP_ONLY;
    if ((rc = rtm_map_png_write_categorical(p, g, v, mask, values, labels, nvalues, &m, err)))
        return rc;
    return map_sidecars(out, name, g, err);
}
