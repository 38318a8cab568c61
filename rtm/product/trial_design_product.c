/* trial_design_product.c: `rtm trial design` - a seeded randomised patrol
 * schedule for a set of places (rtm/trial.h): DIR/schedule.csv,
 * DIR/balance.csv (harm and events of the arms, place-days per arm) and
 * DIR/design.md (rule, seed, sources). */
#include "product/product_priv.h"
#include "product/trial_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atomic.h"
#include "rtm/trial.h"

#define MAX_DAYS 36600

void rtm_trial_design_product_init(rtm_trial_design_product *p)
{
    memset(p, 0, sizeof *p);
    p->rule = RTM_TRIAL_BALANCED;
    p->treat_share = NAN;
    p->seed = 1;
}

int trial_write_text(rtm_outset *out, const char *dir, const char *name, char *buf,
                     size_t len, rtm_error *err)
{
    char *fn = rtm_prod_join(dir, name);
    const char *path = fn ? rtm_outset_file(out, fn, err) : NULL;
    int rc = !fn ? rtm_error_set(err, RTM_ERR_NOMEM, "trial: out of memory")
             : !path ? (err ? err->code : RTM_ERR_ARG)
                     : rtm_atomic_write_text(path, buf ? buf : "", buf ? len : 0, err);
    free(fn);
    free(buf);
    return rc;
}

const char *trial_rule_text(rtm_trial_rule r)
{
    switch (r) {
    case RTM_TRIAL_BALANCED:
        return "daily, balanced: every day a fixed number of places drawn at random "
               "(as in Southend, Basford et al. 2021: 8 of 20 a day, 720 of 1,800 "
               "place-days)";
    case RTM_TRIAL_INDEPENDENT:
        return "daily, independent: every place-day treated with the same probability";
    default:
        return "fixed places blocked by harm: places sorted by harm cut into blocks, "
               "treatment places drawn within each block, kept for the whole trial (as in "
               "Peterborough, Ariel, Weinborn & Sherman 2016)";
    }
}

static int check(const rtm_trial_design_product *p, const rtm_trial_places *pl, double share,
                 rtm_error *err)
{
    int y = p->start / 10000, m = p->start / 100 % 100, d = p->start % 100;
    if (!p->dir || !*p->dir)
        return rtm_error_set(err, RTM_ERR_ARG, "trial design: no output folder");
    if (m < 1 || m > 12 || d < 1 || d > rtm_days_in_month(y, m))
        return rtm_error_set(err, RTM_ERR_ARG, "trial design: bad start date %d", p->start);
    if (p->days < 1 || p->days > MAX_DAYS)
        return rtm_error_set(err, RTM_ERR_ARG, "trial design: days must be 1..%d (got %d)",
                             MAX_DAYS, p->days);
    if (!(share > 0 && share < 1))
        return rtm_error_set(err, RTM_ERR_ARG, "trial design: treat share must be in (0, 1) "
                             "(got %g)", share);
    if (pl->n < 2)
        return rtm_error_set(err, RTM_ERR_INPUT, "trial design: need at least 2 places (got %d)",
                             pl->n);
    if (p->rule == RTM_TRIAL_BALANCED && (floor(share * pl->n + 0.5) < 1 ||
                                          floor(share * pl->n + 0.5) >= pl->n))
        return rtm_error_set(err, RTM_ERR_ARG, "trial design: a share of %g of %d places "
                             "treats none or all of them each day", share, pl->n);
    return 0;
}

static int write_schedule(const rtm_trial_design_product *p, const rtm_trial_places *pl,
                          const signed char *arm, const int *block, long start,
                          rtm_outset *out, rtm_error *err)
{
    char *buf = NULL, date[11];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return rtm_error_set(err, RTM_ERR_NOMEM, "trial: out of memory");
    fputs(block ? "date,place,arm,block\n" : "date,place,arm\n", f);
    for (int d = 0; d < p->days; d++) {
        rtm_trial_date(start + d, date);
        for (int i = 0; i < pl->n; i++) {
            fprintf(f, "%s,", date);
            trial_csv_str(f, pl->p[i].id);
            fputs(arm[(size_t)i * p->days + d] ? ",treatment" : ",control", f);
            if (block)
                fprintf(f, ",%d", block[i]);
            fputc('\n', f);
        }
    }
    fclose(f);
    return trial_write_text(out, p->dir, "schedule.csv", buf, len, err);
}

/* Per arm: places ever in it, place-days, and the mean of the places'
 * events and harm fields over its place-days. */
void trial_balance(const rtm_trial_places *pl, const signed char *arm, int days,
                   trial_arm_stats st[2])
{
    memset(st, 0, 2 * sizeof *st);
    for (int i = 0; i < pl->n; i++) {
        int in[2] = {0, 0};
        for (int d = 0; d < days; d++) {
            signed char a = arm[(size_t)i * days + d];
            if (a < 0)
                continue;
            in[a] = 1;
            st[a].place_days++;
            st[a].events += isnan(pl->p[i].events) ? 0 : pl->p[i].events;
            st[a].harm += isnan(pl->p[i].harm) ? 0 : pl->p[i].harm;
        }
        st[0].places += in[0];
        st[1].places += in[1];
    }
    for (int a = 0; a < 2; a++)
        if (st[a].place_days > 0) {
            st[a].events /= st[a].place_days;
            st[a].harm /= st[a].place_days;
        }
}

static int write_balance(const rtm_trial_design_product *p, const rtm_trial_places *pl,
                         const trial_arm_stats st[2], rtm_outset *out, rtm_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    double tot = st[0].place_days + st[1].place_days;
    if (!f)
        return rtm_error_set(err, RTM_ERR_NOMEM, "trial: out of memory");
    fputs("arm,places,place_days,share,mean_events,mean_harm\n", f);
    for (int a = 1; a >= 0; a--) {
        fprintf(f, "%s,%d,%.0f,%.6f", a ? "treatment" : "control", st[a].places,
                st[a].place_days, st[a].place_days / tot);
        trial_csv_num(f, pl->has_events ? st[a].events : NAN);
        trial_csv_num(f, pl->has_harm ? st[a].harm : NAN);
        fputc('\n', f);
    }
    fclose(f);
    return trial_write_text(out, p->dir, "balance.csv", buf, len, err);
}

static int write_md(const rtm_trial_design_product *p, const rtm_trial_places *pl, double share,
                    int bsize, const trial_arm_stats st[2], long start, rtm_outset *out,
                    rtm_error *err)
{
    char *buf = NULL, d0[11], d1[11];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return rtm_error_set(err, RTM_ERR_NOMEM, "trial: out of memory");
    rtm_trial_date(start, d0);
    rtm_trial_date(start + p->days - 1, d1);
    fprintf(f, "# Patrol trial design\n\n- Places: %d%s%s\n- Days: %d, %s to %s (%.0f "
            "place-days)\n- Assignment: %s\n- Treatment share: %g%s\n- Seed: %llu (the same "
            "seed and inputs give the same schedule, byte for byte)\n- Software: rtm %s\n\n",
            pl->n, p->places_name ? " from " : "", p->places_name ? p->places_name : "",
            p->days, d0, d1, st[0].place_days + st[1].place_days, trial_rule_text(p->rule),
            share, p->rule == RTM_TRIAL_FIXED ? "" : " of the places each day",
            (unsigned long long)p->seed, RTM_VERSION);
    if (p->rule == RTM_TRIAL_FIXED)
        fprintf(f, "Blocks of %d places in order of harm (then events); block ids in "
                "schedule.csv. A last short block takes the remainder.\n\n", bsize);
    fputs("| arm | places | place-days | mean events per place-day | mean harm per "
          "place-day |\n|---|---:|---:|---:|---:|\n", f);
    for (int a = 1; a >= 0; a--) {
        fprintf(f, "| %s | %d | %.0f | ", a ? "treatment" : "control", st[a].places,
                st[a].place_days);
        fprintf(f, pl->has_events ? "%.2f | " : "n/a | ", st[a].events);
        fprintf(f, pl->has_harm ? "%.2f |\n" : "n/a |\n", st[a].harm);
    }
    fputs("\nEvents and harm are the places' own fields (the period they were chosen on), "
          "averaged over each arm's place-days: similar values mean the arms are balanced.\n",
          f);
    fclose(f);
    return trial_write_text(out, p->dir, "design.md", buf, len, err);
}

int rtm_trial_design_run(const rtm_trial_design_product *p, const rtm_trial_places *pl,
                         const rtm_product_env *env, rtm_outset *out, char *summary,
                         rtm_error *err)
{
    double share = isnan(p->treat_share) ? (p->rule == RTM_TRIAL_FIXED ? 0.5 : 0.4)
                                         : p->treat_share;
    int rc = check(p, pl, share, err), bsize = 0, *block = NULL;
    long start = rtm_days_from_civil(p->start / 10000, p->start / 100 % 100, p->start % 100);
    signed char *arm = NULL;
    trial_arm_stats st[2];
    if (rc)
        return rc;
    arm = malloc((size_t)pl->n * p->days);
    block = malloc((size_t)pl->n * sizeof *block);
    if (!arm || !block)
        rc = rtm_error_set(err, RTM_ERR_NOMEM, "trial: out of memory");
    double *harm = NULL, *events = NULL;
    if (!rc && p->rule == RTM_TRIAL_FIXED && !(rc = trial_fields(pl, &harm, &events, err))) {
        rc = rtm_trial_blocks(harm, events, pl->n, share, block, &bsize, err);
        free(harm), free(events);
    }
    if (!rc)
        rc = rtm_trial_assign(p->rule, share, pl->n, p->days,
                              p->rule == RTM_TRIAL_FIXED ? block : NULL, p->seed, arm, err);
    if (!rc) {
        trial_balance(pl, arm, p->days, st);
        rc = write_schedule(p, pl, arm, p->rule == RTM_TRIAL_FIXED ? block : NULL, start, out,
                            err);
    }
    if (!rc)
        rc = write_balance(p, pl, st, out, err);
    if (!rc)
        rc = write_md(p, pl, share, bsize, st, start, out, err);
    if (!rc && summary)
        snprintf(summary, 256, "%d places, %d days: %.0f treatment and %.0f control place-days "
                 "(seed %llu)", pl->n, p->days, st[1].place_days, st[0].place_days,
                 (unsigned long long)p->seed);
    if (!rc)
        rtm_prod_log(env, "trial design: %d places, %d days, %s", pl->n, p->days,
                     rtm_vocab_name("assignment", (int)p->rule));
    free(arm);
    free(block);
    return rc;
}

void trial_csv_str(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void trial_csv_num(FILE *f, double v)
{
    if (isnan(v))
        fputc(',', f);
    else
        fprintf(f, ",%.10g", v);
}

int trial_fields(const rtm_trial_places *pl, double **harm, double **events, rtm_error *err)
{
    *harm = malloc((size_t)pl->n * sizeof **harm);
    *events = malloc((size_t)pl->n * sizeof **events);
    if (!*harm || !*events) {
        free(*harm), free(*events);
        *harm = *events = NULL;
        return rtm_error_set(err, RTM_ERR_NOMEM, "trial: out of memory");
    }
    for (int i = 0; i < pl->n; i++) {
        (*harm)[i] = pl->p[i].harm;
        (*events)[i] = pl->p[i].events;
    }
    return 0;
}
