/* core/json.h: a tiny streaming JSON writer (RFC 8259) into a memory buffer.
 *
 * Used by the run manifest and the model report. Output is deterministic:
 * members appear in call order, indentation is two spaces, and doubles use
 * the shortest "%.{15,16,17}g" form that reads back to the same value, so the
 * same values always give the same bytes. NaN and infinities are not JSON:
 * they are written as null.
 *
 * Usage:
 *     rtm_json *w = rtm_json_new();
 *     rtm_json_begin_object(w);
 *     rtm_json_key(w, "cells");  rtm_json_int(w, 9199);
 *     rtm_json_key(w, "name");   rtm_json_string(w, "pubs \"500\"");
 *     rtm_json_end_object(w);
 *     if (rtm_json_write_file(w, "model.json", &err)) ...
 *     rtm_json_free(w);
 *
 * Misuse (a value where a key is expected, unbalanced end, out of memory) is
 * recorded and reported by rtm_json_finish / rtm_json_write_file; later calls
 * are then ignored. A writer is not thread safe; use one per thread.
 */
#ifndef RTM_JSON_H
#define RTM_JSON_H

#include <stddef.h>
#include "rtm/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtm_json rtm_json;

/** A new empty writer (pretty printed). Returns NULL when out of memory.
 *  Free with rtm_json_free. */
rtm_json *rtm_json_new(void);

/** Compact output (no newlines or indentation) when compact != 0.
 *  Call before writing anything. */
void rtm_json_set_compact(rtm_json *w, int compact);

/** Free the writer and its buffer (w may be NULL). */
void rtm_json_free(rtm_json *w);

/** Open / close an object or an array. */
void rtm_json_begin_object(rtm_json *w);
void rtm_json_end_object(rtm_json *w);
void rtm_json_begin_array(rtm_json *w);
void rtm_json_end_array(rtm_json *w);

/** The next member's key (inside an object only). key is copied (escaped). */
void rtm_json_key(rtm_json *w, const char *key);

/** Values (inside an array, after a key, or as the single top-level value).
 *  rtm_json_string(w, NULL) writes null. Strings should be UTF-8: each byte
 *  that does not begin a well-formed UTF-8 sequence (a file name in Latin-1,
 *  say) is written as \\ufffd (U+FFFD, the replacement character), so the
 *  document is always valid JSON. Control characters, '"' and '\\' are
 *  escaped, as are '<', '>' and '&' (as \\u003c etc.) so the text can be
 *  embedded in HTML safely. */
void rtm_json_string(rtm_json *w, const char *s);
void rtm_json_int(rtm_json *w, long long v);
void rtm_json_double(rtm_json *w, double v);
void rtm_json_bool(rtm_json *w, int v);
void rtm_json_null(rtm_json *w);

/** Shorthands: rtm_json_key followed by the value. */
void rtm_json_kv_string(rtm_json *w, const char *key, const char *s);
void rtm_json_kv_int(rtm_json *w, const char *key, long long v);
void rtm_json_kv_double(rtm_json *w, const char *key, double v);
void rtm_json_kv_bool(rtm_json *w, const char *key, int v);

/** Check the document is complete and well formed. On success returns 0 and
 *  sets *text (NUL terminated, owned by w, valid until the next call on w)
 *  and *len (may be NULL). On failure returns RTM_ERR_ARG or RTM_ERR_NOMEM. */
int rtm_json_finish(rtm_json *w, const char **text, size_t *len, rtm_error *err);

/** rtm_json_finish, then write the text (plus a final newline) to path,
 *  atomically (core/atomic.h). Returns 0, or an error code with err filled
 *  (RTM_ERR_IO names the path). */
int rtm_json_write_file(rtm_json *w, const char *path, rtm_error *err);

/** Format v as the writer does ("null" for NaN/inf) into buf (size >= 32).
 *  Returns buf. Thread safe. */
char *rtm_json_format_double(double v, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
