/* run_report.c: the briefing report (report.html) of a run: summary, maps,
 * the RRV table, risk tiers, priority places, top locations, per-area
 * counts, data counts, parameters and attribution. Every text that comes
 * from data or the job goes through rtm_html, which escapes it. Nothing
 * time-dependent (timings, run id) goes in: the report is the same bytes for
 * the same inputs and run date. */
#include "run/run_internal.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtm/evaluate.h"
#include "rtm/knox.h"
#include "output/html.h"
#include "output/bt_report.h"

#define TOP_LOCATIONS 10
#define TOP_PLACES 10

static int image(rtm_jr *r, rtm_html *h, const char *name, const char *alt,
                 const char *caption, rtm_error *err)
{
    char *p = rtm_run_path(r->rf, name);
    int rc;
    if (!p)
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    rc = rtm_html_image_png(h, p, alt, caption, err);
    free(p);
    return rc;
}

static void summary(rtm_jr *r, rtm_html *h)
{
    rtm_lorenz *l = NULL;
    char buf[600], a[16], b[16];
    rtm_error e;
    if (r->from != INT_MIN)
        snprintf(buf, sizeof buf, "%zu offences from %s to %s were mapped on %zu cells of %g m.",
                 r->st.used, rtm_jr_month_str(r->from, a, sizeof a),
                 rtm_jr_month_str(r->to, b, sizeof b), r->inside, r->grid.res);
    else
        snprintf(buf, sizeof buf, "%zu offences were mapped on %zu cells of %g m.", r->st.used,
                 r->inside, r->grid.res);
    rtm_html_para(h, buf);
    if (rtm_lorenz_create(r->raw_counts, r->mask, r->ncells, &l, &e) == 0 &&
        l->total_events > 0) {
        snprintf(buf, sizeof buf, "%.0f %% of the offences happened in %.1f %% of the study "
                 "area; the busiest 5 %% of the area had %.0f %% of them.", 50.0,
                 100 * rtm_lorenz_area_for(l, 0.5), 100 * rtm_lorenz_top_share(l, 0.05));
        rtm_html_para(h, buf);
    }
    rtm_lorenz_free(l);
    if (r->nsrc_no_times > 0 && r->job->offences.nhours > 0)
        rtm_html_note(h, "The job asks for hour-of-week windows, but some offence data has no "
                         "time of day (police.uk publishes months only): for those sources "
                         "every offence of the months was used.");
    else if (r->nsrc_no_times > 0)
        rtm_html_note(h, "The offence data has no time of day (police.uk publishes the month "
                         "only), so offences of all hours are included: no night-time or "
                         "hour-of-week filter could be applied.");
}

static int maps(rtm_jr *r, rtm_html *h, rtm_error *err)
{
    char cap[300];
    int rc = 0;
    rtm_html_section_begin(h, "Maps", "maps");
    for (int i = 0; i < r->job->nsurfaces && !rc; i++) {
        const rtm_jr_surf *s = &r->surf[i];
        if (!s->map[0])
            continue;
        snprintf(cap, sizeof cap, "%s (%s): %s", s->js->name,
                 rtm_surface_type_name(s->js->type), s->units);
        rc = image(r, h, s->map, s->js->name, cap, err);
    }
    rtm_html_section_end(h);
    return rc;
}

/* When offences have a day and a time: the day x hour heat table (the
 * temporal heat map of RTM's intervention-planning template), drawn into a
 * scratch file in the staging folder, embedded, and removed. */
static int dayhour(rtm_jr *r, rtm_html *h, rtm_error *err)
{
    static const char *const DAYS[7] = {"Monday", "Tuesday", "Wednesday", "Thursday",
                                        "Friday", "Saturday", "Sunday"};
    static const char *const HOURS[24] = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
                                          "10", "11", "12", "13", "14", "15", "16", "17",
                                          "18", "19", "20", "21", "22", "23"};
    double t[168];
    char cells[168][16], sub[160];
    const char *text[168];
    size_t used = 0, untimed = 0;
    rtm_dayhour_table(&r->ev.pts, 0, t, &used, &untimed);
    if (used == 0)
        return 0;
    for (int k = 0; k < 168; k++)
        snprintf(cells[k], sizeof cells[k], "%.0f", t[k]), text[k] = cells[k];
    snprintf(sub, sizeof sub, "%zu offences with a day and a time of day%s", used,
             untimed ? " (the others are left out)" : "");
    rtm_heat_table ht = {"Offences by day of week and hour", sub, "Hour h holds times h:00 "
                         "to h:59.", "day", "hour of day", DAYS, HOURS, 7, 24, t, text, NULL};
    char *p = rtm_run_path(r->rf, ".dayhour-scratch.png");
    int rc;
    if (!p)
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    rtm_html_section_begin(h, "When", "dayhour");
    if (!(rc = rtm_heat_table_png_write(p, &ht, err)))
        rc = rtm_html_image_png(h, p, "offences by day of week and hour", NULL, err);
    remove(p);
    free(p);
    rtm_html_section_end(h);
    return rc;
}

/* One row of the "which map forecasts" table. */
static void bt_row(rtm_html *h, const char *name, const char *type, const double *pai,
                   const char *reading)
{
    char b[3][32];
    const char *row[6] = {name, type, NULL, NULL, NULL, reading};
    for (int k = 0; k < 3; k++)
        row[2 + k] = rtm_jr_num(pai[k], 2, b[k], sizeof b[k]);
    rtm_html_table_row(h, row);
}

/* Each map's back-tested PAI beside the prior counts (run_backtest.c): which
 * map forecasts and which explains. */
static int forecasts(rtm_jr *r, rtm_html *h, rtm_error *err)
{
    static const char *const hdr[] = {"map", "type", "PAI at 1 %", "PAI at 5 %",
                                      "PAI at 20 %", "reading"};
    rtm_bt_summary b;
    int idx[RTM_BT_SUMMARY_MAX], rc;
    char v[512], m1[16], m2[16], buf[700];
    if ((rc = rtm_jr_backtest(r, &b, idx, err)))
        return rc;
    snprintf(m1, sizeof m1, "%04d-%02d", b.first_test / 100, b.first_test % 100);
    snprintf(m2, sizeof m2, "%04d-%02d", b.last_test / 100, b.last_test % 100);
    rtm_html_section_begin(h, "Which map forecasts?", "forecasts");
    if (!b.done) {
        snprintf(buf, sizeof buf, "The maps were not back-tested: %s.", b.why);
        rtm_html_note(h, buf);
        rtm_html_section_end(h);
        return 0;
    }
    snprintf(buf, sizeof buf, "Each map was re-made month by month from the earlier months "
             "only and scored on the next month (%d steps, test months %s to %s). PAI = share "
             "of next month's offences in the flagged area / share of the area flagged; the "
             "prior counts (offences per cell so far) are the baseline a map must beat to "
             "forecast. A map below them explains where risk comes from but should not "
             "choose patrol areas. Distance maps are ranked nearest first.", b.nsteps,
             m1, m2);
    rtm_html_para(h, buf);
    rtm_html_table_begin(h, "Back-tested PAI (mean over the steps)", 6, hdr);
    for (int k = 0; k + 1 < b.nsurf; k++)
        bt_row(h, b.name[k], rtm_surface_type_name(r->surf[idx[k]].js->type), b.pai[k],
               rtm_bt_verdict(&b, k, v, sizeof v));
    for (int i = 0; i < r->job->nsurfaces; i++) {
        const rtm_jr_surf *s = &r->surf[i];
        if (s->js->type == RTM_SURF_MODEL && s->msum)
            bt_row(h, s->js->name, "rtm", s->bt.pai[0], rtm_bt_verdict(&s->bt, 0, v, sizeof v));
        if (s->js->type == RTM_SURF_FORECAST && s->bt.done) {
            char w[700]; /* its own rolling-origin back-test (forecast.json) */
            snprintf(w, sizeof w, "Its own back-test over %d origins (%04d-%02d to %04d-%02d), "
                     "re-fitted on the earlier months: %s", s->bt.nsteps,
                     s->bt.first_test / 100, s->bt.first_test % 100, s->bt.last_test / 100,
                     s->bt.last_test % 100, rtm_bt_verdict(&s->bt, 0, v, sizeof v));
            bt_row(h, s->js->name, "forecast", s->bt.pai[0], w);
        }
    }
    bt_row(h, "prior counts", "baseline", b.pai[b.nsurf - 1], "");
    rtm_html_table_end(h);
    rtm_html_note(h, "Overlays and hot spots are made from all the months at once and are not "
                     "back-tested here.");
    rtm_html_section_end(h);
    return 0;
}

static void rrv_table(const rtm_jr_msum *m, rtm_html *h)
{
    static const char *const hdr[] = {"variable", "coefficient", "RRV", "p"};
    char c[32], v[32], p[32];
    rtm_html_table_begin(h, "Relative risk values of the final model", 4, hdr);
    for (int j = 0; j < m->k; j++) {
        const char *row[4];
        row[0] = m->name[j];
        row[1] = rtm_jr_num(m->beta[j], 4, c, sizeof c);
        row[2] = rtm_jr_num(exp(m->beta[j]), 3, v, sizeof v);
        row[3] = m->p[j] < 1e-4 ? "< 0.0001" : rtm_jr_num(m->p[j], 4, p, sizeof p);
        rtm_html_table_row(h, row);
    }
    rtm_html_table_end(h);
}

static void tier_table(const rtm_jr_msum *m, rtm_html *h)
{
    static const char *const hdr[] = {"tier", "cells", "area share %", "offences (weighted)",
                                      "offence share %", "rate ratio"};
    static const char *const name[RTM_NTIERS] = {"below average", "above average",
                                                 "moderately high", "highest"};
    char b[5][32];
    rtm_html_table_begin(h, "Risk tiers", 6, hdr);
    for (int t = RTM_NTIERS - 1; t >= 0; t--) {
        const rtm_tier_stats *s = &m->tiers[t];
        const char *row[6];
        row[0] = name[t];
        snprintf(b[0], sizeof b[0], "%zu", s->cells);
        row[1] = b[0];
        row[2] = rtm_jr_num(100 * s->area_share, 1, b[1], sizeof b[1]);
        row[3] = rtm_jr_num(s->events, 0, b[2], sizeof b[2]);
        row[4] = rtm_jr_num(100 * s->event_share, 1, b[3], sizeof b[3]);
        row[5] = rtm_jr_num(s->rate_ratio, 2, b[4], sizeof b[4]);
        rtm_html_table_row(h, row);
    }
    rtm_html_table_end(h);
}

static void places_table(const rtm_jr_surf *s, rtm_html *h)
{
    static const char *const hdr[] = {"rank", "cells", "area ha", "max RRS",
                                      "offences (weighted)", "easting", "northing"};
    char b[7][32];
    rtm_html_table_begin(h, "Top priority places (highest tier, 8-connected)", 7, hdr);
    for (int i = 0; i < s->nplaces && i < TOP_PLACES; i++) {
        const rtm_place *p = &s->places[i];
        const char *row[7];
        snprintf(b[0], sizeof b[0], "%d", p->rank);
        snprintf(b[1], sizeof b[1], "%zu", p->cells);
        row[0] = b[0];
        row[1] = b[1];
        row[2] = rtm_jr_num(p->area / 1e4, 2, b[2], sizeof b[2]);
        row[3] = rtm_jr_num(p->max_score, 3, b[3], sizeof b[3]);
        row[4] = rtm_jr_num(p->events, 1, b[4], sizeof b[4]);
        row[5] = rtm_jr_num(p->cx, 0, b[5], sizeof b[5]);
        row[6] = rtm_jr_num(p->cy, 0, b[6], sizeof b[6]);
        rtm_html_table_row(h, row);
    }
    rtm_html_table_end(h);
}

static int models(rtm_jr *r, rtm_html *h, rtm_error *err)
{
    char fn[512];
    int rc = 0;
    for (int i = 0; i < r->job->nsurfaces && !rc; i++) {
        const rtm_jr_surf *s = &r->surf[i];
        if (!s->msum)
            continue;
        rtm_html_section_begin(h, s->js->name, s->js->name);
        rrv_table(s->msum, h);
        tier_table(s->msum, h);
        places_table(s, h);
        snprintf(fn, sizeof fn, "%s/tiers.png", s->js->name);
        rc = image(r, h, fn, "risk tiers", "Risk tiers of the model", err);
        rtm_html_section_end(h);
    }
    return rc;
}

static void locations(rtm_jr *r, rtm_html *h)
{
    static const char *const hdr[] = {"location", "offences"};
    char b[32];
    if (r->nlocs == 0)
        return;
    rtm_html_section_begin(h, "Top locations", "locations");
    rtm_html_table_begin(h, "Most frequent location labels (offences passing the type, date "
                            "and time filters)", 2, hdr);
    for (int i = 0; i < r->nlocs && i < TOP_LOCATIONS; i++) {
        const char *row[2] = {r->locs[i].name, rtm_jr_num(r->locs[i].n, 0, b, sizeof b)};
        rtm_html_table_row(h, row);
    }
    rtm_html_table_end(h);
    rtm_html_note(h, "Location labels as published (police.uk anonymises locations to a "
                     "nearby point such as \"On or near ...\").");
    rtm_html_section_end(h);
}

static int areas(rtm_jr *r, rtm_html *h, rtm_error *err)
{
    static const char *const hdr[] = {"set", "area", "cells", "offences",
                                      "share in busiest 5 % of cells"};
    char b[3][32];
    int rc = 0;
    if (r->narows == 0)
        return 0;
    rtm_html_section_begin(h, "Areas", "areas");
    rtm_html_table_begin(h, "Offences per area (weighted)", 5, hdr);
    for (int i = 0; i < r->narows; i++) {
        const rtm_jr_area *a = &r->arows[i];
        const char *row[5];
        if (a->cells == 0)
            continue;  /* a polygon of the set outside the study area */
        snprintf(b[0], sizeof b[0], "%zu", a->cells);
        row[0] = a->set;
        row[1] = a->name;
        row[2] = b[0];
        row[3] = rtm_jr_num(a->events, 1, b[1], sizeof b[1]);
        row[4] = rtm_jr_num(100 * a->top_share, 0, b[2], sizeof b[2]);
        rtm_html_table_row(h, row);
    }
    rtm_html_table_end(h);
    for (int i = 0; i < r->narows && !rc; i++)
        if (r->arows[i].png)
            rc = image(r, h, r->arows[i].png, r->arows[i].name, r->arows[i].name, err);
    rtm_html_section_end(h);
    return rc;
}

static void data_counts(rtm_jr *r, rtm_html *h)
{
    char b[64];
    rtm_html_section_begin(h, "Data", "data");
    rtm_html_kv_begin(h, "Offences");
    for (int i = 0; i < r->job->offences.nsources; i++)
        for (int f = 0; f < r->job->offences.sources[i].nfiles; f++) {
            const char *p = r->job->offences.sources[i].files[f], *s = strrchr(p, '/');
            rtm_html_kv(h, "source file", s ? s + 1 : p);
        }
    rtm_html_kv_num(h, "rows read", (double)r->st.read, 0);
    rtm_html_kv_num(h, "excluded by crime type / filter", (double)r->st.filtered_where, 0);
    rtm_html_kv_num(h, "excluded by date or time window", (double)r->st.filtered_month, 0);
    for (int k = 0; k < RTM_SKIP_NREASONS; k++)
        if (r->st.skipped[k]) {
            snprintf(b, sizeof b, "unusable: %s", rtm_skip_reason_name(k));
            rtm_html_kv_num(h, b, (double)r->st.skipped[k], 0);
        }
    rtm_html_kv_num(h, "used", (double)r->st.used, 0);
    rtm_html_kv_num(h, "weight used (harm)", r->st.weight_used, 1);
    rtm_html_kv_end(h);
    rtm_html_section_end(h);
}

static void parameters(rtm_jr *r, rtm_html *h)
{
    const rtm_job *job = r->job;
    char b[64], a[16], c[16];
    rtm_html_section_begin(h, "Parameters", "parameters");
    rtm_html_kv_begin(h, NULL);
    rtm_html_kv(h, "job", job->name);
    rtm_html_kv(h, "run date", r->run_date);
    rtm_html_kv(h, "CRS", job->crs);
    rtm_html_kv_num(h, "cell size", job->cell_size, 1);
    if (r->from != INT_MIN) {
        snprintf(b, sizeof b, "%s to %s", rtm_jr_month_str(r->from, a, sizeof a),
                 rtm_jr_month_str(r->to, c, sizeof c));
        rtm_html_kv(h, "months", b);
    }
    for (int i = 0; i < job->offences.ntypes; i++)
        rtm_html_kv(h, "crime type", job->offences.types[i]);
    for (int i = 0; job->offences.has_harm && i < job->offences.harm.n; i++) {
        char k[300];
        snprintf(k, sizeof k, "harm weight: %s", job->offences.harm.category[i]);
        snprintf(b, sizeof b, "%g", job->offences.harm.weight[i]);
        rtm_html_kv(h, k, b);
    }
    if (job->offences.has_harm) {
        snprintf(b, sizeof b, "%g", job->offences.harm.default_weight);
        rtm_html_kv(h, "harm weight: other categories", b);
    }
    for (int i = 0; i < job->offences.nhours; i++) {
        const rtm_job_hours *w = &job->offences.hours[i];
        snprintf(b, sizeof b, "days mask %02x, %02d:%02d to %02d:%02d", w->days_mask,
                 w->start_min / 60, w->start_min % 60, w->end_min / 60, w->end_min % 60);
        rtm_html_kv(h, "hour window", b);
    }
    for (int i = 0; i < job->nsurfaces; i++) {
        const rtm_job_surface *s = &job->surfaces[i];
        if (s->type == RTM_SURF_KDE && (s->radius_rule || s->sigma > 0 || s->edge || s->adaptive))
            snprintf(b, sizeof b, "kde, %s kernel, %s %g%s%s%s%s",
                     rtm_vocab_name("kernel", s->kernel), s->sigma > 0 ? "sigma" : "radius",
                     s->sigma > 0 ? s->sigma : s->radius, s->radius_rule == RTM_RADIUS_CV
                     ? " (auto-cv)" : "", s->edge ? ", edge " : "",
                     s->edge ? rtm_vocab_name("edge", s->edge) : "",
                     s->adaptive ? ", adaptive" : "");
        else if (s->type == RTM_SURF_KDE)
            snprintf(b, sizeof b, "kde, %s kernel, radius %g", rtm_vocab_name("kernel", s->kernel),
                     s->radius);
        else if (s->type == RTM_SURF_MODEL)
            snprintf(b, sizeof b, "rtm, %d factors, block %g, seed %llu", s->nfactors, s->block,
                     s->seed);
        else if (s->type == RTM_SURF_OVERLAY)
            snprintf(b, sizeof b, "overlay of %d, %s", s->ninputs,
                     rtm_vocab_name("normalise", s->normalise));
        else if (s->type == RTM_SURF_EVALUATE)
            snprintf(b, sizeof b, "evaluate, %d surfaces%s", s->ninputs,
                     s->backtest ? ", rolling back-test" : "");
        else if (s->type == RTM_SURF_CHANGE)
            snprintf(b, sizeof b, "change, %s kernel, radius %g, %d permutations",
                     rtm_vocab_name("kernel", s->kernel), s->radius, s->iterations);
        else if (s->type == RTM_SURF_FORECAST)
            snprintf(b, sizeof b, "forecast, %d month%s ahead, seed %llu", s->horizon,
                     s->horizon == 1 ? "" : "s", s->seed);
        else if (s->type == RTM_SURF_DOSAGE)
            snprintf(b, sizeof b, "dosage, patrol minutes per place and day (%s/dosage.csv)",
                     s->name);
        else if (s->type == RTM_SURF_PLACES)
            snprintf(b, sizeof b, "places, %d of %g m (%s)", s->count, s->size,
                     rtm_vocab_name("shape", s->shape));
        else if (s->type == RTM_SURF_EMERGING)
            snprintf(b, sizeof b, "emerging hot spots, %s steps, %s", rtm_vocab_name("step",
                     s->time_step), rtm_vocab_name("scheme", s->scheme));
        else if (s->type == RTM_SURF_TRIAL)
            snprintf(b, sizeof b, "trial evaluation, %d re-draws", s->permutations);
        else if (s->type == RTM_SURF_KNOX)
            snprintf(b, sizeof b, "knox, near repeats, %d permutations, seed %llu",
                     s->iterations, s->seed);
        else if (s->type == RTM_SURF_REPEATS)
            snprintf(b, sizeof b, "repeats, locations ranked by events");
        else if (s->type == RTM_SURF_HOTSPOTS)
            snprintf(b, sizeof b, "hotspots, Gi*, %s%s", s->knn > 0 ? "k nearest cells"
                     : "distance band", s->fdr ? ", FDR corrected" : "");
        else
            snprintf(b, sizeof b, "distance");
        rtm_html_kv(h, s->name, b);
    }
    rtm_html_kv_end(h);
    rtm_html_section_end(h);
}

/* Attribution: the offence data's licence and every catalogue layer used. */
static void attribution(rtm_jr *r, rtm_html *h)
{
    const rtm_job *job = r->job;
    rtm_html_section_begin(h, "Attribution", "attribution");
    rtm_html_note(h, "Offences: police.uk street-level crime data. Contains public sector "
                     "information licensed under the Open Government Licence v3.0.");
    for (int i = 0; job->catalog && i < job->catalog->n; i++) {
        const rtm_catalog_layer *l = &job->catalog->layers[i];
        int used = 0;
        char buf[1200];
        for (int s = 0; s < job->nsurfaces && !used; s++) {
            const rtm_job_surface *js = &job->surfaces[s];
            used = js->layer == l;
            for (int f = 0; f < js->nfactors && !used; f++)
                used = js->factors[f].layer == l;
        }
        if (!used || !l->attribution)
            continue;
        snprintf(buf, sizeof buf, "%s: %s", l->title ? l->title : l->name, l->attribution);
        rtm_html_note(h, buf);
    }
    rtm_html_section_end(h);
}

int rtm_jr_report(rtm_jr *r, rtm_error *err)
{
    char sub[200], *p;
    rtm_html *h;
    int rc;
    snprintf(sub, sizeof sub, "Run date %s", r->run_date);
    if (!(h = rtm_html_new(r->job->title ? r->job->title : r->job->name, sub)))
        return rtm_error_set(err, RTM_ERR_NOMEM, "run: out of memory");
    summary(r, h);
    if (!(rc = maps(r, h, err)) && !(rc = dayhour(r, h, err)) && !(rc = forecasts(r, h, err)) &&
        !(rc = models(r, h, err))) {
        locations(r, h);
        rc = areas(r, h, err);
    }
    if (!rc) {
        data_counts(r, h);
        parameters(r, h);
        attribution(r, h);
        if (!(p = rtm_jr_output(r, "report.html", err)))
            rc = err->code;
        else
            rc = rtm_html_write(h, p, err);
        free(p);
    }
    rtm_html_free(h);
    return rc;
}
