/* catalog.c: load the catalogue of named risk layers (see rtm/job.h). */
#include "rtm/job.h"
#include "job/job_internal.h"
#include "job/yaml_doc.h"

#include "rtm/input.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const layer_keys[] = {
    "name", "title", "description", "file", "layer", "x_field", "y_field", "crs",
    "where", "match", "operationalization", "max_blocks", "increment", "protective",
    "attribution", "licence", NULL};

static const char *const oper_names[] = {"auto", "proximity", "density", "both", NULL};

const char *rtm_oper_name(rtm_oper op)
{
    return op >= RTM_OPER_AUTO && op <= RTM_OPER_BOTH ? oper_names[op] : "?";
}

static void layer_clear(rtm_catalog_layer *l)
{
    free(l->name);
    free(l->title);
    free(l->description);
    free(l->def_path);
    rtm_ystrv_free(l->files, l->nfiles);
    free(l->layer);
    free(l->x_field);
    free(l->y_field);
    free(l->crs);
    free(l->where);
    free(l->attribution);
    free(l->licence);
    memset(l, 0, sizeof *l);
}

void rtm_catalog_free(rtm_catalog *cat)
{
    if (!cat)
        return;
    for (int i = 0; i < cat->n; i++)
        layer_clear(&cat->layers[i]);
    free(cat->layers);
    for (int i = 0; i < cat->nbroken; i++) {
        free(cat->broken[i].name);
        free(cat->broken[i].def_path);
        rtm_msgs_free(&cat->broken[i].errs);
    }
    free(cat->broken);
    free(cat->dir);
    free(cat);
}

const rtm_catalog_broken *rtm_catalog_find_broken(const rtm_catalog *cat, const char *name)
{
    for (int i = 0; cat && name && i < cat->nbroken; i++)
        if (strcmp(cat->broken[i].name, name) == 0)
            return &cat->broken[i];
    return NULL;
}

const rtm_catalog_layer *rtm_catalog_find(const rtm_catalog *cat, const char *name)
{
    for (int i = 0; cat && name && i < cat->n; i++)
        if (strcmp(cat->layers[i].name, name) == 0)
            return &cat->layers[i];
    return NULL;
}

/* Append s to a growing string (NULL on no memory; frees the old string). */
static char *cat_str(char *dst, const char *s)
{
    size_t a = dst ? strlen(dst) : 0, b = strlen(s);
    char *r = realloc(dst, a + b + 1);
    if (!r) {
        free(dst);
        return NULL;
    }
    memcpy(r + a, s, b + 1);
    return r;
}

/* s quoted for OGR SQL: identifiers in "..", literals in '..' (the quote
 * character doubled, as SQL-92 5.3 prescribes). */
static char *sql_quote(char *dst, const char *s, char q)
{
    char one[2] = {q, 0};
    dst = cat_str(dst, one);
    for (; dst && *s; s++) {
        char c[3] = {*s, 0, 0};
        if (*s == q)
            c[1] = q;
        dst = cat_str(dst, c);
    }
    return dst ? cat_str(dst, one) : NULL;
}

/* `match: {field: [v1, v2], ...}` as "field" IN ('v1', 'v2') AND ... */
static int match_sql(rtm_ydoc *y, yaml_node_t *m, char **out)
{
    char *sql = NULL;
    if (rtm_yexpect_map(y, m, "match"))
        return -1;
    int nerr = y->nerr;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const char *field = rtm_yscalar(yaml_document_get_node(&y->doc, p->key));
        char **vals = NULL;
        int nv = 0;
        if (!field || rtm_ystrlist(y, m, field, &vals, &nv) || nv == 0) {
            if (field && nv == 0 && y->nerr == nerr)
                rtm_yerr(y, yaml_document_get_node(&y->doc, p->value),
                         "'match.%s' needs at least one value", field);
            rtm_ystrv_free(vals, nv);
            continue;
        }
        if (sql)
            sql = cat_str(sql, " AND ");
        sql = sql_quote(sql ? sql : strdup(""), field, '"');
        sql = cat_str(sql, " IN (");
        for (int i = 0; sql && i < nv; i++) {
            sql = sql_quote(i ? cat_str(sql, ", ") : sql, vals[i], '\'');
        }
        sql = sql ? cat_str(sql, ")") : NULL;
        rtm_ystrv_free(vals, nv);
        if (!sql)
            return -1;
    }
    *out = sql;
    return y->nerr == nerr ? 0 : -1;
}

/* where = (where) AND (match) */
static int build_where(rtm_ydoc *y, yaml_node_t *root, rtm_catalog_layer *l)
{
    char *w = NULL, *m = NULL;
    yaml_node_t *mn = rtm_yget(y, root, "match");
    if (rtm_ystr(y, root, "where", &w) || (mn && match_sql(y, mn, &m))) {
        free(w);
        free(m);
        return -1;
    }
    if (w && m) {
        char *both = NULL;
        if (asprintf(&both, "(%s) AND (%s)", w, m) < 0)
            both = NULL;
        free(w);
        free(m);
        l->where = both;
        return both ? 0 : -1;
    }
    l->where = w ? w : m;
    return 0;
}

static int read_files(rtm_ydoc *y, yaml_node_t *root, rtm_catalog_layer *l)
{
    char **pats = NULL;
    int np = 0, rc = 0;
    yaml_node_t *fn = rtm_yrequire(y, root, "file", "layer");
    if (!fn || rtm_ystrlist(y, root, "file", &pats, &np))
        return -1;
    for (int i = 0; i < np; i++) {
        char *abs = rtm_yresolve(y, pats[i]);
        char **fs = NULL;
        int nf = 0;
        if (!abs || rtm_yglob(y, fn, abs, &fs, &nf)) {
            free(abs);
            rc = -1;
            continue;
        }
        char **v = realloc(l->files, (size_t)(l->nfiles + nf) * sizeof *v);
        if (v) {
            memcpy(v + l->nfiles, fs, (size_t)nf * sizeof *v);
            l->files = v;
            l->nfiles += nf;
            free(fs);
        } else {
            rtm_ystrv_free(fs, nf);
            rc = -1;
        }
        free(abs);
    }
    rtm_ystrv_free(pats, np);
    return rc;
}

/* The data files open, have the named fields, and accept the filter
 * (headers only). The match-built filter is reported at 'match' or 'where'. */
static void check_data(rtm_ydoc *y, yaml_node_t *root, const rtm_catalog_layer *l)
{
    static const char *const keys[] = {"x_field", "y_field"};
    const char *fields[] = {l->x_field, l->y_field};
    if (y->nerr)
        return;
    if (l->crs && rtm_crs_is_geographic(l->crs) < 0)
        rtm_yerr(y, rtm_yget(y, root, "crs"), "'crs' is not a known coordinate reference "
                                              "system (got '%s')", l->crs);
    for (int i = 0; i < l->nfiles && !y->nerr; i++)
        rtm_job_check_file(y, root, l->files[i], l->layer, l->where, 2, keys, fields);
}

static char *file_stem(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    const char *dot = strrchr(b, '.');
    return strndup(b, dot ? (size_t)(dot - b) : strlen(b));
}

/* Parse one layer file into l. Returns 0 when it had no problem. */
static int load_layer(const char *path, rtm_catalog_layer *l, rtm_msgs *errs)
{
    rtm_ydoc y;
    int oper = RTM_OPER_AUTO, incr = -1;
    long long maxb = 0;
    memset(l, 0, sizeof *l);
    if (rtm_ydoc_open(&y, path, errs)) {
        rtm_ydoc_close(&y);
        return -1;
    }
    yaml_node_t *root = rtm_ydoc_root(&y);
    if (rtm_yexpect_map(&y, root, "layer") == 0) {
        rtm_ycheck_keys(&y, root, "layer", layer_keys);
        rtm_ystr(&y, root, "name", &l->name);
        rtm_ystr(&y, root, "title", &l->title);
        rtm_ystr(&y, root, "description", &l->description);
        read_files(&y, root, l);
        rtm_ystr(&y, root, "layer", &l->layer);
        rtm_ystr(&y, root, "x_field", &l->x_field);
        rtm_ystr(&y, root, "y_field", &l->y_field);
        rtm_ystr(&y, root, "crs", &l->crs);
        build_where(&y, root, l);
        rtm_yvocab(&y, root, "operationalization", "operationalization", &oper);
        rtm_yint(&y, root, "max_blocks", 1, 20, &maxb);
        int half = -1;
        rtm_yvocab(&y, root, "increment", "increment", &half);
        incr = half < 0 ? -1 : half ? RTM_INCR_HALF : RTM_INCR_WHOLE;
        rtm_ybool(&y, root, "protective", &l->protective);
        rtm_ystr(&y, root, "attribution", &l->attribution);
        rtm_ystr(&y, root, "licence", &l->licence);
        if (!l->x_field != !l->y_field)
            rtm_yerr(&y, root, "'x_field' and 'y_field' must be given together");
        check_data(&y, root, l);
    }
    l->oper = (rtm_oper)oper;
    l->increment = incr;
    l->max_blocks = (int)maxb;
    l->def_path = strdup(path);
    if (!l->name)
        l->name = file_stem(path);
    if (!l->title)
        l->title = rtm_ystrdup(l->name);
    int bad = y.nerr;
    rtm_ydoc_close(&y);
    return bad || !l->def_path || !l->name || !l->title ? -1 : 0;
}

static int is_yaml(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
                              (n > 4 && strcmp(name + n - 4, ".yml") == 0));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_layer(const void *a, const void *b)
{
    return strcmp(((const rtm_catalog_layer *)a)->name, ((const rtm_catalog_layer *)b)->name);
}

/* Sorted list of the YAML files of dir. */
static int list_yaml(const char *dir, char ***out, int *n, rtm_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return rtm_error_set(err, RTM_ERR_IO, "catalog: cannot open '%s': %s", dir,
                             strerror(errno));
    char **v = NULL;
    int k = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_yaml(e->d_name))
            continue;
        char **nv = realloc(v, (size_t)(k + 1) * sizeof *v);
        if (!nv || asprintf(&nv[k], "%s/%s", dir, e->d_name) < 0) {
            closedir(d);
            rtm_ystrv_free(nv ? nv : v, k);
            return rtm_error_set(err, RTM_ERR_NOMEM, "catalog: out of memory");
        }
        v = nv;
        k++;
    }
    closedir(d);
    if (k)
        qsort(v, (size_t)k, sizeof *v, cmp_str);
    *out = v;
    *n = k;
    return 0;
}

static int load(const char *dir, rtm_catalog **out, rtm_msgs *errs, int strict,
                rtm_error *err)
{
    rtm_msgs local = {0};
    rtm_msgs *m = errs ? errs : &local;
    int first = m->n, nfiles = 0, rc;
    char **files = NULL;
    if ((rc = list_yaml(dir, &files, &nfiles, err)))
        return rc;
    rtm_catalog *cat = calloc(1, sizeof *cat);
    if (cat)
        cat->layers = calloc((size_t)nfiles + 1, sizeof *cat->layers);
    if (!cat || !cat->layers || !(cat->dir = strdup(dir))) {
        rtm_catalog_free(cat);
        rtm_ystrv_free(files, nfiles);
        return rtm_error_set(err, RTM_ERR_NOMEM, "catalog: out of memory");
    }
    cat->broken = calloc((size_t)nfiles + 1, sizeof *cat->broken);
    for (int i = 0; cat->broken && i < nfiles; i++) {
        rtm_catalog_layer *l = &cat->layers[cat->n];
        rtm_msgs mine = {0};
        int bad = load_layer(files[i], l, &mine);
        if (!bad && rtm_catalog_find(cat, l->name)) {
            rtm_msgs_add(&mine, "%s:1:1: duplicate layer name '%s' (also in '%s')", files[i],
                         l->name, rtm_catalog_find(cat, l->name)->def_path);
            bad = 1;
        }
        for (int k = 0; k < mine.n; k++)
            rtm_msgs_add(m, "%s", mine.msg[k]);
        if (bad && !rtm_catalog_find(cat, l->name)) {
            rtm_catalog_broken *b = &cat->broken[cat->nbroken++];
            b->name = l->name ? strdup(l->name) : file_stem(files[i]);
            b->def_path = strdup(files[i]);
            b->errs = mine;
        } else {
            rtm_msgs_free(&mine);
        }
        if (bad)
            layer_clear(l);
        else
            cat->n++;
    }
    if (!cat->broken) {
        rtm_catalog_free(cat);
        rtm_ystrv_free(files, nfiles);
        return rtm_error_set(err, RTM_ERR_NOMEM, "catalog: out of memory");
    }
    rtm_ystrv_free(files, nfiles);
    if (cat->n > 1)
        qsort(cat->layers, (size_t)cat->n, sizeof *cat->layers, cmp_layer);
    if (strict && m->n > first) {
        rtm_error_set(err, RTM_ERR_INPUT, "%s", m->msg[first]);
        rtm_catalog_free(cat);
        rtm_msgs_free(&local);
        return RTM_ERR_INPUT;
    }
    rtm_msgs_free(&local);
    *out = cat;
    return 0;
}

int rtm_catalog_load(const char *dir, rtm_catalog **out, rtm_msgs *errs, rtm_error *err)
{
    return load(dir, out, errs, 1, err);
}

int rtm_catalog_load_lenient(const char *dir, rtm_catalog **out, rtm_msgs *errs,
                             rtm_error *err)
{
    return load(dir, out, errs, 0, err);
}
