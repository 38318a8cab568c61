/* run_units.c: the units of a run (rtm/jobunits.h) - computing one unit
 * into its folder OUT/units/<ID>/<K> (rtm_jobrun_unit), and the loop over
 * the job's surfaces that every run shares: a unit is computed in the
 * staging folder and gathered (rtm_jobrun), or gathered from its folder
 * (the finish step); overlay and evaluate are computed in place, in the
 * job's order, so the files are registered in the same order either way. */
#include "run/run_internal.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/sha256.h"
#include "rtm/jobunits.h"

#ifndef RTM_VERSION
#define RTM_VERSION "unknown"
#endif

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int rtm_jr_unit_compute(rtm_jr *r, int k, int i, const char *dir, int *noutputs,
                        rtm_error *err)
{
    rtm_run *main_rf = r->rf, *rf = NULL;
    char **outs = r->outputs;
    int nout = r->noutputs, hits = r->cache_hits, misses = r->cache_misses, rc;
    double t = seconds_now();
    if ((rc = rtm_run_open_dir(dir, &rf, err)))
        return rc;
    r->rf = rf;
    r->outputs = NULL;
    r->noutputs = 0;
    rtm_jr_log(r, "unit %d: %s (%s)", k, r->job->surfaces[i].name,
               rtm_surface_type_name(r->job->surfaces[i].type));
    if (!(rc = rtm_jr_surface(r, i, err)))
        rc = rtm_jr_state_write(r, i, dir, seconds_now() - t, r->cache_hits - hits,
                                r->cache_misses - misses, err);
    if (noutputs)
        *noutputs = r->noutputs;
    for (int j = 0; j < r->noutputs; j++)
        free(r->outputs[j]);
    free(r->outputs);
    r->outputs = outs, r->noutputs = nout;
    r->cache_hits = hits, r->cache_misses = misses;
    r->rf = main_rf;
    if (rc)
        rtm_run_abort(rf);
    else
        rtm_run_close(rf);
    return rc;
}

/* The folder of unit k in the finish step, or NULL (no memory). */
static char *unit_dir(const rtm_jr *r, int k)
{
    char *p;
    return asprintf(&p, "%s/%d", r->units_dir, k) < 0 ? NULL : p;
}

/* Unit k (surface i) into r's staging folder: computed there first when
 * the run computes its own units. */
static int one_unit(rtm_jr *r, int k, int i, rtm_error *err)
{
    char name[64], *dir;
    int rc = 0;
    snprintf(name, sizeof name, ".units/%d", k);
    dir = r->units_dir ? unit_dir(r, k) : rtm_run_path(r->rf, name);
    if (!dir)
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    if (!r->units_dir)
        rc = rtm_jr_unit_compute(r, k, i, dir, NULL, err);
    if (!rc)
        rc = rtm_jr_gather(r, i, dir, err);
    if (!r->units_dir)
        rtm_rmtree(dir);
    free(dir);
    return rc;
}

/* The one tile file a tiled surface's unit wrote in dir, into *path. */
static int tile_file(const char *dir, char **path, rtm_error *err)
{
    char *pat = NULL;
    glob_t gl;
    int rc;
    memset(&gl, 0, sizeof gl);
    if (asprintf(&pat, "%s/*.tile-*-of-*.tif", dir) < 0)
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    rc = glob(pat, 0, NULL, &gl);
    free(pat);
    if (rc || gl.gl_pathc != 1 || !(*path = strdup(gl.gl_pathv[0])))
        rc = rtm_error_set(err, RTM_ERR_IO, "run: no single tile file in unit '%s'", dir);
    globfree(&gl);
    return rc;
}

/* The merge of tiled surface i's n tile files (its units from k on): run
 * like a unit in a folder of the staging area, then gathered from it, so
 * that what the finish step reads from units (the model's tables, the
 * back-test) comes the same way as from an untiled unit. */
static int merge_unit(rtm_jr *r, int k, int i, const char *const *files, int n, rtm_error *err)
{
    char name[64], *dir;
    int rc;
    snprintf(name, sizeof name, ".units/merge-%d", i);
    if (!(dir = rtm_run_path(r->rf, name)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    r->tiling.merge = files, r->tiling.nmerge = n;
    rc = rtm_jr_unit_compute(r, k, i, dir, NULL, err);
    memset(&r->tiling, 0, sizeof r->tiling);
    if (!rc)
        rc = rtm_jr_gather(r, i, dir, err);
    rtm_rmtree(dir);
    free(dir);
    return rc;
}

/* A tiled surface (tiles: N): its N units, strip t of N each (computed
 * first when the run computes its own units), then its files made in the
 * staging folder from their tile files, as rtm merge makes them. */
static int tiled_units(rtm_jr *r, int k, int i, rtm_error *err)
{
    int n = r->job->surfaces[i].tiles, rc = 0;
    char **dirs = calloc((size_t)n, sizeof *dirs), **files = calloc((size_t)n, sizeof *files);
    if (!dirs || !files)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    for (int t = 0; !rc && t < n; t++) {
        char name[64];
        snprintf(name, sizeof name, ".units/%d", k + t);
        if (!(dirs[t] = r->units_dir ? unit_dir(r, k + t) : rtm_run_path(r->rf, name))) {
            rc = rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
            break;
        }
        r->tiling.index = t, r->tiling.count = n;
        if (!r->units_dir)
            rc = rtm_jr_unit_compute(r, k + t, i, dirs[t], NULL, err);
        memset(&r->tiling, 0, sizeof r->tiling);
        if (!rc)
            rc = tile_file(dirs[t], &files[t], err);
    }
    if (!rc) /* the merge, as a unit of its own, gathered as any unit */
        rc = merge_unit(r, k, i, (const char *const *)files, n, err);
    for (int t = 0; dirs && files && t < n; t++) {
        if (!r->units_dir && dirs[t])
            rtm_rmtree(dirs[t]);
        free(dirs[t]), free(files[t]);
    }
    free(dirs), free(files);
    return rc;
}

int rtm_jr_surfaces(rtm_jr *r, rtm_error *err)
{
    char key[128], *tmp;
    int k = 0, rc = 0;
    for (int i = 0; i < r->job->nsurfaces && !rc; i++) {
        double t = seconds_now();
        if (rtm_job_surface_in_finish(r->job->surfaces[i].type)) {
            r->surf[i].js = &r->job->surfaces[i];
            rc = rtm_jr_surface(r, i, err);
            r->surf[i].seconds = seconds_now() - t;
        } else if (r->job->surfaces[i].tiles > 1) {
            rc = tiled_units(r, k, i, err);
            k += r->job->surfaces[i].tiles;
            r->surf[i].seconds = seconds_now() - t;
        } else {
            rc = one_unit(r, k++, i, err);
        }
        snprintf(key, sizeof key, "surface.%s", r->job->surfaces[i].name);
        rtm_manifest_timing(r->man, key, r->surf[i].seconds);
    }
    if (!r->units_dir && (tmp = rtm_run_path(r->rf, ".units"))) {
        rtm_rmtree(tmp);
        free(tmp);
    }
    return rc;
}

/* "0 2 5" of the missing units into buf; the count. */
static int missing_units(rtm_jr *r, char *buf, size_t n, rtm_error *err)
{
    int nu = rtm_job_units(r->job, NULL, 0), miss = 0;
    rtm_job_unit *u = calloc((size_t)(nu ? nu : 1), sizeof *u);
    size_t len = 0;
    if (!u)
        return -rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    rtm_job_units(r->job, u, nu);
    buf[0] = '\0';
    for (int k = 0; k < nu; k++) {
        char *dir = unit_dir(r, k);
        if (dir && rtm_jr_state_complete(r, u[k].surface, dir)) {
            free(dir);
            continue;
        }
        free(dir);
        rtm_jr_log(r, "unit %d (%s) is missing", k, r->job->surfaces[u[k].surface].name);
        if (len < n)
            len += (size_t)snprintf(buf + len, n - len, "%s%d", miss ? " " : "", k);
        miss++;
    }
    free(u);
    return miss;
}

int rtm_jr_units_ready(rtm_jr *r, rtm_error *err)
{
    char list[160];
    int miss;
    if (asprintf(&r->units_dir, "%s/units/%s", r->job->out_dir, r->unit_id) < 0) {
        r->units_dir = NULL;
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    }
    if ((miss = missing_units(r, list, sizeof list, err)) < 0)
        return -miss;
    if (miss > 0)
        return rtm_error_set(err, RTM_ERR_IO, "run: %d of %d units missing (unit %s); their "
                             "folder: '%s' (rtm run --unit K --run-date %s)", miss,
                             rtm_job_units(r->job, NULL, 0), list, r->units_dir, r->run_date);
    rtm_jr_log(r, "finish: %d units complete in %s", rtm_job_units(r->job, NULL, 0),
               r->units_dir);
    return 0;
}

/* A run's units folder name: YYYY-MM-DD-<16 hex digits> (rtm_jr_unit_id). */
static int unit_id_name(const char *s)
{
    static const char form[] = "dddd-dd-dd-hhhhhhhhhhhhhhhh";
    if (strlen(s) != sizeof form - 1)
        return 0;
    for (size_t i = 0; form[i]; i++)
        if (form[i] == 'd' ? !isdigit((unsigned char)s[i])
                           : form[i] == 'h' ? !isxdigit((unsigned char)s[i]) : s[i] != form[i])
            return 0;
    return 1;
}

void rtm_jr_units_remove(rtm_jr *r)
{
    char *units = NULL;
    int old;
    if (r->units_dir)
        rtm_rmtree(r->units_dir);
    if (asprintf(&units, "%s/units", r->job->out_dir) < 0)
        return;
    /* the units of runs whose --finish never came; a run whose units are
     * still being made is younger */
    if ((old = rtm_cleanup_prune_dirs(units, unit_id_name, RTM_UNITS_MAX_AGE)) > 0)
        rtm_jr_log(r, "removed the units of %d run%s never finished (older than %d days) "
                   "from %s", old, old == 1 ? "" : "s", (int)(RTM_UNITS_MAX_AGE / 86400), units);
    rmdir(units); /* only when no other run's units are left */
    free(units);
}

/* ---- rtm_jobrun_unit ---------------------------------------------------- */

/* Move the complete unit folder tmp to dir (atomic rename, after an fsync
 * of every file). A unit completed meanwhile by another process wins:
 * *already = 1 and tmp is removed; an incomplete folder in the way (its
 * files removed by hand) is moved aside and removed. */
static int publish(const rtm_jr *r, int i, const char *tmp, const char *dir, int *already,
                   rtm_error *err)
{
    char *old = NULL;
    int e = 0;
    if (rtm_run_sync_tree(tmp) != 0)
        return rtm_error_set(err, RTM_ERR_IO, "run: cannot sync '%s': %s", tmp,
                             strerror(errno));
    for (int tries = 0; tries < 2; tries++) {
        if (rename(tmp, dir) == 0) {
            if (old)
                rtm_rmtree(old);
            free(old);
            return 0;
        }
        e = errno;
        if ((e != EEXIST && e != ENOTEMPTY) || rtm_jr_state_complete(r, i, dir))
            break;
        if (!old && asprintf(&old, "%s.old", tmp) < 0)
            old = NULL;
        if (!old || rename(dir, old) != 0)
            break;
    }
    rtm_rmtree(tmp);
    free(old);
    if ((e == EEXIST || e == ENOTEMPTY) && rtm_jr_state_complete(r, i, dir)) {
        *already = 1;
        return 0;
    }
    return rtm_error_set(err, RTM_ERR_IO, "run: cannot move '%s' to '%s': %s", tmp, dir,
                         strerror(e));
}

/* The private folder unit k is computed in: host and pid make it unique
 * among the machines that share OUT. */
static char *tmp_dir(const rtm_jr *r, int k)
{
    static unsigned counter;
    char host[256] = "host", *p;
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "host");
    host[sizeof host - 1] = '\0';
    for (char *c = host; *c; c++)
        if (*c == '/')
            *c = '_';
    return asprintf(&p, "%s/.%d.tmp-%s-%ld-%u", r->units_dir, k, host, (long)getpid(),
                    counter++) < 0 ? NULL : p;
}

static int unit_run(rtm_jr *r, int k, int i, rtm_jobunit_result *res, rtm_error *err)
{
    char *dir = NULL, *tmp = NULL;
    int rc;
    if ((rc = rtm_jr_prepare(r, err)) || (rc = rtm_jr_inputs(r, err)))
        return rc;
    if (asprintf(&r->units_dir, "%s/units/%s", r->job->out_dir, r->unit_id) < 0)
        r->units_dir = NULL;
    if (!r->units_dir || !(dir = unit_dir(r, k)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    snprintf(res->dir, sizeof res->dir, "%s", dir);
    snprintf(res->id, sizeof res->id, "%s", r->unit_id);
    if (rtm_jr_state_complete(r, i, dir)) {
        res->already = 1;
        rtm_jr_log(r, "unit %d: complete already in %s", k, dir);
    } else if (rtm_mkdirs(r->units_dir) != 0) {
        rc = rtm_error_set(err, RTM_ERR_IO, "run: cannot create '%s': %s", r->units_dir,
                           strerror(errno));
    } else if (!(rc = rtm_jr_load(r, err)) &&
               !(rc = (r->surf = calloc((size_t)r->job->nsurfaces, sizeof *r->surf))
                          ? 0 : rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory"))) {
        if (!(tmp = tmp_dir(r, k)))
            rc = rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
        else if (!(rc = rtm_jr_unit_compute(r, k, i, tmp, &res->noutputs, err)))
            rc = publish(r, i, tmp, dir, &res->already, err);
    }
    free(dir);
    free(tmp);
    return rc;
}

int rtm_jobrun_unit(const rtm_job *job, int k, const rtm_jobrun_opts *o,
                    rtm_jobunit_result *res, rtm_error *err)
{
    int n = rtm_job_units(job, NULL, 0), rc;
    rtm_job_unit *u;
    rtm_jobunit_result scratch;
    rtm_jr r;
    double t0 = seconds_now();
    rtm_error_clear(err);
    if (!res)
        res = &scratch;
    memset(res, 0, sizeof *res);
    if (!o || !o->run_date)
        return rtm_error_set(err, RTM_ERR_ARG, "run: a unit needs the run date (--run-date): "
                             "every unit and the finish step must use the same one");
    if (k < 0 || k >= n)
        return rtm_error_set(err, RTM_ERR_ARG, "run: unit %d is out of range: job '%s' has "
                             "%d unit%s (0 to %d)", k, job->name, n, n == 1 ? "" : "s", n - 1);
    if (!(u = calloc((size_t)n, sizeof *u)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    rtm_job_units(job, u, n);
    rtm_jr_init(&r, job, o);
    if (u[k].ntiles > 1) /* strip u[k].tile of a tiled surface */
        r.tiling.index = u[k].tile, r.tiling.count = u[k].ntiles;
    rc = unit_run(&r, k, u[k].surface, res, err);
    rtm_jr_free(&r);
    free(u);
    res->seconds = seconds_now() - t0;
    return rc;
}
