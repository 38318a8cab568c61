/* geotiff_opts.c: the defaults of GeoTIFF writing (rtm/output.h), shared by
 * the writer and the style (.qml) builder. */
#include "rtm/output.h"

#include <math.h>
#include <string.h>

void rtm_geotiff_opts_init(rtm_geotiff_opts *o)
{
    memset(o, 0, sizeof *o);
    o->compress = "DEFLATE";
    o->nodata = -9999.0;
    o->write_qml = 1;
    o->qml_ramp = "viridis";
    o->num_threads = 0;
    o->qml_transparent_below = -INFINITY;
}
