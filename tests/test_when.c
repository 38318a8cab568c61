/* test_when.c: times of day, days of the week and location labels of events.
 * Simulated events with known dates, times and locations are written to a
 * CSV; what the loader keeps is checked against a direct count over the
 * simulated rows (the truth), and the weekday against Zeller's congruence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtm.h"
#include "rtm_test.h"

#define NSIM 2000

typedef struct sim_row {
    int y, m, d, minute;   /* minute -1: no time written */
    int loc;               /* location 0..9 */
} sim_row;

/* Zeller's congruence (Gregorian), converted to 0 = Monday: an independent
 * formula for the weekday (Zeller 1887). */
static int zeller(int y, int m, int d)
{
    int q = d, k, j, h;
    if (m < 3) {
        m += 12;
        y--;
    }
    k = y % 100;
    j = y / 100;
    h = (q + 13 * (m + 1) / 5 + k + k / 4 + j / 4 + 5 * j) % 7; /* 0 = Saturday */
    return (h + 5) % 7;
}

static void test_weekday(void)
{
    int y, m, d, bad = 0;
    for (y = 1899; y <= 2101; y += 3)
        for (m = 1; m <= 12; m++)
            for (d = 1; d <= rtm_days_in_month(y, m); d += 2)
                bad += rtm_weekday(y * 10000 + m * 100 + d) != zeller(y, m, d);
    RTM_CHECK(bad == 0);
    RTM_CHECK(rtm_weekday(20181206) == 3); /* a Thursday */
}

static void test_masks(void)
{
    unsigned m;
    rtm_error e;
    RTM_CHECK(rtm_hours_parse("18-02", &m, &e) == 0 && m == ((0xFFu << 18 | 0x3u) & 0xFFFFFFu));
    RTM_CHECK(rtm_hours_parse("12", &m, &e) == 0 && m == 1u << 12);
    RTM_CHECK(rtm_hours_parse("0-24", &m, &e) != 0);
    RTM_CHECK(rtm_hours_parse("9-17,20-22", &m, &e) == 0 && m == (0xFFu << 9 | 0x3u << 20));
    RTM_CHECK(rtm_hours_parse("5-5", &m, &e) == 0 && m == 0xFFFFFFu); /* all day round */
    RTM_CHECK(rtm_hours_parse("", &m, &e) != 0 && rtm_hours_parse("7-", &m, &e) != 0);
    RTM_CHECK(rtm_days_parse("fri-sun", &m, &e) == 0 && m == (0x7u << 4));
    RTM_CHECK(rtm_days_parse("SAT-mon", &m, &e) == 0 && m == (0x3u << 5 | 1u));
    RTM_CHECK(rtm_days_parse("mon,wed", &m, &e) == 0 && m == 0x5u);
    RTM_CHECK(rtm_days_parse("monday", &m, &e) != 0 && rtm_days_parse("x", &m, &e) != 0);
    RTM_CHECK(rtm_time_of_day_parse(" 23:59:59 ") == 1439 && rtm_time_of_day_parse("24:00") < 0);
}

static void simulate(sim_row *r, int n)
{
    rtm_t_rng = 20181206;
    for (int i = 0; i < n; i++) {
        r[i].y = 2018;
        r[i].m = 1 + (int)(rtm_t_urand() * 12);
        r[i].d = 1 + (int)(rtm_t_urand() * 28);
        r[i].minute = rtm_t_urand() < 0.1 ? -1 : (int)(rtm_t_urand() * 1440);
        r[i].loc = (int)(rtm_t_urand() * rtm_t_urand() * 10);
    }
}

/* Half the rows carry the time in a separate field, half inside the date. */
static int write_csv(const char *path, const sim_row *r, int n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "x,y,when,clock,Location\n");
    for (int i = 0; i < n; i++) {
        char when[40], clock[16] = "";
        if (r[i].minute >= 0 && i % 2)
            snprintf(when, sizeof when, "%04d-%02d-%02dT%02d:%02d:00Z", r[i].y, r[i].m, r[i].d,
                     r[i].minute / 60, r[i].minute % 60);
        else
            snprintf(when, sizeof when, "%02d/%02d/%04d", r[i].d, r[i].m, r[i].y);
        if (r[i].minute >= 0 && !(i % 2))
            snprintf(clock, sizeof clock, "%02d:%02d", r[i].minute / 60, r[i].minute % 60);
        fprintf(f, "%d,%d,%s,%s,\"On or near Street %d, \"\"B\"\"\"\n", 500000 + i, 100000 + i,
                when, clock, r[i].loc);
    }
    return fclose(f);
}

static int load(const char *path, unsigned hours, unsigned days, rtm_points *p,
                rtm_load_stats *st)
{
    rtm_load_opts o;
    rtm_error e;
    rtm_points_init(p);
    rtm_load_stats_init(st);
    rtm_load_opts_init(&o);
    o.dst_crs = o.src_crs = "EPSG:27700";
    o.x_field = "x";
    o.y_field = "y";
    o.month_field = "when";
    o.time_field = "clock";
    o.keep_labels = 1;
    o.hours_mask = hours;
    o.days_mask = days;
    return rtm_points_load(p, path, &o, st, &e);
}

static void test_filters(void)
{
    static sim_row r[NSIM];
    char dir[512], path[600];
    unsigned hours = 0, days = 0;
    rtm_error e;
    rtm_points p;
    rtm_load_stats st;
    int i, want = 0, untimed = 0, bad = 0;
    if (rtm_t_tmpdir(dir, sizeof dir, "when"))
        return;
    snprintf(path, sizeof path, "%s/ev.csv", dir);
    simulate(r, NSIM);
    RTM_CHECK(write_csv(path, r, NSIM) == 0);
    RTM_CHECK(rtm_hours_parse("20-03", &hours, &e) == 0 && rtm_days_parse("fri-sun", &days, &e) == 0);
    for (i = 0; i < NSIM; i++) {
        int h = r[i].minute / 60, wd = zeller(r[i].y, r[i].m, r[i].d);
        untimed += r[i].minute < 0;
        want += r[i].minute >= 0 && (h >= 20 || h < 3) && wd >= 4;
    }
    RTM_CHECK(load(path, hours, days, &p, &st) == 0);
    RTM_CHECK(p.n == (size_t)want);
    RTM_CHECK(st.skipped[RTM_SKIP_BAD_MONTH] == (size_t)untimed);
    for (i = 0; i < (int)p.n; i++) { /* x identifies the simulated row */
        const sim_row *s = &r[(int)p.x[i] - 500000];
        char loc[64];
        snprintf(loc, sizeof loc, "On or near Street %d, \"B\"", s->loc);
        bad += p.minute[i] != s->minute || p.day[i] != s->y * 10000 + s->m * 100 + s->d ||
               !rtm_points_label_of(&p, i) || strcmp(rtm_points_label_of(&p, i), loc);
    }
    RTM_CHECK(bad == 0);
    RTM_CHECK(p.nlabels <= 10);
    rtm_points_clear(&p);
    /* no filter: every row, times kept where given, -1 elsewhere */
    RTM_CHECK(load(path, 0, 0, &p, &st) == 0 && p.n == NSIM);
    for (i = 0, bad = 0; i < (int)p.n; i++)
        bad += p.minute[i] != r[(int)p.x[i] - 500000].minute;
    RTM_CHECK(bad == 0);
    rtm_points_clear(&p);
    rtm_t_rmdir(dir);
}

/* Many distinct labels: interning keeps each text once and finds it again. */
static void test_intern(void)
{
    rtm_points p;
    rtm_error e;
    char t[32];
    int i, bad = 0;
    rtm_points_init(&p);
    for (i = 0; i < 50000; i++) {
        snprintf(t, sizeof t, "loc %d", i % 20011);
        int k = rtm_points_label(&p, t, &e);
        bad += k != i % 20011;
    }
    RTM_CHECK(bad == 0 && p.nlabels == 20011);
    RTM_CHECK(rtm_points_push_full(&p, 1, 2, 1, 0, 0, 5000, 7, &e) == 0);
    RTM_CHECK(p.minute[0] == -1 && p.label[0] == 7 && !strcmp(rtm_points_label_of(&p, 0), "loc 7"));
    rtm_points_clear(&p);
}

int main(void)
{
    RTM_RUN(test_weekday);
    RTM_RUN(test_masks);
    RTM_RUN(test_filters);
    RTM_RUN(test_intern);
    return RTM_TEST_END();
}
