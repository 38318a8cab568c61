/* test_run_units.c: a run fanned out as units (rtm/jobunits.h) under the
 * sanitizers: the plan of the Southend job, argument errors, the units in
 * reverse order (one twice), the finish step against a plain run of the
 * same job and run date (the files of each unit and of the finish step
 * compared byte for byte: the state files' parser and the gathering run
 * here), and missing units. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rtm/jobunits.h"
#include "run/runfolder.h"
#include "rtm_test.h"

static char tmpdir[64];

static rtm_job *load(const char *out)
{
    char path[512];
    rtm_job *job = NULL;
    rtm_error e;
    snprintf(path, sizeof path, "%s/run/southend.yaml", rtm_test_data());
    if (rtm_job_load(path, NULL, &job, &e)) {
        printf("  load %s: %s\n", path, e.msg);
        return NULL;
    }
    free(job->out_dir);
    job->out_dir = strdup(out);
    return job;
}

/* 1 if a/name and b/name have the same bytes. */
static int same(const char *a, const char *b, const char *name)
{
    char pa[1024], pb[1024];
    FILE *fa, *fb;
    int ca, cb, eq = 1;
    snprintf(pa, sizeof pa, "%s/%s", a, name);
    snprintf(pb, sizeof pb, "%s/%s", b, name);
    fa = fopen(pa, "rb");
    fb = fopen(pb, "rb");
    if (!fa || !fb)
        eq = 0;
    while (eq && (ca = fgetc(fa)) == (cb = fgetc(fb)) && ca != EOF)
        ;
    if (eq && ca != cb)
        eq = 0;
    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    if (!eq)
        printf("  differs: %s\n", name);
    return eq;
}

static void test_plan(rtm_job *job)
{
    rtm_job_unit u[4];
    int n = rtm_job_units(job, u, 4);
    RTM_CHECK(n == 3 && rtm_job_units(job, NULL, 0) == 3);
    RTM_CHECK(u[0].surface == 0 && u[1].surface == 1 && u[2].surface == 2);
    RTM_CHECK(u[2].tile == 0 && u[2].ntiles == 1 && u[2].area == NULL);
    RTM_CHECK(job->surfaces[3].type == RTM_SURF_OVERLAY &&
              rtm_job_surface_in_finish(job->surfaces[3].type) &&
              rtm_job_surface_in_finish(RTM_SURF_EVALUATE) &&
              !rtm_job_surface_in_finish(RTM_SURF_KDE));
}

static void test_errors(rtm_job *job, const rtm_jobrun_opts *o)
{
    rtm_jobrun_opts nodate;
    rtm_jobrun_result rr;
    rtm_error e;
    rtm_jobrun_opts_init(&nodate);
    RTM_CHECK(rtm_jobrun_unit(job, 0, &nodate, NULL, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_jobrun_unit(job, 3, o, NULL, &e) == RTM_ERR_ARG && strstr(e.msg, "out of range"));
    RTM_CHECK(rtm_jobrun_unit(job, -1, o, NULL, &e) == RTM_ERR_ARG);
    RTM_CHECK(rtm_jobrun_finish(job, &nodate, &rr, &e) == RTM_ERR_ARG);
}

/* The files of each kind of unit and of the finish step, byte for byte
 * (tests/cli/run_units.sh compares every file). */
static void compare_runs(const char *plain, const char *units)
{
    static const char *const names[] = {
        "kde.tif", "kde.png", "kde_map.png", "stations.tif", "model/model.json",
        "model/model.md", "model/rrs.tif", "model/tiers.png", "model/priority_places.gpkg",
        "overlay.tif", "overlay.png", "report.html"};
    int ok = 1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ok &= same(plain, units, names[i]);
    RTM_CHECK(ok);
}

static void test_units_and_finish(void)
{
    char out[128], plain_out[128], *plain = NULL, *cur = NULL;
    rtm_job *job;
    rtm_jobrun_opts o;
    rtm_jobrun_result pr, fr;
    rtm_jobunit_result ur;
    rtm_error e;
    snprintf(out, sizeof out, "%s/units", tmpdir);
    snprintf(plain_out, sizeof plain_out, "%s/plain", tmpdir);
    RTM_CHECK((job = load(plain_out)) != NULL);
    if (!job)
        return;
    test_plan(job);
    rtm_jobrun_opts_init(&o);
    o.run_date = "2018-06-01";
    test_errors(job, &o);
    RTM_CHECK(rtm_jobrun(job, &o, &pr, &e) == 0);
    plain = rtm_run_current(plain_out);
    free(job->out_dir);
    job->out_dir = strdup(out);
    for (int k = 2; k >= 0; k--) {
        RTM_CHECK(rtm_jobrun_unit(job, k, &o, &ur, &e) == 0 && !ur.already && ur.noutputs > 0);
        RTM_CHECK(strncmp(ur.id, "2018-06-01-", 11) == 0 && strlen(ur.id) == 27);
    }
    RTM_CHECK(rtm_jobrun_unit(job, 1, &o, &ur, &e) == 0 && ur.already);
    RTM_CHECK(rtm_jobrun_finish(job, &o, &fr, &e) == 0);
    RTM_CHECK(fr.noutputs == pr.noutputs && fr.cache_misses == pr.cache_misses);
    cur = rtm_run_current(out);
    if (plain && cur)
        compare_runs(plain, cur);
    /* another run date: unit 2 alone, the finish step names units 0 and 1 */
    o.run_date = "2018-07-01";
    RTM_CHECK(rtm_jobrun_unit(job, 2, &o, &ur, &e) == 0);
    RTM_CHECK(rtm_jobrun_finish(job, &o, &fr, &e) == RTM_ERR_IO &&
              strstr(e.msg, "2 of 3 units missing (unit 0 1)"));
    free(plain);
    free(cur);
    rtm_job_free(job);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rtm-test-units-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    RTM_RUN(test_units_and_finish);
    rtm_rmtree(tmpdir);
    return RTM_TEST_END();
}
