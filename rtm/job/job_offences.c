/* job_offences.c: the `offences:` section of a job file (see docs/job-format.md). */
#include "job/job_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const offence_keys[] = {"sources", "types", "from", "to", "window",
                                           "lag_months", "hours", "harm", "allow_empty",
                                           NULL};
static const char *const source_keys[] = {"file", "layer", "where", "x_field", "y_field",
                                          "crs", "type_field", "date_field", "time_field",
                                          NULL};
static const char *const hours_keys[] = {"days", "from", "to", NULL};
static const char *const harm_keys[] = {"field", "weights", "default", NULL};

static void source_clear(rtm_job_source *s)
{
    free(s->pattern);
    rtm_ystrv_free(s->files, s->nfiles);
    free(s->layer);
    free(s->where);
    free(s->x_field);
    free(s->y_field);
    free(s->crs);
    free(s->type_field);
    free(s->date_field);
    free(s->time_field);
}

void rtm_job_offences_clear(rtm_job_offences *o)
{
    for (int i = 0; i < o->nsources; i++)
        source_clear(&o->sources[i]);
    free(o->sources);
    rtm_ystrv_free(o->types, o->ntypes);
    free(o->hours);
    rtm_ystrv_free(o->harm.category, o->harm.n);
    free(o->harm.weight);
    free(o->harm.field);
    memset(o, 0, sizeof *o);
}

static void read_source(rtm_ydoc *y, yaml_node_t *n, rtm_job_source *s)
{
    if (rtm_yexpect_map(y, n, "sources[]"))
        return;
    rtm_ycheck_keys(y, n, "sources[]", source_keys);
    yaml_node_t *fn = rtm_yrequire(y, n, "file", "sources[]");
    char *file = NULL;
    if (fn && rtm_ystr(y, n, "file", &file) == 0 && file) {
        s->pattern = rtm_yresolve(y, file);
        if (s->pattern)
            rtm_yglob(y, fn, s->pattern, &s->files, &s->nfiles);
    }
    free(file);
    rtm_ystr(y, n, "layer", &s->layer);
    rtm_ystr(y, n, "where", &s->where);
    rtm_ystr(y, n, "x_field", &s->x_field);
    rtm_ystr(y, n, "y_field", &s->y_field);
    rtm_ystr(y, n, "crs", &s->crs);
    rtm_ystr(y, n, "type_field", &s->type_field);
    rtm_ystr(y, n, "date_field", &s->date_field);
    rtm_ystr(y, n, "time_field", &s->time_field);
    if (!s->x_field != !s->y_field)
        rtm_yerr(y, n, "'x_field' and 'y_field' must be given together");
}

static void read_sources(rtm_ydoc *y, yaml_node_t *n, rtm_job_offences *o)
{
    if (!n || n->type != YAML_SEQUENCE_NODE) {
        rtm_yerr(y, n, "'sources' must be a list of sources (- file: ...)");
        return;
    }
    int cnt = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (cnt == 0) {
        rtm_yerr(y, n, "'sources' must list at least one source");
        return;
    }
    o->sources = calloc((size_t)cnt, sizeof *o->sources);
    if (!o->sources)
        return;
    o->nsources = cnt;
    for (int i = 0; i < cnt; i++)
        read_source(y, yaml_document_get_node(&y->doc, n->data.sequence.items.start[i]),
                    &o->sources[i]);
}

/* "N months to the run date" or "N months to YYYY-MM" */
static void read_window(rtm_ydoc *y, yaml_node_t *map, rtm_job_offences *o)
{
    yaml_node_t *n = rtm_yget(y, map, "window");
    const char *s = rtm_yscalar(n);
    int months = 0, pos = 0;
    char rest[64] = "", unit[16] = "", num[16] = "";
    if (!n)
        return;
    if (s && sscanf(s, "%15[0-9] %15s to %n", num, unit, &pos) == 2 && pos > 0 &&
        strlen(num) <= 5 && (months = atoi(num)) >= 1 && months <= RTM_JOB_MAX_MONTHS &&
        (strcmp(unit, "months") == 0 || strcmp(unit, "month") == 0)) {
        snprintf(rest, sizeof rest, "%s", s + pos);
        if (strcmp(rest, "the run date") == 0 || strcmp(rest, "run date") == 0) {
            o->window = RTM_WINDOW_ROLLING;
            o->rolling_months = months;
            return;
        }
        int end = rtm_job_month_parse(rest);
        if (end >= 0) {
            o->window = RTM_WINDOW_FIXED;
            o->to_month = end;
            o->from_month = end - months + 1;
            return;
        }
    }
    rtm_yerr(y, n, "'window' must be 'N months to the run date' or 'N months to YYYY-MM' "
                   "with N from 1 to %d and a year from %d to %d (got '%s')",
             RTM_JOB_MAX_MONTHS, RTM_JOB_MIN_YEAR, RTM_JOB_MAX_YEAR, s ? s : "a non-scalar");
}

static int read_month(rtm_ydoc *y, yaml_node_t *map, const char *key, int *out)
{
    yaml_node_t *n = rtm_yget(y, map, key);
    const char *s = rtm_yscalar(n);
    if (!n)
        return 0;
    int m = rtm_job_month_parse(s);
    if (m < 0) {
        rtm_yerr(y, n, "'%s' must be a month YYYY-MM with a year from %d to %d (got '%s')", key,
                 RTM_JOB_MIN_YEAR, RTM_JOB_MAX_YEAR, s ? s : "a non-scalar");
        return -1;
    }
    *out = m;
    return 1;
}

static void read_dates(rtm_ydoc *y, yaml_node_t *n, rtm_job_offences *o)
{
    int hf = read_month(y, n, "from", &o->from_month);
    int ht = read_month(y, n, "to", &o->to_month);
    long long lag = 1;
    if (hf == 1 && ht == 1) {
        o->window = RTM_WINDOW_FIXED;
        if (o->from_month > o->to_month)
            rtm_yerr(y, rtm_yget(y, n, "to"), "'to' must not be before 'from'");
    } else if (hf == 1 || ht == 1) {
        rtm_yerr(y, rtm_yget(y, n, hf == 1 ? "from" : "to"),
                 "'from' and 'to' must be given together");
    }
    if (rtm_yget(y, n, "window")) {
        if (hf || ht)
            rtm_yerr(y, rtm_yget(y, n, "window"), "give either 'window' or 'from'/'to', not both");
        else
            read_window(y, n, o);
    }
    rtm_yint(y, n, "lag_months", 0, 120, &lag);
    o->lag_months = (int)lag;
    if (rtm_yget(y, n, "lag_months") && o->window != RTM_WINDOW_ROLLING)
        rtm_yerr(y, rtm_yget(y, n, "lag_months"),
                 "'lag_months' only applies to a rolling 'window'");
}

/* Day bits of "fri" or a range "mon-fri" (ranges may wrap: "sat-mon"); 0 if
 * the text is not a day or a range. */
static unsigned day_bits(const char *spec)
{
    char a[16] = "", b[16] = "";
    int d0, d1, n = 0;
    unsigned mask = 0;
    if (sscanf(spec, "%15[A-Za-z]-%15[A-Za-z]%n", a, b, &n) == 2 && spec[n] == '\0') {
        d0 = rtm_job_parse_day(a);
        d1 = rtm_job_parse_day(b);
    } else {
        d0 = d1 = rtm_job_parse_day(spec);
    }
    if (d0 < 0 || d1 < 0)
        return 0;
    for (int d = d0;; d = (d + 1) % 7) {
        mask |= 1u << d;
        if (d == d1)
            break;
    }
    return mask;
}

#define DAY_HINT "expected mon, tue, wed, thu, fri, sat, sun or a range such as mon-fri"

/* days: [fri, sat] or "mon-fri" ranges */
static unsigned read_days(rtm_ydoc *y, yaml_node_t *w)
{
    char **v = NULL;
    int nv = 0;
    unsigned mask = 0;
    yaml_node_t *dn = rtm_yrequire(y, w, "days", "hours[]");
    if (!dn || rtm_ystrlist(y, w, "days", &v, &nv))
        return 0;
    for (int i = 0; i < nv; i++) {
        unsigned bits = day_bits(v[i]);
        if (!bits)
            rtm_yerr(y, dn, "unknown day '%s' (" DAY_HINT ")", v[i]);
        mask |= bits;
    }
    rtm_ystrv_free(v, nv);
    return mask;
}

/* The short form "fri-sat 20:00-04:00" (days: comma-separated days/ranges). */
static int read_hours_text(rtm_ydoc *y, yaml_node_t *w, rtm_job_hours *h)
{
    const char *s = rtm_yscalar(w);
    char days[64], from[8], to[8], *save = NULL;
    int n = 0;
    if (sscanf(s, "%63s %7[0-9:]-%7[0-9:]%n", days, from, to, &n) != 3 || s[n] != '\0') {
        rtm_yerr(y, w, "an hours window must look like 'fri-sat 20:00-04:00' or be a mapping "
                       "(days, from, to) (got '%s')", s);
        return -1;
    }
    h->days_mask = 0;
    for (char *d = strtok_r(days, ",", &save); d; d = strtok_r(NULL, ",", &save)) {
        unsigned bits = day_bits(d);
        if (!bits) {
            rtm_yerr(y, w, "unknown day '%s' (" DAY_HINT ")", d);
            return -1;
        }
        h->days_mask |= bits;
    }
    h->start_min = rtm_job_parse_hhmm(from);
    h->end_min = rtm_job_parse_hhmm(to);
    if (h->start_min < 0 || h->start_min == 1440 || h->end_min < 0) {
        rtm_yerr(y, w, "times must be HH:MM, from 00:00 to 24:00, start before 24:00 (got '%s')", s);
        return -1;
    }
    return 0;
}

static int read_time(rtm_ydoc *y, yaml_node_t *w, const char *key)
{
    yaml_node_t *n = rtm_yrequire(y, w, key, "hours[]");
    if (!n)
        return -1;
    int t = rtm_job_parse_hhmm(rtm_yscalar(n));
    if (t < 0)
        rtm_yerr(y, n, "'%s' must be a time HH:MM between 00:00 and 24:00 (got '%s')", key,
                 rtm_yscalar(n) ? rtm_yscalar(n) : "a non-scalar");
    return t;
}

static void read_hours(rtm_ydoc *y, yaml_node_t *n, rtm_job_offences *o)
{
    if (n->type != YAML_SEQUENCE_NODE) {
        rtm_yerr(y, n, "'hours' must be a list of windows (- days: [fri, sat], from: \"20:00\", "
                       "to: \"04:00\")");
        return;
    }
    int cnt = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
    o->hours = calloc((size_t)cnt + 1, sizeof *o->hours);
    if (!o->hours)
        return;
    for (int i = 0; i < cnt; i++) {
        yaml_node_t *w = yaml_document_get_node(&y->doc, n->data.sequence.items.start[i]);
        if (rtm_yscalar(w)) {
            rtm_job_hours h;
            if (read_hours_text(y, w, &h) == 0)
                o->hours[o->nhours++] = h;
            continue;
        }
        if (rtm_yexpect_map(y, w, "hours[]"))
            continue;
        rtm_ycheck_keys(y, w, "hours[]", hours_keys);
        rtm_job_hours h = {read_days(y, w), read_time(y, w, "from"), read_time(y, w, "to")};
        if (h.start_min == 1440) {
            rtm_yerr(y, rtm_yget(y, w, "from"), "'from' must be before 24:00");
            continue;
        }
        if (h.days_mask && h.start_min >= 0 && h.end_min >= 0)
            o->hours[o->nhours++] = h;
    }
}

static void read_harm(rtm_ydoc *y, yaml_node_t *n, rtm_job_harm *h)
{
    if (rtm_yexpect_map(y, n, "harm"))
        return;
    rtm_ycheck_keys(y, n, "harm", harm_keys);
    h->default_weight = 1.0;
    rtm_ystr(y, n, "field", &h->field);
    rtm_ynum(y, n, "default", 0, RTM_JOB_MAX_WEIGHT, &h->default_weight);
    yaml_node_t *w = rtm_yrequire(y, n, "weights", "harm");
    if (!w || rtm_yexpect_map(y, w, "harm.weights"))
        return;
    int cnt = (int)(w->data.mapping.pairs.top - w->data.mapping.pairs.start);
    h->category = calloc((size_t)cnt + 1, sizeof *h->category);
    h->weight = calloc((size_t)cnt + 1, sizeof *h->weight);
    if (!h->category || !h->weight)
        return;
    for (int i = 0; i < cnt; i++) {
        yaml_node_pair_t *p = &w->data.mapping.pairs.start[i];
        const char *cat = rtm_yscalar(yaml_document_get_node(&y->doc, p->key));
        double v = -1;
        if (!cat || rtm_ynum(y, w, cat, 0, RTM_JOB_MAX_WEIGHT, &v) || v < 0)
            continue;
        for (int k = 0; k < h->n; k++)
            if (strcmp(h->category[k], cat) == 0)
                rtm_yerr(y, yaml_document_get_node(&y->doc, p->key),
                         "duplicate harm category '%s'", cat);
        if ((h->category[h->n] = strdup(cat)))
            h->weight[h->n++] = v;
    }
}

static void check_fields(rtm_ydoc *y, yaml_node_t *n, rtm_job_offences *o)
{
    for (int i = 0; i < o->nsources; i++) {
        const rtm_job_source *s = &o->sources[i];
        if (o->ntypes && !s->type_field)
            rtm_yerr(y, rtm_yget(y, n, "types"), "'types' needs 'type_field' in every source "
                                                 "(source %d has none)", i + 1);
        if (o->window != RTM_WINDOW_ALL && !s->date_field)
            rtm_yerr(y, n, "a date window needs 'date_field' in every source (source %d has none)",
                     i + 1);
        if (rtm_yget(y, n, "hours") && !s->time_field)
            rtm_yerr(y, rtm_yget(y, n, "hours"),
                     "'hours' needs 'time_field' (and a full date in 'date_field') in every "
                     "source (source %d has none)", i + 1);
        if (o->has_harm && !o->harm.field && !s->type_field)
            rtm_yerr(y, rtm_yget(y, n, "harm"),
                     "'harm' needs 'harm.field' or 'type_field' in every source (source %d has none)",
                     i + 1);
    }
}

void rtm_job_read_offences(rtm_ydoc *y, yaml_node_t *n, rtm_job_offences *o)
{
    if (rtm_yexpect_map(y, n, "offences"))
        return;
    rtm_ycheck_keys(y, n, "offences", offence_keys);
    yaml_node_t *src = rtm_yrequire(y, n, "sources", "offences");
    if (src)
        read_sources(y, src, o);
    rtm_ystrlist(y, n, "types", &o->types, &o->ntypes);
    read_dates(y, n, o);
    if (rtm_yget(y, n, "hours"))
        read_hours(y, rtm_yget(y, n, "hours"), o);
    if (rtm_yget(y, n, "harm")) {
        o->has_harm = 1;
        read_harm(y, rtm_yget(y, n, "harm"), &o->harm);
    }
    o->allow_empty = 0;
    rtm_ybool(y, n, "allow_empty", &o->allow_empty);
    check_fields(y, n, o);
}
