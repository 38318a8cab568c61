#!/bin/bash
# rtm-slurm.sh: run an rtm job on a Slurm cluster as a job array - one array
# task per unit of the job, then the finish step once every task succeeded.
#
#   tools/rtm-slurm.sh [-d YYYY-MM-DD] [-t THREADS] [-r RTM] [-n] JOB [SBATCH OPTION ...]
#
#   -d DATE     run date (default: today, UTC, fixed once here so that every
#               task and the finish step use the same one)
#   -t THREADS  threads per task: sbatch --cpus-per-task and rtm --threads
#               (default 1)
#   -r RTM      the rtm program as the compute nodes see it (default: `rtm`
#               on PATH here, made absolute)
#   -n          print the two sbatch commands, submit nothing
#   SBATCH OPTION ...  passed to both sbatch calls (--partition=..., --time=...,
#               --account=..., --output=...)
#
# What it submits (rtm run --help, README "Batch arrays"):
#   1. N=$(rtm run --plan --count JOB), the job's independent units;
#   2. sbatch --array=0-(N-1): task K runs
#        rtm run -q --unit $SLURM_ARRAY_TASK_ID --run-date DATE JOB
#      which writes unit K into OUT/units/<run id>/K (OUT: the job's output
#      folder; atomic, takes no lock, safe to retry: a complete unit is left
#      as it is);
#   3. sbatch --dependency=afterok:<array job> --kill-on-invalid-dep=yes
#      (runs only if every task succeeded, else Slurm cancels it):
#        rtm run -q --finish --run-date DATE JOB
#      which gathers the units into a new run folder, makes the overlays,
#      evaluations, per-area maps, report.html and manifest.json, and switches
#      OUT/current atomically - the same files, byte for byte, as a plain
#      `rtm run --run-date DATE JOB`.
# It prints the two job ids ("array JOBID", "finish JOBID").
#
# Needs: OUT, the job file and its inputs on a file system every node sees
# at the same path (the run id is a digest of the inputs' contents, so a
# node that sees other inputs writes its unit elsewhere and --finish reports
# it missing); the same rtm version on every node. If a task fails, the
# finish job is cancelled and OUT/current stays as it was; resubmit with the
# same -d DATE: complete units are skipped (or run the failed task's
# `rtm run --unit K` by hand, then `rtm run --finish`, which names any unit
# still missing).
#
# Example: a nightly cron line on the login node
#   15 2 * * * cd /srv/rtm && tools/rtm-slurm.sh -t 2 jobs/essex-nte.yaml --partition=short
set -eu

date=$(date -u +%Y-%m-%d)
threads=1
rtm=$(command -v rtm || true)
dry=0
usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while getopts d:t:r:nh opt; do
  case $opt in
    d) date=$OPTARG ;;
    t) threads=$OPTARG ;;
    r) rtm=$OPTARG ;;
    n) dry=1 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
job=$(realpath "$1")
shift
[ -n "$rtm" ] || { echo "rtm-slurm: no rtm on PATH (use -r)" >&2; exit 2; }
rtm=$(realpath "$rtm")
case $threads in ''|*[!0-9]*) echo "rtm-slurm: -t expects a number" >&2; exit 2 ;; esac

n=$("$rtm" run --plan --count "$job")
q() { printf '%q' "$1"; }
unit_cmd="$(q "$rtm") run -q --threads $threads --unit \$SLURM_ARRAY_TASK_ID --run-date $date $(q "$job")"
finish_cmd="$(q "$rtm") run -q --threads $threads --finish --run-date $date $(q "$job")"
name=rtm-$(basename "$job" .yaml)

# sbatch, or with -n the command printed (and JOBID given as the id)
submit() {
  if [ $dry -eq 1 ]; then printf '%q ' "$@" >&2; echo >&2; echo JOBID; else "$@"; fi
}
dep=()
if [ "$n" -gt 0 ]; then
  array=$(submit sbatch --parsable --job-name="$name-units" --array=0-$((n - 1)) \
    --cpus-per-task="$threads" "$@" --wrap="$unit_cmd")
  array=${array%%;*}
  echo "array $array ($n units, run date $date)"
  dep=(--dependency=afterok:"$array" --kill-on-invalid-dep=yes)
fi
fin=$(submit sbatch --parsable --job-name="$name-finish" --cpus-per-task="$threads" \
  ${dep[@]+"${dep[@]}"} "$@" --wrap="$finish_cmd")
echo "finish ${fin%%;*}"
