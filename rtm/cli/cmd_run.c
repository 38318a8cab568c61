/* cmd_run.c: `rtm run` - run a job file (rtm/job.h, rtm/job.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/cli_mpi.h"
#include "cli/cmds.h"
#include "rtm/job.h"
#include "rtm/jobunits.h"
#include "run/run_mpi.h"

static const char HELP[] =
    "Usage: rtm run [--check] [--run-date YYYY-MM-DD] [--threads N] [-q] JOB\n"
    "       rtm run --plan [--count] JOB\n"
    "       rtm run --unit K --run-date YYYY-MM-DD [--threads N] [-q] JOB\n"
    "       rtm run --finish --run-date YYYY-MM-DD [--threads N] [-q] JOB\n\n"
    "Run a job file (YAML, docs/job-format.md): load the offences, compute every\n"
    "surface it declares (kde, distance, rtm model, hotspots, evaluate, change,\n"
    "forecast ...: the same products as the commands of those names, same files and\n"
    "bytes; and weighted overlays), write the GeoTIFFs, maps, reports, per-area maps,\n"
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
    "  --plan               print the job's independent units, one a line, tab-separated:\n"
    "                       K (0 to N-1), surface, type, area (- = the study area),\n"
    "                       tile (I/N); then 'finish' lines (same columns) for what the\n"
    "                       finish step makes: overlay and evaluate surfaces, per-area\n"
    "                       maps, report.html, manifest.json; then 'units N'\n"
    "  --count              with --plan: print N alone (size of a batch array)\n"
    "  --unit K             compute unit K alone into OUT/units/<run id>/K (atomic;\n"
    "                       complete already: nothing to do; no lock, so units run\n"
    "                       in parallel, on any machine that sees OUT)\n"
    "  --finish             once every unit is there: gather them, make the rest and\n"
    "                       switch OUT/current (as a plain run; fails naming missing units)\n"
    "  --threads N          worker threads, 1 to 1024 (outputs do not depend on it)\n"
    "  -q, --quiet          no log lines (errors are still printed)\n"
    "  -h, --help           this help\n\n"
    "Log lines go to stderr with a UTC timestamp:\n"
    "  2026-11-24T15:20:01Z rtm run: ...\n\n"
    "Exit status: 0 success (every output written), 1 failure (bad data, an input\n"
    "that cannot be read while running, output not written, output folder locked\n"
    "by another run), 2 usage error or invalid job (including a job file or a file\n"
    "it names that does not exist or cannot be opened when the job is checked).\n\n"
    "Examples:\n"
    "  rtm run --run-date 2018-06-01 samples/jobs/essex-nte.yaml\n"
    "  N=$(rtm run --plan --count samples/jobs/essex-nte.yaml)\n"
    "  seq 0 $((N - 1)) | parallel rtm run -q --unit {} --run-date 2018-06-01 "
    "samples/jobs/essex-nte.yaml\n"
    "  rtm run --finish --run-date 2018-06-01 samples/jobs/essex-nte.yaml\n"
    "(tools/rtm-slurm.sh does this with a Slurm job array)\n";

typedef struct run_args {
    rtm_cli c;
    int check, plan, count, finish;
    int unit; /* -1: none */
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

/* At most one of --check, --plan, --unit, --finish; --count with --plan;
 * the run date with --unit and --finish (every unit and the finish step
 * must use the same one, so "today" will not do). */
static int modes(run_args *a)
{
    if (a->check + a->plan + (a->unit >= 0) + a->finish > 1)
        return rtm_cli_usage(&a->c, "--check, --plan, --unit and --finish exclude each other");
    if (a->count && !a->plan)
        return rtm_cli_usage(&a->c, "--count goes with --plan");
    if ((a->unit >= 0 || a->finish) && !a->run_date)
        return rtm_cli_usage(&a->c, "%s needs --run-date (the same for every unit and the "
                             "finish step)", a->finish ? "--finish" : "--unit");
    return 0;
}

static int parse(int argc, char **argv, run_args *a)
{
    static const struct option opts[] = {
        {"check", no_argument, 0, 'c'}, {"run-date", required_argument, 0, 'd'},
        {"threads", required_argument, 0, 't'}, {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'}, {"plan", no_argument, 0, 'p'},
        {"count", no_argument, 0, 'n'}, {"unit", required_argument, 0, 'u'},
        {"finish", no_argument, 0, 'f'}, {0, 0, 0, 0}};
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
        case 'p': a->plan = 1; break;
        case 'n': a->count = 1; break;
        case 'f': a->finish = 1; break;
        case 'u':
            if (rtm_cli_int(optarg, &a->unit) || a->unit < 0)
                return rtm_cli_usage(&a->c, "--unit expects a unit number 0 to N-1 (got '%s'; "
                                     "rtm run --plan JOB lists them)", optarg);
            break;
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
    return modes(a);
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

/* --plan: the units, the finish step's work, the count (rtm/jobunits.h). */
static int plan(const run_args *a, const rtm_job *job)
{
    int n = rtm_job_units(job, NULL, 0);
    rtm_job_unit *u = calloc((size_t)(n ? n : 1), sizeof *u);
    if (!u)
        return RTM_EXIT_FAIL;
    rtm_job_units(job, u, n);
    for (int k = 0; k < n && !a->count; k++) {
        const rtm_job_surface *s = &job->surfaces[u[k].surface];
        printf("%d\t%s\t%s\t%s\t%d/%d\n", k, s->name, rtm_surface_type_name(s->type),
               u[k].area ? u[k].area : "-", u[k].tile, u[k].ntiles);
    }
    for (int i = 0; i < job->nsurfaces && !a->count; i++)
        if (rtm_job_surface_in_finish(job->surfaces[i].type))
            printf("finish\t%s\t%s\t-\t-\n", job->surfaces[i].name,
                   rtm_surface_type_name(job->surfaces[i].type));
    for (int i = 0; i < job->nareas && !a->count; i++)
        printf("finish\t%s\tareas\t%s\t-\n", job->areas[i].name ? job->areas[i].name : "areas",
               job->areas[i].name ? job->areas[i].name : "areas");
    if (!a->count && (job->formats & RTM_FMT_HTML))
        printf("finish\treport.html\treport\t-\t-\n");
    if (a->count)
        printf("%d\n", n);
    else
        printf("finish\tmanifest.json\tmanifest\t-\t-\nunits\t%d\n", n);
    free(u);
    return RTM_EXIT_OK;
}

/* --unit K (a job with N units: K >= N is a usage error). */
static int unit(const run_args *a, const rtm_job *job, const rtm_jobrun_opts *o)
{
    rtm_jobunit_result res;
    rtm_error e;
    char line[4400];
    int n = rtm_job_units(job, NULL, 0);
    if (a->unit >= n)
        return rtm_cli_usage(&a->c, "--unit %d is out of range: the job has %d unit%s%s",
                             a->unit, n, n == 1 ? "" : "s", n ? " (0 to N-1)" : "");
    if (rtm_jobrun_unit(job, a->unit, o, &res, &e))
        return fail(&e);
    snprintf(line, sizeof line, "unit %d %s in %.2f s: %s", a->unit,
             res.already ? "was complete already" : "done", res.seconds, res.dir);
    log_line((void *)a, line);
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
    if (a->plan || a->unit >= 0) {
        rc = a->plan ? plan(a, job) : unit(a, job, &o);
        rtm_job_free(job);
        return rc;
    }
    rc = a->finish ? rtm_jobrun_finish(job, &o, &res, &e)
                   : rtm_jobrun_spread(job, &o, &res, &e); /* under MPI: units over ranks */
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
    a.unit = -1;
    if ((rc = parse(argc, argv, &a)))
        return rc < 0 ? RTM_EXIT_OK : rc;
    if ((a.check || a.plan || a.unit >= 0 || a.finish) && rtm_cli_mpi_solo())
        return RTM_EXIT_OK; /* under MPI these are rank 0's alone */
    return a.check ? check(&a) : run(&a);
}
