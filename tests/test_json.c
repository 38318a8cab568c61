/* test_json.c: the JSON writer against hand-written RFC 8259 text. */
#include "core/json.h"
#include "rtm_test.h"

#include <float.h>
#include <unistd.h>

static const char *finish(rtm_json *w)
{
    const char *t = NULL;
    rtm_error e;
    if (rtm_json_finish(w, &t, NULL, &e))
        return NULL;
    return t;
}

static void test_compact_document(void)
{
    rtm_json *w = rtm_json_new();
    rtm_json_set_compact(w, 1);
    rtm_json_begin_object(w);
    rtm_json_kv_int(w, "n", -42);
    rtm_json_kv_double(w, "x", 0.1);
    rtm_json_kv_bool(w, "ok", 1);
    rtm_json_key(w, "list");
    rtm_json_begin_array(w);
    rtm_json_null(w);
    rtm_json_string(w, "a");
    rtm_json_begin_object(w);
    rtm_json_end_object(w);
    rtm_json_begin_array(w);
    rtm_json_end_array(w);
    rtm_json_end_array(w);
    rtm_json_end_object(w);
    const char *t = finish(w);
    RTM_CHECK(t && strcmp(t, "{\"n\":-42,\"x\":0.1,\"ok\":true,\"list\":[null,\"a\",{},[]]}") == 0);
    rtm_json_free(w);
}

static void test_pretty(void)
{
    rtm_json *w = rtm_json_new();
    rtm_json_begin_object(w);
    rtm_json_key(w, "a");
    rtm_json_begin_array(w);
    rtm_json_int(w, 1);
    rtm_json_int(w, 2);
    rtm_json_end_array(w);
    rtm_json_end_object(w);
    const char *t = finish(w);
    RTM_CHECK(t && strcmp(t, "{\n  \"a\": [\n    1,\n    2\n  ]\n}") == 0);
    rtm_json_free(w);
}

/* RFC 8259 section 7 escapes, plus <>& as \u00XX for HTML embedding */
static void test_escapes(void)
{
    rtm_json *w = rtm_json_new();
    rtm_json_string(w, "q\"b\\n\n\t\x01</script>&\xc3\xa9");
    const char *t = finish(w);
    RTM_CHECK(t && strcmp(t, "\"q\\\"b\\\\n\\n\\t\\u0001\\u003c/script\\u003e\\u0026\xc3\xa9\"") == 0);
    rtm_json_free(w);
}

static void test_numbers(void)
{
    char b[40];
    RTM_CHECK(strcmp(rtm_json_format_double(0.1, b, sizeof b), "0.1") == 0);
    RTM_CHECK(strcmp(rtm_json_format_double(3.0, b, sizeof b), "3") == 0);
    RTM_CHECK(strcmp(rtm_json_format_double(-0.0, b, sizeof b), "0") == 0);
    RTM_CHECK(strcmp(rtm_json_format_double(1e300 * 1e300, b, sizeof b), "null") == 0);
    RTM_CHECK(strcmp(rtm_json_format_double(NAN, b, sizeof b), "null") == 0);
    RTM_CHECK(strcmp(rtm_json_format_double(21.3638, b, sizeof b), "21.3638") == 0);
    /* 0.1 + 0.2 needs 17 digits to round-trip */
    RTM_CHECK(strcmp(rtm_json_format_double(0.1 + 0.2, b, sizeof b), "0.30000000000000004") == 0);
    /* round trip over a spread of values, including extremes */
    double x = 1.2345e-300;
    for (int i = 0; i < 2000; i++) {
        rtm_json_format_double(x, b, sizeof b);
        RTM_CHECK(strtod(b, NULL) == x);
        RTM_CHECK(strchr(b, ',') == NULL);
        x *= -1.4142135623730951;
    }
    rtm_json_format_double(DBL_MAX, b, sizeof b);
    RTM_CHECK(strtod(b, NULL) == DBL_MAX);
    rtm_json_format_double(DBL_TRUE_MIN, b, sizeof b);
    RTM_CHECK(strtod(b, NULL) == DBL_TRUE_MIN);
}

static void test_misuse(void)
{
    rtm_error e;
    const char *t;
    rtm_json *w = rtm_json_new();
    rtm_json_begin_object(w);
    rtm_json_int(w, 1); /* value without key */
    rtm_json_end_object(w);
    RTM_CHECK(rtm_json_finish(w, &t, NULL, &e) == RTM_ERR_ARG);
    RTM_CHECK(strstr(e.msg, "json:") == e.msg);
    rtm_json_free(w);

    w = rtm_json_new();
    rtm_json_begin_array(w);
    RTM_CHECK(rtm_json_finish(w, &t, NULL, &e) == RTM_ERR_ARG); /* unclosed */
    rtm_json_free(w);

    w = rtm_json_new();
    rtm_json_begin_array(w);
    rtm_json_end_object(w); /* mismatched */
    RTM_CHECK(rtm_json_finish(w, &t, NULL, &e) == RTM_ERR_ARG);
    rtm_json_free(w);

    w = rtm_json_new();
    rtm_json_int(w, 1);
    rtm_json_int(w, 2); /* two top-level values */
    RTM_CHECK(rtm_json_finish(w, &t, NULL, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_json_write_file(w, "/nonexistent/x.json", &e) == RTM_ERR_ARG);
    rtm_json_free(w);
    rtm_json_free(NULL);
}

static void test_write_file(void)
{
    char path[] = "/tmp/rtm_json_XXXXXX";
    int fd = mkstemp(path);
    RTM_CHECK(fd >= 0);
    rtm_error e;
    rtm_json *w = rtm_json_new();
    rtm_json_begin_array(w);
    rtm_json_end_array(w);
    RTM_CHECK(rtm_json_write_file(w, path, &e) == 0);
    FILE *f = fopen(path, "rb");
    char buf[16] = {0};
    RTM_CHECK(f && fread(buf, 1, sizeof buf - 1, f) == 3);
    if (f)
        fclose(f);
    RTM_CHECK(strcmp(buf, "[]\n") == 0);
    RTM_CHECK(rtm_json_write_file(w, "/nonexistent-dir/x.json", &e) == RTM_ERR_IO);
    RTM_CHECK(strstr(e.msg, "/nonexistent-dir/x.json") != NULL);
    rtm_json_free(w);
    remove(path);
    if (fd >= 0)
        close(fd);
}

/* Bytes that are not UTF-8 (a Latin-1 file name, say) become U+FFFD, each
 * byte that does not start a well-formed sequence on its own; control
 * characters are escaped; well-formed UTF-8 passes through. */
static void test_invalid_utf8(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"\xff\xfe a\x01", "\"\\ufffd\\ufffd a\\u0001\""},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
         "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""},
        {"caf\xe9.csv", "\"caf\\ufffd.csv\""},              /* Latin-1 e-acute */
        {"\xc0\xaf", "\"\\ufffd\\ufffd\""},                  /* overlong '/' */
        {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},        /* surrogate D800 */
        {"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""}, /* above U+10FFFF */
        {"x\xe2\x82", "\"x\\ufffd\\ufffd\""},                /* truncated at the end */
        {"\x80", "\"\\ufffd\""},                            /* lone continuation */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rtm_json *w = rtm_json_new();
        rtm_json_set_compact(w, 1);
        rtm_json_string(w, cases[i].in);
        const char *t = finish(w);
        if (!t || strcmp(t, cases[i].want) != 0) {
            fprintf(stderr, "case %zu: got %s\n", i, t ? t : "(null)");
            RTM_CHECK(0);
        }
        rtm_json_free(w);
    }
}

/* A manifest-like file with a non-UTF-8 name, key and value is read by
 * Python's strict JSON parser (UTF-8, errors="strict"). */
static void test_invalid_utf8_file(void)
{
    char dir[256], path[300], cmd[700];
    rtm_error e;
    if (rtm_t_tmpdir(dir, sizeof dir, "json")) {
        RTM_CHECK(0);
        return;
    }
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    rtm_json *w = rtm_json_new();
    rtm_json_begin_object(w);
    rtm_json_kv_string(w, "file", "\xff\xfe a\x01");
    rtm_json_kv_string(w, "caf\xe9", "ok");
    rtm_json_end_object(w);
    RTM_CHECK(rtm_json_write_file(w, path, &e) == 0);
    rtm_json_free(w);
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import json,sys; "
             "d=json.load(open(sys.argv[1],encoding=\"utf-8\",errors=\"strict\")); "
             "sys.exit(0 if d[\"file\"]==\"\\ufffd\\ufffd a\\x01\" "
             "and d[\"caf\\ufffd\"]==\"ok\" else 1)' '%s'",
             path);
    RTM_CHECK(system(cmd) == 0);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    RTM_RUN(test_compact_document);
    RTM_RUN(test_pretty);
    RTM_RUN(test_escapes);
    RTM_RUN(test_numbers);
    RTM_RUN(test_misuse);
    RTM_RUN(test_write_file);
    RTM_RUN(test_invalid_utf8);
    RTM_RUN(test_invalid_utf8_file);
    return RTM_TEST_END();
}
