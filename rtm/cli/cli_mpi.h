/* cli_mpi.h (CLI only): running a command under mpirun (README "MPI"). */
#ifndef RTM_CLI_MPI_H
#define RTM_CLI_MPI_H

/* Run command fn (name cmd) with argc/argv, as one rank of an MPI job when
 * an MPI launcher started the process, else simply. Under MPI: rank 0
 * alone speaks (the other ranks' stdout and stderr go to /dev/null unless
 * RTM_MPI_DEBUG is set; their errors reach rank 0 through the agreements);
 * kde, distance, hotspots, change, emerging and model share their work over
 * the ranks, any other command runs on rank 0 alone. Every rank exits with 0
 * only when all succeeded. Returns the exit code. */
int rtm_cli_mpi_main(int (*fn)(int, char **), const char *cmd, int argc, char **argv);

/* For a command that spreads some of its modes only: the current mode is
 * rank 0's alone. Returns 1 on the other ranks of an MPI job (they are to
 * return success at once), 0 on rank 0 (which from now on works alone) and
 * without MPI. */
int rtm_cli_mpi_solo(void);

#endif
