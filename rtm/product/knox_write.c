/* knox_write.c: shared text writers of the knox and repeats products, and
 * the day x hour table files (CSV + heat-table PNG) that every product with
 * timed events writes beside its outputs. */
#include "product/knox_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"

int knox_write_text(rtm_outset *out, const char *dir, const char *file, char *buf, size_t len,
                    rtm_error *err)
{
    char *fn = rtm_prod_join(dir, file);
    const char *path = fn ? rtm_outset_file(out, fn, err) : NULL;
    int rc = !fn ? rtm_error_set(err, RTM_ERR_NOMEM, "out of memory")
             : !path ? (err && err->code ? err->code : RTM_ERR_ARG)
                     : rtm_atomic_write_text(path, buf ? buf : "", buf ? len : 0, err);
    free(fn);
    free(buf);
    return rc;
}

const char *knox_path(rtm_outset *out, const char *dir, const char *file, rtm_error *err)
{
    char *fn = rtm_prod_join(dir, file);
    const char *path = fn ? rtm_outset_file(out, fn, err) : NULL;
    if (!fn)
        rtm_error_set(err, RTM_ERR_NOMEM, "out of memory");
    free(fn);
    return path;
}

void knox_csv_str(FILE *f, const char *t)
{
    if (!strpbrk(t, ",\"\n\r")) {
        fputs(t, f);
        return;
    }
    fputc('"', f);
    for (; *t; t++) {
        if (*t == '"')
            fputc('"', f);
        fputc(*t, f);
    }
    fputc('"', f);
}

static const char *const DAYS[7] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                    "Friday", "Saturday", "Sunday"};

static int dayhour_csv(rtm_outset *out, const char *dir, const char *name, const double *t,
                       rtm_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return rtm_error_set(err, RTM_ERR_NOMEM, "day x hour: out of memory");
    fputs("day", f);
    for (int h = 0; h < 24; h++)
        fprintf(f, ",h%02d", h);
    fputs(",total\n", f);
    for (int d = 0; d < 7; d++) {
        double tot = 0;
        fputs(DAYS[d], f);
        for (int h = 0; h < 24; h++)
            fprintf(f, ",%.10g", t[d * 24 + h]), tot += t[d * 24 + h];
        fprintf(f, ",%.10g\n", tot);
    }
    fclose(f);
    return knox_write_text(out, dir, name, buf, len, err);
}

int rtm_dayhour_write(rtm_outset *out, const char *dir, const char *prefix,
                      const rtm_points *pts, const char *title, int *written, rtm_error *err)
{
    double t[168];
    size_t used = 0, untimed = 0;
    char name[256], sub[160], cells[168][16];
    const char *text[168], *rows[7], *cols[24];
    static const char *const HOURS[24] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
                                          "10", "11", "12", "13", "14", "15", "16", "17",
                                          "18", "19", "20", "21", "22", "23"};
    if (written)
        *written = 0;
    rtm_dayhour_table(pts, 0, t, &used, &untimed);
    if (used == 0)
        return 0;  /* no times: nothing written, the other outputs unchanged */
    snprintf(name, sizeof name, "%s_dayhour.csv", prefix);
    int rc = dayhour_csv(out, dir, name, t, err);
    snprintf(name, sizeof name, "%s_dayhour.png", prefix);
    const char *path = rc ? NULL : knox_path(out, dir, name, err);
    if (rc || !path)
        return rc ? rc : err->code;
    for (int k = 0; k < 168; k++) {
        snprintf(cells[k], sizeof cells[k], "%.0f", t[k]);
        text[k] = cells[k];
    }
    for (int d = 0; d < 7; d++)
        rows[d] = DAYS[d];
    for (int h = 0; h < 24; h++)
        cols[h] = HOURS[h];
    snprintf(sub, sizeof sub, "%zu events with a day and a time of day%s", used,
             untimed ? "; events without one are left out" : "");
    rtm_heat_table ht = {title ? title : "Events by day of week and hour", sub,
                         "Hour h holds times h:00 to h:59. Weekdays from the event dates "
                         "(ISO 8601, Monday first).", "day", "hour of day", rows, cols, 7, 24,
                         t, text, NULL};
    if ((rc = rtm_heat_table_png_write(path, &ht, err)))
        return rc;
    if (written)
        *written = 1;
    return 0;
}

int knox_dayhour_beside(rtm_outset *out, const char *tif, const char *strip,
                        const rtm_points *pts, rtm_error *err)
{
    char prefix[4096];
    const char *slash = strrchr(tif, '/'), *dot = strrchr(tif, '.');
    size_t n = dot && (!slash || dot > slash) ? (size_t)(dot - tif) : strlen(tif);
    size_t sl = strip ? strlen(strip) : 0;
    if (sl && n > sl && !strncmp(tif + n - sl, strip, sl))
        n -= sl;
    if (n >= sizeof prefix - 16)
        return rtm_error_set(err, RTM_ERR_ARG, "day x hour: output name too long");
    memcpy(prefix, tif, n);
    prefix[n] = 0;
    return rtm_dayhour_write(out, NULL, prefix, pts, NULL, NULL, err);
}
