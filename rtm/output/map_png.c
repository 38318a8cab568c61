/* map_png.c: briefing heatmaps: continuous, classed and categorical maps
 * with title, legend, scale bar, north arrow, and georeferencing by world
 * file and CRS sidecar (see rtm/output.h for the layout and the
 * georeferencing modes). */
#include "rtm/output.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/atomic.h"
#include "output/canvas.h"
#include "output/palette.h"
#include "rtm/input.h"

#define MARGIN 16
#define COL_GAP 28

static const unsigned char WHITE[4] = {255, 255, 255, 255};
static const unsigned char INK[4] = {34, 34, 34, 255};
static const unsigned char INK2[4] = {68, 68, 68, 255};
static const unsigned char INK3[4] = {110, 110, 110, 255};
static const unsigned char FRAME[4] = {150, 150, 150, 255};
static const unsigned char CLEAR[4] = {255, 255, 255, 0};

void rtm_map_opts_init(rtm_map_opts *o)
{
    memset(o, 0, sizeof *o);
    o->classes = RTM_CLASS_QUANTILE;
    o->legend = 1;
    o->scale_bar = 1;
    o->north_arrow = 1;
    o->max_pixels = 1600;
    o->min_pixels = 480;
}

/* What the legend shows. */
enum { LEG_EMPTY, LEG_BAR, LEG_ITEMS };
typedef struct legend {
    int kind, ramp;
    double vmin, vmax;           /* LEG_BAR */
    int n;                       /* LEG_ITEMS, listed top to bottom */
    unsigned char rgb[RTM_CLASS_MAX][3];
    char label[RTM_CLASS_MAX][96];
    const char *note;            /* small line under the items, or NULL */
} legend;

/* The map panel before scaling: bw x bh blocks of down x down cells. */
typedef struct panel {
    int bw, bh, down, up;
    unsigned char *rgba; /* bw*bh*4 */
} panel;

/* ---- scale ---------------------------------------------------------- */

static int idiv_ceil(int a, int b)
{
    return (a + b - 1) / b;
}

static void panel_scale(const rtm_grid *g, const rtm_map_opts *o, panel *p)
{
    int lng = g->ncols > g->nrows ? g->ncols : g->nrows;
    p->down = o->max_pixels > 0 && lng > o->max_pixels ? idiv_ceil(lng, o->max_pixels) : 1;
    p->up = 1;
    if (p->down == 1 && o->min_pixels > 0 && lng < o->min_pixels) {
        p->up = idiv_ceil(o->min_pixels, lng);
        while (p->up > 1 && o->max_pixels > 0 && lng * p->up > o->max_pixels)
            p->up--;
    }
    p->bw = idiv_ceil(g->ncols, p->down);
    p->bh = idiv_ceil(g->nrows, p->down);
}

/* Average of the inside, finite cells of each down x down block (a box
 * filter, the right resampling for densities: it preserves the mean).
 * has[k] = 0 when the block has no such cell. */
static void block_average(const rtm_grid *g, const double *v, const unsigned char *mask,
                          const panel *p, double *out, unsigned char *has)
{
    for (int bi = 0; bi < p->bh; bi++) {
        for (int bj = 0; bj < p->bw; bj++) {
            double s = 0.0;
            int n = 0;
            for (int i = bi * p->down; i < (bi + 1) * p->down && i < g->nrows; i++)
                for (int j = bj * p->down; j < (bj + 1) * p->down && j < g->ncols; j++) {
                    size_t k = (size_t)i * (size_t)g->ncols + (size_t)j;
                    if ((!mask || mask[k]) && isfinite(v[k])) {
                        s += v[k];
                        n++;
                    }
                }
            size_t b = (size_t)bi * (size_t)p->bw + (size_t)bj;
            has[b] = n > 0;
            out[b] = n > 0 ? s / n : 0.0;
        }
    }
}

/* ---- number labels ---------------------------------------------------- */

/* Decimals that resolve differences of `step`; %g for extreme magnitudes. */
static void fmt_num(char *buf, size_t sz, double x, double step, double big)
{
    if (big >= 1e7 || (big > 0 && big < 1e-4)) {
        snprintf(buf, sz, "%.2e", x); /* same width for every label */
        return;
    }
    int d = step > 0 ? (int)-floor(log10(step)) + 1 : 2;
    d = d < 0 ? 0 : d > 6 ? 6 : d;
    snprintf(buf, sz, "%.*f", d, x);
    if (strcmp(buf, "-0") == 0 || strspn(buf, "-0.") == strlen(buf))
        snprintf(buf, sz, "%.*f", d, 0.0); /* no "-0.00" */
}

/* Smallest positive gap between consecutive breaks (label resolution). */
static double min_gap(const double *b, int n, double *big)
{
    double gap = INFINITY;
    *big = 0;
    for (int k = 0; k <= n; k++) {
        if (fabs(b[k]) > *big)
            *big = fabs(b[k]);
        if (k > 0 && b[k] - b[k - 1] > 0 && b[k] - b[k - 1] < gap)
            gap = b[k] - b[k - 1];
    }
    return isfinite(gap) ? gap : (*big > 0 ? *big / 100 : 1);
}

/* ---- layout and drawing --------------------------------------------- */

typedef struct text_m {
    int w, asc, desc;
} text_m;

static int measure(rtm_canvas *c, const char *s, double size, int style, text_m *m,
                   rtm_error *err)
{
    m->w = m->asc = m->desc = 0;
    if (!s || !*s)
        return 0;
    return rtm_canvas_text_size(c, s, size, style, &m->w, &m->asc, &m->desc, err);
}

#define SZ_TITLE 20.0
#define SZ_SUB 13.0
#define SZ_HEAD 13.0
#define SZ_LABEL 12.0
#define SZ_SMALL 10.5
#define BAR_W 18
#define SWATCH_W 28
#define SWATCH_H 16
#define ROW_H 22
#define ARROW_H 46

typedef struct layout {
    int W, H;
    int ox, oy, pw, ph;      /* map panel */
    int title_y, sub_y;      /* baselines */
    int lx, ly, lw;          /* legend column */
    int bar_h;               /* continuous legend bar height */
    int arrow_y;             /* top of north arrow block */
    int scale_y;             /* top of scale bar block */
    int attr_y;              /* attribution baseline */
} layout;

/* Nice round length <= target: 1, 2 or 5 times a power of ten. */
static double nice_floor(double target)
{
    double p = pow(10.0, floor(log10(target)));
    double m = target / p;
    return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * p;
}

static void scale_label(char *buf, size_t sz, double metres)
{
    if (metres >= 1000)
        snprintf(buf, sz, "%g km", metres / 1000);
    else
        snprintf(buf, sz, "%g m", metres);
}

/* Nice tick step for about n ticks over [a, b]. */
static double nice_step(double a, double b, int n)
{
    double raw = (b - a) / n;
    double p = pow(10.0, floor(log10(raw)));
    double m = raw / p;
    return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * p;
}

static int legend_width(rtm_canvas *c, const legend *lg, const rtm_map_opts *o, int bar_h,
                        rtm_error *err)
{
    text_m m;
    int w = 0;
    if (measure(c, o->units_label, SZ_HEAD, RTM_TEXT_BOLD, &m, err))
        return -1;
    w = m.w;
    if (lg->note) {
        if (measure(c, lg->note, SZ_SMALL, RTM_TEXT_REGULAR, &m, err))
            return -1;
        w = m.w > w ? m.w : w;
    }
    if (lg->kind == LEG_ITEMS) {
        for (int k = 0; k < lg->n; k++) {
            if (measure(c, lg->label[k], SZ_LABEL, RTM_TEXT_REGULAR, &m, err))
                return -1;
            if (SWATCH_W + 8 + m.w > w)
                w = SWATCH_W + 8 + m.w;
        }
    } else {
        char a[64], b[64];
        double big = fmax(fabs(lg->vmin), fabs(lg->vmax));
        double st = lg->kind == LEG_BAR && lg->vmax > lg->vmin
                        ? nice_step(lg->vmin, lg->vmax, bar_h / 40 + 1) : big / 100;
        fmt_num(a, sizeof a, lg->vmin, st, big);
        fmt_num(b, sizeof b, lg->vmax, st, big);
        const char *s[] = {a, b, "no values to show"};
        for (int k = 0; k < 3; k++) {
            if (measure(c, s[k], SZ_LABEL, RTM_TEXT_REGULAR, &m, err))
                return -1;
            if (BAR_W + 10 + m.w > w)
                w = BAR_W + 10 + m.w;
        }
    }
    return w < 120 ? 120 : w;
}

static int do_layout(rtm_canvas *c, const panel *p, const legend *lg, const rtm_map_opts *o,
                     layout *L, rtm_error *err)
{
    text_m t, s, h, a, lab;
    if (measure(c, o->title, SZ_TITLE, RTM_TEXT_BOLD, &t, err) ||
        measure(c, o->subtitle, SZ_SUB, RTM_TEXT_REGULAR, &s, err) ||
        measure(c, o->units_label, SZ_HEAD, RTM_TEXT_BOLD, &h, err) ||
        measure(c, o->attribution, SZ_SMALL, RTM_TEXT_REGULAR, &a, err) ||
        measure(c, "0 km", SZ_SMALL, RTM_TEXT_REGULAR, &lab, err))
        return -1;
    memset(L, 0, sizeof *L);
    L->pw = p->bw * p->up;
    L->ph = p->bh * p->up;
    int y = MARGIN;
    if (t.w) {
        L->title_y = y + t.asc;
        y = L->title_y + t.desc + 2;
    }
    if (s.w) {
        L->sub_y = y + s.asc;
        y = L->sub_y + s.desc;
    }
    y += (t.w || s.w) ? 12 : 0;
    L->ox = MARGIN + 1;
    L->oy = y + 1;
    int left_bottom = L->oy + L->ph + 1;
    if (o->scale_bar) {
        L->scale_y = left_bottom + 12;
        left_bottom = L->scale_y + 8 + 4 + lab.asc + lab.desc;
    }
    if (a.w) {
        L->attr_y = left_bottom + 10 + a.asc;
        left_bottom = L->attr_y + a.desc;
    }
    L->bar_h = L->ph * 6 / 10;
    L->bar_h = L->bar_h < 160 ? 160 : L->bar_h > 320 ? 320 : L->bar_h;
    L->lx = L->ox + L->pw + 1 + COL_GAP;
    L->ly = L->oy;
    L->lw = 0;
    int col_bottom = L->ly;
    if (o->legend) {
        L->lw = legend_width(c, lg, o, L->bar_h, err);
        if (L->lw < 0)
            return -1;
        int hh = h.w ? h.asc + h.desc + 8 : 0;
        int body = lg->kind == LEG_ITEMS ? lg->n * ROW_H : lg->kind == LEG_BAR ? L->bar_h + 8 : ROW_H;
        body += lg->note ? ROW_H : 0;
        col_bottom = L->ly + hh + body;
    }
    if (o->north_arrow) {
        L->arrow_y = col_bottom + (o->legend ? 24 : 0);
        col_bottom = L->arrow_y + ARROW_H + 18;
        if (L->lw < 40)
            L->lw = 40;
    }
    int right = L->lw ? L->lx + L->lw : L->ox + L->pw + 1;
    int need_w = (t.w > s.w ? t.w : s.w) + 2 * MARGIN;
    L->W = right + MARGIN;
    if (L->W < need_w)
        L->W = need_w;
    if (L->W < a.w + 2 * MARGIN)
        L->W = a.w + 2 * MARGIN;
    L->H = (left_bottom > col_bottom ? left_bottom : col_bottom) + MARGIN;
    return 0;
}

static int draw_legend(rtm_canvas *c, const legend *lg, const rtm_map_opts *o, const layout *L,
                       rtm_error *err)
{
    text_m h, lab;
    int y = L->ly;
    if (measure(c, o->units_label, SZ_HEAD, RTM_TEXT_BOLD, &h, err) ||
        measure(c, "0", SZ_LABEL, RTM_TEXT_REGULAR, &lab, err))
        return -1;
    if (h.w) {
        if (rtm_canvas_text(c, L->lx, y + h.asc, o->units_label, SZ_HEAD, RTM_TEXT_BOLD, INK, err))
            return -1;
        y += h.asc + h.desc + 8;
    }
    int mid = (lab.asc - lab.desc) / 2; /* baseline offset to centre digits on a line */
    if (lg->kind == LEG_EMPTY)
        return rtm_canvas_text(c, L->lx, y + lab.asc, "no values to show", SZ_LABEL,
                               RTM_TEXT_REGULAR, INK2, err);
    if (lg->kind == LEG_ITEMS) {
        for (int k = 0; k < lg->n; k++, y += ROW_H) {
            unsigned char col[4] = {lg->rgb[k][0], lg->rgb[k][1], lg->rgb[k][2], 255};
            rtm_canvas_fill_rect(c, L->lx, y, SWATCH_W, SWATCH_H, col);
            rtm_canvas_rect(c, L->lx, y, SWATCH_W, SWATCH_H, FRAME);
            if (rtm_canvas_text(c, L->lx + SWATCH_W + 8, y + SWATCH_H / 2 + mid, lg->label[k],
                                SZ_LABEL, RTM_TEXT_REGULAR, INK, err))
                return -1;
        }
        return lg->note ? rtm_canvas_text(c, L->lx, y + 4 + lab.asc, lg->note, SZ_SMALL,
                                          RTM_TEXT_REGULAR, INK3, err)
                        : 0;
    }
    /* continuous colour bar, maximum on top, ticks at min, max and round values */
    int top = y + lab.asc / 2, H = L->bar_h;
    for (int r = 0; r < H; r++) {
        unsigned char rgb[3];
        rtm_ramp_color(lg->ramp, H > 1 ? 1.0 - (double)r / (H - 1) : 1.0, rgb);
        unsigned char col[4] = {rgb[0], rgb[1], rgb[2], 255};
        rtm_canvas_fill_rect(c, L->lx, top + r, BAR_W, 1, col);
    }
    rtm_canvas_rect(c, L->lx - 1, top - 1, BAR_W + 2, H + 2, FRAME);
    double a = lg->vmin, b = lg->vmax, big = fmax(fabs(a), fabs(b));
    double st = b > a ? nice_step(a, b, H / 40 + 1) : big / 100;
    int ny = 0;
    double ticks[64];
    ticks[ny++] = b;
    if (b > a)
        ticks[ny++] = a;
    for (double v = ceil(a / st) * st; b > a && v < b && ny < 64; v += st)
        if ((v - a) / (b - a) * (H - 1) > lab.asc + 4 && (b - v) / (b - a) * (H - 1) > lab.asc + 4)
            ticks[ny++] = v;
    for (int k = 0; k < ny; k++) {
        char buf[64];
        int ty = b > a ? top + (int)lround((b - ticks[k]) / (b - a) * (H - 1)) : top;
        /* round ticks at the step's precision, min and max one digit finer */
        fmt_num(buf, sizeof buf, ticks[k], k < 2 || !(b > a) ? st : st * 10, big);
        rtm_canvas_fill_rect(c, L->lx + BAR_W, ty, 4, 1, INK2);
        if (rtm_canvas_text(c, L->lx + BAR_W + 8, ty + mid, buf, SZ_LABEL, RTM_TEXT_REGULAR, INK,
                            err))
            return -1;
    }
    return 0;
}

static int draw_north(rtm_canvas *c, const layout *L, rtm_error *err)
{
    text_m n;
    if (measure(c, "N", 13, RTM_TEXT_BOLD, &n, err))
        return -1;
    double cx = L->lx + 16.5, top = L->arrow_y + n.asc + 6, bot = top + ARROW_H - n.asc - 6;
    if (rtm_canvas_text(c, (int)lround(cx - n.w / 2.0), L->arrow_y + n.asc, "N", 13,
                        RTM_TEXT_BOLD, INK, err))
        return -1;
    double left[6] = {cx, top, cx - 9, bot, cx, bot - 8};
    double right[6] = {cx, top, cx + 9, bot, cx, bot - 8};
    rtm_canvas_fill_triangle(c, left, INK);
    rtm_canvas_fill_triangle(c, right, WHITE);
    rtm_canvas_line(c, cx, top, cx + 9, bot, 1.2, INK);
    rtm_canvas_line(c, cx + 9, bot, cx, bot - 8, 1.2, INK);
    return 0;
}

/* Scale bar: a nice round length in metres of at most a quarter of the
 * panel width (at most 260 px, but up to 100 px on narrow panels), four
 * alternating black/white segments, labels 0 and total. pxsize is a PNG
 * pixel in metres (0: no scale bar). */
static int draw_scale(rtm_canvas *c, const layout *L, double pxsize, rtm_error *err)
{
    double target = fmin(fmax(L->pw / 4.0, fmin(100.0, L->pw * 0.8)), 260.0) * pxsize;
    if (!(target > 0))
        return 0;
    double len = nice_floor(target);
    int bar = (int)lround(len / pxsize), x = L->ox, y = L->scale_y;
    if (bar < 8)
        return 0;
    for (int s = 0; s < 4; s++) {
        int xa = x + bar * s / 4, xb = x + bar * (s + 1) / 4;
        rtm_canvas_fill_rect(c, xa, y, xb - xa, 6, s % 2 ? WHITE : INK);
    }
    rtm_canvas_rect(c, x, y, bar + 1, 7, INK);
    char buf[64];
    text_m m;
    scale_label(buf, sizeof buf, len);
    if (measure(c, buf, SZ_SMALL, RTM_TEXT_REGULAR, &m, err) ||
        rtm_canvas_text(c, x, y + 10 + m.asc, "0", SZ_SMALL, RTM_TEXT_REGULAR, INK, err) ||
        rtm_canvas_text(c, x + bar - m.w / 2, y + 10 + m.asc, buf, SZ_SMALL, RTM_TEXT_REGULAR, INK,
                        err))
        return -1;
    return 0;
}

/* Copy the block colours into the panel, replicating each `up` times. */
static void draw_panel(rtm_canvas *c, const panel *p, const layout *L)
{
    for (int y = 0; y < L->ph; y++)
        for (int x = 0; x < L->pw; x++) {
            size_t b = (size_t)(y / p->up) * (size_t)p->bw + (size_t)(x / p->up);
            rtm_canvas_set(c, L->ox + x, L->oy + y, p->rgba + 4 * b);
        }
    rtm_canvas_rect(c, L->ox - 1, L->oy - 1, L->pw + 2, L->ph + 2, FRAME);
}

static int draw_all(rtm_canvas *c, const panel *p, const legend *lg, const rtm_map_opts *o,
                    const layout *L, double pxsize, rtm_error *err)
{
    draw_panel(c, p, L);
    if (o->title && *o->title &&
        rtm_canvas_text(c, MARGIN, L->title_y, o->title, SZ_TITLE, RTM_TEXT_BOLD, INK, err))
        return -1;
    if (o->subtitle && *o->subtitle &&
        rtm_canvas_text(c, MARGIN, L->sub_y, o->subtitle, SZ_SUB, RTM_TEXT_REGULAR, INK2, err))
        return -1;
    if (o->legend && draw_legend(c, lg, o, L, err))
        return -1;
    if (o->north_arrow && draw_north(c, L, err))
        return -1;
    if (o->scale_bar && draw_scale(c, L, pxsize, err))
        return -1;
    if (o->attribution && *o->attribution &&
        rtm_canvas_text(c, MARGIN, L->attr_y, o->attribution, SZ_SMALL, RTM_TEXT_REGULAR, INK3,
                        err))
        return -1;
    return 0;
}

/* The marks over the panel: outlines, then each label in a white box. */
static int draw_marks(rtm_canvas *c, const rtm_grid *g, const layout *L, double px,
                      const rtm_map_opts *o, rtm_error *err)
{
    static const unsigned char MARK[4] = {165, 0, 38, 255}, BOX[4] = {255, 255, 255, 220};
    double ytop = g->y0 + g->nrows * g->res;
    for (int m = 0; m < o->nmarks; m++) {
        const rtm_map_mark *k = &o->marks[m];
        double sx = 0, sy = 0;
        for (int a = 0; a < k->n; a++) {
            double x = L->ox + (k->xy[2 * a] - g->x0) / px;
            double y = L->oy + (ytop - k->xy[2 * a + 1]) / px;
            if (a > 0)
                rtm_canvas_line(c, L->ox + (k->xy[2 * a - 2] - g->x0) / px,
                                L->oy + (ytop - k->xy[2 * a - 1]) / px, x, y, 2.0, MARK);
            sx += x, sy += y;
        }
        if (!k->label || !k->n)
            continue;
        text_m t;
        if (measure(c, k->label, SZ_SMALL, RTM_TEXT_BOLD, &t, err))
            return -1;
        int cx = (int)lround(sx / k->n), cy = (int)lround(sy / k->n);
        rtm_canvas_fill_rect(c, cx - t.w / 2 - 3, cy - t.asc / 2 - 3, t.w + 6, t.asc + 6, BOX);
        if (rtm_canvas_text(c, cx - t.w / 2, cy + t.asc / 2, k->label, SZ_SMALL,
                            RTM_TEXT_BOLD, MARK, err))
            return -1;
    }
    return 0;
}

/* Add the world file (pixel size px, upper-left pixel centred on (xc, yc))
 * and, when the grid has a CRS, the CRS sidecar of image `png` to the set. */
static int add_georef(rtm_atomic_set *set, const char *png, const rtm_grid *g, double px,
                      double xc, double yc, rtm_error *err)
{
    char wpath[RTM_ATOMIC_PATH_MAX], apath[RTM_ATOMIC_PATH_MAX];
    const char *tw, *ta = NULL;
    if (rtm_png_world_path(png, wpath, sizeof wpath, err) ||
        rtm_png_aux_path(png, apath, sizeof apath, err) ||
        !(tw = rtm_atomic_set_add(set, wpath, err)) ||
        (g->crs[0] && !(ta = rtm_atomic_set_add(set, apath, err))) ||
        rtm_png_world_write(tw, px, xc, yc, err) || (ta && rtm_png_aux_write(ta, g->crs, err)))
        return err ? err->code : RTM_ERR_IO;
    return 0;
}

/* The map panel alone (no frame, title or legend), georeferenced: its
 * upper-left pixel is centred on the grid's upper-left cell block. */
static int add_map_only(rtm_atomic_set *set, const char *path, const rtm_grid *g,
                        const panel *p, const layout *L, rtm_error *err)
{
    char mpath[RTM_ATOMIC_PATH_MAX];
    const char *tm;
    double px = g->res * p->down / p->up, ytop = g->y0 + g->nrows * g->res;
    if (rtm_map_png_georef_path(path, mpath, sizeof mpath, err))
        return err ? err->code : RTM_ERR_ARG;
    unsigned char *rgba = malloc((size_t)L->pw * (size_t)L->ph * 4);
    if (!rgba)
        return rtm_error_set(err, RTM_ERR_NOMEM, "map: out of memory");
    for (int y = 0; y < L->ph; y++)
        for (int x = 0; x < L->pw; x++)
            memcpy(rgba + 4 * ((size_t)y * (size_t)L->pw + (size_t)x),
                   p->rgba + 4 * ((size_t)(y / p->up) * (size_t)p->bw + (size_t)(x / p->up)), 4);
    int rc = !(tm = rtm_atomic_set_add(set, mpath, err)) ||
             rtm_png_write_rgba(tm, rgba, L->pw, L->ph, err) ||
             add_georef(set, mpath, g, px, g->x0 + 0.5 * px, ytop - 0.5 * px, err);
    free(rgba);
    return rc ? (err ? err->code : RTM_ERR_IO) : 0;
}

/* The sidecars this writer may have made for path earlier (world file and
 * CRS sidecar of X.png, and of X_map.png in map-only mode) that the set
 * does not write now, into out; their count. Removed after the commit, so
 * an old world file cannot go on placing a briefing picture on the ground. */
static int stale_sidecars(const char *path, const rtm_map_opts *o, const rtm_atomic_set *set,
                          char out[4][RTM_ATOMIC_PATH_MAX])
{
    char img[2][RTM_ATOMIC_PATH_MAX], side[2][RTM_ATOMIC_PATH_MAX];
    int ni = 1, n = 0;
    snprintf(img[0], sizeof img[0], "%s", path);
    if (o->georef == RTM_MAP_GEOREF_MAP_ONLY &&
        rtm_map_png_georef_path(path, img[1], sizeof img[1], NULL) == 0)
        ni = 2;
    for (int i = 0; i < ni; i++) {
        if (rtm_png_world_path(img[i], side[0], sizeof side[0], NULL) ||
            rtm_png_aux_path(img[i], side[1], sizeof side[1], NULL))
            continue;
        for (int j = 0; j < 2; j++) {
            int written = 0;
            for (int k = 0; k < set->n; k++)
                written |= strcmp(set->path[k], side[j]) == 0;
            if (!written)
                memcpy(out[n++], side[j], sizeof side[j]);
        }
    }
    return n;
}

/* Write the PNG and the georeferencing o->georef asks for as one atomic
 * set: all or none. */
static int write_files(const char *path, const rtm_canvas *img, const rtm_grid *g,
                       const panel *p, const layout *L, const rtm_map_opts *o, rtm_error *err)
{
    rtm_atomic_set set;
    const char *tp;
    double px = g->res * p->down / p->up, ytop = g->y0 + g->nrows * g->res;
    int rc;
    rtm_atomic_set_init(&set);
    rc = !(tp = rtm_atomic_set_add(&set, path, err)) ||
         rtm_png_write_rgba(tp, img->px, img->w, img->h, err);
    /* composed: centre of PNG pixel (0,0) such that panel pixel (0,0), at
     * (ox, oy), is centred on (x0 + px/2, ytop - px/2) */
    if (!rc && o->georef == RTM_MAP_GEOREF_COMPOSED)
        rc = add_georef(&set, path, g, px, g->x0 + (0.5 - L->ox) * px,
                        ytop - (0.5 - L->oy) * px, err);
    else if (!rc && o->georef == RTM_MAP_GEOREF_MAP_ONLY)
        rc = add_map_only(&set, path, g, p, L, err);
    if (rc) {
        rtm_atomic_set_abort_all(&set);
        return err ? err->code : RTM_ERR_IO;
    }
    char stale[4][RTM_ATOMIC_PATH_MAX];
    int nstale = stale_sidecars(path, o, &set, stale);
    if ((rc = rtm_atomic_set_commit_all(&set, err)) != 0)
        return rc;
    for (int k = 0; k < nstale; k++)
        unlink(stale[k]);
    return 0;
}

int rtm_map_png_georef_path(const char *png_path, char *out, size_t outsz, rtm_error *err)
{
    const char *slash = strrchr(png_path, '/');
    const char *name = slash ? slash + 1 : png_path;
    const char *dot = strrchr(name, '.');
    size_t stem = (dot && dot != name) ? (size_t)(dot - png_path) : strlen(png_path);
    int n = snprintf(out, outsz, "%.*s_map.png", (int)stem, png_path);
    if (n < 0 || (size_t)n >= outsz)
        return rtm_error_set(err, RTM_ERR_ARG, "map: path too long '%s'", png_path);
    return 0;
}

/* Metres per CRS unit for the scale bar: 1 without a CRS (rtm's grids are
 * in metres unless told otherwise), the linear unit of a projected CRS
 * (0.3048 for feet), 0 for a geographic or unknown one (no scale bar: a
 * degree has no fixed length). */
static double metres_per_unit(const rtm_grid *g)
{
    return g->crs[0] ? rtm_crs_metres_per_unit(g->crs) : 1.0;
}

/* Lay out, draw, write the PNG and its world file. */
static int compose(const char *path, const rtm_grid *g, const panel *p, const legend *lg,
                   const rtm_map_opts *o, rtm_error *err)
{
    rtm_canvas *c = rtm_canvas_create(1, 1, WHITE, err), *img = NULL;
    layout L;
    int rc = -1;
    if (!c)
        return err ? err->code : RTM_ERR_NOMEM;
    if (rtm_canvas_set_fonts(c, o->font, o->font_bold, err) || rtm_canvas_fonts_load(c, err) ||
        do_layout(c, p, lg, o, &L, err))
        goto done;
    img = rtm_canvas_create(L.W, L.H, WHITE, err);
    if (!img || rtm_canvas_set_fonts(img, o->font, o->font_bold, err) ||
        draw_all(img, p, lg, o, &L, g->res * p->down / p->up * metres_per_unit(g), err) ||
        (o->nmarks > 0 && draw_marks(img, g, &L, g->res * p->down / p->up, o, err)))
        goto done;
    rc = write_files(path, img, g, p, &L, o, err);
done:
    rtm_canvas_free(c);
    rtm_canvas_free(img);
    if (rc != 0 && err && err->code == RTM_OK)
        rtm_error_set(err, RTM_ERR_IO, "map: cannot write '%s'", path);
    return rc == 0 ? 0 : (err ? err->code : RTM_ERR_IO);
}

/* ---- public entry points -------------------------------------------- */

static int check_common(const rtm_grid *g, const double *v, const rtm_map_opts *o,
                        rtm_error *err)
{
    if (rtm_grid_check(g, err))
        return err ? err->code : RTM_ERR_ARG;
    if (!v)
        return rtm_error_set(err, RTM_ERR_ARG, "map: no values");
    if (o->max_pixels < 0 || o->min_pixels < 0)
        return rtm_error_set(err, RTM_ERR_ARG, "map: max_pixels/min_pixels must be >= 0");
    if (o->georef < RTM_MAP_GEOREF_COMPOSED || o->georef > RTM_MAP_GEOREF_MAP_ONLY)
        return rtm_error_set(err, RTM_ERR_ARG, "map: unknown georef mode %d", o->georef);
    return 0;
}

static int panel_alloc(panel *p, double **bv, unsigned char **has, rtm_error *err)
{
    size_t n = (size_t)p->bw * (size_t)p->bh;
    p->rgba = malloc(n * 4);
    *bv = malloc(n * sizeof **bv);
    *has = malloc(n);
    if (!p->rgba || !*bv || !*has)
        return rtm_error_set(err, RTM_ERR_NOMEM, "map: out of memory (%zu pixels)", n);
    return 0;
}

/* Keep the blocks shown (above zero_transparent_below); their count. */
static size_t shown_blocks(const rtm_map_opts *o, const double *bv, unsigned char *has, size_t n)
{
    size_t shown = 0;
    for (size_t k = 0; k < n; k++) {
        has[k] = has[k] && bv[k] > o->zero_transparent_below;
        shown += has[k];
    }
    return shown;
}

/* Colours and legend of a continuous or classed heatmap. */
static int heat_colours(const rtm_map_opts *o, int ramp, const double *bv, unsigned char *has,
                        panel *p, legend *lg, rtm_error *err)
{
    size_t n = (size_t)p->bw * (size_t)p->bh, shown = shown_blocks(o, bv, has, n);
    double lo = INFINITY, hi = -INFINITY, br[RTM_CLASS_MAX + 1];
    for (size_t k = 0; k < n; k++) {
        if (has[k]) {
            lo = fmin(lo, bv[k]);
            hi = fmax(hi, bv[k]);
        }
    }
    lg->ramp = ramp;
    lg->kind = shown == 0 ? LEG_EMPTY : o->nclasses > 0 ? LEG_ITEMS : LEG_BAR;
    lg->vmin = lo;
    lg->vmax = hi;
    if (lg->kind == LEG_ITEMS) {
        int m = o->nclasses;
        if (rtm_classify(bv, has, n, o->classes, m, br, err))
            return err ? err->code : RTM_ERR_INPUT;
        static const char *notes[] = {"quantile classes", "equal-interval classes",
                                      "standard-deviation classes above the mean",
                                      "multiples of the mean (1\xc3\x97, 2\xc3\x97, 4\xc3\x97 \xe2\x80\xa6)",
                                      "natural breaks (Jenks)"};
        double big, gap = min_gap(br, m, &big);
        lg->n = m;
        lg->note = notes[o->classes];
        for (int k = 0; k < m; k++) {
            char a[40], b[40];
            int r = m - 1 - k; /* highest class on top */
            rtm_ramp_class_color(ramp, r, m, lg->rgb[k]);
            fmt_num(a, sizeof a, br[r], gap, big);
            fmt_num(b, sizeof b, br[r + 1], gap, big);
            snprintf(lg->label[k], sizeof lg->label[k], "%s \xe2\x80\x93 %s", a, b);
        }
    }
    for (size_t k = 0; k < n; k++) {
        unsigned char *d = p->rgba + 4 * k;
        if (!has[k]) {
            memcpy(d, CLEAR, 4);
            continue;
        }
        if (lg->kind == LEG_ITEMS) {
            int m = o->nclasses, cl = rtm_class_index(bv[k], br, m);
            rtm_ramp_class_color(ramp, cl, m, d);
        } else {
            rtm_ramp_color(ramp, hi > lo ? (bv[k] - lo) / (hi - lo) : 1.0, d);
        }
        d[3] = 255;
    }
    return 0;
}

int rtm_map_png_breaks(const rtm_grid *g, const double *v, const unsigned char *mask,
                       const rtm_map_opts *o, double *breaks, rtm_error *err)
{
    panel p = {0};
    double *bv = NULL;
    unsigned char *has = NULL;
    int rc;
    if (!o || o->nclasses < 1 || o->nclasses > RTM_CLASS_MAX)
        return rtm_error_set(err, RTM_ERR_ARG, "map: number of classes must be 1..%d (got %d)",
                             RTM_CLASS_MAX, o ? o->nclasses : 0);
    if ((rc = check_common(g, v, o, err)) != 0)
        return rc;
    panel_scale(g, o, &p);
    if ((rc = panel_alloc(&p, &bv, &has, err)) == 0) {
        /* the same blocks and shown cells as rtm_map_png_write */
        block_average(g, v, mask, &p, bv, has);
        shown_blocks(o, bv, has, (size_t)p.bw * (size_t)p.bh);
        rc = rtm_classify(bv, has, (size_t)p.bw * (size_t)p.bh, o->classes, o->nclasses, breaks,
                          err);
    }
    free(p.rgba);
    free(bv);
    free(has);
    return rc;
}

int rtm_map_png_write(const char *path, const rtm_grid *g, const double *v,
                      const unsigned char *mask, const rtm_map_opts *o, rtm_error *err)
{
    rtm_map_opts def;
    panel p = {0};
    legend lg;
    double *bv = NULL;
    unsigned char *has = NULL;
    int ramp, rc;
    if (!o) {
        rtm_map_opts_init(&def);
        o = &def;
    }
    if ((rc = check_common(g, v, o, err)) != 0)
        return rc;
    if (o->nclasses < 0 || o->nclasses > RTM_CLASS_MAX)
        return rtm_error_set(err, RTM_ERR_ARG, "map: number of classes must be 0..%d (got %d)",
                             RTM_CLASS_MAX, o->nclasses);
    if (rtm_ramp_parse(o->ramp ? o->ramp : o->nclasses > 0 ? "ylorrd" : "viridis", &ramp, err))
        return err ? err->code : RTM_ERR_ARG;
    memset(&lg, 0, sizeof lg);
    panel_scale(g, o, &p);
    if ((rc = panel_alloc(&p, &bv, &has, err)) == 0) {
        block_average(g, v, mask, &p, bv, has);
        rc = heat_colours(o, ramp, bv, has, &p, &lg, err);
        if (rc == 0)
            rc = compose(path, g, &p, &lg, o, err);
    }
    free(p.rgba);
    free(bv);
    free(has);
    return rc;
}

/* Category index of value x, or -1 (x rounds to no listed value). */
static int category_of(double x, const int *values, int n)
{
    if (!isfinite(x) || fabs(x) > 1e9)
        return -1;
    long r = lround(x);
    for (int k = 0; k < n; k++)
        if (values[k] == r)
            return k;
    return -1;
}

/* Most frequent category of each block; ties go to the value of largest
 * magnitude (the most significant Gi* bin), then to the larger value. */
static void block_mode(const rtm_grid *g, const double *v, const unsigned char *mask,
                       const int *values, int nv, const panel *p, int *out)
{
    for (int bi = 0; bi < p->bh; bi++)
        for (int bj = 0; bj < p->bw; bj++) {
            int cnt[RTM_CLASS_MAX] = {0}, best = -1;
            for (int i = bi * p->down; i < (bi + 1) * p->down && i < g->nrows; i++)
                for (int j = bj * p->down; j < (bj + 1) * p->down && j < g->ncols; j++) {
                    size_t k = (size_t)i * (size_t)g->ncols + (size_t)j;
                    int c = (!mask || mask[k]) ? category_of(v[k], values, nv) : -1;
                    if (c >= 0)
                        cnt[c]++;
                }
            for (int c = 0; c < nv; c++) {
                if (!cnt[c])
                    continue;
                if (best < 0 || cnt[c] > cnt[best] ||
                    (cnt[c] == cnt[best] && (abs(values[c]) > abs(values[best]) ||
                                             (abs(values[c]) == abs(values[best]) &&
                                              values[c] > values[best]))))
                    best = c;
            }
            out[(size_t)bi * (size_t)p->bw + (size_t)bj] = best;
        }
}

int rtm_map_png_write_categorical(const char *path, const rtm_grid *g, const double *v,
                                  const unsigned char *mask, const int *values,
                                  const char *const *labels, int nvalues,
                                  const rtm_map_opts *o, rtm_error *err)
{
    rtm_map_opts def;
    panel p = {0};
    legend lg;
    int ramp, rc, *cat = NULL;
    if (!o) {
        rtm_map_opts_init(&def);
        o = &def;
    }
    if ((rc = check_common(g, v, o, err)) != 0)
        return rc;
    if (!values || nvalues < 1 || nvalues > RTM_CLASS_MAX)
        return rtm_error_set(err, RTM_ERR_ARG, "map: number of categories must be 1..%d (got %d)",
                             RTM_CLASS_MAX, nvalues);
    if (rtm_ramp_parse(o->ramp ? o->ramp : "diverging", &ramp, err))
        return err ? err->code : RTM_ERR_ARG;
    memset(&lg, 0, sizeof lg);
    lg.kind = LEG_ITEMS;
    lg.n = nvalues;
    unsigned char rgb[RTM_CLASS_MAX][3];
    for (int k = 0; k < nvalues; k++) {
        int r = nvalues - 1 - k; /* highest value on top */
        rtm_ramp_class_color(ramp, k, nvalues, rgb[k]);
        rtm_palette_color_of(o->class_colors, values[k], rgb[k]);
        memcpy(lg.rgb[r], rgb[k], 3);
        if (labels && labels[k])
            snprintf(lg.label[r], sizeof lg.label[r], "%s", labels[k]);
        else
            snprintf(lg.label[r], sizeof lg.label[r], "%d", values[k]);
    }
    panel_scale(g, o, &p);
    size_t n = (size_t)p.bw * (size_t)p.bh;
    p.rgba = malloc(n * 4);
    cat = malloc(n * sizeof *cat);
    if (!p.rgba || !cat) {
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "map: out of memory (%zu pixels)", n);
        goto done;
    }
    block_mode(g, v, mask, values, nvalues, &p, cat);
    for (size_t k = 0; k < n; k++) {
        unsigned char *d = p.rgba + 4 * k;
        if (cat[k] < 0) {
            memcpy(d, CLEAR, 4);
        } else {
            memcpy(d, rgb[cat[k]], 3);
            d[3] = 255;
        }
    }
    rc = compose(path, g, &p, &lg, o, err);
done:
    free(p.rgba);
    free(cat);
    return rc;
}
