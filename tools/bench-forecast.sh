#!/bin/sh
# bench-forecast.sh: `rtm forecast` over the Essex Police force area at
# 100 m (900 x 719 cells, about 400,000 inside), 5 months of violence
# (21,111 events, the bundled sample): the whole command (reading the
# events, fitting, the back-test, writing the files). Issue target: <= 5 s.
# Prints each run's wall time and CPU time (user + system, all threads: on a
# machine shared with other work the CPU time is the steadier figure) and
# their medians over RTM_BENCH_REPEATS (5) runs.
set -e
cd "$(dirname "$0")/.."
make --no-print-directory build/rtm >/dev/null
S=samples/essex
OUT=bench-out/forecast
REPEATS=${RTM_BENCH_REPEATS:-5}
mkdir -p bench-out
times=""
cpus=""
i=0
while [ $i -lt "$REPEATS" ]; do
  t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o bench-out/forecast.cpu ./build/rtm forecast -q --dst-crs EPSG:27700 \
    --study-area $S/boundaries/essex_police_area_dissolved_bng.geojson --resolution 100 \
    --where "\"Crime type\" = 'Violence and sexual offences'" -o $OUT \
    $S/crimes/2018-0*-essex-street.csv.gz >/dev/null
  t1=$(date +%s.%N)
  times="$times $(echo "$t1 - $t0" | bc)"
  cpus="$cpus $(awk '{ printf "%.2f", $1 + $2 }' bench-out/forecast.cpu)"
  i=$((i + 1))
done
echo "forecast, Essex force area, 100 m, 5 months of violence: wall (s):$times; CPU (s):$cpus"
echo $times | tr ' ' '\n' | sort -n | awk '{ a[NR] = $1 } END {
  m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2;
  printf "forecast: median %.2f s over %d runs (target <= 5 s)\n", m, NR }'
echo $cpus | tr ' ' '\n' | sort -n | awk '{ a[NR] = $1 } END {
  m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2;
  printf "forecast: median CPU time %.2f s (user + system, all threads)\n", m }'
