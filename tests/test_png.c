/* test_png.c: heatmap PNGs read back with libpng's png_image API: size,
 * transparency of zero/nodata cells, ramp colours (from rtm_ramp), world-file
 * georeferencing (cell centres mapped through the .pgw land on the right
 * pixels), downsampling by block averages computed here, byte-identical
 * repeats, only critical PNG chunks (no tIME), GDAL's reading of the world
 * file, title text and font errors; and the line chart. */
#include "rtm/output.h"
#include "rtm_test.h"

#include <cpl_conv.h>
#include <cpl_minixml.h>
#include <gdal.h>
#include <ogr_srs_api.h>
#include <png.h>
#include <unistd.h>

#include "core/gdal.h"

static char dir[256];

static const char *out(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

typedef struct img {
    int w, h;
    unsigned char *px;
} img;

static int read_png(const char *path, img *im)
{
    png_image p;
    memset(&p, 0, sizeof p);
    p.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&p, path))
        return -1;
    p.format = PNG_FORMAT_RGBA;
    im->w = (int)p.width;
    im->h = (int)p.height;
    im->px = malloc(PNG_IMAGE_SIZE(p));
    if (!im->px || !png_image_finish_read(&p, NULL, im->px, 0, NULL)) {
        png_image_free(&p);
        free(im->px);
        return -1;
    }
    return 0;
}

static const unsigned char *at(const img *im, int x, int y)
{
    static const unsigned char none[4] = {1, 2, 3, 4};
    if (x < 0 || y < 0 || x >= im->w || y >= im->h)
        return none;
    return im->px + 4 * ((size_t)y * (size_t)im->w + (size_t)x);
}

typedef struct world {
    double a, d, b, e, c, f;
} world;

static int read_world(const char *path, world *w)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int n = fscanf(f, "%lf %lf %lf %lf %lf %lf", &w->a, &w->d, &w->b, &w->e, &w->c, &w->f);
    fclose(f);
    return n == 6 ? 0 : -1;
}

/* PNG pixel holding ground point (x, y) according to the world file. */
static void ground_to_px(const world *w, double x, double y, int *col, int *row)
{
    *col = (int)floor((x - w->c) / w->a + 0.5);
    *row = (int)floor((y - w->f) / w->e + 0.5);
}

static int same_rgb(const unsigned char *p, const unsigned char rgb[3], int tol)
{
    return abs(p[0] - rgb[0]) <= tol && abs(p[1] - rgb[1]) <= tol && abs(p[2] - rgb[2]) <= tol;
}

static int ramp_id(const char *name)
{
    int r = 0;
    rtm_ramp_parse(name, &r, NULL);
    return r;
}

/* 8 x 6 grid, 100 m cells: max 10 at (0,0), min 1 at (5,7), zero at (2,3),
 * nodata (mask 0, value 50) at (3,3); the rest 2..9. */
#define NC 8
#define NR 6
static void small_surface(rtm_grid *g, double *v, unsigned char *m)
{
    rtm_error e;
    rtm_grid_from_bbox(g, 1000, 2000, 1000 + NC * 100, 2000 + NR * 100, 100, "EPSG:27700", &e);
    for (int k = 0; k < NC * NR; k++) {
        v[k] = 2 + (k * 7) % 8; /* 2..9 */
        m[k] = 1;
    }
    v[0] = 10;
    v[5 * NC + 7] = 1;
    v[2 * NC + 3] = 0;
    v[3 * NC + 3] = 50;
    m[3 * NC + 3] = 0;
}

static void check_cell(const img *im, const world *w, const rtm_grid *g, int i, int j,
                       const unsigned char rgb[3], int alpha)
{
    int col, row;
    ground_to_px(w, rtm_grid_cell_x(g, j), rtm_grid_cell_y(g, i), &col, &row);
    const unsigned char *p = at(im, col, row);
    RTM_CHECK(p[3] == alpha);
    if (alpha)
        RTM_CHECK(same_rgb(p, rgb, 1));
}

static void test_continuous(void)
{
    rtm_grid g;
    rtm_error e;
    double v[NC * NR];
    unsigned char m[NC * NR], top[3], bot[3], mid[3];
    small_surface(&g, v, m);
    rtm_map_opts o;
    rtm_map_opts_init(&o);
    o.min_pixels = 0; /* one pixel per cell */
    o.title = "Test map";
    o.units_label = "events per km\xc2\xb2";
    RTM_CHECK(rtm_map_png_write(out("cont.png"), &g, v, m, &o, &e) == 0);
    img im = {0};
    world w;
    RTM_CHECK(read_png(out("cont.png"), &im) == 0);
    RTM_CHECK(read_world(out("cont.pgw"), &w) == 0);
    if (!im.px)
        return;
    RTM_CHECK(im.w > NC + 100 && im.h > NR + 40); /* panel plus legend and title */
    RTM_CHECK_NEAR(w.a, 100, 0);
    RTM_CHECK_NEAR(w.e, -100, 0);
    RTM_CHECK_NEAR(w.b, 0, 0);
    RTM_CHECK_NEAR(w.d, 0, 0);
    /* the world-file origin is the centre of a whole pixel, so that every
     * cell centre falls on a pixel centre */
    double fc = (rtm_grid_cell_x(&g, 0) - w.c) / w.a, fr = (rtm_grid_cell_y(&g, 0) - w.f) / w.e;
    RTM_CHECK_NEAR(fc, round(fc), 1e-9);
    RTM_CHECK_NEAR(fr, round(fr), 1e-9);
    rtm_ramp_color(ramp_id("viridis"), 1.0, top);
    rtm_ramp_color(ramp_id("viridis"), 0.0, bot);
    rtm_ramp_color(ramp_id("viridis"), (v[1] - 1.0) / 9.0, mid);
    check_cell(&im, &w, &g, 0, 0, top, 255);
    check_cell(&im, &w, &g, 5, 7, bot, 255);
    check_cell(&im, &w, &g, 0, 1, mid, 255);
    check_cell(&im, &w, &g, 2, 3, NULL, 0); /* zero */
    check_cell(&im, &w, &g, 3, 3, NULL, 0); /* nodata */
    /* only those two pixels are transparent in the whole image */
    int nclear = 0;
    for (int y = 0; y < im.h; y++)
        for (int x = 0; x < im.w; x++)
            nclear += at(&im, x, y)[3] == 0;
    RTM_CHECK(nclear == 2);
    free(im.px);
}

static void test_threshold_and_ramp(void)
{
    rtm_grid g;
    rtm_error e;
    double v[NC * NR];
    unsigned char m[NC * NR], top[3];
    small_surface(&g, v, m);
    rtm_map_opts o;
    rtm_map_opts_init(&o);
    o.min_pixels = 0;
    o.ramp = "magma";
    o.zero_transparent_below = 2.5; /* hides the 1s and 2s */
    RTM_CHECK(rtm_map_png_write(out("thr.png"), &g, v, m, &o, &e) == 0);
    img im = {0};
    world w;
    RTM_CHECK(read_png(out("thr.png"), &im) == 0 && read_world(out("thr.pgw"), &w) == 0);
    if (!im.px)
        return;
    rtm_ramp_color(ramp_id("magma"), 1.0, top);
    check_cell(&im, &w, &g, 0, 0, top, 255);
    check_cell(&im, &w, &g, 5, 7, NULL, 0);
    int hidden = 0, k2 = -1;
    for (int k = 0; k < NC * NR; k++)
        if (m[k] && v[k] != 0 && v[k] <= 2.5) {
            hidden++;
            k2 = k;
        }
    RTM_CHECK(hidden > 1 && k2 >= 0);
    check_cell(&im, &w, &g, k2 / NC, k2 % NC, NULL, 0);
    free(im.px);
    o.ramp = "rainbow";
    RTM_CHECK(rtm_map_png_write(out("bad.png"), &g, v, m, &o, &e) == RTM_ERR_ARG);
    RTM_CHECK(access(out("bad.png"), F_OK) != 0);
}

static void test_downsample(void)
{
    /* 40 x 20 cells of 50 m, value = column + 1; max_pixels 10 gives blocks
     * of 4 x 4 cells and a 10 x 5 panel of 200 m pixels. Block column b
     * averages columns 4b..4b+3: 4b + 2.5, so 2.5 .. 38.5. Rows 0..3 of
     * block column 2 are outside the mask except one cell (column 9 + 1 =
     * 10, then the block shows 10, not 10.5); block (4, 9) entirely masked. */
    rtm_grid g;
    rtm_error e;
    enum { C = 40, R = 20 };
    double *v = malloc(C * R * sizeof *v);
    unsigned char *m = malloc(C * R), col3[3];
    rtm_grid_from_bbox(&g, 500000, 100000, 500000 + C * 50, 100000 + R * 50, 50, NULL, &e);
    for (int i = 0; i < R; i++)
        for (int j = 0; j < C; j++) {
            v[i * C + j] = j + 1;
            m[i * C + j] = !(i < 4 && j >= 8 && j < 12 && !(i == 1 && j == 9)) &&
                           !(i >= 16 && j >= 36);
        }
    rtm_map_opts o;
    rtm_map_opts_init(&o);
    o.max_pixels = 10;
    RTM_CHECK(rtm_map_png_write(out("down.png"), &g, v, m, &o, &e) == 0);
    img im = {0};
    world w;
    RTM_CHECK(read_png(out("down.png"), &im) == 0 && read_world(out("down.pgw"), &w) == 0);
    if (!im.px)
        goto done;
    /* max_pixels wins over min_pixels: no enlargement */
    RTM_CHECK_NEAR(w.a, 200, 0);
    RTM_CHECK_NEAR(w.e, -200, 0);
    /* centre of panel pixel (bi, bj) = centre of its 4 x 4 block */
    int x, y;
    unsigned char top[3], bot[3];
    int rv = ramp_id("viridis");
    rtm_ramp_color(rv, 0, bot);
    /* top shown block is column 9 rows 0..3 (38.5) */
    rtm_ramp_color(rv, 1, top);
    ground_to_px(&w, 500000 + 9 * 200 + 100, 101000 - 100, &x, &y);
    RTM_CHECK(at(&im, x, y)[3] == 255 && same_rgb(at(&im, x, y), top, 1));
    ground_to_px(&w, 500000 + 100, 101000 - 100, &x, &y);
    RTM_CHECK(at(&im, x, y)[3] == 255 && same_rgb(at(&im, x, y), bot, 1));
    rtm_ramp_color(rv, (10.0 - 2.5) / 36.0, col3);
    ground_to_px(&w, 500000 + 2 * 200 + 100, 101000 - 100, &x, &y);
    RTM_CHECK(at(&im, x, y)[3] == 255 && same_rgb(at(&im, x, y), col3, 1));
    ground_to_px(&w, 500000 + 9 * 200 + 100, 100000 + 100, &x, &y);
    RTM_CHECK(at(&im, x, y)[3] == 0);
    /* the panel is 10 x 5: pixels just outside it are opaque page */
    ground_to_px(&w, 500000 + 10 * 200 + 100 + 200, 101000 - 100, &x, &y);
    RTM_CHECK(at(&im, x, y)[3] == 255);
    free(im.px);
done:
    free(v);
    free(m);
}

static void test_upsample_and_repeat(void)
{
    rtm_grid g;
    rtm_error e;
    double v[NC * NR];
    unsigned char m[NC * NR], top[3];
    small_surface(&g, v, m);
    rtm_map_opts o;
    rtm_map_opts_init(&o);
    o.min_pixels = 100; /* 8 columns -> 13 px per cell */
    RTM_CHECK(rtm_map_png_write(out("up.png"), &g, v, m, &o, &e) == 0);
    img im = {0};
    world w;
    RTM_CHECK(read_png(out("up.png"), &im) == 0 && read_world(out("up.pgw"), &w) == 0);
    if (!im.px)
        return;
    RTM_CHECK_NEAR(w.a, 100.0 / 13, 1e-9);
    rtm_ramp_color(ramp_id("viridis"), 1, top);
    /* every pixel inside cell (0,0)'s footprint has the top colour */
    for (int dy = 0; dy < 13; dy++)
        for (int dx = 0; dx < 13; dx++) {
            int x, y;
            ground_to_px(&w, 1000 + (dx + 0.5) * 100.0 / 13, 2600 - (dy + 0.5) * 100.0 / 13, &x, &y);
            RTM_CHECK(same_rgb(at(&im, x, y), top, 1) && at(&im, x, y)[3] == 255);
        }
    free(im.px);
    /* two writes give the same bytes */
    RTM_CHECK(rtm_map_png_write(out("up2.png"), &g, v, m, &o, &e) == 0);
    FILE *a = fopen(out("up.png"), "rb"), *b = fopen(out("up2.png"), "rb");
    RTM_CHECK(a && b);
    if (a && b) {
        int ca, cb;
        long n = 0, diff = 0;
        do {
            ca = getc(a);
            cb = getc(b);
            diff += ca != cb;
            n++;
        } while (ca != EOF && cb != EOF);
        RTM_CHECK(diff == 0 && n > 100);
    }
    if (a)
        fclose(a);
    if (b)
        fclose(b);
}

static void test_classes(void)
{
    rtm_grid g;
    rtm_error e;
    double v[NC * NR];
    unsigned char m[NC * NR], c0[3], c3[3];
    small_surface(&g, v, m);
    rtm_map_opts o;
    rtm_map_opts_init(&o);
    o.min_pixels = 0;
    o.nclasses = 4;
    o.classes = RTM_CLASS_EQUAL; /* breaks 1, 3.25, 5.5, 7.75, 10 */
    o.ramp = "ylorrd";
    RTM_CHECK(rtm_map_png_write(out("cls.png"), &g, v, m, &o, &e) == 0);
    img im = {0};
    world w;
    RTM_CHECK(read_png(out("cls.png"), &im) == 0 && read_world(out("cls.pgw"), &w) == 0);
    if (!im.px)
        return;
    int r = ramp_id("ylorrd");
    rtm_ramp_color(r, 0, c0);
    rtm_ramp_color(r, 1, c3);
    for (int k = 0; k < NC * NR; k++) {
        if (!m[k] || v[k] == 0)
            continue;
        unsigned char want[3];
        int cls = v[k] <= 3.25 ? 0 : v[k] <= 5.5 ? 1 : v[k] <= 7.75 ? 2 : 3;
        rtm_ramp_color(r, cls / 3.0, want);
        check_cell(&im, &w, &g, k / NC, k % NC, want, 255);
    }
    check_cell(&im, &w, &g, 0, 0, c3, 255);
    check_cell(&im, &w, &g, 5, 7, c0, 255);
    free(im.px);
    o.nclasses = 99;
    RTM_CHECK(rtm_map_png_write(out("cls.png"), &g, v, m, &o, &e) == RTM_ERR_ARG);
}

static void test_categorical(void)
{
    rtm_grid g;
    rtm_error e;
    double v[NC * NR];
    unsigned char m[NC * NR];
    small_surface(&g, v, m);
    for (int k = 0; k < NC * NR; k++)
        v[k] = (k % 7) - 3; /* -3..3 */
    v[1] = 7;               /* no such bin: transparent */
    v[2] = 2.9;             /* rounds to 3 */
    int vals[] = {-3, -2, -1, 0, 1, 2, 3};
    const char *labels[] = {"cold 99%", "cold 95%", "cold 90%", "not significant",
                            "hot 90%", "hot 95%", "hot 99%"};
    rtm_map_opts o;
    rtm_map_opts_init(&o);
    o.min_pixels = 0;
    RTM_CHECK(rtm_map_png_write_categorical(out("cat.png"), &g, v, m, vals, labels, 7, &o, &e) == 0);
    img im = {0};
    world w;
    RTM_CHECK(read_png(out("cat.png"), &im) == 0 && read_world(out("cat.pgw"), &w) == 0);
    if (!im.px)
        return;
    int r = ramp_id("diverging");
    for (int k = 0; k < NC * NR; k++) {
        unsigned char want[3];
        if (k == 1 || !m[k]) {
            check_cell(&im, &w, &g, k / NC, k % NC, NULL, 0);
            continue;
        }
        rtm_ramp_color(r, (lround(v[k]) + 3) / 6.0, want);
        check_cell(&im, &w, &g, k / NC, k % NC, want, 255);
    }
    free(im.px);
}

static void test_categorical_mode(void)
{
    /* 4 x 2 cells, max_pixels 2: two 2 x 2 blocks. Block 0 {3, 3, -1, 0}:
     * mode 3. Block 1 {1, -1, -1, 1}: a tie of equal magnitude goes to the
     * larger value, 1. */
    rtm_grid g;
    rtm_error e;
    double v[8] = {3, 3, 1, -1, -1, 0, -1, 1};
    int vals[] = {-3, -2, -1, 0, 1, 2, 3};
    unsigned char c3[3], c1[3];
    rtm_grid_from_bbox(&g, 0, 0, 400, 200, 100, NULL, &e);
    rtm_map_opts o;
    rtm_map_opts_init(&o);
    o.max_pixels = 2;
    o.legend = 0;
    RTM_CHECK(rtm_map_png_write_categorical(out("mode.png"), &g, v, NULL, vals, NULL, 7, &o, &e) == 0);
    img im = {0};
    world w;
    RTM_CHECK(read_png(out("mode.png"), &im) == 0 && read_world(out("mode.pgw"), &w) == 0);
    if (!im.px)
        return;
    RTM_CHECK_NEAR(w.a, 200, 0);
    int r = ramp_id("diverging"), x, y;
    rtm_ramp_color(r, 1.0, c3);
    rtm_ramp_color(r, 4 / 6.0, c1);
    ground_to_px(&w, 100, 100, &x, &y);
    RTM_CHECK(same_rgb(at(&im, x, y), c3, 0) && at(&im, x, y)[3] == 255);
    ground_to_px(&w, 300, 100, &x, &y);
    RTM_CHECK(same_rgb(at(&im, x, y), c1, 0) && at(&im, x, y)[3] == 255);
    free(im.px);
}

/* Non-white pixels above the map panel (title area). */
static int title_ink(const char *title)
{
    rtm_grid g;
    rtm_error e;
    double v[NC * NR];
    unsigned char m[NC * NR];
    small_surface(&g, v, m);
    rtm_map_opts o;
    rtm_map_opts_init(&o);
    o.title = title;
    if (rtm_map_png_write(out("title.png"), &g, v, m, &o, &e) != 0)
        return -1;
    img im = {0};
    world w;
    int x, y, n = 0;
    if (read_png(out("title.png"), &im) != 0 || read_world(out("title.pgw"), &w) != 0)
        return -1;
    int x1, y1;
    /* first and last pixel of the panel's top row */
    ground_to_px(&w, g.x0 + w.a / 2, g.y0 + NR * g.res - w.a / 2, &x, &y);
    ground_to_px(&w, g.x0 + NC * g.res - w.a / 2, g.y0 + NR * g.res - w.a / 2, &x1, &y1);
    for (int r = 0; r < y - 2; r++) /* above the panel and its frame */
        for (int c = 0; c <= x1; c++) {
            const unsigned char *p = at(&im, c, r);
            n += p[0] < 200 || p[1] < 200 || p[2] < 200;
        }
    free(im.px);
    return n;
}

static void test_title_text(void)
{
    RTM_CHECK(title_ink(NULL) == 0);
    RTM_CHECK(title_ink("Burglary, Q1 2024") > 100);
}

static void test_missing_font(void)
{
    rtm_grid g;
    rtm_error e;
    double v[NC * NR];
    unsigned char m[NC * NR];
    small_surface(&g, v, m);
    rtm_map_opts o;
    rtm_map_opts_init(&o);
    o.font = "no-such-dir/Missing.ttf";
    unlink(out("nofont.png"));
    RTM_CHECK(rtm_map_png_write(out("nofont.png"), &g, v, m, &o, &e) == RTM_ERR_IO);
    RTM_CHECK(strstr(e.msg, "Missing.ttf") != NULL && strstr(e.msg, "font") != NULL);
    RTM_CHECK(access(out("nofont.png"), F_OK) != 0);
    setenv("RTM_FONT", "no-such-dir/EnvMissing.ttf", 1);
    o.font = NULL;
    RTM_CHECK(rtm_map_png_write(out("nofont.png"), &g, v, m, &o, &e) == RTM_ERR_IO);
    RTM_CHECK(strstr(e.msg, "EnvMissing.ttf") != NULL);
    unsetenv("RTM_FONT");
}

/* Chunk types of a PNG file, concatenated ("IHDRIDATIEND"). */
static int png_chunks(const char *path, char *types, size_t sz)
{
    FILE *f = fopen(path, "rb");
    unsigned char h[8];
    size_t n = 0;
    if (!f)
        return -1;
    if (fread(h, 1, 8, f) != 8 || memcmp(h, "\x89PNG\r\n\x1a\n", 8) != 0) {
        fclose(f);
        return -1;
    }
    types[0] = '\0';
    while (fread(h, 1, 8, f) == 8) {
        long len = ((long)h[0] << 24) | ((long)h[1] << 16) | ((long)h[2] << 8) | h[3];
        if (n + 5 > sz || fseek(f, len + 4, SEEK_CUR) != 0)
            break;
        if (n < 4 || memcmp(types + n - 4, h + 4, 4) != 0) { /* one entry per run */
            memcpy(types + n, h + 4, 4);
            n += 4;
            types[n] = '\0';
        }
    }
    fclose(f);
    return 0;
}

static void test_chunks_and_gdal(void)
{
    rtm_grid g;
    rtm_error e;
    double v[NC * NR];
    unsigned char m[NC * NR];
    char types[256];
    small_surface(&g, v, m);
    rtm_map_opts o;
    rtm_map_opts_init(&o);
    o.title = "Chunks";
    RTM_CHECK(rtm_map_png_write(out("gdal.png"), &g, v, m, &o, &e) == 0);
    RTM_CHECK(png_chunks(out("gdal.png"), types, sizeof types) == 0);
    RTM_CHECK(strcmp(types, "IHDRIDATIEND") == 0); /* no tIME, tEXt, ... */
    /* GDAL's PNG driver reads the .pgw: its geotransform is the outer corner
     * of pixel (0,0), i.e. the world file's centre minus half a pixel */
    world w;
    RTM_CHECK(read_world(out("gdal.pgw"), &w) == 0);
    rtm_gdal_init();
    GDALDatasetH ds = GDALOpen(out("gdal.png"), GA_ReadOnly);
    RTM_CHECK(ds != NULL);
    if (!ds)
        return;
    double gt[6];
    RTM_CHECK(GDALGetGeoTransform(ds, gt) == CE_None);
    RTM_CHECK_NEAR(gt[1], w.a, 1e-9);
    RTM_CHECK_NEAR(gt[5], w.e, 1e-9);
    RTM_CHECK_NEAR(gt[0], w.c - w.a / 2, 1e-6);
    RTM_CHECK_NEAR(gt[3], w.f - w.e / 2, 1e-6);
    RTM_CHECK(GDALGetRasterCount(ds) == 4);
    /* the top-left grid corner, through GDAL's transform, is a panel pixel
     * corner whose pixel holds the maximum (cell (0,0)) */
    double px = (g.x0 - gt[0]) / gt[1], py = (g.y0 + NR * g.res - gt[3]) / gt[5];
    RTM_CHECK_NEAR(px, round(px), 1e-6);
    RTM_CHECK_NEAR(py, round(py), 1e-6);
    unsigned char rgba[4], top[3];
    for (int b = 0; b < 4; b++)
        RTM_CHECK(GDALRasterIO(GDALGetRasterBand(ds, b + 1), GF_Read, (int)round(px),
                               (int)round(py), 1, 1, rgba + b, 1, 1, GDT_Byte, 0, 0) == CE_None);
    rtm_ramp_color(ramp_id("viridis"), 1, top);
    RTM_CHECK(same_rgb(rgba, top, 1) && rgba[3] == 255);
    /* the CRS comes from the .png.aux.xml sidecar: GDAL reads it as the
     * grid's EPSG:27700, x (easting) first like the world file */
    OGRSpatialReferenceH got = GDALGetSpatialRef(ds), want = OSRNewSpatialReference(NULL);
    RTM_CHECK(access(out("gdal.png.aux.xml"), F_OK) == 0);
    RTM_CHECK(got != NULL && OSRImportFromEPSG(want, 27700) == OGRERR_NONE);
    if (got) {
        int n = 0;
        const int *axes = OSRGetDataAxisToSRSAxisMapping(got, &n);
        RTM_CHECK(OSRIsSame(got, want));
        RTM_CHECK(n == 2 && axes[0] == 1 && axes[1] == 2);
    }
    OSRDestroySpatialReference(want);
    GDALClose(ds);
    /* no CRS on the grid: no sidecar (nothing to say), and an unknown CRS
     * is an error that leaves no map behind */
    rtm_grid g2 = g;
    g2.crs[0] = '\0';
    RTM_CHECK(rtm_map_png_write(out("nocrs.png"), &g2, v, m, &o, &e) == 0);
    RTM_CHECK(access(out("nocrs.png"), F_OK) == 0 && access(out("nocrs.png.aux.xml"), F_OK) != 0);
    snprintf(g2.crs, sizeof g2.crs, "%s", "EPSG:99999999");
    RTM_CHECK(rtm_map_png_write(out("badcrs.png"), &g2, v, m, &o, &e) != 0);
    RTM_CHECK(access(out("badcrs.png"), F_OK) != 0 && access(out("badcrs.pgw"), F_OK) != 0 &&
              access(out("badcrs.png.aux.xml"), F_OK) != 0);
}

/* The scale bar's length in pixels: the outline drawn around it is a run
 * of ink (34,34,34) from x to x + bar on its top and bottom rows (6 apart),
 * its first quarter filled with ink and its second white. 0 if not found. */
static int scale_bar_px(const img *im)
{
    for (int y = 0; y + 6 < im->h; y++)
        for (int x = 0; x < im->w; x++) {
            int n = 0;
            while (x + n < im->w && at(im, x + n, y)[0] == 34 && at(im, x + n, y)[3] == 255)
                n++;
            if (n >= 9) {
                int bar = n - 1, ok = 1;
                for (int k = 0; k <= bar && ok; k++)
                    ok = at(im, x + k, y + 6)[0] == 34;
                if (ok && at(im, x + bar / 8, y + 3)[0] == 34 &&
                    at(im, x + 3 * bar / 8, y + 3)[0] == 255)
                    return bar;
            }
            x += n;
        }
    return 0;
}

/* 1 if len is within tol of 1, 2 or 5 x 10^k (len's decade p, or 10 p
 * when rounding left len just under it). */
static int is_nice(double len, double tol)
{
    static const double m[] = {1, 2, 5, 10};
    double p = pow(10.0, floor(log10(len)));
    for (int k = 0; k < 4; k++)
        if (fabs(len - m[k] * p) <= tol)
            return 1;
    return 0;
}

/* The scale bar shows a round length in metres whatever the CRS's unit:
 * the same grid numbers in a CRS in US survey feet (EPSG:2263) give a bar
 * whose length in metres, not in feet, is round; and a different bar. */
static void test_scale_bar_units(void)
{
    rtm_grid g;
    rtm_error e;
    double v[NC * NR];
    unsigned char m[NC * NR];
    img a = {0}, b = {0};
    world w;
    small_surface(&g, v, m);
    rtm_map_opts o;
    rtm_map_opts_init(&o);
    RTM_CHECK(rtm_map_png_write(out("sb_m.png"), &g, v, m, &o, &e) == 0);
    snprintf(g.crs, sizeof g.crs, "%s", "EPSG:2263");
    RTM_CHECK(rtm_map_png_write(out("sb_ft.png"), &g, v, m, &o, &e) == 0);
    RTM_CHECK(read_png(out("sb_m.png"), &a) == 0 && read_png(out("sb_ft.png"), &b) == 0);
    RTM_CHECK(read_world(out("sb_m.pgw"), &w) == 0);
    int pa = scale_bar_px(&a), pb = scale_bar_px(&b);
    double ft = 1200.0 / 3937.0; /* the US survey foot in metres */
    RTM_CHECK(pa > 0 && pb > 0 && pa != pb);
    RTM_CHECK(is_nice(pa * w.a, w.a / 2 + 1e-9));
    RTM_CHECK(is_nice(pb * w.a * ft, w.a * ft / 2 + 1e-9));
    printf("# scale bar: %d px = %g m (metres CRS); %d px = %g m (US feet CRS)\n", pa, pa * w.a,
           pb, pb * w.a * ft);
    free(a.px);
    free(b.px);
}

static void test_nothing_to_show(void)
{
    rtm_grid g;
    rtm_error e;
    double v[NC * NR] = {0};
    unsigned char m[NC * NR];
    small_surface(&g, v, m);
    memset(v, 0, sizeof v);
    rtm_map_opts o;
    rtm_map_opts_init(&o);
    o.min_pixels = 0;
    RTM_CHECK(rtm_map_png_write(out("empty.png"), &g, v, m, &o, &e) == 0);
    img im = {0};
    world w;
    RTM_CHECK(read_png(out("empty.png"), &im) == 0 && read_world(out("empty.pgw"), &w) == 0);
    if (!im.px)
        return;
    int nclear = 0;
    for (int k = 0; k < im.w * im.h; k++)
        nclear += im.px[4 * k + 3] == 0;
    RTM_CHECK(nclear == NC * NR);
    free(im.px);
    /* a constant surface takes the top colour */
    unsigned char top[3];
    for (int k = 0; k < NC * NR; k++)
        v[k] = 5;
    RTM_CHECK(rtm_map_png_write(out("flat.png"), &g, v, NULL, &o, &e) == 0);
    RTM_CHECK(read_png(out("flat.png"), &im) == 0 && read_world(out("flat.pgw"), &w) == 0);
    if (!im.px)
        return;
    rtm_ramp_color(ramp_id("viridis"), 1, top);
    check_cell(&im, &w, &g, 3, 3, top, 255);
    free(im.px);
}

static void test_world_path(void)
{
    char b[64];
    rtm_error e;
    RTM_CHECK(rtm_png_world_path("out/map.png", b, sizeof b, &e) == 0 && !strcmp(b, "out/map.pgw"));
    RTM_CHECK(rtm_png_world_path("out.d/map", b, sizeof b, &e) == 0 && !strcmp(b, "out.d/map.pgw"));
    RTM_CHECK(rtm_png_world_path("a.b.png", b, sizeof b, &e) == 0 && !strcmp(b, "a.b.pgw"));
    RTM_CHECK(rtm_png_world_path("map.png", b, 6, &e) == RTM_ERR_ARG);
}

/* RTM_MAP_GEOREF_MAP_ONLY: the composed briefing PNG has no sidecar; the
 * map panel alone is X_map.png whose world file and CRS sidecar put cell
 * (i, j) on pixel (j, i) (checked through GDAL's reading of them). */
static void test_map_only(void)
{
    rtm_grid g;
    rtm_error e;
    double v[NC * NR];
    unsigned char m[NC * NR];
    char b[64];
    small_surface(&g, v, m);
    rtm_map_opts o;
    rtm_map_opts_init(&o);
    o.min_pixels = 0;
    o.title = "Map only";
    o.georef = RTM_MAP_GEOREF_MAP_ONLY;
    RTM_CHECK(rtm_map_png_write(out("mo.png"), &g, v, m, &o, &e) == 0);
    RTM_CHECK(access(out("mo.png"), F_OK) == 0 && access(out("mo.pgw"), F_OK) != 0 &&
              access(out("mo.png.aux.xml"), F_OK) != 0);
    RTM_CHECK(access(out("mo_map.pgw"), F_OK) == 0 && access(out("mo_map.png.aux.xml"), F_OK) == 0);
    img im = {0}, full = {0};
    RTM_CHECK(read_png(out("mo_map.png"), &im) == 0 && read_png(out("mo.png"), &full) == 0);
    RTM_CHECK(im.w == NC && im.h == NR && full.w > NC && full.h > NR);
    rtm_gdal_init();
    GDALDatasetH ds = GDALOpen(out("mo_map.png"), GA_ReadOnly);
    RTM_CHECK(ds != NULL);
    if (ds) {
        double gt[6];
        OGRSpatialReferenceH want = OSRNewSpatialReference(NULL);
        RTM_CHECK(GDALGetGeoTransform(ds, gt) == CE_None);
        RTM_CHECK_NEAR(gt[0], g.x0, 1e-6);
        RTM_CHECK_NEAR(gt[3], g.y0 + NR * g.res, 1e-6);
        RTM_CHECK_NEAR(gt[1], g.res, 1e-9);
        RTM_CHECK_NEAR(gt[5], -g.res, 1e-9);
        RTM_CHECK(OSRImportFromEPSG(want, 27700) == OGRERR_NONE && GDALGetSpatialRef(ds) &&
                  OSRIsSame(GDALGetSpatialRef(ds), want));
        OSRDestroySpatialReference(want);
        GDALClose(ds);
    }
    world w;
    RTM_CHECK(read_world(out("mo_map.pgw"), &w) == 0);
    int r = ramp_id("viridis");
    for (int k = 0; im.px && k < NC * NR; k++) {
        unsigned char want[3];
        if (!m[k] || v[k] <= 0) {
            check_cell(&im, &w, &g, k / NC, k % NC, NULL, 0);
            continue;
        }
        rtm_ramp_color(r, (v[k] - 1) / 9.0, want); /* shown range 1..10 */
        check_cell(&im, &w, &g, k / NC, k % NC, want, 255);
    }
    free(im.px);
    free(full.px);
    o.georef = RTM_MAP_GEOREF_NONE;
    RTM_CHECK(rtm_map_png_write(out("plain.png"), &g, v, m, &o, &e) == 0);
    RTM_CHECK(access(out("plain.png"), F_OK) == 0 && access(out("plain.pgw"), F_OK) != 0 &&
              access(out("plain.png.aux.xml"), F_OK) != 0 && access(out("plain_map.png"), F_OK) != 0);
    /* a name first written georeferenced, then as a plain picture: the old
     * world file and CRS sidecar go, so nothing places the picture */
    o.georef = RTM_MAP_GEOREF_COMPOSED;
    RTM_CHECK(rtm_map_png_write(out("again.png"), &g, v, m, &o, &e) == 0);
    RTM_CHECK(access(out("again.pgw"), F_OK) == 0 && access(out("again.png.aux.xml"), F_OK) == 0);
    o.georef = RTM_MAP_GEOREF_MAP_ONLY;
    RTM_CHECK(rtm_map_png_write(out("again.png"), &g, v, m, &o, &e) == 0);
    RTM_CHECK(access(out("again.pgw"), F_OK) != 0 && access(out("again.png.aux.xml"), F_OK) != 0);
    RTM_CHECK(access(out("again_map.pgw"), F_OK) == 0);
    o.georef = 7;
    RTM_CHECK(rtm_map_png_write(out("bad.png"), &g, v, m, &o, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_map_png_georef_path("out/kde.png", b, sizeof b, &e) == 0 &&
              !strcmp(b, "out/kde_map.png"));
    RTM_CHECK(rtm_map_png_georef_path("a.b/kde", b, sizeof b, &e) == 0 &&
              !strcmp(b, "a.b/kde_map.png"));
    RTM_CHECK(rtm_map_png_georef_path("kde.png", b, 8, &e) == RTM_ERR_ARG);
}

/* One <item> of a DISCRETE colour ramp shader. */
typedef struct qitem {
    double value;
    int alpha, rgb[3];
} qitem;

/* The items of the .qml's colour ramp shader (DISCRETE expected), or -1. */
static int qml_items(const char *path, qitem *it, int max)
{
    CPLXMLNode *doc = CPLParseXMLFile(path), *n, *r = NULL, *s = NULL;
    int k = 0;
    for (n = doc; n; n = n->psNext)
        if (n->eType == CXT_Element && strcmp(n->pszValue, "qgis") == 0)
            r = CPLGetXMLNode(n, "pipe.rasterrenderer");
    if (r && strcmp(CPLGetXMLValue(r, "type", ""), "singlebandpseudocolor") == 0)
        s = CPLGetXMLNode(r, "rastershader.colorrampshader");
    if (!s || strcmp(CPLGetXMLValue(s, "colorRampType", ""), "DISCRETE") != 0)
        k = -1;
    for (n = s ? s->psChild : NULL; n && k >= 0 && k < max; n = n->psNext) {
        if (n->eType != CXT_Element || strcmp(n->pszValue, "item") != 0)
            continue;
        it[k].value = CPLAtof(CPLGetXMLValue(n, "value", "nan"));
        it[k].alpha = atoi(CPLGetXMLValue(n, "alpha", "-1"));
        if (sscanf(CPLGetXMLValue(n, "color", ""), "#%2x%2x%2x", &it[k].rgb[0], &it[k].rgb[1],
                   &it[k].rgb[2]) != 3)
            k = -1;
        else
            k++;
    }
    CPLDestroyXMLNode(doc);
    return k;
}

/* A KDE-style classed map and the classed .qml of its GeoTIFF: the .qml's
 * class limits are the PNG legend's breaks (rtm_classify over the cells
 * the map shows), and every cell styled by QGIS's DISCRETE rule (the first
 * item whose value is >= the cell's) has the map pixel's colour. */
static void test_classed_qml(void)
{
    rtm_grid g;
    rtm_error e;
    double v[NC * NR], ref[6], br[6];
    unsigned char m[NC * NR], shown[NC * NR];
    small_surface(&g, v, m);
    rtm_map_opts o;
    rtm_map_opts_init(&o);
    o.min_pixels = 0;
    o.nclasses = 5;
    o.classes = RTM_CLASS_QUANTILE;
    o.ramp = "ylorrd";
    o.georef = RTM_MAP_GEOREF_MAP_ONLY;
    for (int k = 0; k < NC * NR; k++)
        shown[k] = m[k] && v[k] > o.zero_transparent_below;
    RTM_CHECK(rtm_classify(v, shown, NC * NR, RTM_CLASS_QUANTILE, 5, ref, &e) == 0);
    RTM_CHECK(rtm_map_png_breaks(&g, v, m, &o, br, &e) == 0);
    for (int k = 0; k <= 5; k++)
        RTM_CHECK(br[k] == ref[k]);
    RTM_CHECK(rtm_map_png_write(out("kde.png"), &g, v, m, &o, &e) == 0);
    rtm_geotiff_opts go;
    rtm_geotiff_opts_init(&go);
    go.qml_ramp = o.ramp;
    go.qml_nclasses = o.nclasses;
    go.qml_breaks = br;
    go.qml_transparent_below = o.zero_transparent_below;
    RTM_CHECK(rtm_geotiff_write(out("kde.tif"), &g, v, m, &go, &e) == 0);
    qitem it[8];
    int n = qml_items(out("kde.qml"), it, 8);
    RTM_CHECK(n == 6); /* transparent <= 0, then five classes */
    if (n != 6)
        return;
    RTM_CHECK(it[0].alpha == 0 && it[0].value == 0);
    for (int k = 1; k < 5; k++)
        RTM_CHECK(it[k].alpha == 255 && it[k].value == ref[k]);
    RTM_CHECK(isinf(it[5].value) && it[5].value > 0);
    img im = {0};
    world w;
    GDALDatasetH ds = GDALOpen(out("kde.tif"), GA_ReadOnly);
    RTM_CHECK(ds && read_png(out("kde_map.png"), &im) == 0 && read_world(out("kde_map.pgw"), &w) == 0);
    if (ds && im.px) {
        GDALRasterBandH b = GDALGetRasterBand(ds, 1);
        double t[NC * NR], nd = GDALGetRasterNoDataValue(b, NULL);
        RTM_CHECK(GDALRasterIO(b, GF_Read, 0, 0, NC, NR, t, NC, NR, GDT_Float64, 0, 0) == CE_None);
        for (int k = 0; k < NC * NR; k++) {
            int c = 0;
            while (c < 5 && !(t[k] <= it[c].value))
                c++;
            unsigned char rgb[3] = {it[c].rgb[0], it[c].rgb[1], it[c].rgb[2]};
            check_cell(&im, &w, &g, k / NC, k % NC, rgb, t[k] == nd ? 0 : it[c].alpha);
        }
    }
    if (ds)
        GDALClose(ds);
    free(im.px);
    o.nclasses = 0;
    RTM_CHECK(rtm_map_png_breaks(&g, v, m, &o, br, &e) == RTM_ERR_ARG);
}

static void test_chart(void)
{
    double x[101], hit[101], rnd[101];
    for (int i = 0; i <= 100; i++) {
        x[i] = i / 100.0;
        hit[i] = 1 - pow(1 - x[i], 4);
        rnd[i] = x[i];
    }
    rtm_chart_series s[2] = {{"KDE hit rate", x, hit, 101}, {"random", x, rnd, 101}};
    rtm_error e;
    RTM_CHECK(rtm_chart_png_write(out("chart.png"), "Hit rate vs area", "area coverage",
                                  "hit rate", s, 2, &e) == 0);
    img im = {0};
    RTM_CHECK(read_png(out("chart.png"), &im) == 0);
    if (!im.px)
        return;
    RTM_CHECK(im.w == 960 && im.h == 640);
    /* both series colours appear */
    int n0 = 0, n1 = 0;
    for (int k = 0; k < im.w * im.h; k++) {
        const unsigned char *p = im.px + 4 * k;
        n0 += p[0] == 0 && p[1] == 114 && p[2] == 178;  /* Okabe-Ito blue */
        n1 += p[0] == 230 && p[1] == 159 && p[2] == 0;  /* Okabe-Ito orange */
    }
    RTM_CHECK(n0 > 200 && n1 > 100);
    free(im.px);
    RTM_CHECK(rtm_chart_png_write(out("chart.png"), "t", "x", "y", s, 0, &e) == RTM_ERR_ARG);
}

int main(void)
{
    if (rtm_t_tmpdir(dir, sizeof dir, "test-png"))
        return 1;
    RTM_RUN(test_world_path);
    RTM_RUN(test_continuous);
    RTM_RUN(test_threshold_and_ramp);
    RTM_RUN(test_downsample);
    RTM_RUN(test_upsample_and_repeat);
    RTM_RUN(test_classes);
    RTM_RUN(test_categorical);
    RTM_RUN(test_categorical_mode);
    RTM_RUN(test_chunks_and_gdal);
    RTM_RUN(test_map_only);
    RTM_RUN(test_classed_qml);
    RTM_RUN(test_nothing_to_show);
    RTM_RUN(test_title_text);
    RTM_RUN(test_missing_font);
    RTM_RUN(test_chart);
    RTM_RUN(test_scale_bar_units);
    rtm_t_rmdir(dir);
    return RTM_TEST_END();
}
