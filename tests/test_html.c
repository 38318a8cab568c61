/* test_html.c: HTML escaping, base64 (RFC 4648 test vectors) and the report
 * builder. Run as `test_html --sample DIR` it instead writes DIR/report.html
 * (a sample report with an embedded PNG and hostile text) and DIR/map.png,
 * for tests/cli/report_chromium.sh. */
#include "output/html.h"
#include "rtm_test.h"

#include <cpl_string.h>
#include <png.h>
#include <strings.h>
#include <unistd.h>

#define EVIL "<script>alert(1)</script>"

/* a 120 x 80 RGB gradient PNG written with libpng's simplified API */
static int write_png(const char *path)
{
    enum { W = 120, H = 80 };
    static unsigned char px[W * H * 3];
    for (int i = 0; i < H; i++)
        for (int j = 0; j < W; j++) {
            unsigned char *p = px + 3 * (i * W + j);
            p[0] = (unsigned char)(255 * j / (W - 1));
            p[1] = (unsigned char)(255 * i / (H - 1));
            p[2] = 96;
        }
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = W;
    img.height = H;
    img.format = PNG_FORMAT_RGB;
    return png_image_write_to_file(&img, path, 0, px, 0, NULL) ? 0 : -1;
}

static void test_escape(void)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {EVIL, "&lt;script&gt;alert(1)&lt;/script&gt;"},
        {"a & b \"c\" 'd'", "a &amp; b &quot;c&quot; &#39;d&#39;"},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
        {"x\xffy", "x\xef\xbf\xbdy"},                         /* invalid byte */
        {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},              /* overlong '/' */
        {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surrogate D800 */
        {"end\xe2\x82", "end\xef\xbf\xbd\xef\xbf\xbd"},       /* truncated */
        {"\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* > U+10FFFF */
        {"tab\tnl\n\x01", "tab\tnl\n\xef\xbf\xbd"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *e = rtm_html_escape(cases[i].in);
        RTM_CHECK(e && strcmp(e, cases[i].out) == 0);
        if (e && strcmp(e, cases[i].out))
            fprintf(stderr, "  case %zu: got '%s'\n", i, e);
        free(e);
    }
    char *e = rtm_html_escape(NULL);
    RTM_CHECK(e && e[0] == '\0');
    free(e);
}

/* RFC 4648 section 10 test vectors */
static void test_base64(void)
{
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                      "Zm9vYmFy"};
    for (int i = 0; i < 7; i++) {
        char *b = rtm_base64(in[i], strlen(in[i]));
        RTM_CHECK(b && strcmp(b, out[i]) == 0);
        free(b);
    }
}

/* binary round trip of every length 0..300 through GDAL's decoder */
static void test_base64_roundtrip(void)
{
    unsigned char src[300];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (unsigned char)((i * 2654435761u) >> 11);
    for (size_t n = 0; n <= sizeof src; n++) {
        char *b = rtm_base64(src, n);
        RTM_CHECK(b != NULL);
        if (!b)
            continue;
        RTM_CHECK(strlen(b) == (n + 2) / 3 * 4);
        int m = CPLBase64DecodeInPlace((GByte *)b);
        RTM_CHECK(m == (int)n && memcmp(b, src, n) == 0);
        free(b);
    }
}

static int b64val(char c)
{
    const char *tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = strchr(tab, c);
    return c && p ? (int)(p - tab) : -1;
}

/* an independent decoder: returns the number of bytes, -1 if malformed */
static long b64decode(const char *s, size_t n, unsigned char *out)
{
    long k = 0;
    if (n % 4)
        return -1;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        for (int j = 0; j < 4; j++)
            v[j] = s[i + j] == '=' ? 0 : b64val(s[i + j]);
        if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[3] < 0)
            return -1;
        unsigned long w = (unsigned long)v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3];
        out[k++] = (unsigned char)(w >> 16);
        if (s[i + 2] != '=')
            out[k++] = (unsigned char)(w >> 8);
        if (s[i + 3] != '=')
            out[k++] = (unsigned char)w;
    }
    return k;
}

static int build_sample(rtm_html *h, const char *png, rtm_error *e)
{
    rtm_html_section_begin(h, "Priority places", "priority");
    const char *hdr[] = {"rank", "location", "RRS", "share"};
    rtm_html_table_begin(h, "Top places " EVIL, 4, hdr);
    const char *r1[] = {"1", EVIL, "184.8", "12.5 %"};
    const char *r2[] = {"2", "On or near \"Pier Hill\" & <b>Marine Parade</b>", "21.36", NULL};
    rtm_html_table_row(h, r1);
    rtm_html_table_row(h, r2);
    rtm_html_table_end(h);
    rtm_html_section_end(h);
    rtm_html_section_begin(h, "Map", "map");
    int rc = rtm_html_image_png(h, png, "map of " EVIL, "Relative risk score " EVIL, e);
    rtm_html_section_begin(h, "Parameters", NULL);
    rtm_html_kv_begin(h, NULL);
    rtm_html_kv(h, "cell size", "100 m");
    rtm_html_kv(h, "area " EVIL, EVIL);
    rtm_html_kv_num(h, "RRV", 21.36381, 2);
    rtm_html_kv_num(h, "bad", NAN, 2);
    rtm_html_kv_end(h);
    rtm_html_section_end(h);
    rtm_html_section_end(h);
    const char *items[] = {"\xc2\xa9 OpenStreetMap contributors", EVIL};
    rtm_html_list(h, 2, items);
    rtm_html_note(h, "Contains public sector information licensed under the Open "
                     "Government Licence v3.0");
    rtm_html_para(h, EVIL);
    return rc;
}

static void test_document(void)
{
    char png[] = "/tmp/rtm_html_png_XXXXXX";
    int fd = mkstemp(png);
    RTM_CHECK(fd >= 0 && write_png(png) == 0);
    rtm_html *h = rtm_html_new("Report " EVIL, "run 2018-06-01");
    rtm_error e;
    const char *t = NULL;
    size_t len = 0;
    RTM_CHECK(h && build_sample(h, png, &e) == 0);
    RTM_CHECK(rtm_html_finish(h, &t, &len, &e) == 0);
    if (!t) {
        rtm_html_free(h);
        return;
    }
    RTM_CHECK(strlen(t) == len);
    /* no markup from data: not one script element, nor a <b> */
    RTM_CHECK(strcasestr(t, "<script") == NULL && strstr(t, "<b>") == NULL);
    RTM_CHECK(strstr(t, "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>") != NULL);
    RTM_CHECK(strstr(t, "<title>Report &lt;script&gt;") != NULL);
    RTM_CHECK(strstr(t, "alt=\"map of &lt;script&gt;alert(1)&lt;/script&gt;\"") != NULL);
    RTM_CHECK(strstr(t, "<td class=\"num\">184.8</td>") != NULL);
    RTM_CHECK(strstr(t, "<td class=\"num\">12.5 %</td>") != NULL);
    RTM_CHECK(strstr(t, "<td>n/a</td>") && strstr(t, "<td>21.36</td>"));
    RTM_CHECK(strstr(t, "<section id=\"priority\">") && strstr(t, "<h3>Parameters</h3>"));
    RTM_CHECK(strstr(t, "width=\"120\" height=\"80\"") != NULL);
    RTM_CHECK(strstr(t, "Content-Security-Policy") != NULL);
    /* contents: the two top-level sections with ids, right after the subtitle */
    RTM_CHECK(strstr(t, "run 2018-06-01</p>\n<nav class=\"toc\"><a href=\"#priority\">Priority "
                        "places</a><a href=\"#map\">Map</a></nav>\n") != NULL);
    /* the data URI decodes back to the PNG file's bytes */
    const char *d = strstr(t, "data:image/png;base64,");
    RTM_CHECK(d != NULL);
    if (d) {
        d += strlen("data:image/png;base64,");
        size_t n = strcspn(d, "\"");
        unsigned char *dec = malloc(n), *ref = malloc(n + 1);
        long k = b64decode(d, n, dec);
        FILE *f = fopen(png, "rb");
        size_t m = f ? fread(ref, 1, n + 1, f) : 0;
        if (f)
            fclose(f);
        RTM_CHECK(k > 0 && (size_t)k == m && memcmp(dec, ref, m) == 0);
        free(dec);
        free(ref);
    }
    rtm_html_free(h);
    unlink(png);
    if (fd >= 0)
        close(fd);
}

static void test_misuse(void)
{
    rtm_error e;
    const char *t;
    rtm_html *h = rtm_html_new("x", NULL);
    rtm_html_section_begin(h, "open", NULL);
    RTM_CHECK(rtm_html_finish(h, &t, NULL, &e) == RTM_ERR_ARG);
    rtm_html_free(h);

    h = rtm_html_new("x", NULL);
    const char *hdr[] = {"a"};
    rtm_html_table_begin(h, NULL, 1, hdr);
    rtm_html_para(h, "inside a table");
    rtm_html_table_end(h);
    RTM_CHECK(rtm_html_finish(h, &t, NULL, &e) == RTM_ERR_ARG);
    rtm_html_free(h);

    h = rtm_html_new("x", NULL);
    rtm_html_kv(h, "k", "v"); /* outside a kv table */
    RTM_CHECK(rtm_html_write(h, "/tmp/never-written.html", &e) == RTM_ERR_ARG);
    rtm_html_free(h);

    h = rtm_html_new("x", NULL);
    unsigned char notpng[32] = "GIF89a";
    RTM_CHECK(rtm_html_image_png_mem(h, notpng, sizeof notpng, "a", NULL, &e) == RTM_ERR_INPUT);
    RTM_CHECK(rtm_html_image_png(h, "/nonexistent.png", "a", NULL, &e) == RTM_ERR_IO);
    RTM_CHECK(strstr(e.msg, "/nonexistent.png") != NULL);
    RTM_CHECK(rtm_html_finish(h, &t, NULL, &e) == 0);
    RTM_CHECK(strstr(t, "</html>") != NULL);
    RTM_CHECK(rtm_html_write(h, "/nonexistent-dir/r.html", &e) == RTM_ERR_IO);
    rtm_html_free(h);
    rtm_html_free(NULL);
}

/* test_html --sample DIR: write DIR/map.png and DIR/report.html */
static int sample(const char *dir)
{
    char png[1024], html[1024];
    rtm_error e;
    snprintf(png, sizeof png, "%s/map.png", dir);
    snprintf(html, sizeof html, "%s/report.html", dir);
    if (write_png(png))
        return 1;
    rtm_html *h = rtm_html_new("Sample report " EVIL, "generated by test_html");
    int rc = !h || build_sample(h, png, &e) || rtm_html_write(h, html, &e);
    if (rc)
        fprintf(stderr, "test_html: %s\n", h ? e.msg : "out of memory");
    rtm_html_free(h);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--sample") == 0)
        return sample(argv[2]);
    RTM_RUN(test_escape);
    RTM_RUN(test_base64);
    RTM_RUN(test_base64_roundtrip);
    RTM_RUN(test_document);
    RTM_RUN(test_misuse);
    return RTM_TEST_END();
}
