/* mannkendall.c: the Mann-Kendall trend test (Mann 1945, Econometrica
 * 13:245-259; Kendall 1975, Rank Correlation Methods, 4th ed., Griffin),
 * with the variance of S corrected for ties. */
#include "rtm/emerging.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* sum over tie groups of t(t-1)(2t+5) of the sorted values v[0..n-1]. */
static double tie_term(const double *v, int n)
{
    double sum = 0;
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && v[j] == v[i])
            j++;
        double t = j - i;
        sum += t * (t - 1) * (2 * t + 5);
        i = j;
    }
    return sum;
}

int rtm_mann_kendall(const double *x, int n, rtm_mk *out, rtm_error *err)
{
    double s = 0, dn = n, small[128], *v;
    if (!x || !out || n < 2)
        return rtm_error_set(err, RTM_ERR_ARG, "mann-kendall: need at least 2 values (got %d)",
                             n);
    for (int i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return rtm_error_set(err, RTM_ERR_ARG, "mann-kendall: value %d is not finite", i);
    /* S = sum_{i<j} sign(x_j - x_i) (Mann 1945) */
    for (int i = 0; i < n - 1; i++)
        for (int j = i + 1; j < n; j++)
            s += (x[j] > x[i]) - (x[j] < x[i]);
    v = n <= 128 ? small : malloc((size_t)n * sizeof *v);
    if (!v)
        return rtm_error_set(err, RTM_ERR_NOMEM, "mann-kendall: out of memory");
    memcpy(v, x, (size_t)n * sizeof *v);
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    /* Var(S) = [n(n-1)(2n+5) - sum_g t_g(t_g-1)(2t_g+5)] / 18 (Kendall 1975) */
    out->var = (dn * (dn - 1) * (2 * dn + 5) - tie_term(v, n)) / 18;
    if (v != small)
        free(v);
    out->s = s;
    out->tau = s / (dn * (dn - 1) / 2);
    /* continuity-corrected normal score */
    if (out->var > 0 && s != 0)
        out->z = (s > 0 ? s - 1 : s + 1) / sqrt(out->var);
    else
        out->z = 0;
    out->p = out->var > 0 ? erfc(fabs(out->z) / sqrt(2.0)) : 1;
    return 0;
}
