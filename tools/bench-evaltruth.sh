#!/bin/sh
# bench-evaltruth.sh: what the evaluation that tells the truth costs.
#  - `rtm evaluate` of the bench-evaluate.sh surface (5 million cells) against
#    its 100,000 events at 1, 5 and 20 %, without and with --bootstrap 1000
#    and a paired comparison (the surface against itself halved: the same
#    ranking, difference 0);
#  - the rolling back-test that `rtm model` adds to its report (the RTM
#    re-fitted at each of the 4 steps of the Southend sample), from its log.
# Medians of RTM_BENCH_REPEATS runs (default 3), wall time.
set -e
cd "$(dirname "$0")/.."
REPEATS=${RTM_BENCH_REPEATS:-3}
B=bench-out
make --no-print-directory build/rtm >/dev/null
[ -f $B/eval_surface.tif ] || sh tools/bench-evaluate.sh >/dev/null
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
now() { date +%s.%N; }
run_eval() { # extra options...
  i=0
  while [ "$i" -lt "$REPEATS" ]; do
    rm -rf $B/evaltruth; t0=$(now)
    ./build/rtm evaluate -q --src-crs EPSG:27700 --coverages 1,5,20 "$@" -o $B/evaltruth \
      a=$B/eval_surface.tif b=$B/eval_surface.tif $B/eval_events.csv >/dev/null
    echo "$(now) $t0" | awk '{ printf "%.3f\n", $1 - $2 }'
    i=$((i + 1))
  done | median
}
echo "evaltruth: evaluate, 2 surfaces of 5,000,000 cells, 100,000 events: $(run_eval) s"
echo "evaltruth:   with --bootstrap 1000 --compare a,b: $(run_eval --bootstrap 1000 --compare a,b) s"
S=samples/essex
i=0
while [ "$i" -lt "$REPEATS" ]; do
  ./build/rtm model --study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson \
    --dst-crs EPSG:27700 --resolution 100 --block 200 --max-blocks 3 --increment whole \
    --where "\"Crime type\" = 'Violence and sexual offences'" --seed 42 \
    --factor pubs=$S/risk/osm_pubs_essex_police_area.csv:both \
    --factor venues=$S/risk/fhrs_openpubs_venues_essex_police_area.csv:auto \
    --factor stations=$S/risk/naptan_rail_stations_essex_police_area.csv:proximity \
    -o $B/evaltruth_model $S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz 2>&1 |
    sed -n 's/.*back-test of [0-9]* steps in \([0-9.]*\) s.*/\1/p'
  i=$((i + 1))
done | median | sed 's/^/evaltruth: rtm model (Southend sample), added back-test of 4 steps: /; s/$/ s/'
