/* design.c: design-matrix checks and pattern compression (see rtm/glm.h).
 *
 * Rows are packed into 64-bit words and hashed with the splitmix64 finaliser
 * (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
 * generators", OOPSLA); collisions are resolved by comparing the packed words,
 * so the hash only affects speed, never the result. Patterns are numbered in
 * order of first appearance, which makes the output independent of the hash.
 */
#include "rtm/glm.h"
#include "model/glm_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

struct rtm_patterns {
    size_t n, m;           /* cells, unique patterns */
    int p, nfolds;
    unsigned char *x;      /* m*p */
    double *cnt, *sumy;    /* m */
    double *cnt_f, *sumy_f;/* m*nfolds */
    double *ylogy, *lgam;  /* m: sum y log y, sum lgamma(y+1) */
    double *ylogy_f, *lgam_f; /* m*nfolds */
    uint32_t *row_pat;     /* n */
    size_t *colptr;        /* CSC: p+1 offsets */
    uint32_t *colidx;      /* pattern indices (m < 2^32, as row_pat) */
    size_t q;              /* distinct (pattern, y) pairs */
    size_t *pair_pat;
    double *pair_y, *pair_mult;
};

/* Shape, pointers and counts (everything but the x entries). */
static int check_shape_y(const rtm_design *d, rtm_error *err)
{
    if (!d || d->n == 0)
        return rtm_error_set(err, RTM_ERR_ARG, "design: no cells");
    if (d->p < 0)
        return rtm_error_set(err, RTM_ERR_ARG, "design: negative column count (%d)", d->p);
    if (!d->y || (d->p > 0 && !d->x && (!d->row_pat || !d->pat)))
        return rtm_error_set(err, RTM_ERR_ARG, "design: missing x or y");
    for (size_t i = 0; !d->x && d->row_pat && i < d->n; i++)
        if (d->row_pat[i] >= d->npat)
            return rtm_error_set(err, RTM_ERR_ARG, "design: row %zu uses row pattern %u of %zu",
                                 i, d->row_pat[i], d->npat);
    for (size_t i = 0; i < d->n; i++) {
        if (!isfinite(d->y[i]))
            return rtm_error_set(err, RTM_ERR_INPUT, "design: y[%zu] is not finite", i);
        if (d->y[i] < 0)
            return rtm_error_set(err, RTM_ERR_INPUT, "design: y[%zu] = %g is negative", i,
                                 d->y[i]);
    }
    return 0;
}

static int bad_x(const rtm_design *d, size_t k, rtm_error *err)
{
    return rtm_error_set(err, RTM_ERR_INPUT, "design: x[row %zu, column %d] = %d is not 0 or 1",
                         k / (size_t)d->p, (int)(k % (size_t)d->p), rtm_design_x(d, k / (size_t)d->p, (int)(k % (size_t)d->p)));
}

/* The first cell using bad entry (pattern k, column j) of a compact design. */
static int bad_pat(const rtm_design *d, size_t k, int j, rtm_error *err)
{
    size_t i = 0;
    while (i < d->n && d->row_pat[i] != k)
        i++;
    return bad_x(d, (i < d->n ? i : 0) * (size_t)d->p + (size_t)j, err);
}

int rtm_design_check(const rtm_design *d, rtm_error *err)
{
    int rc = check_shape_y(d, err);
    if (rc)
        return rc;
    if (!d->x) {
        for (size_t k = 0; k < d->npat * (size_t)d->p; k++)
            if (d->pat[k] > 1)
                return bad_pat(d, k / (size_t)d->p, (int)(k % (size_t)d->p), err);
        return 0;
    }
    size_t np = d->n * (size_t)d->p;
    for (size_t k = 0; k < np; k++)
        if (d->x[k] > 1)
            return bad_x(d, k, err);
    return 0;
}

static uint64_t mix64(uint64_t z)
{
    /* splitmix64 finaliser (Steele, Lea & Flood 2014) */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t hash_words(const uint64_t *w, int nw)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int k = 0; k < nw; k++)
        h = mix64(h ^ w[k]) + 0x9e3779b97f4a7c15ULL;
    return h;
}

/* Pack a row of all p columns into 64-bit words; returns the OR of its
 * bytes, so the caller can reject entries other than 0/1 without a separate
 * pass. SSE2 (baseline on x86-64) turns 16 bytes into 16 bits at a time. */
static unsigned pack_full(const unsigned char *row, int p, uint64_t *w, int nw)
{
    unsigned acc = 0;
    int j = 0;
    memset(w, 0, (size_t)nw * sizeof *w);
#ifdef __SSE2__
    __m128i zero = _mm_setzero_si128(), vacc = zero;
    for (; j + 16 <= p; j += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(row + j));
        vacc = _mm_or_si128(vacc, v);
        uint64_t bits = (uint32_t)_mm_movemask_epi8(_mm_cmpgt_epi8(v, zero));
        w[j >> 6] |= bits << (j & 63);
    }
    unsigned char lanes[16];
    _mm_storeu_si128((__m128i *)(void *)lanes, vacc);
    for (int k = 0; k < 16; k++)
        acc |= lanes[k];
#endif
    for (; j < p; j++) {
        acc |= row[j];
        w[j >> 6] |= (uint64_t)(row[j] != 0) << (j & 63);
    }
    return acc;
}

/* The same for a subset of columns, in the order given. */
static unsigned pack_cols(const unsigned char *row, const int *cols, int nc, uint64_t *w, int nw)
{
    unsigned acc = 0;
    memset(w, 0, (size_t)nw * sizeof *w);
    for (int j = 0; j < nc; j++) {
        unsigned char v = row[cols[j]];
        acc |= v;
        w[j >> 6] |= (uint64_t)(v != 0) << (j & 63);
    }
    return acc;
}

/* Growable store of unique packed patterns with an open-addressing index. */
typedef struct {
    uint64_t *words;   /* cap*nw */
    uint64_t *hash;    /* cap */
    size_t m, cap;
    size_t *slot;      /* tsize entries, SIZE_MAX = empty */
    size_t tsize;      /* power of two */
    int nw;
} pat_table;

static int table_rehash(pat_table *t, size_t tsize)
{
    size_t *slot = malloc(tsize * sizeof *slot);
    if (!slot)
        return -1;
    for (size_t s = 0; s < tsize; s++)
        slot[s] = SIZE_MAX;
    for (size_t k = 0; k < t->m; k++) {
        size_t s = (size_t)t->hash[k] & (tsize - 1);
        while (slot[s] != SIZE_MAX)
            s = (s + 1) & (tsize - 1);
        slot[s] = k;
    }
    free(t->slot);
    t->slot = slot;
    t->tsize = tsize;
    return 0;
}

static int table_grow(pat_table *t)
{
    size_t cap = t->cap ? 2 * t->cap : 256;
    uint64_t *w = realloc(t->words, cap * (size_t)t->nw * sizeof *w);
    if (!w)
        return -1;
    t->words = w;
    uint64_t *h = realloc(t->hash, cap * sizeof *h);
    if (!h)
        return -1;
    t->hash = h;
    t->cap = cap;
    return 0;
}

/* Index of pattern w, inserting it if new; SIZE_MAX on out of memory. */
static size_t table_find_or_add(pat_table *t, const uint64_t *w)
{
    uint64_t h = hash_words(w, t->nw);
    size_t s = (size_t)h & (t->tsize - 1);
    size_t nwb = (size_t)t->nw * sizeof *w;
    for (; t->slot[s] != SIZE_MAX; s = (s + 1) & (t->tsize - 1)) {
        size_t k = t->slot[s];
        if (t->hash[k] == h && memcmp(t->words + k * (size_t)t->nw, w, nwb) == 0)
            return k;
    }
    if (t->m == t->cap && table_grow(t))
        return SIZE_MAX;
    size_t k = t->m++;
    memcpy(t->words + k * (size_t)t->nw, w, nwb);
    t->hash[k] = h;
    t->slot[s] = k;
    if (2 * t->m > t->tsize && table_rehash(t, 2 * t->tsize))
        return SIZE_MAX;
    return k;
}

static void table_free(pat_table *t)
{
    free(t->words);
    free(t->hash);
    free(t->slot);
}

struct rtm_i_pattab {
    pat_table t;
};

rtm_i_pattab *rtm_i_pattab_new(int nw)
{
    rtm_i_pattab *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->t.nw = nw > 0 ? nw : 1;
    if (table_grow(&p->t) || table_rehash(&p->t, 1024)) {
        rtm_i_pattab_free(p);
        return NULL;
    }
    return p;
}

size_t rtm_i_pattab_add(rtm_i_pattab *p, const uint64_t *w) { return table_find_or_add(&p->t, w); }
size_t rtm_i_pattab_count(const rtm_i_pattab *p) { return p->t.m; }
const uint64_t *rtm_i_pattab_words(const rtm_i_pattab *p) { return p->t.words; }

void rtm_i_pattab_free(rtm_i_pattab *p)
{
    if (!p)
        return;
    table_free(&p->t);
    free(p);
}

static int check_args(const rtm_design *d, const int *cols, int ncols, const int *fold,
                      int nfolds, rtm_error *err)
{
    int rc = check_shape_y(d, err);
    if (rc)
        return rc;
    if (cols) {
        if (ncols < 0)
            return rtm_error_set(err, RTM_ERR_ARG, "design: negative column count (%d)", ncols);
        for (int j = 0; j < ncols; j++) {
            if (cols[j] < 0 || cols[j] >= d->p)
                return rtm_error_set(err, RTM_ERR_ARG,
                                     "design: column index %d out of range [0, %d)", cols[j],
                                     d->p);
            for (int k = 0; k < j; k++)
                if (cols[k] == cols[j])
                    return rtm_error_set(err, RTM_ERR_ARG,
                                         "design: column %d selected twice", cols[j]);
        }
    }
    if (fold) {
        if (nfolds < 1)
            return rtm_error_set(err, RTM_ERR_ARG, "design: nfolds must be >= 1 (got %d)",
                                 nfolds);
        for (size_t i = 0; i < d->n; i++)
            if (fold[i] < 0 || fold[i] >= nfolds)
                return rtm_error_set(err, RTM_ERR_ARG,
                                     "design: fold[%zu] = %d out of range [0, %d)", i, fold[i],
                                     nfolds);
    }
    return 0;
}

double rtm_i_counts_max(const double *y, size_t n)
{
    double ymax = 0;
    for (size_t i = 0; i < n; i++) {
        if (y[i] != floor(y[i]) || !(y[i] >= 0) || y[i] >= 1048576.0)
            return -1;
        if (y[i] > ymax)
            ymax = y[i];
    }
    return ymax;
}

/* Cells in order of (y, index) by a counting sort when every y is a small
 * integer; NULL otherwise (or out of memory). */
size_t *rtm_counts_order(const double *y, size_t n)
{
    double ymax = rtm_i_counts_max(y, n);
    if (ymax < 0)
        return NULL;
    size_t R = (size_t)ymax + 1;
    size_t *cnt = calloc(R + 1, sizeof *cnt), *ord = malloc(n * sizeof *ord);
    if (!cnt || !ord) {
        free(cnt);
        free(ord);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        cnt[(size_t)y[i] + 1]++;
    for (size_t r = 0; r < R; r++)
        cnt[r + 1] += cnt[r];
    for (size_t i = 0; i < n; i++)
        ord[cnt[(size_t)y[i]]++] = i;
    free(cnt);
    return ord;
}

/* Each cell's pattern: the numbers themselves (num), or, for a compact
 * design built without them, the design's row number through map. */
typedef struct {
    const uint32_t *num, *drow, *map;
} cell_pats;

static inline size_t cell_pat(const cell_pats *c, size_t i)
{
    return c->num ? c->num[i] : c->map[c->drow[i]];
}

/* y's exact bits as a hash key, -0 taken as +0 (y + 0.0 is +0 for both:
 * one value for ==, so one pair, whose y is then +0). */
static uint64_t y_bits(double y)
{
    uint64_t b;
    double z = y + 0.0;
    memcpy(&b, &z, sizeof b);
    return b;
}

static int cmp_pair_y(const void *a, const void *b, void *ctx)
{
    const uint64_t *w = ctx;
    double u, v;
    uint64_t x = w[2 * *(const size_t *)a + 1], z = w[2 * *(const size_t *)b + 1];
    memcpy(&u, &x, sizeof u);
    memcpy(&v, &z, sizeof v);
    return (u > v) - (u < v);
}

/* Distinct (pattern, y) pairs, sorted by pattern, then y ascending, each
 * with its number of cells. One pass over the cells finds them in a hash
 * table of the pairs (keys: the pattern and y's bits), so the memory
 * follows the pairs, not the cells (it used to take 16 bytes a cell); the
 * pairs are then put in order by a counting sort on the pattern and a sort
 * of each pattern's few y values. */
static int build_pairs(rtm_patterns *pt, const double *y, const cell_pats *c)
{
    size_t n = pt->n, m = pt->m, q, *start = NULL, *ord = NULL;
    double *mult = NULL;
    size_t mcap = 0;
    pat_table t = {.nw = 2};
    uint64_t w[2];
    int rc = -1;
    if (table_grow(&t) || table_rehash(&t, 1024))
        goto done;
    for (size_t i = 0; i < n; i++) {
        w[0] = cell_pat(c, i);
        w[1] = y_bits(y[i]);
        size_t e = table_find_or_add(&t, w);
        if (e == SIZE_MAX)
            goto done;
        if (mcap < t.cap) { /* the multiplicities follow the table's capacity */
            double *g = realloc(mult, t.cap * sizeof *g);
            if (!g)
                goto done;
            memset(g + mcap, 0, (t.cap - mcap) * sizeof *g);
            mult = g;
            mcap = t.cap;
        }
        mult[e] += 1;
    }
    q = t.m;
    start = calloc(m + 1, sizeof *start);
    ord = malloc((q ? q : 1) * sizeof *ord);
    pt->pair_pat = malloc((q ? q : 1) * sizeof *pt->pair_pat);
    pt->pair_y = malloc((q ? q : 1) * sizeof *pt->pair_y);
    pt->pair_mult = malloc((q ? q : 1) * sizeof *pt->pair_mult);
    if (!start || !ord || !pt->pair_pat || !pt->pair_y || !pt->pair_mult)
        goto done;
    for (size_t e = 0; e < q; e++)
        start[t.words[2 * e] + 1]++;
    for (size_t k = 0; k < m; k++)
        start[k + 1] += start[k];
    for (size_t e = 0; e < q; e++)
        ord[start[t.words[2 * e]]++] = e;
    for (size_t k = m; k > 0; k--) /* start[k] is now the end of pattern k */
        start[k] = start[k - 1];
    start[0] = 0;
    for (size_t k = 0; k < m; k++)
        if (start[k + 1] - start[k] > 1)
            qsort_r(ord + start[k], start[k + 1] - start[k], sizeof *ord, cmp_pair_y, t.words);
    for (size_t r = 0; r < q; r++) {
        size_t e = ord[r];
        pt->pair_pat[r] = (size_t)t.words[2 * e];
        memcpy(&pt->pair_y[r], &t.words[2 * e + 1], sizeof pt->pair_y[r]);
        pt->pair_mult[r] = mult[e];
    }
    pt->q = q;
    rc = 0;
done:
    table_free(&t);
    free(mult);
    free(start);
    free(ord);
    return rc;
}

/* Per-pattern, per-fold counts and sums, plus the unpacked pattern bits. */
static int fill_totals(rtm_patterns *pt, const pat_table *t, const double *y, const int *fold,
                       const cell_pats *c)
{
    size_t m = pt->m, nf = (size_t)pt->nfolds;
    pt->cnt = calloc(m, sizeof *pt->cnt);
    pt->sumy = calloc(m, sizeof *pt->sumy);
    pt->cnt_f = calloc(m * nf, sizeof *pt->cnt_f);
    pt->sumy_f = calloc(m * nf, sizeof *pt->sumy_f);
    pt->ylogy = calloc(m, sizeof *pt->ylogy);
    pt->lgam = calloc(m, sizeof *pt->lgam);
    pt->ylogy_f = calloc(m * nf, sizeof *pt->ylogy_f);
    pt->lgam_f = calloc(m * nf, sizeof *pt->lgam_f);
    pt->x = calloc(m * (size_t)(pt->p ? pt->p : 1), 1);
    if (!pt->cnt || !pt->sumy || !pt->cnt_f || !pt->sumy_f || !pt->x || !pt->ylogy ||
        !pt->lgam || !pt->ylogy_f || !pt->lgam_f)
        return -1;
    for (size_t i = 0; i < pt->n; i++) {
        size_t k = cell_pat(c, i), f = fold ? (size_t)fold[i] : 0;
        pt->cnt_f[k * nf + f] += 1;
        pt->sumy_f[k * nf + f] += y[i];
        if (y[i] > 0) {
            pt->ylogy_f[k * nf + f] += y[i] * log(y[i]);
            int sign; /* lgamma_r: lgamma without the global signgam (reentrant) */
            pt->lgam_f[k * nf + f] += lgamma_r(y[i] + 1, &sign);
        }
    }
    /* totals summed over folds in fold order (fixed-order reduction) */
    for (size_t k = 0; k < m; k++)
        for (size_t f = 0; f < nf; f++) {
            pt->cnt[k] += pt->cnt_f[k * nf + f];
            pt->sumy[k] += pt->sumy_f[k * nf + f];
            pt->ylogy[k] += pt->ylogy_f[k * nf + f];
            pt->lgam[k] += pt->lgam_f[k * nf + f];
        }
    for (size_t k = 0; k < m; k++)
        for (int j = 0; j < pt->p; j++)
            pt->x[k * (size_t)pt->p + (size_t)j] =
                (unsigned char)((t->words[k * (size_t)t->nw + (size_t)(j >> 6)] >> (j & 63)) & 1);
    return 0;
}

/* Column lists of the patterns (CSC) from the unpacked bits. */
static int build_columns(rtm_patterns *pt)
{
    size_t m = pt->m, p = (size_t)pt->p;
    pt->colptr = calloc(p + 1, sizeof *pt->colptr);
    if (!pt->colptr)
        return -1;
    for (size_t k = 0; k < m; k++)
        for (size_t j = 0; j < p; j++)
            pt->colptr[j + 1] += pt->x[k * p + j];
    for (size_t j = 0; j < p; j++)
        pt->colptr[j + 1] += pt->colptr[j];
    size_t *fill = malloc((p ? p : 1) * sizeof *fill);
    pt->colidx = malloc((pt->colptr[p] ? pt->colptr[p] : 1) * sizeof *pt->colidx);
    if (!fill || !pt->colidx) {
        free(fill);
        return -1;
    }
    memcpy(fill, pt->colptr, p * sizeof *fill);
    for (size_t k = 0; k < m; k++)
        for (size_t j = 0; j < p; j++)
            if (pt->x[k * p + j])
                pt->colidx[fill[j]++] = (uint32_t)k;
    free(fill);
    return 0;
}

/* Name the first entry of row i (among the selected columns) that is not 0/1. */
static int bad_row(const rtm_design *d, size_t i, const int *cols, int nc, rtm_error *err)
{
    for (int j = 0; j < nc; j++) {
        int c = cols ? cols[j] : j;
        if (rtm_design_x(d, i, c) > 1)
            return bad_x(d, i * (size_t)d->p + (size_t)c, err);
    }
    return RTM_ERR_INPUT;
}

/* Pattern numbers are 32-bit (4 bytes a cell, not 8). */
static int too_many(rtm_error *err)
{
    return rtm_error_set(err, RTM_ERR_INPUT, "design: more than %lu distinct rows (pattern "
                         "numbers are 32-bit)", (unsigned long)UINT32_MAX);
}

/* Pattern of every row of a design written out in x. */
static int rows_plain(const rtm_design *d, const int *cols, int nc, pat_table *t, uint64_t *w,
                      uint32_t *row_pat, rtm_error *err)
{
    for (size_t i = 0; i < d->n; i++) {
        const unsigned char *row = d->x + i * (size_t)d->p;
        unsigned acc = cols ? pack_cols(row, cols, nc, w, t->nw) : pack_full(row, nc, w, t->nw);
        if (acc > 1) /* some entry is not 0/1: name it */
            return bad_row(d, i, cols, nc, err);
        size_t k = table_find_or_add(t, w);
        if (k == SIZE_MAX)
            return RTM_ERR_NOMEM;
        if (k > UINT32_MAX)
            return too_many(err);
        row_pat[i] = (uint32_t)k;
    }
    return 0;
}

/* The same for a compact design: each distinct row is packed and looked up
 * once, when a row first uses it, so patterns are numbered in the same
 * order of first appearance as from the written-out rows. *mapp receives
 * the pattern of each design row (npat; UINT32_MAX for rows no cell uses);
 * row_pat, when not NULL, each cell's. */
static int rows_compact(const rtm_design *d, const int *cols, int nc, pat_table *t,
                        uint64_t *w, uint32_t *row_pat, uint32_t **mapp, rtm_error *err)
{
    uint32_t *map = malloc((d->npat ? d->npat : 1) * sizeof *map);
    *mapp = map;
    if (!map)
        return RTM_ERR_NOMEM;
    for (size_t k = 0; k < d->npat; k++)
        map[k] = UINT32_MAX;
    for (size_t i = 0; i < d->n; i++) {
        size_t r = d->row_pat[i];
        if (map[r] == UINT32_MAX) {
            const unsigned char *row = d->pat + r * (size_t)d->p;
            unsigned acc = cols ? pack_cols(row, cols, nc, w, t->nw)
                                : pack_full(row, nc, w, t->nw);
            size_t k;
            if (acc > 1)
                return bad_row(d, i, cols, nc, err);
            if ((k = table_find_or_add(t, w)) == SIZE_MAX)
                return RTM_ERR_NOMEM;
            map[r] = (uint32_t)k; /* k < npat <= 2^32 - 1: the design's ids are uint32 */
        }
        if (row_pat)
            row_pat[i] = map[r];
    }
    return 0;
}

/* The patterns, with the cells' pattern numbers when keep_rows (always
 * built for a written-out design, then dropped without keep_rows; never
 * for a compact one without keep_rows: no memory per cell). */
static rtm_patterns *build(const rtm_design *d, const int *cols, int ncols, const int *fold,
                           int nfolds, int keep_rows, rtm_error *err)
{
    if (check_args(d, cols, ncols, fold, nfolds, err))
        return NULL;
    int nc = cols ? ncols : d->p;
    int nw = nc > 0 ? (nc + 63) / 64 : 1;
    rtm_patterns *pt = calloc(1, sizeof *pt);
    pat_table t = {.nw = nw};
    uint64_t *w = malloc((size_t)nw * sizeof *w);
    uint32_t *map = NULL;
    cell_pats c = {NULL, d->row_pat, NULL};
    int rc;
    if (!pt || !w || table_grow(&t) || table_rehash(&t, 1024))
        goto nomem;
    pt->n = d->n;
    pt->p = nc;
    pt->nfolds = fold ? nfolds : 1;
    if ((d->x || keep_rows) && !(pt->row_pat = malloc(d->n * sizeof *pt->row_pat)))
        goto nomem;
    rc = d->x ? rows_plain(d, cols, nc, &t, w, pt->row_pat, err)
              : rows_compact(d, cols, nc, &t, w, pt->row_pat, &map, err);
    if (rc == RTM_ERR_NOMEM)
        goto nomem;
    if (rc)
        goto fail;
    pt->m = t.m;
    c.num = pt->row_pat;
    c.map = map;
    if (fill_totals(pt, &t, d->y, fold, &c) || build_columns(pt) || build_pairs(pt, d->y, &c))
        goto nomem;
    if (!keep_rows) {
        free(pt->row_pat);
        pt->row_pat = NULL;
    }
    table_free(&t);
    free(w);
    free(map);
    return pt;
nomem:
    rtm_error_set(err, RTM_ERR_NOMEM, "design: out of memory compressing %zu rows", d->n);
fail:
    table_free(&t);
    free(w);
    free(map);
    rtm_patterns_free(pt);
    return NULL;
}

rtm_patterns *rtm_patterns_build_cols(const rtm_design *d, const int *cols, int ncols,
                                      const int *fold, int nfolds, rtm_error *err)
{
    return build(d, cols, ncols, fold, nfolds, 1, err);
}

rtm_patterns *rtm_patterns_build(const rtm_design *d, const int *fold, int nfolds,
                                 rtm_error *err)
{
    return build(d, NULL, 0, fold, nfolds, 1, err);
}

rtm_patterns *rtm_patterns_build_sums(const rtm_design *d, const int *fold, int nfolds,
                                      rtm_error *err)
{
    return build(d, NULL, 0, fold, nfolds, 0, err);
}

rtm_patterns *rtm_i_patterns_build_cols_sums(const rtm_design *d, const int *cols, int ncols,
                                             rtm_error *err)
{
    return build(d, cols, ncols, NULL, 0, 0, err);
}

void rtm_patterns_free(rtm_patterns *pt)
{
    if (!pt)
        return;
    free(pt->x);
    free(pt->cnt);
    free(pt->sumy);
    free(pt->cnt_f);
    free(pt->sumy_f);
    free(pt->ylogy);
    free(pt->lgam);
    free(pt->ylogy_f);
    free(pt->lgam_f);
    free(pt->row_pat);
    free(pt->colptr);
    free(pt->colidx);
    free(pt->pair_pat);
    free(pt->pair_y);
    free(pt->pair_mult);
    free(pt);
}

size_t rtm_patterns_count(const rtm_patterns *pt) { return pt->m; }
int rtm_patterns_ncols(const rtm_patterns *pt) { return pt->p; }
int rtm_patterns_nfolds(const rtm_patterns *pt) { return pt->nfolds; }
size_t rtm_patterns_ncells(const rtm_patterns *pt) { return pt->n; }
const unsigned char *rtm_patterns_x(const rtm_patterns *pt) { return pt->x; }
const double *rtm_patterns_n(const rtm_patterns *pt) { return pt->cnt; }
const double *rtm_patterns_sumy(const rtm_patterns *pt) { return pt->sumy; }
const double *rtm_patterns_n_fold(const rtm_patterns *pt) { return pt->cnt_f; }
const double *rtm_patterns_sumy_fold(const rtm_patterns *pt) { return pt->sumy_f; }
const double *rtm_patterns_ylogy(const rtm_patterns *pt) { return pt->ylogy; }
const double *rtm_patterns_lgamma(const rtm_patterns *pt) { return pt->lgam; }
const double *rtm_patterns_ylogy_fold(const rtm_patterns *pt) { return pt->ylogy_f; }
const double *rtm_patterns_lgamma_fold(const rtm_patterns *pt) { return pt->lgam_f; }
const uint32_t *rtm_patterns_row_pattern(const rtm_patterns *pt) { return pt->row_pat; }

size_t rtm_patterns_columns(const rtm_patterns *pt, const size_t **ptr, const uint32_t **idx)
{
    if (ptr)
        *ptr = pt->colptr;
    if (idx)
        *idx = pt->colidx;
    return pt->colptr[pt->p];
}

size_t rtm_patterns_pairs(const rtm_patterns *pt, const size_t **pattern, const double **y,
                          const double **mult)
{
    if (pattern)
        *pattern = pt->pair_pat;
    if (y)
        *y = pt->pair_y;
    if (mult)
        *mult = pt->pair_mult;
    return pt->q;
}
