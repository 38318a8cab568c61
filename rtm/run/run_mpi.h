/* run/run_mpi.h (library-private): a job run shared by the ranks of an MPI
 * job (README "MPI"). */
#ifndef RTM_RUN_MPI_H
#define RTM_RUN_MPI_H

#include "rtm/job.h"

/* rtm_jobrun, with the job's units (rtm/jobunits.h) shared by the ranks of
 * an MPI job: rank r computes units r, r + N, r + 2N ... into the run's unit
 * folder (each rank alone: a unit's own tiled surfaces are not spread
 * again); once every rank has agreed that all succeeded, rank 0 runs the
 * finish step, which gathers them, makes the rest and commits. Every rank
 * uses rank 0's run date (today, UTC, when o->run_date is NULL). The run
 * folder is rtm_jobrun's (manifest.json's run id and timings aside). res is
 * filled on rank 0, zeroed on the others. One process: rtm_jobrun. Returns 0
 * or an error code, the same on every rank. */
int rtm_jobrun_spread(const rtm_job *job, const rtm_jobrun_opts *o, rtm_jobrun_result *res,
                      rtm_error *err);

#endif
