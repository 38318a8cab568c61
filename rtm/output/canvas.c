/* canvas.c: RGBA8 canvas, anti-aliased primitives and FreeType text
 * (see output/canvas.h). */
#include "output/canvas.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ft2build.h>
#include FT_FREETYPE_H

struct rtm_canvas_font {
    FT_Library lib;
    FT_Face face[2];
    char *path[2]; /* explicit paths from rtm_canvas_set_fonts, or NULL */
};

rtm_canvas *rtm_canvas_create(int w, int h, const unsigned char bg[4], rtm_error *err)
{
    size_t n;
    if (w <= 0 || h <= 0 || w > 100000 || h > 100000 || rtm_size_mul((size_t)w, (size_t)h, 4, &n)) {
        rtm_error_set(err, RTM_ERR_ARG, "canvas: bad size %d x %d", w, h);
        return NULL;
    }
    rtm_canvas *c = calloc(1, sizeof *c);
    if (c)
        c->px = malloc(n);
    if (c)
        c->font = calloc(1, sizeof *c->font);
    if (!c || !c->px || !c->font) {
        rtm_canvas_free(c);
        rtm_error_set(err, RTM_ERR_NOMEM, "canvas: out of memory (%d x %d)", w, h);
        return NULL;
    }
    c->w = w;
    c->h = h;
    for (size_t i = 0; i < n; i += 4)
        memcpy(c->px + i, bg, 4);
    return c;
}

static void fonts_unload(rtm_canvas_font *f)
{
    for (int s = 0; s < 2; s++) {
        if (f->face[s])
            FT_Done_Face(f->face[s]);
        f->face[s] = NULL;
    }
    if (f->lib)
        FT_Done_FreeType(f->lib);
    f->lib = NULL;
}

void rtm_canvas_free(rtm_canvas *c)
{
    if (!c)
        return;
    if (c->font) {
        fonts_unload(c->font);
        free(c->font->path[0]);
        free(c->font->path[1]);
        free(c->font);
    }
    free(c->px);
    free(c);
}

int rtm_canvas_set_fonts(rtm_canvas *c, const char *regular, const char *bold, rtm_error *err)
{
    const char *p[2] = {regular, bold};
    fonts_unload(c->font);
    for (int s = 0; s < 2; s++) {
        if (!p[s])
            continue;
        char *d = strdup(p[s]);
        if (!d)
            return rtm_error_set(err, RTM_ERR_NOMEM, "canvas: out of memory");
        free(c->font->path[s]);
        c->font->path[s] = d;
    }
    return 0;
}

/* Explicit path, then RTM_FONT_BOLD / RTM_FONT, then the DejaVu default. */
static const char *font_path(const rtm_canvas_font *f, int style)
{
    const char *env_r = getenv("RTM_FONT"), *env_b = getenv("RTM_FONT_BOLD");
    if (f->path[style])
        return f->path[style];
    if (style == RTM_TEXT_BOLD) {
        if (env_b && *env_b)
            return env_b;
        return env_r && *env_r ? env_r : RTM_FONT_BOLD_DEFAULT;
    }
    return env_r && *env_r ? env_r : RTM_FONT_REGULAR_DEFAULT;
}

static int face_open(rtm_canvas_font *f, int s, rtm_error *err)
{
    const char *path = font_path(f, s);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return rtm_error_set(err, RTM_ERR_IO,
                             "font: cannot open '%s': %s (install fonts-dejavu-core or set RTM_FONT)",
                             path, strerror(errno));
    fclose(fp);
    if (FT_New_Face(f->lib, path, 0, &f->face[s]) != 0) {
        f->face[s] = NULL;
        return rtm_error_set(err, RTM_ERR_IO, "font: '%s' is not a font FreeType can read", path);
    }
    return 0;
}

int rtm_canvas_fonts_load(rtm_canvas *c, rtm_error *err)
{
    rtm_canvas_font *f = c->font;
    if (f->face[0] && f->face[1])
        return 0;
    if (!f->lib && FT_Init_FreeType(&f->lib) != 0) {
        f->lib = NULL;
        return rtm_error_set(err, RTM_ERR_NOMEM, "font: cannot initialise FreeType");
    }
    for (int s = 0; s < 2; s++) {
        if (!f->face[s] && face_open(f, s, err) != 0) {
            fonts_unload(f);
            return err ? err->code : RTM_ERR_IO;
        }
    }
    return 0;
}

/* Porter-Duff "source over" on straight alpha. */
void rtm_canvas_blend(rtm_canvas *c, int x, int y, const unsigned char col[4], double cov)
{
    if (x < 0 || y < 0 || x >= c->w || y >= c->h || !(cov > 0.0))
        return;
    unsigned char *d = c->px + 4 * ((size_t)y * (size_t)c->w + (size_t)x);
    double sa = (cov > 1.0 ? 1.0 : cov) * col[3] / 255.0, da = d[3] / 255.0;
    double oa = sa + da * (1.0 - sa);
    if (oa <= 0.0)
        return;
    for (int k = 0; k < 3; k++) {
        double v = (col[k] * sa + d[k] * da * (1.0 - sa)) / oa;
        d[k] = (unsigned char)lround(v);
    }
    d[3] = (unsigned char)lround(oa * 255.0);
}

void rtm_canvas_set(rtm_canvas *c, int x, int y, const unsigned char col[4])
{
    if (x < 0 || y < 0 || x >= c->w || y >= c->h)
        return;
    memcpy(c->px + 4 * ((size_t)y * (size_t)c->w + (size_t)x), col, 4);
}

void rtm_canvas_fill_rect(rtm_canvas *c, int x, int y, int w, int h, const unsigned char col[4])
{
    for (int j = y < 0 ? 0 : y; j < y + h && j < c->h; j++)
        for (int i = x < 0 ? 0 : x; i < x + w && i < c->w; i++)
            rtm_canvas_blend(c, i, j, col, 1.0);
}

void rtm_canvas_rect(rtm_canvas *c, int x, int y, int w, int h, const unsigned char col[4])
{
    if (w <= 0 || h <= 0)
        return;
    rtm_canvas_fill_rect(c, x, y, w, 1, col);
    if (h > 1)
        rtm_canvas_fill_rect(c, x, y + h - 1, w, 1, col);
    rtm_canvas_fill_rect(c, x, y + 1, 1, h - 2, col);
    if (w > 1)
        rtm_canvas_fill_rect(c, x + w - 1, y + 1, 1, h - 2, col);
}

static double clamp01(double v)
{
    return v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
}

/* Coverage of each pixel centre by the stroke, approximated by a one-pixel
 * box filter across the distance to the segment axis (and along it, for
 * the butt ends). */
void rtm_canvas_line(rtm_canvas *c, double x0, double y0, double x1, double y1,
                     double width, const unsigned char col[4])
{
    double dx = x1 - x0, dy = y1 - y0, len = hypot(dx, dy), hw = width / 2.0;
    if (!(len > 0.0) || !(width > 0.0))
        return;
    double ux = dx / len, uy = dy / len, pad = hw + 1.0;
    int ia = (int)floor(fmin(x0, x1) - pad), ib = (int)ceil(fmax(x0, x1) + pad);
    int ja = (int)floor(fmin(y0, y1) - pad), jb = (int)ceil(fmax(y0, y1) + pad);
    for (int j = ja < 0 ? 0 : ja; j <= jb && j < c->h; j++) {
        for (int i = ia < 0 ? 0 : ia; i <= ib && i < c->w; i++) {
            double px = i + 0.5 - x0, py = j + 0.5 - y0;
            double t = px * ux + py * uy, d = fabs(px * uy - py * ux);
            double cov = clamp01(hw + 0.5 - d) * clamp01(t + 0.5) * clamp01(len - t + 0.5);
            rtm_canvas_blend(c, i, j, col, cov);
        }
    }
}

static double edge(double ax, double ay, double bx, double by, double px, double py)
{
    return (bx - ax) * (py - ay) - (by - ay) * (px - ax);
}

void rtm_canvas_fill_triangle(rtm_canvas *c, const double t[6], const unsigned char col[4])
{
    double area = edge(t[0], t[1], t[2], t[3], t[4], t[5]);
    if (area == 0.0)
        return;
    double sg = area > 0 ? 1.0 : -1.0;
    int ia = (int)floor(fmin(t[0], fmin(t[2], t[4]))), ib = (int)ceil(fmax(t[0], fmax(t[2], t[4])));
    int ja = (int)floor(fmin(t[1], fmin(t[3], t[5]))), jb = (int)ceil(fmax(t[1], fmax(t[3], t[5])));
    for (int j = ja < 0 ? 0 : ja; j <= jb && j < c->h; j++) {
        for (int i = ia < 0 ? 0 : ia; i <= ib && i < c->w; i++) {
            int in = 0;
            for (int s = 0; s < 16; s++) {
                double px = i + (s % 4 + 0.5) / 4.0, py = j + (s / 4 + 0.5) / 4.0;
                in += sg * edge(t[0], t[1], t[2], t[3], px, py) >= 0 &&
                      sg * edge(t[2], t[3], t[4], t[5], px, py) >= 0 &&
                      sg * edge(t[4], t[5], t[0], t[1], px, py) >= 0;
            }
            rtm_canvas_blend(c, i, j, col, in / 16.0);
        }
    }
}

/* Decode one UTF-8 code point; invalid bytes give U+FFFD and advance 1. */
static unsigned long utf8_next(const unsigned char **s)
{
    const unsigned char *p = *s;
    unsigned long cp;
    int n;
    if (p[0] < 0x80) {
        *s = p + 1;
        return p[0];
    }
    if ((p[0] & 0xE0) == 0xC0) { cp = p[0] & 0x1F; n = 1; }
    else if ((p[0] & 0xF0) == 0xE0) { cp = p[0] & 0x0F; n = 2; }
    else if ((p[0] & 0xF8) == 0xF0) { cp = p[0] & 0x07; n = 3; }
    else { *s = p + 1; return 0xFFFD; }
    for (int k = 1; k <= n; k++) {
        if ((p[k] & 0xC0) != 0x80) {
            *s = p + 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    *s = p + n + 1;
    return cp;
}

/* A rendered line of text: 8-bit coverage, baseline at row `asc`. */
typedef struct text_img {
    int w, h, asc;
    unsigned char *cov;
} text_img;

static FT_Face face_sized(rtm_canvas *c, double size, int style, rtm_error *err)
{
    if (rtm_canvas_fonts_load(c, err) != 0)
        return NULL;
    FT_Face f = c->font->face[style == RTM_TEXT_BOLD ? 1 : 0];
    if (FT_Set_Char_Size(f, 0, (FT_F26Dot6)lround(size * 64.0), 72, 72) != 0) {
        rtm_error_set(err, RTM_ERR_ARG, "font: cannot use size %g", size);
        return NULL;
    }
    return f;
}

/* Walk the glyphs of s: accumulate the advance and, when img is not NULL,
 * draw each glyph's coverage into it (max-combined). */
static int text_layout(FT_Face f, const char *s, text_img *img, int *width)
{
    const unsigned char *p = (const unsigned char *)s;
    FT_UInt prev = 0;
    long pen = 0; /* 26.6 */
    while (*p) {
        FT_UInt gi = FT_Get_Char_Index(f, utf8_next(&p));
        if (prev && gi && FT_HAS_KERNING(f)) {
            FT_Vector k;
            if (FT_Get_Kerning(f, prev, gi, FT_KERNING_DEFAULT, &k) == 0)
                pen += k.x;
        }
        if (FT_Load_Glyph(f, gi, img ? FT_LOAD_RENDER : FT_LOAD_DEFAULT) != 0)
            return -1;
        FT_GlyphSlot g = f->glyph;
        if (img) {
            FT_Bitmap *b = &g->bitmap;
            int ox = (int)((pen + 32) >> 6) + g->bitmap_left, oy = img->asc - g->bitmap_top;
            for (unsigned r = 0; r < b->rows; r++)
                for (unsigned q = 0; q < b->width; q++) {
                    int x = ox + (int)q, y = oy + (int)r;
                    if (x < 0 || y < 0 || x >= img->w || y >= img->h)
                        continue;
                    unsigned char v = b->buffer[(int)r * b->pitch + (int)q];
                    unsigned char *d = img->cov + (size_t)y * (size_t)img->w + (size_t)x;
                    if (v > *d)
                        *d = v;
                }
        }
        pen += g->advance.x;
        prev = gi;
    }
    *width = (int)((pen + 63) >> 6);
    return 0;
}

int rtm_canvas_text_size(rtm_canvas *c, const char *utf8, double size, int style,
                         int *width, int *ascent, int *descent, rtm_error *err)
{
    FT_Face f = face_sized(c, size, style, err);
    int w = 0;
    if (!f)
        return err ? err->code : RTM_ERR_IO;
    if (text_layout(f, utf8, NULL, &w) != 0)
        return rtm_error_set(err, RTM_ERR_INPUT, "font: cannot lay out text '%s'", utf8);
    if (width)
        *width = w;
    if (ascent)
        *ascent = (int)((f->size->metrics.ascender + 63) >> 6);
    if (descent)
        *descent = (int)((-f->size->metrics.descender + 63) >> 6);
    return 0;
}

/* Render s into a coverage image (caller frees img->cov). */
static int text_render(rtm_canvas *c, const char *s, double size, int style, text_img *img,
                       rtm_error *err)
{
    int w, asc, desc;
    if (rtm_canvas_text_size(c, s, size, style, &w, &asc, &desc, err) != 0)
        return err ? err->code : RTM_ERR_IO;
    FT_Face f = c->font->face[style == RTM_TEXT_BOLD ? 1 : 0];
    img->w = w + (int)size + 2; /* room for overhanging glyphs (italic, bold) */
    img->h = asc + desc + 2;
    img->asc = asc + 1;
    img->cov = calloc((size_t)img->w * (size_t)img->h, 1);
    if (!img->cov)
        return rtm_error_set(err, RTM_ERR_NOMEM, "font: out of memory");
    if (text_layout(f, s, img, &w) != 0) {
        free(img->cov);
        return rtm_error_set(err, RTM_ERR_INPUT, "font: cannot render text '%s'", s);
    }
    return 0;
}

/* Render utf8 and blend it onto c with its baseline origin at (x, y):
 * upright, or rotated 90 degrees counter-clockwise (text +x maps to
 * canvas -y, text +y, downward, to canvas +x). */
static int text_draw(rtm_canvas *c, int x, int y, const char *utf8, double size, int style,
                     const unsigned char col[4], int vertical, rtm_error *err)
{
    text_img im = {0};
    if (text_render(c, utf8, size, style, &im, err) != 0)
        return err ? err->code : RTM_ERR_IO;
    for (int r = 0; r < im.h; r++)
        for (int q = 0; q < im.w; q++) {
            unsigned char v = im.cov[(size_t)r * (size_t)im.w + (size_t)q];
            if (!v)
                continue;
            if (vertical)
                rtm_canvas_blend(c, x + r - im.asc, y - q, col, v / 255.0);
            else
                rtm_canvas_blend(c, x + q, y - im.asc + r, col, v / 255.0);
        }
    free(im.cov);
    return 0;
}

int rtm_canvas_text(rtm_canvas *c, int x, int y, const char *utf8, double size, int style,
                    const unsigned char col[4], rtm_error *err)
{
    return text_draw(c, x, y, utf8, size, style, col, 0, err);
}

int rtm_canvas_text_vertical(rtm_canvas *c, int x, int y, const char *utf8, double size,
                             int style, const unsigned char col[4], rtm_error *err)
{
    return text_draw(c, x, y, utf8, size, style, col, 1, err);
}
