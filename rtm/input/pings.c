/* pings.c: loading location pings from many files (read in parallel, one
 * OGR dataset per thread) into tracks sorted canonically by device, time
 * and position; duplicates dropped and out-of-order fixes counted (see
 * rtm/dosage.h). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/gdal.h"
#include "input/pings_priv.h"

#define MAX_FILES 65535

static const char *const REASONS[RTM_PING_NREASONS] = {
    "no_device", "no_time", "no_position", "out_of_area", "duplicate", "out_of_order"};

const char *rtm_ping_reason_name(rtm_ping_reason r)
{
    return (unsigned)r < RTM_PING_NREASONS ? REASONS[r] : "?";
}

void rtm_pings_opts_init(rtm_pings_opts *o)
{
    memset(o, 0, sizeof *o);
}

void rtm_pings_free(rtm_pings *p)
{
    if (!p)
        return;
    for (int d = 0; d < p->ndev; d++)
        free(p->dev_names[d]);
    free(p->dev_names), free(p->dev_start), free(p->t_ms), free(p->x), free(p->y);
    memset(p, 0, sizeof *p);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Canonical order of one device's pings: time, x, y, file, row. */
static int cmp_rec(const void *a, const void *b)
{
    const rtm_ping_rec *p = a, *q = b;
    if (p->t != q->t)
        return p->t < q->t ? -1 : 1;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    if (p->file != q->file)
        return p->file < q->file ? -1 : 1;
    return p->fid < q->fid ? -1 : p->fid > q->fid;
}

/* The sorted distinct device names of all files; each file's local index
 * replaced by the global one. */
static int global_names(rtm_ping_file *f, int nf, rtm_pings *p)
{
    size_t total = 0, k = 0, u = 0;
    char **all;
    for (int i = 0; i < nf; i++)
        total += (size_t)f[i].ndev;
    if (!(all = malloc((total ? total : 1) * sizeof *all)))
        return -1;
    for (int i = 0; i < nf; i++)
        for (int d = 0; d < f[i].ndev; d++)
            all[k++] = f[i].names[d];
    qsort(all, total, sizeof *all, cmp_str);
    for (k = 0; k < total; k++)
        if (!u || strcmp(all[u - 1], all[k]))
            all[u++] = all[k];
    p->ndev = (int)u;
    p->dev_names = calloc(u ? u : 1, sizeof *p->dev_names);
    for (k = 0; p->dev_names && k < u; k++)
        if (!(p->dev_names[k] = strdup(all[k])))
            break;
    free(all);
    if (!p->dev_names || k < u)
        return -1;
    for (int i = 0; i < nf; i++) {
        int *map = malloc(((size_t)f[i].ndev + 1) * sizeof *map);
        if (!map)
            return -1;
        for (int d = 0; d < f[i].ndev; d++) {
            char **hit = bsearch(&f[i].names[d], p->dev_names, u, sizeof *hit, cmp_str);
            map[d] = (int)(hit - p->dev_names);
        }
        for (size_t r = 0; r < f[i].n; r++)
            f[i].rec[r].dev = map[f[i].rec[r].dev];
        free(map);
    }
    return 0;
}

/* Times written without a zone are in o->tz: prepare it over their range. */
static int prepare_tz(rtm_ping_file *f, int nf, const rtm_pings_opts *o, rtm_ping_stats *st,
                      rtm_error *err)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (int i = 0; i < nf; i++)
        for (size_t r = 0; r < f[i].n; r++)
            if (f[i].rec[r].naive) {
                st->naive_times++;
                lo = f[i].rec[r].t < lo ? f[i].rec[r].t : lo;
                hi = f[i].rec[r].t > hi ? f[i].rec[r].t : hi;
            }
    if (!st->naive_times || !o->tz)
        return 0;
    return rtm_tz_prepare(o->tz, lo / 1000 - 86400, hi / 1000 + 86400, err);
}

/* Naive times to UTC, then out-of-order fixes in each file's own order. */
static int fix_times(rtm_ping_file *f, const rtm_pings_opts *o, int ndev)
{
    int64_t *last = malloc(((size_t)ndev + 1) * sizeof *last);
    if (!last)
        return -1;
    for (int d = 0; d <= ndev; d++)
        last[d] = INT64_MIN;
    for (size_t r = 0; r < f->n; r++) {
        rtm_ping_rec *p = &f->rec[r];
        if (p->naive && o->tz) {
            int64_t s = p->t / 1000 - (p->t % 1000 < 0);
            p->t = rtm_tz_to_utc(o->tz, s) * 1000 + (p->t - s * 1000);
        }
        if (p->t < last[p->dev] && f->count[RTM_PING_OUT_OF_ORDER]++ == 0)
            rtm_ping_where(f->path, f->is_csv, p->fid, NULL, f->example[RTM_PING_OUT_OF_ORDER],
                           sizeof f->example[RTM_PING_OUT_OF_ORDER]);
        if (p->t > last[p->dev])
            last[p->dev] = p->t;
    }
    free(last);
    return 0;
}

/* Every record into device order, then each device sorted. */
static rtm_ping_rec *gather(rtm_ping_file *f, int nf, rtm_pings *p, int threads)
{
    size_t n = 0, *pos;
    rtm_ping_rec *all;
    for (int i = 0; i < nf; i++)
        n += f[i].n;
    all = malloc((n ? n : 1) * sizeof *all);
    pos = calloc((size_t)p->ndev + 1, sizeof *pos);
    p->dev_start = calloc((size_t)p->ndev + 1, sizeof *p->dev_start);
    if (!all || !pos || !p->dev_start) {
        free(all), free(pos);
        return NULL;
    }
    for (int i = 0; i < nf; i++)
        for (size_t r = 0; r < f[i].n; r++)
            p->dev_start[f[i].rec[r].dev + 1]++;
    for (int d = 0; d < p->ndev; d++)
        p->dev_start[d + 1] += p->dev_start[d];
    memcpy(pos, p->dev_start, ((size_t)p->ndev + 1) * sizeof *pos);
    for (int i = 0; i < nf; i++) {
        for (size_t r = 0; r < f[i].n; r++)
            all[pos[f[i].rec[r].dev]++] = f[i].rec[r];
        free(f[i].rec);
        f[i].rec = NULL;
    }
    free(pos);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int d = 0; d < p->ndev; d++)
        qsort(all + p->dev_start[d], p->dev_start[d + 1] - p->dev_start[d], sizeof *all,
              cmp_rec);
    return all;
}

/* Drop second fixes at the same time (the first in canonical order stays),
 * fill the arrays, and name the first duplicate in canonical order. */
static int finish(rtm_ping_rec *all, rtm_ping_file *f, rtm_pings *p, rtm_ping_stats *st)
{
    size_t n = p->dev_start[p->ndev], k = 0;
    p->t_ms = malloc((n ? n : 1) * sizeof *p->t_ms);
    p->x = malloc((n ? n : 1) * sizeof *p->x);
    p->y = malloc((n ? n : 1) * sizeof *p->y);
    if (!p->t_ms || !p->x || !p->y)
        return -1;
    for (int d = 0; d < p->ndev; d++) {
        size_t a = p->dev_start[d], b = p->dev_start[d + 1];
        p->dev_start[d] = k;
        for (size_t r = a; r < b; r++) {
            if (r > a && all[r].t == all[r - 1].t) {
                const rtm_ping_rec *q = &all[r];
                if (st->n[RTM_PING_DUPLICATE]++ == 0)
                    rtm_ping_where(f[q->file].path, f[q->file].is_csv, q->fid, NULL,
                                   st->example[RTM_PING_DUPLICATE],
                                   sizeof st->example[RTM_PING_DUPLICATE]);
                continue;
            }
            p->t_ms[k] = all[r].t, p->x[k] = all[r].x, p->y[k] = all[r].y;
            k++;
        }
    }
    p->dev_start[p->ndev] = k;
    p->n = k;
    st->used = k;
    return 0;
}

/* Counts and first examples of the files, in file order. */
static void add_counts(const rtm_ping_file *f, int nf, rtm_ping_stats *st)
{
    st->files = (size_t)nf;
    for (int i = 0; i < nf; i++) {
        st->read += f[i].read;
        for (int r = 0; r < RTM_PING_NREASONS; r++) {
            if (r == RTM_PING_DUPLICATE)
                continue;
            if (f[i].count[r] && !st->n[r])
                snprintf(st->example[r], sizeof st->example[r], "%s", f[i].example[r]);
            st->n[r] += f[i].count[r];
        }
    }
    if (nf) {
        snprintf(st->src_crs, sizeof st->src_crs, "%s", f[0].src_crs);
        snprintf(st->transform, sizeof st->transform, "%s", f[0].transform);
    }
}

static int read_all(rtm_ping_file *f, int nf, const rtm_pings_opts *o, int nt, rtm_error *err)
{
    rtm_gdal_init();
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (int i = 0; i < nf; i++)
        rtm_ping_file_read(&f[i], o);
    for (int i = 0; i < nf; i++)
        if (f[i].rc) {
            if (err)
                *err = f[i].err;
            return f[i].rc;
        }
    return 0;
}

static int merge(rtm_ping_file *f, int nf, const rtm_pings_opts *o, int nt, rtm_pings *p,
                 rtm_ping_stats *st, rtm_error *err)
{
    rtm_ping_rec *all;
    int rc = 0;
    if (global_names(f, nf, p))
        return rtm_error_set(err, RTM_ERR_NOMEM, "pings: out of memory");
    if ((rc = prepare_tz(f, nf, o, st, err)))
        return rc;
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) reduction(| : rc)
    for (int i = 0; i < nf; i++)
        rc |= fix_times(&f[i], o, p->ndev);
    add_counts(f, nf, st);
    if (rc || !(all = gather(f, nf, p, nt)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "pings: out of memory");
    rc = finish(all, f, p, st);
    free(all);
    return rc ? rtm_error_set(err, RTM_ERR_NOMEM, "pings: out of memory") : 0;
}

int rtm_pings_load(const rtm_pings_opts *o, const char *const *files, int nfiles,
                   rtm_pings *out, rtm_ping_stats *st, rtm_error *err)
{
    rtm_ping_file *f;
    rtm_pings p = {0};
    int nt = o->threads > 0 ? o->threads : omp_get_max_threads(), rc;
    memset(st, 0, sizeof *st);
    memset(out, 0, sizeof *out);
    if (!o->id_field || !o->time_field || !o->dst_crs)
        return rtm_error_set(err, RTM_ERR_ARG, "pings: the id field, time field and "
                             "destination CRS are required");
    if (nfiles < 1 || nfiles > MAX_FILES)
        return rtm_error_set(err, RTM_ERR_ARG, "pings: %d files (expected 1 to %d)", nfiles,
                             MAX_FILES);
    if (!(f = calloc((size_t)nfiles, sizeof *f)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "pings: out of memory");
    for (int i = 0; i < nfiles; i++)
        f[i].path = files[i], f[i].index = i;
    if (!(rc = read_all(f, nfiles, o, nt, err)))
        rc = merge(f, nfiles, o, nt, &p, st, err);
    for (int i = 0; i < nfiles; i++)
        rtm_ping_file_free(&f[i]);
    free(f);
    if (!rc && p.n == 0)
        rc = rtm_error_set(err, RTM_ERR_INPUT, "pings: no usable ping in %d file%s (%zu rows "
                           "read)", nfiles, nfiles == 1 ? "" : "s", st->read);
    if (rc)
        rtm_pings_free(&p);
    else
        *out = p;
    return rc;
}
