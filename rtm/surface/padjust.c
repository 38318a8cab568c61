/* padjust.c: Benjamini-Hochberg and Benjamini-Yekutieli adjusted p-values,
 * as R's stats::p.adjust (rtm/change.h). */
#include "rtm/change.h"

#include <math.h>
#include <stdlib.h>

typedef struct { double p; size_t i; } pv;

/* Ascending p, ties by index (a total order, so the result never depends on
 * the sort's stability). */
static int cmp_pv(const void *a, const void *b)
{
    const pv *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

int rtm_p_adjust(const double *p, size_t n, rtm_padj_method m, double *q, rtm_error *err)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(p[i]) && !(p[i] >= 0 && p[i] <= 1))
            return rtm_error_set(err, RTM_ERR_INPUT, "p-adjust: p-value %zu is %g, not in "
                                 "[0, 1]", i, p[i]);
    pv *s = malloc((n ? n : 1) * sizeof *s);
    if (!s)
        return rtm_error_set(err, RTM_ERR_NOMEM, "p-adjust: out of memory");
    for (size_t i = 0; i < n; i++)
        if (!isnan(p[i]))
            s[k++] = (pv){p[i], i};
    for (size_t i = 0; i < n; i++)
        q[i] = p[i]; /* NaN stays NaN; NONE copies */
    if (m != RTM_PADJ_NONE && k > 0) {
        double c = 1, run = INFINITY;
        if (m == RTM_PADJ_BY) { /* c(m) = sum 1/k (Benjamini & Yekutieli 2001, thm 1.3),
                                   summed upwards in long double as R's sum() */
            long double acc = 0;
            for (size_t j = 1; j <= k; j++)
                acc += 1.0 / (double)j;
            c = (double)acc;
        }
        qsort(s, k, sizeof *s, cmp_pv);
        /* step-up from the largest: q_(i) = min_{j>=i} min(1, c m / j p_(j)) (R's
         * pmin(1, cummin(q * n / i * p[o])) over decreasing p) */
        for (size_t j = k; j >= 1; j--) {
            double v = c * (double)k / (double)j * s[j - 1].p;
            run = v < run ? v : run;
            q[s[j - 1].i] = run < 1 ? run : 1;
        }
    }
    free(s);
    return 0;
}
