/* run_unit_state.c: the state of one unit of a run (rtm/jobunits.h) - what
 * the finish step needs of a surface besides its files: its values, map,
 * GeoTIFF and units names, the model's table and tiers, priority places,
 * back-test figures, cache counts and the list of its output files with
 * their sizes. Written by the process that computed the unit, read by the
 * one that finishes the run (the same rtm version: the run's unit id holds
 * it), so the text is simple: one record a line, numbers as C99 hex floats
 * ("%a", exact both ways), strings percent-encoded after a '='. The values
 * are native doubles in a file of their own (as the cache's .f64). */
#include "run/run_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef RTM_VERSION
#define RTM_VERSION "unknown"
#endif

#define STATE ".rtm-unit"
#define VALUES ".rtm-unit.f64"
#define LINE_MAX_LEN 8192

/* " =text": bytes that would split a record (space, control, '%', DEL and
 * above) as %XX. */
static void put_str(FILE *fp, const char *s)
{
    fputs(" =", fp);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        if (*p <= ' ' || *p == '%' || *p >= 0x7f)
            fprintf(fp, "%%%02X", *p);
        else
            fputc(*p, fp);
}

/* Decode "=text" in place; NULL when tok is not a string field. */
static char *get_str(char *tok)
{
    char *w, *r;
    if (!tok || tok[0] != '=')
        return NULL;
    for (w = tok, r = tok + 1; *r; r++) {
        unsigned v;
        if (*r == '%' && r[1] && r[2] && sscanf(r + 1, "%2x", &v) == 1) {
            *w++ = (char)v;
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return tok;
}

static char *path_in(const char *dir, const char *name)
{
    char *p;
    return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

static void put_model(FILE *fp, const rtm_model *m)
{
    fprintf(fp, "msum %d\n", m->sw.k);
    for (int j = 0; j < m->sw.k; j++) {
        fputs("rrv", fp);
        put_str(fp, m->vars->var[m->sw.cols[j]].name);
        fprintf(fp, " %a %a\n", m->sw.fit.beta[j], m->sw.fit.p[j]);
    }
    for (int t = 0; t < RTM_NTIERS; t++) {
        const rtm_tier_stats *s = &m->tiers[t];
        fprintf(fp, "tier %d %zu %a %a %a %a %a\n", t, s->cells, s->area_share, s->events,
                s->event_share, s->rate_ratio, s->lower);
    }
}

static void put_bt(FILE *fp, const rtm_bt_summary *b)
{
    fprintf(fp, "bt %d %d %d %d %d", b->done, b->nsteps, b->first_test, b->last_test, b->nsurf);
    put_str(fp, b->why);
    fputc('\n', fp);
    for (int k = 0; k < b->nsurf && k < RTM_BT_SUMMARY_MAX; k++) {
        fprintf(fp, "btsurf %d %a %a %a", k, b->pai[k][0], b->pai[k][1], b->pai[k][2]);
        put_str(fp, b->name[k]);
        fputc('\n', fp);
    }
}

static void put_surface(FILE *fp, const rtm_jr *r, const rtm_jr_surf *o)
{
    fputs("surface", fp);
    put_str(fp, o->js->name);
    fprintf(fp, " %d\nmap", (int)o->js->type);
    put_str(fp, o->map);
    fputs("\nunits", fp);
    put_str(fp, o->units);
    fputs("\ntif", fp);
    put_str(fp, o->tif);
    fprintf(fp, "\nvalues %d %zu\n", o->v != NULL, r->ncells);
    put_bt(fp, &o->bt);
    if (o->model)
        put_model(fp, o->model);
    fprintf(fp, "places %d\n", o->places ? o->nplaces : 0);
    for (int i = 0; o->places && i < o->nplaces; i++) {
        const rtm_place *p = &o->places[i];
        fprintf(fp, "place %d %zu %a %a %a %a %a %a\n", p->rank, p->cells, p->area,
                p->max_score, p->mean_score, p->events, p->cx, p->cy);
    }
}

static int write_values(const rtm_jr *r, const double *v, const char *dir, rtm_error *err)
{
    char *p = path_in(dir, VALUES);
    FILE *fp = p ? fopen(p, "wbx") : NULL;
    int ok = fp && fwrite(v, sizeof *v, r->ncells, fp) == r->ncells;
    ok = fp && fclose(fp) == 0 && ok;
    if (!ok)
        rtm_error_set(err, RTM_ERR_IO, "run: cannot write '%s': %s", p ? p : dir,
                      strerror(errno));
    free(p);
    return ok ? 0 : RTM_ERR_IO;
}

int rtm_jr_state_write(rtm_jr *r, int i, const char *dir, double seconds, int hits,
                       int misses, rtm_error *err)
{
    const rtm_jr_surf *o = &r->surf[i];
    char *p = path_in(dir, STATE);
    FILE *fp = p ? fopen(p, "wx") : NULL;
    int rc = 0;
    if (!fp) {
        rc = rtm_error_set(err, RTM_ERR_IO, "run: cannot write '%s': %s", p ? p : dir,
                           strerror(errno));
        free(p);
        return rc;
    }
    fprintf(fp, "rtm-unit 1");
    put_str(fp, RTM_VERSION);
    fprintf(fp, "\nseconds %a\ncache %d %d %d\n", seconds, hits, misses, o->cached);
    put_surface(fp, r, o);
    for (int k = 0; k < r->noutputs && !rc; k++) {
        struct stat sb;
        char *f;
        int seen = 0;
        for (int j = 0; j < k && !seen; j++) /* registered twice: a cache fetch that */
            seen = !strcmp(r->outputs[j], r->outputs[k]); /* failed, then computed */
        if (seen)
            continue;
        f = path_in(dir, r->outputs[k]);
        if (!f || stat(f, &sb) != 0 || !S_ISREG(sb.st_mode))
            rc = rtm_error_set(err, RTM_ERR_IO, "run: output '%s' was not written",
                               r->outputs[k]);
        else
            fprintf(fp, "output %lld", (long long)sb.st_size), put_str(fp, r->outputs[k]),
                fputc('\n', fp);
        free(f);
    }
    fputs("end\n", fp);
    int bad = ferror(fp);
    if ((fclose(fp) != 0 || bad) && !rc)
        rc = rtm_error_set(err, RTM_ERR_IO, "run: cannot write '%s'", p);
    free(p);
    if (!rc && o->v)
        rc = write_values(r, o->v, dir, err);
    return rc;
}

/* ---- reading ------------------------------------------------------------- */

typedef struct reader {
    rtm_jr *r;
    rtm_jr_surf *o;
    char **outs;
    int nouts, values, end, nrrv, nplace, bad;
    int probe;  /* completeness only: values not read, grid size not known */
} reader;

static double num(char *t)
{
    return t ? strtod(t, NULL) : 0;
}

static long long whole(char *t)
{
    return t ? strtoll(t, NULL, 10) : 0;
}

static void copy_str(char *dst, size_t n, char *tok, reader *rd)
{
    char *s = get_str(tok);
    if (!s)
        rd->bad = 1;
    else
        snprintf(dst, n, "%s", s);
}

static int read_model(reader *rd, char **t)
{
    rtm_jr_msum *m = rd->o->msum;
    if (!strcmp(t[0], "msum")) {
        int k = (int)whole(t[1]);
        if (m || k < 0 || k > 100000 || !(m = rd->o->msum = calloc(1, sizeof *m)))
            return rd->bad = 1;
        m->k = k;
        m->name = calloc((size_t)(k ? k : 1), sizeof *m->name);
        m->beta = calloc((size_t)(k ? k : 1), sizeof *m->beta);
        m->p = calloc((size_t)(k ? k : 1), sizeof *m->p);
        return rd->bad = !m->name || !m->beta || !m->p;
    }
    if (!strcmp(t[0], "rrv")) {
        if (!m || rd->nrrv >= m->k)
            return rd->bad = 1;
        copy_str(m->name[rd->nrrv], sizeof m->name[0], t[1], rd);
        m->beta[rd->nrrv] = num(t[2]);
        m->p[rd->nrrv++] = num(t[3]);
        return 0;
    }
    int tier = (int)whole(t[1]);
    if (!m || tier < 0 || tier >= RTM_NTIERS)
        return rd->bad = 1;
    m->tiers[tier] = (rtm_tier_stats){(size_t)whole(t[2]), num(t[3]), num(t[4]), num(t[5]),
                                      num(t[6]), num(t[7])};
    return 0;
}

static int read_place(reader *rd, char **t)
{
    rtm_jr_surf *o = rd->o;
    if (!strcmp(t[0], "places")) {
        int n = (int)whole(t[1]);
        if (o->places || n < 0 || n > 10000000)
            return rd->bad = 1;
        o->nplaces = n;
        return rd->bad = n > 0 && !(o->places = calloc((size_t)n, sizeof *o->places));
    }
    if (rd->nplace >= o->nplaces)
        return rd->bad = 1;
    o->places[rd->nplace++] = (rtm_place){(int)whole(t[1]), (size_t)whole(t[2]), num(t[3]),
                                          num(t[4]), num(t[5]), num(t[6]), num(t[7]),
                                          num(t[8])};
    return 0;
}

static int read_bt(reader *rd, char **t)
{
    rtm_bt_summary *b = &rd->o->bt;
    if (!strcmp(t[0], "bt")) {
        b->done = (int)whole(t[1]), b->nsteps = (int)whole(t[2]);
        b->first_test = (int)whole(t[3]), b->last_test = (int)whole(t[4]);
        b->nsurf = (int)whole(t[5]);
        copy_str(b->why, sizeof b->why, t[6], rd);
        return rd->bad |= b->nsurf < 0 || b->nsurf > RTM_BT_SUMMARY_MAX;
    }
    int k = (int)whole(t[1]);
    if (k < 0 || k >= RTM_BT_SUMMARY_MAX)
        return rd->bad = 1;
    for (int c = 0; c < 3; c++)
        b->pai[k][c] = num(t[2 + c]);
    copy_str(b->name[k], sizeof b->name[k], t[5], rd);
    return 0;
}

static int read_output(reader *rd, char **t)
{
    char *name = get_str(t[2]), *entry = NULL, **no;
    if (!name || !t[1] || asprintf(&entry, "%s %s", t[1], name) < 0)
        return rd->bad = 1;
    if (!(no = realloc(rd->outs, (size_t)(rd->nouts + 1) * sizeof *no))) {
        free(entry);
        return rd->bad = 1;
    }
    rd->outs = no;
    no[rd->nouts++] = entry;
    return 0;
}

/* One record; t[0] is its key, t[1..] its fields (NULL past the end). */
static void read_line(reader *rd, char **t)
{
    rtm_jr_surf *o = rd->o;
    const char *k = t[0];
    if (!strcmp(k, "rtm-unit")) {
        char *v = get_str(t[2]);
        rd->bad |= whole(t[1]) != 1 || !v || strcmp(v, RTM_VERSION);
    } else if (!strcmp(k, "seconds")) {
        o->seconds = num(t[1]);
    } else if (!strcmp(k, "cache")) {
        rd->r->cache_hits += (int)whole(t[1]);
        rd->r->cache_misses += (int)whole(t[2]);
        o->cached = (int)whole(t[3]);
    } else if (!strcmp(k, "surface")) {
        char *name = get_str(t[1]);
        rd->bad |= !name || strcmp(name, o->js->name) || whole(t[2]) != (long long)o->js->type;
    } else if (!strcmp(k, "map")) {
        copy_str(o->map, sizeof o->map, t[1], rd);
    } else if (!strcmp(k, "units")) {
        copy_str(o->units, sizeof o->units, t[1], rd);
    } else if (!strcmp(k, "tif")) {
        copy_str(o->tif, sizeof o->tif, t[1], rd);
    } else if (!strcmp(k, "values")) {
        rd->values = (int)whole(t[1]);
        rd->bad |= !rd->probe && (size_t)whole(t[2]) != rd->r->ncells;
    } else if (!strcmp(k, "bt") || !strcmp(k, "btsurf")) {
        read_bt(rd, t);
    } else if (!strcmp(k, "msum") || !strcmp(k, "rrv") || !strcmp(k, "tier")) {
        read_model(rd, t);
    } else if (!strcmp(k, "places") || !strcmp(k, "place")) {
        read_place(rd, t);
    } else if (!strcmp(k, "output")) {
        read_output(rd, t);
    } else if (!strcmp(k, "end")) {
        rd->end = 1;
    } else {
        rd->bad = 1;
    }
}

static int read_values(rtm_jr *r, rtm_jr_surf *o, const char *dir)
{
    char *p = path_in(dir, VALUES);
    FILE *fp = p ? fopen(p, "rb") : NULL;
    int ok = fp && (o->v = malloc(r->ncells * sizeof *o->v)) &&
             fread(o->v, sizeof *o->v, r->ncells, fp) == r->ncells && fgetc(fp) == EOF;
    if (fp)
        fclose(fp);
    free(p);
    return ok ? 0 : -1;
}

static void reader_free(reader *rd)
{
    for (int k = 0; k < rd->nouts; k++)
        free(rd->outs[k]);
    free(rd->outs);
    rd->outs = NULL, rd->nouts = 0;
}

/* Parse dir's state into rd (rd->o zeroed first); 0 when complete. */
static int parse(reader *rd, const char *dir)
{
    char *p = path_in(dir, STATE), *line = malloc(LINE_MAX_LEN);
    FILE *fp = p && line ? fopen(p, "r") : NULL;
    long n = 0;
    while (fp && !rd->bad && !rd->end && n++ < 100000000L && fgets(line, LINE_MAX_LEN, fp)) {
        char *t[12] = {0}, *save = NULL;
        size_t len = strlen(line);
        if (!len || line[len - 1] != '\n') {
            rd->bad = 1;
            break;
        }
        line[len - 1] = '\0';
        t[0] = strtok_r(line, " ", &save);
        for (int j = 1; t[0] && j < 11; j++)
            t[j] = strtok_r(NULL, " ", &save);
        if (t[0])
            read_line(rd, t);
        else
            rd->bad = 1;
    }
    if (fp)
        fclose(fp);
    free(p);
    free(line);
    if (!fp || rd->bad || !rd->end || (rd->o->msum && rd->nrrv != rd->o->msum->k) ||
        rd->nplace != rd->o->nplaces)
        return -1;
    return rd->values && !rd->probe ? read_values(rd->r, rd->o, dir) : 0;
}

/* Every output listed ("SIZE NAME") is in dir with its size (and the
 * values file when there is one). */
static int files_present(const reader *rd, const char *dir)
{
    int ok = 1;
    for (int k = 0; k < rd->nouts && ok; k++) {
        char *end, *p = NULL;
        long long size = strtoll(rd->outs[k], &end, 10);
        struct stat sb;
        ok = *end == ' ' && (p = path_in(dir, end + 1)) && stat(p, &sb) == 0 &&
             S_ISREG(sb.st_mode) && (long long)sb.st_size == size;
        free(p);
    }
    if (ok && rd->values) {
        char *p = path_in(dir, VALUES);
        struct stat sb;
        ok = p && stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
        free(p);
    }
    return ok;
}

static void surf_clear(rtm_jr_surf *o)
{
    const rtm_job_surface *js = o->js;
    free(o->v);
    rtm_model_free(o->model);
    free(o->places);
    rtm_jr_msum_free(o->msum);
    memset(o, 0, sizeof *o);
    o->js = js;
}

int rtm_jr_state_read(rtm_jr *r, int i, const char *dir, char ***outs, int *nouts,
                      rtm_error *err)
{
    int hits = r->cache_hits, misses = r->cache_misses;
    reader rd = {r, &r->surf[i], NULL, 0, 0, 0, 0, 0, 0, 0};
    r->surf[i].js = &r->job->surfaces[i];
    surf_clear(&r->surf[i]);
    if (parse(&rd, dir)) {
        reader_free(&rd);
        surf_clear(&r->surf[i]);
        r->cache_hits = hits, r->cache_misses = misses;
        return rtm_error_set(err, RTM_ERR_IO, "run: unit of surface '%s' in '%s' is "
                             "incomplete or from another version of rtm (remove it and "
                             "compute it again)", r->job->surfaces[i].name, dir);
    }
    *outs = rd.outs;
    *nouts = rd.nouts;
    return 0;
}

int rtm_jr_state_complete(const rtm_jr *r, int i, const char *dir)
{
    rtm_jr tmp = *r; /* a scratch copy: its surface and counts only */
    rtm_jr_surf o = {0};
    reader rd = {&tmp, &o, NULL, 0, 0, 0, 0, 0, 0, 1};
    o.js = &r->job->surfaces[i];
    int ok = parse(&rd, dir) == 0 && files_present(&rd, dir);
    reader_free(&rd);
    surf_clear(&o);
    return ok;
}

void rtm_jr_msum_free(rtm_jr_msum *m)
{
    if (!m)
        return;
    free(m->name);
    free(m->beta);
    free(m->p);
    free(m);
}
