/* product/knox_priv.h (library-private): helpers shared by the knox and
 * repeats products. */
#ifndef RTM_PRODUCT_KNOX_PRIV_H
#define RTM_PRODUCT_KNOX_PRIV_H

#include <stdio.h>
#include "product/product_priv.h"
#include "rtm/knox.h"

/* Register DIR/file and write buf (len bytes) there atomically; frees buf. */
int knox_write_text(rtm_outset *out, const char *dir, const char *file, char *buf, size_t len,
                    rtm_error *err);
/* Register DIR/file and return where to write it (NULL with err set). */
const char *knox_path(rtm_outset *out, const char *dir, const char *file, rtm_error *err);
/* A CSV field, quoted when needed (RFC 4180). */
void knox_csv_str(FILE *f, const char *t);


/* The day x hour table beside output tif: TIF_dayhour.csv/.png (with strip,
 * e.g. "_z", cut from the end of the name first) when pts have times;
 * nothing otherwise. */
int knox_dayhour_beside(rtm_outset *out, const char *tif, const char *strip,
                        const rtm_points *pts, rtm_error *err);

#endif
