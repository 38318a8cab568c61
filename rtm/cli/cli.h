/* cli.h (CLI only): helpers shared by the rtm subcommands. */
#ifndef RTM_CLI_H
#define RTM_CLI_H

#include <stdio.h>
#include "rtm/error.h"
#include "rtm/input.h"
#include "rtm/product.h"

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
/* The message of the last rtm_cli_usage or rtm_cli_fail ("" if none). */
const char *rtm_cli_last_error(void);

/* GDAL-style progress ("0...10...20...") on a terminal; silent otherwise or
 * with -q. Pass &cli as the callback argument. */
int rtm_cli_progress(double frac, const char *msg, void *arg);

/* --threads: a whole number 1..RTM_CLI_MAX_THREADS into *out, or a usage
 * error (its exit code). */
#define RTM_CLI_MAX_THREADS 1024
int rtm_cli_threads(const rtm_cli *c, const char *s, int *out);
/* A usage error unless path ends in one of the extensions (a NULL-terminated
 * list, case-insensitive): an output must be what its name says. */
int rtm_cli_ext(const rtm_cli *c, const char *flag, const char *path, const char *const *exts);

/* An enumerated option's value through the vocabulary (rtm/product.h), or a
 * usage error naming flag and the expected names (its exit code). */
int rtm_cli_vocab(const rtm_cli *c, const char *option, const char *flag, const char *s,
                  int *value);

/* Parsers: return 0 on success, -1 on bad input. */
int rtm_cli_double(const char *s, double *out);
int rtm_cli_int(const char *s, int *out);
int rtm_cli_bbox(const char *s, double bb[4]);
int rtm_cli_month(const char *s, int *yyyymm);

/* "A,B,C": up to max numbers in (lo, hi] into out; returns how many, or -1. */
int rtm_cli_doubles(const char *s, double *out, int max, double lo, double hi);
/* "YYYY-MM..YYYY-MM" with from <= to into YYYYMM values; 0 or -1. */
int rtm_cli_months(const char *s, int *from, int *to);
/* Make the output folder dir unless it exists (*made: 1 when made here).
 * Returns 0 or an exit code (message printed). */
int rtm_cli_out_dir(const rtm_cli *c, const char *dir, int *made);

/* After a product call that returned rc into out: commit out (or abort it
 * when rc is not 0) and print "wrote NAME" for each file committed. Returns
 * 0 or an exit code (e's message printed). */
int rtm_cli_commit(const rtm_cli *c, rtm_outset *out, int rc, rtm_error *e);

/* Print the load summary (counts by reason, transformation) to stderr. */
void rtm_cli_load_summary(const rtm_cli *c, const char *what, const rtm_load_stats *st);

/* Expand an input argument that still holds a glob pattern (as from a job
 * file or a quoted shell word); returns a malloc'd NULL-terminated list. */
char **rtm_cli_glob(char *const *args, int n, int *count);
void rtm_cli_glob_free(char **list, int n);

/* The vocabulary (rtm/product.h): one line per enumerated option,
 * "option: name* name ... (aliases: a=b ...)", * marking the default. */
void rtm_cli_print_names(FILE *f);

#endif
