/* html_escape.c: HTML text escaping with UTF-8 validation (see output/html.h).
 * Escapes follow the HTML standard's serialisation of text and attribute
 * values (& < > " plus ' for single-quoted contexts); well-formed UTF-8 is
 * defined by RFC 3629 section 4 (no overlongs, no surrogates, <= U+10FFFF). */
#include "output/html.h"
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>

char *rtm_html_escape(const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    char *out = malloc(n * 6 + 1), *o = out; /* worst case: "&quot;" per byte */
    if (!out)
        return NULL;
    while (*p) {
        const char *rep = NULL;
        switch (*p) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (rep) {
            size_t k = strlen(rep);
            memcpy(o, rep, k);
            o += k;
            p++;
            continue;
        }
        int len = rtm_utf8_len(p);
        if (len == 0 || (*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r') || *p == 0x7f) {
            memcpy(o, "\xef\xbf\xbd", 3); /* U+FFFD REPLACEMENT CHARACTER */
            o += 3;
            p++;
            continue;
        }
        memcpy(o, p, (size_t)len);
        o += len;
        p += len;
    }
    *o = '\0';
    return out;
}
