/* ptable.c: pattern tables built by tiles of rows and merged (see
 * rtm/model_tiles.h). Patterns are found with the design's hash table
 * (insertion order = order of first appearance); the tallies are integers
 * (cells, sum of counts, and (pattern, y, multiplicity) triples, made
 * canonical - sorted, duplicates summed - whenever they are read), so a
 * merge in tile order is exact. */
#include "rtm/model_tiles.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/grow.h"
#include "model/glm_internal.h"

#define PTABLE_MAGIC "RTMPTAB1"

typedef struct triple {
    uint64_t k, y, mult;
} triple;

struct rtm_ptable {
    int p, nw;
    rtm_i_pattab *tab;       /* the patterns, in order of first appearance */
    uint64_t *cells, *sumy;  /* per pattern */
    size_t cap;              /* of cells, sumy */
    triple *tri;             /* (pattern, y, multiplicity) */
    size_t ntri, captri;
    int canonical;           /* tri sorted by (k, y), no duplicates */
};

static rtm_ptable *table_new(int p)
{
    rtm_ptable *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->p = p;
    t->nw = p > 0 ? (p + 63) / 64 : 1;
    t->canonical = 1;
    if (!(t->tab = rtm_i_pattab_new(t->nw))) {
        free(t);
        return NULL;
    }
    return t;
}

void rtm_ptable_free(rtm_ptable *t)
{
    if (!t)
        return;
    rtm_i_pattab_free(t->tab);
    free(t->cells);
    free(t->sumy);
    free(t->tri);
    free(t);
}

/* Pattern id of w (new ones get zero tallies); SIZE_MAX when out of memory. */
static size_t add_pattern(rtm_ptable *t, const uint64_t *w)
{
    size_t m0 = rtm_i_pattab_count(t->tab), k = rtm_i_pattab_add(t->tab, w);
    size_t m = rtm_i_pattab_count(t->tab);
    if (k == SIZE_MAX)
        return SIZE_MAX;
    if (m > t->cap) { /* cells and sumy grow together: one capacity */
        size_t c1 = t->cap, c2 = t->cap;
        if (rtm_grow(&t->cells, &c1, m, sizeof *t->cells, 256) ||
            rtm_grow(&t->sumy, &c2, m, sizeof *t->sumy, 256))
            return SIZE_MAX;
        t->cap = c1;
    }
    if (m > m0) /* new */
        t->cells[k] = t->sumy[k] = 0;
    return k;
}

static int add_triple(rtm_ptable *t, uint64_t k, uint64_t y, uint64_t mult)
{
    if (rtm_grow(&t->tri, &t->captri, t->ntri + 1, sizeof *t->tri, 256))
        return -1;
    t->tri[t->ntri++] = (triple){k, y, mult};
    t->canonical = 0;
    return 0;
}

static int cmp_triple(const void *a, const void *b)
{
    const triple *u = a, *v = b;
    if (u->k != v->k)
        return u->k < v->k ? -1 : 1;
    return (u->y > v->y) - (u->y < v->y);
}

/* Sort the triples by (pattern, y) and sum the multiplicities of equals. */
static void canonical(rtm_ptable *t)
{
    size_t o = 0;
    if (t->canonical)
        return;
    qsort(t->tri, t->ntri, sizeof *t->tri, cmp_triple);
    for (size_t e = 0; e < t->ntri; e++) {
        if (o > 0 && t->tri[o - 1].k == t->tri[e].k && t->tri[o - 1].y == t->tri[e].y)
            t->tri[o - 1].mult += t->tri[e].mult;
        else
            t->tri[o++] = t->tri[e];
    }
    t->ntri = o;
    t->canonical = 1;
}

/* Row i of v packed into w. */
static void pack_row(const rtm_varset *v, size_t i, uint64_t *w, int nw)
{
    memset(w, 0, (size_t)nw * sizeof *w);
    for (int j = 0; j < v->p; j++)
        if (rtm_varset_value(v, i, j))
            w[j >> 6] |= (uint64_t)1 << (j & 63);
}

/* One row: its pattern's tallies (the (pattern, y) triples are gathered per
 * row and made canonical later). */
static int add_row(rtm_ptable *t, const rtm_varset *v, size_t i, double y, size_t *map,
                   uint64_t *w)
{
    size_t r = v->x ? SIZE_MAX : v->row_pat[i], k = r != SIZE_MAX ? map[r] : SIZE_MAX;
    if (k == SIZE_MAX) {
        pack_row(v, i, w, t->nw);
        if ((k = add_pattern(t, w)) == SIZE_MAX)
            return RTM_ERR_NOMEM;
        if (r != SIZE_MAX)
            map[r] = k;
    }
    t->cells[k]++;
    t->sumy[k] += (uint64_t)y;
    return add_triple(t, k, (uint64_t)y, 1) ? RTM_ERR_NOMEM : 0;
}

rtm_ptable *rtm_ptable_build(const rtm_varset *v, size_t r0, size_t r1, const double *y,
                             rtm_error *err)
{
    if (!v || !y || r0 > r1 || r1 > v->n)
        return rtm_error_set(err, RTM_ERR_ARG, "ptable: rows %zu..%zu of %zu", r0, r1,
                             v ? v->n : 0), NULL;
    for (size_t i = r0; i < r1; i++)
        if (!(y[i] >= 0 && y[i] < 9007199254740992.0 && y[i] == floor(y[i])))
            return rtm_error_set(err, RTM_ERR_INPUT, "ptable: count %g at row %zu is not a "
                                 "whole number >= 0", y[i], i), NULL;
    rtm_ptable *t = table_new(v->p);
    size_t *map = malloc((v->x ? 1 : (v->npat ? v->npat : 1)) * sizeof *map);
    uint64_t *w = t ? malloc((size_t)t->nw * sizeof *w) : NULL;
    int rc = !t || !map || !w ? RTM_ERR_NOMEM : 0;
    for (size_t k = 0; !rc && !v->x && k < v->npat; k++)
        map[k] = SIZE_MAX;
    for (size_t i = r0; i < r1 && !rc; i++)
        rc = add_row(t, v, i, y[i], map, w);
    free(map);
    free(w);
    if (rc) {
        rtm_ptable_free(t);
        return rtm_error_set(err, RTM_ERR_NOMEM, "ptable: out of memory"), NULL;
    }
    canonical(t);
    return t;
}

int rtm_ptable_merge(rtm_ptable *dst, const rtm_ptable *src, rtm_error *err)
{
    size_t m = rtm_i_pattab_count(src->tab), *map;
    const uint64_t *w = rtm_i_pattab_words(src->tab);
    if (dst->p != src->p)
        return rtm_error_set(err, RTM_ERR_ARG, "ptable: merging %d columns into %d", src->p,
                             dst->p);
    if (!(map = malloc((m ? m : 1) * sizeof *map)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "ptable: out of memory");
    for (size_t k = 0; k < m; k++) {
        if ((map[k] = add_pattern(dst, w + k * (size_t)src->nw)) == SIZE_MAX) {
            free(map);
            return rtm_error_set(err, RTM_ERR_NOMEM, "ptable: out of memory");
        }
        w = rtm_i_pattab_words(src->tab); /* (src's table does not move; dst's may) */
        dst->cells[map[k]] += src->cells[k];
        dst->sumy[map[k]] += src->sumy[k];
    }
    for (size_t e = 0; e < src->ntri; e++)
        if (add_triple(dst, map[src->tri[e].k], src->tri[e].y, src->tri[e].mult)) {
            free(map);
            return rtm_error_set(err, RTM_ERR_NOMEM, "ptable: out of memory");
        }
    free(map);
    canonical(dst);
    return 0;
}

size_t rtm_ptable_count(const rtm_ptable *t) { return rtm_i_pattab_count(t->tab); }
int rtm_ptable_ncols(const rtm_ptable *t) { return t->p; }
uint64_t rtm_ptable_cells(const rtm_ptable *t, size_t k) { return t->cells[k]; }
uint64_t rtm_ptable_sumy(const rtm_ptable *t, size_t k) { return t->sumy[k]; }

uint64_t rtm_ptable_ncells(const rtm_ptable *t)
{
    uint64_t n = 0;
    for (size_t k = 0; k < rtm_ptable_count(t); k++)
        n += t->cells[k];
    return n;
}

int rtm_ptable_bit(const rtm_ptable *t, size_t k, int j)
{
    return (int)(rtm_i_pattab_words(t->tab)[k * (size_t)t->nw + (size_t)(j >> 6)] >> (j & 63) & 1);
}

double rtm_ptable_ylogy(const rtm_ptable *t, size_t k)
{
    /* tables are canonical after every build, merge and read: the triples
     * of pattern k are a sorted run, found by bisection */
    size_t lo = 0, hi = t->ntri;
    double s = 0;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->tri[mid].k < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < t->ntri && t->tri[lo].k == k; lo++)
        if (t->tri[lo].y > 0)
            s += (double)t->tri[lo].mult * ((double)t->tri[lo].y * log((double)t->tri[lo].y));
    return s;
}

/* ---- bytes ---------------------------------------------------------------- */

typedef struct ptable_head {
    char magic[8];
    uint64_t m, ntri;
    int32_t p, nw;
} ptable_head;

int rtm_ptable_serialise(const rtm_ptable *t, unsigned char **buf, size_t *len, rtm_error *err)
{
    size_t m = rtm_ptable_count(t), nw = (size_t)t->nw;
    ptable_head h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, PTABLE_MAGIC, 8);
    h.m = m;
    h.ntri = t->ntri;
    h.p = t->p;
    h.nw = t->nw;
    *len = sizeof h + (m * nw + 2 * m) * sizeof(uint64_t) + t->ntri * sizeof *t->tri;
    unsigned char *b = *buf = malloc(*len);
    if (!b)
        return rtm_error_set(err, RTM_ERR_NOMEM, "ptable: out of memory");
    memcpy(b, &h, sizeof h);
    b += sizeof h;
    memcpy(b, rtm_i_pattab_words(t->tab), m * nw * sizeof(uint64_t));
    b += m * nw * sizeof(uint64_t);
    memcpy(b, t->cells, m * sizeof(uint64_t));
    b += m * sizeof(uint64_t);
    memcpy(b, t->sumy, m * sizeof(uint64_t));
    b += m * sizeof(uint64_t);
    memcpy(b, t->tri, t->ntri * sizeof *t->tri);
    return 0;
}

/* The tallies of a read table, checked against each other. */
static int read_tallies(rtm_ptable *t, const unsigned char *b, const ptable_head *h)
{
    size_t m = h->m;
    for (size_t k = 0; k < m; k++) {
        uint64_t c, s;
        memcpy(&c, b + k * sizeof c, sizeof c);
        memcpy(&s, b + (m + k) * sizeof s, sizeof s);
        t->cells[k] = c;
        t->sumy[k] = s;
    }
    b += 2 * m * sizeof(uint64_t);
    for (size_t e = 0; e < h->ntri; e++) {
        triple x;
        memcpy(&x, b + e * sizeof x, sizeof x);
        if (x.k >= m || (e > 0 && cmp_triple(&t->tri[e - 1], &x) >= 0) || add_triple(t, x.k, x.y, x.mult))
            return -1;
    }
    t->canonical = 1;
    return 0;
}

rtm_ptable *rtm_ptable_deserialise(const unsigned char *buf, size_t len, rtm_error *err)
{
    ptable_head h;
    rtm_ptable *t = NULL;
    if (!buf || len < sizeof h)
        goto bad;
    memcpy(&h, buf, sizeof h);
    if (memcmp(h.magic, PTABLE_MAGIC, 8) || h.p < 0 || h.nw != (h.p > 0 ? (h.p + 63) / 64 : 1) ||
        h.m > len || h.ntri > len ||
        len != sizeof h + (h.m * (size_t)h.nw + 2 * h.m) * sizeof(uint64_t) +
                   h.ntri * sizeof(triple) ||
        !(t = table_new(h.p)))
        goto bad;
    const unsigned char *w = buf + sizeof h;
    uint64_t *row = malloc((size_t)h.nw * sizeof *row);
    for (size_t k = 0; row && k < h.m; k++) {
        memcpy(row, w + k * (size_t)h.nw * sizeof *row, (size_t)h.nw * sizeof *row);
        if (add_pattern(t, row) != k) { /* a repeated pattern: not a table */
            free(row);
            goto bad;
        }
    }
    if (!row || read_tallies(t, w + h.m * (size_t)h.nw * sizeof(uint64_t), &h)) {
        free(row);
        goto bad;
    }
    free(row);
    return t;
bad:
    rtm_ptable_free(t);
    rtm_error_set(err, RTM_ERR_IO, "ptable: not a serialised pattern table");
    return NULL;
}
