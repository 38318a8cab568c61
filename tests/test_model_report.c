/* test_model_report.c: model.md escapes text that comes from the data. A
 * risk factor named "<script>alert(1)</script>|x", an event file name with
 * Markdown emphasis characters and a filter with backticks and a pipe must
 * appear as themselves: no raw HTML tag, no extra table cell, no emphasis. */
#include "rtm/model.h"
#include "rtm/output.h"
#include "rtm_test.h"

#include <sys/stat.h>

#define EVIL "<script>alert(1)</script>|x"

/* Number of '|' not escaped by a backslash in line [s, e). */
static int cells(const char *s, const char *e)
{
    int n = 0;
    for (const char *p = s; p < e; p++) {
        if (*p == '\\' && p + 1 < e)
            p++;
        else if (*p == '|')
            n++;
    }
    return n;
}

/* Every row of every table has as many cell separators as its header. */
static int tables_consistent(const char *text)
{
    int header = -1, bad = 0;
    for (const char *s = text; *s;) {
        const char *e = strchr(s, '\n');
        if (!e)
            e = s + strlen(s);
        if (*s == '|') {
            int n = cells(s, e);
            if (header < 0)
                header = n;
            else if (n != header) {
                fprintf(stderr, "row with %d separators, header %d: %.*s\n", n, header,
                        (int)(e - s), s);
                bad++;
            }
        } else {
            header = -1;
        }
        s = *e ? e + 1 : e;
    }
    return bad == 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

/* A small model whose first factor (the one that matters) has the hostile
 * name: events are likelier near its points. */
static rtm_model *fit(rtm_grid *g, rtm_factor_spec f[2], rtm_model_opts *o, rtm_error *e)
{
    rtm_model *m = NULL;
    size_t nc, k;
    double *counts;
    rtm_t_rng = 42;
    rtm_grid_from_bbox(g, 0, 0, 4000, 4000, 100, "EPSG:27700", e);
    nc = rtm_grid_ncells(g);
    counts = calloc(nc, sizeof *counts);
    for (int i = 0; i < 15; i++) {
        double x = 4000 * rtm_t_urand(), y = 4000 * rtm_t_urand();
        rtm_features_add_point((rtm_features *)f[0].features, x, y, e);
        rtm_features_add_point((rtm_features *)f[1].features, 4000 * rtm_t_urand(),
                               4000 * rtm_t_urand(), e);
        for (k = 0; k < nc; k++) {
            double cx = rtm_grid_cell_x(g, (int)(k % g->ncols));
            double cy = rtm_grid_cell_y(g, (int)(k / g->ncols));
            if (hypot(cx - x, cy - y) <= 300)
                counts[k] += rtm_t_urand() < 0.7;
        }
    }
    for (k = 0; k < nc; k++)
        counts[k] += rtm_t_urand() < 0.05;
    rtm_model_opts_init(o);
    o->var.block = 300;
    o->enet.seed = 7;
    if (rtm_model_fit(g, NULL, 0, counts, f, 2, o, &m, e) != 0)
        fprintf(stderr, "%s\n", e->msg);
    free(counts);
    return m;
}

static void test_md_escapes_data(void)
{
    rtm_grid g;
    rtm_error e;
    rtm_features *a = rtm_features_create(), *b = rtm_features_create();
    rtm_factor_spec f[2] = {{0}};
    rtm_model_opts o;
    char dir[256], path[300];
    const char *events[] = {"crimes_*2024*_[all].csv"};
    const char *ffiles[] = {"a.csv", "b.csv"};
    f[0].name = EVIL;
    f[0].features = a;
    f[0].op = RTM_OP_PROXIMITY;
    f[1].name = "b";
    f[1].features = b;
    f[1].op = RTM_OP_PROXIMITY;
    rtm_model *m = fit(&g, f, &o, &e);
    RTM_CHECK(m != NULL);
    if (!m || rtm_t_tmpdir(dir, sizeof dir, "mdreport"))
        goto done;
    rtm_model_context c = {.software = "rtm test", .crs = "EPSG:27700", .grid = &g,
                           .event_files = events, .nevent_files = 1,
                           .where = "type = '`|`' AND n < 3", .factors = f, .nfactors = 2,
                           .factor_files = ffiles, .opts = &o};
    snprintf(path, sizeof path, "%s/model.md", dir);
    RTM_CHECK(rtm_model_report_md(path, m, &c, &e) == 0);
    char *t = slurp(path);
    RTM_CHECK(t != NULL);
    if (t) {
        /* no raw tag anywhere; the name shown as itself, its pipe escaped */
        RTM_CHECK(strstr(t, "<script") == NULL && strstr(t, "</script") == NULL);
        RTM_CHECK(strstr(t, "| &lt;script&gt;alert(1)&lt;/script&gt;\\|x |") != NULL);
        /* its variables too (kept by the culling, and in the final model) */
        RTM_CHECK(strstr(t, "- &lt;script&gt;alert(1)&lt;/script&gt;\\|x\\_proximity\\_") != NULL);
        RTM_CHECK(strstr(t, "| &lt;script&gt;alert(1)&lt;/script&gt;\\|x\\_proximity\\_") != NULL);
        /* emphasis and link characters of a file name escaped */
        RTM_CHECK(strstr(t, "| crimes\\_\\*2024\\*\\_\\[all\\].csv |") != NULL);
        /* the filter as a code span longer than its backticks, pipe escaped */
        RTM_CHECK(strstr(t, "| ``type = '`\\|`' AND n < 3`` |") != NULL);
        RTM_CHECK(tables_consistent(t));
    }
    free(t);
    unlink(path);
    rmdir(dir);
done:
    rtm_model_free(m);
    rtm_features_free(a);
    rtm_features_free(b);
}

int main(void)
{
    RTM_RUN(test_md_escapes_data);
    return RTM_TEST_END();
}
