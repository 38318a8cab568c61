/* enet_cd.c: coordinate descent on one IRLS step's penalised weighted
 * least squares, for the elastic-net path (enet.c, whose notation this
 * uses).
 *
 * Two ways to have R1_j, the residual sum over column j, at each step:
 *  - naive updates: r is kept current per pattern (a move of column i by
 *    delta changes r_k by -v_k delta on i's patterns) and R1_j is summed
 *    over j's patterns; a sweep reads the patterns of all its columns;
 *  - covariance updates (Friedman, Hastie & Tibshirani 2010, section 2.2,
 *    for each IRLS step's weighted least squares, whose weights v are
 *    fixed): for a column j of the active set (one that has moved on the
 *    path), from a base point where its sum was R1_j(0) and the lazy
 *    intercept shift shift_j,
 *      R1_j = R1_j(0) - V1_j (shift - shift_j) - sum_i G_ji delta_i,
 *      G_ji = sum_k v_k x_kj x_ki,
 *    delta_i the moves of column i since the base. G's entries among the
 *    active columns are summed once per IRLS step, when a column first
 *    moves in it, from that column's patterns and each pattern's list of
 *    active columns (its row); a step on an active column then costs
 *    O(active set) and the sweeps over the active set never read the
 *    patterns. Sweeps over the strong set still sum the inactive columns
 *    over their patterns (with r first brought up to date).
 * G costs about as much as sum_k a_k^2 (a_k = the active columns holding
 * pattern k) against sum_k a_k per naive sweep of the active set, so a
 * step with few sweeps (about ten on the county benchmark) is cheaper
 * naive, and one with many (hundreds on the national benchmark) with
 * covariance updates. By default (RTM_ENET_UPDATES_AUTO) a step starts
 * naive and switches once its sweeps have cost what G would (so it pays at
 * most twice the cheaper way), or starts with covariance updates when the
 * last like step (its lambda's first IRLS step, or a later one) had
 * sweeps costing four times G.
 *
 * Both ways reach the same minimiser and differ only in the rounding of
 * the sums; which is used depends on the data alone, never on threads.
 */
#include "model/enet_priv.h"

#include <stdlib.h>
#include <string.h>

/* Joint intercept step: absorb the residual sum R into the intercept. */
static double intercept_step(rtm_i_enet_solver *s)
{
    if (s->R == 0 || s->V <= 0)
        return 0;
    double d0 = s->R / s->V;
    s->b0 += d0;
    s->shift += d0;
    s->R = 0;
    return s->V * d0 * d0;
}

/* Naive update: column j moved by d; r (and its lazy terms) follow. */
static void r_move(rtm_i_enet_solver *s, int j, double d)
{
    if (s->F.comp[j]) { /* every pattern moves (lazily), the complement back */
        s->gshift += d;
        for (size_t q = s->F.ptr[j], q1 = s->F.ptr[j + 1]; q < q1; q++) {
            size_t k = s->F.idx[q];
            s->r[k] += s->v[k] * d;
        }
        s->Rs += d * (s->V - s->V1[j]);
    } else {
        for (size_t q = s->F.ptr[j], q1 = s->F.ptr[j + 1]; q < q1; q++) {
            size_t k = s->F.idx[q];
            s->r[k] -= s->v[k] * d;
        }
        s->Rs -= d * s->V1[j];
    }
}

/* Residual sum over column j now: from the base (active) or r (only in a
 * strong sweep, where r is current). */
static double col_residual(const rtm_i_enet_solver *s, int j)
{
    if (s->cov && s->in_active[j]) {
        int a = s->apos[j];
        return s->R10[a] - (s->shift - s->sh0[a]) * s->V1[j] - s->q[a];
    }
    return col_sum(s, s->r, s->Rs, j) - (s->shift + s->gshift) * s->V1[j];
}

/* Put place a (column j) in the rows of its list's patterns. */
static void row_add(rtm_i_enet_solver *s, int a)
{
    int j = s->active[a];
    for (size_t t = s->F.ptr[j], t1 = s->F.ptr[j + 1]; t < t1; t++) {
        size_t k = s->F.idx[t];
        s->rcol[s->rptr[k] + s->rlen[k]++] = (uint32_t)a;
    }
}

/* Lay the rows out for the strong set (each pattern has room for the
 * strong lists holding it) and put the active places in. */
static int rows_build(rtm_i_enet_solver *s)
{
    if (s->rbuilt == s->nstrong)
        return 0;
    size_t m = s->m;
    memset(s->rptr, 0, (m + 1) * sizeof *s->rptr);
    for (int t = 0; t < s->nstrong; t++) {
        int j = s->strong[t];
        for (size_t u = s->F.ptr[j], u1 = s->F.ptr[j + 1]; u < u1; u++)
            s->rptr[s->F.idx[u] + 1]++;
    }
    for (size_t k = 0; k < m; k++)
        s->rptr[k + 1] += s->rptr[k];
    free(s->rcol);
    s->rcol = malloc((s->rptr[m] ? s->rptr[m] : 1) * sizeof *s->rcol);
    if (!s->rcol)
        return -1;
    memset(s->rlen, 0, (m ? m : 1) * sizeof *s->rlen);
    for (int a = 0; a < s->nactive; a++)
        row_add(s, a);
    s->rbuilt = s->nstrong;
    return 0;
}

/* Room in M for one more place. */
static int m_grow(rtm_i_enet_solver *s)
{
    if (s->nactive < s->mdim)
        return 0;
    int nd = s->mdim ? 2 * s->mdim : 32;
    if (nd > s->p)
        nd = s->p;
    double *n = malloc((size_t)nd * (size_t)nd * sizeof *n);
    if (!n)
        return -1;
    for (int a = 0; a < s->nactive; a++)
        memcpy(n + (size_t)a * (size_t)nd, s->M + (size_t)a * (size_t)s->mdim,
               (size_t)s->nactive * sizeof *n);
    free(s->M);
    s->M = n;
    s->mdim = nd;
    return 0;
}

/* G's column of place a at this IRLS step's weights, into M (both M[.][a]
 * and M[a][.], G being symmetric): H_ba = sum of v over the patterns in
 * both lists, from a's list and each pattern's places. A list holds the
 * column or its complement (f = 1 - x); with Vf the list sums of v,
 *   x x: H,   x f: Vf_a - H (b a complement),   f x: Vf_b - H,
 *   f f: V - Vf_a - Vf_b + H. */
static void g_column(rtm_i_enet_solver *s, int a)
{
    int na = s->nactive, j = s->active[a], D = s->mdim;
    double *h = s->h;
    memset(h, 0, (size_t)na * sizeof *h);
    for (size_t t = s->F.ptr[j], t1 = s->F.ptr[j + 1]; t < t1; t++) {
        size_t k = s->F.idx[t];
        double vk = s->v[k];
        const uint32_t *rc = s->rcol + s->rptr[k];
        for (uint32_t u = 0, n = s->rlen[k]; u < n; u++)
            h[rc[u]] += vk;
    }
    int ca = s->F.comp[j];
    double vfa = ca ? s->V - s->V1[j] : s->V1[j];
    for (int b = 0; b < na; b++) {
        int jb = s->active[b], cb = s->F.comp[jb];
        double g = h[b];
        if (ca || cb) {
            double vfb = cb ? s->V - s->V1[jb] : s->V1[jb];
            g = !cb ? vfb - g : (!ca ? vfa - g : s->V - vfa - vfb + g);
        }
        s->M[(size_t)b * (size_t)D + (size_t)a] = g;
        s->M[(size_t)a * (size_t)D + (size_t)b] = g;
    }
    s->gval[a] = 1;
}

/* Column j joins the active set at residual sum R1 (now). */
static int activate(rtm_i_enet_solver *s, int j, double R1)
{
    if (m_grow(s))
        return -1;
    int a = s->nactive++;
    s->in_active[j] = 1;
    s->active[a] = j;
    s->apos[j] = a;
    s->R10[a] = R1;
    s->sh0[a] = s->shift;
    s->q[a] = 0;
    s->pend[a] = 0;
    s->gval[a] = 0;
    for (size_t t = s->F.ptr[j], t1 = s->F.ptr[j + 1]; t < t1; t++)
        s->acnt[s->F.idx[t]]++;
    if (s->rbuilt == s->nstrong)
        row_add(s, a);
    return 0;
}

/* One coordinate step on column j; returns glmnet's convergence measure,
 * or -1 when out of memory. */
static double coord_step(rtm_i_enet_solver *s, int j, double al1, double al2)
{
    double V1 = s->V1[j], V = s->V;
    if (V1 <= 0 || V1 >= V)
        return 0;
    double R1 = col_residual(s, j);
    double g = R1 - V1 * s->R / V, h = V1 * (1 - V1 / V);
    double sd = s->sd[j], bj = s->beta[j];
    double u = h * bj + g - al1 * sd, den = h + al2 * sd * sd;
    double nb = (u > 0 && den > 0) ? u / den : 0;
    if (nb == bj)
        return 0;
    if (!s->in_active[j] && activate(s, j, R1))
        return -1;
    int a = s->apos[j];
    if (s->cov && !s->gval[a])
        g_column(s, a);
    double d = nb - bj, d0 = (s->R - V1 * d) / V;
    s->beta[j] = nb;
    s->b0 += d0;
    s->shift += d0;
    s->R = 0; /* R - V1 d - V d0 */
    /* eta is brought up to date once after the sweeps (apply_steps) */
    if (!s->cov) {
        r_move(s, j, d);
    } else {
        const double *Ma = s->M + (size_t)a * (size_t)s->mdim; /* = column a */
        for (int b = 0, na = s->nactive; b < na; b++)
            s->q[b] += Ma[b] * d;
        if (s->strong_pass)
            r_move(s, j, d);
        else
            s->pend[a] += d;
    }
    double x = s->xv[j] * sd * sd * d * d, y = V * d0 * d0;
    return x > y ? x : y;
}

/* One pass over a list of columns (plus the intercept); -1 when out of
 * memory. With covariance updates, a strong sweep first brings r up to date
 * with the moves of the active sweeps before it, for the sums of the
 * inactive columns. */
static double cd_pass(rtm_i_enet_solver *s, const int *cols, int ncols, double al1, double al2)
{
    s->strong_pass = cols == s->strong;
    if (s->cov && s->strong_pass)
        for (int a = 0; a < s->nactive; a++)
            if (s->pend[a] != 0) {
                r_move(s, s->active[a], s->pend[a]);
                s->pend[a] = 0;
            }
    double dlx = intercept_step(s);
    for (int q = 0; q < ncols; q++) {
        double c = coord_step(s, cols[q], al1, al2);
        if (c < 0)
            return -1;
        if (c > dlx)
            dlx = c;
    }
    s->passes++;
    return dlx;
}

/* Covariance updates from now on: each active column's base is its
 * residual sum now (r is current: no covariance update has run). */
static int cov_begin(rtm_i_enet_solver *s)
{
    if (rows_build(s))
        return -1;
    for (int a = 0; a < s->nactive; a++) {
        s->R10[a] = col_residual(s, s->active[a]);
        s->sh0[a] = s->shift;
        s->q[a] = 0;
        s->pend[a] = 0;
        s->gval[a] = 0;
    }
    s->cov = 1;
    return 0;
}

/* See enet_priv.h. */
int rtm_i_enet_cd_solve(rtm_i_enet_solver *s, double al1, double al2, double shr)
{
    for (int q = 0; q < s->nstrong; q++) {
        int j = s->strong[q];
        s->V1[j] = col_sum(s, s->v, s->V, j);
        /* glmnet's v(j) = sum v (x - m_j)^2 / s_j^2 */
        s->xv[j] = (s->V1[j] * (1 - 2 * s->mj[j]) + s->mj[j] * s->mj[j] * s->V) /
                   (s->sd[j] * s->sd[j]);
    }
    /* Covariance updates once the step's sweeps, each reading the active
     * lists (n1, the sum of acnt), have cost what summing G would (each
     * active list read with its patterns' rows: n2, the sum of acnt^2);
     * from the start when the last like step's sweeps (a lambda's first
     * IRLS step, which has the most, or a later one) cost four times that. */
    double n1 = 0, n2 = 0;
    for (size_t k = 0; k < s->m; k++)
        n1 += s->acnt[k], n2 += (double)s->acnt[k] * s->acnt[k];
    long passes0 = s->passes;
    int automatic = s->updates == RTM_ENET_UPDATES_AUTO;
    s->cov = 0;
    if ((s->updates == RTM_ENET_UPDATES_COVARIANCE ||
         (automatic && (double)s->last_passes[s->first] * n1 > 4 * n2)) &&
        cov_begin(s))
        return -2;
    for (;;) {
        double c = cd_pass(s, s->strong, s->nstrong, al1, al2);
        if (c < 0)
            return -2;
        if (c < shr)
            break;
        for (;;) {
            if (s->passes > s->max_passes)
                return -1;
            c = cd_pass(s, s->active, s->nactive, al1, al2);
            if (c < 0)
                return -2;
            if (c < shr)
                break;
            if (automatic && !s->cov && (double)(s->passes - passes0) * n1 > n2 && cov_begin(s))
                return -2;
        }
        if (s->passes > s->max_passes)
            return -1;
    }
    s->last_passes[s->first] = s->passes - passes0;
    return 0;
}

