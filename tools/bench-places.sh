#!/bin/sh
# bench-places.sh: patrol places over the whole Essex Police area: 78,600
# police.uk events (January-May 2018) weighted by the shipped harm table,
# 100 squares of 150 m chosen on a 15 m grid (3,700 km², about 16 million
# fine cells) with at most 15 per district; reading included. Median of 3.
set -e
cd "$(dirname "$0")/.."
make --no-print-directory build/rtm >/dev/null
S=samples/essex
mkdir -p bench-out
t=""
for i in 1 2 3; do
  s=$(date +%s.%N)
  ./build/rtm places -q --count 100 --size 150 --harm-table layers/harm/police_uk_cchi.csv \
    --dst-crs EPSG:27700 --study-area $S/boundaries/essex_police_area_dissolved_bng.geojson \
    --areas $S/boundaries/essex_police_area_lad2011_bng.geojson --area-field name \
    --per-area 15 -o bench-out/places $S/crimes/2018-0*-essex-street.csv.gz
  e=$(date +%s.%N)
  t="$t $(echo "$e - $s" | bc)"
done
echo "places (Essex, 100 x 150 m, 15 m grid): runs$t s; median $(echo $t | tr ' ' '\n' | sort -n | sed -n 2p) s"
