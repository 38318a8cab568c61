/* vsource.h (private): opening an OGR vector source and finding its
 * coordinates: coordinate columns by common names or given names, or the
 * layer's geometry; and the source CRS. Shared by the point and feature loaders. */
#ifndef RTM_VSOURCE_H
#define RTM_VSOURCE_H

#include <gdal.h>
#include <ogr_api.h>
#include "rtm/error.h"

#define RTM_VSOURCE_MAX_TEXT 64

typedef struct rtm_vsource {
    GDALDatasetH ds;
    OGRLayerH layer;
    const char *name;   /* the path as the user gave it, for messages */
    int is_csv;         /* rows are text lines: report "line N" */
    int xi, yi;         /* coordinate field indices, -1 = use the geometry */
    int lonlat;         /* coordinate columns named like longitude/latitude */
    char crs[4096];     /* source CRS definition (user input or WKT), "" = none */
    int nfields;        /* fields of the layer */
    int ntext;          /* text fields listed in text[], -1 = too many to list */
    int text[RTM_VSOURCE_MAX_TEXT];
} rtm_vsource;

/* Open path (a .gz is read through /vsigzip/), choose the layer, find the
 * coordinates and the CRS, and set the attribute filter. Errors name the file
 * and field. */
int rtm_vsource_open(rtm_vsource *v, const char *path, const char *layer, const char *x_field,
                     const char *y_field, const char *src_crs, const char *where,
                     rtm_error *err);
void rtm_vsource_close(rtm_vsource *v);

/* Index of a field (case-insensitive), or an error naming file and field. */
int rtm_vsource_field(const rtm_vsource *v, const char *name, const char *what, rtm_error *err);

/* Index of the first field whose name is in the NULL-terminated list, or -1. */
int rtm_vsource_find_field(const rtm_vsource *v, const char *const *names);

/* "file.csv line 12" or "file.gpkg feature 12" into buf. */
void rtm_vsource_where(const rtm_vsource *v, GIntBig fid, char *buf, size_t n);

/* Read a numeric field: 0 ok, RTM_READ_EMPTY (unset, null or blank) or
 * RTM_READ_BAD (not a finite number). */
enum { RTM_READ_EMPTY = 1, RTM_READ_BAD = 2 };
int rtm_vsource_read_number(OGRFeatureH f, int idx, double *out);

/* CSV only: 0, or an error when a text field of row f spans lines that look
 * like whole rows (an unclosed quote: OGR's CSV reader joins lines until the
 * quotes balance, so the rows after it vanish into one field). */
int rtm_vsource_check_quotes(const rtm_vsource *v, OGRFeatureH f, rtm_error *err);
/* The same test: index of the field holding the joined lines, or -1. */
int rtm_vsource_unclosed_quote(const rtm_vsource *v, OGRFeatureH f);
/* The message of that error (arguments: "file line N", field name). */
#define RTM_VSOURCE_QUOTE_MSG                                                                  \
    "points: %s field '%s': a quote is not closed, so the lines after it are read into this " \
    "row and their rows are lost; close or remove the quote"

/* Open a byte range of the CSV source `whole` (opened with rtm_vsource_open)
 * as read through the virtual file `part` (its header line then its rows):
 * coordinates, CRS and name are those of `whole`; the attribute filter is
 * set. */
int rtm_vsource_open_part(rtm_vsource *v, const rtm_vsource *whole, const char *part,
                          const char *where, rtm_error *err);

/* Message of the last GDAL error on this thread, or a fallback. */
const char *rtm_gdal_last_error(const char *fallback);

#endif
