/* test_canvas.c: canvas blending, primitives and FreeType text. Blending is
 * checked against the Porter-Duff "over" formula computed here; shapes
 * against their exact area and position; text against its measured box. */
#include "output/canvas.h"
#include "rtm_test.h"

#include <unistd.h>

static const unsigned char WHITE[4] = {255, 255, 255, 255};
static const unsigned char CLEAR[4] = {0, 0, 0, 0};
static const unsigned char BLACK[4] = {0, 0, 0, 255};

static const unsigned char *px(const rtm_canvas *c, int x, int y)
{
    return c->px + 4 * ((size_t)y * (size_t)c->w + (size_t)x);
}

static int is_white(const rtm_canvas *c, int x, int y)
{
    const unsigned char *p = px(c, x, y);
    return p[0] == 255 && p[1] == 255 && p[2] == 255 && p[3] == 255;
}

static void test_blend(void)
{
    rtm_error e;
    rtm_canvas *c = rtm_canvas_create(4, 2, WHITE, &e);
    RTM_CHECK(c != NULL);
    if (!c)
        return;
    unsigned char red50[4] = {255, 0, 0, 128};
    rtm_canvas_blend(c, 0, 0, red50, 1.0);
    /* over white: 255 a + 255 (1 - a) = 255; 0 a + 255 (1 - a) */
    double a = 128 / 255.0;
    RTM_CHECK_NEAR(px(c, 0, 0)[0], 255, 0);
    RTM_CHECK_NEAR(px(c, 0, 0)[1], 255 * (1 - a), 0.5);
    RTM_CHECK_NEAR(px(c, 0, 0)[3], 255, 0);
    /* over transparent: colour kept, alpha = source alpha */
    rtm_canvas_set(c, 1, 0, CLEAR);
    rtm_canvas_blend(c, 1, 0, red50, 0.5);
    RTM_CHECK_NEAR(px(c, 1, 0)[0], 255, 0);
    RTM_CHECK_NEAR(px(c, 1, 0)[3], 64, 1);
    /* clipping: no crash, nothing written */
    rtm_canvas_blend(c, -1, 0, BLACK, 1);
    rtm_canvas_fill_rect(c, 2, 1, 100, 100, BLACK);
    RTM_CHECK(px(c, 2, 1)[0] == 0 && px(c, 3, 1)[0] == 0 && is_white(c, 1, 1));
    rtm_canvas_free(c);
    RTM_CHECK(rtm_canvas_create(0, 5, WHITE, &e) == NULL && e.code == RTM_ERR_ARG);
}

static void test_line(void)
{
    rtm_error e;
    rtm_canvas *c = rtm_canvas_create(20, 12, WHITE, &e);
    /* a 1-px line along the centre of row 5, x from 2 to 10: exactly 8 pixels */
    rtm_canvas_line(c, 2, 5.5, 10, 5.5, 1.0, BLACK);
    for (int x = 0; x < 20; x++) {
        int on = x >= 2 && x < 10;
        RTM_CHECK(px(c, x, 5)[0] == (on ? 0 : 255));
        RTM_CHECK(is_white(c, x, 4) && is_white(c, x, 6));
    }
    /* a diagonal line of width 2: total ink ~ length x width */
    rtm_canvas *d = rtm_canvas_create(40, 40, WHITE, &e);
    rtm_canvas_line(d, 5, 5, 35, 35, 2.0, BLACK);
    double ink = 0;
    for (int y = 0; y < 40; y++)
        for (int x = 0; x < 40; x++)
            ink += (255 - px(d, x, y)[0]) / 255.0;
    RTM_CHECK_REL(ink, sqrt(2.0) * 30 * 2, 0.05, 1);
    rtm_canvas_free(c);
    rtm_canvas_free(d);
}

static void test_triangle(void)
{
    rtm_error e;
    rtm_canvas *c = rtm_canvas_create(50, 50, WHITE, &e);
    double t[6] = {5, 5, 45, 5, 5, 45}; /* area 800 */
    rtm_canvas_fill_triangle(c, t, BLACK);
    double ink = 0;
    for (int y = 0; y < 50; y++)
        for (int x = 0; x < 50; x++)
            ink += (255 - px(c, x, y)[0]) / 255.0;
    RTM_CHECK_REL(ink, 800, 0.01, 1);
    RTM_CHECK(px(c, 10, 10)[0] == 0);
    RTM_CHECK(is_white(c, 40, 40) && is_white(c, 2, 2));
    rtm_canvas_free(c);
}

/* Bounding box of non-white pixels; returns 0 if there are none. */
static int ink_box(const rtm_canvas *c, int *x0, int *y0, int *x1, int *y1)
{
    int n = 0;
    *x0 = *y0 = 1 << 30;
    *x1 = *y1 = -1;
    for (int y = 0; y < c->h; y++)
        for (int x = 0; x < c->w; x++)
            if (!is_white(c, x, y)) {
                n++;
                *x0 = x < *x0 ? x : *x0;
                *y0 = y < *y0 ? y : *y0;
                *x1 = x > *x1 ? x : *x1;
                *y1 = y > *y1 ? y : *y1;
            }
    return n;
}

static void test_text(void)
{
    rtm_error e;
    rtm_canvas *c = rtm_canvas_create(300, 80, WHITE, &e);
    int w, asc, desc, w2, x0, y0, x1, y1;
    RTM_CHECK(rtm_canvas_text_size(c, "Hotspot", 16, RTM_TEXT_REGULAR, &w, &asc, &desc, &e) == 0);
    RTM_CHECK(w > 30 && w < 120 && asc >= 12 && asc <= 20 && desc >= 2 && desc <= 8);
    RTM_CHECK(rtm_canvas_text_size(c, "HotspotHotspot", 16, RTM_TEXT_REGULAR, &w2, NULL, NULL, &e) == 0);
    RTM_CHECK_NEAR(w2, 2 * w, 2);
    RTM_CHECK(rtm_canvas_text_size(c, "Hotspot", 16, RTM_TEXT_BOLD, &w2, NULL, NULL, &e) == 0);
    RTM_CHECK(w2 > w); /* bold is wider */
    /* drawn ink lies within the measured box (1 px of slack) */
    RTM_CHECK(rtm_canvas_text(c, 20, 40, "Hotspot", 16, RTM_TEXT_REGULAR, BLACK, &e) == 0);
    RTM_CHECK(ink_box(c, &x0, &y0, &x1, &y1) > 50);
    RTM_CHECK(x0 >= 19 && x1 <= 20 + w && y0 >= 40 - asc - 1 && y1 <= 40 + desc);
    RTM_CHECK(x1 - x0 > w * 3 / 4); /* spans the advance width */
    /* UTF-8 superscript and bad bytes */
    RTM_CHECK(rtm_canvas_text_size(c, "km\xc2\xb2", 12, RTM_TEXT_REGULAR, &w, NULL, NULL, &e) == 0);
    RTM_CHECK(rtm_canvas_text_size(c, "k\xff\xc2", 12, RTM_TEXT_REGULAR, &w, NULL, NULL, &e) == 0);
    rtm_canvas_free(c);
}

static void test_text_vertical(void)
{
    rtm_error e;
    rtm_canvas *c = rtm_canvas_create(60, 200, WHITE, &e);
    int w, asc, desc, x0, y0, x1, y1;
    RTM_CHECK(rtm_canvas_text_size(c, "Hit rate", 14, RTM_TEXT_REGULAR, &w, &asc, &desc, &e) == 0);
    RTM_CHECK(rtm_canvas_text_vertical(c, 30, 150, "Hit rate", 14, RTM_TEXT_REGULAR, BLACK, &e) == 0);
    RTM_CHECK(ink_box(c, &x0, &y0, &x1, &y1) > 50);
    /* runs upwards from y = 150 over about w pixels, ascent to the left of x */
    RTM_CHECK(y1 <= 151 && y0 >= 150 - w - 1 && y1 - y0 > w * 3 / 4);
    RTM_CHECK(x0 >= 30 - asc - 1 && x1 <= 30 + desc);
    rtm_canvas_free(c);
}

static void test_missing_font(void)
{
    rtm_error e;
    rtm_canvas *c = rtm_canvas_create(10, 10, WHITE, &e);
    RTM_CHECK(rtm_canvas_set_fonts(c, "no-such-dir/NoFont.ttf", NULL, &e) == 0);
    RTM_CHECK(rtm_canvas_text(c, 1, 8, "x", 10, RTM_TEXT_REGULAR, BLACK, &e) == RTM_ERR_IO);
    RTM_CHECK(strstr(e.msg, "font") && strstr(e.msg, "NoFont.ttf") && strstr(e.msg, "RTM_FONT"));
    RTM_CHECK(rtm_canvas_fonts_load(c, &e) == RTM_ERR_IO);
    /* a file that exists but is no font */
    char path[] = "build/test-canvas-notafont-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        /* fall back to the current directory */
        strcpy(path, "notafont-XXXXXX");
        fd = mkstemp(path);
    }
    RTM_CHECK(fd >= 0);
    if (fd >= 0) {
        RTM_CHECK(write(fd, "hello", 5) == 5);
        close(fd);
        RTM_CHECK(rtm_canvas_set_fonts(c, path, path, &e) == 0);
        RTM_CHECK(rtm_canvas_text_size(c, "x", 10, RTM_TEXT_BOLD, NULL, NULL, NULL, &e) == RTM_ERR_IO);
        RTM_CHECK(strstr(e.msg, "not a font") != NULL);
        unlink(path);
    }
    /* RTM_FONT in the environment */
    rtm_canvas *d = rtm_canvas_create(10, 10, WHITE, &e);
    setenv("RTM_FONT", "no-such-dir/EnvFont.ttf", 1);
    RTM_CHECK(rtm_canvas_fonts_load(d, &e) == RTM_ERR_IO && strstr(e.msg, "EnvFont.ttf"));
    unsetenv("RTM_FONT");
    RTM_CHECK(rtm_canvas_fonts_load(d, &e) == 0);
    rtm_canvas_free(c);
    rtm_canvas_free(d);
}

int main(void)
{
    RTM_RUN(test_blend);
    RTM_RUN(test_line);
    RTM_RUN(test_triangle);
    RTM_RUN(test_text);
    RTM_RUN(test_text_vertical);
    RTM_RUN(test_missing_font);
    return RTM_TEST_END();
}
