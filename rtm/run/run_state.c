/* run_state.c: the helpers every step of a run uses - the log, output
 * names registered for the manifest, number and month formatting. */
#include "run/run_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtm/output.h"

void rtm_jr_log(const rtm_jr *r, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    if (!r->o->log)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    r->o->log(r->o->log_arg, buf);
}

int rtm_jr_register(rtm_jr *r, const char *name, rtm_error *err)
{
    char **no = realloc(r->outputs, (size_t)(r->noutputs + 1) * sizeof *no);
    if (!no)
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    r->outputs = no;
    if (!(no[r->noutputs] = strdup(name)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    r->noutputs++;
    return 0;
}

int rtm_jr_register_map(rtm_jr *r, const char *png, rtm_error *err)
{
    char fn[1024], world[1024];
    /* maps are written georeferencing the map panel alone (X_map.png) */
    if (rtm_map_png_georef_path(png, fn, sizeof fn, err) || rtm_jr_register(r, fn, err) ||
        rtm_png_world_path(fn, world, sizeof world, err) || rtm_jr_register(r, world, err))
        return err->code;
    if (!r->grid.crs[0])
        return 0; /* the map writer makes no CRS sidecar then */
    if (rtm_png_aux_path(fn, world, sizeof world, err))
        return err->code;
    return rtm_jr_register(r, world, err);
}

char *rtm_jr_output(rtm_jr *r, const char *name, rtm_error *err)
{
    char *p = rtm_run_path(r->rf, name);
    if (!p) {
        rtm_error_set(err, RTM_ERR_IO, "run: cannot make output '%s' in '%s'", name,
                      rtm_run_staging(r->rf));
        return NULL;
    }
    if (rtm_jr_register(r, name, err)) {
        free(p);
        return NULL;
    }
    return p;
}

const char *rtm_jr_num(double v, int decimals, char *buf, size_t n)
{
    if (v != v || v > 1e300 || v < -1e300)
        snprintf(buf, n, "n/a");
    else
        snprintf(buf, n, "%.*f", decimals, v);
    return buf;
}

int rtm_jr_adopt(rtm_jr *r, rtm_outset *out, rtm_error *err)
{
    int rc = 0;
    for (int i = 0; i < rtm_outset_count(out) && !rc; i++)
        rc = rtm_jr_register(r, rtm_outset_name(out, i), err);
    if (rc) {
        rtm_outset_abort(out);
        return rc;
    }
    return rtm_outset_commit(out, err);
}

const char *rtm_jr_month_str(int month, char *buf, size_t n)
{
    snprintf(buf, n, "%04d-%02d", month / 12, month % 12 + 1);
    return buf;
}
