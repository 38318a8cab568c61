/* chart_png.c: line charts for evaluation curves (hit rate, PAI against
 * area coverage), see rtm/output.h. */
#include "rtm/output.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "output/canvas.h"

#define CW 960
#define CH 640
#define PL 86  /* plot area: left, right, top, bottom edges */
#define PR (CW - 32)
#define PT 84
#define PB (CH - 72)
#define MAX_SERIES 8

static const unsigned char WHITE[4] = {255, 255, 255, 255};
static const unsigned char INK[4] = {34, 34, 34, 255};
static const unsigned char INK2[4] = {80, 80, 80, 255};
static const unsigned char GRID[4] = {225, 225, 225, 255};

/* Okabe & Ito (2008), "Color universal design": colour-blind-safe palette. */
static const unsigned char PALETTE[MAX_SERIES][4] = {
    {0, 114, 178, 255}, {230, 159, 0, 255},  {0, 158, 115, 255}, {213, 94, 0, 255},
    {204, 121, 167, 255}, {86, 180, 233, 255}, {0, 0, 0, 255},     {240, 228, 66, 255}};
/* dash patterns (on, off) in pixels; {0, 0} = solid */
static const double DASH[MAX_SERIES][2] = {{0, 0}, {12, 7}, {3, 5}, {16, 5},
                                           {0, 0}, {12, 7}, {3, 5}, {16, 5}};

typedef struct axis {
    double lo, hi, step;
} axis;

/* Round tick step (1, 2 or 5 x 10^k) for about n intervals. */
static double nice_step(double span, int n)
{
    double raw = span / n, p = pow(10.0, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * p;
}

static void axis_fit(axis *a, double lo, double hi, int from_zero)
{
    if (from_zero && lo > 0)
        lo = 0;
    if (!(hi > lo)) {
        lo -= 1;
        hi += 1;
    }
    a->step = nice_step(hi - lo, 5);
    a->lo = floor(lo / a->step + 1e-9) * a->step;
    a->hi = ceil(hi / a->step - 1e-9) * a->step;
}

static void fmt_tick(char *buf, size_t sz, double v, double step)
{
    int d = (int)-floor(log10(step) + 1e-9);
    snprintf(buf, sz, "%.*f", d < 0 ? 0 : d > 6 ? 6 : d, fabs(v) < step * 1e-6 ? 0.0 : v);
}

static double map_x(const axis *a, double x)
{
    return PL + (x - a->lo) / (a->hi - a->lo) * (PR - PL);
}

static double map_y(const axis *a, double y)
{
    return PB - (y - a->lo) / (a->hi - a->lo) * (PB - PT);
}

static int data_range(const rtm_chart_series *s, int ns, axis *ax, axis *ay)
{
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int k = 0; k < ns; k++)
        for (size_t i = 0; i < s[k].n; i++) {
            if (!isfinite(s[k].x[i]) || !isfinite(s[k].y[i]))
                continue;
            x0 = fmin(x0, s[k].x[i]);
            x1 = fmax(x1, s[k].x[i]);
            y0 = fmin(y0, s[k].y[i]);
            y1 = fmax(y1, s[k].y[i]);
        }
    if (!isfinite(x0))
        return -1;
    axis_fit(ax, x0, x1, 0);
    axis_fit(ay, y0, y1, y0 >= 0);
    return 0;
}

static int draw_axes(rtm_canvas *c, const axis *ax, const axis *ay, rtm_error *err)
{
    char buf[64];
    int w, asc;
    for (double v = ax->lo; v <= ax->hi + ax->step * 1e-6; v += ax->step) {
        double x = floor(map_x(ax, v)) + 0.5;
        rtm_canvas_line(c, x, PT, x, PB, 1, GRID);
        rtm_canvas_line(c, x, PB, x, PB + 5, 1, INK);
        fmt_tick(buf, sizeof buf, v, ax->step);
        if (rtm_canvas_text_size(c, buf, 12, RTM_TEXT_REGULAR, &w, &asc, NULL, err) ||
            rtm_canvas_text(c, (int)x - w / 2, PB + 8 + asc, buf, 12, RTM_TEXT_REGULAR, INK, err))
            return -1;
    }
    for (double v = ay->lo; v <= ay->hi + ay->step * 1e-6; v += ay->step) {
        double y = floor(map_y(ay, v)) + 0.5;
        rtm_canvas_line(c, PL, y, PR, y, 1, GRID);
        rtm_canvas_line(c, PL - 5, y, PL, y, 1, INK);
        fmt_tick(buf, sizeof buf, v, ay->step);
        if (rtm_canvas_text_size(c, buf, 12, RTM_TEXT_REGULAR, &w, &asc, NULL, err) ||
            rtm_canvas_text(c, PL - 9 - w, (int)y + asc / 2 - 1, buf, 12, RTM_TEXT_REGULAR, INK,
                            err))
            return -1;
    }
    rtm_canvas_line(c, PL - 0.5, PT, PL - 0.5, PB + 0.5, 1, INK);
    rtm_canvas_line(c, PL - 0.5, PB + 0.5, PR, PB + 0.5, 1, INK);
    return 0;
}

/* Segment drawn through a dash pattern (on, off); *phase carries the
 * pattern position across the vertices of a polyline. */
static void dash_line(rtm_canvas *c, double xa, double ya, double xb, double yb,
                      const unsigned char col[4], const double dash[2], double *phase)
{
    double len = hypot(xb - xa, yb - ya), period = dash[0] + dash[1];
    if (period <= 0) {
        rtm_canvas_line(c, xa, ya, xb, yb, 2.5, col);
        return;
    }
    for (double t = 0; t < len;) {
        double p = fmod(*phase, period);
        int on = p < dash[0];
        double step = fmin(on ? dash[0] - p : period - p, len - t);
        if (on)
            rtm_canvas_line(c, xa + (xb - xa) * t / len, ya + (yb - ya) * t / len,
                            xa + (xb - xa) * (t + step) / len, ya + (yb - ya) * (t + step) / len,
                            2.5, col);
        t += step;
        *phase += step;
    }
}

/* Polyline; non-finite points break it. */
static void draw_series(rtm_canvas *c, const rtm_chart_series *s, const axis *ax,
                        const axis *ay, const unsigned char col[4], const double dash[2])
{
    double phase = 0;
    for (size_t i = 1; i < s->n; i++) {
        if (!isfinite(s->x[i - 1]) || !isfinite(s->y[i - 1]) || !isfinite(s->x[i]) ||
            !isfinite(s->y[i]))
            continue;
        dash_line(c, map_x(ax, s->x[i - 1]), map_y(ay, s->y[i - 1]), map_x(ax, s->x[i]),
                  map_y(ay, s->y[i]), col, dash, &phase);
    }
}

/* One row above the plot: a line sample and the name of each series. */
static int draw_legend(rtm_canvas *c, const rtm_chart_series *s, int ns, rtm_error *err)
{
    int x = PL, y = PT - 20, w;
    for (int k = 0; k < ns; k++) {
        double phase = 0;
        if (!s[k].name || !*s[k].name)
            continue;
        dash_line(c, x, y - 4.5, x + 34, y - 4.5, PALETTE[k], DASH[k], &phase);
        if (rtm_canvas_text_size(c, s[k].name, 13, RTM_TEXT_REGULAR, &w, NULL, NULL, err) ||
            rtm_canvas_text(c, x + 42, y, s[k].name, 13, RTM_TEXT_REGULAR, INK, err))
            return -1;
        x += 42 + w + 26;
    }
    return 0;
}

static int check_series(const rtm_chart_series *s, int ns, rtm_error *err)
{
    if (!s || ns < 1 || ns > MAX_SERIES)
        return rtm_error_set(err, RTM_ERR_ARG, "chart: number of series must be 1..%d (got %d)",
                             MAX_SERIES, ns);
    for (int k = 0; k < ns; k++)
        if (s[k].n > 0 && (!s[k].x || !s[k].y))
            return rtm_error_set(err, RTM_ERR_ARG, "chart: series %d has no data arrays", k + 1);
    return 0;
}

static int draw_chart(rtm_canvas *c, const char *title, const char *xlabel, const char *ylabel,
                      const rtm_chart_series *s, int ns, rtm_error *err)
{
    axis ax, ay;
    int w, asc;
    if (rtm_canvas_fonts_load(c, err))
        return -1;
    if (data_range(s, ns, &ax, &ay) != 0)
        return rtm_error_set(err, RTM_ERR_INPUT, "chart: no finite point to plot");
    if (title && *title &&
        rtm_canvas_text(c, PL, 34, title, 18, RTM_TEXT_BOLD, INK, err))
        return -1;
    if (draw_axes(c, &ax, &ay, err) || draw_legend(c, s, ns, err))
        return -1;
    for (int k = 0; k < ns; k++)
        draw_series(c, &s[k], &ax, &ay, PALETTE[k], DASH[k]);
    if (xlabel && *xlabel &&
        (rtm_canvas_text_size(c, xlabel, 14, RTM_TEXT_REGULAR, &w, &asc, NULL, err) ||
         rtm_canvas_text(c, (PL + PR) / 2 - w / 2, CH - 22, xlabel, 14, RTM_TEXT_REGULAR, INK2,
                         err)))
        return -1;
    if (ylabel && *ylabel &&
        (rtm_canvas_text_size(c, ylabel, 14, RTM_TEXT_REGULAR, &w, &asc, NULL, err) ||
         rtm_canvas_text_vertical(c, 16 + asc, (PT + PB) / 2 + w / 2, ylabel, 14,
                                  RTM_TEXT_REGULAR, INK2, err)))
        return -1;
    return 0;
}

int rtm_chart_png_write(const char *path, const char *title, const char *xlabel,
                        const char *ylabel, const rtm_chart_series *s, int nseries,
                        rtm_error *err)
{
    int rc = check_series(s, nseries, err);
    if (rc)
        return rc;
    rtm_canvas *c = rtm_canvas_create(CW, CH, WHITE, err);
    if (!c)
        return err ? err->code : RTM_ERR_NOMEM;
    rtm_error_clear(err);
    if (draw_chart(c, title, xlabel, ylabel, s, nseries, err) != 0)
        rc = err && err->code ? err->code : RTM_ERR_IO;
    else
        rc = rtm_png_write_rgba(path, c->px, c->w, c->h, err);
    rtm_canvas_free(c);
    return rc;
}
