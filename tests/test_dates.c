/* test_dates.c: date and time parsing against a hand-written table (the
 * expected civil dates are written out here, not computed), leap years by the
 * Gregorian rule, time-zone offsets to UTC, column form detection, day
 * numbers against Python's datetime and a day-by-day count. */
#include "rtm/input.h"
#include "rtm_test.h"

typedef struct dcase {
    const char *s;
    rtm_date_form form;
    int y, m, d, minute, second, has_zone, zone;
} dcase;

static const dcase CASES[] = {
    {"2018-03", RTM_DATE_YYYY_MM, 2018, 3, 0, -1, 0, 0, 0},
    {" 2018-12 ", RTM_DATE_YYYY_MM, 2018, 12, 0, -1, 0, 0, 0},
    {"2018/03", RTM_DATE_YYYY_MM, 2018, 3, 0, -1, 0, 0, 0},
    {"2018-03-31", RTM_DATE_ISO_DATE, 2018, 3, 31, -1, 0, 0, 0},
    {"2018/03/31", RTM_DATE_ISO_DATE, 2018, 3, 31, -1, 0, 0, 0},
    {"2016-02-29", RTM_DATE_ISO_DATE, 2016, 2, 29, -1, 0, 0, 0},   /* leap year */
    {"2000-02-29", RTM_DATE_ISO_DATE, 2000, 2, 29, -1, 0, 0, 0},   /* 400-year leap */
    {"2018-03-31T14:05", RTM_DATE_ISO_DATETIME, 2018, 3, 31, 845, 0, 0, 0},
    {"2018-03-31T14:05:07", RTM_DATE_ISO_DATETIME, 2018, 3, 31, 845, 7, 0, 0},
    {"2018-03-31 14:05:07.250", RTM_DATE_ISO_DATETIME, 2018, 3, 31, 845, 7, 0, 0},
    {"2018-03-31T14:05:07Z", RTM_DATE_ISO_DATETIME, 2018, 3, 31, 845, 7, 1, 0},
    {"2018-07-01T00:30:00+01:00", RTM_DATE_ISO_DATETIME, 2018, 7, 1, 30, 0, 1, 60},
    {"2018-07-01T23:59+0530", RTM_DATE_ISO_DATETIME, 2018, 7, 1, 1439, 0, 1, 330},
    {"2018-07-01T08:00-05", RTM_DATE_ISO_DATETIME, 2018, 7, 1, 480, 0, 1, -300},
    {"2018/07/01 08:00:00+01", RTM_DATE_ISO_DATETIME, 2018, 7, 1, 480, 0, 1, 60},
    {"31/03/2018", RTM_DATE_DMY, 2018, 3, 31, -1, 0, 0, 0},
    {"1/3/2018", RTM_DATE_DMY, 2018, 3, 1, -1, 0, 0, 0},
    {"29/02/2020", RTM_DATE_DMY, 2020, 2, 29, -1, 0, 0, 0},
    {"05/04/2018 23:15", RTM_DATE_DMY_TIME, 2018, 4, 5, 1395, 0, 0, 0},
    {"05/04/2018 00:00:59", RTM_DATE_DMY_TIME, 2018, 4, 5, 0, 59, 0, 0},
    /* unreadable */
    {"2018-13", RTM_DATE_NONE, 0, 0, 0, 0, 0, 0, 0},
    {"2018-00-10", RTM_DATE_NONE, 0, 0, 0, 0, 0, 0, 0},
    {"2018-04-31", RTM_DATE_NONE, 0, 0, 0, 0, 0, 0, 0},      /* 30 days in April */
    {"2019-02-29", RTM_DATE_NONE, 0, 0, 0, 0, 0, 0, 0},      /* not a leap year */
    {"1900-02-29", RTM_DATE_NONE, 0, 0, 0, 0, 0, 0, 0},      /* century, not leap */
    {"31/04/2018", RTM_DATE_NONE, 0, 0, 0, 0, 0, 0, 0},
    {"03/31/2018", RTM_DATE_NONE, 0, 0, 0, 0, 0, 0, 0},      /* month first */
    {"2018-03-31T24:00", RTM_DATE_NONE, 0, 0, 0, 0, 0, 0, 0},
    {"2018-03-31T12:60", RTM_DATE_NONE, 0, 0, 0, 0, 0, 0, 0},
    {"2018-03-31T12:00+15:00", RTM_DATE_NONE, 0, 0, 0, 0, 0, 0, 0},
    {"2018-03-31X", RTM_DATE_NONE, 0, 0, 0, 0, 0, 0, 0},
    {"2018-3-31", RTM_DATE_NONE, 0, 0, 0, 0, 0, 0, 0},
    {"18-03-31", RTM_DATE_NONE, 0, 0, 0, 0, 0, 0, 0},
    {"March 2018", RTM_DATE_NONE, 0, 0, 0, 0, 0, 0, 0},
    {"", RTM_DATE_NONE, 0, 0, 0, 0, 0, 0, 0},
    {"0000-01-01", RTM_DATE_NONE, 0, 0, 0, 0, 0, 0, 0},
};

static void test_parse_table(void)
{
    size_t k;
    for (k = 0; k < sizeof CASES / sizeof *CASES; k++) {
        const dcase *c = &CASES[k];
        rtm_datetime t;
        rtm_date_form f = rtm_date_parse(c->s, &t);
        if (f != c->form) {
            fprintf(stderr, "# '%s': form %d, expected %d\n", c->s, (int)f, (int)c->form);
            RTM_CHECK(f == c->form);
            continue;
        }
        if (f == RTM_DATE_NONE)
            continue;
        RTM_CHECK(t.year == c->y && t.month == c->m && t.day == c->d);
        RTM_CHECK(t.minute == c->minute && t.second == c->second);
        RTM_CHECK(t.has_zone == c->has_zone && t.zone == c->zone);
    }
    RTM_CHECK(rtm_date_parse(NULL, NULL) == RTM_DATE_NONE);
}

/* Offsets to UTC, written out by hand: 00:30 at +01:00 is 23:30 the day
 * before; 23:59 at +05:30 is 18:29; 20:00 at -05:00 on 31 December is 01:00
 * on 1 January; 29 February 2016 23:30 at -01:00 is 1 March 00:30. */
static void test_utc(void)
{
    static const struct {
        const char *s;
        int y, m, d, minute;
    } U[] = {
        {"2018-07-01T00:30:00+01:00", 2018, 6, 30, 23 * 60 + 30},
        {"2018-07-01T23:59+05:30", 2018, 7, 1, 18 * 60 + 29},
        {"2018-12-31T20:00-05:00", 2019, 1, 1, 60},
        {"2016-02-29T23:30-01:00", 2016, 3, 1, 30},
        {"2018-03-31T14:05Z", 2018, 3, 31, 14 * 60 + 5},
        {"31/03/2018 14:05", 2018, 3, 31, 14 * 60 + 5},  /* no offset: as written */
    };
    size_t k;
    for (k = 0; k < sizeof U / sizeof *U; k++) {
        rtm_datetime t, u;
        RTM_CHECK(rtm_date_parse(U[k].s, &t) != RTM_DATE_NONE);
        RTM_CHECK(rtm_datetime_to_utc(&t, &u) == 0);
        RTM_CHECK(u.year == U[k].y && u.month == U[k].m && u.day == U[k].d);
        RTM_CHECK(u.minute == U[k].minute && u.zone == 0);
    }
    {
        rtm_datetime t, u;
        RTM_CHECK(rtm_date_parse("2018-03-31", &t) == RTM_DATE_ISO_DATE);
        RTM_CHECK(rtm_datetime_to_utc(&t, &u) == -1);
    }
}

/* Independent leap rule and a day-by-day walk from 1970-01-01. */
static int ref_leap(int y) { return y % 400 == 0 || (y % 100 != 0 && y % 4 == 0); }

static void test_days(void)
{
    static const int ml[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    long n = 0;
    int y, m, ok = 1;
    /* values from Python: (date(Y, M, D) - date(1970, 1, 1)).days */
    RTM_CHECK(rtm_days_from_civil(1970, 1, 1) == 0);
    RTM_CHECK(rtm_days_from_civil(2000, 1, 1) == 10957);
    RTM_CHECK(rtm_days_from_civil(2018, 3, 31) == 17621);
    RTM_CHECK(rtm_days_from_civil(1969, 12, 31) == -1);
    RTM_CHECK(rtm_days_from_civil(2400, 2, 29) == 157113);
    RTM_CHECK(rtm_days_from_civil(1600, 3, 1) == -135080);
    for (y = 1970; y < 2200 && ok; y++)
        for (m = 1; m <= 12 && ok; m++) {
            int len = ml[m - 1] + (m == 2 && ref_leap(y));
            ok = rtm_days_in_month(y, m) == len && rtm_days_from_civil(y, m, 1) == n;
            n += len;
        }
    RTM_CHECK(ok);
    RTM_CHECK(rtm_days_in_month(2018, 13) == 0);
}

static void test_detect(void)
{
    const char *police[] = {"2018-01", "2018-02", "2018-03"};
    const char *iso[] = {"2018-03-31T14:05:07Z", "2018-04-01T00:00:00+01:00", "bad",
                         "2018-04-02"};
    const char *uk[] = {"05/04/2018 23:15", "31/03/2018 08:00", "01/04/2018 12:00"};
    const char *us[] = {"03/04/2018", "03/31/2018", "04/01/2018"};
    const char *none[] = {"yesterday", "March"};
    size_t bad = 99;
    rtm_error e;
    RTM_CHECK(rtm_date_detect(police, 3, &bad, &e) == RTM_DATE_YYYY_MM && bad == 0);
    RTM_CHECK(rtm_date_detect(iso, 4, &bad, &e) == RTM_DATE_ISO_DATETIME && bad == 1);
    RTM_CHECK(rtm_date_detect(uk, 3, &bad, &e) == RTM_DATE_DMY_TIME && bad == 0);
    RTM_CHECK(rtm_date_detect(us, 3, &bad, &e) == RTM_DATE_NONE);
    RTM_CHECK(strstr(e.msg, "'03/31/2018' is month first") != NULL);
    RTM_CHECK(rtm_date_detect(none, 2, &bad, &e) == RTM_DATE_NONE && bad == 2);
    RTM_CHECK(strstr(e.msg, "no value in a known form") != NULL);
    RTM_CHECK(!strcmp(rtm_date_form_name(RTM_DATE_YYYY_MM), "yyyy-mm (police.uk month)"));
    RTM_CHECK(!strcmp(rtm_date_form_name(RTM_DATE_DMY_TIME), "dd/mm/yyyy hh:mm"));
}

int main(void)
{
    RTM_RUN(test_parse_table);
    RTM_RUN(test_utc);
    RTM_RUN(test_days);
    RTM_RUN(test_detect);
    return RTM_TEST_END();
}
