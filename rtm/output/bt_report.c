/* bt_report.c: the back-test summary of a map in reports (see
 * output/bt_report.h): the mean PAI at 1, 5 and 20 % of the area over a
 * rolling monthly back-test, beside that of the prior counts. A map that
 * does worse than the prior counts explains (which settings make places
 * risky) but does not forecast (where the next events will be). */
#include "output/bt_report.h"

#include <math.h>
#include <string.h>

static const char *month_str(int m, char *buf)
{
    snprintf(buf, 16, "%04d-%02d", m / 100, m % 100);
    return buf;
}

const char *rtm_bt_verdict(const rtm_bt_summary *b, int i, char *buf, size_t n)
{
    int p = b->nsurf - 1;
    double a1 = b->pai[i][0], p1 = b->pai[p][0], a5 = b->pai[i][1], p5 = b->pai[p][1];
    if (!b->done) {
        snprintf(buf, n, "Not back-tested: %s.", b->why);
    } else if (i == p) {
        snprintf(buf, n, "The prior counts are the baseline: last months' events per cell.");
    } else if (!isfinite(a1) || !isfinite(p1)) {
        snprintf(buf, n, "%s: no PAI in the back-test (no test events).", b->name[i]);
    } else if (a1 >= p1 && a5 >= p5) {
        snprintf(buf, n, "%s forecasts at least as well as the prior counts (PAI %.1f vs %.1f "
                 "at 1 %% of the area, %.1f vs %.1f at 5 %%).", b->name[i], a1, p1, a5, p5);
    } else if (a1 >= p1 || a5 >= p5) {
        snprintf(buf, n, "%s forecasts better than the prior counts at %s of the area but "
                 "worse at %s (PAI %.1f vs %.1f at 1 %%, %.1f vs %.1f at 5 %%).", b->name[i],
                 a1 >= p1 ? "1 %" : "5 %", a1 >= p1 ? "5 %" : "1 %", a1, p1, a5, p5);
    } else {
        snprintf(buf, n, "%s forecasts worse than simply counting where events happened "
                 "before (PAI %.1f vs %.1f at 1 %% of the area, %.1f vs %.1f at 5 %%): to "
                 "choose patrol areas the prior counts do better; read this map for where "
                 "risk comes from, not where the next events will be.", b->name[i], a1, p1,
                 a5, p5);
    }
    return buf;
}

static void num(FILE *o, double v)
{
    if (isfinite(v))
        fprintf(o, " %.2f |", v);
    else
        fputs(" n/a |", o);
}

void rtm_bt_summary_md(FILE *o, const rtm_bt_summary *b)
{
    char m1[16], m2[16], v[512];
    fputs("## Does the map forecast?\n\n", o);
    if (!b->done) {
        fprintf(o, "Not back-tested: %s.\n\n", b->why); /* each reason explains itself */
        return;
    }
    fprintf(o, "Rolling back-test over %d step%s (test months %s to %s): each step re-makes "
            "the map from the months before the test month only, and scores it on that "
            "month. PAI = share of the test events in the flagged area / share of the area "
            "flagged (Chainey, Tompson & Uhlig 2008), mean over the steps.\n\n"
            "| Map | PAI at 1 %% | PAI at 5 %% | PAI at 20 %% |\n|---|---:|---:|---:|\n",
            b->nsteps, b->nsteps == 1 ? "" : "s", month_str(b->first_test, m1),
            month_str(b->last_test, m2));
    for (int i = 0; i < b->nsurf; i++) {
        fprintf(o, "| %s |", b->name[i]);
        for (int k = 0; k < 3; k++)
            num(o, b->pai[i][k]);
        fputc('\n', o);
    }
    fputc('\n', o);
    for (int i = 0; i + 1 < b->nsurf; i++)
        fprintf(o, "%s\n\n", rtm_bt_verdict(b, i, v, sizeof v));
}

void rtm_bt_summary_json(rtm_json *w, const rtm_bt_summary *b)
{
    static const char *const keys[3] = {"pai_1pct", "pai_5pct", "pai_20pct"};
    rtm_json_key(w, "backtest");
    rtm_json_begin_object(w);
    rtm_json_kv_bool(w, "done", b->done);
    if (!b->done) {
        rtm_json_kv_string(w, "why", b->why);
        rtm_json_end_object(w);
        return;
    }
    rtm_json_kv_int(w, "steps", b->nsteps);
    rtm_json_kv_int(w, "first_test_month", b->first_test);
    rtm_json_kv_int(w, "last_test_month", b->last_test);
    rtm_json_key(w, "maps");
    rtm_json_begin_array(w);
    for (int i = 0; i < b->nsurf; i++) {
        rtm_json_begin_object(w);
        rtm_json_kv_string(w, "name", b->name[i]);
        for (int k = 0; k < 3; k++) {
            rtm_json_key(w, keys[k]);
            if (isfinite(b->pai[i][k]))
                rtm_json_double(w, b->pai[i][k]);
            else
                rtm_json_null(w);
        }
        rtm_json_end_object(w);
    }
    rtm_json_end_array(w);
    rtm_json_end_object(w);
}
