/* fuzz_job.c: the job parser (rtm_job_check, then rtm_job_load) on a job file
 * whose bytes are the fuzz input. Relative paths in the job resolve against
 * the temporary folder, so file references mostly fail to open: the target is
 * the YAML reader and the validation, not the data loaders. */
#include "fuzz_common.h"
#include "rtm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16) return 0;
    const char *path = fuzz_write("job.yaml", data, size);
    rtm_msgs errs = {0};
    int rc = rtm_job_check(path, NULL, &errs);
    for (int i = 0; i < errs.n; i++)
        if (!errs.msg[i] || !errs.msg[i][0]) abort();   /* every problem has a message */
    rtm_msgs_free(&errs);
    rtm_job *job = NULL;
    rtm_error err = {0};
    int rc2 = rtm_job_load(path, NULL, &job, &err);
    if (rc2 == 0 && !job) abort();
    if (rc2 != 0 && !err.msg[0]) abort();               /* a failure says why */
    (void)rc;
    rtm_job_free(job);
    return 0;
}
