/* points_priv.h (private): the point loader of points_load.c, shared with
 * points_par.c, which reads several files, or byte ranges of one big CSV,
 * on separate threads and joins them in file order. */
#ifndef RTM_POINTS_PRIV_H
#define RTM_POINTS_PRIV_H

#include "rtm/input.h"
#include "input/vsource.h"

#define RTM_PLOAD_BATCH 65536

/* One batch of rows waiting for transformation. */
typedef struct rtm_pload_batch {
    size_t n;
    double x[RTM_PLOAD_BATCH], y[RTM_PLOAD_BATCH], w[RTM_PLOAD_BATCH];
    int month[RTM_PLOAD_BATCH], day[RTM_PLOAD_BATCH], minute[RTM_PLOAD_BATCH];
    int label[RTM_PLOAD_BATCH];
    GIntBig fid[RTM_PLOAD_BATCH];
    unsigned char ok[RTM_PLOAD_BATCH];
} rtm_pload_batch;

enum { RTM_PLOAD_OK, RTM_PLOAD_STRICT, RTM_PLOAD_QUOTE };

/* Row numbers in messages are only known once the rows of the earlier byte
 * ranges of the file are counted, so the first example of each skip reason
 * and the failing row are kept as (row, field) and written into the
 * messages by rtm_pload_messages. */
typedef struct rtm_pload {
    const rtm_load_opts *o;
    rtm_vsource v;
    rtm_transform *tr;
    int wi, ci, mi;        /* weight, category, month field indices (-1 none) */
    int di, ti;            /* date and time fields for when_accept (-1 none) */
    int li;                /* location label field (-1 none) */
    int from, to;          /* YYYYMMDD window, 0 = open */
    rtm_date_form form;    /* detected form of field mi */
    rtm_load_stats st;     /* this source's counts */
    rtm_pload_batch *b;
    GIntBig ex_fid[RTM_SKIP_NREASONS];       /* first skipped row per reason */
    char ex_field[RTM_SKIP_NREASONS][32];    /* its field ("" none) */
    unsigned char ex_has_field[RTM_SKIP_NREASONS];
    int fail;              /* RTM_PLOAD_STRICT or _QUOTE: the error's row and field */
    GIntBig fail_fid;
    char fail_field[256];
    int fail_has_field;
    const char *fail_what;
    size_t records;        /* rows of the source (with or without the filter) */
} rtm_pload;

/* Open path, find its fields and the form of its dates. */
int rtm_pload_open(rtm_pload *L, const char *path, const rtm_load_opts *o, rtm_error *err);
/* Read the rows of an opened source into pts through tr (NULL: a transform
 * is made for the source). Counts go to L->st; messages wait for
 * rtm_pload_messages. Returns 0 or an error code (err set, row numbers as
 * if the source started the file). */
int rtm_pload_read(rtm_pload *L, rtm_points *pts, rtm_transform *tr, rtm_error *err);
/* Write the examples of L->st and, after a row error, err, with row numbers
 * counted from base (the rows of the file before this source). */
void rtm_pload_messages(rtm_pload *L, GIntBig base, rtm_error *err);
void rtm_pload_close(rtm_pload *L);
/* Add the counts of s into st (examples kept from the first). */
void rtm_pload_merge_stats(rtm_load_stats *st, const rtm_load_stats *s);

#endif
