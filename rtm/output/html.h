/* output/html.h: a builder for self-contained HTML reports (report.html).
 *
 * The document needs no network and runs no scripts: CSS is inline, images
 * are embedded as base64 data: URIs, and a Content-Security-Policy meta tag
 * (default-src 'none'; img-src data:; style-src 'unsafe-inline') forbids
 * anything else, so even a mistake could not load or execute content.
 * EVERY text argument is HTML-escaped (& < > " '), and invalid UTF-8 is
 * replaced by U+FFFD, so data such as a location called
 * "<script>alert(1)</script>" shows as text.
 *
 * Usage:
 *     rtm_html *h = rtm_html_new("Essex violence, May 2018");
 *     rtm_html_section_begin(h, "Relative risk values");
 *     const char *hdr[] = {"variable", "RRV"};
 *     rtm_html_table_begin(h, NULL, 2, hdr);
 *     const char *row[] = {"pubs_density_500", "8.65"};
 *     rtm_html_table_row(h, row);
 *     rtm_html_table_end(h);
 *     rtm_html_image_png(h, "rrs.png", "risk map", "Relative risk score", &err);
 *     rtm_html_section_end(h);
 *     rtm_html_write(h, "report.html", &err);
 *     rtm_html_free(h);
 *
 * Errors of the builder calls (out of memory, unbalanced sections/tables)
 * are remembered and returned by rtm_html_finish / rtm_html_write. A
 * builder is not thread safe; the free functions rtm_html_escape and
 * rtm_base64 are.
 */
#ifndef RTM_HTML_H
#define RTM_HTML_H

#include <stddef.h>
#include "rtm/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtm_html rtm_html;

/** A new document with a <title> and <h1> of title (escaped). subtitle may
 *  be NULL (a line under the heading, e.g. the run date). NULL on no memory. */
rtm_html *rtm_html_new(const char *title, const char *subtitle);

/** Free the builder (h may be NULL). */
void rtm_html_free(rtm_html *h);

/** <section> with an <h2> heading; sections nest (deeper ones get <h3>..<h6>).
 *  id (may be NULL) becomes the section's anchor: only [A-Za-z0-9_-] kept.
 *  Top-level sections with an id are listed in a contents line under the
 *  title (when there are two or more). */
void rtm_html_section_begin(rtm_html *h, const char *heading, const char *id);
void rtm_html_section_end(rtm_html *h);

/** A paragraph of text. */
void rtm_html_para(rtm_html *h, const char *text);
/** A paragraph in small, muted type (notes, caveats, attribution). */
void rtm_html_note(rtm_html *h, const char *text);
/** A bulleted list of n items. */
void rtm_html_list(rtm_html *h, int n, const char *const *items);

/** A two-column key/value table: begin (caption may be NULL), rows, end. */
void rtm_html_kv_begin(rtm_html *h, const char *caption);
void rtm_html_kv(rtm_html *h, const char *key, const char *value);
/** Value printed with printf("%.*f", decimals, v); NaN/inf as "n/a". */
void rtm_html_kv_num(rtm_html *h, const char *key, double v, int decimals);
void rtm_html_kv_end(rtm_html *h);

/** A table with ncols columns: header cells (headers may be NULL for none),
 *  then rows of exactly ncols cells (NULL cell = empty). Cells that look
 *  like numbers are right-aligned. */
void rtm_html_table_begin(rtm_html *h, const char *caption, int ncols,
                          const char *const *headers);
void rtm_html_table_row(rtm_html *h, const char *const *cells);
void rtm_html_table_end(rtm_html *h);

/** Embed the PNG file at path as a figure with alt text and an optional
 *  caption. The file must start with the PNG signature; its IHDR size
 *  becomes the width/height attributes. Returns 0, RTM_ERR_IO (cannot
 *  read), RTM_ERR_INPUT (not a PNG) or RTM_ERR_NOMEM. */
int rtm_html_image_png(rtm_html *h, const char *path, const char *alt, const char *caption,
                       rtm_error *err);

/** Same from memory (data is copied). */
int rtm_html_image_png_mem(rtm_html *h, const unsigned char *data, size_t len,
                           const char *alt, const char *caption, rtm_error *err);

/** Close the document. On success returns 0 and sets *text (owned by h, valid
 *  until the next call on h) and *len (may be NULL). No builder calls may
 *  follow. Returns RTM_ERR_ARG (unbalanced sections/tables) or RTM_ERR_NOMEM. */
int rtm_html_finish(rtm_html *h, const char **text, size_t *len, rtm_error *err);

/** rtm_html_finish, then write the document to path (RTM_ERR_IO names it). */
int rtm_html_write(rtm_html *h, const char *path, rtm_error *err);

/** s with & < > " ' escaped and invalid UTF-8 replaced by U+FFFD, as a new
 *  string the caller frees (NULL s gives ""). NULL when out of memory. */
char *rtm_html_escape(const char *s);

/** RFC 4648 section 4 base64 of n bytes, NUL terminated, as a new string the
 *  caller frees; NULL when out of memory. */
char *rtm_base64(const void *data, size_t n);

#ifdef __cplusplus
}
#endif
#endif
