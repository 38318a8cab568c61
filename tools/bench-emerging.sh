#!/bin/sh
# bench-emerging.sh: `rtm emerging` over the Essex Police force area at 100 m
# (900 x 719 cells) and 5 police.uk months (78,635 events), the issue's
# target being a few seconds; and 52 simulated weeks on 300 x 300 cells.
# Prints the median of RTM_BENCH_REPEATS runs (default 5) of wall and CPU
# time (user + sys); on a busy machine wall time is an upper bound.
set -e
cd "$(dirname "$0")/.."
make --no-print-directory build/rtm >/dev/null
REPEATS=${RTM_BENCH_REPEATS:-5}
S=samples/essex
B=bench-out
mkdir -p $B
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
run() { # label, rtm arguments...
  label=$1; shift
  : > $B/emerging.times
  i=0
  while [ $i -lt "$REPEATS" ]; do
    /usr/bin/time -f "%e %U %S" -o $B/emerging.t ./build/rtm emerging -q "$@" > /dev/null
    cat $B/emerging.t >> $B/emerging.times
    i=$((i + 1))
  done
  wall=$(awk '{ print $1 }' $B/emerging.times | median)
  cpu=$(awk '{ print $2 + $3 }' $B/emerging.times | median)
  echo "emerging: $label: median of $REPEATS: ${wall} s wall, ${cpu} s CPU"
}
run "Essex 100 m, 5 months, band 300 m" --dst-crs EPSG:27700 \
  --study-area $S/boundaries/essex_police_area_dissolved_bng.geojson --resolution 100 \
  --band 300 --step month -o $B/emerging-essex $S/crimes/2018-0[1-5]-essex-street.csv.gz
[ -f $B/emerging_sim.csv ] || python3 tools/sim-emerging.py --seed 7 --weeks 52 --size 30000 \
  --background 2000 --out $B/emerging_sim.csv
run "simulated, 300 x 300 cells of 100 m, 52 weeks" --src-crs EPSG:27700 \
  --x-field Easting --y-field Northing --month-field Date --dst-crs EPSG:27700 \
  --bbox 570000,205000,600000,235000 --resolution 100 --band 300 --step week \
  -o $B/emerging-weeks $B/emerging_sim.csv
