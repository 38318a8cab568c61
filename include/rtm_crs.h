/* rtm_crs.h: coordinate reference systems and transformations (PROJ).
 *
 * CRS definitions are strings PROJ accepts: "EPSG:27700", WKT, PROJ strings.
 * Geographic coordinates are always handled in longitude, latitude order
 * (GIS order), whatever the CRS's official axis order.
 */
#ifndef RTM_CRS_H
#define RTM_CRS_H

#include <stddef.h>
#include "rtm_error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rtm_transform rtm_transform; /* opaque */

/** Create a transformation from CRS src to CRS dst. Returns NULL and sets err
 *  (RTM_ERR_CRS) when either CRS is unknown. Not thread safe: use one object
 *  per thread. Free with rtm_transform_free. */
rtm_transform *rtm_transform_create(const char *src, const char *dst, rtm_error *err);
void rtm_transform_free(rtm_transform *t);

/** Transform n points in place. ok[i] (caller-owned, n bytes) is set to 1 for
 *  points transformed, 0 for points that cannot be: non-finite, outside the
 *  valid longitude/latitude range, outside the target CRS's area of use, or
 *  rejected by PROJ. Failed points are left as NaN. Returns the number of
 *  points transformed. */
size_t rtm_transform_points(rtm_transform *t, double *x, double *y, size_t n,
                            unsigned char *ok);

/** Name of the coordinate operation PROJ used for the last transformed point
 *  ("Inverse of OSGB36 to WGS 84 (6) + British National Grid", or
 *  "identity" when src and dst are the same CRS). Owned by t. */
const char *rtm_transform_describe(const rtm_transform *t);

/** 1 when src and dst are the same CRS (no-op transformation). */
int rtm_transform_is_identity(const rtm_transform *t);

/** 1 if def is a geographic (longitude/latitude) CRS, 0 if not, -1 if unknown. */
int rtm_crs_is_geographic(const char *def);

/** Write the CRS's WKT (WKT1_GDAL-compatible WKT2 is not guaranteed) into buf.
 *  Returns 0, or RTM_ERR_CRS if def is unknown, RTM_ERR_ARG if buf is small. */
int rtm_crs_to_wkt(const char *def, char *buf, size_t bufsz, rtm_error *err);

/** Short name of a CRS ("OSGB36 / British National Grid") and its
 *  "AUTH:CODE" if it has one; either output may be NULL. */
int rtm_crs_describe(const char *def, char *name, size_t namesz, char *code, size_t codesz,
                     rtm_error *err);

/** Linear unit of a projected CRS in metres (1 for metres, 0.3048 for feet);
 *  0 for geographic or unknown CRSs. */
double rtm_crs_metres_per_unit(const char *def);

#ifdef __cplusplus
}
#endif
#endif
