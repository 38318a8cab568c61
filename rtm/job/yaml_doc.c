/* yaml_doc.c: schema helpers over a libyaml document (see yaml_doc.h). */
#include "job/yaml_doc.h"
#include "rtm/product.h"
#include "core/gdal.h"

#include <cpl_vsi.h>
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *rtm_ystrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

void rtm_ystrv_free(char **v, int n)
{
    if (!v)
        return;
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

void rtm_yerr(rtm_ydoc *y, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t line = n ? n->start_mark.line + 1 : 1, col = n ? n->start_mark.column + 1 : 1;
    rtm_msgs_add(y->errs, "%s:%zu:%zu: %s", y->path, line, col, msg);
    y->nerr++;
}

void rtm_ywarn(rtm_ydoc *y, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    if (!y->warns)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t line = n ? n->start_mark.line + 1 : 1, col = n ? n->start_mark.column + 1 : 1;
    rtm_msgs_add(y->warns, "%s:%zu:%zu: warning: %s", y->path, line, col, msg);
}

int rtm_ycheck_name(rtm_ydoc *y, const yaml_node_t *n, const char *what, const char *name)
{
    int bad = !name || !name[0] || name[0] == '.';
    for (const char *c = name; !bad && *c; c++)
        bad = (unsigned char)*c < 0x20 || *c == 0x7f || strchr("/\\ :*?\"<>|", *c) != NULL;
    if (!bad)
        return 0;
    rtm_yerr(y, n, "%s '%s' must be a plain file name (no slashes, blanks, '..' or leading dot)",
             what, name ? name : "");
    return -1;
}

/* Bounds checked before libyaml sees the text: its scanner takes time
 * quadratic in the nesting of flow collections, so 100,000 '[' would hang. */
#define YDOC_MAX_BYTES (4L << 20)
#define YDOC_MAX_DEPTH 64

/* The whole file (at most YDOC_MAX_BYTES) in *buf. Returns 0, or -1 reported. */
static int slurp(rtm_ydoc *y, unsigned char **buf, size_t *len)
{
    FILE *f = fopen(y->path, "rb");
    unsigned char *b = NULL;
    int rc = -1;
    *buf = NULL;
    if (!f || !y->dir) {
        rtm_msgs_add(y->errs, "%s: cannot open: %s", y->path, y->dir ? strerror(errno) : "no memory");
        goto done;
    }
    if (!(b = malloc(YDOC_MAX_BYTES + 1))) {
        rtm_msgs_add(y->errs, "%s: cannot read: no memory", y->path);
        goto done;
    }
    *len = fread(b, 1, YDOC_MAX_BYTES + 1, f);
    if (ferror(f))
        rtm_msgs_add(y->errs, "%s: cannot read: %s", y->path, strerror(errno));
    else if (*len > YDOC_MAX_BYTES)
        rtm_msgs_add(y->errs, "%s: file is too large for a job or catalogue file "
                              "(more than %ld MiB)", y->path, YDOC_MAX_BYTES >> 20);
    else
        rc = 0;
done:
    if (f)
        fclose(f);
    if (rc == 0)
        *buf = b;
    else
        free(b);
    y->nerr += rc != 0;
    return rc;
}

/* A linear pre-scan of the nesting of flow collections: counts '[' and '{'
 * (less ']' and '}') outside comments and quoted scalars; a quote opens a
 * scalar only where a token can start (after a blank, a line start or one of
 * [ { , :). Reports the bracket that goes deeper than YDOC_MAX_DEPTH. */
static int check_depth(rtm_ydoc *y, const unsigned char *b, size_t len)
{
    size_t line = 1, col = 0;
    int depth = 0, quote = 0, comment = 0;
    unsigned char prev = '\n';
    for (size_t i = 0; i < len; prev = b[i++], col++) {
        unsigned char c = b[i];
        if (c == '\n') {
            line++, col = 0, comment = 0;
            prev = '\n';
            continue;
        }
        if (comment)
            continue;
        if (quote) {
            if (quote == '"' && c == '\\' && i + 1 < len && b[i + 1] != '\n')
                i++, col++;
            else if (c == quote)
                quote = 0;
            continue;
        }
        int token_start = strchr(" \t\r\n[{,:", prev) != NULL;
        if (c == '#' && strchr(" \t\r\n", prev))
            comment = 1;
        else if ((c == '\'' || c == '"') && token_start)
            quote = c;
        else if (c == '[' || c == '{') {
            if (++depth > YDOC_MAX_DEPTH) {
                rtm_msgs_add(y->errs, "%s:%zu:%zu: nested too deeply (more than %d levels "
                             "of [ ] and { })", y->path, line, col + 1, YDOC_MAX_DEPTH);
                y->nerr++;
                return -1;
            }
        } else if ((c == ']' || c == '}') && depth > 0)
            depth--;
    }
    return 0;
}

int rtm_ydoc_open(rtm_ydoc *y, const char *path, rtm_msgs *errs)
{
    yaml_parser_t p;
    unsigned char *buf;
    size_t len = 0;
    memset(y, 0, sizeof *y);
    y->path = path;
    y->errs = errs;
    y->dir = dir_of(path);
    if (slurp(y, &buf, &len))
        return -1;
    if (check_depth(y, buf, len)) {
        free(buf);
        return -1;
    }
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, buf, len);
    if (!yaml_parser_load(&p, &y->doc)) {
        rtm_msgs_add(errs, "%s:%zu:%zu: yaml syntax: %s%s%s", path,
                     p.problem_mark.line + 1, p.problem_mark.column + 1,
                     p.problem ? p.problem : "error", p.context ? " " : "",
                     p.context ? p.context : "");
        y->nerr++;
        yaml_parser_delete(&p);
        free(buf);
        return -1;
    }
    y->loaded = 1;
    yaml_parser_delete(&p);
    free(buf);
    return 0;
}

void rtm_ydoc_close(rtm_ydoc *y)
{
    if (y->loaded)
        yaml_document_delete(&y->doc);
    y->loaded = 0;
    free(y->dir);
    y->dir = NULL;
}

yaml_node_t *rtm_ydoc_root(rtm_ydoc *y)
{
    return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

const char *rtm_yscalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *node(rtm_ydoc *y, int i)
{
    return yaml_document_get_node(&y->doc, i);
}

yaml_node_t *rtm_yget(rtm_ydoc *y, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        const char *k = rtm_yscalar(node(y, p->key));
        if (k && strcmp(k, key) == 0)
            return node(y, p->value);
    }
    return NULL;
}

static const char *kind(const yaml_node_t *n)
{
    if (!n)
        return "nothing";
    switch (n->type) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

int rtm_yexpect_map(rtm_ydoc *y, yaml_node_t *n, const char *what)
{
    if (n && n->type == YAML_MAPPING_NODE)
        return 0;
    rtm_yerr(y, n, "'%s' must be a mapping of key: value (got %s)", what, kind(n));
    return -1;
}

/* Levenshtein edit distance, capped at 3 (enough to spot a misspelt key). */
int rtm_ynear(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    int row[64];
    if (nb >= 63 || (na > nb ? na - nb : nb - na) > 2)
        return 0;
    for (size_t j = 0; j <= nb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= nb; j++) {
            int up = row[j], best = diag + (tolower((unsigned char)a[i - 1]) !=
                                            tolower((unsigned char)b[j - 1]));
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[nb] <= 2;
}

/* An allowed key that k is probably a misspelling of, or NULL. */
static const char *suggest(const char *k, const char *const *allowed)
{
    for (int i = 0; k && allowed[i]; i++)
        if (rtm_ynear(k, allowed[i]))
            return allowed[i];
    return NULL;
}

int rtm_ycheck_keys(rtm_ydoc *y, yaml_node_t *map, const char *what,
                    const char *const *allowed)
{
    int bad = 0;
    if (!map || map->type != YAML_MAPPING_NODE)
        return 0;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = node(y, p->key);
        const char *k = rtm_yscalar(kn);
        int ok = 0;
        for (int i = 0; k && allowed[i]; i++)
            ok |= strcmp(k, allowed[i]) == 0;
        if (!ok) {
            char list[512] = "";
            size_t len = 0;
            for (int i = 0; allowed[i] && len < sizeof list; i++)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "",
                                        allowed[i]);
            const char *guess = suggest(k, allowed);
            char hint[96] = "";
            if (guess)
                snprintf(hint, sizeof hint, "; did you mean '%s'?", guess);
            rtm_yerr(y, kn, "unknown key '%s' in '%s' (expected one of: %s%s)",
                     k ? k : "(not a scalar)", what, list, hint);
            bad++;
            continue;
        }
        for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++)
            if (strcmp(rtm_yscalar(node(y, q->key)) ? rtm_yscalar(node(y, q->key)) : "", k) == 0) {
                rtm_yerr(y, kn, "duplicate key '%s' in '%s'", k, what);
                bad++;
                break;
            }
    }
    return bad;
}

yaml_node_t *rtm_yrequire(rtm_ydoc *y, yaml_node_t *map, const char *key, const char *what)
{
    yaml_node_t *v = rtm_yget(y, map, key);
    if (v || !map || map->type != YAML_MAPPING_NODE)
        return v;
    /* a misspelt key is already reported as unknown, with a suggestion */
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         p < map->data.mapping.pairs.top; p++) {
        const char *k = rtm_yscalar(node(y, p->key));
        if (k && rtm_ynear(k, key))
            return NULL;
    }
    rtm_yerr(y, map, "missing key '%s' in '%s'", key, what);
    return NULL;
}

/* the scalar at key, reporting other node kinds; *n gets the node */
static const char *scalar_at(rtm_ydoc *y, yaml_node_t *map, const char *key,
                             yaml_node_t **n, int *bad)
{
    *bad = 0;
    *n = rtm_yget(y, map, key);
    if (!*n)
        return NULL;
    const char *s = rtm_yscalar(*n);
    if (!s) {
        rtm_yerr(y, *n, "'%s' must be a single value (got %s)", key, kind(*n));
        *bad = 1;
    }
    return s;
}

int rtm_ystr(rtm_ydoc *y, yaml_node_t *map, const char *key, char **out)
{
    yaml_node_t *n;
    int bad;
    const char *s = scalar_at(y, map, key, &n, &bad);
    if (bad)
        return -1;
    if (!s)
        return 0;
    char *c = strdup(s);
    if (!c)
        return -1;
    free(*out);
    *out = c;
    return 0;
}

static int parse_double(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    while (*end == ' ')
        end++;
    return end != s && *end == '\0' && errno == 0 && isfinite(*v) ? 0 : -1;
}

int rtm_ynum(rtm_ydoc *y, yaml_node_t *map, const char *key, double lo, double hi,
             double *out)
{
    yaml_node_t *n;
    int bad;
    double v;
    const char *s = scalar_at(y, map, key, &n, &bad);
    if (bad || !s)
        return bad ? -1 : 0;
    if (parse_double(s, &v)) {
        rtm_yerr(y, n, "'%s' must be a number (got '%s')", key, s);
        return -1;
    }
    if (v < lo || v > hi) {
        if (lo > 0 && lo < 1e-100 && hi == HUGE_VAL)
            rtm_yerr(y, n, "'%s' must be > 0 (got %s)", key, s);
        else if (lo > 0 && lo < 1e-100)
            rtm_yerr(y, n, "'%s' must be > 0 and at most %g (got %s)", key, hi, s);
        else
            rtm_yerr(y, n, "'%s' must be between %g and %g (got %s)", key, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

int rtm_yint(rtm_ydoc *y, yaml_node_t *map, const char *key, long long lo, long long hi,
             long long *out)
{
    yaml_node_t *n;
    int bad;
    const char *s = scalar_at(y, map, key, &n, &bad);
    if (bad || !s)
        return bad ? -1 : 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno) {
        rtm_yerr(y, n, "'%s' must be a whole number (got '%s')", key, s);
        return -1;
    }
    if (v < lo || v > hi) {
        rtm_yerr(y, n, "'%s' must be between %lld and %lld (got %s)", key, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

int rtm_ybool(rtm_ydoc *y, yaml_node_t *map, const char *key, int *out)
{
    static const char *const t[] = {"true", "yes", "on", "1", NULL};
    static const char *const f[] = {"false", "no", "off", "0", NULL};
    yaml_node_t *n;
    int bad;
    const char *s = scalar_at(y, map, key, &n, &bad);
    if (bad || !s)
        return bad ? -1 : 0;
    for (int i = 0; t[i]; i++) {
        if (strcasecmp(s, t[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(s, f[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    rtm_yerr(y, n, "'%s' must be true or false (got '%s')", key, s);
    return -1;
}

int rtm_yenum(rtm_ydoc *y, yaml_node_t *map, const char *key, const char *const *choices,
              int *out)
{
    yaml_node_t *n;
    int bad;
    const char *s = scalar_at(y, map, key, &n, &bad);
    if (bad || !s)
        return bad ? -1 : 0;
    for (int i = 0; choices[i]; i++)
        if (strcasecmp(s, choices[i]) == 0) {
            *out = i;
            return 0;
        }
    char list[256] = "";
    size_t len = 0;
    for (int i = 0; choices[i] && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", choices[i]);
    rtm_yerr(y, n, "'%s' must be one of: %s (got '%s')", key, list, s);
    return -1;
}

int rtm_ystrlist(rtm_ydoc *y, yaml_node_t *map, const char *key, char ***out, int *n)
{
    yaml_node_t *v = rtm_yget(y, map, key);
    if (!v)
        return 0;
    if (v->type == YAML_SCALAR_NODE) {
        char **a = calloc(1, sizeof *a);
        if (!a || !(a[0] = strdup(rtm_yscalar(v)))) {
            free(a);
            return -1;
        }
        rtm_ystrv_free(*out, *n);
        *out = a;
        *n = 1;
        return 0;
    }
    if (v->type != YAML_SEQUENCE_NODE) {
        rtm_yerr(y, v, "'%s' must be a value or a list of values (got %s)", key, kind(v));
        return -1;
    }
    int cnt = (int)(v->data.sequence.items.top - v->data.sequence.items.start), k = 0;
    char **a = calloc((size_t)cnt + 1, sizeof *a);
    if (!a)
        return -1;
    int rc = 0;
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
         it++) {
        yaml_node_t *e = node(y, *it);
        const char *s = rtm_yscalar(e);
        if (!s) {
            rtm_yerr(y, e, "items of '%s' must be single values (got %s)", key, kind(e));
            rc = -1;
            continue;
        }
        if (!(a[k++] = strdup(s)))
            rc = -1;
    }
    if (rc) {
        rtm_ystrv_free(a, k);
        return -1;
    }
    rtm_ystrv_free(*out, *n);
    *out = a;
    *n = k;
    return 0;
}

char *rtm_yresolve(const rtm_ydoc *y, const char *path)
{
    char *r = NULL;
    if (strncmp(path, "/vsi", 4) == 0) {
        const char *rest = strchr(path + 1, '/');
        if (!rest || rest[1] == '/' || strchr(rest + 1, ':'))
            return strdup(path); /* /vsicurl/http://... and friends */
        char *inner = rtm_yresolve(y, rest + 1);
        if (inner && asprintf(&r, "%.*s%s", (int)(rest + 1 - path), path, inner) < 0)
            r = NULL;
        free(inner);
        return r;
    }
    if (path[0] == '/' || !y->dir || strcmp(y->dir, ".") == 0)
        return strdup(path);
    if (asprintf(&r, "%s/%s", y->dir, path) < 0)
        return NULL;
    return r;
}

/* GDAL reads a gzip-compressed file through /vsigzip/ (not .tar.gz: /vsitar/) */
static int wants_gzip(const char *path)
{
    size_t n = strlen(path);
    return n > 3 && strcmp(path + n - 3, ".gz") == 0 &&
           !(n > 7 && strcmp(path + n - 7, ".tar.gz") == 0);
}

/* A GDAL virtual path other than /vsigzip/ (an archive member, a remote
 * file): not globbed; archive members must exist (VSIStatL), remote ones are
 * not contacted. Returns 0 or -1 (reported). */
static int vsi_single(rtm_ydoc *y, const yaml_node_t *n, const char *path, char ***files,
                      int *nfiles)
{
    static const char *const remote[] = {"/vsicurl", "/vsis3", "/vsigs", "/vsiaz", "/vsiadls",
                                         "/vsioss", "/vsiswift", "/vsiwebhdfs", "/vsihdfs", NULL};
    int is_remote = 0;
    for (int i = 0; remote[i]; i++)
        is_remote |= strncmp(path, remote[i], strlen(remote[i])) == 0;
    VSIStatBufL st;
    rtm_gdal_init();
    if (!is_remote && VSIStatL(path, &st) != 0) {
        rtm_yerr(y, n, "no file '%s'", path);
        return -1;
    }
    char **v = calloc(1, sizeof *v);
    if (!v || !(v[0] = strdup(path))) {
        free(v);
        rtm_yerr(y, n, "out of memory");
        return -1;
    }
    rtm_ystrv_free(*files, *nfiles);
    *files = v;
    *nfiles = 1;
    return 0;
}

int rtm_yglob(rtm_ydoc *y, const yaml_node_t *n, const char *pattern, char ***files,
              int *nfiles)
{
    const char *fs = pattern, *vsi_end = NULL;
    if (strncmp(pattern, "/vsi", 4) == 0 && strncmp(pattern, "/vsigzip/", 9) != 0)
        return vsi_single(y, n, pattern, files, nfiles);
    if (strncmp(pattern, "/vsi", 4) == 0 && (vsi_end = strchr(pattern + 1, '/')))
        fs = vsi_end + 1; /* glob the file-system part, keep the prefix */
    glob_t g;
    int rc = glob(fs, 0, NULL, &g);
    if (rc == GLOB_NOMATCH || (rc == 0 && g.gl_pathc == 0)) {
        rtm_yerr(y, n, "no file matches '%s'", pattern);
        globfree(&g);
        return -1;
    }
    if (rc != 0) {
        globfree(&g);
        rtm_yerr(y, n, "cannot list '%s'", pattern);
        return -1;
    }
    char **v = calloc(g.gl_pathc, sizeof *v);
    int k = 0;
    for (size_t i = 0; v && i < g.gl_pathc; i++) {
        const char *f = g.gl_pathv[i];
        int len = vsi_end ? (int)(vsi_end + 1 - pattern) : 0;
        const char *prefix = vsi_end ? pattern : wants_gzip(f) ? "/vsigzip/" : "";
        if (!vsi_end)
            len = (int)strlen(prefix);
        if (asprintf(&v[k], "%.*s%s", len, prefix, f) < 0)
            v[k] = NULL;
        if (!v[k])
            break;
        k++;
    }
    int ok = v && k == (int)g.gl_pathc;
    globfree(&g);
    if (!ok) {
        rtm_ystrv_free(v, k);
        rtm_yerr(y, n, "out of memory");
        return -1;
    }
    rtm_ystrv_free(*files, *nfiles);
    *files = v;
    *nfiles = k;
    return 0;
}

/* An enumerated option through the one vocabulary (rtm/product.h): every
 * spelling the table has is accepted; an unknown one is reported with the
 * canonical names. *value keeps its default when the key is absent. */
void rtm_yvocab(rtm_ydoc *y, yaml_node_t *n, const char *key, const char *option,
                int *value)
{
    const rtm_vocab *v = rtm_vocab_find(option);
    const char *choices[64];
    int k = 0, idx = -1;
    for (const rtm_name *nm = v->names; nm->name && k < 63; nm++)
        choices[k++] = nm->name;
    choices[k] = NULL;
    if (rtm_yenum(y, n, key, choices, &idx) == 0 && idx >= 0)
        *value = v->names[idx].value;
}
