/* varset_io.c: saving and loading candidate-variable sets, so a job can reuse
 * the risk-layer work (distances, densities, thresholds) when only the
 * offences changed (see rtm/model.h). The format is native-endian and
 * versioned: a cache file, not an interchange format. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"
#include "rtm/model.h"

#define VARSET_MAGIC "RTMVARS3" /* 2: rtm_factor_info.nn_n, nn_area; 3: compact form */

typedef struct header {
    char magic[8];
    uint64_t n;
    int32_t p, nfactors, generated, compact; /* compact: row_pat + pat, not x */
    uint64_t npat;
} header;

static int put(FILE *fp, const void *p, size_t size, size_t n)
{
    return fwrite(p, size, n, fp) == n ? 0 : -1;
}

/* The rows' grid cells; without the array (every cell, in order) the same
 * numbers 0..n-1, so the file is the same either way. */
static int put_cells(FILE *fp, const rtm_varset *v)
{
    size_t buf[4096];
    if (v->cell)
        return put(fp, v->cell, sizeof *v->cell, v->n);
    for (size_t i = 0; i < v->n; i += 4096) {
        size_t k = v->n - i < 4096 ? v->n - i : 4096;
        for (size_t j = 0; j < k; j++)
            buf[j] = i + j;
        if (put(fp, buf, sizeof *buf, k))
            return -1;
    }
    return 0;
}

int rtm_varset_write(const char *path, const rtm_varset *v, rtm_error *err)
{
    char tmp[RTM_ATOMIC_PATH_MAX];
    header h;
    FILE *fp;
    int rc;
    if ((rc = rtm_atomic_tmpname(path, tmp, sizeof tmp, err)))
        return rc;
    if (!(fp = fopen(tmp, "wbx"))) {
        rtm_atomic_abort(tmp);
        return rtm_error_set(err, RTM_ERR_IO, "variables: cannot write '%s'", path);
    }
    memset(&h, 0, sizeof h);
    memcpy(h.magic, VARSET_MAGIC, 8);
    h.n = v->n;
    h.p = v->p;
    h.nfactors = v->nfactors;
    h.generated = v->generated;
    h.compact = v->x == NULL;
    h.npat = h.compact ? v->npat : 0;
    rc = put(fp, &h, sizeof h, 1) || put_cells(fp, v) ||
         put(fp, v->var, sizeof *v->var, (size_t)v->p) ||
         put(fp, v->info, sizeof *v->info, (size_t)v->nfactors) ||
         (h.compact ? put(fp, v->row_pat, sizeof *v->row_pat, v->n) ||
                          put(fp, v->pat, 1, v->npat * (size_t)v->p)
                    : put(fp, v->x, 1, v->n * (size_t)v->p));
    rc |= fclose(fp) != 0;
    if (rc) {
        rtm_atomic_abort(tmp);
        return rtm_error_set(err, RTM_ERR_IO, "variables: cannot write '%s'", path);
    }
    return rtm_atomic_commit(tmp, path, err);
}

static int get(FILE *fp, void *p, size_t size, size_t n)
{
    return fread(p, size, n, fp) == n ? 0 : -1;
}

/* The rows: x (sz bytes), or the compact form (pattern ids checked). */
static int read_rows(FILE *fp, const header *h, rtm_varset *v, size_t sz)
{
    size_t psz;
    if (!h->compact)
        return !(v->x = malloc(sz ? sz : 1)) || get(fp, v->x, 1, sz) ? -1 : 0;
    if (h->npat > h->n || rtm_size_mul(h->npat, (size_t)(h->p ? h->p : 1), 1, &psz))
        return -1;
    v->npat = h->npat;
    v->row_pat = malloc((h->n ? h->n : 1) * sizeof *v->row_pat);
    v->pat = malloc(psz ? psz : 1);
    if (!v->row_pat || !v->pat || get(fp, v->row_pat, sizeof *v->row_pat, v->n) ||
        get(fp, v->pat, 1, v->npat * (size_t)v->p))
        return -1;
    for (size_t i = 0; i < v->n; i++)
        if (v->row_pat[i] >= v->npat)
            return -1;
    return 0;
}

int rtm_varset_read(const char *path, rtm_varset **out, rtm_error *err)
{
    FILE *fp = fopen(path, "rb");
    rtm_varset *v = NULL;
    header h;
    size_t sz;
    if (!fp)
        return rtm_error_set(err, RTM_ERR_IO, "variables: cannot read '%s'", path);
    if (get(fp, &h, sizeof h, 1) || memcmp(h.magic, VARSET_MAGIC, 8) || h.p < 0 ||
        h.nfactors < 0 || rtm_size_mul(h.n, (size_t)(h.p ? h.p : 1), 1, &sz))
        goto bad;
    if (!(v = calloc(1, sizeof *v)))
        goto bad;
    v->n = h.n;
    v->p = h.p;
    v->nfactors = h.nfactors;
    v->generated = h.generated;
    v->cell = malloc((h.n ? h.n : 1) * sizeof *v->cell);
    v->var = malloc((size_t)(h.p ? h.p : 1) * sizeof *v->var);
    v->info = malloc((size_t)(h.nfactors ? h.nfactors : 1) * sizeof *v->info);
    if (!v->cell || !v->var || !v->info || get(fp, v->cell, sizeof *v->cell, v->n) ||
        get(fp, v->var, sizeof *v->var, (size_t)v->p) ||
        get(fp, v->info, sizeof *v->info, (size_t)v->nfactors) || read_rows(fp, &h, v, sz) ||
        fgetc(fp) != EOF)
        goto bad;
    fclose(fp);
    *out = v;
    return 0;
bad:
    fclose(fp);
    rtm_varset_free(v);
    return rtm_error_set(err, RTM_ERR_IO, "variables: '%s' is not a valid variable cache", path);
}
