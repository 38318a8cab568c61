/* mpi.h: the thin MPI layer (Open MPI) - the one place that calls MPI.
 *
 * `mpirun -np N rtm ...` starts N processes (ranks) of the same binary;
 * the same binary also runs alone, and then never touches MPI: MPI is
 * started only when a launcher started the process (it sets
 * OMPI_COMM_WORLD_SIZE, or PMI_SIZE / PMIX_RANK). Without MPI support
 * (built with MPI=0) every call is the one-process answer.
 *
 * The protocol every spread computation follows, so that an error on any
 * rank makes every rank fail without a deadlock:
 *   1. each rank computes its share;
 *   2. every rank calls rtm_mpi_agree with its result (a collective call);
 *   3. only when all succeeded do the ranks exchange data (point to point,
 *      in a fixed order; nothing there can fail short of MPI itself, which
 *      then ends the whole job).
 * rtm_mpi_finalize ends the process's MPI with one more agreement (unless a
 * failure was already agreed): a rank that failed before reaching a spread
 * computation meets the others in their step 2 and they all fail; ranks
 * that all fail in the same way meet there and end together.
 *
 * The library never prints or exits; errors come back through rtm_error. */
#ifndef RTM_CORE_MPI_H
#define RTM_CORE_MPI_H

#include <stddef.h>
#include "rtm/error.h"

/** 1 when an MPI launcher started this process (its environment says so). */
int rtm_mpi_launched(void);

/** Start MPI when launched (MPI_Init_thread, funneled: only the main thread
 *  calls MPI), else nothing. Returns 0 or RTM_ERR_IO. */
int rtm_mpi_init(int *argc, char ***argv, rtm_error *err);

/** The final agreement (see above), then MPI_Finalize. Returns rc, or, when
 *  this rank succeeded but another failed, that rank's code with err set to
 *  its message. Without MPI returns rc. */
int rtm_mpi_finalize(int rc, rtm_error *err);

/** This process's rank in the job (0 without MPI). */
int rtm_mpi_rank(void);

/** Ranks that share the current computation: the job's size, or 1 without
 *  MPI or while this rank works alone (rtm_mpi_alone). */
int rtm_mpi_size(void);

/** alone = 1: from now on this rank works alone (a command that does not
 *  spread its work runs on rank 0 alone; a job's units run one rank each):
 *  rtm_mpi_size() is 1 and agree, barrier and broadcast concern this rank
 *  only. alone = 0: the ranks share again. Returns the previous setting.
 *  The final agreement always takes every rank. */
int rtm_mpi_alone(int alone);

/** Step 2 of the protocol: every sharing rank passes its result (0 or an
 *  error code, with err set). Returns 0 when all succeeded; else the code
 *  of the lowest failing rank, with err set to that rank's message on the
 *  ranks that did not fail themselves (err unchanged on a failed rank).
 *  With one rank returns rc. */
int rtm_mpi_agree(int rc, rtm_error *err);

/** Send / receive n bytes or n doubles to / from rank `peer` (in messages of
 *  at most 2^30 elements; a receive must match the send's n). Returns 0 or
 *  RTM_ERR_IO. */
int rtm_mpi_send_bytes(int peer, const void *buf, size_t n, rtm_error *err);
int rtm_mpi_recv_bytes(int peer, void *buf, size_t n, rtm_error *err);
int rtm_mpi_send_doubles(int peer, const double *buf, size_t n, rtm_error *err);
int rtm_mpi_recv_doubles(int peer, double *buf, size_t n, rtm_error *err);

/** Every sharing rank waits for the others. Returns 0 or RTM_ERR_IO. */
int rtm_mpi_barrier(rtm_error *err);

/** Rank `root`'s *v to every sharing rank. Returns 0 or RTM_ERR_IO. */
int rtm_mpi_bcast_int(int *v, int root, rtm_error *err);

#endif
