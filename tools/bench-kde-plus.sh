#!/bin/sh
# bench-kde-plus.sh: the costs of the complete KDE's modes (edge correction,
# adaptive radii, likelihood cross-validation) on real data: Essex violence
# and sexual offences, January-May 2018 (samples/essex), in the force area at
# 100 m cells, quartic radius 750 m. Each mode runs `rtm kde` RTM_BENCH_REPEATS
# times (default 3); the median wall time is printed with its excess over the
# plain KDE (reading the five CSVs is most of the plain run). The Gaussian's
# cross-validation is left out: its leave-one-out sums reach twice the largest
# nearest-neighbour distance (as spatstat's), n^2 pairs here.
set -e
cd "$(dirname "$0")/.."
make --no-print-directory build/rtm >/dev/null
REPEATS=${RTM_BENCH_REPEATS:-3}
S=samples/essex
OUT=bench-out/kde-plus
mkdir -p "$OUT"
W="\"Crime type\" = 'Violence and sexual offences'"
run() { # label, options...
  label=$1; shift
  : > "$OUT/times"
  i=0
  while [ $i -lt "$REPEATS" ]; do
    s=$(date +%s.%N)
    ./build/rtm kde -q --dst-crs EPSG:27700 --study-area $S/boundaries/essex_police_area_dissolved_bng.geojson \
      --resolution 100 --where "$W" "$@" -o "$OUT/k.tif" $S/crimes/2018-0*-essex-street.csv.gz
    e=$(date +%s.%N)
    echo "$s $e" | awk '{ printf "%.2f\n", $2 - $1 }' >> "$OUT/times"
    i=$((i + 1))
  done
  med=$(sort -n "$OUT/times" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  [ -z "${BASE:-}" ] && BASE=$med
  printf '  %-46s %7s s  (+%s s over plain)\n' "$label" "$med" \
    "$(awk -v a="$med" -v b="$BASE" 'BEGIN { printf "%.2f", a - b }')"
}
echo "== complete KDE: Essex violence 2018-01..05 (29,000 events), 100 m cells, quartic 750 m; median of $REPEATS, wall time of rtm kde"
run "plain" --radius 750
run "--edge uniform" --radius 750 --edge uniform
run "--edge diggle" --radius 750 --edge diggle
run "--adaptive (default groups)" --radius 750 --adaptive
run "--adaptive --edge uniform" --radius 750 --adaptive --edge uniform
run "--radius auto-cv (quartic)" --radius auto-cv
run "--radius auto-cv --edge uniform" --radius auto-cv --edge uniform
