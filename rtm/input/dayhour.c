/* dayhour.c: the day x hour table of timed events - the temporal heat map of
 * RTM's intervention-planning template (Caplan & Kennedy 2016, Risk Terrain
 * Modeling Manual): events counted by ISO weekday (Monday first) and hour. */
#include "rtm/knox.h"

#include <string.h>

void rtm_dayhour_table(const rtm_points *p, int weighted, double table[168], size_t *used,
                       size_t *untimed)
{
    size_t u = 0, not = 0;
    memset(table, 0, 168 * sizeof *table);
    for (size_t i = 0; i < p->n; i++) {
        int d = p->day ? p->day[i] : 0, m = p->minute ? p->minute[i] : -1;
        if (d <= 0 || m < 0 || m >= 1440) {
            not++;
            continue;
        }
        table[rtm_weekday(d) * 24 + m / 60] += weighted && p->w ? p->w[i] : 1.0;
        u++;
    }
    if (used)
        *used = u;
    if (untimed)
        *untimed = not;
}
