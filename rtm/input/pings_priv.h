/* pings_priv.h (private): one file of pings as read, before the merge
 * (pings_read.c reads, pings.c merges; see rtm/dosage.h). */
#ifndef RTM_PINGS_PRIV_H
#define RTM_PINGS_PRIV_H

#include <stdint.h>
#include "rtm/dosage.h"

/* One ping as read (40 bytes). */
typedef struct rtm_ping_rec {
    int64_t t;        /* UTC ms, or local wall-clock ms when naive */
    double x, y;
    int64_t fid;      /* OGR feature id, for messages */
    int32_t dev;      /* local device index, then global */
    uint16_t file;
    uint8_t naive;    /* time written without a zone */
    uint8_t pad;
} rtm_ping_rec;

typedef struct rtm_ping_file {
    const char *path;
    int index;
    int is_csv;
    rtm_ping_rec *rec;
    size_t n, cap;
    char **names;       /* local device names */
    int ndev, capdev;
    int *htab;          /* open addressing over names, -1 empty */
    size_t hcap;
    size_t read;
    size_t count[RTM_PING_NREASONS];
    char example[RTM_PING_NREASONS][200];
    char src_crs[128], transform[256];
    int rc;
    rtm_error err;
} rtm_ping_file;

/* Read one file into f (f->path, f->index set); errors into f->rc/f->err.
 * Thread safe for different files. */
void rtm_ping_file_read(rtm_ping_file *f, const rtm_pings_opts *o);
void rtm_ping_file_free(rtm_ping_file *f);
/* "file line N field F" (or "feature N") into buf. */
void rtm_ping_where(const char *path, int is_csv, int64_t fid, const char *field, char *buf,
                    size_t n);

#endif
