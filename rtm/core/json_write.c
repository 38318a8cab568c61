/* json_write.c: a tiny streaming JSON writer (see core/json.h).
 * Grammar and string escapes follow RFC 8259 sections 2, 6 and 7. */
#include "core/json.h"
#include "core/utf8.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"

#define JSON_MAX_DEPTH 64

enum { CTX_TOP, CTX_OBJECT, CTX_ARRAY };

struct rtm_json {
    char *buf;
    size_t len, cap;
    int compact;
    int depth;
    int ctx[JSON_MAX_DEPTH + 1];   /* CTX_* per nesting level */
    int count[JSON_MAX_DEPTH + 1]; /* members/elements written per level */
    int have_key;                  /* a key was written, its value is due */
    int err;                       /* 0, RTM_ERR_ARG or RTM_ERR_NOMEM */
    const char *why;               /* misuse description */
};

rtm_json *rtm_json_new(void)
{
    rtm_json *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->ctx[0] = CTX_TOP;
    return w;
}

void rtm_json_set_compact(rtm_json *w, int compact)
{
    if (w)
        w->compact = compact != 0;
}

void rtm_json_free(rtm_json *w)
{
    if (!w)
        return;
    free(w->buf);
    free(w);
}

static void fail(rtm_json *w, int code, const char *why)
{
    if (!w->err) {
        w->err = code;
        w->why = why;
    }
}

static void put(rtm_json *w, const char *s, size_t n)
{
    if (w->err)
        return;
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n + 1) {
            if (cap > ((size_t)-1) / 2) {
                fail(w, RTM_ERR_NOMEM, "json: buffer size overflow");
                return;
            }
            cap *= 2;
        }
        char *nb = realloc(w->buf, cap);
        if (!nb) {
            fail(w, RTM_ERR_NOMEM, "json: out of memory");
            return;
        }
        w->buf = nb;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void puts_(rtm_json *w, const char *s)
{
    put(w, s, strlen(s));
}

static void newline_indent(rtm_json *w)
{
    if (w->compact)
        return;
    put(w, "\n", 1);
    for (int i = 0; i < w->depth; i++)
        put(w, "  ", 2);
}

/* Called before any value: separators, and checks a value is allowed here. */
static int before_value(rtm_json *w)
{
    if (w->err)
        return -1;
    int c = w->ctx[w->depth];
    if (c == CTX_OBJECT) {
        if (!w->have_key) {
            fail(w, RTM_ERR_ARG, "json: value without a key inside an object");
            return -1;
        }
        w->have_key = 0;
        return 0;
    }
    if (c == CTX_TOP && w->count[0] > 0) {
        fail(w, RTM_ERR_ARG, "json: more than one top-level value");
        return -1;
    }
    if (c == CTX_ARRAY && w->count[w->depth] > 0)
        put(w, ",", 1);
    if (c == CTX_ARRAY)
        newline_indent(w);
    w->count[w->depth]++;
    return 0;
}

/* One ASCII byte: RFC 8259 section 7 escapes '"', '\\' and U+0000..U+001F;
 * we also escape '<', '>', '&' (so JSON embedded in HTML cannot close a
 * tag) and DEL. */
static void put_ascii(rtm_json *w, unsigned char ch)
{
    static const char hex[] = "0123456789abcdef";
    switch (ch) {
    case '"': puts_(w, "\\\""); break;
    case '\\': puts_(w, "\\\\"); break;
    case '\n': puts_(w, "\\n"); break;
    case '\r': puts_(w, "\\r"); break;
    case '\t': puts_(w, "\\t"); break;
    case '\b': puts_(w, "\\b"); break;
    case '\f': puts_(w, "\\f"); break;
    default:
        if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&' || ch == 0x7f) {
            char u[7] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15], 0};
            put(w, u, 6);
        } else {
            put(w, (const char *)&ch, 1);
        }
    }
}

/* A JSON string. JSON text must be UTF-8 (RFC 8259 section 8.1), so each
 * byte that does not start a well-formed sequence (a Latin-1 file name, a
 * truncated sequence) becomes U+FFFD, the replacement character. */
static void put_escaped(rtm_json *w, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    put(w, "\"", 1);
    while (*p) {
        int n = rtm_utf8_len(p);
        if (n == 1)
            put_ascii(w, *p);
        else if (n > 1)
            put(w, (const char *)p, (size_t)n);
        else
            puts_(w, "\\ufffd");
        p += n > 0 ? n : 1;
    }
    put(w, "\"", 1);
}

static void begin(rtm_json *w, int ctx, const char *open)
{
    if (!w || before_value(w))
        return;
    if (w->depth >= JSON_MAX_DEPTH) {
        fail(w, RTM_ERR_ARG, "json: nesting deeper than 64 levels");
        return;
    }
    puts_(w, open);
    w->depth++;
    w->ctx[w->depth] = ctx;
    w->count[w->depth] = 0;
}

static void end(rtm_json *w, int ctx, const char *close)
{
    if (!w || w->err)
        return;
    if (w->depth == 0 || w->ctx[w->depth] != ctx || w->have_key) {
        fail(w, RTM_ERR_ARG, "json: unbalanced end of object or array");
        return;
    }
    int n = w->count[w->depth];
    w->depth--;
    if (n > 0)
        newline_indent(w);
    puts_(w, close);
}

void rtm_json_begin_object(rtm_json *w) { begin(w, CTX_OBJECT, "{"); }
void rtm_json_end_object(rtm_json *w) { end(w, CTX_OBJECT, "}"); }
void rtm_json_begin_array(rtm_json *w) { begin(w, CTX_ARRAY, "["); }
void rtm_json_end_array(rtm_json *w) { end(w, CTX_ARRAY, "]"); }

void rtm_json_key(rtm_json *w, const char *key)
{
    if (!w || w->err)
        return;
    if (w->ctx[w->depth] != CTX_OBJECT || w->have_key || !key) {
        fail(w, RTM_ERR_ARG, "json: key outside an object or after another key");
        return;
    }
    if (w->count[w->depth] > 0)
        put(w, ",", 1);
    newline_indent(w);
    w->count[w->depth]++;
    put_escaped(w, key);
    puts_(w, w->compact ? ":" : ": ");
    w->have_key = 1;
}

void rtm_json_string(rtm_json *w, const char *s)
{
    if (!w || before_value(w))
        return;
    if (s)
        put_escaped(w, s);
    else
        puts_(w, "null");
}

void rtm_json_int(rtm_json *w, long long v)
{
    char b[32];
    if (!w || before_value(w))
        return;
    snprintf(b, sizeof b, "%lld", v);
    puts_(w, b);
}

char *rtm_json_format_double(double v, char *buf, size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "null");
        return buf;
    }
    if (v == 0) { /* also folds -0 to 0 */
        snprintf(buf, size, "0");
        return buf;
    }
    /* shortest of 15/16/17 significant digits that round-trips exactly */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        for (char *p = buf; *p; p++)
            if (*p == ',') /* a locale with a decimal comma */
                *p = '.';
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

void rtm_json_double(rtm_json *w, double v)
{
    char b[40];
    if (!w || before_value(w))
        return;
    puts_(w, rtm_json_format_double(v, b, sizeof b));
}

void rtm_json_bool(rtm_json *w, int v)
{
    if (!w || before_value(w))
        return;
    puts_(w, v ? "true" : "false");
}

void rtm_json_null(rtm_json *w)
{
    if (!w || before_value(w))
        return;
    puts_(w, "null");
}

void rtm_json_kv_string(rtm_json *w, const char *key, const char *s)
{
    rtm_json_key(w, key);
    rtm_json_string(w, s);
}

void rtm_json_kv_int(rtm_json *w, const char *key, long long v)
{
    rtm_json_key(w, key);
    rtm_json_int(w, v);
}

void rtm_json_kv_double(rtm_json *w, const char *key, double v)
{
    rtm_json_key(w, key);
    rtm_json_double(w, v);
}

void rtm_json_kv_bool(rtm_json *w, const char *key, int v)
{
    rtm_json_key(w, key);
    rtm_json_bool(w, v);
}

int rtm_json_finish(rtm_json *w, const char **text, size_t *len, rtm_error *err)
{
    if (!w)
        return rtm_error_set(err, RTM_ERR_ARG, "json: no writer");
    if (!w->err && (w->depth != 0 || w->count[0] != 1))
        fail(w, RTM_ERR_ARG, "json: document incomplete (unclosed object/array or no value)");
    if (w->err)
        return rtm_error_set(err, w->err, "%s", w->why);
    *text = w->buf;
    if (len)
        *len = w->len;
    return 0;
}

int rtm_json_write_file(rtm_json *w, const char *path, rtm_error *err)
{
    const char *text;
    size_t len;
    int rc = rtm_json_finish(w, &text, &len, err);
    if (rc)
        return rc;
    put(w, "\n", 1); /* the final newline, kept out of rtm_json_finish's text */
    if (w->err)
        return rtm_error_set(err, w->err, "%s", w->why);
    rc = rtm_atomic_write_text(path, w->buf, w->len, err);
    w->buf[--w->len] = '\0';
    return rc;
}
