/* test_points_par.c: parallel reading of event files (rtm_points_load_files)
 * against reading them one after the other with rtm_points_load: the same
 * points, counts, skip examples (file and line) and errors, for 1 and 2
 * threads and CSV files split into many byte ranges across quoted fields
 * with newlines, blank lines, CRLF lines and bad rows. Also the exact fast
 * number parser against strtod, and the area-of-use test of projected
 * points near the edge of British National Grid's area. */
#include <math.h>
#include <proj.h>
#include <stdlib.h>

#include "rtm/input.h"
#include "core/numparse.h"
#include "rtm_test.h"

static char dir[512];

/* A CSV of n rows with every kind of trouble the reader counts, at known
 * places: quoted labels with commas, quotes and newlines, blank and CRLF
 * lines, empty and unreadable coordinates, dates without a day, and
 * one point outside the CRS's area near the end; clean_until rows first
 * that are all good (each with a quoted newline), and a quote left open at
 * row unclosed_at (-1 none). */
static void write_csv(const char *path, int n, int unclosed_at, int clean_until)
{
    FILE *f = fopen(path, "w");
    unsigned long long z = 12345;
    if (!f)
        return;
    fprintf(f, "x,y,Month,Location,\"Crime \"\"type\"\"\"\n");
    for (int i = 0; i < n; i++) {
        z = z * 6364136223846793005ULL + 1442695040888963407ULL;
        double x = 560000 + (double)(z >> 40) / 16777216.0 * 60000;
        double y = 180000 + (double)((z >> 16) & 0xffffff) / 16777216.0 * 60000;
        const char *eol = i % 7 == 3 ? "\r\n" : "\n";
        if (i < clean_until) {
            fprintf(f, "%.2f,%.2f,2024-01,\"Loc\n%d\",d%s", x, y, i % 5, eol);
            continue;
        }
        if (i == n - 50)
            fprintf(f, "1e9,1e9,2024-01,far,e%s", eol); /* outside the CRS's area */
        if (i == unclosed_at) {
            fprintf(f, "%.2f,%.2f,2024-01,\"On or near \"Main\" Street,b%s", x, y, eol);
            continue;
        }
        if (i % 97 == 5)
            fprintf(f, "%s", eol); /* a blank line */
        if (i % 53 == 7)
            fprintf(f, ",,2024-02,nowhere,a%s", eol);
        else if (i % 61 == 11)
            fprintf(f, "%.2fm,%.2f,2024-03,\"bad, x\",b%s", x, y, eol);
        else if (i % 5 == 3)
            fprintf(f, "%.2f,%.2f,2024-%02d-%02d,\"On or near\nHigh \"\"Street\"\"\",c%s", x, y,
                    1 + i % 12, 1 + i % 28, eol);
        else
            fprintf(f, "%.2f,%.2f,2024-%02d,Loc %d,d%s", x, y, 1 + i % 12, i % 17, eol);
    }
    fclose(f);
}

static void init_opts(rtm_load_opts *o)
{
    rtm_load_opts_init(o);
    o->src_crs = "EPSG:27700";
    o->dst_crs = "EPSG:27700";
    o->keep_labels = 1;
}

static int same_points(const rtm_points *a, const rtm_points *b)
{
    if (a->n != b->n || a->nlabels != b->nlabels)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        if (memcmp(&a->x[i], &b->x[i], sizeof(double)) ||
            memcmp(&a->y[i], &b->y[i], sizeof(double)) || a->w[i] != b->w[i] ||
            a->month[i] != b->month[i] || a->day[i] != b->day[i] ||
            a->minute[i] != b->minute[i] || a->label[i] != b->label[i])
            return 0;
    }
    for (size_t k = 0; k < a->nlabels; k++)
        if (strcmp(a->labels[k], b->labels[k]))
            return 0;
    return 1;
}

static int same_stats(const rtm_load_stats *a, const rtm_load_stats *b)
{
    if (a->read != b->read || a->filtered_where != b->filtered_where ||
        a->filtered_month != b->filtered_month || a->used != b->used ||
        memcmp(&a->weight_used, &b->weight_used, sizeof(double)) ||
        a->weight_defaulted != b->weight_defaulted || strcmp(a->transform, b->transform) ||
        strcmp(a->src_crs, b->src_crs) || strcmp(a->date_form, b->date_form))
        return 0;
    for (int r = 0; r < RTM_SKIP_NREASONS; r++)
        if (a->skipped[r] != b->skipped[r] || strcmp(a->example[r], b->example[r]))
            return 0;
    return 1;
}

/* Reference (one file after the other) against the parallel reader with
 * threads and byte ranges of part bytes. */
static void compare(const char *const *files, int nfiles, rtm_load_opts *o, int threads,
                    size_t part)
{
    rtm_points a, b;
    rtm_load_stats sa, sb;
    rtm_error ea = {0, ""}, eb = {0, ""};
    int ra = 0, rb;
    rtm_points_init(&a);
    rtm_points_init(&b);
    rtm_load_stats_init(&sa);
    rtm_load_stats_init(&sb);
    for (int k = 0; k < nfiles && !ra; k++)
        ra = rtm_points_load(&a, files[k], o, &sa, &ea);
    o->threads = threads;
    o->part_bytes = part;
    rb = rtm_points_load_files(&b, files, nfiles, o, &sb, &eb);
    RTM_CHECK(ra == rb);
    if (ra) {
        RTM_CHECK(strcmp(ea.msg, eb.msg) == 0);
        if (strcmp(ea.msg, eb.msg))
            fprintf(stderr, "  seq: %s\n  par: %s\n", ea.msg, eb.msg);
    } else {
        RTM_CHECK(same_points(&a, &b));
        RTM_CHECK(same_stats(&sa, &sb));
    }
    rtm_points_clear(&a);
    rtm_points_clear(&b);
}

static void test_split_same_as_whole(void)
{
    char p1[600], p2[600];
    const char *files[3];
    rtm_load_opts o;
    snprintf(p1, sizeof p1, "%s/a.csv", dir);
    snprintf(p2, sizeof p2, "%s/b.csv", dir);
    write_csv(p1, 4000, -1, 0);
    write_csv(p2, 700, -1, 0);
    files[0] = p1;
    files[1] = p2;
    files[2] = p1;
    init_opts(&o);
    for (int t = 1; t <= 2; t++) {
        compare(files, 1, &o, t, 4096);  /* 32 byte ranges */
        compare(files, 3, &o, t, 5000);
        compare(files, 3, &o, t, 0);     /* default: files too small to split */
    }
    /* the ranges really were read apart: a's rows are counted once */
    {
        rtm_points p;
        rtm_load_stats st;
        rtm_error e;
        rtm_points_init(&p);
        rtm_load_stats_init(&st);
        o.threads = 2;
        o.part_bytes = 4096;
        RTM_CHECK(rtm_points_load_files(&p, files, 1, &o, &st, &e) == 0);
        RTM_CHECK(st.read == 4001);
        RTM_CHECK(st.skipped[RTM_SKIP_NO_COORDS] > 50 && st.skipped[RTM_SKIP_BAD_COORDS] > 50);
        RTM_CHECK(strstr(st.example[RTM_SKIP_NO_COORDS], "a.csv line 9 field x") != NULL);
        RTM_CHECK(st.skipped[RTM_SKIP_OUTSIDE_CRS] == 1);
        RTM_CHECK(strstr(st.example[RTM_SKIP_OUTSIDE_CRS], "a.csv line 3952") != NULL);
        rtm_points_clear(&p);
    }
    /* an attribute filter, and a date window with skipped rows */
    init_opts(&o);
    o.where = "Location LIKE 'Loc 1%'";
    compare(files, 3, &o, 2, 4096);
    init_opts(&o);
    o.date_from = 20240301;
    o.date_to = 20240615;
    compare(files, 3, &o, 2, 4096);
}

static void test_split_errors(void)
{
    char p1[600], p2[600];
    const char *files[2];
    rtm_load_opts o;
    snprintf(p1, sizeof p1, "%s/c.csv", dir);
    snprintf(p2, sizeof p2, "%s/d.csv", dir);
    write_csv(p1, 3000, -1, 2000);
    write_csv(p2, 3000, 2500, 0); /* a quote not closed late in the file */
    files[0] = p1;
    files[1] = p2;
    init_opts(&o);
    o.strict = 1; /* the first bad row, late in the first range */
    compare(files, 1, &o, 2, 4096);
    init_opts(&o);
    compare(files, 2, &o, 2, 4096); /* the unclosed quote of the second file */
    compare(files, 2, &o, 1, 4096);
    {
        const char *bad[2] = {p1, "/nonexistent/x.csv"};
        compare(bad, 2, &o, 2, 4096);
    }
}

static void test_numparse(void)
{
    static const char *const t[] = {
        "0", "-0", "0.5", "00.050", "1.", "1.50", ".5", ".", "-", "+", "585854.21",
        "-585854.21", "123456789012345", "1234567890123456", "0.0000000000000000000001",
        "0.00000000000000000000001", "1e5", "0x1A", "inf", "nan", "1,5", "12abc",
        "9007199254740993", "999999999999999.9", "0.1", "0.3", "1.1.1", "\r7", "-.5",
        "51.5079", "-0.127758", NULL};
    unsigned long long z = 88172645463325252ULL;
    int bad = 0;
    for (int i = 0; t[i]; i++) {
        char *e1, *e2;
        double a = strtod(t[i], &e1), b = rtm_strtod(t[i], &e2);
        bad += memcmp(&a, &b, sizeof a) != 0 || e1 != e2;
    }
    for (long k = 0; k < 300000; k++) {
        char buf[64], *e1, *e2;
        z ^= z << 13;
        z ^= z >> 7;
        z ^= z << 17;
        int nf = (int)((z >> 50) % 14);
        long long ip = (long long)((z >> 8) % 100000000ULL);
        unsigned long long fr = (z >> 20) % 1000000000000ULL;
        if (nf == 0)
            snprintf(buf, sizeof buf, "%s%lld", (z & 1) ? "-" : "", ip);
        else
            snprintf(buf, sizeof buf, "%s%lld.%0*llu", (z & 1) ? "-" : "", ip, nf, fr);
        double a = strtod(buf, &e1), b = rtm_strtod(buf, &e2);
        bad += memcmp(&a, &b, sizeof a) != 0 || e1 != e2;
    }
    RTM_CHECK(bad == 0);
}

/* Points given in WGS 84 lon/lat, projected into crs (the reference
 * transformation, straight from PROJ). Returns 0, or -1 when PROJ cannot. */
static int project(const char *crs, const double *lon, const double *lat, int n, double *x,
                   double *y)
{
    PJ_CONTEXT *ctx = proj_context_create();
    PJ *op = proj_create_crs_to_crs(ctx, "EPSG:4326", crs, NULL);
    PJ *norm = op ? proj_normalize_for_visualization(ctx, op) : NULL;
    for (int i = 0; norm && i < n; i++) {
        PJ_COORD c = proj_trans(norm, PJ_FWD, proj_coord(lon[i], lat[i], 0, 0));
        x[i] = c.xy.x;
        y[i] = c.xy.y;
    }
    proj_destroy(norm);
    proj_destroy(op);
    proj_context_destroy(ctx);
    return norm ? 0 : -1;
}

/* The points projected into crs, and crs's transformation to itself, whose
 * area-of-use test is under test; NULL (a failed check) when PROJ cannot. */
static rtm_transform *projected(const char *crs, const double *lon, const double *lat, int n,
                                double *x, double *y)
{
    rtm_error e;
    rtm_transform *t = project(crs, lon, lat, n, x, y) == 0
                           ? rtm_transform_create(crs, crs, &e) : NULL;
    RTM_CHECK(t != NULL);
    return t;
}

/* British National Grid's area of use (EPSG: 9.01 W .. 2.01 E, 49.75 N ..)
 * widened by the 1 degree margin: projected points from just inside and just
 * outside its edges are kept and skipped; the inner box that spares most
 * points the inverse projection must not take the outside ones. */
static void test_area_edge(void)
{
    double lon[6] = {-9.9, -10.1, 2.9, 3.1, -2.0, -2.0}, lat[6] = {55, 55, 52, 52, 48.8, 48.7};
    double x[6], y[6];
    unsigned char ok[6];
    rtm_transform *t = projected("EPSG:27700", lon, lat, 6, x, y);
    if (t) {
        RTM_CHECK(rtm_transform_points(t, x, y, 6, ok) == 3);
        RTM_CHECK(ok[0] && !ok[1] && ok[2] && !ok[3] && ok[4] && !ok[5]);
        /* well inside, and far outside */
        x[0] = 585000;
        y[0] = 200000;
        x[1] = 1e8;
        y[1] = 1e8;
        RTM_CHECK(rtm_transform_points(t, x, y, 2, ok) == 1 && ok[0] && !ok[1]);
    }
    rtm_transform_free(t);
}

/* The area test in a CRS whose own longitudes are not degrees from
 * Greenwich (NTF (Paris) / Lambert zone II, EPSG:27572: grads from Paris):
 * Paris is inside France's area of use and 12 E (beyond its 8.23 E edge and
 * the margin) is not. Read as degrees from Greenwich, Paris would sit at
 * 54.3 "degrees" north, outside. British National Grid, counted from
 * Greenwich in degrees, takes the other path (its own lon/lat): test_area_edge. */
static void test_area_paris_meridian(void)
{
    double lon[3] = {2.35, 12.0, 7.5}, lat[3] = {48.85, 48.85, 48.6}, x[3], y[3];
    unsigned char ok[3];
    rtm_transform *t = projected("EPSG:27572", lon, lat, 3, x, y);
    if (t) {
        RTM_CHECK(rtm_transform_points(t, x, y, 3, ok) == 2);
        RTM_CHECK(ok[0] && !ok[1] && ok[2]); /* Paris, 12 E, Strasbourg */
    }
    rtm_transform_free(t);
}

int main(void)
{
    if (rtm_t_tmpdir(dir, sizeof dir, "ppar"))
        return 1;
    RTM_RUN(test_split_same_as_whole);
    RTM_RUN(test_split_errors);
    RTM_RUN(test_numparse);
    RTM_RUN(test_area_edge);
    RTM_RUN(test_area_paris_meridian);
    rtm_t_rmdir(dir);
    return RTM_TEST_END();
}
