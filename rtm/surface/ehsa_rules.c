/* ehsa_rules.c: the categories of emerging hot spots, one small function per
 * rule (rtm/emerging.h). Esri's definitions: "How Emerging Hot Spot Analysis
 * works", ArcGIS Pro tool reference (space-time pattern mining toolbox);
 * sfhotspot's: R/hotspot_classify.R of the sfhotspot package (Ashby), with
 * the defaults of hotspot_classify_params(). */
#include "rtm/emerging.h"

#include <stddef.h>

static int count_hot(const signed char *sig, int n)
{
    int c = 0;
    for (int t = 0; t < n; t++)
        c += sig[t] > 0;
    return c;
}

/* Length of the run of hot steps ending at the final step. */
static int final_run(const signed char *sig, int n)
{
    int r = 0;
    while (r < n && sig[n - 1 - r] > 0)
        r++;
    return r;
}

/* Any significant (hot or cold) step before step t. */
static int any_sig_before(const signed char *sig, int t)
{
    for (int u = 0; u < t; u++)
        if (sig[u] != 0)
            return 1;
    return 0;
}

static int any_cold(const signed char *sig, int n)
{
    for (int t = 0; t < n; t++)
        if (sig[t] < 0)
            return 1;
    return 0;
}

/* ">= 90 % of the time-step intervals" in integers: 10 h >= 9 n. */
int rtm_ehsa_hot90(const signed char *sig, int n)
{
    return n > 0 && 10L * count_hot(sig, n) >= 9L * n;
}

static int final_hot(const signed char *sig, int n)
{
    return n > 0 && sig[n - 1] > 0;
}

/* "The most recent time period is not hot, but at least ninety percent of
 * the time-step intervals have been statistically significant hot spots." */
int rtm_ehsa_is_historical(const signed char *sig, int n)
{
    return !final_hot(sig, n) && rtm_ehsa_hot90(sig, n);
}

/* "Hot spot for ninety percent of the time-step intervals, including the
 * final time step ... the intensity of clustering of high counts in each time
 * step is increasing overall and that increase is statistically significant." */
int rtm_ehsa_is_intensifying(const signed char *sig, int n, int trend)
{
    return final_hot(sig, n) && rtm_ehsa_hot90(sig, n) && trend > 0;
}

/* As intensifying, "decreasing overall and that decrease is significant". */
int rtm_ehsa_is_diminishing(const signed char *sig, int n, int trend)
{
    return final_hot(sig, n) && rtm_ehsa_hot90(sig, n) && trend < 0;
}

/* "Hot spot for ninety percent of the time-step intervals with no
 * discernible trend" (the final step not hot makes it historical). */
int rtm_ehsa_is_persistent(const signed char *sig, int n, int trend)
{
    return final_hot(sig, n) && rtm_ehsa_hot90(sig, n) && trend == 0;
}

/* "Hot spot for the final time-step interval that has a history of also
 * being a statistically significant cold spot during a prior time step. Less
 * than ninety percent of the time-step intervals have been hot spots." */
int rtm_ehsa_is_oscillating(const signed char *sig, int n)
{
    return final_hot(sig, n) && !rtm_ehsa_hot90(sig, n) && any_cold(sig, n - 1);
}

/* "Hot spot for the final time step and has never been a statistically
 * significant hot spot before" (nor cold: that is oscillating). */
int rtm_ehsa_is_new(const signed char *sig, int n)
{
    return final_hot(sig, n) && !any_sig_before(sig, n - 1);
}

/* "A single uninterrupted run of at least two statistically significant hot
 * spot bins in the final time-step intervals. The location has never been a
 * statistically significant hot spot prior to the final hot spot run and
 * less than ninety percent of all bins are statistically significant hot
 * spots." */
int rtm_ehsa_is_consecutive(const signed char *sig, int n)
{
    int r = final_run(sig, n);
    return r >= 2 && !any_sig_before(sig, n - r) && !rtm_ehsa_hot90(sig, n);
}

/* "Hot spot for the final time-step interval with a history of also being an
 * on-again and off-again hot spot. Less than ninety percent ... hot spots and
 * none ... cold spots." */
int rtm_ehsa_is_sporadic(const signed char *sig, int n)
{
    int r = final_run(sig, n);
    return r >= 1 && !rtm_ehsa_hot90(sig, n) && !any_cold(sig, n) &&
           count_hot(sig, n) > r;
}

/* The hot code (0..8) of a series, first rule first. */
static int hot_code(const signed char *sig, int n, int trend)
{
    if (rtm_ehsa_is_historical(sig, n))
        return RTM_EHSA_HISTORICAL;
    if (rtm_ehsa_is_intensifying(sig, n, trend))
        return RTM_EHSA_INTENSIFYING;
    if (rtm_ehsa_is_diminishing(sig, n, trend))
        return RTM_EHSA_DIMINISHING;
    if (rtm_ehsa_is_persistent(sig, n, trend))
        return RTM_EHSA_PERSISTENT;
    if (rtm_ehsa_is_oscillating(sig, n))
        return RTM_EHSA_OSCILLATING;
    if (rtm_ehsa_is_new(sig, n))
        return RTM_EHSA_NEW;
    if (rtm_ehsa_is_consecutive(sig, n))
        return RTM_EHSA_CONSECUTIVE;
    if (rtm_ehsa_is_sporadic(sig, n))
        return RTM_EHSA_SPORADIC;
    return RTM_EHSA_NONE;
}

/* Hot patterns first; the cold mirror takes the negated series and trend.
 * Only historical can match without the final step in its sign, so a hot
 * history outranks a cold final step, and vice versa. */
int rtm_ehsa_classify(const signed char *sig, int n, int trend)
{
    signed char neg[1024];
    int h, c;
    if (n <= 0 || n > 1024)
        return RTM_EHSA_NONE;
    for (int t = 0; t < n; t++)
        neg[t] = (signed char)-sig[t];
    if (rtm_ehsa_is_historical(sig, n))
        return RTM_EHSA_HISTORICAL;
    if (rtm_ehsa_is_historical(neg, n))
        return -RTM_EHSA_HISTORICAL;
    if ((h = hot_code(sig, n, trend)) != 0)
        return h;
    c = hot_code(neg, n, -trend);
    return -c;
}

const char *rtm_ehsa_name(int code)
{
    static const char *const full[17] = {
        "historical cold spot", "oscillating cold spot", "sporadic cold spot",
        "diminishing cold spot", "persistent cold spot", "intensifying cold spot",
        "consecutive cold spot", "new cold spot", "no pattern", "new hot spot",
        "consecutive hot spot", "intensifying hot spot", "persistent hot spot",
        "diminishing hot spot", "sporadic hot spot", "oscillating hot spot",
        "historical hot spot"};
    return code >= -8 && code <= 8 ? full[code + 8] : "?";
}

/* ---- sfhotspot ------------------------------------------------------------ */

/* Hot steps among t0..t1-1. */
static int hot_in(const signed char *sig, int t0, int t1)
{
    int c = 0;
    for (int t = t0; t < t1; t++)
        c += sig[t] > 0;
    return c;
}

/* sfhotspot's hot category (0..4) with hotspot_prop 0.1, persistent_prop
 * 0.8, recent_prop 0.2, in integers: a share h/m >= q is 10 h >= 10 q m. */
static int sfh_hot(const signed char *sig, int n)
{
    int nr = n / 5 >= 1 ? n / 5 : 1, no = n - nr;
    int h = hot_in(sig, 0, n), hr = hot_in(sig, no, n), ho = hot_in(sig, 0, no);
    if (10L * h >= 8L * n)
        return RTM_SFH_PERSISTENT;
    if (10L * ho < 1L * no && 10L * hr >= 2L * nr)
        return RTM_SFH_EMERGING;
    if (10L * ho >= 1L * no && 10L * hr < 1L * nr)
        return RTM_SFH_FORMER;
    if (10L * h >= 1L * n)
        return RTM_SFH_INTERMITTENT;
    return 0;
}

int rtm_sfh_classify(const signed char *sig, int n)
{
    signed char neg[1024];
    int h, c;
    if (n < 2 || n > 1024)
        return 0;
    for (int t = 0; t < n; t++)
        neg[t] = (signed char)-sig[t];
    h = sfh_hot(sig, n);
    c = sfh_hot(neg, n);
    return h && c ? RTM_SFH_MIXED : h ? h : -c;
}

const char *rtm_sfh_name(int code)
{
    static const char *const full[10] = {
        "intermittent cold spot", "former cold spot", "emerging cold spot",
        "persistent cold spot", "no pattern", "persistent hot spot", "emerging hot spot",
        "former hot spot", "intermittent hot spot", "mixed hot and cold spot"};
    return code >= -4 && code <= 5 ? full[code + 4] : "?";
}
