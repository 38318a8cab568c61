/* cli_mpi.c: a command as one rank of an MPI job (cli/cli_mpi.h). */
#include "cli/cli_mpi.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/mpi.h"

/* The commands whose work is spread over the ranks (every rank runs them;
 * the rest run on rank 0 alone). */
static int spreads(const char *cmd)
{
    static const char *const names[] = {"kde",      "distance", "hotspots", "change",
                                        "emerging", "model",    "run"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(cmd, names[i]))
            return 1;
    return 0;
}

/* Ranks other than 0 say nothing: their output would repeat rank 0's. */
static void silence(void)
{
    int fd = open("/dev/null", O_WRONLY);
    if (fd < 0)
        return;
    fflush(stdout);
    fflush(stderr);
    dup2(fd, 1);
    dup2(fd, 2);
    close(fd);
}

int rtm_cli_mpi_solo(void)
{
    rtm_mpi_alone(1);
    return rtm_mpi_rank() > 0;
}

int rtm_cli_mpi_main(int (*fn)(int, char **), const char *cmd, int argc, char **argv)
{
    rtm_error e;
    int rc, all, rank;
    if (!rtm_mpi_launched())
        return fn(argc, argv);
    rtm_error_clear(&e);
    if (rtm_mpi_init(&argc, &argv, &e)) {
        fprintf(stderr, "rtm %s: error: %s\n", cmd, e.msg);
        return RTM_EXIT_FAIL;
    }
    if ((rank = rtm_mpi_rank()) > 0 && !getenv("RTM_MPI_DEBUG"))
        silence();
    if (spreads(cmd))
        rc = fn(argc, argv);
    else { /* rank 0 alone; the others wait for its verdict */
        rtm_mpi_alone(1);
        rc = rank == 0 ? fn(argc, argv) : 0;
        rtm_mpi_alone(0);
    }
    rtm_error_clear(&e);
    if (rc)
        rtm_error_set(&e, rc, "%s", rtm_cli_last_error()[0] ? rtm_cli_last_error() : "failed");
    all = rtm_mpi_finalize(rc, &e);
    if (!rc && all) { /* another rank failed after every agreement: say so */
        fprintf(stderr, "rtm %s: error: %s\n", cmd, e.msg);
        return RTM_EXIT_FAIL;
    }
    return rc;
}
