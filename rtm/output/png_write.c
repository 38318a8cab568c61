/* png_write.c: RGBA PNG and ESRI world-file output (see rtm/output.h).
 * Both are written to a temporary file beside the target and renamed into
 * place (core/atomic.h). */
#include "rtm/output.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"

/* Temporary file beside the target, created exclusively in its private
 * directory (core/atomic.h). */
static FILE *tmp_open(const char *path, char *tmp, size_t tmpsz, rtm_error *err)
{
    if (rtm_atomic_tmpname(path, tmp, tmpsz, err) != 0)
        return NULL;
    FILE *f = fopen(tmp, "wbx");
    if (!f) {
        rtm_error_set(err, RTM_ERR_IO, "png: cannot create '%s': %s", path, strerror(errno));
        rtm_atomic_abort(tmp);
    }
    return f;
}

/* Close f, then commit tmp over path when ok; otherwise remove tmp. */
static int tmp_finish(FILE *f, const char *tmp, const char *path, int ok, rtm_error *err)
{
    int rc = ok ? 0 : (err && err->code ? err->code : RTM_ERR_IO);
    if ((fflush(f) != 0 || ferror(f)) && !rc)
        rc = rtm_error_set(err, RTM_ERR_IO, "png: cannot write '%s': %s", path, strerror(errno));
    if (fclose(f) != 0 && !rc)
        rc = rtm_error_set(err, RTM_ERR_IO, "png: cannot write '%s': %s", path, strerror(errno));
    if (rc) {
        rtm_atomic_abort(tmp);
        return rc;
    }
    return rtm_atomic_commit(tmp, path, err);
}

typedef struct png_ctx {
    rtm_error *err;
    const char *path;
} png_ctx;

static void png_err(png_structp p, png_const_charp msg)
{
    png_ctx *c = png_get_error_ptr(p);
    rtm_error_set(c->err, RTM_ERR_IO, "png: cannot write '%s': %s", c->path, msg);
    png_longjmp(p, 1);
}

static void png_warn(png_structp p, png_const_charp msg)
{
    (void)p;
    (void)msg; /* the library never prints */
}

/* libpng streaming write; the caller owns f. Returns 0 or an error code. */
static int png_stream(FILE *f, const char *path, const unsigned char *rgba, int w, int h,
                      rtm_error *err)
{
    png_ctx ctx = {err, path};
    png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, png_err, png_warn);
    png_infop info = p ? png_create_info_struct(p) : NULL;
    if (!p || !info) {
        png_destroy_write_struct(&p, NULL);
        return rtm_error_set(err, RTM_ERR_NOMEM, "png: out of memory");
    }
    if (setjmp(png_jmpbuf(p))) {
        png_destroy_write_struct(&p, &info);
        return RTM_ERR_IO;
    }
    png_init_io(p, f);
    /* zlib level 6 (its default) rather than 9: on the county model's five
     * PNGs (3211 x 2565 maps), 0.23 s instead of 0.79 s for files 1-3 %
     * larger; level 9 searches far longer for little on flat map colours */
    png_set_compression_level(p, 6);
    png_set_IHDR(p, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB_ALPHA,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(p, info);
    for (int y = 0; y < h; y++)
        png_write_row(p, rgba + (size_t)y * (size_t)w * 4);
    png_write_end(p, info);
    png_destroy_write_struct(&p, &info);
    return 0;
}

int rtm_png_write_rgba(const char *path, const unsigned char *rgba, int w, int h,
                       rtm_error *err)
{
    char tmp[RTM_ATOMIC_PATH_MAX];
    if (w <= 0 || h <= 0)
        return rtm_error_set(err, RTM_ERR_ARG, "png: bad image size %d x %d", w, h);
    FILE *f = tmp_open(path, tmp, sizeof tmp, err);
    if (!f)
        return err ? err->code : RTM_ERR_IO;
    rtm_error_clear(err);
    int rc = png_stream(f, path, rgba, w, h, err);
    return tmp_finish(f, tmp, path, rc == 0, err);
}

int rtm_png_world_path(const char *png_path, char *out, size_t outsz, rtm_error *err)
{
    const char *slash = strrchr(png_path, '/'), *dot = strrchr(png_path, '.');
    size_t stem = (dot && (!slash || dot > slash + 1)) ? (size_t)(dot - png_path)
                                                       : strlen(png_path);
    if (stem + 5 > outsz)
        return rtm_error_set(err, RTM_ERR_ARG, "png: path too long '%s'", png_path);
    memcpy(out, png_path, stem);
    memcpy(out + stem, ".pgw", 5);
    return 0;
}

int rtm_png_world_write(const char *path, double p, double xc, double yc, rtm_error *err)
{
    char tmp[RTM_ATOMIC_PATH_MAX];
    FILE *f = tmp_open(path, tmp, sizeof tmp, err);
    if (!f)
        return err ? err->code : RTM_ERR_IO;
    rtm_error_clear(err);
    fprintf(f, "%.17g\n0\n0\n%.17g\n%.17g\n%.17g\n", p, -p, xc, yc);
    return tmp_finish(f, tmp, path, 1, err);
}
