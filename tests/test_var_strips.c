/* test_var_strips.c: the RTM's candidate variables built by strips of grid
 * rows and merged (rtm_variables_build_strip, rtm_varset_from_strips) equal
 * the whole build (rtm_variables_build), byte for byte, for 1 to 9 strips,
 * on simulated factors chosen to catch a merge that is only nearly right:
 * clustered points (density thresholds over every cell), a line, a factor
 * that only reaches the top rows (columns constant in the other strips), a
 * factor out of reach (columns dropped as constant over the grid) and a
 * masked study area. Then the refusals: damaged bytes, strips of other
 * options, a cell numbered beyond its strip's table. Random draws:
 * rtm_test.h's generator, seeded. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtm_test.h"
#include "rtm/model.h"
#include "rtm/model_tiles.h"
#include "rtm/tile.h"

typedef struct world {
    rtm_grid g;
    unsigned char *mask;
    rtm_factor_spec f[5];
    rtm_features *fs[5];
    rtm_var_opts o;
} world;

static void make_world(world *w)
{
    rtm_error e;
    double line[6] = {300, 200, 1500, 1400, 2900, 1600};
    memset(w, 0, sizeof *w);
    rtm_t_rng = 0x2545F4914F6CDD1DULL; /* the same world every time */
    w->g.x0 = 0;
    w->g.y0 = 0;
    w->g.res = 50;
    w->g.ncols = 64;
    w->g.nrows = 47;
    w->mask = malloc(rtm_grid_ncells(&w->g));
    for (int r = 0; r < w->g.nrows; r++)
        for (int c = 0; c < w->g.ncols; c++) /* an ellipse: rows with few study cells */
            w->mask[(size_t)r * (size_t)w->g.ncols + (size_t)c] =
                pow((c - 32) / 31.0, 2) + pow((r - 23) / 23.5, 2) <= 1;
    for (int i = 0; i < 5; i++)
        w->f[i].features = w->fs[i] = rtm_features_create();
    for (int i = 0; i < 150; i++) { /* clustered around two centres */
        int k = i % 2;
        rtm_features_add_point(w->fs[0], (k ? 900 : 2300) + 250 * (rtm_t_urand() - 0.5),
                               (k ? 700 : 1500) + 250 * (rtm_t_urand() - 0.5), &e);
    }
    rtm_features_add_line(w->fs[1], line, 3, &e);
    for (int i = 0; i < 12; i++) /* near the top edge (grid y runs 0..2350) */
        rtm_features_add_point(w->fs[2], 400 + 200 * i, 2330 + 10 * rtm_t_urand(), &e);
    rtm_features_add_point(w->fs[3], 40000, 40000, &e); /* out of reach */
    for (double x = 0; x < 3400; x += 250) /* everywhere: near columns all 1 */
        for (double y = 0; y < 2500; y += 250)
            rtm_features_add_point(w->fs[4], x, y, &e);
    w->f[0].name = "clustered";
    w->f[0].op = RTM_OP_BOTH;
    w->f[1].name = "road";
    w->f[1].op = RTM_OP_PROXIMITY;
    w->f[2].name = "top";
    w->f[2].op = RTM_OP_BOTH;
    w->f[3].name = "far";
    w->f[3].op = RTM_OP_AUTO;
    w->f[4].name = "everywhere";
    w->f[4].op = RTM_OP_PROXIMITY;
    rtm_var_opts_init(&w->o);
    w->o.block = 100;
    w->o.max_blocks = 3;
    w->o.half_block = 1;
    w->o.threads = 2;
}

static void free_world(world *w)
{
    for (int i = 0; i < 5; i++)
        rtm_features_free(w->fs[i]);
    free(w->mask);
}

/* n strips built, sent through bytes (as tiles send them), their cells'
 * numbers laid on a grid of doubles (as the tile files carry them). */
static rtm_varstrip **strips(const world *w, int n, const rtm_var_opts *o,
                             const rtm_varstats *given, int *rows, double *ids)
{
    rtm_varstrip **s = calloc((size_t)n, sizeof *s);
    rtm_error e;
    for (size_t k = 0; k < rtm_grid_ncells(&w->g); k++)
        ids[k] = NAN;
    for (int i = 0; i < n; i++) {
        rtm_tile t;
        rtm_varstrip *b = NULL;
        unsigned char *buf = NULL;
        size_t len = 0, q = 0;
        RTM_CHECK(rtm_tile_plan(&w->g, i, n, &t, &e) == 0);
        rows[i] = t.r0;
        rows[i + 1] = t.r1;
        RTM_CHECK(rtm_variables_build_strip(&w->g, w->mask, w->f, 5, o, t.r0, t.r1, given, &b,
                                            &e) == 0);
        if (!b)
            return s;
        const uint32_t *id = rtm_varstrip_row_pat(b);
        for (size_t k = (size_t)t.r0 * w->g.ncols; k < (size_t)t.r1 * w->g.ncols; k++)
            if (!w->mask || w->mask[k])
                ids[k] = id[q++];
        RTM_CHECK(q == rtm_varstrip_cells(b));
        RTM_CHECK(rtm_varstrip_serialise(b, &buf, &len, &e) == 0);
        s[i] = rtm_varstrip_deserialise(buf, len, &e);
        RTM_CHECK(s[i] != NULL);
        free(buf);
        rtm_varstrip_free(b);
    }
    return s;
}

static void free_strips(rtm_varstrip **s, int n)
{
    for (int i = 0; i < n; i++)
        rtm_varstrip_free(s[i]);
    free(s);
}

/* The same rows' grid cells (an array, or none for every cell in order). */
static int same_cells(const rtm_varset *a, const rtm_varset *b)
{
    for (size_t i = 0; i < a->n; i++)
        if (rtm_varset_cell(a, i) != rtm_varset_cell(b, i))
            return 0;
    return 1;
}

/* a and b are the same candidate set, byte for byte. */
static int same_set(const rtm_varset *a, const rtm_varset *b)
{
    return a->n == b->n && a->p == b->p && a->nfactors == b->nfactors &&
           a->generated == b->generated && a->npat == b->npat && !a->x && !b->x &&
           !a->cell == !b->cell && same_cells(a, b) &&
           !memcmp(a->var, b->var, (size_t)a->p * sizeof *a->var) &&
           !memcmp(a->info, b->info, (size_t)a->nfactors * sizeof *a->info) &&
           !memcmp(a->row_pat, b->row_pat, a->n * sizeof *a->row_pat) &&
           !memcmp(a->pat, b->pat, a->npat * (size_t)a->p);
}

static void test_strips_equal_whole(void)
{
    world w;
    rtm_error e;
    rtm_varset *whole = NULL;
    int rows[10], dropped = 0, topcols = 0, allones = 0;
    double *ids;
    make_world(&w);
    ids = malloc(rtm_grid_ncells(&w.g) * sizeof *ids);
    RTM_CHECK(rtm_variables_build(&w.g, w.mask, 0, w.f, 5, &w.o, &whole, &e) == 0);
    if (!whole)
        return;
    /* the world exercises what it is meant to: a density column, columns
     * dropped as constant, columns of the top factor */
    for (int i = 0; i < 5; i++)
        dropped += whole->info[i].dropped_constant;
    /* "everywhere": its nearest columns are 1 at every cell, its farther not */
    allones = whole->info[4].dropped_constant > 0 &&
              whole->info[4].dropped_constant < whole->info[4].generated;
    for (int j = 0; j < whole->p; j++)
        topcols += whole->var[j].factor == 2;
    RTM_CHECK(dropped >= 9 && topcols >= 3 && allones > 0 && whole->npat > 20);
    for (int n = 1; n <= 9; n += (n < 3 ? 1 : 3)) {
        rtm_varstrip **s = strips(&w, n, &w.o, NULL, rows, ids);
        rtm_varset *merged = NULL;
        RTM_CHECK(rtm_varset_from_strips(&w.g, w.mask, s, rows, n, ids, &merged, &e) == 0);
        RTM_CHECK(merged && same_set(whole, merged));
        /* in some strip the top factor's columns are all 0 (kept all the same) */
        if (n == 9)
            RTM_CHECK(rtm_varstrip_npat(s[8]) < rtm_varstrip_npat(s[0]) ||
                      rtm_varstrip_npat(s[0]) < whole->npat);
        rtm_varset_free(merged);
        free_strips(s, n);
    }
    rtm_varset_free(whole);
    free(ids);
    free_world(&w);
}

/* Without a mask every grid cell is a row, in order: the whole build and
 * the merge keep no cell array (8 bytes a cell) and say the same cells;
 * with one, both keep it. */
static void test_strips_no_mask(void)
{
    world w;
    rtm_error e;
    rtm_varset *whole = NULL, *merged = NULL, *masked = NULL;
    int rows[4];
    double *ids;
    make_world(&w);
    ids = malloc(rtm_grid_ncells(&w.g) * sizeof *ids);
    RTM_CHECK(rtm_variables_build(&w.g, w.mask, 0, w.f, 5, &w.o, &masked, &e) == 0);
    RTM_CHECK(masked && masked->cell && masked->n < rtm_grid_ncells(&w.g));
    free(w.mask);
    w.mask = NULL;
    RTM_CHECK(rtm_variables_build(&w.g, NULL, 0, w.f, 5, &w.o, &whole, &e) == 0);
    rtm_varstrip **s = strips(&w, 3, &w.o, NULL, rows, ids);
    RTM_CHECK(rtm_varset_from_strips(&w.g, NULL, s, rows, 3, ids, &merged, &e) == 0);
    RTM_CHECK(whole && merged && !whole->cell && !merged->cell);
    RTM_CHECK(whole && whole->n == rtm_grid_ncells(&w.g) &&
              rtm_varset_cell(whole, whole->n - 1) == whole->n - 1);
    RTM_CHECK(whole && merged && same_set(whole, merged));
    free_strips(s, 3);
    rtm_varset_free(masked);
    rtm_varset_free(whole);
    rtm_varset_free(merged);
    free(ids);
    free_world(&w);
}

/* Negative controls: each damage is refused, not merged into another model. */
static void test_strips_refused(void)
{
    world w;
    rtm_error e;
    int rows[4], rows2[4];
    double *ids, *ids2;
    rtm_var_opts o2;
    rtm_varset *v = NULL;
    unsigned char *buf = NULL;
    size_t len = 0;
    make_world(&w);
    ids = malloc(rtm_grid_ncells(&w.g) * sizeof *ids);
    ids2 = malloc(rtm_grid_ncells(&w.g) * sizeof *ids2);
    rtm_varstrip **s = strips(&w, 3, &w.o, NULL, rows, ids);
    /* truncated and altered bytes */
    RTM_CHECK(rtm_varstrip_serialise(s[1], &buf, &len, &e) == 0);
    RTM_CHECK(rtm_varstrip_deserialise(buf, len - 8, &e) == NULL && e.code == RTM_ERR_INPUT);
    buf[0] ^= 1;
    RTM_CHECK(rtm_varstrip_deserialise(buf, len, &e) == NULL && e.code == RTM_ERR_INPUT);
    free(buf);
    /* a strip made with another density threshold */
    o2 = w.o;
    o2.density_k = 1.5;
    rtm_varstrip **s2 = strips(&w, 3, &o2, NULL, rows2, ids2);
    rtm_varstrip *mix[3] = {s[0], s2[1], s[2]};
    RTM_CHECK(rtm_varset_from_strips(&w.g, w.mask, mix, rows, 3, ids, &v, &e) ==
              RTM_ERR_INPUT && v == NULL);
    /* a study cell numbered beyond its strip's table, and one not numbered */
    size_t k = 0;
    while (!w.mask[k])
        k++;
    ids[k] = (double)rtm_varstrip_npat(s[0]);
    RTM_CHECK(rtm_varset_from_strips(&w.g, w.mask, s, rows, 3, ids, &v, &e) ==
              RTM_ERR_INPUT && v == NULL);
    ids[k] = NAN;
    RTM_CHECK(rtm_varset_from_strips(&w.g, w.mask, s, rows, 3, ids, &v, &e) ==
              RTM_ERR_INPUT && v == NULL);
    free_strips(s, 3);
    free_strips(s2, 3);
    free(ids);
    free(ids2);
    free_world(&w);
}

/* A tall grid (more rows than a proximity block, RTM_I_PROX_ROWS = 512):
 * the whole build computes its distances in blocks of rows, strips of 550
 * rows in two blocks, strips of 367 in one; every way gives the same set. */
static void test_tall_grid_blocks(void)
{
    world w;
    rtm_error e;
    rtm_varset *whole = NULL;
    int rows[4];
    double *ids;
    make_world(&w);
    w.g.res = 10;
    w.g.ncols = 16;
    w.g.nrows = 1100;
    free(w.mask);
    w.mask = malloc(rtm_grid_ncells(&w.g));
    for (size_t k = 0; k < rtm_grid_ncells(&w.g); k++)
        w.mask[k] = (k * 7919) % 13 != 0; /* a few cells out */
    for (int i = 0; i < 5; i++)
        rtm_features_free(w.fs[i]);
    for (int i = 0; i < 5; i++)
        w.f[i].features = w.fs[i] = rtm_features_create();
    for (int i = 0; i < 5; i++)
        for (int p = 0; p < 40; p++)
            rtm_features_add_point(w.fs[i], 160 * rtm_t_urand(), 11000 * rtm_t_urand(), &e);
    for (int i = 0; i < 5; i++)
        w.f[i].op = RTM_OP_BOTH;
    w.o.block = 20;
    ids = malloc(rtm_grid_ncells(&w.g) * sizeof *ids);
    RTM_CHECK(rtm_variables_build(&w.g, w.mask, 0, w.f, 5, &w.o, &whole, &e) == 0);
    RTM_CHECK(whole && whole->p > 20 && whole->npat > 100);
    for (int n = 2; whole && n <= 3; n++) {
        rtm_varstrip **s = strips(&w, n, &w.o, NULL, rows, ids);
        rtm_varset *merged = NULL;
        RTM_CHECK(rtm_varset_from_strips(&w.g, w.mask, s, rows, n, ids, &merged, &e) == 0);
        RTM_CHECK(merged && same_set(whole, merged));
        rtm_varset_free(merged);
        free_strips(s, n);
    }
    rtm_varset_free(whole);
    free(ids);
    free_world(&w);
}

/* The density statistics of m strips, through bytes, joined. */
static rtm_varstats *joined_stats(const world *w, int m, const rtm_var_opts *o)
{
    rtm_varstats **part = calloc((size_t)m, sizeof *part), *all = NULL;
    rtm_error e;
    for (int i = 0; i < m; i++) {
        rtm_tile t;
        rtm_varstats *b = NULL;
        unsigned char *buf = NULL;
        size_t len = 0;
        RTM_CHECK(rtm_tile_plan(&w->g, i, m, &t, &e) == 0);
        RTM_CHECK(rtm_variables_density_stats(&w->g, w->mask, w->f, 5, o, t.r0, t.r1, &b, &e) ==
                  0);
        RTM_CHECK(b && rtm_varstats_serialise(b, &buf, &len, &e) == 0);
        part[i] = rtm_varstats_deserialise(buf, len, &e);
        RTM_CHECK(part[i] != NULL);
        free(buf);
        rtm_varstats_free(b);
    }
    RTM_CHECK(rtm_varstats_join(part, m, &all, &e) == 0);
    for (int i = 0; i < m; i++)
        rtm_varstats_free(part[i]);
    free(part);
    return all;
}

/* Strips given the density statistics of every row (computed by m strips of
 * their own rows only, joined) merge into the whole build's set, byte for
 * byte, whatever m and the strips: the thresholds are the whole build's. */
static void test_given_stats_equal_whole(void)
{
    world w;
    rtm_error e;
    rtm_varset *whole = NULL;
    int rows[10];
    double *ids;
    make_world(&w);
    ids = malloc(rtm_grid_ncells(&w.g) * sizeof *ids);
    RTM_CHECK(rtm_variables_build(&w.g, w.mask, 0, w.f, 5, &w.o, &whole, &e) == 0);
    for (int m = 1; m <= 7; m += 3) {
        rtm_varstats *st = joined_stats(&w, m, &w.o);
        /* the clustered and top factors' density ladders: 2 x 6 variables */
        RTM_CHECK(st && rtm_varstats_nvar(st) == 12);
        for (int n = 1; st && n <= 9; n += 4) {
            rtm_varstrip **s = strips(&w, n, &w.o, st, rows, ids);
            rtm_varset *merged = NULL;
            RTM_CHECK(rtm_varset_from_strips(&w.g, w.mask, s, rows, n, ids, &merged, &e) == 0);
            RTM_CHECK(whole && merged && same_set(whole, merged));
            rtm_varset_free(merged);
            free_strips(s, n);
        }
        rtm_varstats_free(st);
    }
    rtm_varset_free(whole);
    free(ids);
    free_world(&w);
}

/* Statistics that are not every row's, or another ladder's, are refused. */
static void test_given_stats_refused(void)
{
    world w;
    rtm_error e;
    rtm_varstats *p[3] = {NULL, NULL, NULL}, *all = NULL, *mix[3];
    rtm_var_opts o2;
    rtm_varstrip *b = NULL;
    unsigned char *buf = NULL;
    size_t len = 0;
    make_world(&w);
    RTM_CHECK(rtm_variables_density_stats(&w.g, w.mask, w.f, 5, &w.o, 0, 20, &p[0], &e) == 0);
    RTM_CHECK(rtm_variables_density_stats(&w.g, w.mask, w.f, 5, &w.o, 20, 30, &p[1], &e) == 0);
    RTM_CHECK(rtm_variables_density_stats(&w.g, w.mask, w.f, 5, &w.o, 30, 47, &p[2], &e) == 0);
    RTM_CHECK(rtm_varstats_join(p, 3, &all, &e) == 0);
    /* a strip given only some rows' statistics */
    RTM_CHECK(rtm_variables_build_strip(&w.g, w.mask, w.f, 5, &w.o, 0, 20, p[1], &b, &e) ==
              RTM_ERR_ARG && !b);
    /* rows missing in the middle, given twice, missing at the end */
    rtm_varstats *none = NULL;
    mix[0] = p[0], mix[1] = p[2];
    RTM_CHECK(rtm_varstats_join(mix, 2, &none, &e) == RTM_ERR_INPUT && !none);
    mix[0] = p[0], mix[1] = p[1], mix[2] = p[1];
    RTM_CHECK(rtm_varstats_join(mix, 3, &none, &e) == RTM_ERR_INPUT && !none);
    RTM_CHECK(rtm_varstats_join(p, 2, &none, &e) == RTM_ERR_INPUT && !none);
    /* another ladder: whole blocks make other radii */
    o2 = w.o;
    o2.half_block = 0;
    RTM_CHECK(rtm_variables_build_strip(&w.g, w.mask, w.f, 5, &o2, 0, 20, all, &b, &e) ==
              RTM_ERR_INPUT && !b);
    /* the same rows of another ladder do not join */
    rtm_varstats *q = NULL;
    RTM_CHECK(rtm_variables_density_stats(&w.g, w.mask, w.f, 5, &o2, 20, 30, &q, &e) == 0);
    mix[0] = p[0], mix[1] = q, mix[2] = p[2];
    rtm_varstats *bad = NULL;
    RTM_CHECK(rtm_varstats_join(mix, 3, &bad, &e) == RTM_ERR_INPUT && !bad);
    /* damaged bytes */
    RTM_CHECK(rtm_varstats_serialise(p[1], &buf, &len, &e) == 0);
    RTM_CHECK(rtm_varstats_deserialise(buf, len - 8, &e) == NULL && e.code == RTM_ERR_INPUT);
    buf[3] ^= 1;
    RTM_CHECK(rtm_varstats_deserialise(buf, len, &e) == NULL && e.code == RTM_ERR_INPUT);
    free(buf);
    rtm_varstats_free(q);
    rtm_varstats_free(all);
    for (int i = 0; i < 3; i++)
        rtm_varstats_free(p[i]);
    free_world(&w);
}

/* Hostile statistics bytes: random truncations and byte changes are either
 * refused or read as a consistent set (never read past the buffer: the
 * tests run under AddressSanitizer); every byte of the counts is covered. */
static void test_stats_bytes_fuzzed(void)
{
    world w;
    rtm_error e;
    rtm_varstats *st = NULL;
    unsigned char *buf = NULL, *m;
    size_t len = 0;
    int read_back = 0, refused = 0;
    make_world(&w);
    RTM_CHECK(rtm_variables_density_stats(&w.g, w.mask, w.f, 5, &w.o, 3, 9, &st, &e) == 0);
    RTM_CHECK(st && rtm_varstats_serialise(st, &buf, &len, &e) == 0);
    m = malloc(len ? len : 1);
    for (int t = 0; buf && m && t < 3000; t++) {
        size_t n = len;
        rtm_varstats *r;
        memcpy(m, buf, len);
        if (t % 3 == 0) /* truncated */
            n = (size_t)(rtm_t_urand() * (double)len);
        else /* one to four bytes changed, half of the time among the counts */
            for (int k = 0; k < 1 + t % 4; k++) {
                double span = t % 2 ? 24.0 : (double)len;
                size_t at = (size_t)(rtm_t_urand() * span);
                m[at < len ? at : len - 1] ^= (unsigned char)(1 + rtm_t_urand() * 254);
            }
        unsigned char *copy = malloc(n ? n : 1); /* exactly n bytes: ASan sees any overrun */
        memcpy(copy, m, n);
        r = rtm_varstats_deserialise(copy, n, &e);
        if (r) {
            int r0, r1, nrows;
            rtm_varstats_rows(r, &r0, &r1, &nrows);
            RTM_CHECK(0 <= r0 && r0 < r1 && r1 <= nrows && rtm_varstats_nvar(r) >= 0);
            read_back++;
        } else {
            RTM_CHECK(e.code == RTM_ERR_INPUT || e.code == RTM_ERR_NOMEM);
            refused++;
        }
        rtm_varstats_free(r);
        free(copy);
    }
    /* truncations are always refused; changed values read back */
    RTM_CHECK(refused >= 1000 && read_back > 0);
    free(m);
    free(buf);
    rtm_varstats_free(st);
    free_world(&w);
}

int main(void)
{
    RTM_RUN(test_strips_equal_whole);
    RTM_RUN(test_strips_no_mask);
    RTM_RUN(test_strips_refused);
    RTM_RUN(test_tall_grid_blocks);
    RTM_RUN(test_given_stats_equal_whole);
    RTM_RUN(test_given_stats_refused);
    RTM_RUN(test_stats_bytes_fuzzed);
    return RTM_TEST_END();
}
