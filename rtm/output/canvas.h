/* output/canvas.h: an RGBA8 drawing canvas with anti-aliased primitives and
 * FreeType text, used to compose map and chart PNGs.
 *
 * Pixels are straight (non-premultiplied) RGBA, 8 bits each, row-major from
 * the top-left corner: pixel (x, y) is px[4 * (y * w + x) + 0..3]. Drawing
 * clips to the canvas. Colours are given as {r, g, b, a}; every primitive
 * blends "source over" (Porter & Duff 1984) with its coverage times a/255.
 *
 * Text is rendered with FreeType from TrueType fonts. Default fonts are
 * DejaVu Sans and DejaVu Sans Bold (Debian package fonts-dejavu-core,
 * /usr/share/fonts/truetype/dejavu/). The environment variable RTM_FONT
 * overrides the regular font and RTM_FONT_BOLD the bold one (when only
 * RTM_FONT is set it is used for bold too); rtm_canvas_set_fonts overrides
 * both. Fonts are loaded on the first text call; a missing or unreadable font
 * makes that call fail with RTM_ERR_IO naming the file.
 *
 * Thread safety: a canvas owns its own FT_Library and faces, so different
 * canvases may be used from different threads at once; one canvas must not be
 * used from two threads at the same time.
 */
#ifndef RTM_CANVAS_H
#define RTM_CANVAS_H

#include <stddef.h>
#include "rtm/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Default font files (fonts-dejavu-core). */
#define RTM_FONT_REGULAR_DEFAULT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
#define RTM_FONT_BOLD_DEFAULT "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

typedef struct rtm_canvas_font rtm_canvas_font; /* private FreeType state */

/** A canvas. w, h and px may be read and px written directly. */
typedef struct rtm_canvas {
    int w, h;              /**< size in pixels, > 0 */
    unsigned char *px;     /**< w*h*4 bytes, owned */
    rtm_canvas_font *font; /**< private: FreeType library and faces */
} rtm_canvas;

/** Text styles. */
enum { RTM_TEXT_REGULAR = 0, RTM_TEXT_BOLD = 1 };

/** Create a w x h canvas filled with bg (RGBA). Returns NULL and sets err
 *  (RTM_ERR_ARG for a bad size, RTM_ERR_NOMEM). Free with rtm_canvas_free. */
rtm_canvas *rtm_canvas_create(int w, int h, const unsigned char bg[4], rtm_error *err);

/** Free a canvas and its fonts (NULL is a no-op). */
void rtm_canvas_free(rtm_canvas *c);

/** Use these font files instead of the defaults/environment (either may be
 *  NULL to keep the default). The strings are copied. Fonts already loaded
 *  are dropped and reloaded on the next text call. Returns 0 or
 *  RTM_ERR_NOMEM. */
int rtm_canvas_set_fonts(rtm_canvas *c, const char *regular, const char *bold, rtm_error *err);

/** Load the fonts now (otherwise done by the first text call), so that a
 *  missing font is reported before any drawing. Returns 0 or RTM_ERR_IO. */
int rtm_canvas_fonts_load(rtm_canvas *c, rtm_error *err);

/** Blend colour col into pixel (x, y) with coverage cov in [0, 1]. */
void rtm_canvas_blend(rtm_canvas *c, int x, int y, const unsigned char col[4], double cov);

/** Set pixel (x, y) to col exactly (no blending), clipped. */
void rtm_canvas_set(rtm_canvas *c, int x, int y, const unsigned char col[4]);

/** Blend col over the rectangle [x, x+w) x [y, y+h) (integer pixels). */
void rtm_canvas_fill_rect(rtm_canvas *c, int x, int y, int w, int h, const unsigned char col[4]);

/** One-pixel rectangle outline on the pixels x..x+w-1, y..y+h-1. */
void rtm_canvas_rect(rtm_canvas *c, int x, int y, int w, int h, const unsigned char col[4]);

/** Anti-aliased line of the given width between (x0, y0) and (x1, y1) in
 *  pixel coordinates (pixel (i, j) covers [i, i+1) x [j, j+1), so a crisp
 *  1-px horizontal line through row j runs at y = j + 0.5). Butt ends. */
void rtm_canvas_line(rtm_canvas *c, double x0, double y0, double x1, double y1,
                     double width, const unsigned char col[4]);

/** Anti-aliased filled triangle (4x4 supersampling per pixel). */
void rtm_canvas_fill_triangle(rtm_canvas *c, const double xy[6], const unsigned char col[4]);

/** Measure UTF-8 text at pixel size `size` and style (RTM_TEXT_*): advance
 *  width, ascent above and descent below the baseline (both >= 0, from the
 *  font's metrics, so constant for a given size). Any out pointer may be
 *  NULL. Invalid UTF-8 bytes count as U+FFFD. Returns 0 or RTM_ERR_IO
 *  (font missing or unreadable). */
int rtm_canvas_text_size(rtm_canvas *c, const char *utf8, double size, int style,
                         int *width, int *ascent, int *descent, rtm_error *err);

/** Draw UTF-8 text with its baseline starting at (x, y). Returns 0 or
 *  RTM_ERR_IO (font missing). */
int rtm_canvas_text(rtm_canvas *c, int x, int y, const char *utf8, double size, int style,
                    const unsigned char col[4], rtm_error *err);

/** Draw text rotated 90 degrees counter-clockwise (reading bottom to top),
 *  e.g. a y-axis label: (x, y) is the baseline start, the text then runs
 *  upwards from y, with glyphs extending left of x (ascent). */
int rtm_canvas_text_vertical(rtm_canvas *c, int x, int y, const char *utf8, double size,
                             int style, const unsigned char col[4], rtm_error *err);

#ifdef __cplusplus
}
#endif
#endif
