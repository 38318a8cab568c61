/* classify.c: class breaks for map legends (see rtm/output.h). */
#include "rtm/output.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Jenks runs on at most this many order statistics (O(k N^2) programme). */
#define JENKS_MAX 2000

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Present cells (inside, finite, non-zero), sorted ascending. */
static double *present_sorted(const double *v, const unsigned char *mask, size_t n,
                              size_t *count)
{
    size_t k = 0;
    double *x = malloc((n ? n : 1) * sizeof *x);
    if (!x)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if ((!mask || mask[i]) && isfinite(v[i]) && v[i] != 0.0)
            x[k++] = v[i];
    qsort(x, k, sizeof *x, cmp_double);
    *count = k;
    return x;
}

/* Hyndman & Fan (1996) type 7: h = (N-1)p, linear between order statistics. */
static double quantile7(const double *x, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1)
        return x[n - 1];
    return x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]);
}

static double mean_of(const double *x, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return s / (double)n;
}

/* Population standard deviation (divisor N), two-pass for accuracy. */
static double sd_of(const double *x, size_t n, double mean)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (x[i] - mean) * (x[i] - mean);
    return sqrt(s / (double)n);
}

/* Interior breaks b[1..k-1] from thresholds, clamped into [min, max] and made
 * non-decreasing. */
static void clamp_breaks(double *b, int k)
{
    for (int i = 1; i < k; i++) {
        if (b[i] > b[k])
            b[i] = b[k];
        if (b[i] < b[i - 1])
            b[i] = b[i - 1];
    }
}

/* Fisher (1958) exact optimal partition of sorted x into k groups minimising
 * the within-group sum of squares; Jenks (1967) natural breaks. Prefix sums of
 * centred values limit cancellation in ssd = S2 - S1^2 / m. */
static int jenks(const double *x, size_t n, int k, double *b)
{
    size_t N = n + 1;
    double *s1 = malloc(N * sizeof *s1), *s2 = malloc(N * sizeof *s2);
    double *cost = malloc((size_t)k * N * sizeof *cost);
    size_t *arg = malloc((size_t)k * N * sizeof *arg);
    int rc = -1;
    if (!s1 || !s2 || !cost || !arg)
        goto done;
    double c = mean_of(x, n);
    s1[0] = s2[0] = 0.0;
    for (size_t i = 0; i < n; i++) {
        s1[i + 1] = s1[i] + (x[i] - c);
        s2[i + 1] = s2[i] + (x[i] - c) * (x[i] - c);
    }
#define SSD(i, j) (s2[j] - s2[i] - (s1[j] - s1[i]) * (s1[j] - s1[i]) / (double)((j) - (i)))
    /* cost[g*N + j]: best cost of the first j values in g+1 groups */
    for (size_t j = 1; j <= n; j++) {
        cost[j] = SSD(0, j);
        arg[j] = 0;
    }
    for (int g = 1; g < k; g++) {
        for (size_t j = (size_t)g + 1; j <= n; j++) {
            double best = INFINITY;
            size_t bi = (size_t)g;
            for (size_t i = (size_t)g; i < j; i++) {
                double cst = cost[(size_t)(g - 1) * N + i] + SSD(i, j);
                if (cst < best) {
                    best = cst;
                    bi = i;
                }
            }
            cost[(size_t)g * N + j] = best;
            arg[(size_t)g * N + j] = bi;
        }
    }
#undef SSD
    /* walk back: group g ends at index end-1 */
    size_t end = n;
    for (int g = k - 1; g >= 1; g--) {
        size_t start = arg[(size_t)g * N + end];
        b[g] = x[start - 1];
        end = start;
    }
    rc = 0;
done:
    free(s1);
    free(s2);
    free(cost);
    free(arg);
    return rc;
}

/* First index of sorted x with x[i] > v (upper bound). */
static size_t upper_index(const double *x, size_t n, double v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid] <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Break b was found on the sample s: look at the full data from b up to the
 * next sampled value and return the value just below the widest gap. */
static double widest_gap(const double *x, size_t n, double b, const double *s, size_t ns)
{
    size_t j = upper_index(s, ns, b);
    if (j == ns)
        return b;
    size_t a = upper_index(x, n, b) - 1, z = upper_index(x, n, s[j]) - 1;
    double best = -1.0, r = b;
    for (size_t i = a; i < z; i++)
        if (x[i + 1] - x[i] > best) {
            best = x[i + 1] - x[i];
            r = x[i];
        }
    return r;
}

/* Natural breaks, on evenly spaced order statistics when there are many. */
static int natural_breaks(const double *x, size_t n, int k, double *b)
{
    if ((size_t)k >= n) { /* one value (or fewer) per class */
        for (int i = 1; i < k; i++)
            b[i] = x[(size_t)i < n ? (size_t)i - 1 : n - 1];
        return 0;
    }
    if (n <= JENKS_MAX)
        return jenks(x, n, k, b);
    double *s = malloc(JENKS_MAX * sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < JENKS_MAX; i++)
        s[i] = x[(size_t)((double)i * (double)(n - 1) / (JENKS_MAX - 1) + 0.5)];
    int rc = jenks(s, JENKS_MAX, k, b);
    /* between a break and the next sampled value lie unsampled values: put
     * the break at the widest gap among them (the full-data refinement) */
    for (int g = 1; rc == 0 && g < k; g++)
        b[g] = widest_gap(x, n, b[g], s, JENKS_MAX);
    free(s);
    return rc;
}

int rtm_classify(const double *v, const unsigned char *mask, size_t n,
                 rtm_class_method m, int nclasses, double *breaks, rtm_error *err)
{
    if (nclasses < 1 || nclasses > RTM_CLASS_MAX)
        return rtm_error_set(err, RTM_ERR_ARG, "classify: number of classes must be 1..%d (got %d)",
                             RTM_CLASS_MAX, nclasses);
    if (m < RTM_CLASS_QUANTILE || m > RTM_CLASS_NATURAL)
        return rtm_error_set(err, RTM_ERR_ARG, "classify: unknown method %d", (int)m);
    size_t cnt = 0;
    double *x = present_sorted(v, mask, n, &cnt);
    if (!x)
        return rtm_error_set(err, RTM_ERR_NOMEM, "classify: out of memory (%zu values)", n);
    int rc = 0, k = nclasses;
    double b[RTM_CLASS_MAX + 1];
    if (cnt == 0) {
        rc = rtm_error_set(err, RTM_ERR_INPUT, "classify: no non-zero cell to classify");
        goto done;
    }
    b[0] = x[0];
    b[k] = x[cnt - 1];
    double mean = mean_of(x, cnt);
    for (int i = 1; i < k; i++) {
        switch (m) {
        case RTM_CLASS_QUANTILE: b[i] = quantile7(x, cnt, (double)i / k); break;
        case RTM_CLASS_EQUAL: b[i] = b[0] + (b[k] - b[0]) * i / k; break;
        case RTM_CLASS_STDDEV: b[i] = mean + (i - 1) * sd_of(x, cnt, mean); break;
        case RTM_CLASS_MEAN_MULT: b[i] = ldexp(mean, i - 1); break;
        case RTM_CLASS_NATURAL: break;
        }
    }
    if (m == RTM_CLASS_MEAN_MULT && !(mean > 0.0)) {
        rc = rtm_error_set(err, RTM_ERR_INPUT,
                           "classify: mean-multiple classes need a positive mean (got %g)", mean);
        goto done;
    }
    if (m == RTM_CLASS_NATURAL && natural_breaks(x, cnt, k, b) != 0) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "classify: out of memory (natural breaks)");
        goto done;
    }
    clamp_breaks(b, k);
    memcpy(breaks, b, (size_t)(k + 1) * sizeof *b);
done:
    free(x);
    return rc;
}

int rtm_class_index(double x, const double *breaks, int nclasses)
{
    for (int k = 0; k < nclasses - 1; k++)
        if (x <= breaks[k + 1])
            return k;
    return nclasses - 1;
}

static const struct {
    const char *name;
    rtm_class_method m;
} method_names[] = {
    {"quantile", RTM_CLASS_QUANTILE},     {"equal", RTM_CLASS_EQUAL},
    {"stddev", RTM_CLASS_STDDEV},         {"mean-multiple", RTM_CLASS_MEAN_MULT},
    {"natural", RTM_CLASS_NATURAL},       {"meanmult", RTM_CLASS_MEAN_MULT},
    {"jenks", RTM_CLASS_NATURAL},         {"mean", RTM_CLASS_MEAN_MULT},
};

int rtm_class_method_parse(const char *name, rtm_class_method *m, rtm_error *err)
{
    for (size_t i = 0; name && i < sizeof method_names / sizeof method_names[0]; i++) {
        if (strcasecmp(name, method_names[i].name) == 0) {
            *m = method_names[i].m;
            return 0;
        }
    }
    return rtm_error_set(err, RTM_ERR_ARG,
                         "classify: unknown method '%s' (quantile, equal, stddev, "
                         "mean-multiple, natural)", name ? name : "");
}

const char *rtm_class_method_name(rtm_class_method m)
{
    for (size_t i = 0; i < 5; i++)
        if (method_names[i].m == m)
            return method_names[i].name;
    return "unknown";
}
