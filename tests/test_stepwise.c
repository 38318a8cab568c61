/* test_stepwise.c: stepwise BIC selection against known generating models and
 * an exhaustive all-subsets search under the same entry rules. */
#include <omp.h>

#include "rtm/glm.h"
#include "rtm_test.h"

/* ---- synthetic designs (splitmix64; Poisson by inversion; a lognormal
 * multiplier exp(s z - s^2/2), mean 1, makes the counts overdispersed) ---- */


/* Uniform in (0, 1): the top 53 bits, centred (never 0, for log). */
static double unif(void)
{
    return ((double)(rtm_t_next() >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
    return sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif());
}

static double poisson(double lam)
{
    double u = unif(), p = exp(-lam), c = p;
    int k = 0;
    while (u > c && k < 1000) {
        k++;
        p *= lam / k;
        c += p;
    }
    return k;
}

#define MAXP 8
typedef struct {
    size_t n;
    int p;
    unsigned char x[6000 * MAXP];
    double y[6000];
} syn;

/* Columns with the given prevalences (column `nest[j]` >= 0: column j is 1
 * wherever column nest[j] is, like a longer proximity distance), counts with
 * mean exp(b0 + sum beta_j x_j) times the overdispersion multiplier. */
static void make(syn *s, size_t n, int p, const double *prev, const int *nest, double b0,
                 const double *beta, double disp, unsigned long long seed)
{
    rtm_t_rng = seed;
    s->n = n;
    s->p = p;
    for (size_t i = 0; i < n; i++) {
        double eta = b0;
        for (int j = 0; j < p; j++) {
            unsigned char v = unif() < prev[j];
            if (nest && nest[j] >= 0 && s->x[i * p + nest[j]])
                v = 1;
            s->x[i * p + j] = v;
            eta += beta[j] * v;
        }
        double mult = disp > 0 ? exp(disp * normal() - disp * disp / 2) : 1;
        s->y[i] = poisson(exp(eta) * mult);
    }
}

static rtm_design view(const syn *s)
{
    return (rtm_design){.n = s->n, .p = s->p, .x = s->x, .y = s->y};
}

static int has_col(const rtm_stepwise_result *r, int c)
{
    for (int j = 0; j < r->k; j++)
        if (r->cols[j] == c)
            return 1;
    return 0;
}

static syn S;  /* large: static storage */

/* ---- known model recovered ---- */

static void test_recovers_true_model(void)
{
    double prev[8] = {0.2, 0.15, 0.25, 0.2, 0.3, 0.2, 0.1, 0.1};
    int nest[8] = {-1, 0, -1, 2, -1, 4, -1, 6};
    double beta[8] = {1.0, 0, 0, 0.8, 0, 0, 1.2, 0};
    int fac[8] = {0, 0, 1, 1, 2, 2, 3, 3}, cand[8] = {7, 6, 5, 4, 3, 2, 1, 0};
    for (int od = 0; od < 2; od++) {
        make(&S, 5000, 8, prev, nest, -1.5, beta, od ? 0.6 : 0.0, 99 + od);
        rtm_design d = view(&S);
        rtm_stepwise_result r;
        rtm_error e;
        int rc = rtm_stepwise(&d, cand, 8, fac, NULL, &r, &e);
        RTM_CHECK(rc == 0);
        if (rc) {
            fprintf(stderr, "  %s\n", e.msg);
            continue;
        }
        RTM_CHECK(r.k == 3 && has_col(&r, 0) && has_col(&r, 3) && has_col(&r, 6));
        RTM_CHECK(r.cols[0] < r.cols[1] && r.cols[1] < r.cols[2]);
        RTM_CHECK(r.family == (od ? RTM_FAMILY_NBII : RTM_FAMILY_POISSON));
        if (od) {
            RTM_CHECK(r.bic_nb < r.bic_poisson);
        } else {
            RTM_CHECK(isnan(r.bic_nb) || r.bic_poisson <= r.bic_nb);
            RTM_CHECK(!isnan(r.bic_nb) || strstr(r.nb_msg, "overdispersion") != NULL);
        }
        RTM_CHECK_NEAR(r.fit.bic, r.family == RTM_FAMILY_POISSON ? r.bic_poisson : r.bic_nb,
                       0);
        /* effects within 4 SE of the truth */
        for (int j = 0; j < r.k; j++)
            RTM_CHECK(fabs(r.fit.beta[j] - beta[r.cols[j]]) < 4 * r.fit.se[j]);
        RTM_CHECK(r.nlog >= 2 && r.log[0].action == RTM_STEP_START);
        rtm_stepwise_free(&r);
    }
}

/* ---- exhaustive search ---- */

/* BIC of every subset (mask over the 6 columns) that satisfies the rules
 * (one per factor, all coefficients > 0 with p <= 0.05); INFINITY otherwise. */
static void all_subsets(const rtm_design *d, const int *fac, rtm_family fam, double *bic)
{
    for (int mask = 0; mask < 64; mask++) {
        int cols[6], k = 0, ok = 1;
        for (int j = 0; j < 6; j++)
            if (mask >> j & 1) {
                for (int i = 0; i < k; i++)
                    if (fac[cols[i]] == fac[j])
                        ok = 0;
                cols[k++] = j;
            }
        bic[mask] = INFINITY;
        rtm_glm_fit f;
        rtm_error e;
        if (!ok || rtm_glm_fit_cols(d, cols, k, fam, NULL, &f, &e))
            continue;
        for (int j = 0; j < k; j++)
            if (!(f.beta[j] > 0 && f.p[j] <= 0.05))
                ok = 0;
        if (ok)
            bic[mask] = f.bic;
        rtm_glm_fit_free(&f);
    }
}

static void check_against_subsets(rtm_family fam, double disp)
{
    double prev[6] = {0.2, 0.3, 0.25, 0.2, 0.3, 0.15};
    int nest[6] = {-1, 0, -1, -1, -1, -1};
    double beta[6] = {0.9, 0.2, 0.6, -0.5, 0.15, 1.0};
    int fac[6] = {0, 0, 1, 1, 2, 3}, cand[6] = {0, 1, 2, 3, 4, 5};
    double bic[64];
    make(&S, 3000, 6, prev, nest, -1.0, beta, disp, 4242);
    rtm_design d = view(&S);
    all_subsets(&d, fac, fam, bic);
    rtm_stepwise_opts o;
    rtm_stepwise_opts_init(&o);
    o.try_poisson = fam == RTM_FAMILY_POISSON;
    o.try_nb = !o.try_poisson;
    o.nb_family = fam == RTM_FAMILY_NB2 ? RTM_FAMILY_NB2 : RTM_FAMILY_NBII;
    rtm_stepwise_result r;
    rtm_error e;
    int rc = rtm_stepwise(&d, cand, 6, fac, &o, &r, &e);
    RTM_CHECK(rc == 0);
    if (rc) {
        fprintf(stderr, "  %s\n", e.msg);
        return;
    }
    /* every logged model is admissible, its BIC is the exhaustive one, and
     * each step lowers the BIC */
    int mask = 0;
    for (int s = 0; s < r.nlog; s++) {
        const rtm_step_entry *l = &r.log[s];
        RTM_CHECK(l->family == fam);
        if (l->action != RTM_STEP_START)
            mask ^= 1 << l->col;
        RTM_CHECK_REL(l->bic, bic[mask], 1e-10, 1);
        if (s > 0)
            RTM_CHECK(l->bic < r.log[s - 1].bic);
    }
    /* the final model is the admissible minimum over all 64 subsets */
    int best = 0;
    for (int m2 = 1; m2 < 64; m2++)
        if (bic[m2] < bic[best])
            best = m2;
    int fmask = 0;
    for (int j = 0; j < r.k; j++)
        fmask |= 1 << r.cols[j];
    RTM_CHECK(fmask == mask);
    RTM_CHECK(fmask == best);
    if (getenv("STEP_DEBUG"))
        fprintf(stderr, "%s: final mask %d, %d steps, bic %.6f\n", rtm_family_name(fam), fmask, r.nlog, r.fit.bic);
    RTM_CHECK_REL(r.fit.bic, bic[best], 1e-10, 1);
    RTM_CHECK(!(fmask & (1 << 3)));  /* the negative column */
    rtm_stepwise_free(&r);
}

static void test_bic_vs_all_subsets(void)
{
    check_against_subsets(RTM_FAMILY_POISSON, 0.0);
    check_against_subsets(RTM_FAMILY_NBII, 0.5);
    check_against_subsets(RTM_FAMILY_NB2, 0.5);
}

/* ---- entry rules, each with the rule switched off as the control ---- */

static void run(const rtm_stepwise_opts *o, const int *fac, int p, rtm_stepwise_result *r)
{
    int cand[MAXP];
    rtm_error e;
    rtm_design d = view(&S);
    for (int j = 0; j < p; j++)
        cand[j] = j;
    int rc = rtm_stepwise(&d, cand, p, fac, o, r, &e);
    RTM_CHECK(rc == 0);
    if (rc) {
        fprintf(stderr, "  %s\n", e.msg);
        memset(r, 0, sizeof *r);
    }
}

static int ever_added(const rtm_stepwise_result *r, int col)
{
    for (int s = 0; s < r->nlog; s++)
        if (r->log[s].action == RTM_STEP_ADD && r->log[s].col == col)
            return 1;
    return 0;
}

static void test_negative_never_enters(void)
{
    double prev[3] = {0.3, 0.3, 0.3}, beta[3] = {0.8, -1.0, 0.5};
    make(&S, 4000, 3, prev, NULL, -0.5, beta, 0.3, 7);
    rtm_stepwise_opts o;
    rtm_stepwise_result r;
    rtm_stepwise_opts_init(&o);
    run(&o, NULL, 3, &r);
    RTM_CHECK(!ever_added(&r, 1) && r.k == 2 && has_col(&r, 0) && has_col(&r, 2));
    for (int j = 0; j < r.k; j++)
        RTM_CHECK(r.fit.beta[j] > 0);
    rtm_stepwise_free(&r);
    o.positive_only = 0;  /* control: without the rule it enters */
    run(&o, NULL, 3, &r);
    RTM_CHECK(has_col(&r, 1) && r.k == 3);
    rtm_stepwise_free(&r);
}

static void test_one_per_factor(void)
{
    /* columns 0 and 1: one factor (proximity and density), both with effects */
    double prev[3] = {0.3, 0.25, 0.3}, beta[3] = {0.7, 0.7, 0.4};
    int fac[3] = {5, 5, 2};
    make(&S, 4000, 3, prev, NULL, -0.8, beta, 0.3, 8);
    rtm_stepwise_opts o;
    rtm_stepwise_result r;
    rtm_stepwise_opts_init(&o);
    run(&o, fac, 3, &r);
    RTM_CHECK(r.k == 2 && has_col(&r, 2) && has_col(&r, 0) != has_col(&r, 1));
    /* never both at any step */
    int in[3] = {0, 0, 0};
    for (int s = 0; s < r.nlog; s++) {
        if (r.log[s].action == RTM_STEP_START)
            in[0] = in[1] = in[2] = 0;
        else
            in[r.log[s].col] = r.log[s].action == RTM_STEP_ADD;
        RTM_CHECK(!(in[0] && in[1]));
    }
    rtm_stepwise_free(&r);
    o.one_per_factor = 0;  /* control */
    run(&o, fac, 3, &r);
    RTM_CHECK(r.k == 3);
    rtm_stepwise_free(&r);
    run(&o, NULL, 3, &r);  /* factor NULL: each column its own factor */
    RTM_CHECK(r.k == 3);
    rtm_stepwise_free(&r);
}

static void test_p_threshold(void)
{
    double prev[2] = {0.3, 0.4}, beta[2] = {1.0, 0.25};
    make(&S, 5000, 2, prev, NULL, -0.5, beta, 0.0, 9);
    rtm_stepwise_opts o;
    rtm_stepwise_result r;
    rtm_stepwise_opts_init(&o);
    o.try_nb = 0;
    run(&o, NULL, 2, &r);
    RTM_CHECK(r.k == 2);  /* at p <= 0.05 both enter */
    double pw = r.k == 2 ? r.fit.p[1] : 0;
    RTM_CHECK(pw > 1e-30 && pw < 0.05);
    rtm_stepwise_free(&r);
    o.p_max = pw / 10;  /* the weaker column now fails the rule */
    run(&o, NULL, 2, &r);
    RTM_CHECK(r.k == 1 && has_col(&r, 0) && !ever_added(&r, 1));
    rtm_stepwise_free(&r);
    o.check_p = 0;  /* control */
    run(&o, NULL, 2, &r);
    RTM_CHECK(r.k == 2);
    rtm_stepwise_free(&r);
}

/* Identical columns 1 and 3 (different factors): ties go to the lowest index;
 * the copy then cannot be fitted (collinear) and is skipped. */
static void test_tie_lowest_index(void)
{
    double prev[4] = {0.3, 0.3, 0.2, 0.3}, beta[4] = {0.6, 0.9, 0, 0};
    make(&S, 3000, 4, prev, NULL, -0.5, beta, 0.0, 10);
    for (size_t i = 0; i < S.n; i++)
        S.x[i * 4 + 3] = S.x[i * 4 + 1];
    rtm_stepwise_opts o;
    rtm_stepwise_result r;
    rtm_stepwise_opts_init(&o);
    run(&o, NULL, 4, &r);
    RTM_CHECK(has_col(&r, 1) && !has_col(&r, 3) && !ever_added(&r, 3));
    rtm_stepwise_free(&r);
}

/* A drop: x0 = x1 OR x2 is the best single predictor, but the counts depend
 * on x1 and x2 separately; once both are in, x0 is dropped. */
static void test_drop(void)
{
    double prev[3] = {0, 0.2, 0.2}, beta[3] = {0, 1.2, 1.2};
    make(&S, 5000, 3, prev, NULL, -1.0, beta, 0.0, 13);
    for (size_t i = 0; i < S.n; i++)
        S.x[i * 3] = S.x[i * 3 + 1] | S.x[i * 3 + 2];
    /* (make() drew x0 = 0, so y depends on x1 and x2 only) */
    rtm_stepwise_opts o;
    rtm_stepwise_result r;
    rtm_stepwise_opts_init(&o);
    o.try_nb = 0;
    o.rules_all_terms = 0;  /* x0 may turn negative while it is in */
    run(&o, NULL, 3, &r);
    int drops = 0;
    for (int s = 0; s < r.nlog; s++)
        drops += r.log[s].action == RTM_STEP_DROP;
    if (getenv("STEP_DEBUG"))
        for (int s = 0; s < r.nlog; s++)
            fprintf(stderr, "  %d %d %.4f\n", r.log[s].action, r.log[s].col, r.log[s].bic);
    RTM_CHECK(drops >= 1);
    RTM_CHECK(r.k == 2 && has_col(&r, 1) && has_col(&r, 2));
    rtm_stepwise_free(&r);
}

/* Same result bytes with 1 and 2 threads. */
static void test_threads_identical(void)
{
    double prev[6] = {0.2, 0.3, 0.25, 0.2, 0.3, 0.15};
    double beta[6] = {0.9, 0.2, 0.6, -0.5, 0.15, 1.0};
    int fac[6] = {0, 0, 1, 1, 2, 3};
    make(&S, 3000, 6, prev, NULL, -1.0, beta, 0.5, 11);
    rtm_stepwise_result a, b;
    omp_set_num_threads(1);
    run(NULL, fac, 6, &a);
    omp_set_num_threads(2);
    run(NULL, fac, 6, &b);
    RTM_CHECK(a.k == b.k && a.nlog == b.nlog && a.family == b.family);
    for (int s = 0; s < a.nlog && s < b.nlog; s++)
        RTM_CHECK(memcmp(&a.log[s].bic, &b.log[s].bic, sizeof(double)) == 0 &&
                  a.log[s].col == b.log[s].col);
    RTM_CHECK(memcmp(&a.fit.loglik, &b.fit.loglik, sizeof(double)) == 0);
    rtm_stepwise_free(&a);
    rtm_stepwise_free(&b);
}

static int stop_at_first(double frac, const char *msg, void *arg)
{
    (void)msg;
    RTM_CHECK(frac >= 0 && frac <= 1);
    ++*(int *)arg;
    return 0;
}

static void test_errors(void)
{
    double prev[2] = {0.3, 0.3}, beta[2] = {0.5, 0.5};
    make(&S, 500, 2, prev, NULL, -0.5, beta, 0.0, 12);
    rtm_design d = view(&S);
    rtm_stepwise_result r;
    rtm_error e;
    int bad[1] = {5};
    RTM_CHECK(rtm_stepwise(&d, bad, 1, NULL, NULL, &r, &e) == RTM_ERR_ARG);
    /* no candidates: the intercept-only model */
    RTM_CHECK(rtm_stepwise(&d, NULL, 0, NULL, NULL, &r, &e) == 0);
    RTM_CHECK(r.k == 0 && r.nlog >= 1);
    rtm_stepwise_free(&r);
    /* cancel from the progress callback */
    rtm_stepwise_opts o;
    int calls = 0, c2[2] = {0, 1};
    rtm_stepwise_opts_init(&o);
    o.progress = stop_at_first;
    o.progress_arg = &calls;
    RTM_CHECK(rtm_stepwise(&d, c2, 2, NULL, &o, &r, &e) == RTM_ERR_CANCEL && calls == 1);
    /* no events: no family can fit */
    memset(S.y, 0, S.n * sizeof *S.y);
    int c[2] = {0, 1};
    RTM_CHECK(rtm_stepwise(&d, c, 2, NULL, NULL, &r, &e) == RTM_ERR_MODEL);
    RTM_CHECK(strstr(e.msg, "no events") != NULL);
    rtm_stepwise_free(NULL);
}

int main(void)
{
    RTM_RUN(test_recovers_true_model);
    RTM_RUN(test_bic_vs_all_subsets);
    RTM_RUN(test_negative_never_enters);
    RTM_RUN(test_one_per_factor);
    RTM_RUN(test_p_threshold);
    RTM_RUN(test_tie_lowest_index);
    RTM_RUN(test_drop);
    RTM_RUN(test_threads_identical);
    RTM_RUN(test_errors);
    return RTM_TEST_END();
}
