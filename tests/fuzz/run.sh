#!/bin/sh
# Runs each libFuzzer harness build/fuzz/fuzz_NAME for SECONDS seconds:
#   tests/fuzz/run.sh SECONDS NAME...
# The corpus of each (build/fuzz/corpus-NAME) is seeded from the test data and
# samples and keeps what the runs find; crashes are written to
# build/fuzz/crash-NAME-* (also slow units, which do not fail the run).
# Prints executions and new findings per harness and fails if any harness
# found a crash, leak, timeout or sanitizer report.
SECS=${1:-60}; shift
B=build/fuzz
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
seed() {  # seed NAME FILE...: copy the files into the corpus (up to 16 KB)
  c=$B/corpus-$1; shift; mkdir -p "$c"
  for f in "$@"; do
    [ -f "$f" ] || continue
    case "$f" in *.gz) continue ;; esac
    [ "$(wc -c < "$f")" -le 16384 ] && cp "$f" "$c/seed-$(echo "$f" | tr '/' '_')"
  done
}
seed job tests/data/jobs/*.yaml tests/data/run/*.yaml samples/jobs/*.yaml \
  layers/*.yaml tests/data/jobs/layers/*.yaml build/corpus/inputs/*.yaml
seed weights tests/data/points/harm.csv tests/fuzz/seeds/weights/*
seed points tests/data/points/* tests/data/jobs/data/*.csv tests/data/run/*.csv \
  samples/essex/risk/*southend*.csv build/corpus/inputs/*.csv build/corpus/inputs/*.geojson
seed html tests/fuzz/seeds/html/*
fail=0
for n in "$@"; do
  log=$B/fuzz-$n.log
  mkdir -p "$B/corpus-$n"
  touch "$B/.start-$n"
  nice ./$B/fuzz_$n -max_total_time="$SECS" -timeout=20 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$B/crash-$n-" \
    "$B/corpus-$n" > "$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  found=$(find "$B" -maxdepth 1 -name "crash-$n-*" -newer "$B/.start-$n" | wc -l)
  echo "fuzz_$n: ${execs:-?} executions in ${SECS}s, corpus $(ls "$B/corpus-$n" | wc -l) inputs, $found new findings (exit $rc, log $log)"
  find "$B" -maxdepth 1 -name "crash-$n-*" -newer "$B/.start-$n" | sed 's/^/  /'
  [ "$rc" -ne 0 ] && { grep -E '^(==[0-9]+==ERROR|SUMMARY)' "$log" | head -3; fail=1; }
done
exit $fail
