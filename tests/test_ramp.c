/* test_ramp.c: colour ramps against matplotlib's and ColorBrewer's published
 * colours. Reference values are entries of matplotlib's 256-entry tables
 * (_cm_listed.py, matplotlib 3.6.3), each channel round(255 c); entries not
 * among the ramp's stops test the interpolation (tolerance 2/255 per channel,
 * 5/255 for cividis entry 252). */
#include "rtm/output.h"
#include "rtm_test.h"

typedef struct ref_color {
    int ramp;
    int idx; /* table index 0..255, t = idx / 255 */
    unsigned rgb;
    int tol;
} ref_color;

static const ref_color refs[] = {
    /* anchors of the issue: viridis(0) = #440154, viridis(1) = #FDE725 */
    {RTM_RAMP_VIRIDIS, 0, 0x440154, 0},   {RTM_RAMP_VIRIDIS, 255, 0xFDE725, 0},
    {RTM_RAMP_VIRIDIS, 128, 0x21918C, 0}, {RTM_RAMP_MAGMA, 0, 0x000004, 0},
    {RTM_RAMP_MAGMA, 255, 0xFCFDBF, 0},   {RTM_RAMP_INFERNO, 0, 0x000004, 0},
    {RTM_RAMP_INFERNO, 255, 0xFCFFA4, 0}, {RTM_RAMP_CIVIDIS, 0, 0x00224E, 0},
    {RTM_RAMP_CIVIDIS, 255, 0xFEE838, 0},
    /* entries between stops: interpolation error */
    {RTM_RAMP_VIRIDIS, 3, 0x450559, 2},
    {RTM_RAMP_VIRIDIS, 13, 0x481467, 2},
    {RTM_RAMP_VIRIDIS, 37, 0x46337F, 2},
    {RTM_RAMP_VIRIDIS, 64, 0x3B528B, 2},
    {RTM_RAMP_VIRIDIS, 101, 0x2A778E, 2},
    {RTM_RAMP_VIRIDIS, 140, 0x1E9C89, 2},
    {RTM_RAMP_VIRIDIS, 171, 0x37B878, 2},
    {RTM_RAMP_VIRIDIS, 192, 0x5EC962, 2},
    {RTM_RAMP_VIRIDIS, 221, 0xA5DB36, 2},
    {RTM_RAMP_VIRIDIS, 243, 0xDFE318, 2},
    {RTM_RAMP_VIRIDIS, 252, 0xF6E620, 2},
    {RTM_RAMP_MAGMA, 3, 0x010108, 2},
    {RTM_RAMP_MAGMA, 13, 0x07061C, 2},
    {RTM_RAMP_MAGMA, 37, 0x241253, 2},
    {RTM_RAMP_MAGMA, 64, 0x51127C, 2},
    {RTM_RAMP_MAGMA, 101, 0x8B2981, 2},
    {RTM_RAMP_MAGMA, 140, 0xCA3E72, 2},
    {RTM_RAMP_MAGMA, 171, 0xF2625D, 2},
    {RTM_RAMP_MAGMA, 192, 0xFC8961, 2},
    {RTM_RAMP_MAGMA, 221, 0xFEBF84, 2},
    {RTM_RAMP_MAGMA, 243, 0xFDE7A9, 2},
    {RTM_RAMP_MAGMA, 252, 0xFCF7B9, 2},
    {RTM_RAMP_INFERNO, 3, 0x010108, 2},
    {RTM_RAMP_INFERNO, 13, 0x08051D, 2},
    {RTM_RAMP_INFERNO, 37, 0x290B55, 2},
    {RTM_RAMP_INFERNO, 64, 0x57106E, 2},
    {RTM_RAMP_INFERNO, 101, 0x922568, 2},
    {RTM_RAMP_INFERNO, 140, 0xCC4248, 2},
    {RTM_RAMP_INFERNO, 171, 0xEE6A24, 2},
    {RTM_RAMP_INFERNO, 192, 0xF98E09, 2},
    {RTM_RAMP_INFERNO, 221, 0xFAC62D, 2},
    {RTM_RAMP_INFERNO, 243, 0xF1EF75, 2},
    {RTM_RAMP_INFERNO, 252, 0xF8FB9A, 2},
    {RTM_RAMP_CIVIDIS, 3, 0x002553, 2},
    {RTM_RAMP_CIVIDIS, 13, 0x002C64, 2},
    {RTM_RAMP_CIVIDIS, 37, 0x233C6E, 2},
    {RTM_RAMP_CIVIDIS, 64, 0x434E6C, 2},
    {RTM_RAMP_CIVIDIS, 101, 0x656870, 2},
    {RTM_RAMP_CIVIDIS, 140, 0x888578, 2},
    {RTM_RAMP_CIVIDIS, 171, 0xA69C74, 2},
    {RTM_RAMP_CIVIDIS, 192, 0xBCAE6C, 2},
    {RTM_RAMP_CIVIDIS, 221, 0xDBC75A, 2},
    {RTM_RAMP_CIVIDIS, 243, 0xF3DB42, 2},
    {RTM_RAMP_CIVIDIS, 252, 0xFEE434, 5},
    /* ColorBrewer RdBu ends (blue low, red high) */
    {RTM_RAMP_DIVERGING, 0, 0x053061, 0}, {RTM_RAMP_DIVERGING, 255, 0x67001F, 0},
    /* ColorBrewer YlOrRd ends */
    {RTM_RAMP_YLORRD, 0, 0xFFFFCC, 0},    {RTM_RAMP_YLORRD, 255, 0x800026, 0},
};

static void test_published_colours(void)
{
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
        unsigned char c[3];
        rtm_ramp_color(refs[i].ramp, refs[i].idx / 255.0, c);
        RTM_CHECK_NEAR(c[0], (refs[i].rgb >> 16) & 0xFF, refs[i].tol);
        RTM_CHECK_NEAR(c[1], (refs[i].rgb >> 8) & 0xFF, refs[i].tol);
        RTM_CHECK_NEAR(c[2], refs[i].rgb & 0xFF, refs[i].tol);
    }
    /* the viridis(0.5) ~ #21918C (matplotlib maps 0.5 to entry 128) */
    unsigned char c[3];
    rtm_ramp_color(RTM_RAMP_VIRIDIS, 0.5, c);
    RTM_CHECK_NEAR(c[0], 0x21, 2);
    RTM_CHECK_NEAR(c[1], 0x91, 2);
    RTM_CHECK_NEAR(c[2], 0x8C, 2);
    /* diverging: the neutral RdBu centre #F7F7F7 exactly at 0.5, and classes
     * symmetric about 0.5 get ColorBrewer RdBu-11 neighbours */
    rtm_ramp_color(RTM_RAMP_DIVERGING, 0.5, c);
    RTM_CHECK(c[0] == 0xF7 && c[1] == 0xF7 && c[2] == 0xF7);
    rtm_ramp_color(RTM_RAMP_DIVERGING, 0.4, c);
    RTM_CHECK(c[0] == 0xD1 && c[1] == 0xE5 && c[2] == 0xF0);
    rtm_ramp_color(RTM_RAMP_DIVERGING, 0.6, c);
    RTM_CHECK(c[0] == 0xFD && c[1] == 0xDB && c[2] == 0xC7);
    rtm_ramp_color(RTM_RAMP_YLORRD, 0.5, c);
    RTM_CHECK(c[0] == 0xFD && c[1] == 0x8D && c[2] == 0x3C);
}

static void test_clamp_and_stops(void)
{
    unsigned char a[3], b[3];
    rtm_ramp_color(RTM_RAMP_VIRIDIS, -3, a);
    rtm_ramp_color(RTM_RAMP_VIRIDIS, NAN, b);
    RTM_CHECK(a[0] == 0x44 && a[1] == 0x01 && a[2] == 0x54);
    RTM_CHECK(memcmp(a, b, 3) == 0);
    rtm_ramp_color(RTM_RAMP_VIRIDIS, 7, a);
    RTM_CHECK(a[0] == 0xFD && a[1] == 0xE7 && a[2] == 0x25);
    for (int r = 0; r < RTM_RAMP_COUNT; r++) {
        int n = rtm_ramp_nstops(r);
        double p, prev = -1;
        RTM_CHECK(n >= 2);
        for (int k = 0; k < n; k++) {
            RTM_CHECK(rtm_ramp_stop(r, k, &p, a) == 0);
            RTM_CHECK(p > prev);
            prev = p;
            rtm_ramp_color(r, p, b); /* at a stop the colour is the stop's */
            RTM_CHECK(memcmp(a, b, 3) == 0);
        }
        RTM_CHECK_NEAR(prev, 1.0, 0);
        RTM_CHECK(rtm_ramp_stop(r, n, &p, a) == -1);
    }
    RTM_CHECK(rtm_ramp_nstops(RTM_RAMP_COUNT) == 0);
}

static void test_parse(void)
{
    int r = -1;
    rtm_error e;
    RTM_CHECK(rtm_ramp_parse("Magma", &r, &e) == 0 && r == RTM_RAMP_MAGMA);
    RTM_CHECK(rtm_ramp_parse(NULL, &r, &e) == 0 && r == RTM_RAMP_VIRIDIS);
    RTM_CHECK(rtm_ramp_parse("diverging", &r, &e) == 0 && r == RTM_RAMP_DIVERGING);
    RTM_CHECK(rtm_ramp_parse("jet", &r, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "'jet'") != NULL);
    for (int k = 0; k < RTM_RAMP_COUNT; k++)
        RTM_CHECK(rtm_ramp_parse(rtm_ramp_name(k), &r, &e) == 0 && r == k);
    RTM_CHECK(rtm_ramp_name(-1) == NULL);
}

int main(void)
{
    RTM_RUN(test_published_colours);
    RTM_RUN(test_clamp_and_stops);
    RTM_RUN(test_parse);
    return RTM_TEST_END();
}
