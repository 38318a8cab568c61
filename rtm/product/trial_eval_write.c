/* trial_eval_write.c: the files of a trial evaluation - effects.csv,
 * place_days.csv, and trial.md and trial.html in plain words for a
 * superintendent ("On patrol days, violence at the 20 places was 23 %
 * lower ..."). */
#include "product/product_priv.h"
#include "product/trial_eval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/html.h"

static const char *const OUTCOME_KEY[3] = {"events", "harm", "ring_events"};

static int oom(rtm_error *err)
{
    return rtm_error_set(err, RTM_ERR_NOMEM, "trial: out of memory");
}

/* Outcomes reported: harm only when the events carry weights. */
static int reported(const trial_eval *t, int o)
{
    return o != 1 || t->ev->weighted;
}

/* "23 % lower" / "12 % higher" / "no different". */
static void change(double rr, char *b, size_t n)
{
    double pc = fabs(1 - rr) * 100;
    if (!isfinite(rr))
        snprintf(b, n, "not estimable");
    else if (pc < 0.5)
        snprintf(b, n, "no different");
    else
        snprintf(b, n, "%.0f %% %s", pc, rr < 1 ? "lower" : "higher");
}

static void ci_text(double lo, double hi, char *b, size_t n)
{
    if (!isfinite(lo) || !isfinite(hi))
        snprintf(b, n, "no confidence interval");
    else if (hi < 1)
        snprintf(b, n, "95 %% CI %.0f %% to %.0f %% lower", (1 - hi) * 100, (1 - lo) * 100);
    else if (lo > 1)
        snprintf(b, n, "95 %% CI %.0f %% to %.0f %% higher", (lo - 1) * 100, (hi - 1) * 100);
    else
        snprintf(b, n, "95 %% CI from %.0f %% lower to %.0f %% higher", (1 - lo) * 100,
                 (hi - 1) * 100);
}

static void p_text(double p, int nperm, char *b, size_t n)
{
    if (isnan(p))
        snprintf(b, n, "no p-value");
    else if (p <= 1.0 / (nperm + 1) * (1 + 1e-9))
        snprintf(b, n, "p = %.4g, the smallest %d re-draws of the randomisation can show", p,
                 nperm);
    else if (p < 0.001)
        snprintf(b, n, "p < 0.001");
    else
        snprintf(b, n, "p = %.3f", p);
}

/* The plain-words sentence of outcome o. */
static void sentence(const trial_eval *t, int o, char *b, size_t n)
{
    const trial_effect *e = &t->eff[o];
    char ch[64], ci[96], p[96], what[160];
    if (o == 0)
        snprintf(what, sizeof what, "%s at the %d places", t->p->outcome, t->s.nplaces);
    else if (o == 1)
        snprintf(what, sizeof what, "harm%s%s%s at the %d places",
                 strcmp(t->p->harm_unit, "harm") ? " (" : "",
                 strcmp(t->p->harm_unit, "harm") ? t->p->harm_unit : "",
                 strcmp(t->p->harm_unit, "harm") ? ")" : "", t->s.nplaces);
    else
        snprintf(what, sizeof what, "%s in the ring %g-%g m around the places", t->p->outcome,
                 t->p->ring_inner, t->p->ring_outer);
    if (!e->pois.estimable) {
        snprintf(b, n, "The effect on %s cannot be estimated: %s.", what,
                 e->pois.y_treat + e->pois.y_control == 0 ? "there was none"
                                                           : "one arm had none");
        return;
    }
    change(e->rr, ch, sizeof ch);
    ci_text(e->lo, e->hi, ci, sizeof ci);
    p_text(e->p_perm, t->p->nperm, p, sizeof p);
    snprintf(b, n, "On patrol days, %s %s %s (%s), %s.", what, o == 1 ? "was" : "were", ch, ci,
             p);
}

static const char *ring_meaning(const trial_effect *e)
{
    if (!e->pois.estimable)
        return "";
    if (e->hi < 1)
        return " Crime also fell around the places: a diffusion of benefits, not displacement.";
    if (e->lo > 1)
        return " Crime rose around the places on patrol days: a sign of displacement.";
    return " No clear change around the places: neither displacement nor a diffusion of "
           "benefits is shown.";
}

static void effects_row(FILE *f, const trial_eval *t, int o)
{
    const trial_effect *e = &t->eff[o];
    fprintf(f, "%s,", OUTCOME_KEY[o]);
    trial_csv_str(f, e->method);
    trial_csv_num(f, e->pois.estimable ? e->rr : e->pois.rr);
    trial_csv_num(f, e->pois.estimable ? e->lo : NAN);
    trial_csv_num(f, e->pois.estimable ? e->hi : NAN);
    trial_csv_num(f, e->pois.estimable ? e->p_wald : NAN);
    trial_csv_num(f, e->p_perm);
    fprintf(f, ",%d", t->p->nperm);
    trial_csv_num(f, e->pois.y_treat);
    trial_csv_num(f, e->pois.y_control);
    trial_csv_num(f, e->pois.t_treat);
    trial_csv_num(f, e->pois.t_control);
    trial_csv_num(f, e->pois.y_treat / e->pois.t_treat);
    trial_csv_num(f, e->pois.y_control / e->pois.t_control);
    trial_csv_num(f, e->pois.rr);
    trial_csv_num(f, e->pois.se_model);
    trial_csv_num(f, e->pois.se_robust);
    trial_csv_num(f, e->nb.estimable ? e->nb.rr : NAN);
    trial_csv_num(f, e->nb.estimable ? e->nb.se_model : NAN);
    trial_csv_num(f, e->nb.estimable ? e->theta : NAN);
    trial_csv_num(f, e->lr_p);
    fputc('\n', f);
}

static int write_effects(const trial_eval *t, rtm_outset *out, rtm_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return oom(err);
    fputs("outcome,method,rate_ratio,ci_low,ci_high,p_wald,p_permutation,permutations,"
          "treatment_total,control_total,treatment_place_days,control_place_days,"
          "treatment_rate,control_rate,poisson_rr,poisson_se,robust_se,nb2_rr,nb2_se,"
          "nb2_theta,overdispersion_p\n", f);
    for (int o = 0; o < 3; o++)
        if (reported(t, o))
            effects_row(f, t, o);
    fclose(f);
    return trial_write_text(out, t->p->dir, "effects.csv", buf, len, err);
}

static int write_place_days(const trial_eval *t, rtm_outset *out, rtm_error *err)
{
    char *buf = NULL, date[11];
    size_t len = 0, cells = (size_t)t->s.nplaces * t->s.ndays;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return oom(err);
    fputs("date,place,arm,events,harm,ring_events,minutes,visits\n", f);
    for (int d = 0; d < t->s.ndays; d++) {
        rtm_trial_date(t->s.start + d, date);
        for (int i = 0; i < t->s.nplaces; i++) {
            size_t c = (size_t)i * t->s.ndays + d;
            if (t->s.arm[c] < 0)
                continue;
            fprintf(f, "%s,", date);
            trial_csv_str(f, t->pl->p[i].id);
            fprintf(f, ",%s", t->s.arm[c] ? "treatment" : "control");
            trial_csv_num(f, t->y[c]);
            trial_csv_num(f, t->y[cells + c]);
            trial_csv_num(f, t->y[2 * cells + c]);
            trial_csv_num(f, t->has_dosage ? t->dose.minutes[c] : NAN);
            trial_csv_num(f, t->has_dosage ? t->dose.visits[c] : NAN);
            fputc('\n', f);
        }
    }
    fclose(f);
    return trial_write_text(out, t->p->dir, "place_days.csv", buf, len, err);
}

/* The compliance paragraph. */
static void compliance_text(const trial_eval *t, char *b, size_t n)
{
    if (!t->has_dosage) {
        snprintf(b, n, "No patrol dosage was given, so whether the patrols happened is not "
                 "measured: the effect is that of the schedule as assigned (intention to "
                 "treat).");
        return;
    }
    snprintf(b, n, "%.0f %% of the %.0f patrol place-days had at least %g minutes of police "
             "presence (the target). Patrol place-days had %.1f minutes and %.2f visits on "
             "average; control place-days had %.1f minutes (background presence, the "
             "contamination of the control days), and %.0f %% of them reached %g minutes.",
             t->at_target[1] * 100, t->eff[0].pois.t_treat, t->p->target_minutes,
             t->minutes[1], t->visits[1], t->minutes[0], t->at_target[0] * 100,
             t->p->target_minutes);
}

static void method_text(const trial_eval *t, char *b, size_t n)
{
    char d0[11], d1[11];
    rtm_trial_date(t->s.start, d0);
    rtm_trial_date(t->s.start + t->s.ndays - 1, d1);
    snprintf(b, n, "Design read from the schedule: %s; %.0f treatment and %.0f control "
             "place-days from %s to %s. Each rate ratio compares %s on patrol and on control "
             "days (a Poisson model with a fixed effect per %s, fitted by its conditional "
             "likelihood; a negative binomial variant when the counts are overdispersed, and "
             "place-clustered robust errors for harm%s). The p-value re-draws the "
             "randomisation %d times by the design's own rule (seed %llu) and counts how "
             "often chance alone gives an effect at least as large: p = (b + 1)/(%d + 1). "
             "The ring is the band %g-%g m beyond each place's edge, outside every place.",
             trial_rule_text(t->rule), t->eff[0].pois.t_treat, t->eff[0].pois.t_control, d0,
             d1, t->rule == RTM_TRIAL_FIXED ? "similar places (blocks)" : "the same places",
             t->rule == RTM_TRIAL_FIXED ? "block" : "place",
             t->rule == RTM_TRIAL_FIXED ? "; for this fixed design the 95 % CI holds the rate "
                                          "ratios the permutation test does not reject" : "",
             t->p->nperm,
             (unsigned long long)t->p->seed, t->p->nperm, t->p->ring_inner, t->p->ring_outer);
}

static const char CAVEAT[] =
    "A same-day comparison: if patrols deter for a few days after they stop (Southend saw "
    "effects last about three days after three patrol days in a row), control days gain "
    "from earlier patrol days and the effect shown is smaller than the true one. Counts are "
    "of recorded events, which patrols can also raise by finding offences.";

static int write_md(const trial_eval *t, rtm_outset *out, rtm_error *err)
{
    char *buf = NULL, s[640], m[1400];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return oom(err);
    fputs("# Hot-spot patrol trial: results\n\n", f);
    for (int o = 0; o < 3; o++)
        if (reported(t, o)) {
            sentence(t, o, s, sizeof s);
            fprintf(f, o == 0 ? "**%s**%s\n\n" : "%s%s\n\n", s,
                    o == 2 ? ring_meaning(&t->eff[2]) : "");
        }
    compliance_text(t, m, sizeof m);
    fprintf(f, "## Did the patrols happen?\n\n%s\n\n## The numbers\n\n| outcome | patrol "
            "days | control days | per patrol place-day | per control place-day | rate ratio "
            "| 95 %% CI | p (permutation) | model |\n|---|---:|---:|---:|---:|---:|---|---:|---|\n",
            m);
    for (int o = 0; o < 3; o++)
        if (reported(t, o)) {
            const trial_effect *e = &t->eff[o];
            fprintf(f, "| %s | %.6g | %.6g | %.4f | %.4f | %.3f | %.3f-%.3f | %.4f | %s |\n",
                    OUTCOME_KEY[o], e->pois.y_treat, e->pois.y_control,
                    e->pois.y_treat / e->pois.t_treat, e->pois.y_control / e->pois.t_control,
                    e->rr, e->lo, e->hi, e->p_perm, e->method);
        }
    method_text(t, m, sizeof m);
    fprintf(f, "\n## How this was worked out\n\n%s\n\nEvents: %zu inside the places and %zu "
            "in the rings on scheduled place-days; %zu outside the trial's dates, %zu on "
            "unscheduled place-days, %zu without a day-level date (not used).\n\n%s\n\n"
            "rtm %s. Files: effects.csv (every estimate), place_days.csv (the counts per "
            "place and day).\n", m, t->in_places, t->in_rings, t->outside_dates,
            t->unscheduled, t->no_day, CAVEAT, RTM_VERSION);
    fclose(f);
    return trial_write_text(out, t->p->dir, "trial.md", buf, len, err);
}

static void html_numbers(rtm_html *h, const trial_eval *t)
{
    static const char *const hdr[] = {"outcome", "patrol days", "control days", "rate ratio",
                                      "95 % CI", "p (permutation)", "model"};
    rtm_html_table_begin(h, "Totals over the scheduled place-days", 7, hdr);
    for (int o = 0; o < 3; o++)
        if (reported(t, o)) {
            const trial_effect *e = &t->eff[o];
            char c[5][64];
            snprintf(c[0], 64, "%.6g", e->pois.y_treat);
            snprintf(c[1], 64, "%.6g", e->pois.y_control);
            snprintf(c[2], 64, "%.3f", e->rr);
            snprintf(c[3], 64, "%.3f-%.3f", e->lo, e->hi);
            snprintf(c[4], 64, "%.4f", e->p_perm);
            const char *row[] = {OUTCOME_KEY[o], c[0], c[1], c[2], c[3], c[4], e->method};
            rtm_html_table_row(h, row);
        }
    rtm_html_table_end(h);
}

static int write_html(const trial_eval *t, rtm_outset *out, rtm_error *err)
{
    char s[640], m[1400], *fn = rtm_prod_join(t->p->dir, "trial.html");
    const char *path = fn ? rtm_outset_file(out, fn, err) : NULL;
    rtm_html *h = path ? rtm_html_new("Hot-spot patrol trial: results", t->p->places_name)
                       : NULL;
    int rc;
    if (!h) {
        free(fn);
        return path ? oom(err) : fn ? (err ? err->code : RTM_ERR_ARG) : oom(err);
    }
    rtm_html_section_begin(h, "What happened", "effect");
    for (int o = 0; o < 3; o++)
        if (reported(t, o)) {
            sentence(t, o, s, sizeof s);
            if (o == 2)
                strncat(s, ring_meaning(&t->eff[2]), sizeof s - strlen(s) - 1);
            rtm_html_para(h, s);
        }
    rtm_html_section_end(h);
    rtm_html_section_begin(h, "Did the patrols happen?", "compliance");
    compliance_text(t, m, sizeof m);
    rtm_html_para(h, m);
    rtm_html_section_end(h);
    rtm_html_section_begin(h, "The numbers", "numbers");
    html_numbers(h, t);
    rtm_html_section_end(h);
    rtm_html_section_begin(h, "How this was worked out", "method");
    method_text(t, m, sizeof m);
    rtm_html_para(h, m);
    rtm_html_note(h, CAVEAT);
    rtm_html_section_end(h);
    rc = rtm_html_write(h, path, err);
    rtm_html_free(h);
    free(fn);
    return rc;
}

int trial_eval_write(const trial_eval *t, rtm_outset *out, rtm_error *err)
{
    int rc = write_effects(t, out, err);
    if (!rc)
        rc = write_place_days(t, out, err);
    if (!rc)
        rc = write_md(t, out, err);
    if (!rc)
        rc = write_html(t, out, err);
    return rc;
}

void trial_eval_result(const trial_eval *t, rtm_trial_eval_result *r)
{
    const trial_effect *e = t->eff;
    memset(r, 0, sizeof *r);
    r->rule = t->rule;
    r->events = e[0].pois, r->harm = e[1].pois, r->ring = e[2].pois;
    r->events_lo = e[0].lo, r->events_hi = e[0].hi, r->events_p_perm = e[0].p_perm;
    r->harm_lo = e[1].lo, r->harm_hi = e[1].hi, r->harm_p_perm = e[1].p_perm;
    r->ring_lo = e[2].lo, r->ring_hi = e[2].hi, r->ring_p_perm = e[2].p_perm;
    r->delivered = t->at_target[1];
    r->min_treat = t->minutes[1];
    r->min_control = t->minutes[0];
    sentence(t, 0, r->headline, sizeof r->headline);
}
