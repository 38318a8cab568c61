/* fuzz_html.c: the report builder (output/html.h). The input is split at
 * 0x00 bytes into texts; the first byte of each text chooses the call that
 * receives it (heading, paragraph, note, list, key/value, table cell).
 * The same calls are made again with every text replaced by "t": escaping
 * must leave the two documents with the same number of '<' and '>' (no tag
 * or attribute end can come from the data), and the output must be valid
 * UTF-8 (invalid input bytes become U+FFFD). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rtm.h"
#include "output/html.h"

enum { MAXT = 64, MAX_DEPTH = 5 };   /* sections nest at most 5 deep (h2..h6) */

static void build(rtm_html *h, int n, char *const *t, const uint8_t *ops)
{
    int depth = 0;
    for (int i = 0; i < n; i++) {
        switch (ops[i] % 8) {
        case 0: if (depth < MAX_DEPTH) {
                    rtm_html_section_begin(h, t[i], i % 2 ? "sec-id" : NULL);
                    depth++;
                }
                break;
        case 1: if (depth) { rtm_html_section_end(h); depth--; } break;
        case 2: rtm_html_para(h, t[i]); break;
        case 3: rtm_html_note(h, t[i]); break;
        case 4: { const char *it[2] = {t[i], t[i]}; rtm_html_list(h, 2, it); break; }
        case 5: rtm_html_kv_begin(h, t[i]); rtm_html_kv(h, t[i], t[i]);
                rtm_html_kv_num(h, t[i], i * 0.5, 2); rtm_html_kv_end(h); break;
        case 6: { const char *hd[3] = {t[i], "12.5", NULL};
                  rtm_html_table_begin(h, t[i], 3, hd);
                  const char *row[3] = {t[i], NULL, "3"};
                  rtm_html_table_row(h, row); rtm_html_table_end(h); break; }
        default: { const char *row[2] = {"1e5", t[i]};
                   rtm_html_table_begin(h, NULL, 2, NULL);
                   rtm_html_table_row(h, row); rtm_html_table_end(h); break; }
        }
    }
    while (depth-- > 0) rtm_html_section_end(h);
}

static void count(const char *s, size_t len, size_t *lt, size_t *gt)
{
    *lt = *gt = 0;
    for (size_t i = 0; i < len; i++) {
        *lt += s[i] == '<';
        *gt += s[i] == '>';
    }
}

static int valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c < 0x80) { i++; continue; }
        int k = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2
              : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
        if (k < 0 || i + (size_t)k >= n) return 0;
        for (int j = 1; j <= k; j++)
            if ((s[i + j] & 0xc0) != 0x80) return 0;
        unsigned cp = k == 1 ? (c & 0x1f) << 6 | (s[i + 1] & 0x3f)
                    : k == 2 ? (c & 0x0f) << 12 | (s[i + 1] & 0x3f) << 6 | (s[i + 2] & 0x3f)
                    : (c & 0x07) << 18 | (s[i + 1] & 0x3f) << 12 | (s[i + 2] & 0x3f) << 6
                          | (s[i + 3] & 0x3f);
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff))
            || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += (size_t)k + 1;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16) return 0;
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    char *t[MAXT], *plain[MAXT];
    uint8_t ops[MAXT];
    int n = 0;
    for (size_t i = 0; i <= size && n < MAXT;) {
        char *s = buf + i;
        size_t len = strlen(s);
        ops[n] = len ? (uint8_t)s[0] : 2;
        t[n] = len ? s + 1 : s;
        plain[n] = "t";
        n++;
        i += len + 1;
    }
    rtm_html *a = rtm_html_new(t[0], n > 1 ? t[1] : NULL);
    rtm_html *b = rtm_html_new("t", n > 1 ? "t" : NULL);
    if (!a || !b) abort();
    build(a, n, t, ops);
    build(b, n, plain, ops);
    const char *ta, *tb;
    size_t la, lb;
    rtm_error err = {0};
    /* the calls are always well formed, so both documents must finish */
    if (rtm_html_finish(a, &ta, &la, &err) != 0 || rtm_html_finish(b, &tb, &lb, &err) != 0) {
        fprintf(stderr, "finish: %s\n", err.msg);
        abort();
    }
    if (strlen(ta) != la) abort();                       /* no NUL inside */
    size_t lt_a, gt_a, lt_b, gt_b;
    count(ta, la, &lt_a, &gt_a);
    count(tb, lb, &lt_b, &gt_b);
    if (lt_a != lt_b || gt_a != gt_b) abort();           /* markup from the data */
    if (!valid_utf8((const unsigned char *)ta, la)) abort();
    rtm_html_free(a);
    rtm_html_free(b);
    free(buf);
    return 0;
}
