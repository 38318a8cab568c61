#!/bin/sh
# CLI tests of tiles (`--tile I/N` and `rtm merge`) of kde, distance,
# hotspots, change, emerging, model and forecast: the N tile commands run
# one after another without a scheduler (as a batch array's tasks would),
# in reverse and with different thread counts, then the merge; every file
# the merge writes (GeoTIFFs, .qml, maps, polygons) must be byte-identical to
# the whole command's (cmp); rectangles (I/RxC) too. Then the merge's refusals: a tile missing, a
# tile twice, tiles of another command line, a file that is not a tile,
# tiles made from an input file that has changed since.
RTM=${RTM_BIN:-build/rtm}
. tests/cli/harness.inc
RTM=$(cd "$(dirname "$RTM")" && pwd)/$(basename "$RTM")
S=$(pwd)/samples/essex
AREA="--dst-crs EPSG:27700 --study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson"
EV="$S/crimes/2018-01-essex-street.csv.gz $S/crimes/2018-02-essex-street.csv.gz"

# same NAME DIR1 DIR2: every file of DIR1 is in DIR2 with the same bytes
same() {
  for f in "$2"/*; do cmp -s "$f" "$3/$(basename "$f")" || { echo "differs: $f"; return 1; }; done
  [ "$(ls "$2" | wc -l)" -eq "$(ls "$3" | grep -vc '\.tile-')" ]
}

# tiled CMD N ARGS...: the whole run into $T/CMD-whole, N tiles (reverse
# order, threads 1 and 2 alternating) and the merge into $T/CMD-N.
tiled() {
  cmd=$1; n=$2; shift 2
  mkdir -p "$T/$cmd-whole" "$T/$cmd-$n"
  (cd "$T/$cmd-whole" && "$RTM" "$cmd" -q "$@") || return 1
  i=$((n - 1))
  while [ "$i" -ge 0 ]; do
    (cd "$T/$cmd-$n" && "$RTM" "$cmd" -q --threads $((1 + i % 2)) "$@" --tile "$i/$n") || return 1
    i=$((i - 1))
  done
  [ "$(ls "$T/$cmd-$n" | wc -l)" -eq "$n" ] || return 1
  (cd "$T/$cmd-$n" && "$RTM" merge ./*.tile-* >/dev/null 2>&1) || return 1
  same "$cmd" "$T/$cmd-whole" "$T/$cmd-$n"
}
KDE="$AREA --resolution 25 --radius 400 --classes quantile --png k.png -o k.tif $EV"
check "kde: 5 tiles merged = the whole run, byte for byte" "tiled kde 5 $KDE"
rm -rf "$T/kde-whole"
check "kde: 1 tile merged = the whole run" "tiled kde 1 $KDE"
rm -rf "$T/kde-whole"
check "kde per cell, 3 tiles" "tiled kde 3 $AREA --resolution 40 --units cell --radius 300 -o k.tif $EV"
HS="$AREA --resolution 50 --band 250 --fdr --png h.png --polygons h.gpkg -o h.tif $EV"
check "hotspots (band, FDR, polygons): 4 tiles = whole" "tiled hotspots 4 $HS"
rm -rf "$T/hotspots-whole"
check "hotspots (k nearest): 3 tiles = whole" "tiled hotspots 3 $AREA --resolution 60 --knn 8 -o h.tif $EV"
DI="$AREA --resolution 30 --max-distance 1500 --png d.png -o d.tif $S/risk/osm_pubs_southend_on_sea.csv"
check "distance: 6 tiles = whole" "tiled distance 6 $DI"
rm -rf "$T/distance-whole"
check "distance to polygons: 2 tiles = whole" \
  "tiled distance 2 --dst-crs EPSG:27700 --bbox 575000,182000,595000,192000 --resolution 40 -o d.tif $S/boundaries/southend_on_sea_lad2011_bng.geojson"

# change: every strip draws the same permutations of all events; the FDR
# classes, areal-unit tests and tables come from the merge (files in -o DIR)
M=$(pwd)/samples/manchester
CH="--src-crs EPSG:27700 --dst-crs EPSG:27700 --study-area $M/boundaries/manchester_city_boundary_bng.geojson --resolution 150 --before 2017-01..2017-09 --after 2017-10..2017-12 --radius 400 --iterations 99 --units-layer $M/boundaries/manchester_1km_squares_bng.geojson -o ch $M/crimes/manchester_burglary_2017.csv.gz"
mkdir -p "$T/change-whole" "$T/change-3"
(cd "$T/change-whole" && "$RTM" change -q $CH)
for i in 2 0 1; do (cd "$T/change-3" && "$RTM" change -q $CH --tile $i/3); done
(cd "$T/change-3" && "$RTM" merge ch.tile-*-of-03.tif >/dev/null 2>&1)
check "change (permutation test, units): 3 tiles = whole, every file" \
  "[ -s '$T/change-whole/ch/significance.tif' ] && diff -r '$T/change-whole/ch' '$T/change-3/ch'"

# emerging: each strip's space-time Gi* (a band per step) from the counts
# within the band and the cube's global mean and SD formed from every event;
# the FDR, trends, categories and files from the merge (files in -o DIR)
em_tiled() {
  n=$1; shift
  mkdir -p "$T/em-whole-$n" "$T/em-$n"
  (cd "$T/em-whole-$n" && "$RTM" emerging -q "$@" -o em) || return 1
  for i in $(seq $((n - 1)) -1 0); do
    (cd "$T/em-$n" && "$RTM" emerging -q --threads $((1 + i % 2)) "$@" -o em --tile $i/$n) ||
      return 1
  done
  (cd "$T/em-$n" && "$RTM" merge em.tile-*.tif >/dev/null 2>&1) || return 1
  [ -s "$T/em-whole-$n/em/zscores.tif" ] && diff -r "$T/em-whole-$n/em" "$T/em-$n/em"
}
check "emerging (month steps, band, study area): 4 tiles = whole, every file" \
  "em_tiled 4 $AREA --resolution 100 --band 300 --step month $EV $S/crimes/2018-03-essex-street.csv.gz"
check "emerging (k nearest, 2 time steps, all cells): 3 tiles = whole" \
  "em_tiled 3 $AREA --resolution 150 --knn 6 --time-steps 2 --all-cells --step month $EV"

# rectangles (--tile I/RxC): R row strips x C bands of 64-column blocks; the
# KDE reads only the events within reach of its columns; every file of the
# merge byte for byte the whole run's
rect() {
  cmd=$1; lay=$2; shift 2
  d="$T/rect-$cmd-$lay"
  mkdir -p "$d/whole" "$d/tiles"
  (cd "$d/whole" && "$RTM" "$cmd" -q "$@") || return 1
  n=$(echo "$lay" | awk -Fx '{ print $1 * $2 }')
  for i in $(seq $((n - 1)) -1 0); do
    (cd "$d/tiles" && "$RTM" "$cmd" -q --threads $((1 + i % 2)) "$@" --tile "$i/$lay") || return 1
  done
  (cd "$d/tiles" && "$RTM" merge ./*.tile-* >/dev/null 2>&1) || return 1
  rm "$d"/tiles/*.tile-*
  diff -r "$d/whole" "$d/tiles"
}
check "kde: 2 x 3 rectangles = whole, every file" \
  "rect kde 2x3 $AREA --resolution 10 --radius 400 --classes quantile --png k.png -o k.tif $EV"
check "hotspots (band, FDR, polygons): 3 x 2 rectangles = whole" \
  "rect hotspots 3x2 $AREA --resolution 20 --band 250 --fdr --png h.png --polygons h.gpkg -o h.tif $EV"
check "distance: 2 x 2 rectangles = whole" \
  "rect distance 2x2 $AREA --resolution 10 --max-distance 1500 --png d.png -o d.tif $S/risk/osm_pubs_southend_on_sea.csv"
check "emerging: 2 x 2 rectangles = whole, every file" \
  "rect emerging 2x2 $AREA --resolution 20 --band 300 --step month -o em $EV $S/crimes/2018-03-essex-street.csv.gz"
(cd "$T" && "$RTM" kde -q $AREA --resolution 100 --radius 400 -o r.tif --tile 0/1x4 $EV 2> rerr.txt); rc=$?
check "rectangles: more column bands than 64-column blocks is refused" \
  "[ $rc -ne 0 ] && grep -q 'at most one per 64 columns' '$T/rerr.txt'"

# model: each tile builds its strip's candidate variables (every column, the
# density thresholds over the whole grid) and writes each study cell's
# pattern (.tif) and the strip's pattern table (.parts); the merge merges the
# tables, drops the columns constant over the grid, fits, back-tests and
# writes every file (-o DIR)
MO="--study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson --dst-crs EPSG:27700 --resolution 100 --block 200 --max-blocks 3 --increment half --seed 42 --factor pubs=$S/risk/osm_pubs_essex_police_area.csv:both --factor venues=$S/risk/fhrs_openpubs_venues_essex_police_area.csv:auto --factor stations=$S/risk/naptan_rail_stations_essex_police_area.csv:proximity $S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz"
mo_tiled() {
  n=$1
  mkdir -p "$T/mo-whole" "$T/mo-$n"
  [ -s "$T/mo-whole/m/model.json" ] || (cd "$T/mo-whole" && "$RTM" model -q $MO -o m) || return 1
  for i in $(seq $((n - 1)) -1 0); do
    (cd "$T/mo-$n" && "$RTM" model -q --threads $((1 + i % 2)) $MO -o m --tile $i/$n) || return 1
  done
  [ "$(ls "$T/mo-$n/m" | wc -l)" -eq $((2 * n)) ] || return 1
  (cd "$T/mo-$n" && "$RTM" merge m/model.tile-*.tif >/dev/null 2>&1) || return 1
  rm "$T/mo-$n"/m/model.tile-*
  diff -r "$T/mo-whole/m" "$T/mo-$n/m"
}
check "model (3 factors, back-test): 4 tiles = whole, every file" "mo_tiled 4"
check "model: 1 tile = whole" "mo_tiled 1"
check "model: 7 tiles = whole" "mo_tiled 7"
(cd "$T" && "$RTM" model -q $MO -o mr --tile 0/2x2 2> rerr.txt); rc=$?
check "model: rectangles are refused (its tiles are strips)" \
  "[ $rc -ne 0 ] && grep -q 'strips of whole rows' '$T/rerr.txt'"
# the density statistics stage of a batch array: N --tile-stats runs (each
# its own rows' densities), then N tiles that find them all and compute only
# their own rows' densities: the same tile files as tiles without them, and
# the same merge
mo_stats() {
  n=$1
  mkdir -p "$T/mos-$n" "$T/mo-plain-$n"
  for i in $(seq 0 $((n - 1))); do
    (cd "$T/mos-$n" && "$RTM" model -q $MO -o m --tile $i/$n --tile-stats) || return 1
  done
  [ "$(ls "$T/mos-$n/m" | grep -c '\.stats$')" -eq "$n" ] || return 1
  [ "$(ls "$T/mos-$n/m" | wc -l)" -eq "$n" ] || return 1
  for i in $(seq $((n - 1)) -1 0); do
    (cd "$T/mos-$n" && "$RTM" model -q --threads $((1 + i % 2)) $MO -o m --tile $i/$n) ||
      return 1
    (cd "$T/mo-plain-$n" && "$RTM" model -q $MO -o m --tile $i/$n) || return 1
  done
  for f in "$T/mo-plain-$n"/m/model.tile-*; do
    cmp -s "$f" "$T/mos-$n/m/$(basename "$f")" || { echo "differs: $f"; return 1; }
  done
  (cd "$T/mos-$n" && "$RTM" merge m/model.tile-*.tif >/dev/null 2>&1) || return 1
  rm "$T/mos-$n"/m/model.tile-*
  diff -r "$T/mo-whole/m" "$T/mos-$n/m"
}
check "model --tile-stats: 3 strips' statistics, then 3 tiles = tiles without = whole" \
  "mo_stats 3"
mkdir -p "$T/mos-part"
(cd "$T/mos-part" && "$RTM" model -q $MO -o m --tile 1/3 --tile-stats)
(cd "$T/mos-part" && "$RTM" model -q $MO -o m --tile 0/3 2> err.txt); rc=$?
check "model: some strips' statistics but not all is refused, naming one missing" \
  "[ $rc -eq 1 ] && grep -q '1 of the 3 strips' '$T/mos-part/err.txt' && grep -q 'tile-00-of-03.stats' '$T/mos-part/err.txt' && [ ! -e '$T/mos-part/m/model.tile-00-of-03.tif' ]"
for i in 0 2; do (cd "$T/mos-part" && "$RTM" model -q $MO --density-k 1.5 -o m --tile $i/3 --tile-stats); done
(cd "$T/mos-part" && "$RTM" model -q $MO -o m --tile 0/3 2> err.txt); rc=$?
check "model: statistics made by another command line are refused" \
  "[ $rc -eq 1 ] && grep -q 'not strip 0 of 3' '$T/mos-part/err.txt' && [ ! -e '$T/mos-part/m/model.tile-00-of-03.tif' ]"
(cd "$T" && "$RTM" model -q $MO -o m --tile-stats 2> serr.txt); rc=$?
check "model: --tile-stats without --tile is a usage error" \
  "[ $rc -eq 2 ] && grep -q 'needs --tile' '$T/serr.txt'"
# forecast with risk factors: the factors' variables by strips, the monthly
# features, fit and back-test in the merge
FC="--dst-crs EPSG:27700 --study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson --resolution 100 --train-to 2018-04 --factor pubs=$S/risk/osm_pubs_southend_on_sea.csv:both --factor venues=$S/risk/fhrs_openpubs_venues_southend_on_sea.csv:proximity --block 200 --max-blocks 2 $S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz"
fc_tiled() {
  n=$1
  mkdir -p "$T/fc-whole" "$T/fc-$n"
  (cd "$T/fc-whole" && "$RTM" forecast -q $FC -o f) || return 1
  for i in $(seq $((n - 1)) -1 0); do
    (cd "$T/fc-$n" && "$RTM" forecast -q --threads $((1 + i % 2)) $FC -o f --tile $i/$n) ||
      return 1
  done
  (cd "$T/fc-$n" && "$RTM" merge f/forecast.tile-*.tif >/dev/null 2>&1) || return 1
  rm "$T/fc-$n"/f/forecast.tile-*
  [ -s "$T/fc-whole/f/forecast.tif" ] && grep -q venues_proximity "$T/fc-whole/f/forecast.json" &&
    diff -r "$T/fc-whole/f" "$T/fc-$n/f"
}
check "forecast with 2 factors: 3 tiles = whole, every file" "fc_tiled 3"
fc_stats() {
  mkdir -p "$T/fcs"
  for i in 0 1; do
    (cd "$T/fcs" && "$RTM" forecast -q $FC -o f --tile $i/2 --tile-stats) || return 1
  done
  for i in 1 0; do (cd "$T/fcs" && "$RTM" forecast -q $FC -o f --tile $i/2) || return 1; done
  [ "$(ls "$T/fcs/f" | grep -c '\.stats$')" -eq 2 ] || return 1
  (cd "$T/fcs" && "$RTM" merge f/forecast.tile-*.tif >/dev/null 2>&1) || return 1
  rm "$T/fcs"/f/forecast.tile-*
  diff -r "$T/fc-whole/f" "$T/fcs/f"
}
check "forecast --tile-stats: 2 strips' statistics, then 2 tiles = whole" "fc_stats"
mkdir -p "$T/fc-nof" && (cd "$T/fc-nof" && "$RTM" forecast -q --dst-crs EPSG:27700 --resolution 200 \
  --study-area "$S/boundaries/southend_on_sea_lad2011_bng.geojson" -o f --tile 0/2 \
  "$S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz" 2> err.txt); rc=$?
check "forecast without factors: --tile is refused (nothing to build by strips)" \
  "[ $rc -ne 0 ] && grep -q 'no risk factors' '$T/fc-nof/err.txt'"

# a partials file damaged or missing: refused, the outputs left as they were
mkdir -p "$T/mo-bad" && for i in 0 1; do (cd "$T/mo-bad" && "$RTM" model -q $MO -o m --tile $i/2); done
cp "$T/mo-bad/m/model.tile-01-of-02.parts" "$T/keep.parts"
printf 'x' >> "$T/mo-bad/m/model.tile-01-of-02.parts"
(cd "$T/mo-bad" && "$RTM" merge m/model.tile-*.tif 2> err.txt); rc=$?
check "model merge: a damaged partials file is refused" \
  "[ $rc -eq 1 ] && grep -q 'fails the checksum' '$T/mo-bad/err.txt' && [ ! -e '$T/mo-bad/m/model.json' ]"
rm "$T/mo-bad/m/model.tile-01-of-02.parts"
(cd "$T/mo-bad" && "$RTM" merge m/model.tile-*.tif 2> err.txt); rc=$?
check "model merge: a missing partials file is refused" \
  "[ $rc -eq 1 ] && grep -q 'partials file must lie beside it' '$T/mo-bad/err.txt' && [ ! -e '$T/mo-bad/m/rrs.tif' ]"
cp "$T/keep.parts" "$T/mo-bad/m/model.tile-01-of-02.parts"
(cd "$T/mo-bad" && "$RTM" merge m/model.tile-*.tif 2> err.txt); rc=$?
check "model merge: the partials restored, the tiles merge" "[ $rc -eq 0 ] && cmp -s '$T/mo-bad/m/rrs.tif' '$T/mo-whole/m/rrs.tif'"

# refusals: exit 1 and the reason, nothing written
mkdir -p "$T/bad" && cd "$T/bad" || exit 1
for i in 0 1 2; do "$RTM" kde -q $AREA --resolution 100 --radius 500 -o k.tif --tile $i/3 $EV; done
"$RTM" merge k.tile-00-of-03.tif k.tile-01-of-03.tif 2> err.txt; rc=$?
check "merge: a tile missing is an error" "[ $rc -eq 1 ] && grep -q 'tile 0 of 3, but 2 tile files' err.txt && [ ! -e k.tif ]"
"$RTM" merge k.tile-00-of-03.tif k.tile-01-of-03.tif k.tile-01-of-03.tif 2> err.txt; rc=$?
check "merge: a tile twice is an error" "[ $rc -eq 1 ] && grep -q 'are both tile 1/3' err.txt"
mv k.tile-02-of-03.tif keep.tif
"$RTM" kde -q $AREA --resolution 100 --radius 600 -o k.tif --tile 2/3 $EV
"$RTM" merge k.tile-0*-of-03.tif 2> err.txt; rc=$?
check "merge: tiles of another command line are refused" "[ $rc -eq 1 ] && grep -q 'another command line' err.txt && [ ! -e k.tif ]"
"$RTM" merge keep.tif k.tile-00-of-03.tif k.tile-01-of-03.tif; rc=$?
check "merge: the right three tiles, any order, write k.tif" "[ $rc -eq 0 ] && [ -s k.tif ]"
"$RTM" merge "$S/boundaries/southend_on_sea_lad2011_bng.geojson" 2> err.txt; rc=$?
check "merge: a file that is not a tile is refused" "[ $rc -eq 1 ] && grep -q 'cannot open\|not an rtm tile' err.txt"
# inputs changed between the tiles and the merge: refused, not merged
awk 'BEGIN { print "x,y"; for (i = 0; i < 300; i++) printf "%d,%d\n", 580000 + (i * 37) % 9000, 183000 + (i * 53) % 7000 }' > ev.csv
PTS="--src-crs EPSG:27700 --dst-crs EPSG:27700 --bbox 579000,182000,591000,192000 --resolution 100 --radius 400 -o p.tif ev.csv"
for i in 0 1; do "$RTM" kde -q $PTS --tile $i/2; done
echo "585000,187000" >> ev.csv
"$RTM" merge p.tile-0*-of-02.tif 2> err.txt; rc=$?
check "merge: tiles made before an input file changed are refused" \
  "[ $rc -eq 1 ] && grep -q 'other inputs' err.txt && [ ! -e p.tif ]"
sed -i '$d' ev.csv
"$RTM" merge p.tile-0*-of-02.tif 2> err.txt; rc=$?
check "merge: with the file as it was, the same tiles merge" "[ $rc -eq 0 ] && [ -s p.tif ]"
"$RTM" kde -q $AREA --resolution 100 -o k.tif --tile 3/3 $EV 2> err.txt; rc=$?
check "--tile 3/3 is a usage error" "[ $rc -eq 2 ] && grep -q 'I/N' err.txt"
"$RTM" kde -q $AREA --resolution 100 --edge uniform -o k.tif --tile 0/2 $EV 2> err.txt; rc=$?
check "--tile with edge correction is refused" "[ $rc -ne 0 ] && grep -q 'whole grid' err.txt"
finish
