/* rtm/error.h: the caller-owned error buffer and progress callback.
 * Part of the public API; include <rtm.h> for all of it. */
#ifndef RTM_ERROR_H
#define RTM_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ==== error: the caller-owned error buffer every library call fills.
 *
 * The library never prints and never exits. A function that can fail takes a
 * `rtm_error *err` as its last argument, returns 0 on success and non-zero on
 * failure, and on failure writes a one-line, lower-case message into err->msg
 * ("points: cannot open 'x.csv': No such file or directory"). err may be NULL.
 * There is no global error state, so calls are safe from several threads as
 * long as each thread has its own rtm_error.
 */
/** Error codes (err->code). */
enum {
    RTM_OK = 0,
    RTM_ERR_IO = 1,      /**< a file could not be read or written */
    RTM_ERR_INPUT = 2,   /**< bad input data (file, row/feature, field named) */
    RTM_ERR_ARG = 3,     /**< invalid option or argument */
    RTM_ERR_NOMEM = 4,   /**< out of memory or size overflow */
    RTM_ERR_CRS = 5,     /**< coordinate reference system problem */
    RTM_ERR_MODEL = 6,   /**< model cannot be fitted (degenerate data) */
    RTM_ERR_CANCEL = 7   /**< the progress callback asked to stop */
};

#define RTM_ERRMSG_MAX 512

typedef struct rtm_error {
    int code;                  /**< RTM_OK or one of the codes above */
    char msg[RTM_ERRMSG_MAX];  /**< message, "" when code == RTM_OK */
} rtm_error;

/** Reset err to RTM_OK (err may be NULL). */
void rtm_error_clear(rtm_error *err);

/** Set code and a printf-style message; returns code so callers can
 *  `return rtm_error_set(err, RTM_ERR_ARG, "...")`. err may be NULL. */
int rtm_error_set(rtm_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** Progress callback, GDAL-style: frac in [0,1], msg may be NULL.
 *  Return non-zero to continue, 0 to cancel (the call then fails with
 *  RTM_ERR_CANCEL). Called from the calling thread only. */
typedef int (*rtm_progress_fn)(double frac, const char *msg, void *arg);

/** Multiply a*b*c into *out with overflow checking; returns 0 on success. */
int rtm_size_mul(size_t a, size_t b, size_t c, size_t *out);

#ifdef __cplusplus
}
#endif
#endif
