/* fuzz_points.c: the point loader (rtm_points_load) on a CSV, or a GeoJSON
 * file when the input starts with '{', transformed to EPSG:27700. Loaded
 * points must have finite coordinates and weights, and the counts must add
 * up. */
#include <math.h>
#include "fuzz_common.h"
#include "rtm.h"
#include "core/gdal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) { rtm_gdal_init(); init = 1; }
    if (size > 1 << 16) return 0;
    const char *name = size && data[0] == '{' ? "events.geojson" : "events.csv";
    const char *path = fuzz_write(name, data, size);
    rtm_points pts;
    rtm_points_init(&pts);
    rtm_load_opts o;
    rtm_load_opts_init(&o);
    o.dst_crs = "EPSG:27700";
    rtm_load_stats st;
    rtm_load_stats_init(&st);
    rtm_error err = {0};
    int rc = rtm_points_load(&pts, path, &o, &st, &err);
    if (rc != 0) {
        if (!err.msg[0]) abort();                        /* a failure says why */
        if (pts.n != 0) abort();                         /* no point of a failed file */
    } else {
        for (size_t i = 0; i < pts.n; i++)
            if (!isfinite(pts.x[i]) || !isfinite(pts.y[i]) || !isfinite(pts.w[i])) abort();
        if (st.used != pts.n) abort();
    }
    rtm_points_clear(&pts);
    return 0;
}
