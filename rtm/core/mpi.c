/* mpi.c: the thin MPI layer (core/mpi.h): the only file that calls MPI.
 * Built with Open MPI when RTM_MPI is defined (the default build, see the
 * Makefile); without it every call gives the one-process answer and a
 * process started by mpirun refuses to run (it would write what the others
 * write). */
#include "core/mpi.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef RTM_MPI
#include <mpi.h>
#endif

#define CHUNK ((size_t)1 << 30) /* elements per message: an int count, < 2^31 */

static int started;      /* MPI_Init done */
static int world_rank;   /* this process's rank */
static int world_size = 1;
static int alone;        /* rtm_mpi_alone(1): this rank works alone */
static int agreed_fail;  /* an agreement found a failure: every rank knows */

int rtm_mpi_launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i]) && getenv(vars[i])[0])
            return 1;
    return 0;
}

int rtm_mpi_rank(void)
{
    return world_rank;
}

int rtm_mpi_size(void)
{
    return alone ? 1 : world_size;
}

int rtm_mpi_alone(int on)
{
    int was = alone;
    alone = on != 0;
    return was;
}

#ifdef RTM_MPI

/* An MPI return code as an rtm error. */
static int mpi_fail(int mrc, const char *what, rtm_error *err)
{
    char s[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(mrc, s, &len) != MPI_SUCCESS)
        snprintf(s, sizeof s, "error %d", mrc);
    return rtm_error_set(err, RTM_ERR_IO, "mpi: %s: %s", what, s);
}

int rtm_mpi_init(int *argc, char ***argv, rtm_error *err)
{
    int provided = 0, mrc;
    if (started || !rtm_mpi_launched())
        return 0;
    if ((mrc = MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided)) != MPI_SUCCESS)
        return mpi_fail(mrc, "MPI_Init_thread", err);
    started = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size);
    return 0;
}

/* The agreement over every rank (alone or not). */
/* Wait for request rq without spinning: a rank that is done while another
 * still works (rank 0 fitting a model alone, or finishing a job) sleeps
 * between tests - 0.05 ms at first, doubling up to 5 ms - instead of
 * polling a core at 100 % as a blocking collective does. Ends when every
 * rank has joined (or MPI aborts the job). */
static int wait_quietly(MPI_Request *rq, const char *what, rtm_error *err)
{
    long ns = 50000;
    for (;;) {
        int done = 0, mrc = MPI_Test(rq, &done, MPI_STATUS_IGNORE);
        if (mrc != MPI_SUCCESS)
            return mpi_fail(mrc, what, err);
        if (done)
            return 0;
        struct timespec ts = {0, ns};
        nanosleep(&ts, NULL);
        ns = ns < 5000000 ? 2 * ns : ns;
    }
}

static int agree_world(int rc, rtm_error *err)
{
    struct {
        int code;
        char msg[RTM_ERRMSG_MAX];
    } first;
    int mine = rc ? world_rank : INT_MAX, who = INT_MAX, mrc;
    MPI_Request rq;
    if ((mrc = MPI_Iallreduce(&mine, &who, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD, &rq)) !=
        MPI_SUCCESS)
        return mpi_fail(mrc, "MPI_Iallreduce", err);
    if ((mrc = wait_quietly(&rq, "MPI_Iallreduce", err)))
        return mrc;
    if (who == INT_MAX)
        return 0;
    agreed_fail = 1;
    memset(&first, 0, sizeof first);
    if (who == world_rank) {
        first.code = rc;
        snprintf(first.msg, sizeof first.msg, "%s", err->msg);
    }
    if ((mrc = MPI_Bcast(&first, (int)sizeof first, MPI_BYTE, who, MPI_COMM_WORLD)) !=
        MPI_SUCCESS)
        return mpi_fail(mrc, "MPI_Bcast", err);
    if (rc) /* this rank failed: its own error stands */
        return rc;
    first.msg[sizeof first.msg - 1] = '\0';
    rtm_error_set(err, first.code ? first.code : RTM_ERR_IO, "rank %d of %d: %s", who,
                  world_size, first.msg);
    return err->code;
}

int rtm_mpi_agree(int rc, rtm_error *err)
{
    if (!started || alone || world_size == 1)
        return rc;
    return agree_world(rc, err);
}

int rtm_mpi_finalize(int rc, rtm_error *err)
{
    rtm_error e;
    int all = rc;
    if (!started)
        return rc;
    if (!agreed_fail && world_size > 1) {
        if (rc && err)
            e = *err;
        else
            rtm_error_set(&e, rc ? rc : RTM_OK, "failed");
        all = agree_world(rc, &e);
        if (all && !rc && err)
            *err = e;
    }
    MPI_Finalize();
    started = 0;
    return rc ? rc : all;
}

/* n elements of type t, in messages of at most CHUNK. */
static int xfer(int send, int peer, void *buf, size_t n, MPI_Datatype t, size_t size,
                rtm_error *err)
{
    char *p = buf;
    for (size_t done = 0; done < n;) {
        int k = (int)(n - done < CHUNK ? n - done : CHUNK), got = 0, mrc;
        MPI_Status st;
        if (send)
            mrc = MPI_Send(p + done * size, k, t, peer, 0, MPI_COMM_WORLD);
        else if ((mrc = MPI_Recv(p + done * size, k, t, peer, 0, MPI_COMM_WORLD, &st)) ==
                 MPI_SUCCESS && (MPI_Get_count(&st, t, &got) != MPI_SUCCESS || got != k))
            return rtm_error_set(err, RTM_ERR_IO, "mpi: rank %d sent %d values, %d expected",
                                 peer, got, k);
        if (mrc != MPI_SUCCESS)
            return mpi_fail(mrc, send ? "MPI_Send" : "MPI_Recv", err);
        done += (size_t)k;
    }
    return 0;
}

int rtm_mpi_send_bytes(int peer, const void *buf, size_t n, rtm_error *err)
{
    return xfer(1, peer, (void *)buf, n, MPI_BYTE, 1, err);
}

int rtm_mpi_recv_bytes(int peer, void *buf, size_t n, rtm_error *err)
{
    return xfer(0, peer, buf, n, MPI_BYTE, 1, err);
}

int rtm_mpi_send_doubles(int peer, const double *buf, size_t n, rtm_error *err)
{
    return xfer(1, peer, (void *)buf, n, MPI_DOUBLE, sizeof *buf, err);
}

int rtm_mpi_recv_doubles(int peer, double *buf, size_t n, rtm_error *err)
{
    return xfer(0, peer, buf, n, MPI_DOUBLE, sizeof *buf, err);
}

int rtm_mpi_barrier(rtm_error *err)
{
    int mrc;
    if (!started || alone || world_size == 1)
        return 0;
    if ((mrc = MPI_Barrier(MPI_COMM_WORLD)) != MPI_SUCCESS)
        return mpi_fail(mrc, "MPI_Barrier", err);
    return 0;
}

int rtm_mpi_bcast_int(int *v, int root, rtm_error *err)
{
    int mrc;
    if (!started || alone || world_size == 1)
        return 0;
    if ((mrc = MPI_Bcast(v, 1, MPI_INT, root, MPI_COMM_WORLD)) != MPI_SUCCESS)
        return mpi_fail(mrc, "MPI_Bcast", err);
    return 0;
}

#else /* built without MPI */

int rtm_mpi_init(int *argc, char ***argv, rtm_error *err)
{
    (void)argc;
    (void)argv;
    if (rtm_mpi_launched())
        return rtm_error_set(err, RTM_ERR_ARG, "mpi: this rtm was built without MPI (make "
                             "MPI=0): run it without mpirun");
    return 0;
}

int rtm_mpi_finalize(int rc, rtm_error *err)
{
    (void)err;
    return rc;
}

int rtm_mpi_agree(int rc, rtm_error *err)
{
    (void)err;
    return rc;
}

/* Without MPI there is no other rank to talk to. */
static int no_peer(int peer, rtm_error *err)
{
    return rtm_error_set(err, RTM_ERR_ARG, "mpi: no rank %d (built without MPI)", peer);
}

int rtm_mpi_send_bytes(int peer, const void *buf, size_t n, rtm_error *err)
{
    (void)buf, (void)n;
    return no_peer(peer, err);
}

int rtm_mpi_recv_bytes(int peer, void *buf, size_t n, rtm_error *err)
{
    (void)buf, (void)n;
    return no_peer(peer, err);
}

int rtm_mpi_send_doubles(int peer, const double *buf, size_t n, rtm_error *err)
{
    (void)buf, (void)n;
    return no_peer(peer, err);
}

int rtm_mpi_recv_doubles(int peer, double *buf, size_t n, rtm_error *err)
{
    (void)buf, (void)n;
    return no_peer(peer, err);
}

int rtm_mpi_barrier(rtm_error *err)
{
    (void)err;
    return 0;
}

int rtm_mpi_bcast_int(int *v, int root, rtm_error *err)
{
    (void)v, (void)root, (void)err;
    return 0;
}

#endif
