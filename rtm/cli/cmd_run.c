/* cmd_run.c: `rtm run` - run a job file (rtm/job.h, rtm/job.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cmds.h"
#include "rtm/job.h"

static const char HELP[] =
    "Usage: rtm run [--check] [--run-date YYYY-MM-DD] [--threads N] [-q] JOB\n\n"
    "Run a job file (YAML, docs/job-format.md): load the offences, compute every\n"
    "surface it declares (kde, distance, rtm model, hotspots, evaluate, change: the\n"
    "same products as the commands of those names, same files and bytes; and\n"
    "weighted overlays), write the GeoTIFFs, maps, reports, per-area maps,\n"
    "report.html and manifest.json into a new run folder, then make it OUT/current atomically.\n"
    "A failed or killed run leaves the previous set current and complete; a second\n"
    "run on the same output folder fails on its lock. Distance surfaces of risk\n"
    "layers are cached in OUT/cache and reused while their inputs are unchanged.\n\n"
    "Options:\n"
    "  --check              validate the job and its catalogue, compute nothing;\n"
    "                       every problem is printed as FILE:LINE:COL: message,\n"
    "                       then warnings (FILE:LINE:COL: warning: ...), such as\n"
    "                       listed types that no event of the data has\n"
    "  --run-date DATE      date the rolling month windows end at (default today, UTC)\n"
    "  --threads N          worker threads, 1 to 1024 (outputs do not depend on it)\n"
    "  -q, --quiet          no log lines (errors are still printed)\n"
    "  -h, --help           this help\n\n"
    "Log lines go to stderr with a UTC timestamp:\n"
    "  2026-11-24T15:20:01Z rtm run: ...\n\n"
    "Exit status: 0 success (every output written), 1 failure (bad data, an input\n"
    "that cannot be read while running, output not written, output folder locked\n"
    "by another run), 2 usage error or invalid job (including a job file or a file\n"
    "it names that does not exist or cannot be opened when the job is checked).\n\n"
    "Example:\n"
    "  rtm run --run-date 2018-06-01 samples/jobs/essex-nte.yaml\n";

typedef struct run_args {
    rtm_cli c;
    int check;
    const char *run_date, *job;
    int threads;
} run_args;

static void stamp(FILE *fp)
{
    char buf[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(fp, "%s rtm run: ", buf);
}

static void log_line(void *arg, const char *line)
{
    const run_args *a = arg;
    if (a->c.quiet)
        return;
    stamp(stderr);
    fprintf(stderr, "%s\n", line);
}

static int fail(const rtm_error *e)
{
    stamp(stderr);
    fprintf(stderr, "error: %s\n", e->msg[0] ? e->msg : "failed");
    return e->code == RTM_ERR_ARG ? RTM_EXIT_USAGE : RTM_EXIT_FAIL;
}

/* 1 if s is a calendar date YYYY-MM-DD (a real day, rtm_job_run_month). */
static int is_date(const char *s)
{
    return strlen(s) == 10 && rtm_job_run_month(s) >= 0;
}

static int parse(int argc, char **argv, run_args *a)
{
    static const struct option opts[] = {
        {"check", no_argument, 0, 'c'}, {"run-date", required_argument, 0, 'd'},
        {"threads", required_argument, 0, 't'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (opt) {
        case 'c': a->check = 1; break;
        case 'd':
            if (!is_date(optarg))
                return rtm_cli_usage(&a->c, "--run-date expects a date YYYY-MM-DD from 1900 "
                                     "to 2200 (got '%s')", optarg);
            a->run_date = optarg;
            break;
        case 'q': a->c.quiet = 1; break;
        case 'h': fputs(HELP, stdout); return -1;
        case 't':
            if (rtm_cli_int(optarg, &a->threads) || a->threads < 1 || a->threads > 1024)
                return rtm_cli_usage(&a->c, "--threads must be from 1 to 1024 (got '%s')",
                                     optarg);
            break;
        default:
            return rtm_cli_usage(&a->c, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return rtm_cli_usage(&a->c, "expected one job file (got %d arguments)", argc - optind);
    a->job = argv[optind];
    return 0;
}

static int check(const run_args *a)
{
    rtm_msgs errs = {0}, warns = {0};
    int n = rtm_job_check_warn(a->job, NULL, &errs, &warns);
    for (int i = 0; i < errs.n; i++)
        fprintf(stderr, "%s\n", errs.msg[i]);
    for (int i = 0; i < warns.n; i++)
        fprintf(stderr, "%s\n", warns.msg[i]);
    int nw = warns.n;
    rtm_msgs_free(&errs);
    rtm_msgs_free(&warns);
    if (n > 0) {
        fprintf(stderr, "rtm run: %s: %d problem%s\n", a->job, n, n == 1 ? "" : "s");
        return RTM_EXIT_USAGE;
    }
    if (!a->c.quiet && nw == 0)
        fprintf(stderr, "rtm run: %s: valid\n", a->job);
    else if (!a->c.quiet)
        fprintf(stderr, "rtm run: %s: valid, %d warning%s\n", a->job, nw, nw == 1 ? "" : "s");
    return RTM_EXIT_OK;
}

static int run(const run_args *a)
{
    rtm_job *job = NULL;
    rtm_jobrun_opts o;
    rtm_jobrun_result res;
    rtm_error e;
    int rc;
    if (rtm_job_load(a->job, NULL, &job, &e)) {
        if (e.code == RTM_ERR_INPUT || e.code == RTM_ERR_IO) { /* as --check: invalid job */
            fprintf(stderr, "%s\n(run 'rtm run --check %s' to list every problem)\n", e.msg,
                    a->job);
            return RTM_EXIT_USAGE;
        }
        return fail(&e);
    }
    rtm_jobrun_opts_init(&o);
    o.run_date = a->run_date;
    o.threads = a->threads;
    o.log = log_line;
    o.log_arg = (void *)a;
    rc = rtm_jobrun(job, &o, &res, &e);
    rtm_job_free(job);
    if (rc)
        return fail(&e);
    if (!a->c.quiet) {
        char line[4400];
        snprintf(line, sizeof line, "done in %.2f s: %d outputs in %s (cache: %d reused, %d "
                 "computed)", res.seconds, res.noutputs, res.run_dir, res.cache_hits,
                 res.cache_misses);
        log_line((void *)a, line);
    }
    return RTM_EXIT_OK;
}

int rtm_cmd_run(int argc, char **argv)
{
    run_args a;
    int rc;
    memset(&a, 0, sizeof a);
    a.c.cmd = "run";
    if ((rc = parse(argc, argv, &a)))
        return rc < 0 ? RTM_EXIT_OK : rc;
    return a.check ? check(&a) : run(&a);
}
