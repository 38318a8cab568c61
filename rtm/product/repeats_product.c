/* repeats_product.c: the repeats product - repeat locations ranked by
 * events (evaluate/repeats.c), their concentration (Lorenz curve and Gini of
 * evaluate/concentration.c over locations), as repeats.csv, repeats.gpkg
 * (points), repeats.png (a map of the events at repeat locations per cell)
 * and repeats.md, which says plainly what a "location" is. */
#include "product/knox_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rtm_repeats_product_init(rtm_repeats_product *p)
{
    memset(p, 0, sizeof *p);
    p->top = 20;
}

typedef struct rep_state {
    const rtm_repeats_product *p;
    const rtm_events *ev;
    rtm_repeat_loc *locs;
    size_t nlocs, unlabelled;
    int snap;                /* police.uk snap points */
    rtm_repeats_result r;
} rep_state;

/* The location's name: its key, its label, or its coordinates. */
static void loc_name(const rep_state *s, const rtm_repeat_loc *L, char *b, size_t n)
{
    const char *lab = rtm_points_label_of(&s->ev->pts, L->first);
    if (lab && *lab)
        snprintf(b, n, "%s", lab);
    else
        snprintf(b, n, "%.2f %.2f", s->ev->pts.x[L->first], s->ev->pts.y[L->first]);
}

static void date_text(int d, char *b, size_t n)
{
    if (d > 10000000)
        snprintf(b, n, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
    else if (d > 0)
        snprintf(b, n, "%04d-%02d", d / 100, d % 100);
    else
        snprintf(b, n, "%s", "");
}

static int write_csv(rep_state *s, rtm_outset *out, rtm_error *err)
{
    char *buf = NULL, nm[300], d0[16], d1[16];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return rtm_error_set(err, RTM_ERR_NOMEM, "repeats: out of memory");
    fputs("rank,location,kind,x,y,events,first_date,last_date,months_active,periods,"
          "median_gap,mean_gap,gap_unit\n", f);
    for (size_t i = 0; i < s->nlocs; i++) {
        const rtm_repeat_loc *L = &s->locs[i];
        loc_name(s, L, nm, sizeof nm);
        date_text(L->first_date, d0, sizeof d0), date_text(L->last_date, d1, sizeof d1);
        fprintf(f, "%zu,", i + 1);
        knox_csv_str(f, nm);
        fprintf(f, ",%s,%.10g,%.10g,%zu,%s,%s,%d,%s,", s->r.kind, s->ev->pts.x[L->first],
                s->ev->pts.y[L->first], L->n, d0, d1, L->months_active, L->periods);
        if (L->n > 1)
            fprintf(f, "%.10g,%.10g,%s\n", L->median_gap, L->mean_gap,
                    L->gap_days ? "days" : "months");
        else
            fputs(",,\n", f);
    }
    fclose(f);
    return knox_write_text(out, s->p->dir, "repeats.csv", buf, len, err);
}

/* Concentration over locations: top 1, 5, 10 % and Gini. */
static int concentration(rep_state *s, rtm_error *err)
{
    double *c = malloc(s->nlocs * sizeof *c);
    rtm_lorenz *l = NULL;
    rtm_gini_t g;
    int rc;
    if (!c)
        return rtm_error_set(err, RTM_ERR_NOMEM, "repeats: out of memory");
    for (size_t i = 0; i < s->nlocs; i++)
        c[i] = (double)s->locs[i].n;
    if (!(rc = rtm_lorenz_create(c, NULL, s->nlocs, &l, err)) &&
        !(rc = rtm_gini(c, NULL, s->nlocs, &g, err))) {
        s->r.top1 = rtm_lorenz_top_share(l, 0.01);
        s->r.top5 = rtm_lorenz_top_share(l, 0.05);
        s->r.top10 = rtm_lorenz_top_share(l, 0.10);
        s->r.gini = g.gini;
    }
    rtm_lorenz_free(l);
    free(c);
    return rc;
}

static void md_caveat(const rep_state *s, FILE *f)
{
    if (s->snap)
        fputs("**These locations are police.uk snap points, not homes or addresses.** "
              "police.uk moves every crime to the nearest of a set of shared anonymous points "
              "(\"On or near ...\"), so one point stands for many homes along a street or "
              "around a junction, and a \"repeat\" here is a repeat snap point. Repeat "
              "victimisation of a dwelling needs force data keyed by UPRN or exact address "
              "(`--key-field`).\n\n", f);
    else if (s->p->by_label)
        fprintf(f, "Locations are the values of the field `%s`: events with the same value "
                "are one location (the text is matched exactly).\n\n",
                s->p->key_name ? s->p->key_name : "");
    else
        fputs("Locations are exact coordinates: events at the same x, y (after projection) "
              "are one location. If the coordinates are snapped or rounded (e.g. police.uk "
              "snap points) one location stands for many addresses.\n\n", f);
}

static int write_md(rep_state *s, int dh, rtm_outset *out, rtm_error *err)
{
    char *buf = NULL, nm[300], d0[16], d1[16];
    size_t len = 0, top = (size_t)s->p->top;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return rtm_error_set(err, RTM_ERR_NOMEM, "repeats: out of memory");
    fprintf(f, "# Repeat locations\n\n%zu events at %zu locations (%s); %zu locations had "
            "two or more events, holding %zu events (%.1f %%).\n\n", s->r.events, s->r.locations,
            s->r.kind, s->r.repeat_locations, s->r.repeat_events,
            100.0 * (double)s->r.repeat_events / (double)s->r.events);
    md_caveat(s, f);
    if (s->unlabelled)
        fprintf(f, "%zu events had no location key and are left out.\n\n", s->unlabelled);
    fprintf(f, "## Concentration\n\nThe top 1 %% of locations hold %.1f %% of the events, the "
            "top 5 %% hold %.1f %%, the top 10 %% hold %.1f %% (ties shared pro rata). Gini "
            "coefficient over locations with an event: %.3f (0 = every location has as many "
            "events, towards 1 = a few locations have them all). Locations without any event "
            "are not known and not counted, so these figures understate concentration over "
            "all places.\n\n", 100 * s->r.top1, 100 * s->r.top5, 100 * s->r.top10, s->r.gini);
    fprintf(f, "## Top %zu locations\n\n| rank | location | events | first | last | months "
            "active | median gap |\n|---:|---|---:|---|---|---:|---:|\n",
            top < s->nlocs ? top : s->nlocs);
    for (size_t i = 0; i < s->nlocs && i < top; i++) {
        const rtm_repeat_loc *L = &s->locs[i];
        loc_name(s, L, nm, sizeof nm);
        date_text(L->first_date, d0, sizeof d0), date_text(L->last_date, d1, sizeof d1);
        fprintf(f, "| %zu | %s | %zu | %s | %s | %d |", i + 1, nm, L->n, d0, d1,
                L->months_active);
        if (L->n > 1)
            fprintf(f, " %.1f %s |\n", L->median_gap, L->gap_days ? "days" : "months");
        else
            fputs(" |\n", f);
    }
    fputs("\nThe gap is the time between successive events at the location: in days when "
          "every event there has a day, else in months. repeats.csv lists every location.\n", f);
    if (dh)
        fputs("\nThe events by day of week and hour are in repeats_dayhour.csv and "
              "repeats_dayhour.png.\n", f);
    fclose(f);
    return knox_write_text(out, s->p->dir, "repeats.md", buf, len, err);
}

static int write_map(rep_state *s, rtm_outset *out, rtm_error *err)
{
    const rtm_grid *g = &s->ev->grid;
    size_t nc = rtm_grid_ncells(g);
    double *v = rtm_prod_alloc(nc, "repeats", err);
    char *fn = rtm_prod_join(s->p->dir, "repeats.png"), sub[200];
    rtm_map_opts mo;
    int rc;
    if (!v || !fn) {
        free(v), free(fn);
        return err->code ? err->code : rtm_error_set(err, RTM_ERR_NOMEM, "repeats: no memory");
    }
    for (size_t k = 0; k < nc; k++)
        v[k] = 0;
    for (size_t i = 0; i < s->nlocs && s->locs[i].n > 1; i++) {
        double w = (double)s->locs[i].n, x = s->ev->pts.x[s->locs[i].first];
        double y = s->ev->pts.y[s->locs[i].first];
        rtm_bin_points(g, &x, &y, &w, 1, v);
    }
    rtm_map_opts_init(&mo);
    mo.title = s->p->title ? s->p->title : "Repeat locations";
    snprintf(sub, sizeof sub, "events at %s with 2 or more events, per %g m cell",
             s->snap ? "police.uk snap points (not homes)" : "repeat locations", g->res);
    mo.subtitle = sub;
    mo.units_label = "events at repeat locations";
    mo.ramp = "ylorrd";
    rc = rtm_prod_map(out, fn, g, v, s->ev->mask, &mo, err);
    free(v), free(fn);
    return rc;
}

static void set_kind(rep_state *s)
{
    size_t snap = 0;
    for (size_t i = 0; i < s->ev->pts.n && !s->p->by_label; i++) {
        const char *l = rtm_points_label_of(&s->ev->pts, i);
        snap += l && !strncmp(l, "On or near", 10);
    }
    s->snap = !s->p->by_label && snap * 2 > s->ev->pts.n;
    if (s->p->by_label)
        snprintf(s->r.kind, sizeof s->r.kind, "field %.50s",
                 s->p->key_name ? s->p->key_name : "key");
    else
        snprintf(s->r.kind, sizeof s->r.kind, "%s",
                 s->snap ? "police.uk snap points" : "exact coordinates");
}

static int write_all(rep_state *s, const rtm_product_env *env, rtm_outset *out, rtm_error *err)
{
    int dh = 0, rc;
    const char *gp;
    if ((rc = rtm_dayhour_write(out, s->p->dir, "repeats", &s->ev->pts, NULL, &dh, err)) ||
        (rc = write_csv(s, out, err)) || (rc = write_md(s, dh, out, err)))
        return rc;
    if (!(gp = knox_path(out, s->p->dir, "repeats.gpkg", err)))
        return err->code;
    if ((rc = rtm_repeats_gpkg_write(gp, env && env->events && env->events->dst_crs
                                     ? env->events->dst_crs : s->ev->grid.crs, &s->ev->pts,
                                     s->locs, s->nlocs, s->p->by_label, err)))
        return rc;
    return write_map(s, out, err);
}

int rtm_repeats_product_run(const rtm_repeats_product *p, const rtm_events *ev,
                            const rtm_product_env *env, rtm_outset *out, rtm_repeats_result *r,
                            rtm_error *err)
{
    rep_state s;
    int rc;
    memset(&s, 0, sizeof s);
    s.p = p, s.ev = ev;
    if ((rc = rtm_repeat_locations(&ev->pts, p->by_label, &s.locs, &s.nlocs, &s.unlabelled,
                                   err)))
        return rc;
    set_kind(&s);
    s.r.locations = s.nlocs;
    for (size_t i = 0; i < s.nlocs; i++) {
        s.r.events += s.locs[i].n;
        if (s.locs[i].n > 1)
            s.r.repeat_locations++, s.r.repeat_events += s.locs[i].n;
    }
    rtm_prod_log(env, "repeats: %zu events at %zu locations (%s)", s.r.events, s.nlocs,
                 s.r.kind);
    if (!(rc = concentration(&s, err)))
        rc = write_all(&s, env, out, err);
    if (!rc && r)
        *r = s.r;
    rtm_repeat_locs_free(s.locs, s.nlocs);
    return rc;
}
