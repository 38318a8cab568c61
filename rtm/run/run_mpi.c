/* run_mpi.c: a job run shared by the ranks of an MPI job (run/run_mpi.h).
 * No data is sent: the units write into OUT/units/<ID>/<K>, which every
 * rank sees (one machine, or a shared file system), and the finish step
 * reads them from there, as after a batch array. */
#include "run/run_mpi.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/mpi.h"
#include "rtm/jobunits.h"

/* Today (UTC) on rank 0, as YYYY-MM-DD on every rank. */
static int shared_date(char *buf, size_t n, rtm_error *err)
{
    int ymd = 0, rc;
    if (rtm_mpi_rank() == 0) {
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        ymd = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    }
    if ((rc = rtm_mpi_bcast_int(&ymd, 0, err)))
        return rc;
    snprintf(buf, n, "%04d-%02d-%02d", ymd / 10000 % 10000, ymd / 100 % 100, ymd % 100);
    return 0;
}

int rtm_jobrun_spread(const rtm_job *job, const rtm_jobrun_opts *o, rtm_jobrun_result *res,
                      rtm_error *err)
{
    int rank = rtm_mpi_rank(), size = rtm_mpi_size(), n, rc = 0, was;
    rtm_jobrun_opts u = *o;
    char date[16];
    if (size == 1)
        return rtm_jobrun(job, o, res, err);
    memset(res, 0, sizeof *res);
    if (!u.run_date) {
        if ((rc = shared_date(date, sizeof date, err)))
            return rc;
        u.run_date = date;
    }
    n = rtm_job_units(job, NULL, 0);
    was = rtm_mpi_alone(1);
    for (int k = rank; !rc && k < n; k += size)
        rc = rtm_jobrun_unit(job, k, &u, NULL, err);
    rtm_mpi_alone(was);
    if ((rc = rtm_mpi_agree(rc, err)) || rank > 0)
        return rc;
    was = rtm_mpi_alone(1);
    rc = rtm_jobrun_finish(job, &u, res, err);
    rtm_mpi_alone(was);
    return rc;
}
