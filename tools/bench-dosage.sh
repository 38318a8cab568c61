#!/bin/sh
# bench-dosage.sh: `rtm dosage` on about 10 million pings (called by
# tools/bench.sh, i.e. `make bench`).
#
# Workload (deterministic, made once by tools/sim_pings.c into
# bench-out/dosage/): 100 square places of 150 m (a 10 x 10 grid 600 m
# apart), 300 devices pinging once a minute all day for 23 days, one CSV per
# day (device,time,x,y in British National Grid, ISO 8601 times): 9.85
# million rows with 0.2 % duplicates, 0.1 % out of order and 0.1 % bad rows.
# Runs `rtm dosage` RTM_BENCH_REPEATS times (default 3) and prints the median
# wall time of the whole run, of reading (OGR, parallel over files) and of
# the rest (tracks, clipping, statistics, files), and the CPU time of all
# threads (CLOCK_PROCESS_CPUTIME_ID, as `rtm dosage` prints it) for each: on a
# machine shared with other work the wall time is the CPU time stretched by
# the load, so both are shown with the load average.
# Environment: RTM_BENCH_THREADS (default: all cores).
set -e
cd "$(dirname "$0")/.."
O=bench-out/dosage
REPEATS=${RTM_BENCH_REPEATS:-3}
make --no-print-directory build/rtm build/sim_pings >/dev/null
mkdir -p "$O"
if [ ! -f "$O/pings_2024-03-23.csv" ]; then
  echo "bench-dosage: simulating the pings into $O/ (once)"
  build/sim_pings --make-places 100 --write-places "$O/places.geojson" --out "$O" \
    --devices 300 --days 23 --seed 1 --refresh-min 60 --refresh-max 60 --shift-hours 24
fi
TH=""
[ -n "${RTM_BENCH_THREADS:-}" ] && TH="--threads $RTM_BENCH_THREADS"
echo "== dosage: $(cat "$O"/pings_*.csv | wc -l) rows in 23 files, 100 places, $REPEATS runs"
: > "$O/runs.txt"
i=0
while [ "$i" -lt "$REPEATS" ]; do
  build/rtm dosage $TH \
    --places "$O/places.geojson" --id-field device --time-field time --src-crs EPSG:27700 \
    -o "$O/out" "$O"/pings_*.csv > "$O/stdout.txt" 2>/dev/null
  # time: R s reading, C s computing and writing (CPU r s + c s)
  sed -n 's/^time: \([0-9.]*\) s reading, \([0-9.]*\) s .*(CPU \([0-9.]*\) s + \([0-9.]*\) s)/\1 \2 \3 \4/p' \
    "$O/stdout.txt" | awk '{printf "%.2f %.2f %.2f %.2f %.2f %.2f\n", $1 + $2, $1, $2, $3 + $4, $3, $4}' \
    >> "$O/runs.txt"
  i=$((i + 1))
done
head -2 "$O/stdout.txt" | sed 's/^/  /'
sort -n "$O/runs.txt" | awk -v n="$REPEATS" 'NR == int((n + 1) / 2) {
  printf "  median run: %.2f s wall = %.2f s reading + %.2f s tracks, statistics, files\n", $1, $2, $3
  printf "  its CPU time (all threads): %.2f s = %.2f s reading + %.2f s the rest\n", $4, $5, $6 }'
sort -n -k4 "$O/runs.txt" | awk -v n="$REPEATS" -v c="$(nproc)" 'NR == int((n + 1) / 2) {
  printf "  median CPU time %.2f s: on %d idle cores the wall time would be %.1f s (all cores\n" \
         "  busy) to %.2f s (one core)\n", $4, c, $4 / c, $4 }'
echo "  all runs (wall, reading, rest, CPU, CPU reading, CPU rest): $(tr '\n' ';' < "$O/runs.txt")"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores (target: 20 s wall)"
