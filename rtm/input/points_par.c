/* points_par.c: several event files, and byte ranges of one big CSV, read
 * on separate threads (each with its own OGR datasource and coordinate
 * transformation) and joined in file order, so the points, the counts and
 * every message are those of reading the files one after the other. */
#include <cpl_conv.h>
#include <cpl_string.h>
#include <cpl_vsi.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input/points_priv.h"

#define PART_BYTES ((size_t)1 << 20)  /* smallest byte range of a split CSV */
#define MAX_PARTS 256                  /* byte ranges of one file at most (each is
                                          held in memory while its thread reads it) */
#define SCAN_BLOCK ((size_t)1 << 22)   /* bytes read at a time by the split scan */

enum { UNIT_FILE, UNIT_PART, UNIT_FAILED };

/* One piece of reading: a whole file, or a byte range of one. */
typedef struct unit {
    int kind, file;
    rtm_pload L;        /* UNIT_PART: the fields found by the whole file's loader */
    char vpath[96];     /* UNIT_PART: the in-memory file (header line + range) */
    vsi_l_offset hdr, a, b; /* UNIT_PART: header length and the range [a, b) */
    int loaded;         /* UNIT_PART: vpath exists */
    rtm_points pts;
    rtm_error err;
    int rc;
} unit;

typedef struct plan {
    unit *u;
    int n, cap;
} plan;

static unit *add_unit(plan *p, int kind, int file, rtm_error *err)
{
    if (p->n == p->cap) {
        int cap = p->cap ? 2 * p->cap : 16;
        unit *u = realloc(p->u, (size_t)cap * sizeof *u);
        if (!u) {
            rtm_error_set(err, RTM_ERR_NOMEM, "points: out of memory");
            return NULL;
        }
        p->u = u;
        p->cap = cap;
    }
    unit *u = &p->u[p->n++];
    memset(u, 0, sizeof *u);
    u->kind = kind;
    u->file = file;
    rtm_points_init(&u->pts);
    return u;
}

/* Record ends where a split may fall: after a '\n' with an even number of
 * '"' before it in the file. OGR's CSV reader joins a line to the next
 * while the quotes of its record are odd (cpl_csv.cpp, CSVReadParseLine),
 * so from the start of the file such a newline ends a record, and a range
 * starting after it reads exactly the records a whole-file read would.
 * ends[0] is the header's end; ends[1..] are near hdr + k * step. */
static int scan_ends(VSILFILE *fp, vsi_l_offset size, int nparts, vsi_l_offset *ends)
{
    unsigned char *buf = malloc(SCAN_BLOCK);
    vsi_l_offset pos = 0, step = 0, want = 0;
    int odd = 0, n = 0;
    if (!buf)
        return 0;
    while (n <= nparts && pos < size) {
        size_t got = VSIFReadL(buf, 1, SCAN_BLOCK, fp);
        if (!got)
            break;
        size_t i = 0;
        while (i < got && n <= nparts) {
            /* [i, qi): no quote, so the parity holds; a newline there ends a
             * record when the parity is even */
            const unsigned char *q = memchr(buf + i, '"', got - i);
            size_t qi = q ? (size_t)(q - buf) : got, from = i;
            const unsigned char *nl = NULL;
            if (!odd && want > pos + from)
                from = want - pos < qi ? (size_t)(want - pos) : qi;
            if (!odd && from < qi)
                nl = memchr(buf + from, '\n', qi - from);
            if (nl) {
                i = (size_t)(nl - buf) + 1;
                ends[n++] = pos + i;
                if (n == 1)
                    step = (size - ends[0]) / (vsi_l_offset)nparts;
                want = ends[0] + (vsi_l_offset)n * step;
                if (n == nparts)
                    n++; /* the last range runs to the end of the file */
            } else if (qi < got) {
                odd ^= 1;
                i = qi + 1;
            } else {
                i = got;
            }
        }
        pos += got;
    }
    free(buf);
    if (n < 1 || ends[0] < 3) /* no header line of its own: read whole */
        return 0;
    return n > nparts ? nparts : n - 1;
}

/* A part is the header [0, hdr) and the range [a, b) of the file, copied
 * into a /vsimem/ file when its thread starts on it and removed when done,
 * so at most one range per thread is held in memory. (A /vsisparse/ view
 * of the file would avoid the copy, but GDAL's sparse handler looks its
 * regions up and takes a process-wide lock on every read, and the CSV
 * reader reads a few dozen bytes at a time: a third of the reading time,
 * and two threads no faster than one.) */
static void make_part(unit *u, vsi_l_offset hdr, vsi_l_offset a, vsi_l_offset b)
{
    u->hdr = hdr;
    u->a = a;
    u->b = b;
    snprintf(u->vpath, sizeof u->vpath, "/vsimem/rtm_points_part_%p.csv", (void *)u);
}

static int read_at(VSILFILE *fp, vsi_l_offset at, GByte *to, vsi_l_offset n)
{
    return VSIFSeekL(fp, at, SEEK_SET) == 0 && VSIFReadL(to, 1, (size_t)n, fp) == (size_t)n;
}

static int load_part(unit *u, const char *path, rtm_error *err)
{
    vsi_l_offset len = u->hdr + (u->b - u->a);
    GByte *buf = (size_t)len == len ? VSIMalloc((size_t)len ? (size_t)len : 1) : NULL;
    VSILFILE *fp, *f;
    int ok;
    if (!buf)
        return rtm_error_set(err, RTM_ERR_NOMEM, "points: out of memory reading '%s'", path);
    fp = VSIFOpenL(path, "rb");
    ok = fp && read_at(fp, 0, buf, u->hdr) && read_at(fp, u->a, buf + u->hdr, u->b - u->a);
    if (fp)
        VSIFCloseL(fp);
    if (!ok) {
        VSIFree(buf);
        return rtm_error_set(err, RTM_ERR_IO, "points: cannot read '%s' (changed while read?)",
                             path);
    }
    if (!(f = VSIFileFromMemBuffer(u->vpath, buf, len, TRUE))) {
        VSIFree(buf);
        return rtm_error_set(err, RTM_ERR_NOMEM, "points: out of memory reading '%s'", path);
    }
    VSIFCloseL(f);
    u->loaded = 1;
    return 0;
}

static void unload_part(unit *u)
{
    if (u->loaded)
        VSIUnlink(u->vpath);
    u->loaded = 0;
}

/* 1 when the opened source is a CSV file OGR reads as text columns (and not
 * compressed: see plan_parts): its byte ranges then read as the whole does. */
static int splittable(const rtm_pload *L)
{
    OGRFeatureDefnH d = OGR_L_GetLayerDefn(L->v.layer);
    if (!L->v.is_csv)
        return 0;
    if (OGR_FD_GetGeomFieldCount(d) > 0)
        return 0;
    for (int i = 0; i < OGR_FD_GetFieldCount(d); i++)
        if (OGR_Fld_GetType(OGR_FD_GetFieldDefn(d, i)) != OFTString)
            return 0;
    return 1;
}

/* Byte ranges of a big CSV file: 0 = not split (read whole), else units added. */
static int plan_parts(plan *p, const char *path, int file, const rtm_load_opts *o,
                      size_t part_bytes, rtm_error *err)
{
    VSIStatBufL sb;
    vsi_l_offset ends[MAX_PARTS + 2];
    rtm_pload M;
    rtm_error e = {0, ""};
    int nparts, got, rc;
    size_t len = strlen(path);
    if (!strncmp(path, "/vsi", 4) || (len > 3 && !strcasecmp(path + len - 3, ".gz")) ||
        VSIStatL(path, &sb) || (size_t)sb.st_size < 2 * part_bytes)
        return 0;
    nparts = (int)((size_t)sb.st_size / part_bytes);
    nparts = nparts > MAX_PARTS ? MAX_PARTS : nparts;
    if ((rc = rtm_pload_open(&M, path, o, &e))) { /* the file's error, in its turn */
        unit *u = add_unit(p, UNIT_FAILED, file, err);
        if (!u)
            return -1;
        u->err = e;
        u->rc = rc;
        return 1;
    }
    got = 0;
    rtm_crs_describe(M.v.crs, M.st.src_crs, sizeof M.st.src_crs, NULL, 0, NULL);
    if (splittable(&M)) {
        VSILFILE *fp = VSIFOpenL(path, "rb");
        got = fp ? scan_ends(fp, (vsi_l_offset)sb.st_size, nparts, ends) : 0;
        if (fp)
            VSIFCloseL(fp);
    }
    rtm_pload_close(&M);
    for (int k = 0; got >= 2 && k < got; k++) {
        unit *u = add_unit(p, UNIT_PART, file, err);
        vsi_l_offset b = k + 1 < got ? ends[k + 1] : (vsi_l_offset)sb.st_size;
        if (!u)
            return -1;
        u->L = M;
        make_part(u, ends[0], k ? ends[k] : ends[0], b);
    }
    return got >= 2;
}

/* One unit on this thread. Its transformation comes from crs.c's pool of
 * transformations given back (rtm_transform_create), so the units of one
 * source CRS make it once per thread. */
static void run_unit(unit *u, const char *path, const rtm_load_opts *o)
{
    rtm_transform *tr;
    if (u->kind == UNIT_FAILED)
        return;
    if (u->kind == UNIT_PART) {
        rtm_vsource whole = u->L.v;
        u->rc = load_part(u, path, &u->err);
        if (!u->rc)
            u->rc = rtm_vsource_open_part(&u->L.v, &whole, u->vpath, o->where, &u->err);
    } else {
        u->rc = rtm_pload_open(&u->L, path, o, &u->err);
    }
    if (!u->rc) {
        if (!(tr = rtm_transform_create(u->L.v.crs, o->dst_crs, &u->err)))
            u->rc = u->err.code ? u->err.code : RTM_ERR_CRS;
        else
            u->rc = rtm_pload_read(&u->L, &u->pts, tr, &u->err);
        rtm_transform_free(tr);
        rtm_pload_close(&u->L);
    }
    unload_part(u);
}

/* Append the points of q to pts. Every label of q's table is interned in
 * pts in q's order first (rows skipped after their label was read leave it
 * in the table, as one read does), so the labels' numbers are those of one
 * read of the files in order. */
static int append(rtm_points *pts, const rtm_points *q, rtm_error *err)
{
    int *map = q->nlabels ? malloc(q->nlabels * sizeof *map) : NULL;
    size_t n0 = pts->n;
    int rc = 0;
    if (q->nlabels && !map)
        return rtm_error_set(err, RTM_ERR_NOMEM, "points: out of memory");
    for (size_t k = 0; k < q->nlabels && !rc; k++)
        rc = (map[k] = rtm_points_label(pts, q->labels[k], err)) < 0;
    if (!rc && q->n)
        rc = rtm_points_reserve(pts, n0 + q->n, err) != 0;
    if (!rc && q->n) { /* q's values went through rtm_points_push_full: copied as they are */
        memcpy(pts->x + n0, q->x, q->n * sizeof *q->x);
        memcpy(pts->y + n0, q->y, q->n * sizeof *q->y);
        memcpy(pts->w + n0, q->w, q->n * sizeof *q->w);
        memcpy(pts->month + n0, q->month, q->n * sizeof *q->month);
        memcpy(pts->day + n0, q->day, q->n * sizeof *q->day);
        memcpy(pts->minute + n0, q->minute, q->n * sizeof *q->minute);
        for (size_t i = 0; i < q->n; i++)
            pts->label[n0 + i] = q->label[i] >= 0 ? map[q->label[i]] : -1;
        pts->n = n0 + q->n;
    }
    free(map);
    return rc ? -1 : 0;
}

/* The counts of one file from its units [a, b), as one read would give:
 * summed, the first example of each reason, the weight summed in row order,
 * the last operation PROJ reported. */
static void file_stats(const unit *u, int a, int b, const rtm_points *pts, size_t n0,
                       rtm_load_stats *fs)
{
    rtm_load_stats_init(fs);
    for (int k = a; k < b; k++) {
        const rtm_load_stats *s = &u[k].L.st;
        fs->read += s->read;
        fs->filtered_where += s->filtered_where;
        fs->filtered_month += s->filtered_month;
        fs->used += s->used;
        fs->weight_defaulted += s->weight_defaulted;
        for (int r = 0; r < RTM_SKIP_NREASONS; r++) {
            if (!fs->skipped[r] && s->skipped[r])
                memcpy(fs->example[r], s->example[r], sizeof fs->example[r]);
            fs->skipped[r] += s->skipped[r];
        }
        if (k == a || s->used)
            memcpy(fs->transform, s->transform, sizeof fs->transform);
    }
    memcpy(fs->src_crs, u[a].L.st.src_crs, sizeof fs->src_crs);
    memcpy(fs->date_form, u[a].L.st.date_form, sizeof fs->date_form);
    fs->weight_used = 0;
    for (size_t i = n0; i < pts->n; i++)
        fs->weight_used += pts->w ? pts->w[i] : 1.0;
}

/* Join the units of one file [a, b) into pts and st, or return its error. */
static int join_file(unit *u, int a, int b, rtm_points *pts, rtm_load_stats *st,
                     rtm_error *err)
{
    rtm_load_stats fs;
    GIntBig base = 0;
    size_t n0 = pts->n;
    for (int k = a; k < b; k++) {
        rtm_pload_messages(&u[k].L, base, &u[k].err);
        if (u[k].rc) {
            if (err)
                *err = u[k].err;
            return u[k].rc;
        }
        base += (GIntBig)u[k].L.records;
    }
    size_t total = n0;
    for (int k = a; k < b; k++)
        total += u[k].pts.n;
    if (rtm_points_reserve(pts, total, err))
        return err ? err->code : RTM_ERR_NOMEM;
    for (int k = a; k < b; k++) {
        if (append(pts, &u[k].pts, err)) {
            pts->n = n0;
            return err ? err->code : RTM_ERR_NOMEM;
        }
        rtm_points_clear(&u[k].pts);
    }
    file_stats(u, a, b, pts, n0, &fs);
    rtm_pload_merge_stats(st, &fs);
    return 0;
}

static void free_plan(plan *p)
{
    for (int k = 0; k < p->n; k++) {
        rtm_points_clear(&p->u[k].pts);
        unload_part(&p->u[k]);
    }
    free(p->u);
}

int rtm_points_load_files(rtm_points *pts, const char *const *paths, int npaths,
                          const rtm_load_opts *o, rtm_load_stats *st, rtm_error *err)
{
    plan p = {NULL, 0, 0};
    size_t part = o->part_bytes ? o->part_bytes : PART_BYTES;
    int nt = o->threads > 0 ? o->threads : omp_get_max_threads(), rc = 0, *first;
    if (!o->dst_crs)
        return rtm_error_set(err, RTM_ERR_ARG, "points: no target CRS (--dst-crs)");
    if (!(first = malloc(((size_t)npaths + 1) * sizeof *first)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "points: out of memory");
    for (int f = 0; f < npaths && !rc; f++) {
        int r;
        first[f] = p.n;
        r = plan_parts(&p, paths[f], f, o, part, err);
        if (r < 0 || (r == 0 && !add_unit(&p, UNIT_FILE, f, err)))
            rc = err ? err->code : RTM_ERR_NOMEM;
    }
    first[npaths] = p.n;
    if (!rc) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt > p.n ? (p.n ? p.n : 1) : nt)
        for (int k = 0; k < p.n; k++)
            run_unit(&p.u[k], paths[p.u[k].file], o);
        for (int f = 0; f < npaths && !rc; f++)
            rc = join_file(p.u, first[f], first[f + 1], pts, st, err);
    }
    free(first);
    free_plan(&p);
    return rc;
}
