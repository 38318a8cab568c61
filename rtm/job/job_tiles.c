/* job_tiles.c: the `tiles` key of the tileable surfaces (kde, hotspots,
 * change, emerging): how many row strips, each its own unit of a run (rtm/tile.h). */
#include "job/job_internal.h"

void rtm_job_read_tiles(rtm_ydoc *y, yaml_node_t *n, rtm_job_surface *s)
{
    long long t = 1;
    rtm_yint(y, n, "tiles", 1, RTM_JOB_MAX_TILES, &t);
    s->tiles = (int)t;
}
