/* heat_table.c: heat tables as PNG - a grid of cells coloured on the YlOrRd
 * ramp (ColorBrewer, Brewer 2003) with optional text per cell; used for the
 * Knox ratio table (as NearRepeat's plot.knox) and the day x hour table of
 * events. */
#include "rtm/knox.h"
#include "rtm/output.h"

#include <math.h>
#include <stdio.h>

#include "output/canvas.h"

static const unsigned char WHITE[4] = {255, 255, 255, 255}, INK[4] = {33, 33, 33, 255},
                           INK2[4] = {90, 90, 90, 255}, GREY[4] = {225, 225, 225, 255},
                           LINE[4] = {255, 255, 255, 255};

typedef struct layout {
    int left, top, cw, ch, w, h;
    double vmax;
} layout;

static int text_w(rtm_canvas *c, const char *s, double size, int style, rtm_error *err)
{
    int w = 0;
    if (s && rtm_canvas_text_size(c, s, size, style, &w, NULL, NULL, err))
        return -1;
    return w;
}

static int measure(const rtm_heat_table *t, layout *l, rtm_error *err)
{
    rtm_canvas *c = rtm_canvas_create(1, 1, WHITE, err);
    int lw = 0;
    if (!c)
        return err ? err->code : RTM_ERR_NOMEM;
    for (int r = 0; r < t->nr && lw >= 0; r++) {
        int w = text_w(c, t->row_labels ? t->row_labels[r] : "", 13, RTM_TEXT_REGULAR, err);
        lw = w < 0 ? -1 : w > lw ? w : lw;
    }
    rtm_canvas_free(c);
    if (lw < 0)
        return err ? err->code : RTM_ERR_IO;
    l->left = lw + 24 + (t->row_axis ? 26 : 0);
    l->top = 64 + (t->subtitle ? 20 : 0) + (t->col_axis ? 22 : 0);
    l->cw = t->nc > 12 ? 34 : 110;
    l->ch = t->nc > 12 ? 30 : 44;
    l->w = l->left + t->nc * l->cw + 24;
    if (l->w < 640)
        l->w = 640;
    l->h = l->top + t->nr * l->ch + 50 + (t->note ? 20 : 0);
    l->vmax = 0;
    for (int k = 0; k < t->nr * t->nc; k++)
        if (isfinite(t->v[k]) && t->v[k] > l->vmax)
            l->vmax = t->v[k];
    return 0;
}

static void cell_colour(const layout *l, double v, unsigned char col[4])
{
    unsigned char rgb[3];
    if (!isfinite(v)) {
        col[0] = GREY[0], col[1] = GREY[1], col[2] = GREY[2], col[3] = 255;
        return;
    }
    rtm_ramp_color(RTM_RAMP_YLORRD, l->vmax > 0 ? v / l->vmax : 0, rgb);
    col[0] = rgb[0], col[1] = rgb[1], col[2] = rgb[2], col[3] = 255;
}

static int draw_cells(rtm_canvas *c, const rtm_heat_table *t, const layout *l, rtm_error *err)
{
    for (int r = 0; r < t->nr; r++)
        for (int k = 0; k < t->nc; k++) {
            int x = l->left + k * l->cw, y = l->top + r * l->ch, i = r * t->nc + k;
            unsigned char col[4];
            cell_colour(l, t->v[i], col);
            rtm_canvas_fill_rect(c, x, y, l->cw, l->ch, col);
            rtm_canvas_rect(c, x, y, l->cw, l->ch, LINE);
            if (t->mark && t->mark[i]) {
                rtm_canvas_rect(c, x + 1, y + 1, l->cw - 2, l->ch - 2, INK);
                rtm_canvas_rect(c, x + 2, y + 2, l->cw - 4, l->ch - 4, INK);
            }
            if (t->text && t->text[i] && *t->text[i]) {
                double size = t->nc > 12 ? 10 : 14;
                int w = text_w(c, t->text[i], size, RTM_TEXT_REGULAR, err);
                /* dark text on light cells, white on the darkest */
                int dark = isfinite(t->v[i]) && l->vmax > 0 && t->v[i] / l->vmax > 0.65;
                if (w < 0 || rtm_canvas_text(c, x + (l->cw - w) / 2, y + l->ch / 2 + 5,
                                             t->text[i], size, RTM_TEXT_REGULAR,
                                             dark ? WHITE : INK, err))
                    return -1;
            }
        }
    return 0;
}

static int draw_labels(rtm_canvas *c, const rtm_heat_table *t, const layout *l, rtm_error *err)
{
    for (int r = 0; r < t->nr && t->row_labels; r++) {
        int w = text_w(c, t->row_labels[r], 13, RTM_TEXT_REGULAR, err);
        if (w < 0 || rtm_canvas_text(c, l->left - 8 - w, l->top + r * l->ch + l->ch / 2 + 5,
                                     t->row_labels[r], 13, RTM_TEXT_REGULAR, INK, err))
            return -1;
    }
    for (int k = 0; k < t->nc && t->col_labels; k++) {
        int w = text_w(c, t->col_labels[k], t->nc > 12 ? 11 : 13, RTM_TEXT_REGULAR, err);
        if (w < 0 || rtm_canvas_text(c, l->left + k * l->cw + (l->cw - w) / 2, l->top - 8,
                                     t->col_labels[k], t->nc > 12 ? 11 : 13, RTM_TEXT_REGULAR,
                                     INK, err))
            return -1;
    }
    if (t->col_axis && rtm_canvas_text(c, l->left, l->top - 30, t->col_axis, 13,
                                       RTM_TEXT_BOLD, INK2, err))
        return -1;
    if (t->row_axis) {
        int w = text_w(c, t->row_axis, 13, RTM_TEXT_BOLD, err);
        if (w < 0 || rtm_canvas_text_vertical(c, 22, l->top + (t->nr * l->ch + w) / 2,
                                              t->row_axis, 13, RTM_TEXT_BOLD, INK2, err))
            return -1;
    }
    return 0;
}

static int draw(rtm_canvas *c, const rtm_heat_table *t, const layout *l, rtm_error *err)
{
    if (rtm_canvas_fonts_load(c, err))
        return -1;
    if (t->title && rtm_canvas_text(c, 16, 30, t->title, 18, RTM_TEXT_BOLD, INK, err))
        return -1;
    if (t->subtitle && rtm_canvas_text(c, 16, 52, t->subtitle, 13, RTM_TEXT_REGULAR, INK2, err))
        return -1;
    if (draw_cells(c, t, l, err) || draw_labels(c, t, l, err))
        return -1;
    if (t->note && rtm_canvas_text(c, 16, l->h - 16, t->note, 12, RTM_TEXT_REGULAR, INK2, err))
        return -1;
    return 0;
}

int rtm_heat_table_png_write(const char *path, const rtm_heat_table *t, rtm_error *err)
{
    layout l = {0};
    int rc;
    if (!t || !t->v || t->nr < 1 || t->nc < 1 || t->nr > 64 || t->nc > 64)
        return rtm_error_set(err, RTM_ERR_ARG, "heat table: 1..64 rows and columns needed");
    if ((rc = measure(t, &l, err)))
        return rc;
    rtm_canvas *c = rtm_canvas_create(l.w, l.h, WHITE, err);
    if (!c)
        return err ? err->code : RTM_ERR_NOMEM;
    rtm_error_clear(err);
    if (draw(c, t, &l, err))
        rc = err && err->code ? err->code : RTM_ERR_IO;
    else
        rc = rtm_png_write_rgba(path, c->px, c->w, c->h, err);
    rtm_canvas_free(c);
    return rc;
}
