/* cli.h (CLI only): helpers shared by the rtm subcommands. */
#ifndef RTM_CLI_H
#define RTM_CLI_H

#include <stdio.h>
#include "rtm/error.h"
#include "rtm/input.h"

/* Exit codes (documented in README and rtm --help). */
enum { RTM_EXIT_OK = 0, RTM_EXIT_FAIL = 1, RTM_EXIT_USAGE = 2 };

typedef struct rtm_cli {
    int quiet;       /* -q: no progress, no summary */
    const char *cmd; /* subcommand name for messages */
} rtm_cli;

/* "rtm kde: message" on stderr; returns RTM_EXIT_USAGE / RTM_EXIT_FAIL. */
int rtm_cli_usage(const rtm_cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rtm_cli_fail(const rtm_cli *c, const rtm_error *e);
void rtm_cli_info(const rtm_cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* GDAL-style progress ("0...10...20...") on a terminal; silent otherwise or
 * with -q. Pass &cli as the callback argument. */
int rtm_cli_progress(double frac, const char *msg, void *arg);

/* Parsers: return 0 on success, -1 on bad input. */
int rtm_cli_double(const char *s, double *out);
int rtm_cli_int(const char *s, int *out);
int rtm_cli_bbox(const char *s, double bb[4]);
int rtm_cli_month(const char *s, int *yyyymm);

/* Print the load summary (counts by reason, transformation) to stderr. */
void rtm_cli_load_summary(const rtm_cli *c, const char *what, const rtm_load_stats *st);

/* Expand an input argument that still holds a glob pattern (as from a job
 * file or a quoted shell word); returns a malloc'd NULL-terminated list. */
char **rtm_cli_glob(char *const *args, int n, int *count);
void rtm_cli_glob_free(char **list, int n);

#endif
