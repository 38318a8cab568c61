/* model_report_md.c: model.md, the human-readable model report. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"
#include "rtm/output.h"
#include "output/bt_report.h"

static const char *const TIER_NAMES[RTM_NTIERS] = {"Below average", "Above average",
                                                   "Moderately high", "Highest"};

/* Text that comes from the data (factor, file and variable names, CRS,
 * filters) is escaped so that it reads as itself: HTML's special characters
 * as entities (a raw "<script>" in Markdown is passed through as HTML by
 * most renderers), the Markdown punctuation that starts emphasis, code,
 * links, images or strike-through with a backslash (CommonMark 0.30, 2.4:
 * any ASCII punctuation may be escaped), '|' too since it splits a table
 * cell (GFM 0.29, 4.10), and control characters (a newline would end the
 * table row) as spaces. */
static void md_text(FILE *o, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '<')
            fputs("&lt;", o);
        else if (*p == '>')
            fputs("&gt;", o);
        else if (*p == '&')
            fputs("&amp;", o);
        else if (*p == '"')
            fputs("&quot;", o);
        else if (*p < 0x20 || *p == 0x7f)
            fputc(' ', o);
        else if (strchr("\\`*_[]|~!#", *p))
            fprintf(o, "\\%c", *p);
        else
            fputc(*p, o);
    }
}

/* Longest run of backticks in s. */
static size_t max_ticks(const char *s)
{
    size_t best = 0, run = 0;
    for (; *s; s++) {
        run = *s == '`' ? run + 1 : 0;
        best = run > best ? run : best;
    }
    return best;
}

/* s as a code span in a table cell, shown verbatim: its content is never
 * read as HTML or Markdown (CommonMark 0.30, 6.1); the fence is one
 * backtick longer than any run inside, with spaces when s starts or ends
 * with one. '|' still ends the cell unless escaped, even in a code span
 * (GFM 0.29, 4.10); control characters become spaces. */
static void md_code_cell(FILE *o, const char *s)
{
    size_t n = max_ticks(s) + 1, len = strlen(s), i;
    int pad = len && (s[0] == '`' || s[len - 1] == '`');
    for (i = 0; i < n; i++)
        fputc('`', o);
    if (pad)
        fputc(' ', o);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fputc(' ', o);
        else if (*p == '|')
            fputs("\\|", o);
        else
            fputc(*p, o);
    }
    if (pad)
        fputc(' ', o);
    for (i = 0; i < n; i++)
        fputc('`', o);
}

static void md_inputs(FILE *o, const rtm_model *m, const rtm_model_context *c)
{
    int i;
    fprintf(o, "## Inputs\n\n| item | value |\n|---|---|\n");
    fprintf(o, "| CRS | ");
    md_text(o, c->crs);
    fprintf(o, " |\n| cell size | %g |\n| block length | %g |\n", c->grid->res,
            c->opts->var.block);
    fprintf(o, "| spatial influence | up to %d blocks, %s-block increments |\n",
            c->opts->var.max_blocks, c->opts->var.half_block ? "half" : "whole");
    fprintf(o, "| density variables | %s kernel, cell = 1 where density >= mean + %g SD |\n",
            rtm_kernel_name(c->opts->var.density_kernel), c->opts->var.density_k);
    fprintf(o, "| study-area cells | %zu |\n| events | %.0f in %zu cells |\n", m->cells, m->events,
            m->cells_with_events);
    if (c->where) {
        fprintf(o, "| event filter | ");
        md_code_cell(o, c->where);
        fprintf(o, " |\n");
    }
    for (i = 0; i < c->nevent_files; i++) {
        fprintf(o, "| event file | ");
        md_text(o, c->event_files[i]);
        fprintf(o, " |\n");
    }
    if (c->events)
        fprintf(o, "| rows read / used / skipped | %zu / %zu / %zu |\n", c->events->read,
                c->events->used, rtm_load_stats_skipped(c->events));
    fprintf(o, "\n");
}

static void md_factors(FILE *o, const rtm_model *m, const rtm_model_context *c)
{
    int i;
    fprintf(o, "## Risk factors\n\n| factor | features | operationalization | spatial "
               "influence | increment | variables | why |\n|---|---|---|---|---|---|---|\n");
    for (i = 0; i < c->nfactors; i++) {
        const rtm_factor_info *fi = &m->vars->info[i];
        const rtm_factor_spec *f = &c->factors[i];
        int maxb = f->max_blocks > 0 ? f->max_blocks : c->opts->var.max_blocks;
        int half = f->increment ? f->increment == 2 : c->opts->var.half_block;
        fprintf(o, "| ");
        md_text(o, f->name);
        fprintf(o, " | %zu | %s | %g | %g | %d (%d constant) | ", fi->nfeatures,
                rtm_op_name(fi->op), c->opts->var.block * maxb,
                half ? c->opts->var.block / 2 : c->opts->var.block, fi->generated,
                fi->dropped_constant);
        md_text(o, fi->why[0] ? fi->why : "as requested");
        fprintf(o, " |\n");
    }
    fprintf(o, "\n");
}

static void md_culling(FILE *o, const rtm_model *m)
{
    const rtm_enet_cv *cv = m->cv;
    int i;
    fprintf(o, "## Variables\n\n%d candidate variables generated, %d not constant over the "
               "study area; elastic-net culling (Poisson, alpha %g, non-negative, %d-fold CV "
               "stratified by count, seed %llu, lambda %.4g) kept %d:\n\n", m->vars->generated,
            m->vars->p, cv->path->alpha, cv->nfolds, (unsigned long long)cv->seed, cv->lambda,
            cv->nkept);
    for (i = 0; i < cv->nkept; i++) {
        fprintf(o, "- ");
        md_text(o, m->vars->var[cv->kept[i]].name);
        fprintf(o, "\n");
    }
    fprintf(o, "\n");
}

static void md_model(FILE *o, const rtm_model *m)
{
    const rtm_glm_fit *f = &m->sw.fit;
    int j;
    fprintf(o, "## Final model\n\nFamily: **%s** (BIC Poisson %.2f, negative binomial %.2f; "
               "lower wins).\n\n", rtm_family_name(m->sw.family), m->sw.bic_poisson,
            m->sw.bic_nb);
    fprintf(o, "| variable | operationalization | distance | coefficient | SE | p | RRV |\n"
               "|---|---|---|---|---|---|---|\n");
    for (j = 0; j < f->k; j++) {
        const rtm_variable *v = &m->vars->var[f->cols[j]];
        fprintf(o, "| ");
        md_text(o, v->name);
        fprintf(o, " | %s | %g | %.4f | %.4f | %.3g | %.4f |\n", rtm_op_name(v->op),
                v->distance, f->beta[j], f->se[j], f->p[j], exp(f->beta[j]));
    }
    fprintf(o, "| (intercept) | | | %.4f | %.4f | %.3g | |\n\n", f->intercept, f->intercept_se,
            f->intercept_p);
    if (m->sw.family == RTM_FAMILY_NBII)
        fprintf(o, "Overdispersion intercept (log sigma, NBII variance mu(1+sigma)): %.4f "
                   "(SE %.4f).  \n", f->log_sigma, f->log_sigma_se);
    else if (m->sw.family == RTM_FAMILY_NB2)
        fprintf(o, "NB2 theta (variance mu + mu^2/theta): %.4f (SE %.4f).  \n", f->theta,
                f->theta_se);
    fprintf(o, "AIC %.2f, BIC %.2f, log-likelihood %.2f, deviance %.2f.\n\n", f->aic, f->bic,
            f->loglik, f->deviance);
    fprintf(o, "P-values are computed after variable selection and are therefore optimistic.\n\n");
}

/* A rate ratio, or "—" when it is undefined (no cell outside the tier). */
static const char *ratio_text(double r)
{
    static __thread char buf[32];
    if (!isfinite(r))
        return "—";
    snprintf(buf, sizeof buf, "%.2f", r);
    return buf;
}

static void md_tiers(FILE *o, const rtm_model *m)
{
    int t;
    const rtm_tier_stats *h = &m->tiers[RTM_NTIERS - 1];
    fprintf(o, "## Relative risk\n\nRelative Risk Score (RRS = product of the RRVs of the "
               "factors present; a cell with none scores 1): %.3f to %.3f (mean %.3f, SD %.3f)."
               "\n\n", m->rrs_min, m->rrs_max, m->rrs_mean, m->rrs_sd);
    fprintf(o, "| tier | RRS from | share of area | share of events | events per cell vs rest "
               "|\n|---|---|---|---|---|\n");
    for (t = RTM_NTIERS - 1; t >= 0; t--) {
        const rtm_tier_stats *s = &m->tiers[t];
        if (!s->cells) { /* an empty tier has no shares and no rate: say so, never "nan" */
            fprintf(o, "| %s | %.3f | empty: no cell | — | — |\n", TIER_NAMES[t], s->lower);
            continue;
        }
        fprintf(o, "| %s | %.3f | %.1f %% | %.1f %% | %s |\n", TIER_NAMES[t], s->lower,
                100 * s->area_share, 100 * s->event_share, ratio_text(s->rate_ratio));
    }
    fprintf(o, "\n**How to read it.** Each RRV is how many times more likely an event is in a "
               "cell where that factor's variable is present than in a cell where it is not, "
               "other factors held equal. ");
    if (h->cells && isfinite(h->rate_ratio))
        fprintf(o, "The highest-risk places (%.1f %% of the area) held %.1f %% of the events: "
                   "they were %.1f times more likely to have an event than the rest of the "
                   "study area.", 100 * h->area_share, 100 * h->event_share, h->rate_ratio);
    else if (!h->cells)
        fprintf(o, "**The highest tier is empty**: no cell reaches its threshold (RRS %.3f, "
                   "mean + the highest tier's SD multiple), usually because the study area is "
                   "small or the RRS takes few values; there are no priority places. Lower "
                   "thresholds can be set with --tiers (command) or the tiers of a job.",
                h->lower);
    fprintf(o, "\n\n");
}

static void md_places(FILE *o, const rtm_model_context *c)
{
    int i;
    if (!c->nplaces)
        return;
    fprintf(o, "## Priority places\n\nHighest-tier cells merged into %d places, ranked by "
               "RRS, then events.\n\n| rank | cells | max RRS | events | centre (x, y) |\n"
               "|---|---|---|---|---|\n", c->nplaces);
    for (i = 0; i < c->nplaces && i < 20; i++)
        fprintf(o, "| %d | %zu | %.3f | %.0f | %.0f, %.0f |\n", c->places[i].rank,
                c->places[i].cells, c->places[i].max_score, c->places[i].events,
                c->places[i].cx, c->places[i].cy);
    fprintf(o, "\n");
}

int rtm_model_report_md(const char *path, const rtm_model *m, const rtm_model_context *c,
                        rtm_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&buf, &len);
    int rc;
    if (!o)
        return rtm_error_set(err, RTM_ERR_NOMEM, "report: out of memory");
    fprintf(o, "# Risk Terrain Model\n\n_");
    md_text(o, c->software);
    fprintf(o, "_\n\n");
    md_inputs(o, m, c);
    md_factors(o, m, c);
    md_culling(o, m);
    md_model(o, m);
    md_tiers(o, m);
    md_places(o, c);
    if (c->backtest)
        rtm_bt_summary_md(o, c->backtest);
    fclose(o);
    rc = rtm_atomic_write_text(path, buf, len, err);
    free(buf);
    return rc;
}
