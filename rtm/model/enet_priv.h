/* enet_priv.h: the elastic-net solver's state, shared by the path
 * (enet.c: IRLS, strong rule, KKT checks, lambdas) and its coordinate
 * descent (enet_cd.c). Internal to the model stage. */
#ifndef RTM_MODEL_ENET_PRIV_H
#define RTM_MODEL_ENET_PRIV_H

#include "rtm/glm.h"

#include <stddef.h>
#include <stdint.h>

/* ---- column-sparse incidence of the patterns ---------------------------- */

/* Borrowed from the patterns (rtm_patterns_columns): never freed here. */
typedef struct {
    const size_t *ptr; /* p+1 */
    const uint32_t *idx; /* patterns with x_kj = 1, column by column */
} rtm_i_enet_inc;

/* The solver's own copy: 32-bit pattern indices (half the memory traffic
 * of the sums over a column, the fit's inner loop) and only the patterns
 * with training cells. The others have v = 0 and r = +0 throughout (IRLS
 * weight and residual of no cell), and adding +0 to a sum that starts at
 * +0 never changes it, so leaving them out changes no result.
 *
 * A column set in more than half of the training patterns is kept as its
 * complement (comp[j] = 1: the training patterns with x_kj = 0): a sum over
 * the column is then the total less the sum over the complement, and a
 * naive update of it moves every pattern through a lazy term (gshift, see
 * r_move in enet_cd.c) and takes the complement back, so it costs the
 * shorter list. On the county benchmark the columns over half full carried a
 * quarter of the work of the coordinate steps. */
typedef struct {
    size_t *ptr;       /* p+1 */
    uint32_t *idx;
    unsigned char *comp; /* p: the list is the column's complement */
} rtm_i_enet_inc32;

/* ---- solver state -------------------------------------------------------- */

typedef struct {
    size_t m;
    int p;
    rtm_i_enet_inc X;                   /* every pattern (deviances at test statistics) */
    rtm_i_enet_inc32 F;                 /* the training patterns (the fit) */
    const double *cn, *cs, *cyl;   /* training n, sum y, sum y log y */
    double N, ybar, dev0half;      /* cells, mean count, null deviance / (2N) */
    double *mj, *sd;               /* column mean and SD (divisor N) */
    unsigned char *ju;             /* usable (non-constant) column */
    double *eta, *mu, *v, *r;      /* per pattern */
    double *eta_old;               /* eta before an IRLS step */
    double b0, *beta, *beta_old;
    double V, R, shift;            /* sum v, sum r, lazy intercept shift */
    double gshift;                 /* lazy step of the complement-kept columns:
                                      r_k = stored r_k - v_k (shift + gshift) */
    double Rs;                     /* sum of the stored r (complement sums) */
    double *V1, *xv, *gstd;        /* per column */
    int *strong, nstrong, *active, nactive;
    unsigned char *in_strong, *in_active;
    long passes, max_passes;
    /* covariance updates, by place in the active list (a = apos[j]) */
    int *apos;                     /* per column: its place in active */
    double *R10, *sh0, *q, *pend;  /* per place: base R1, base shift, sum of
                                      G delta since the base, moves not yet in r */
    unsigned char *gval;           /* per place: its G column summed this IRLS step */
    double *M;                     /* G among the places, mdim x mdim */
    int mdim;
    double *h;                     /* per place: scratch */
    size_t *rptr;                  /* m+1: room of pattern k's row, the strong
                                      lists holding k */
    uint32_t *rlen, *rcol;         /* the places filled in each row, the places */
    int rbuilt;                    /* nstrong when the rows were laid out, or -1 */
    uint32_t *acnt;                /* per pattern: active lists holding it */
    int strong_pass;               /* in a sweep over the strong set */
    int cov;                       /* this IRLS step uses covariance updates */
    rtm_enet_updates updates;      /* the caller's choice */
    long last_passes[2];           /* sweeps of the last IRLS step that was a
                                      lambda's first [1], or a later one [0] */
    int first;                     /* this IRLS step is its lambda's first */
} rtm_i_enet_solver;

/* Sum of a over the training patterns with x_j = 1. Four running sums
 * (q mod 4), joined as (t0 + t1) + (t2 + t3), then the remainder: one sum
 * would wait on each addition in turn (a chain of dependent additions,
 * half of the culling's time on the county benchmark); four proceed side by
 * side. The order is fixed by the column alone, so results do not depend
 * on threads. */
static inline double list_sum(const rtm_i_enet_solver *s, const double *a, int j)
{
    double t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    const uint32_t *idx = s->F.idx;
    size_t q = s->F.ptr[j], q1 = s->F.ptr[j + 1];
    for (; q + 4 <= q1; q += 4) {
        t0 += a[idx[q]];
        t1 += a[idx[q + 1]];
        t2 += a[idx[q + 2]];
        t3 += a[idx[q + 3]];
    }
    t0 = (t0 + t1) + (t2 + t3);
    for (; q < q1; q++)
        t0 += a[idx[q]];
    return t0;
}

/* Sum of a over the training patterns with x_j = 1, given the total of a
 * over all of them (for a complement-kept column). */
static inline double col_sum(const rtm_i_enet_solver *s, const double *a, double total, int j)
{
    double t = list_sum(s, a, j);
    return s->F.comp[j] ? total - t : t;
}

/* Coordinate descent on the current quadratic (enet_cd.c): sweeps over the
 * strong set, then over the active set until converged, until a strong
 * sweep converges. Requires r current and shift 0 (solver_weights).
 * Returns 0, -1 at the pass limit or -2 when out of memory. */
int rtm_i_enet_cd_solve(rtm_i_enet_solver *s, double al1, double al2, double shr);

#endif
