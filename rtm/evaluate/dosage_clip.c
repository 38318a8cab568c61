/* dosage_clip.c: exact clipping of a straight segment to a polygon - the
 * parameters where it crosses the polygon's edges, and which pieces between
 * them lie inside (even-odd rule) - for the entry and exit times of a patrol
 * between two fixes (see rtm/dosage.h). */
#include <stdlib.h>

#include "rtm/dosage.h"

#define STACK_PARAMS 256

/* Crossing number test (Shimrat 1962, algorithm 112; the even-odd rule of
 * every ring taken together, so holes and disjoint parts work). */
int rtm_polygon_contains(const double *xy, const size_t *off, size_t nrings, double x,
                         double y)
{
    int in = 0;
    for (size_t r = 0; r < nrings; r++) {
        size_t a = off[r], b = off[r + 1], n = b - a;
        for (size_t i = 0, j = n - 1; i < n; j = i++) {
            double xi = xy[2 * (a + i)], yi = xy[2 * (a + i) + 1];
            double xj = xy[2 * (a + j)], yj = xy[2 * (a + j) + 1];
            if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi)
                in = !in;
        }
    }
    return in;
}

static int cmp_double(const void *a, const void *b)
{
    double p = *(const double *)a, q = *(const double *)b;
    return p < q ? -1 : p > q;
}

/* Parameters s in (0, 1) where A + s (B - A) meets an edge (the standard
 * line-segment intersection by cross products: O'Rourke, Computational
 * Geometry in C, 2nd ed., sec. 7.2). Parallel edges add nothing: the pieces
 * around them are still tested at their midpoints. */
static size_t crossings(const double *xy, const size_t *off, size_t nrings, double ax,
                        double ay, double dx, double dy, double *s, size_t cap)
{
    size_t k = 0;
    for (size_t r = 0; r < nrings; r++) {
        size_t a = off[r], n = off[r + 1] - a;
        for (size_t i = 0, j = n - 1; i < n && k < cap; j = i++) {
            double px = xy[2 * (a + j)], py = xy[2 * (a + j) + 1];
            double ex = xy[2 * (a + i)] - px, ey = xy[2 * (a + i) + 1] - py;
            double den = dx * ey - dy * ex;
            if (den == 0)
                continue;
            double wx = px - ax, wy = py - ay;
            double t = (wx * ey - wy * ex) / den, u = (wx * dy - wy * dx) / den;
            if (t > 0 && t < 1 && u >= 0 && u <= 1)
                s[k++] = t;
        }
    }
    return k;
}

int rtm_segment_polygon_clip(const double *xy, const size_t *off, size_t nrings, double ax,
                             double ay, double bx, double by, double *t, int max)
{
    double stack[STACK_PARAMS + 2], *s = stack;
    size_t nedges = off[nrings] - off[0], n;
    int m = 0;
    if (ax == bx && ay == by) {
        if (!rtm_polygon_contains(xy, off, nrings, ax, ay))
            return 0;
        if (max > 0)
            t[0] = 0, t[1] = 1;
        return 1;
    }
    if (nedges > STACK_PARAMS && !(s = malloc((nedges + 2) * sizeof *s)))
        return -1;
    s[0] = 0;
    n = 1 + crossings(xy, off, nrings, ax, ay, bx - ax, by - ay, s + 1, nedges);
    s[n++] = 1;
    qsort(s + 1, n - 2, sizeof *s, cmp_double);
    for (size_t i = 0; i + 1 < n; i++) {
        double mid = 0.5 * (s[i] + s[i + 1]);
        if (!(s[i + 1] > s[i]) ||
            !rtm_polygon_contains(xy, off, nrings, ax + mid * (bx - ax), ay + mid * (by - ay)))
            continue;
        if (m > 0 && m <= max && t[2 * m - 1] == s[i])
            t[2 * m - 1] = s[i + 1];
        else {
            if (m < max)
                t[2 * m] = s[i], t[2 * m + 1] = s[i + 1];
            m++;
        }
    }
    if (s != stack)
        free(s);
    return m;
}
