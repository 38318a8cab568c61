/* forecast_report.c: forecast.json (terms, coefficients, validation scores,
 * seed, training window) and forecast.md (in plain words: which history and
 * settings drive the forecast, and its back-tested PAI against the
 * baselines). */
#include "product/forecast_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

/* "expected events per cell, 2018-06" or "..., 2018-06 to 2018-07" */
void rtm_fc_units(const rtm_forecast *f, char *buf, size_t n)
{
    if (f->forecast_from == f->forecast_to)
        snprintf(buf, n, "expected events per cell in %04d-%02d", f->forecast_from / 100,
                 f->forecast_from % 100);
    else
        snprintf(buf, n, "expected events per cell in %04d-%02d to %04d-%02d",
                 f->forecast_from / 100, f->forecast_from % 100, f->forecast_to / 100,
                 f->forecast_to % 100);
}

static void ym(rtm_json *w, const char *key, int m)
{
    char b[16];
    snprintf(b, sizeof b, "%04d-%02d", m / 100, m % 100);
    rtm_json_kv_string(w, key, b);
}

static void json_backtest(rtm_json *w, const rtm_forecast *f)
{
    char nm[32];
    rtm_json_key(w, "backtest");
    rtm_json_begin_object(w);
    rtm_json_key(w, "coverages_percent");
    rtm_json_begin_array(w);
    for (int k = 0; k < RTM_FORECAST_NCOV; k++)
        rtm_json_double(w, rtm_forecast_coverages[k]);
    rtm_json_end_array(w);
    rtm_json_key(w, "steps");
    rtm_json_begin_array(w);
    for (int v = 0; v < f->nval; v++) {
        rtm_json_begin_object(w);
        ym(w, "test_from", f->val_month[v]);
        rtm_json_kv_double(w, "test_events", f->val_events[v]);
        rtm_json_key(w, "pai");
        rtm_json_begin_object(w);
        for (int s = 0; s < RTM_FORECAST_NBASE; s++) {
            rtm_json_key(w, rtm_forecast_base_name(f, s, nm, sizeof nm));
            rtm_json_begin_array(w);
            for (int k = 0; k < RTM_FORECAST_NCOV; k++)
                rtm_json_double(w, f->pai[v][s][k]);
            rtm_json_end_array(w);
        }
        rtm_json_end_object(w);
        rtm_json_end_object(w);
    }
    rtm_json_end_array(w);
    rtm_json_key(w, "mean_pai");
    rtm_json_begin_object(w);
    for (int s = 0; s < RTM_FORECAST_NBASE; s++) {
        rtm_json_key(w, rtm_forecast_base_name(f, s, nm, sizeof nm));
        rtm_json_begin_array(w);
        for (int k = 0; k < RTM_FORECAST_NCOV; k++)
            rtm_json_double(w, f->pai_mean[s][k]);
        rtm_json_end_array(w);
    }
    rtm_json_end_object(w);
    rtm_json_end_object(w);
}

static void json_model(rtm_json *w, const rtm_forecast *f)
{
    rtm_json_key(w, "predictors");
    rtm_json_begin_array(w);
    for (int k = 0; k < f->npred; k++)
        rtm_json_string(w, f->pred[k]);
    rtm_json_end_array(w);
    rtm_json_kv_int(w, "candidate_columns", f->ncols);
    rtm_json_kv_double(w, "intercept", f->intercept);
    rtm_json_key(w, "terms");
    rtm_json_begin_array(w);
    for (int t = 0; t < f->nterms; t++) {
        rtm_json_begin_object(w);
        rtm_json_kv_string(w, "term", f->terms[t].name);
        rtm_json_kv_string(w, "predictor", f->terms[t].predictor);
        rtm_json_kv_double(w, "threshold", f->terms[t].threshold);
        rtm_json_kv_double(w, "coefficient", f->terms[t].coef);
        rtm_json_end_object(w);
    }
    rtm_json_end_array(w);
    rtm_json_key(w, "validation");
    rtm_json_begin_object(w);
    rtm_json_kv_string(w, "method", "rolling origin: refit on earlier pairs, Poisson "
                                    "deviance of the next pair, summed");
    rtm_json_key(w, "test_from");
    rtm_json_begin_array(w);
    for (int v = 0; v < f->nval; v++) {
        char b[16];
        snprintf(b, sizeof b, "%04d-%02d", f->val_month[v] / 100, f->val_month[v] % 100);
        rtm_json_string(w, b);
    }
    rtm_json_end_array(w);
    rtm_json_key(w, "lambda");
    rtm_json_begin_array(w);
    for (int l = 0; l < f->nlambda; l++)
        rtm_json_double(w, f->lambda[l]);
    rtm_json_end_array(w);
    rtm_json_key(w, "deviance");
    rtm_json_begin_array(w);
    for (int l = 0; l < f->nlambda; l++)
        rtm_json_double(w, f->val_dev[l]);
    rtm_json_end_array(w);
    rtm_json_kv_double(w, "lambda_chosen", f->lambda[f->idx]);
    rtm_json_end_object(w);
}

int rtm_fc_write_json(const rtm_forecast_product *p, const rtm_forecast *f,
                      const rtm_events *ev, rtm_outset *out, rtm_error *err)
{
    char *name = rtm_prod_join(p->dir, "forecast.json"), u[128];
    const char *path = name ? rtm_outset_file(out, name, err) : NULL;
    int rc;
    free(name);
    if (!path)
        return err->code ? err->code : RTM_ERR_NOMEM;
    rtm_json *w = rtm_json_new();
    if (!w)
        return rtm_error_set(err, RTM_ERR_NOMEM, "forecast: out of memory");
    rtm_fc_units(f, u, sizeof u);
    rtm_json_begin_object(w);
    rtm_json_kv_string(w, "software", "rtm " RTM_VERSION);
    rtm_json_kv_string(w, "units", u);
    ym(w, "train_from", f->first_month);
    ym(w, "train_to", f->last_month);
    ym(w, "forecast_from", f->forecast_from);
    ym(w, "forecast_to", f->forecast_to);
    rtm_json_kv_int(w, "horizon_months", f->horizon);
    rtm_json_kv_int(w, "seed", (long long)f->seed);
    rtm_json_kv_double(w, "alpha", f->alpha);
    rtm_json_kv_double(w, "cell_size", ev->grid.res);
    rtm_json_kv_double(w, "events_train", f->events_train);
    rtm_json_kv_double(w, "predicted_total", f->predicted_total);
    rtm_json_kv_int(w, "training_pairs", f->npairs);
    ym(w, "pairs_outcome_from", f->pair_from);
    ym(w, "pairs_outcome_to", f->pair_to);
    rtm_json_kv_int(w, "design_rows", (long long)f->rows);
    rtm_json_kv_double(w, "zero_keep_probability", f->keep_p);
    rtm_json_kv_int(w, "patterns", (long long)f->patterns);
    json_model(w, f);
    json_backtest(w, f);
    rtm_json_end_object(w);
    rc = rtm_json_write_file(w, path, err);
    rtm_json_free(w);
    return rc;
}

/* Plain words for a predictor name. */
static const char *say(const char *pred)
{
    static const struct { const char *k, *v; } w[] = {
        {"last1", "events in the cell last month"},
        {"last3", "events in the cell over the last 3 months"},
        {"last6", "events in the cell over the last 6 months"},
        {"last12", "events in the cell over the last 12 months"},
        {"all", "events in the cell over the whole history"},
        {"kde200", "events within about 200 m (quartic kernel), whole history"},
        {"kde400", "events within about 400 m (quartic kernel), whole history"},
        {"kde800", "events within about 800 m (quartic kernel), whole history"},
        {"kde1600", "events within about 1.6 km (quartic kernel): the area's level"},
        {"prospective", "recent events nearby (last 2 months, weighted by closeness in "
                        "space and time, Bowers, Johnson & Pease 2004)"},
        {"yearago", "events in the cell in the same months a year earlier"}};
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        if (!strcmp(pred, w[i].k))
            return w[i].v;
    return "risk setting (Risk Terrain Model variable)";
}

/* Each predictor's largest possible contribution, as a rate ratio. */
static void md_drivers(FILE *fp, const rtm_forecast *f)
{
    fprintf(fp, "## What drives the forecast\n\n"
            "Each line is a predictor and the most it can multiply a cell's expected "
            "events by (the sum of its steps' coefficients, as a rate ratio). Predictors "
            "not listed were dropped by the penalty.\n\n"
            "| predictor | meaning | steps kept | up to x |\n|---|---|---:|---:|\n");
    for (int t = 0; t < f->nterms; t++) {
        int first = 1;
        for (int u = 0; u < t; u++)
            first &= strcmp(f->terms[u].predictor, f->terms[t].predictor) != 0;
        if (!first)
            continue;
        double s = 0;
        int n = 0;
        for (int u = t; u < f->nterms; u++)
            if (!strcmp(f->terms[u].predictor, f->terms[t].predictor))
                s += f->terms[u].coef, n++;
        fprintf(fp, "| %s | %s | %d | %.2f |\n", f->terms[t].predictor,
                say(f->terms[t].predictor), n, exp(s));
    }
    fprintf(fp, "\nBaseline (a cell with none of these): %.3g expected events.\n\n",
            exp(f->intercept));
}

static void md_backtest(FILE *fp, const rtm_forecast *f)
{
    char nm[32];
    fprintf(fp, "## Back-test: does it forecast?\n\n"
            "Rolling origin: at each month below, the forecast was refitted on the "
            "months before it only and compared with the baselines made from the same "
            "months: prior counts (events per cell so far) and quartic KDE at 200, 400 and "
            "800 m. PAI = share of the test events in the flagged cells / share of the area "
            "flagged (Chainey, Tompson & Uhlig 2008); higher is better; ties pro rata.\n\n"
            "| test from | events | surface | PAI 1 %% | PAI 5 %% | PAI 20 %% |\n"
            "|---|---:|---|---:|---:|---:|\n");
    for (int v = 0; v < f->nval; v++)
        for (int s = 0; s < RTM_FORECAST_NBASE; s++)
            fprintf(fp, "| %04d-%02d | %.0f | %s | %.2f | %.2f | %.2f |\n",
                    f->val_month[v] / 100, f->val_month[v] % 100, f->val_events[v],
                    rtm_forecast_base_name(f, s, nm, sizeof nm), f->pai[v][s][0],
                    f->pai[v][s][1], f->pai[v][s][2]);
    fprintf(fp, "\n**Mean over the steps**\n\n| surface | PAI 1 %% | PAI 5 %% | PAI 20 %% |\n"
            "|---|---:|---:|---:|\n");
    for (int s = 0; s < RTM_FORECAST_NBASE; s++)
        fprintf(fp, "| %s | %.2f | %.2f | %.2f |\n", rtm_forecast_base_name(f, s, nm, sizeof nm),
                f->pai_mean[s][0], f->pai_mean[s][1], f->pai_mean[s][2]);
    int beats = 1;
    for (int k = 0; k < RTM_FORECAST_NCOV; k++)
        for (int s = 1; s < RTM_FORECAST_NBASE; s++)
            beats &= f->pai_mean[0][k] >= f->pai_mean[s][k];
    fprintf(fp, "\n%s\n\n", beats ? "In this back-test the forecast is at least as good as "
            "every baseline at 1, 5 and 20 % of the area." : "In this back-test the forecast "
            "is NOT better than every baseline at every coverage: compare the table before "
            "tasking from it.");
}

int rtm_fc_write_md(const rtm_forecast_product *p, const rtm_forecast *f, const rtm_events *ev,
                    rtm_outset *out, rtm_error *err)
{
    char *name = rtm_prod_join(p->dir, "forecast.md"), u[128];
    const char *path = name ? rtm_outset_file(out, name, err) : NULL;
    free(name);
    if (!path)
        return err->code ? err->code : RTM_ERR_NOMEM;
    FILE *fp = fopen(path, "w");
    if (!fp)
        return rtm_error_set(err, RTM_ERR_IO, "forecast: cannot write '%s'", path);
    rtm_fc_units(f, u, sizeof u);
    fprintf(fp, "# Forecast %04d-%02d%s\n\nThe map forecast.tif holds the %s, learnt from "
            "%.0f events of %04d-%02d to %04d-%02d on %g m cells%s. It is a fitted model: "
            "a Poisson regression with an elastic-net penalty (alpha %g) on step indicators "
            "of the cell's history, fitted on %d monthly training pairs (the history before "
            "a month against that month's events, months %04d-%02d to %04d-%02d); the "
            "penalty was chosen by how well earlier fits forecast later months (rolling "
            "origin, %d step%s), never by mixing months. Total forecast: %.1f events.\n\n",
            f->forecast_from / 100, f->forecast_from % 100, f->horizon > 1 ? " onwards" : "",
            u, f->events_train, f->first_month / 100, f->first_month % 100,
            f->last_month / 100, f->last_month % 100, ev->grid.res,
            p->nfactors ? " and the risk settings of the factors given" : "", f->alpha,
            f->npairs, f->pair_from / 100, f->pair_from % 100, f->pair_to / 100,
            f->pair_to % 100, f->nval, f->nval == 1 ? "" : "s", f->predicted_total);
    md_drivers(fp, f);
    md_backtest(fp, f);
    fprintf(fp, "Settings: horizon %d month%s, seed %llu%s, %d candidate steps over %d "
            "predictors, %zu design rows, %zu patterns.\n", f->horizon,
            f->horizon == 1 ? "" : "s", (unsigned long long)f->seed,
            f->keep_p < 1 ? " (zero-outcome cells subsampled, weighted 1/p)" : "", f->ncols,
            f->npred, f->rows, f->patterns);
    if (fclose(fp))
        return rtm_error_set(err, RTM_ERR_IO, "forecast: cannot write '%s'", path);
    return 0;
}
