/* test_run_job.c: rtm_jobrun end to end under the sanitizers: outputs and
 * manifest of the test jobs, the cache on a rerun, a failing run leaving the
 * previous set current, the lock. Counts are checked against the job's
 * fixture computed independently here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rtm/job.h"
#include "run/runfolder.h"
#include "rtm_test.h"

static char tmpdir[64];

static rtm_job *load(const char *name, const char *out)
{
    char path[512];
    rtm_job *job = NULL;
    rtm_error e;
    snprintf(path, sizeof path, "%s/run/%s", rtm_test_data(), name);
    if (rtm_job_load(path, NULL, &job, &e)) {
        printf("  load %s: %s\n", path, e.msg);
        return NULL;
    }
    free(job->out_dir);
    job->out_dir = strdup(out);
    return job;
}

static int exists(const char *dir, const char *name)
{
    char p[1024];
    struct stat sb;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0;
}

static void test_hostile(void)
{
    char out[128];
    rtm_job *job;
    rtm_jobrun_result res;
    rtm_error e;
    snprintf(out, sizeof out, "%s/hostile", tmpdir);
    RTM_CHECK((job = load("hostile.yaml", out)) != NULL);
    if (!job)
        return;
    RTM_CHECK(rtm_jobrun(job, NULL, &res, &e) == 0);
    RTM_CHECK(exists(res.run_dir, "kde.tif") && exists(res.run_dir, "kde.png") &&
              exists(res.run_dir, "report.html") && exists(res.run_dir, "manifest.json"));
    /* tif, qml, the briefing png, the map-only png with its pgw and png.aux.xml, html,
     * and (the events have times) the day x hour table as csv and png */
    RTM_CHECK(res.noutputs == 9 && exists(res.run_dir, "kde_map.png") &&
              exists(res.run_dir, "kde_map.pgw") && !exists(res.run_dir, "kde.pgw"));
    RTM_CHECK(exists(res.run_dir, "kde_dayhour.csv") && exists(res.run_dir, "kde_dayhour.png"));
    RTM_CHECK(res.cache_hits == 0 && res.cache_misses == 0);
    rtm_job_free(job);
}

static void test_southend_cache_and_failure(void)
{
    char out[128], *cur1, *cur2;
    rtm_job *job;
    rtm_jobrun_result res;
    rtm_jobrun_opts o;
    rtm_run *rf = NULL;
    rtm_error e;
    snprintf(out, sizeof out, "%s/southend", tmpdir);
    RTM_CHECK((job = load("southend.yaml", out)) != NULL);
    if (!job)
        return;
    rtm_jobrun_opts_init(&o);
    o.run_date = "2018-06-01";
    o.threads = 2;
    RTM_CHECK(rtm_jobrun(job, &o, &res, &e) == 0);
    /* two risk-layer products: the stations distance and the model's variables */
    RTM_CHECK(res.cache_misses == 2 && res.cache_hits == 0);
    RTM_CHECK(exists(res.run_dir, "model/model.json") && exists(res.run_dir, "overlay.tif") &&
              exists(res.run_dir, "stations.tif"));
    RTM_CHECK(rtm_jobrun(job, &o, &res, &e) == 0);
    RTM_CHECK(res.cache_hits == 2 && res.cache_misses == 0);
    cur1 = rtm_run_current(out);
    /* the lock: a run in progress on the same output stops another */
    RTM_CHECK(rtm_run_begin(out, NULL, &rf, &e) == 0);
    RTM_CHECK(rtm_jobrun(job, &o, &res, &e) == RTM_ERR_IO && strstr(e.msg, "in use"));
    rtm_run_abort(rf);
    /* a failing run (study area missing) leaves the previous set current */
    free(job->study_area.file);
    job->study_area.file = strdup("/nonexistent/area.geojson");
    RTM_CHECK(rtm_jobrun(job, &o, &res, &e) != 0);
    cur2 = rtm_run_current(out);
    RTM_CHECK(cur1 && cur2 && strcmp(cur1, cur2) == 0);
    RTM_CHECK(cur2 && exists(cur2, "report.html"));
    free(cur1);
    free(cur2);
    rtm_job_free(job);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rtm-test-run-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    RTM_RUN(test_hostile);
    RTM_RUN(test_southend_cache_and_failure);
    rtm_rmtree(tmpdir);
    return RTM_TEST_END();
}
