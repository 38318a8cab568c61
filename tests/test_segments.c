/* test_segments.c: street-segment patrol places - cutting road lines,
 * sums in segment buffers against brute force over the events (distance to
 * the segment sampled densely, independent of the library's closed form),
 * non-overlap of the greedy choice, and the buffer area against numerical
 * integration on a fine lattice. */
#include "rtm_test.h"

#include "rtm.h"
#include "rtm/places.h"

static double urand(unsigned long long *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

/* A small road network (metres): a main street with a bend, a crossing
 * street, a diagonal lane and a short cul-de-sac. */
static const double NET[] = {0, 0, 400, 0, 700, 150,          /* main street */
                             200, -300, 200, 350,             /* crossing street */
                             -100, 200, 150, 450, 300, 600,   /* lane */
                             500, 60, 520, -40};              /* cul-de-sac */
static const size_t OFF[] = {0, 3, 5, 8, 10};

/* Distance from p to segment s by dense sampling of the segment
 * (independent of the projection formula): error <= len / (2 * 20000). */
static double dist_sampled(double px, double py, const rtm_road_segment *s)
{
    double best = INFINITY;
    for (int k = 0; k <= 20000; k++) {
        double t = k / 20000.0;
        best = fmin(best, hypot(px - (s->ax + t * (s->bx - s->ax)),
                                py - (s->ay + t * (s->by - s->ay))));
    }
    return best;
}

static void test_cut(void)
{
    rtm_road_segment *s = NULL;
    size_t n = 0;
    rtm_error e;
    RTM_CHECK(rtm_roads_cut(NET, OFF, 4, 150, &s, &n, &e) == 0);
    double total = 0, lines = 0;
    for (size_t k = 0; k < n; k++) {
        double L = hypot(s[k].bx - s[k].ax, s[k].by - s[k].ay);
        RTM_CHECK(L <= 150 + 1e-9);
        total += L;
    }
    for (int l = 0; l < 4; l++)
        for (size_t v = OFF[l]; v + 1 < OFF[l + 1]; v++)
            lines += hypot(NET[2 * v + 2] - NET[2 * v], NET[2 * v + 3] - NET[2 * v + 1]);
    RTM_CHECK_NEAR(total, lines, 1e-6);
    /* 400 -> 3 pieces, 335.4 -> 3, 650 -> 5, 353.6 -> 3, 250 -> 2, 102 -> 1 */
    RTM_CHECK(n == 17);
    free(s);
}

static void test_sums_brute(void)
{
    rtm_road_segment *s = NULL;
    size_t n = 0;
    rtm_error e;
    enum { N = 1500 };
    double x[N], y[N], w[N], r = 40;
    unsigned long long st = 11;
    RTM_CHECK(rtm_roads_cut(NET, OFF, 4, 150, &s, &n, &e) == 0);
    for (int i = 0; i < N; i++) { /* events near a random road point, and some anywhere */
        const rtm_road_segment *q = &s[(size_t)(urand(&st) * n)];
        double t = urand(&st);
        x[i] = q->ax + t * (q->bx - q->ax) + (urand(&st) - 0.5) * 160;
        y[i] = q->ay + t * (q->by - q->ay) + (urand(&st) - 0.5) * 160;
        w[i] = 1 + (i % 7);
    }
    double *c = malloc(n * sizeof *c), *h = malloc(n * sizeof *h), *c2 = malloc(n * sizeof *c2);
    RTM_CHECK(rtm_segment_sums(s, n, x, y, NULL, N, r, 1, c, &e) == 0);
    RTM_CHECK(rtm_segment_sums(s, n, x, y, w, N, r, 2, h, &e) == 0);
    RTM_CHECK(rtm_segment_sums(s, n, x, y, NULL, N, r, 2, c2, &e) == 0);
    int bad = 0, nonzero = 0;
    for (size_t k = 0; k < n; k++) {
        double bc = 0, bh = 0;
        for (int i = 0; i < N; i++)
            if (dist_sampled(x[i], y[i], &s[k]) <= r + 1e-3) /* sampling is a hair long */
                bc += 1, bh += w[i];
        bad += bc != c[k] || bh != h[k] || c[k] != c2[k];
        nonzero += c[k] > 0;
    }
    RTM_CHECK(bad == 0);
    RTM_CHECK(nonzero == (int)n);
    free(c), free(h), free(c2), free(s);
}

static void test_pick_apart(void)
{
    rtm_road_segment *s = NULL;
    size_t n = 0;
    rtm_error e;
    enum { N = 2000 };
    double x[N], y[N], r = 25, sp = 30;
    unsigned long long st = 5;
    RTM_CHECK(rtm_roads_cut(NET, OFF, 4, 60, &s, &n, &e) == 0);
    for (int i = 0; i < N; i++) {
        x[i] = -150 + urand(&st) * 900;
        y[i] = -350 + urand(&st) * 1000;
    }
    double *c = malloc(n * sizeof *c);
    int picked[8], np = 0;
    RTM_CHECK(rtm_segment_sums(s, n, x, y, NULL, N, r, 0, c, &e) == 0);
    rtm_segment_pick_opts o = {.count = 8, .r = r, .spacing = sp};
    RTM_CHECK(rtm_segment_pick(s, n, c, &o, picked, &np, &e) == 0);
    RTM_CHECK(np == 8);
    size_t best = 0;
    for (size_t k = 1; k < n; k++)
        best = c[k] > c[best] ? k : best;
    RTM_CHECK(picked[0] == (int)best); /* the first is the best single buffer */
    int close = 0;
    for (int a = 0; a < np; a++)
        for (int b = a + 1; b < np; b++) { /* sampled distance between the segments */
            double d = INFINITY;
            for (int k = 0; k <= 2000; k++) {
                const rtm_road_segment *q = &s[picked[a]];
                double t = k / 2000.0;
                d = fmin(d, dist_sampled(q->ax + t * (q->bx - q->ax),
                                         q->ay + t * (q->by - q->ay), &s[picked[b]]));
            }
            close += d < 2 * r + sp - 1e-6;
        }
    RTM_CHECK(close == 0);
    for (int a = 1; a < np; a++)
        RTM_CHECK(c[picked[a]] <= c[picked[a - 1]]);
    free(c), free(s);
}

/* Buffer area: lattice points of 0.25 m within r of the segment. */
static void test_buffer_area(void)
{
    rtm_road_segment s = {10, 20, 130, 70, 0};
    double r = 30, h = 0.25, cnt = 0;
    for (double x = -30; x <= 170; x += h)
        for (double y = -20; y <= 110; y += h)
            cnt += rtm_point_segment_dist(x + h / 2, y + h / 2, &s) <= r;
    double want = rtm_segment_buffer_area(&s, r);
    RTM_CHECK_NEAR(want, 130 * 60 + M_PI * 900, 1e-9);
    RTM_CHECK(fabs(cnt * h * h - want) / want < 2e-3);
}

int main(void)
{
    RTM_RUN(test_cut);
    RTM_RUN(test_sums_brute);
    RTM_RUN(test_pick_apart);
    RTM_RUN(test_buffer_area);
    return RTM_TEST_END();
}
