/* knox_product.c: the knox product - the near-repeat Knox test
 * (surface/knox.c) on events with day-level dates, written as knox.csv (the
 * tables, one row per band pair), knox.json, knox.md (a plain-words summary,
 * as Ratcliffe's calculator and NearRepeat's tidy_near_repeat give) and a
 * heat table of Knox ratios (knox.png, as NearRepeat's plot.knox). */
#include "product/knox_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"

void rtm_knox_product_init(rtm_knox_product *p)
{
    memset(p, 0, sizeof *p);
    rtm_knox_opts_init(&p->knox);
    p->knox.same_location = 0.001;  /* NearRepeat's sds = c(0, 0.001, ...) */
    p->alpha = 0.05;
}

static const char *noun(const rtm_knox_product *p)
{
    return p->what && *p->what ? p->what : "events";
}

static void band_d(const rtm_knox_product *p, const rtm_knox_result *r, int d, char *b,
                   size_t n)
{
    if (d == 0 && p->knox.same_location > 0)
        snprintf(b, n, "same location");
    else
        snprintf(b, n, "%g-%g m", r->d_from[d], r->d_to[d]);
}

static int write_csv(const rtm_knox_product *p, const rtm_knox_result *r, rtm_outset *out,
                     rtm_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return rtm_error_set(err, RTM_ERR_NOMEM, "knox: out of memory");
    fputs("distance_from,distance_to,time_from,time_to,observed,expected,knox_ratio,p,"
          "median,knox_ratio_median,sd,z,n_ge\n", f);
    for (int d = 0; d < r->nd; d++)
        for (int t = 0; t < r->nt; t++) {
            int c = d * r->nt + t;
            const double v[7] = {r->expected[c], r->ratio[c], r->p[c], r->median[c],
                                 r->ratio_median[c], r->sd[c], r->z[c]};
            fprintf(f, "%.10g,%.10g,%d,%d,%lld", r->d_from[d], r->d_to[d], r->t_from[t],
                    r->t_to[t], (long long)r->observed[c]);
            for (int k = 0; k < 7; k++)  /* NaN (undefined) as an empty field */
                isnan(v[k]) ? fputs(",", f) : fprintf(f, ",%.10g", v[k]);
            fprintf(f, ",%lld\n", (long long)r->ge[c]);
        }
    fclose(f);
    return knox_write_text(out, p->dir, "knox.csv", buf, len, err);
}

static int write_json(const rtm_knox_product *p, const rtm_knox_result *r, size_t n,
                      rtm_outset *out, rtm_error *err)
{
    const char *path = knox_path(out, p->dir, "knox.json", err);
    rtm_json *w = path ? rtm_json_new() : NULL;
    int rc;
    if (!path)
        return err->code;
    if (!w)
        return rtm_error_set(err, RTM_ERR_NOMEM, "knox: out of memory");
    rtm_json_begin_object(w);
    rtm_json_kv_string(w, "software", "rtm " RTM_VERSION);
    rtm_json_kv_string(w, "test", "Knox test, Monte Carlo permutation of event times "
                       "(Ratcliffe's Near Repeat Calculator; R NearRepeat)");
    rtm_json_kv_string(w, "intervals", "left-closed [from, to) in distance and in days");
    rtm_json_kv_string(w, "distance", p->knox.manhattan ? "manhattan" : "euclidean");
    rtm_json_kv_double(w, "same_location_tolerance", p->knox.same_location);
    rtm_json_kv_int(w, "events", (long long)n);
    rtm_json_kv_int(w, "pairs_within_max_distance", (long long)r->npairs);
    rtm_json_kv_int(w, "iterations", r->iterations);
    rtm_json_kv_int(w, "seed", (long long)r->seed);
    rtm_json_key(w, "bands");
    rtm_json_begin_array(w);
    for (int c = 0; c < r->nd * r->nt; c++) {
        int d = c / r->nt, t = c % r->nt;
        rtm_json_begin_object(w);
        rtm_json_kv_double(w, "distance_from", r->d_from[d]);
        rtm_json_kv_double(w, "distance_to", r->d_to[d]);
        rtm_json_kv_int(w, "time_from", r->t_from[t]);
        rtm_json_kv_int(w, "time_to", r->t_to[t]);
        rtm_json_kv_int(w, "observed", (long long)r->observed[c]);
        rtm_json_kv_double(w, "expected", r->expected[c]);
        rtm_json_kv_double(w, "knox_ratio", r->ratio[c]);
        rtm_json_kv_double(w, "p", r->p[c]);
        rtm_json_kv_double(w, "z", r->z[c]);
        rtm_json_end_object(w);
    }
    rtm_json_end_array(w);
    rtm_json_end_object(w);
    rc = rtm_json_write_file(w, path, err);
    rtm_json_free(w);
    return rc;
}

static int significant(const rtm_knox_product *p, const rtm_knox_result *r, int c)
{
    return r->p[c] < p->alpha && r->ratio[c] > 1;
}

int rtm_knox_edge_effect(const rtm_knox_result *r, double alpha)
{
    for (int c = 0; c < r->nd * r->nt; c++)
        if (r->p[c] < alpha && r->ratio[c] > 1 && (c / r->nt == r->nd - 1 ||
                                                   c % r->nt == r->nt - 1))
            return 1;
    return 0;
}

/* The plain-words sentence of cell c. */
static void sentence(const rtm_knox_product *p, const rtm_knox_result *r, int c, FILE *f)
{
    int d = c / r->nt, t = c % r->nt;
    char b[64], w[64];
    band_d(p, r, d, b, sizeof b);
    snprintf(w, sizeof w, "%s", noun(p));
    if (w[0] >= 'a' && w[0] <= 'z')
        w[0] = (char)(w[0] - 'a' + 'A');
    if (!strcmp(b, "same location"))
        fprintf(f, "%s at the same location as another", w);
    else
        fprintf(f, "%s %g to %g m from another", w, r->d_from[d], r->d_to[d]);
    fprintf(f, " and %d to %d days apart are %.2f times %s frequent than chance (p = %.3g)",
            r->t_from[t], r->t_to[t] - 1, r->ratio[c], r->ratio[c] >= 1 ? "more" : "less",
            r->p[c]);
}

static void md_table(const rtm_knox_product *p, const rtm_knox_result *r, FILE *f)
{
    char b[64];
    fputs("\nKnox ratios (observed / expected; * p < alpha, ratio above 1):\n\n| distance |", f);
    for (int t = 0; t < r->nt; t++)
        fprintf(f, " [%d, %d) days |", r->t_from[t], r->t_to[t]);
    fputs("\n|---|", f);
    for (int t = 0; t < r->nt; t++)
        fputs("---:|", f);
    for (int d = 0; d < r->nd; d++) {
        band_d(p, r, d, b, sizeof b);
        fprintf(f, "\n| [%g, %g) m%s%s%s |", r->d_from[d], r->d_to[d],
                strcmp(b, "same location") ? "" : " (", strcmp(b, "same location") ? "" : b,
                strcmp(b, "same location") ? "" : ")");
        for (int t = 0; t < r->nt; t++) {
            int c = d * r->nt + t;
            fprintf(f, " %.2f%s (%lld) |", r->ratio[c], significant(p, r, c) ? "*" : "",
                    (long long)r->observed[c]);
        }
    }
    fputs("\n\nEach cell: Knox ratio, * when significant, and the observed pair count in "
          "brackets.\n", f);
}

static int write_md(const rtm_knox_product *p, const rtm_knox_result *r, size_t n,
                    int dayhour, rtm_outset *out, rtm_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    int any = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return rtm_error_set(err, RTM_ERR_NOMEM, "knox: out of memory");
    fprintf(f, "# Near repeats (Knox test)\n\n%zu %s, %zu pairs closer than %g m, %d "
            "permutations of the event times (seed %llu), %s distance.\n\n", n, noun(p),
            r->npairs, r->d_to[r->nd - 1], r->iterations, (unsigned long long)r->seed,
            p->knox.manhattan ? "Manhattan" : "Euclidean");
    fputs("## Findings\n\n", f);
    for (int c = 0; c < r->nd * r->nt; c++)
        if (significant(p, r, c)) {
            fputs("- ", f);
            sentence(p, r, c, f);
            fputs(".\n", f);
            any = 1;
        }
    if (!any)
        fprintf(f, "- No band has significantly more pairs than chance (p < %g).\n", p->alpha);
    if (rtm_knox_edge_effect(r, p->alpha))
        fputs("\n**Warning:** the effect is still significant in the last distance or time "
              "band: the near-repeat space or time may reach beyond the bands; consider "
              "larger bands (NearRepeat's tidy_near_repeat gives the same warning).\n", f);
    md_table(p, r, f);
    fprintf(f, "\n## How to read it\n\nBands are left-closed: [a, b) holds distances (or day "
            "differences) d with a <= d < b; \"0 to 6 days\" is [0, 7). The same-location band "
            "[0, %g) holds pairs at the same coordinates (NearRepeat's sds = c(0, %g, ...)). "
            "Expected counts are the means over permutations of the event times with the "
            "places fixed; p = (number of permutations >= observed + 1) / (iterations + 1), "
            "so the smallest p possible is %.3g. With police.uk data events are snapped to "
            "shared points and have months only: use force data with dates.\n",
            p->knox.same_location, p->knox.same_location, 1.0 / (r->iterations + 1));
    if (dayhour)
        fputs("\nThe events by day of week and hour are in knox_dayhour.csv and "
              "knox_dayhour.png.\n", f);
    fclose(f);
    return knox_write_text(out, p->dir, "knox.md", buf, len, err);
}

static int write_png(const rtm_knox_product *p, const rtm_knox_result *r, rtm_outset *out,
                     rtm_error *err)
{
    int cells = r->nd * r->nt, rc;
    const char *path = knox_path(out, p->dir, "knox.png", err);
    double *v = calloc(cells, sizeof *v);
    char (*txt)[24] = calloc(cells, sizeof *txt), (*rl)[48] = calloc(r->nd, sizeof *rl);
    char (*cl)[32] = calloc(r->nt, sizeof *cl);
    const char **text = calloc(cells, sizeof *text), **rows = calloc(r->nd, sizeof *rows);
    const char **cols = calloc(r->nt, sizeof *cols);
    unsigned char *mark = calloc(cells, 1);
    char sub[200];
    if (!path)
        rc = err->code;
    else if (!v || !txt || !rl || !cl || !text || !rows || !cols || !mark)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "knox: out of memory");
    else {
        for (int c = 0; c < cells; c++) {
            v[c] = isnan(r->ratio[c]) ? NAN : r->ratio[c] > 1 ? r->ratio[c] - 1 : 0;
            mark[c] = (unsigned char)significant(p, r, c);
            if (isnan(r->ratio[c]))
                snprintf(txt[c], sizeof txt[c], "-");
            else
                snprintf(txt[c], sizeof txt[c], "%.2f%s", r->ratio[c], mark[c] ? "*" : "");
            text[c] = txt[c];
        }
        for (int d = 0; d < r->nd; d++)
            band_d(p, r, d, rl[d], sizeof rl[d]), rows[d] = rl[d];
        for (int t = 0; t < r->nt; t++)
            snprintf(cl[t], sizeof cl[t], "%d-%d d", r->t_from[t], r->t_to[t] - 1),
                cols[t] = cl[t];
        snprintf(sub, sizeof sub, "Knox ratios; * and outlined: p < %g (%d permutations, seed "
                 "%llu)", p->alpha, r->iterations, (unsigned long long)r->seed);
        rtm_heat_table ht = {p->title ? p->title : "Near repeats (Knox test)", sub,
                             "Bands are left-closed [a, b); colour: how far the ratio exceeds 1.",
                             "distance", "days apart", rows, cols, r->nd, r->nt, v, text,
                             mark};
        rc = rtm_heat_table_png_write(path, &ht, err);
    }
    free(v), free(txt), free(rl), free(cl), free(text), free(rows), free(cols), free(mark);
    return rc;
}

/* The events' coordinates and day numbers; every event needs a day. */
static int gather(const rtm_events *ev, int **days, rtm_error *err)
{
    size_t n = ev->pts.n, none = 0;
    if (n < 2)
        return rtm_error_set(err, RTM_ERR_INPUT, "knox: %zu events (need at least 2)", n);
    for (size_t i = 0; i < n; i++)
        none += !ev->pts.day || ev->pts.day[i] <= 0;
    if (none)
        return rtm_error_set(err, RTM_ERR_INPUT, "knox: %zu of %zu events have no day (dates "
                             "as months only, e.g. police.uk's): the Knox test needs dates "
                             "with a day (give the field with --date-field)", none, n);
    *days = malloc(n * sizeof **days);
    if (!*days)
        return rtm_error_set(err, RTM_ERR_NOMEM, "knox: out of memory");
    for (size_t i = 0; i < n; i++)
        (*days)[i] = rtm_day_number(ev->pts.day[i]);
    return 0;
}

int rtm_knox_product_run(const rtm_knox_product *p, const rtm_events *ev,
                         const rtm_product_env *env, rtm_outset *out, rtm_knox_result *res,
                         rtm_error *err)
{
    rtm_knox_result r;
    rtm_knox_opts o = p->knox;
    int *days = NULL, dh = 0, rc;
    memset(&r, 0, sizeof r);
    if ((rc = gather(ev, &days, err)))
        return rc;
    if (env && env->threads)
        o.threads = env->threads;
    rtm_prod_log(env, "knox: %zu events, %d permutations", ev->pts.n, o.iterations);
    rc = rtm_knox(ev->pts.x, ev->pts.y, days, ev->pts.n, &o, &r, err);
    free(days);
    if (!rc)
        rc = rtm_dayhour_write(out, p->dir, "knox", &ev->pts, NULL, &dh, err);
    if (!rc && !(rc = write_csv(p, &r, out, err)) && !(rc = write_json(p, &r, ev->pts.n, out, err)) &&
        !(rc = write_md(p, &r, ev->pts.n, dh, out, err)))
        rc = write_png(p, &r, out, err);
    if (!rc && rtm_knox_edge_effect(&r, p->alpha))
        rtm_prod_log(env, "knox: warning: the effect is still significant in the last band; "
                     "consider larger distance or time bands");
    if (!rc && res)
        *res = r;
    else
        rtm_knox_result_free(&r);
    return rc;
}
