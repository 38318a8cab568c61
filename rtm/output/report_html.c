/* report_html.c: the self-contained HTML report builder (see output/html.h). */
#include "output/html.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HTML_MAX_DEPTH 5
#define HTML_MAX_TOC 64

struct rtm_html {
    char *buf;
    size_t len, cap;
    int depth;       /* open sections */
    int table_cols;  /* columns of the open table, 0 = none; -1 = key/value table */
    int finished;
    int err;
    const char *why;
    size_t toc_at;                 /* where the contents list goes (after the header) */
    int ntoc;                      /* top-level sections with an id */
    char *toc_id[HTML_MAX_TOC], *toc_text[HTML_MAX_TOC];
};

static const char css[] =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:0;color:#1b1b1b;"
    "background:#fafafa;line-height:1.45}"
    "main{max-width:1100px;margin:0 auto;padding:1.5em 2em;background:#fff}"
    "h1{font-size:1.7em;margin:.2em 0}h2{font-size:1.3em;border-bottom:2px solid #c0392b;"
    "padding-bottom:.2em;margin-top:1.6em}h3{font-size:1.1em}"
    ".sub{color:#555;margin-top:0}.note{color:#666;font-size:.85em}"
    "table{border-collapse:collapse;margin:.8em 0;font-size:.92em}"
    "caption{text-align:left;font-weight:bold;padding:.3em 0}"
    "th,td{border:1px solid #ccc;padding:.3em .6em;vertical-align:top}"
    "th{background:#f0f0f0;text-align:left}td.num{text-align:right;"
    "font-variant-numeric:tabular-nums}table.kv th{width:35%}"
    "figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}"
    "figcaption{font-size:.9em;color:#444}"
    "nav.toc{font-size:.9em;margin:.6em 0 1em}nav.toc a{margin-right:1em;color:#c0392b}"
    "@media print{main{max-width:none}}";

static void fail(rtm_html *h, int code, const char *why)
{
    if (!h->err) {
        h->err = code;
        h->why = why;
    }
}

static void put(rtm_html *h, const char *s, size_t n)
{
    if (h->err || h->finished)
        return;
    if (h->len + n + 1 > h->cap) {
        size_t cap = h->cap ? h->cap : 4096;
        while (cap < h->len + n + 1) {
            if (cap > SIZE_MAX / 2) {
                fail(h, RTM_ERR_NOMEM, "html: document too large");
                return;
            }
            cap *= 2;
        }
        char *b = realloc(h->buf, cap);
        if (!b) {
            fail(h, RTM_ERR_NOMEM, "html: out of memory");
            return;
        }
        h->buf = b;
        h->cap = cap;
    }
    memcpy(h->buf + h->len, s, n);
    h->len += n;
    h->buf[h->len] = '\0';
}

static void puts_(rtm_html *h, const char *s)
{
    put(h, s, strlen(s));
}

/* escaped text */
static void text(rtm_html *h, const char *s)
{
    char *e = rtm_html_escape(s);
    if (!e) {
        fail(h, RTM_ERR_NOMEM, "html: out of memory");
        return;
    }
    puts_(h, e);
    free(e);
}

/* <tag>escaped text</tag> */
static void element(rtm_html *h, const char *open, const char *s, const char *close)
{
    puts_(h, open);
    text(h, s);
    puts_(h, close);
    puts_(h, "\n");
}

rtm_html *rtm_html_new(const char *title, const char *subtitle)
{
    rtm_html *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    puts_(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
             "img-src data:; style-src 'unsafe-inline'\">\n"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    element(h, "<title>", title, "</title>");
    puts_(h, "<style>");
    puts_(h, css);
    puts_(h, "</style>\n</head>\n<body>\n<main>\n");
    element(h, "<h1>", title, "</h1>");
    if (subtitle)
        element(h, "<p class=\"sub\">", subtitle, "</p>");
    h->toc_at = h->len;
    if (h->err) {
        rtm_html_free(h);
        return NULL;
    }
    return h;
}

void rtm_html_free(rtm_html *h)
{
    if (!h)
        return;
    for (int i = 0; i < h->ntoc; i++) {
        free(h->toc_id[i]);
        free(h->toc_text[i]);
    }
    free(h->buf);
    free(h);
}

/* Remember a top-level section for the contents list. */
static void toc_add(rtm_html *h, const char *id, const char *heading)
{
    if (h->ntoc >= HTML_MAX_TOC)
        return;
    char *i = strdup(id), *t = rtm_html_escape(heading);
    if (!i || !t) {
        free(i);
        free(t);
        fail(h, RTM_ERR_NOMEM, "html: out of memory");
        return;
    }
    h->toc_id[h->ntoc] = i;
    h->toc_text[h->ntoc++] = t;
}

/* Insert "<nav class=toc>" links to the top-level sections after the header
 * (only when there are at least two). */
static void toc_insert(rtm_html *h)
{
    if (h->ntoc < 2 || h->err)
        return;
    size_t tail = h->len - h->toc_at;
    char *rest = malloc(tail + 1);
    if (!rest) {
        fail(h, RTM_ERR_NOMEM, "html: out of memory");
        return;
    }
    memcpy(rest, h->buf + h->toc_at, tail);
    h->len = h->toc_at;
    puts_(h, "<nav class=\"toc\">");
    for (int i = 0; i < h->ntoc; i++) {
        puts_(h, "<a href=\"#");
        puts_(h, h->toc_id[i]);
        puts_(h, "\">");
        puts_(h, h->toc_text[i]);
        puts_(h, "</a>");
    }
    puts_(h, "</nav>\n");
    put(h, rest, tail);
    free(rest);
}

static int no_table(rtm_html *h)
{
    if (h->table_cols != 0)
        fail(h, RTM_ERR_ARG, "html: content added inside an open table");
    return h->table_cols == 0;
}

void rtm_html_section_begin(rtm_html *h, const char *heading, const char *id)
{
    char tag[16], open[160] = "<section>\n";
    if (!h || !no_table(h))
        return;
    if (h->depth >= HTML_MAX_DEPTH) {
        fail(h, RTM_ERR_ARG, "html: sections nested too deeply");
        return;
    }
    if (id) {
        size_t k = 0;
        char clean[100];
        for (const char *p = id; *p && k < sizeof clean - 1; p++)
            if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')
                clean[k++] = *p;
        clean[k] = '\0';
        if (k) {
            snprintf(open, sizeof open, "<section id=\"%s\">\n", clean);
            if (h->depth == 0)
                toc_add(h, clean, heading);
        }
    }
    puts_(h, open);
    h->depth++;
    snprintf(tag, sizeof tag, "h%d", h->depth + 1);
    snprintf(open, sizeof open, "<%s>", tag);
    char close[24];
    snprintf(close, sizeof close, "</%s>", tag);
    element(h, open, heading, close);
}

void rtm_html_section_end(rtm_html *h)
{
    if (!h || !no_table(h))
        return;
    if (h->depth == 0) {
        fail(h, RTM_ERR_ARG, "html: section end without a section");
        return;
    }
    h->depth--;
    puts_(h, "</section>\n");
}

void rtm_html_para(rtm_html *h, const char *s)
{
    if (h && no_table(h))
        element(h, "<p>", s, "</p>");
}

void rtm_html_note(rtm_html *h, const char *s)
{
    if (h && no_table(h))
        element(h, "<p class=\"note\">", s, "</p>");
}

void rtm_html_list(rtm_html *h, int n, const char *const *items)
{
    if (!h || !no_table(h))
        return;
    puts_(h, "<ul>\n");
    for (int i = 0; i < n; i++)
        element(h, "<li>", items[i], "</li>");
    puts_(h, "</ul>\n");
}

static void caption(rtm_html *h, const char *c)
{
    if (c)
        element(h, "<caption>", c, "</caption>");
}

void rtm_html_kv_begin(rtm_html *h, const char *cap)
{
    if (!h || !no_table(h))
        return;
    puts_(h, "<table class=\"kv\">\n");
    caption(h, cap);
    h->table_cols = -1;
}

void rtm_html_kv(rtm_html *h, const char *key, const char *value)
{
    if (!h)
        return;
    if (h->table_cols != -1) {
        fail(h, RTM_ERR_ARG, "html: key/value row outside a key/value table");
        return;
    }
    puts_(h, "<tr><th>");
    text(h, key);
    puts_(h, "</th><td>");
    text(h, value);
    puts_(h, "</td></tr>\n");
}

void rtm_html_kv_num(rtm_html *h, const char *key, double v, int decimals)
{
    char b[64];
    if (!isfinite(v))
        snprintf(b, sizeof b, "n/a");
    else
        snprintf(b, sizeof b, "%.*f", decimals < 0 ? 0 : decimals > 15 ? 15 : decimals, v);
    rtm_html_kv(h, key, b);
}

void rtm_html_kv_end(rtm_html *h)
{
    if (!h)
        return;
    if (h->table_cols != -1) {
        fail(h, RTM_ERR_ARG, "html: key/value table end without a key/value table");
        return;
    }
    h->table_cols = 0;
    puts_(h, "</table>\n");
}

void rtm_html_table_begin(rtm_html *h, const char *cap, int ncols, const char *const *headers)
{
    if (!h || !no_table(h))
        return;
    if (ncols < 1) {
        fail(h, RTM_ERR_ARG, "html: a table needs at least one column");
        return;
    }
    puts_(h, "<table>\n");
    caption(h, cap);
    if (headers) {
        puts_(h, "<thead><tr>");
        for (int i = 0; i < ncols; i++)
            element(h, "<th>", headers[i], "</th>");
        puts_(h, "</tr></thead>\n");
    }
    puts_(h, "<tbody>\n");
    h->table_cols = ncols;
}

/* "12", "-3.5", "1e-4", "45 %", "2.0x": numbers (optionally followed by a unit
 * sign) are right-aligned */
static int numeric(const char *s)
{
    char *end;
    if (!s || !*s)
        return 0;
    strtod(s, &end);
    if (end == s)
        return 0;
    while (*end == ' ')
        end++;
    return *end == '\0' || strcmp(end, "%") == 0 || strcmp(end, "x") == 0;
}

void rtm_html_table_row(rtm_html *h, const char *const *cells)
{
    if (!h)
        return;
    if (h->table_cols <= 0) {
        fail(h, RTM_ERR_ARG, "html: table row outside a table");
        return;
    }
    puts_(h, "<tr>");
    for (int i = 0; i < h->table_cols; i++) {
        const char *c = cells[i] ? cells[i] : "";
        puts_(h, numeric(c) ? "<td class=\"num\">" : "<td>");
        text(h, c);
        puts_(h, "</td>");
    }
    puts_(h, "</tr>\n");
}

void rtm_html_table_end(rtm_html *h)
{
    if (!h)
        return;
    if (h->table_cols <= 0) {
        fail(h, RTM_ERR_ARG, "html: table end without a table");
        return;
    }
    h->table_cols = 0;
    puts_(h, "</tbody>\n</table>\n");
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int rtm_html_image_png_mem(rtm_html *h, const unsigned char *data, size_t len,
                           const char *alt, const char *cap, rtm_error *err)
{
    /* PNG (ISO/IEC 15948) section 5.2 signature; IHDR is the first chunk
     * (section 11.2.2): width and height are its first two 4-byte fields. */
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    char dims[64];
    if (!h)
        return rtm_error_set(err, RTM_ERR_ARG, "html: no document");
    if (len < 24 || memcmp(data, sig, 8) != 0 || memcmp(data + 12, "IHDR", 4) != 0)
        return rtm_error_set(err, RTM_ERR_INPUT, "html: image is not a PNG file");
    snprintf(dims, sizeof dims, " width=\"%lu\" height=\"%lu\"", (unsigned long)be32(data + 16),
             (unsigned long)be32(data + 20));
    char *b64 = rtm_base64(data, len);
    if (!b64)
        return rtm_error_set(err, RTM_ERR_NOMEM, "html: out of memory");
    if (no_table(h)) {
        puts_(h, "<figure>\n<img src=\"data:image/png;base64,");
        puts_(h, b64);
        puts_(h, "\" alt=\"");
        text(h, alt ? alt : "");
        puts_(h, "\"");
        puts_(h, dims);
        puts_(h, ">\n");
        if (cap)
            element(h, "<figcaption>", cap, "</figcaption>");
        puts_(h, "</figure>\n");
    }
    free(b64);
    return h->err == RTM_ERR_NOMEM ? rtm_error_set(err, RTM_ERR_NOMEM, "html: out of memory") : 0;
}

int rtm_html_image_png(rtm_html *h, const char *path, const char *alt, const char *cap,
                       rtm_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return rtm_error_set(err, RTM_ERR_IO, "html: cannot open '%s': %s", path, strerror(errno));
    unsigned char *data = NULL;
    size_t len = 0, cap_ = 0, n;
    int rc = 0;
    do {
        if (len == cap_) {
            cap_ = cap_ ? 2 * cap_ : 65536;
            unsigned char *d = realloc(data, cap_);
            if (!d) {
                rc = rtm_error_set(err, RTM_ERR_NOMEM, "html: out of memory");
                break;
            }
            data = d;
        }
        n = fread(data + len, 1, cap_ - len, f);
        len += n;
    } while (n > 0);
    if (!rc && ferror(f))
        rc = rtm_error_set(err, RTM_ERR_IO, "html: cannot read '%s'", path);
    fclose(f);
    if (!rc) {
        rc = rtm_html_image_png_mem(h, data, len, alt, cap, err);
        if (rc == RTM_ERR_INPUT)
            rtm_error_set(err, rc, "html: '%s' is not a PNG file", path);
    }
    free(data);
    return rc;
}

int rtm_html_finish(rtm_html *h, const char **out, size_t *len, rtm_error *err)
{
    if (!h)
        return rtm_error_set(err, RTM_ERR_ARG, "html: no document");
    if (!h->finished) {
        if (h->depth != 0 || h->table_cols != 0)
            fail(h, RTM_ERR_ARG, "html: unclosed section or table");
        toc_insert(h);
        puts_(h, "</main>\n</body>\n</html>\n");
        h->finished = 1;
    }
    if (h->err)
        return rtm_error_set(err, h->err, "%s", h->why);
    *out = h->buf;
    if (len)
        *len = h->len;
    return 0;
}

int rtm_html_write(rtm_html *h, const char *path, rtm_error *err)
{
    const char *t;
    size_t len;
    int rc = rtm_html_finish(h, &t, &len, err);
    if (rc)
        return rc;
    FILE *f = fopen(path, "wb");
    if (!f)
        return rtm_error_set(err, RTM_ERR_IO, "html: cannot write '%s': %s", path, strerror(errno));
    int bad = fwrite(t, 1, len, f) != len;
    if (fclose(f) != 0 || bad)
        return rtm_error_set(err, RTM_ERR_IO, "html: cannot write '%s': %s", path, strerror(errno));
    return 0;
}
