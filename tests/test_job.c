/* test_job.c: job files and the layer catalogue. The expected values are
 * read off the fixtures in tests/data/jobs by hand (line:column included). */
#include "rtm/job.h"
#include "run/run_internal.h"
#include "rtm_test.h"

#include <limits.h>
#include <unistd.h>

static char *slurp(const char *path);

static char *fixture(const char *name)
{
    static char buf[8][1024];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/jobs/%s", rtm_test_data(), name);
    return buf[k];
}

static int has_msg(const rtm_msgs *m, const char *needle)
{
    for (int i = 0; i < m->n; i++)
        if (strstr(m->msg[i], needle))
            return 1;
    fprintf(stderr, "  missing message: %s\n", needle);
    return 0;
}

static int ends_with(const char *s, const char *tail)
{
    size_t a = s ? strlen(s) : 0, b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

static void test_good_top(void)
{
    rtm_job *job = NULL;
    rtm_error e = {0};
    int rc = rtm_job_load(fixture("good.yaml"), NULL, &job, &e);
    RTM_CHECK(rc == 0);
    if (rc) {
        fprintf(stderr, "  %s\n", e.msg);
        return;
    }
    RTM_CHECK(strcmp(job->name, "nte-violence") == 0);
    RTM_CHECK(strcmp(job->title, "Night-time economy violence") == 0);
    RTM_CHECK(strcmp(job->crs, "EPSG:27700") == 0);
    RTM_CHECK_NEAR(job->cell_size, 100, 0);
    RTM_CHECK(ends_with(job->study_area.file, "jobs/data/area.geojson"));
    RTM_CHECK(strcmp(job->study_area.where, "name = 'Test area'") == 0);
    RTM_CHECK(job->study_area.layer == NULL);
    RTM_CHECK(job->nareas == 1 && strcmp(job->areas[0].name, "districts") == 0);
    RTM_CHECK(job->nareas == 1 && strcmp(job->areas[0].name_field, "district") == 0);
    RTM_CHECK(ends_with(job->out_dir, "jobs/out"));
    RTM_CHECK(job->formats == (RTM_FMT_TIF | RTM_FMT_HTML | RTM_FMT_JSON));
    RTM_CHECK(job->keep_runs == 3);
    RTM_CHECK(job->catalog && job->catalog->n == 3);
    rtm_job_free(job);
}

static void test_good_offences(void)
{
    rtm_job *job = NULL;
    rtm_error e;
    if (rtm_job_load(fixture("good.yaml"), NULL, &job, &e)) {
        RTM_CHECK(0);
        return;
    }
    const rtm_job_offences *o = &job->offences;
    RTM_CHECK(o->nsources == 1);
    RTM_CHECK(o->sources[0].nfiles == 2); /* the glob crimes-*.csv, sorted */
    RTM_CHECK(ends_with(o->sources[0].files[0], "crimes-2018-01.csv"));
    RTM_CHECK(ends_with(o->sources[0].files[1], "crimes-2018-02.csv"));
    RTM_CHECK(strcmp(o->sources[0].x_field, "Longitude") == 0);
    RTM_CHECK(strcmp(o->sources[0].type_field, "Crime type") == 0);
    RTM_CHECK(strcmp(o->sources[0].crs, "EPSG:4326") == 0);
    RTM_CHECK(o->ntypes == 2 && strcmp(o->types[1], "Public order") == 0);
    RTM_CHECK(o->window == RTM_WINDOW_FIXED);
    RTM_CHECK(o->from_month == 2018 * 12 + 0 && o->to_month == 2018 * 12 + 4);
    RTM_CHECK(o->nhours == 1 && o->hours[0].days_mask == (1u << 4 | 1u << 5));
    RTM_CHECK(o->nhours == 1 && o->hours[0].start_min == 1200 && o->hours[0].end_min == 240);
    RTM_CHECK(rtm_job_type_wanted(job, "public ORDER"));
    RTM_CHECK(!rtm_job_type_wanted(job, "Burglary"));
    RTM_CHECK(!rtm_job_type_wanted(job, NULL));
    RTM_CHECK_NEAR(rtm_job_harm_weight(job, "Violence and sexual offences"), 10, 0);
    RTM_CHECK_NEAR(rtm_job_harm_weight(job, "public order"), 2.5, 0);
    RTM_CHECK_NEAR(rtm_job_harm_weight(job, "Burglary"), 0, 0);
    int from, to;
    RTM_CHECK(rtm_job_months(job, "2030-01-01", &from, &to, &e) == 0);
    RTM_CHECK(from == 2018 * 12 && to == 2018 * 12 + 4);
    rtm_job_free(job);
}

static void test_good_surfaces(void)
{
    rtm_job *job = NULL;
    rtm_error e;
    if (rtm_job_load(fixture("good.yaml"), NULL, &job, &e)) {
        RTM_CHECK(0);
        return;
    }
    RTM_CHECK(job->nsurfaces == 4);
    if (job->nsurfaces != 4)
        goto done;
    const rtm_job_surface *k = &job->surfaces[0], *d = &job->surfaces[1];
    const rtm_job_surface *m = &job->surfaces[2], *o = &job->surfaces[3];
    RTM_CHECK(k->type == RTM_SURF_KDE && strcmp(k->name, "kde") == 0);
    RTM_CHECK_NEAR(k->radius, 400, 0);
    RTM_CHECK(k->kernel == RTM_KERNEL_EPANECHNIKOV && k->units == RTM_MAP_PER_KM2);
    RTM_CHECK(d->type == RTM_SURF_DISTANCE && strcmp(d->name, "distance_rail_stations") == 0);
    RTM_CHECK(d->layer && strcmp(d->layer->name, "rail_stations") == 0);
    RTM_CHECK(m->type == RTM_SURF_MODEL && strcmp(m->name, "model") == 0);
    RTM_CHECK_NEAR(m->block, 250, 0);
    RTM_CHECK(m->seed == 42 && m->max_blocks == 3 && m->increment == RTM_INCR_HALF);
    RTM_CHECK(m->folds == 5 && m->family == RTM_FAMILY_CHOICE_AUTO && m->nb == RTM_FAMILY_NBII);
    RTM_CHECK(m->nfactors == 2);
    if (m->nfactors == 2) {
        /* pubs: catalogue defaults (density, 4 blocks); stations: job overrides */
        RTM_CHECK(strcmp(m->factors[0].name, "pubs") == 0 && m->factors[0].layer);
        RTM_CHECK(m->factors[0].oper == RTM_OPER_DENSITY && m->factors[0].max_blocks == 4);
        RTM_CHECK(m->factors[0].increment == m->increment); /* catalogue says nothing */
        RTM_CHECK(m->factors[1].oper == RTM_OPER_BOTH && m->factors[1].max_blocks == 2);
        RTM_CHECK(m->factors[1].increment == RTM_INCR_WHOLE); /* from the catalogue */
    }
    RTM_CHECK(rtm_job_find_surface(job, "model") == m);
    RTM_CHECK(rtm_job_find_surface(job, "nope") == NULL);
    RTM_CHECK(o->type == RTM_SURF_OVERLAY && o->ninputs == 2);
    RTM_CHECK(strcmp(o->inputs[0], "kde") == 0 && strcmp(o->inputs[1], "model") == 0);
    RTM_CHECK_NEAR(o->weights[0], 0.25, 0);
    RTM_CHECK_NEAR(o->weights[1], 0.75, 0);
    RTM_CHECK(o->normalise == RTM_NORM_RANK);
done:
    rtm_job_free(job);
}

/* Fri-Sat 20:00-04:00 = Fri 20-24, Sat 0-4, Sat 20-24, Sun 0-4 (brute force
 * over every minute of the week against that hand-written rule). */
static void test_hours(void)
{
    rtm_job *job = NULL;
    rtm_error e;
    if (rtm_job_load(fixture("good.yaml"), NULL, &job, &e)) {
        RTM_CHECK(0);
        return;
    }
    int bad = 0;
    for (int d = 0; d < 7; d++)
        for (int t = 0; t < 1440; t++) {
            int late = t >= 1200, early = t < 240;
            int want = ((d == 4 || d == 5) && late) || ((d == 5 || d == 6) && early);
            bad += rtm_job_in_hours(job, d, t) != want;
        }
    RTM_CHECK(bad == 0);
    RTM_CHECK(!rtm_job_in_hours(job, 7, 0) && !rtm_job_in_hours(job, 0, 1440));
    rtm_job_free(job);
}

/* the short form "fri-sat 20:00-04:00"; its three bad windows are reported */
static void test_hours_text(void)
{
    rtm_msgs m = {0};
    rtm_job *job = NULL;
    rtm_error e;
    RTM_CHECK(rtm_job_check(fixture("hours_text.yaml"), NULL, &m) == 3);
    RTM_CHECK(has_msg(&m, "hours_text.yaml:14:7: times must be HH:MM"));
    RTM_CHECK(has_msg(&m, "hours_text.yaml:15:7: unknown day 'someday'"));
    RTM_CHECK(has_msg(&m, "hours_text.yaml:16:7: an hours window must look like"));
    rtm_msgs_free(&m);
    /* the same job without the bad lines, from a copy */
    char path[] = "/tmp/rtm_hours_XXXXXX";
    int fd = mkstemp(path);
    const char *text = slurp(fixture("hours_text.yaml"));
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        RTM_CHECK(0);
        return;
    }
    char data[4096] = "";
    if (!realpath(fixture("data"), data))
        RTM_CHECK(0);
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
        if (!strstr(p, "thu 25") || strstr(p, "thu 25") >= p + len)
            if (!strstr(p, "someday") || strstr(p, "someday") >= p + len)
                if (!strstr(p, "- fri 20:00\n") || strstr(p, "- fri 20:00\n") >= p + len) {
                    const char *d = strstr(p, "data/");
                    if (d && d < p + len) /* make data paths absolute */
                        fprintf(f, "%.*s%s/%.*s", (int)(d - p), p, data, (int)(len - (size_t)(d + 5 - p)), d + 5);
                    else
                        fprintf(f, "%.*s", (int)len, p);
                }
        p += len;
    }
    fclose(f);
    RTM_CHECK(rtm_job_load(path, NULL, &job, &e) == 0);
    if (!job) {
        fprintf(stderr, "  %s\n", e.msg);
        unlink(path);
        return;
    }
    RTM_CHECK(job->offences.nhours == 2);
    /* brute force: Fri 20-24, Sat 0-4, Sat 20-24, Sun 0-4; Sun/Mon/Tue 12:00-13:30 */
    int bad = 0;
    for (int d = 0; d < 7; d++)
        for (int t = 0; t < 1440; t++) {
            int want = ((d == 4 || d == 5) && t >= 1200) || ((d == 5 || d == 6) && t < 240) ||
                       ((d == 6 || d == 0 || d == 1) && t >= 720 && t < 810);
            bad += rtm_job_in_hours(job, d, t) != want;
        }
    RTM_CHECK(bad == 0);
    rtm_job_free(job);
    unlink(path);
}

static void test_rolling(void)
{
    rtm_job *job = NULL;
    rtm_error e;
    int from, to;
    if (rtm_job_load(fixture("rolling.yaml"), NULL, &job, &e)) {
        fprintf(stderr, "  %s\n", e.msg);
        RTM_CHECK(0);
        return;
    }
    RTM_CHECK(job->offences.window == RTM_WINDOW_ROLLING);
    /* 12 complete months before June 2018: June 2017 .. May 2018 */
    RTM_CHECK(rtm_job_months(job, "2018-06-15", &from, &to, &e) == 0);
    RTM_CHECK(from == 2017 * 12 + 5 && to == 2018 * 12 + 4);
    RTM_CHECK(rtm_job_months(job, "2018-01", &from, &to, &e) == 0);
    RTM_CHECK(from == 2017 * 12 + 0 && to == 2017 * 12 + 11);
    RTM_CHECK(rtm_job_months(job, "June", &from, &to, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_job_months(job, NULL, &from, &to, &e) == 0 && to - from == 11);
    /* defaults */
    RTM_CHECK(strcmp(job->name, "rolling") == 0 && strcmp(job->title, "rolling") == 0);
    RTM_CHECK(job->keep_runs == 2 && job->formats == 31);
    RTM_CHECK(ends_with(job->out_dir, "jobs/out/rolling"));
    RTM_CHECK(job->catalog == NULL && job->nareas == 0);
    RTM_CHECK(rtm_job_in_hours(job, 3, 600) == 1);
    RTM_CHECK_NEAR(rtm_job_harm_weight(job, "anything"), 1, 0);
    rtm_job_free(job);
}

static void test_month_parse(void)
{
    RTM_CHECK(rtm_month_parse("2018-01") == 2018 * 12);
    RTM_CHECK(rtm_month_parse("2018-12-31") == 2018 * 12 + 11);
    RTM_CHECK(rtm_month_parse("2018/03/01") == 2018 * 12 + 2);
    RTM_CHECK(rtm_month_parse("2018-03-01T10:00:00") == 2018 * 12 + 2);
    RTM_CHECK(rtm_month_parse("2018-13") == -1);
    RTM_CHECK(rtm_month_parse("2018-1") == -1);
    RTM_CHECK(rtm_month_parse("201801") == -1);
    RTM_CHECK(rtm_month_parse("2018-01x") == -1);
    RTM_CHECK(rtm_month_parse(NULL) == -1);
}

static void test_run_month(void)
{
    RTM_CHECK(rtm_job_run_month("2018-06-15") == 2018 * 12 + 5);
    RTM_CHECK(rtm_job_run_month("2016-02-29") == 2016 * 12 + 1);
    RTM_CHECK(rtm_job_run_month("2000-02-29") == 2000 * 12 + 1);
    RTM_CHECK(rtm_job_run_month("2018-06") == 2018 * 12 + 5);
    RTM_CHECK(rtm_job_run_month("2018-02-30") == -1);
    RTM_CHECK(rtm_job_run_month("2018-02-29") == -1);
    RTM_CHECK(rtm_job_run_month("1900-02-29") == -1);
    RTM_CHECK(rtm_job_run_month("2018-04-31") == -1);
    RTM_CHECK(rtm_job_run_month("1899-12-31") == -1);
    RTM_CHECK(rtm_job_run_month("2201-01-01") == -1);
    RTM_CHECK(rtm_job_run_month("2018-6-15") == -1);
    RTM_CHECK(rtm_job_run_month(NULL) == -1);
}

/* Check the text as a job file (in a temporary file) into m. */
static void text_check(const char *text, rtm_msgs *m)
{
    char path[] = "/tmp/rtm_job_text_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return;
    if (write(fd, text, strlen(text)) == (ssize_t)strlen(text))
        rtm_job_check(path, NULL, m);
    close(fd);
    unlink(path);
}

/* 1 if checking text as a job file reports needle */
static int text_has(const char *text, const char *needle)
{
    rtm_msgs m = {0};
    text_check(text, &m);
    int found = has_msg(&m, needle);
    rtm_msgs_free(&m);
    return found;
}

/* names that become path components, numeric bounds, nesting */
static void test_bounds(void)
{
    RTM_CHECK(text_has("name: ../../escape\n", "1:7: job name '../../escape' must be a plain"));
    RTM_CHECK(text_has("name: a/b\n", "job name 'a/b' must be a plain file name"));
    RTM_CHECK(text_has("name: ''\n", "job name '' must be a plain file name"));
    RTM_CHECK(text_has("name: .hidden\n", "job name '.hidden' must be"));
    RTM_CHECK(text_has("areas:\n  - name: ../x\n", "2:11: area set name '../x' must be"));
    RTM_CHECK(text_has("surfaces:\n  - type: kde\n    name: a b\n", "surface name 'a b'"));
    RTM_CHECK(text_has("cell_size: 1e-9\n", "'cell_size' must be between 0.01 and 100000"));
    RTM_CHECK(text_has("cell_size: 1e308\n", "'cell_size' must be between 0.01 and 100000"));
    RTM_CHECK(text_has("offences:\n  window: 300000000 months to the run date\n",
                       "2:11: 'window' must be 'N months to the run date'"));
    RTM_CHECK(text_has("offences:\n  window: 1201 months to 2018-01\n", "N from 1 to 1200"));
    RTM_CHECK(text_has("offences:\n  window: 12 months to 9999-01\n", "a year from 1900"));
    RTM_CHECK(text_has("offences:\n  from: 0001-01\n  to: 2018-01\n",
                       "'from' must be a month YYYY-MM with a year from 1900 to 2200"));
    RTM_CHECK(text_has("surfaces:\n  - type: kde\n    radius: 1e12\n",
                       "'radius' must be > 0 and at most 1e+07 (got 1e12)"));
    char deep[400] = "title: ";
    for (int i = 0; i < 100; i++)
        strcat(deep, "[");
    RTM_CHECK(text_has(deep, "1:72: nested too deeply (more than 64 levels"));
    /* brackets in comments and quoted text do not count */
    char flat[800] = "# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"
                     "title: 'a [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['\n"
                     "name: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"\"\n";
    rtm_msgs m = {0};
    text_check(flat, &m);
    for (int i = 0; i < m.n; i++)
        RTM_CHECK(strstr(m.msg[i], "nested too deeply") == NULL &&
                  strstr(m.msg[i], "yaml syntax") == NULL);
    RTM_CHECK(m.n > 0); /* the other problems of the job: study_area missing... */
    rtm_msgs_free(&m);
}

static void test_unknown_key(void)
{
    rtm_job *job = NULL;
    rtm_error e = {0};
    char want[1200];
    RTM_CHECK(rtm_job_load(fixture("bad_unknown_key.yaml"), NULL, &job, &e) == RTM_ERR_INPUT);
    RTM_CHECK(job == NULL);
    snprintf(want, sizeof want, "%s:10:5: unknown key 'radious' in 'kde' (expected one of: "
             "type, name, radius, kernel, units, sigma, truncate, edge, adaptive, pilot, "
             "groups, tiles; did you mean 'radius'?)",
             fixture("bad_unknown_key.yaml"));
    RTM_CHECK(strncmp(e.msg, want, strlen(want)) == 0);
    if (strncmp(e.msg, want, strlen(want)))
        fprintf(stderr, "  got  %s\n  want %s\n", e.msg, want);
    /* the missing radius is not reported separately: it is the misspelt key */
    RTM_CHECK(strstr(e.msg, "more problem") == NULL);
}

/* every problem of bad_many.yaml, each at its line and column */
static void test_all_errors(void)
{
    rtm_msgs m = {0};
    int n = rtm_job_check(fixture("bad_many.yaml"), NULL, &m);
    RTM_CHECK(n == m.n && n >= 15);
    RTM_CHECK(has_msg(&m, "bad_many.yaml:2:9: no file matches"));
    RTM_CHECK(has_msg(&m, "bad_many.yaml:4:12: 'cell_size' must be between 0.01 and 100000 (got -5)"));
    RTM_CHECK(has_msg(&m, "bad_many.yaml:5:1: unknown key 'colour' in 'job'"));
    RTM_CHECK(has_msg(&m, "bad_many.yaml:10:9: 'from' must be a month YYYY-MM with a year from 1900 to 2200 "
                          "(got '2018-13')"));
    RTM_CHECK(has_msg(&m, "bad_many.yaml:12:13: unknown day 'funday'"));
    RTM_CHECK(has_msg(&m, "bad_many.yaml:13:13: 'from' must be a time HH:MM"));
    RTM_CHECK(has_msg(&m, "bad_many.yaml:12:5: 'hours' needs 'time_field'"));
    RTM_CHECK(has_msg(&m, "bad_many.yaml:17:13: 'radius' must be a number (got 'wide')"));
    RTM_CHECK(has_msg(&m, "bad_many.yaml:18:13: 'kernel' must be one of: quartic"));
    RTM_CHECK(has_msg(&m, "bad_many.yaml:20:15: layer 'pubs' needs a layer catalogue"));
    RTM_CHECK(has_msg(&m, "bad_many.yaml:20:21: layer 'nightclubs' needs a layer catalogue"));
    RTM_CHECK(has_msg(&m, "bad_many.yaml:22:13: overlay layer 'later' is not a surface"));
    RTM_CHECK(has_msg(&m, "bad_many.yaml:23:14: 'weights' must have one number per layer"));
    RTM_CHECK(has_msg(&m, "bad_many.yaml:24:5: surface name 'kde' is used twice"));
    RTM_CHECK(has_msg(&m, "bad_many.yaml:27:12: unknown output format 'gif'"));
    /* with the test catalogue, 'pubs' resolves and 'nightclubs' lists what is known */
    rtm_msgs_free(&m);
    rtm_job_check(fixture("bad_many.yaml"), fixture("layers"), &m);
    RTM_CHECK(has_msg(&m, "bad_many.yaml:20:21: unknown layer 'nightclubs'"));
    RTM_CHECK(has_msg(&m, "known: pubs, rail_stations, restaurants)"));
    for (int i = 0; i < m.n; i++)
        RTM_CHECK(strstr(m.msg[i], "'pubs'") == NULL);
    rtm_msgs_free(&m);
}

/* problems only the data reveals: CRSs, field names, filters, empty selections */
static void test_data_errors(void)
{
    rtm_msgs m = {0};
    int n = rtm_job_check(fixture("bad_data.yaml"), NULL, &m);
    RTM_CHECK(n == 6);
    RTM_CHECK(has_msg(&m, "bad_data.yaml:3:10: study area '"));
    RTM_CHECK(has_msg(&m, "area.geojson' has no features matching the filter"));
    RTM_CHECK(has_msg(&m, "bad_data.yaml:4:6: 'crs' must be a projected CRS"));
    RTM_CHECK(has_msg(&m, "bad_data.yaml:11:12: 'crs' is not a known coordinate reference system "
                          "(got 'EPSG:999999')"));
    RTM_CHECK(has_msg(&m, "bad_data.yaml:12:19: '"));
    RTM_CHECK(has_msg(&m, "crimes-2018-01.csv' has no field 'Crime category' (fields: Crime ID, Month, "
                          "Date, Time, Longitude, Latitude, Location, Crime type)"));
    RTM_CHECK(has_msg(&m, "bad_data.yaml:14:14: invalid filter \"Month >>> 3\""));
    RTM_CHECK(has_msg(&m, "bad_data.yaml:20:15: '"));
    RTM_CHECK(has_msg(&m, "districts.geojson' has no field 'districtname' (fields: district)"));
    rtm_msgs_free(&m);
}

/* /vsizip/ members are resolved against the job directory and checked */
static void test_vsi_paths(void)
{
    rtm_msgs m = {0};
    RTM_CHECK(rtm_job_check(fixture("vsizip.yaml"), NULL, &m) == 1);
    RTM_CHECK(has_msg(&m, "vsizip.yaml:8:13: no file '/vsizip/"));
    RTM_CHECK(has_msg(&m, "jobs/data/area.zip/nothere.csv'"));
    rtm_msgs_free(&m);
}

static void test_syntax_and_io(void)
{
    rtm_job *job = NULL;
    rtm_error e;
    RTM_CHECK(rtm_job_load(fixture("bad_syntax.yaml"), NULL, &job, &e) == RTM_ERR_INPUT);
    RTM_CHECK(strstr(e.msg, "bad_syntax.yaml:4:") != NULL && strstr(e.msg, "yaml syntax") != NULL);
    RTM_CHECK(rtm_job_load(fixture("missing.yaml"), NULL, &job, &e) == RTM_ERR_IO);
    RTM_CHECK(strstr(e.msg, "missing.yaml: cannot open") != NULL);
    RTM_CHECK(job == NULL);
}

static void test_catalog(void)
{
    rtm_catalog *cat = NULL;
    rtm_msgs m = {0};
    rtm_error e;
    RTM_CHECK(rtm_catalog_load(fixture("layers"), &cat, &m, &e) == 0);
    RTM_CHECK(m.n == 0);
    for (int i = 0; i < m.n; i++)
        fprintf(stderr, "  %s\n", m.msg[i]);
    rtm_msgs_free(&m);
    if (!cat)
        return;
    RTM_CHECK(cat->n == 3);
    const rtm_catalog_layer *p = rtm_catalog_find(cat, "pubs");
    const rtm_catalog_layer *s = rtm_catalog_find(cat, "rail_stations");
    const rtm_catalog_layer *r = rtm_catalog_find(cat, "restaurants");
    RTM_CHECK(p && s && r && !rtm_catalog_find(cat, "stations"));
    if (p && s && r) {
        RTM_CHECK(strcmp(p->title, "Pubs") == 0 && p->nfiles == 1);
        RTM_CHECK(ends_with(p->files[0], "jobs/layers/../data/venues.csv"));
        RTM_CHECK(strcmp(p->where, "\"business_type\" IN ('Pub')") == 0);
        RTM_CHECK(p->oper == RTM_OPER_DENSITY && p->max_blocks == 4);
        RTM_CHECK(strcmp(p->attribution, "test data") == 0 && !p->licence);
        RTM_CHECK(strcmp(s->where, "StationName LIKE '%Rail Station'") == 0);
        RTM_CHECK(s->oper == RTM_OPER_PROXIMITY && s->increment == RTM_INCR_WHOLE);
        RTM_CHECK(p->increment == -1);
        /* SQL-92 quoting: the apostrophe doubled */
        RTM_CHECK(strcmp(r->where, "(name NOT LIKE 'Test%') AND (\"business_type\" IN ('Restaurant', "
                                   "'O''Neill''s'))") == 0);
        RTM_CHECK(r->oper == RTM_OPER_AUTO && strcmp(rtm_oper_name(r->oper), "auto") == 0);
    }
    rtm_catalog_free(cat);
    RTM_CHECK(rtm_catalog_load("/nonexistent-dir", &cat, &m, &e) == RTM_ERR_IO);
    rtm_msgs_free(&m);
}

/* a broken layer file stops only the jobs that use it */
static void test_broken_catalog(void)
{
    rtm_msgs m = {0};
    rtm_catalog *cat = NULL;
    rtm_error e;
    int n = rtm_job_check(fixture("good.yaml"), fixture("layers_broken"), &m);
    RTM_CHECK(n == 3 && m.n == 3);
    RTM_CHECK(has_msg(&m, "good.yaml:36:12: layer 'rail_stations' is invalid: "));
    RTM_CHECK(has_msg(&m, "good.yaml:41:16: layer 'rail_stations' is invalid: "));
    RTM_CHECK(has_msg(&m, "stations.yaml:6:1: unknown key 'colour' in 'layer'"));
    RTM_CHECK(has_msg(&m, "stations.yaml:7:21: 'operationalization' must be one of: auto, "));
    for (int i = 0; i < m.n; i++)
        RTM_CHECK(strstr(m.msg[i], "nightclubs") == NULL && strstr(m.msg[i], "no-such") == NULL);
    rtm_msgs_free(&m);
    /* rolling.yaml names no layer: the broken files do not matter */
    RTM_CHECK(rtm_job_check(fixture("rolling.yaml"), fixture("layers_broken"), &m) == 0);
    /* the strict loader refuses the catalogue, the lenient one keeps pubs */
    RTM_CHECK(rtm_catalog_load(fixture("layers_broken"), &cat, &m, &e) == RTM_ERR_INPUT);
    RTM_CHECK(m.n == 3);
    rtm_msgs_free(&m);
    RTM_CHECK(rtm_catalog_load_lenient(fixture("layers_broken"), &cat, NULL, &e) == 0);
    RTM_CHECK(cat && cat->n == 1 && cat->nbroken == 2);
    RTM_CHECK(rtm_catalog_find_broken(cat, "nightclubs") && rtm_catalog_find_broken(cat, "rail_stations"));
    rtm_catalog_free(cat);
}

/* the project's own catalogue (layers/) loads without a problem */
static void test_project_catalog(void)
{
    char dir[1024];
    rtm_catalog *cat = NULL;
    rtm_msgs m = {0};
    rtm_error e;
    snprintf(dir, sizeof dir, "%s/../../layers", rtm_test_data());
    RTM_CHECK(rtm_catalog_load(dir, &cat, &m, &e) == 0);
    for (int i = 0; i < m.n; i++)
        fprintf(stderr, "  %s\n", m.msg[i]);
    RTM_CHECK(cat && cat->n >= 5);
    for (int i = 0; cat && i < cat->n; i++)
        RTM_CHECK(cat->layers[i].attribution && cat->layers[i].licence && cat->layers[i].nfiles > 0);
    rtm_catalog_free(cat);
    rtm_msgs_free(&m);
}

/* a job on the real sample data: paths resolve, .gz gets /vsigzip/ */
static void test_essex_job(void)
{
    rtm_job *job = NULL;
    rtm_error e;
    int rc = rtm_job_load(fixture("essex.yaml"), NULL, &job, &e);
    RTM_CHECK(rc == 0);
    if (rc) {
        fprintf(stderr, "  %s\n", e.msg);
        return;
    }
    const rtm_job_source *s = &job->offences.sources[0];
    RTM_CHECK(s->nfiles == 1 && strncmp(s->files[0], "/vsigzip/", 9) == 0);
    RTM_CHECK(ends_with(s->files[0], "samples/essex/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz"));
    RTM_CHECK(ends_with(job->study_area.file, "southend_on_sea_lad2011_bng.geojson"));
    RTM_CHECK(job->nsurfaces == 4 && job->surfaces[2].nfactors == 3);
    RTM_CHECK(job->surfaces[2].factors[2].oper == RTM_OPER_PROXIMITY); /* catalogue default */
    RTM_CHECK_NEAR(job->surfaces[2].block, 200, 0);
    rtm_job_free(job);
}

static char *slurp(const char *path)
{
    static char buf[65536];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    return buf;
}

static void test_params_and_manifest(void)
{
    rtm_job *job = NULL, *other = NULL;
    rtm_error e;
    if (rtm_job_load(fixture("good.yaml"), NULL, &job, &e) ||
        rtm_job_load(fixture("rolling.yaml"), NULL, &other, &e)) {
        RTM_CHECK(0);
        rtm_job_free(job);
        return;
    }
    char *k1 = rtm_job_surface_params(job, &job->surfaces[0]);
    char *k2 = rtm_job_surface_params(job, &job->surfaces[0]);
    char *k3 = rtm_job_surface_params(other, &other->surfaces[0]);
    RTM_CHECK(k1 && k2 && k3 && strcmp(k1, k2) == 0 && strcmp(k1, k3) != 0);
    RTM_CHECK(k1 && strstr(k1, "\nradius=400\nkernel=epanechnikov\nunits=km2\n"));
    RTM_CHECK(k1 && strstr(k1, "\ncrs=EPSG:27700\ncell_size=100\n"));
    char *fp = rtm_job_factor_params(job, &job->surfaces[2], &job->surfaces[2].factors[0]);
    RTM_CHECK(fp && strstr(fp, "layer.where=\"business_type\" IN ('Pub')\n"));
    RTM_CHECK(fp && strstr(fp, "factor.oper=density\nfactor.max_blocks=4\n") && strstr(fp, "block=250\n"));
    free(k1);
    free(k2);
    free(k3);
    free(fp);

    char path[] = "/tmp/rtm_job_manifest_XXXXXX";
    int fd = mkstemp(path);
    rtm_manifest *m = rtm_manifest_new(job->name);
    RTM_CHECK(fd >= 0 && m && rtm_job_to_manifest(job, m, &e) == 0);
    RTM_CHECK(rtm_manifest_write(m, path, &e) == 0);
    const char *t = slurp(path);
    RTM_CHECK(strstr(t, "\"role\": \"job\"") && strstr(t, "good.yaml\""));
    RTM_CHECK(strstr(t, "crimes-2018-01.csv") && strstr(t, "crimes-2018-02.csv"));
    RTM_CHECK(strstr(t, "\"role\": \"layer:pubs\"") && strstr(t, "venues.csv"));
    RTM_CHECK(strstr(t, "\"role\": \"layer:restaurants\"") == NULL); /* not used */
    RTM_CHECK(strstr(t, "\"role\": \"areas:districts\"") != NULL);
    RTM_CHECK(strstr(t, "\"surface.kde.radius\": \"400\"") != NULL);
    RTM_CHECK(strstr(t, "\"surface.model.factor[1].factor.oper\": \"both\"") != NULL);
    RTM_CHECK(strstr(t, "\"surface.overlay.weight[1]\": \"0.75\"") != NULL);
    RTM_CHECK(strstr(t, "\"offences.from\": \"2018-01\"") && strstr(t, "\"offences.to\": \"2018-05\""));
    RTM_CHECK(strstr(t, "\"offences.harm.Public order\": 2.5") != NULL);
    RTM_CHECK(strstr(t, "\"offences.hours[0]\": \"days 0x30 20:00-04:00\"") != NULL);
    rtm_manifest_free(m);
    unlink(path);
    if (fd >= 0)
        close(fd);
    rtm_job_free(job);
    rtm_job_free(other);
}

/* Random byte mutations of good.yaml: parsing must never crash or leak
 * (ASan), and every problem must carry the file:line:col prefix. */
static void test_fuzz(void)
{
    char dir[] = "/tmp/rtm_job_fuzz_XXXXXX", src[1024], job[1200], link[1200];
    if (!mkdtemp(dir)) {
        RTM_CHECK(0);
        return;
    }
    snprintf(link, sizeof link, "%s/data", dir);
    snprintf(src, sizeof src, "%s", fixture("data"));
    char *abs = realpath(src, NULL);
    RTM_CHECK(abs && symlink(abs, link) == 0);
    free(abs);
    snprintf(link, sizeof link, "%s/layers", dir);
    abs = realpath(fixture("layers"), NULL);
    RTM_CHECK(abs && symlink(abs, link) == 0);
    free(abs);
    const char *orig = slurp(fixture("good.yaml"));
    size_t n = strlen(orig);
    char *buf = malloc(n + 64);
    unsigned seed = 2024;
    int bad_prefix = 0, ok = 0;
    snprintf(job, sizeof job, "%s/job.yaml", dir);
    for (int it = 0; it < 200 && buf; it++) {
        size_t len = n;
        memcpy(buf, orig, n);
        for (int k = 0; k < 1 + it % 4; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = (seed >> 8) % len;
            static const char alphabet[] = ":-[]{}\"'#&*!|>%@ \n\tax0.9";
            char c = alphabet[(seed >> 20) % (sizeof alphabet - 1)];
            switch ((seed >> 16) % 3) {
            case 0: buf[pos] = c; break;                                   /* replace */
            case 1: memmove(buf + pos, buf + pos + 1, len - pos - 1); len--; break; /* delete */
            default: memmove(buf + pos + 1, buf + pos, len - pos); buf[pos] = c; len++; /* insert */
            }
        }
        FILE *f = fopen(job, "wb");
        if (!f)
            break;
        fwrite(buf, 1, len, f);
        fclose(f);
        rtm_msgs m = {0};
        int nerr = rtm_job_check(job, NULL, &m);
        ok += nerr == 0;
        for (int i = 0; i < m.n; i++)
            bad_prefix += strncmp(m.msg[i], dir, strlen(dir)) != 0;
        rtm_msgs_free(&m);
        rtm_job *j = NULL;
        rtm_error e;
        if (it % 10 == 0 && rtm_job_load(job, NULL, &j, &e) == 0)
            rtm_job_free(j);
    }
    RTM_CHECK(bad_prefix == 0);
    RTM_CHECK(ok < 200); /* the mutations do break it most of the time */
    free(buf);
    snprintf(link, sizeof link, "%s/data", dir);
    unlink(link);
    snprintf(link, sizeof link, "%s/layers", dir);
    unlink(link);
    unlink(job);
    rmdir(dir);
}

int main(void)
{
    RTM_RUN(test_good_top);
    RTM_RUN(test_good_offences);
    RTM_RUN(test_good_surfaces);
    RTM_RUN(test_hours);
    RTM_RUN(test_hours_text);
    RTM_RUN(test_rolling);
    RTM_RUN(test_month_parse);
    RTM_RUN(test_run_month);
    RTM_RUN(test_bounds);
    RTM_RUN(test_unknown_key);
    RTM_RUN(test_all_errors);
    RTM_RUN(test_data_errors);
    RTM_RUN(test_vsi_paths);
    RTM_RUN(test_syntax_and_io);
    RTM_RUN(test_catalog);
    RTM_RUN(test_broken_catalog);
    RTM_RUN(test_project_catalog);
    RTM_RUN(test_essex_job);
    RTM_RUN(test_params_and_manifest);
    RTM_RUN(test_fuzz);
    return RTM_TEST_END();
}
