/* cli.c: message, progress and parsing helpers for the rtm subcommands.
 * (Compiled into the CLI, not the library: the library never prints.) */
#include "cli/cli.h"
#include "rtm/product.h"

#include <errno.h>
#include <glob.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* The last error message printed (rtm_cli_last_error). */
static char last_error[RTM_ERRMSG_MAX];

const char *rtm_cli_last_error(void)
{
    return last_error;
}

int rtm_cli_usage(const rtm_cli *c, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "rtm %s: ", c->cmd);
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s", last_error);
    fprintf(stderr, "\n(see 'rtm %s --help')\n", c->cmd);
    return RTM_EXIT_USAGE;
}

int rtm_cli_fail(const rtm_cli *c, const rtm_error *e)
{
    char msg[RTM_ERRMSG_MAX];
    /* text from data (a field value, a file name) may hold control bytes:
     * never send them to a terminal */
    snprintf(msg, sizeof msg, "%s", e->msg[0] ? e->msg : "failed");
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    if (c->quiet != 2)
        fprintf(stderr, "\n");
    fprintf(stderr, "rtm %s: error: %s\n", c->cmd, msg);
    snprintf(last_error, sizeof last_error, "%s", msg);
    return e->code == RTM_ERR_ARG ? RTM_EXIT_USAGE : RTM_EXIT_FAIL;
}

void rtm_cli_info(const rtm_cli *c, const char *fmt, ...)
{
    va_list ap;
    if (c->quiet)
        return;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

/* GDAL's terminal progress: 0...10...20...30...40...50...60...70...80...90...100 - done. */
int rtm_cli_progress(double frac, const char *msg, void *arg)
{
    static int last = -1;
    const rtm_cli *c = arg;
    int step;
    (void)msg;
    if (!c || c->quiet || !isatty(2))
        return 1;
    step = (int)floor(frac * 40 + 1e-9);
    if (frac <= 0 && last >= 40)
        last = -1;
    while (last < step) {
        last++;
        if (last % 4 == 0)
            fprintf(stderr, "%d", last / 4 * 10);
        else
            fprintf(stderr, ".");
        if (last == 40)
            fprintf(stderr, " - done.\n");
    }
    fflush(stderr);
    return 1;
}

int rtm_cli_double(const char *s, double *out)
{
    char *end;
    double d;
    errno = 0;
    d = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(d))
        return -1;
    *out = d;
    return 0;
}

int rtm_cli_int(const char *s, int *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < -2147483647L || v > 2147483647L)
        return -1;
    *out = (int)v;
    return 0;
}

int rtm_cli_bbox(const char *s, double bb[4])
{
    char buf[256], *tok, *save = NULL;
    int i = 0;
    snprintf(buf, sizeof buf, "%s", s);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (i == 4 || rtm_cli_double(tok, &bb[i]))
            return -1;
        i++;
    }
    return i == 4 && bb[0] < bb[2] && bb[1] < bb[3] ? 0 : -1;
}

int rtm_cli_month(const char *s, int *yyyymm)
{
    int m = rtm_yyyymm_parse(s);
    if (!m || strlen(s) != 7)
        return -1;
    *yyyymm = m;
    return 0;
}

int rtm_cli_doubles(const char *s, double *out, int max, double lo, double hi)
{
    char buf[1024], *tok, *save = NULL;
    int n = 0;
    snprintf(buf, sizeof buf, "%s", s);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (n == max || rtm_cli_double(tok, &out[n]) || !(out[n] > lo && out[n] <= hi))
            return -1;
        n++;
    }
    return n > 0 ? n : -1;
}

int rtm_cli_months(const char *s, int *from, int *to)
{
    char a[16], b[16];
    const char *dots = strstr(s, "..");
    if (!dots || dots - s >= (long)sizeof a || strlen(dots + 2) >= sizeof b)
        return -1;
    snprintf(a, sizeof a, "%.*s", (int)(dots - s), s);
    snprintf(b, sizeof b, "%s", dots + 2);
    return rtm_cli_month(a, from) || rtm_cli_month(b, to) || *to < *from ? -1 : 0;
}

int rtm_cli_out_dir(const rtm_cli *c, const char *dir, int *made)
{
    struct stat st;
    rtm_error e;
    *made = mkdir(dir, 0777) == 0;
    if (*made || (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)))
        return 0;
    rtm_error_set(&e, RTM_ERR_IO, "%s: cannot create directory '%s': %s", c->cmd, dir,
                  strerror(errno));
    return rtm_cli_fail(c, &e);
}

int rtm_cli_commit(const rtm_cli *c, rtm_outset *out, int rc, rtm_error *e)
{
    int n = out ? rtm_outset_count(out) : 0;
    char **names = calloc((size_t)n + 1, sizeof *names);
    for (int i = 0; i < n && names; i++)
        names[i] = strdup(rtm_outset_name(out, i));
    rc = rc ? (rtm_outset_abort(out), rc) : rtm_outset_commit(out, e);
    for (int i = 0; i < n && names; i++) {
        if (!rc && names[i])
            rtm_cli_info(c, "wrote %s\n", names[i]);
        free(names[i]);
    }
    free(names);
    return rc ? rtm_cli_fail(c, e) : 0;
}

void rtm_cli_load_summary(const rtm_cli *c, const char *what, const rtm_load_stats *st)
{
    int r;
    if (c->quiet)
        return;
    fprintf(stderr, "%s: %zu read", what, st->read);
    if (st->filtered_where)
        fprintf(stderr, ", %zu excluded by --where", st->filtered_where);
    if (st->filtered_month)
        fprintf(stderr, ", %zu outside the month window", st->filtered_month);
    fprintf(stderr, ", %zu used (weight %.6g), %zu skipped\n", st->used, st->weight_used,
            rtm_load_stats_skipped(st));
    for (r = 0; r < RTM_SKIP_NREASONS; r++)
        if (st->skipped[r])
            fprintf(stderr, "  skipped %-20s %8zu  (first: %s)\n",
                    rtm_skip_reason_name((rtm_skip_reason)r), st->skipped[r], st->example[r]);
    if (st->weight_defaulted)
        fprintf(stderr, "  %zu rows had a category not in the weight table (default weight)\n",
                st->weight_defaulted);
    if (st->transform[0])
        fprintf(stderr, "  coordinates: %s -> via '%s'\n", st->src_crs, st->transform);
    if (st->date_form[0])
        fprintf(stderr, "  dates read as %s\n", st->date_form);
}

char **rtm_cli_glob(char *const *args, int n, int *count)
{
    char **out = NULL;
    int i, k = 0;
    size_t j;
    for (i = 0; i < n; i++) {
        glob_t g;
        int has = strpbrk(args[i], "*?[") != NULL;
        if (has && glob(args[i], 0, NULL, &g) == 0) {
            char **no = realloc(out, (k + g.gl_pathc + 1) * sizeof *out);
            if (!no) {
                globfree(&g);
                break;
            }
            out = no;
            for (j = 0; j < g.gl_pathc; j++)
                out[k++] = strdup(g.gl_pathv[j]);
            globfree(&g);
        } else {
            char **no = realloc(out, (k + 2) * sizeof *out);
            if (!no)
                break;
            out = no;
            out[k++] = strdup(args[i]);
        }
    }
    if (out)
        out[k] = NULL;
    *count = k;
    return out;
}

void rtm_cli_glob_free(char **list, int n)
{
    int i;
    for (i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

void rtm_cli_print_names(FILE *f)
{
    for (int i = 0; i < rtm_vocab_count(); i++) {
        const rtm_vocab *v = rtm_vocab_at(i);
        int aliases = 0;
        fprintf(f, "%s:", v->option);
        for (const rtm_name *n = v->names; n->name; n++)
            if (!n->alias)
                fprintf(f, " %s%s", n->name, n->value == v->def ? "*" : "");
            else
                aliases = 1;
        if (aliases) {
            fprintf(f, " (aliases:");
            for (const rtm_name *n = v->names; n->name; n++)
                if (n->alias)
                    fprintf(f, " %s=%s", n->name, rtm_vocab_name(v->option, n->value));
            fputc(')', f);
        }
        fprintf(f, "  # %s\n", v->what);
    }
}

int rtm_cli_threads(const rtm_cli *c, const char *s, int *out)
{
    if (rtm_cli_int(s, out) || *out < 1 || *out > RTM_CLI_MAX_THREADS)
        return rtm_cli_usage(c, "--threads must be a whole number from 1 to %d (got '%s')",
                             RTM_CLI_MAX_THREADS, s);
    return 0;
}

int rtm_cli_ext(const rtm_cli *c, const char *flag, const char *path, const char *const *exts)
{
    size_t n = strlen(path);
    char list[128] = "";
    for (int i = 0; exts[i]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && !strcasecmp(path + n - e, exts[i]))
            return 0;
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                 exts[i]);
    }
    return rtm_cli_usage(c, "%s '%s': rtm writes %s here; give a file name ending in %s",
                         flag, path, !strcasecmp(exts[0], ".tif") ? "a GeoTIFF"
                         : !strcasecmp(exts[0], ".png") ? "a PNG" : "a vector file", list);
}

int rtm_cli_vocab(const rtm_cli *c, const char *option, const char *flag, const char *s,
                  int *value)
{
    return rtm_vocab_parse(option, s, value, NULL)
               ? rtm_cli_usage(c, "%s must be one of %s (got '%s')", flag,
                               rtm_vocab_list(option), s) : 0;
}
