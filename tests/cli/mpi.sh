#!/bin/sh
# CLI tests of rtm under MPI (Open MPI's mpirun, README "MPI"): kde, distance,
# hotspots, change, emerging, model and run with 1, 2 and 3 ranks (3
# oversubscribe a 2-core machine) write
# the bytes of the plain run; only rank 0 writes and speaks; a command that
# does not spread runs once; an error on every rank, or on one rank alone,
# ends every rank with a failure, without hanging.
RTM=${RTM_BIN:-build/rtm}
S=samples/essex
. tests/cli/harness.inc

if ! ldd "$RTM" 2>/dev/null | grep -q libmpi; then
  ok "skipped: rtm was built without MPI (make MPI=0)"
  finish; exit
fi
# Open MPI as root, more ranks than cores, and shared memory without the
# single-copy mechanism (CMA needs ptrace rights a container may not give)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
MPIRUN="timeout 120 mpirun"

# The same files in folder $1 as in folder $2 (names of $2), byte for byte.
same() {
  for f in "$2"/*; do cmp -s "$f" "$1/$(basename "$f")" || return 1; done
}
# Run rtm without mpirun (N = 0) and with N = 1, 2, 3 ranks (or $NS) into
# $T/$name-N/ (args: name, rtm args with OUT for the folder).
ranks() {
  name=$1; shift
  for n in 0 ${NS:-1 2 3}; do
    mkdir -p "$T/$name-$n"
    args=$(echo "$*" | sed "s|OUT|$T/$name-$n|g")
    if [ $n -eq 0 ]; then $RTM $args > "$T/$name-$n.out" 2> "$T/$name-$n.err"
    else $MPIRUN -np $n $RTM $args > "$T/$name-$n.out" 2> "$T/$name-$n.err"; fi
    check "$name: $n ranks exit 0" "[ $? -eq 0 ]"
    [ $n -gt 0 ] && check "$name: $n ranks write the plain run's bytes" \
      "same $T/$name-$n $T/$name-0"
  done
}

# 1. kde (GeoTIFF and maps): strips over the ranks, gathered by rank 0
awk 'BEGIN { print "x,y"; s = 12345;
  for (i = 0; i < 3000; i++) { s = (s * 1103515245 + 12345) % 2147483648; x = 560000 + 30000 * s / 2147483648;
    s = (s * 1103515245 + 12345) % 2147483648; y = 180000 + 30000 * s / 2147483648;
    printf "%.2f,%.2f\n", x, y } }' > "$T/points.csv"
KDE="kde --src-crs EPSG:27700 --x-field x --y-field y --dst-crs EPSG:27700
  --bbox 560000,180000,590000,210000 --resolution 100 --radius 800 --classes quantile"
ranks kde $KDE --png OUT/kde.png -o OUT/kde.tif "$T/points.csv"
check "kde: 3 ranks print rank 0's lines alone (wrote, summary)" \
  "[ \$(grep -c '^wrote ' $T/kde-3.err) -eq \$(grep -c '^wrote ' $T/kde-0.err) ] &&
   [ \$(grep -c '^radius' $T/kde-3.err) -eq 1 ]"
check "kde: no other files" "[ \$(ls $T/kde-3 | wc -l) -eq \$(ls $T/kde-0 | wc -l) ]"

# edge correction needs the whole grid at once: rank 0 computes it alone
NS=3
ranks edge kde -q --dst-crs EPSG:27700 --study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson \
  --resolution 100 --radius 500 --edge uniform -o OUT/e.tif \
  $S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
NS=

# 2. distance
ranks distance distance -q --dst-crs EPSG:27700 --bbox 580000,182000,597000,190000 \
  --resolution 50 --png OUT/d.png -o OUT/d.tif $S/risk/naptan_rail_stations_southend_on_sea.csv

# 3. hotspots: strips of Gi* over the ranks; FDR bins, maps and polygons by rank 0
ranks hotspots hotspots -q --src-crs EPSG:27700 --x-field x --y-field y --dst-crs EPSG:27700 \
  --bbox 560000,180000,590000,210000 --resolution 250 --band 750 --fdr --png OUT/h.png \
  --polygons OUT/h.gpkg -o OUT/h.tif "$T/points.csv"

# change: several bands a strip (the period KDEs, the permutation tallies)
NS="2 3"
ranks change change -q --dst-crs EPSG:27700 \
  --study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson --resolution 200 \
  --radius 400 --before 2018-01..2018-03 --after 2018-04..2018-05 --iterations 99 --seed 5 \
  -o OUT $S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
# emerging: a band per month step a strip; FDR, trends and files by rank 0
NS=3
ranks emerging emerging -q --dst-crs EPSG:27700 \
  --study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson --resolution 150 --band 450 \
  --step month -o OUT $S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
NS=

# 4. model: the factors' variables built over the ranks, fitted by rank 0
ranks model model -q --study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson \
  --dst-crs EPSG:27700 --resolution 200 --block 400 --max-blocks 2 --increment whole \
  --seed 42 --factor pubs=$S/risk/osm_pubs_essex_police_area.csv:both \
  --factor venues=$S/risk/fhrs_openpubs_venues_essex_police_area.csv:density \
  --factor stations=$S/risk/naptan_rail_stations_essex_police_area.csv:proximity \
  -o OUT $S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
check "model: every file written" "[ \$(ls $T/model-0 | wc -l) -ge 8 ] && [ -s $T/model-3/model.json ]"

# 5. rtm run: the job's units over the ranks, the finish step by rank 0 (the
# small Southend job of tests/cli/run_units.sh, compared as there: every file,
# manifest.json but for its run id, times and timings)
D=$(cd "${RTM_TEST_DATA:-tests/data}" && pwd)
R=$(pwd)
job() { # out folder -> job file on stdout
  sed -e "s#\.\./\.\./\.\./build/test-run/southend#$1#" -e "s#\.\./\.\./\.\./#$R/#" \
      -e "s#^catalog: layers#catalog: $D/run/layers#" "$D/run/southend.yaml"
}
same_run() { # plain run folder, MPI run folder
  P=$(readlink -f "$1/current"); F=$(readlink -f "$2/current")
  [ -n "$P" ] && [ -n "$F" ] || return 1
  (cd "$P" && find . -type f | sort) > "$T/p.lst"; (cd "$F" && find . -type f | sort) > "$T/f.lst"
  cmp -s "$T/p.lst" "$T/f.lst" || return 1
  while read -r f; do
    [ "$f" = ./manifest.json ] || cmp -s "$P/$f" "$F/$f" || return 1
  done < "$T/p.lst"
  python3 - "$P/manifest.json" "$F/manifest.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for m in (a, b):
    m.pop("timings_s")
    for k in ("id", "started", "finished"):
        m["run"].pop(k)
sys.exit(a != b)
PY
}
# one job file, its output folder moved aside after each run
job "$T/out" > "$T/job.yaml"
$RTM run -q --run-date 2018-06-01 "$T/job.yaml" 2> "$T/run-0.err"
check "run: plain run exits 0" "[ $? -eq 0 ]"
mv "$T/out" "$T/run-0"
for n in 2 3; do # (1 rank is the plain run's code)
  $MPIRUN -np $n $RTM run --run-date 2018-06-01 "$T/job.yaml" > /dev/null 2> "$T/run-$n.err"
  check "run: $n ranks exit 0" "[ $? -eq 0 ]"
  mv "$T/out" "$T/run-$n"
  check "run: $n ranks make the plain run's folder" "same_run $T/run-0 $T/run-$n"
  check "run: $n ranks leave no unit folders" "[ -z \"\$(ls $T/run-$n/units 2> /dev/null)\" ]"
done
check "run: rank 0 alone logs, once" "[ \$(grep -c 'done in' $T/run-3.err) -eq 1 ]"
$MPIRUN -np 2 $RTM run --unit 0 --run-date 2018-06-01 "$T/job.yaml" > /dev/null 2>&1 &&
  $MPIRUN -np 3 $RTM run --plan "$T/job.yaml" > "$T/plan.txt" 2> /dev/null
check "run --unit and --plan under MPI: rank 0 alone (one unit, one plan)" \
  "[ \$(ls $T/out/units/*/ | wc -l) -eq 1 ] && [ \$(grep -c '^units' $T/plan.txt) -eq 1 ]"

# 6. a command that does not spread (merge) runs on rank 0 alone, once
mkdir -p "$T/tiles"
for i in 0 1; do $RTM $KDE --tile $i/2 -o "$T/tiles/kde.tif" "$T/points.csv" 2> /dev/null; done
$RTM merge "$T"/tiles/kde.tile-*.tif 2> /dev/null && mv "$T/tiles/kde.tif" "$T/merged0.tif"
$MPIRUN -np 2 $RTM merge "$T"/tiles/kde.tile-*.tif > /dev/null 2> "$T/merge.err"
check "merge under 2 ranks exits 0 and writes the plain merge's GeoTIFF" \
  "[ $? -eq 0 ] && cmp -s $T/merged0.tif $T/tiles/kde.tif"
check "merge under 2 ranks says it once" "[ \$(grep -c '^wrote .*kde.tif' $T/merge.err) -eq 1 ]"
# a model tile's density statistics (--tile-stats) under 2 ranks (rank 0 computes
# them, the others wait): the same file as without mpirun
SA=$(pwd)/$S RA=$(cd "$(dirname "$RTM")" && pwd)/$(basename "$RTM")
MT="--study-area $SA/boundaries/southend_on_sea_lad2011_bng.geojson --dst-crs EPSG:27700 --resolution 200 --block 400 --max-blocks 2 --seed 42 --factor venues=$SA/risk/fhrs_openpubs_venues_essex_police_area.csv:density -o m $SA/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz"
mkdir -p "$T/ms0" "$T/ms2"
(cd "$T/ms0" && $RA model -q $MT --tile 1/2 --tile-stats)
(cd "$T/ms2" && $MPIRUN -np 2 $RA model -q $MT --tile 1/2 --tile-stats > out.txt 2>&1)
check "model --tile-stats under 2 ranks: exit 0, the plain run's statistics file" \
  "[ $? -eq 0 ] && cmp -s $T/ms0/m/model.tile-01-of-02.stats $T/ms2/m/model.tile-01-of-02.stats"

# 7. errors: a missing input on every rank; a missing input on rank 2 alone
# (MPMD: rank 2 gets other arguments); rank 0 unable to write
$MPIRUN -np 3 $RTM $KDE -o "$T/e1.tif" "$T/missing.csv" > /dev/null 2> "$T/e1.err"
check "missing input on every rank: exit 1, not a hang" "[ $? -eq 1 ]"
check "missing input: said once, nothing written" \
  "[ \$(grep -c 'cannot open' $T/e1.err) -eq 1 ] && [ ! -e $T/e1.tif ]"
$MPIRUN -np 2 $RTM $KDE -o "$T/e2.tif" "$T/points.csv" : \
  -np 1 $RTM $KDE -o "$T/e2.tif" "$T/missing.csv" > /dev/null 2> "$T/e2.err"
check "missing input on rank 2 alone: every rank fails (exit 1)" "[ $? -eq 1 ]"
check "rank 0 names the failing rank and its error; nothing written" \
  "grep -q 'error: rank 2 of 3: .*missing.csv' $T/e2.err && [ ! -e $T/e2.tif ]"
$MPIRUN -np 1 $RTM $KDE -o "$T/no/such/dir/e3.tif" "$T/points.csv" : \
  -np 2 $RTM $KDE -o "$T/e3.tif" "$T/points.csv" > /dev/null 2> "$T/e3.err"
check "rank 0 unable to write: every rank fails (exit 1), nothing written" \
  "[ $? -eq 1 ] && [ ! -e $T/e3.tif ]"
$MPIRUN -np 2 $RTM model -q --dst-crs EPSG:27700 --factor x=$T/missing.csv -o "$T/m" \
  $S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz > /dev/null 2> "$T/e4.err"
check "model with a missing factor: exit 1" "[ $? -eq 1 ]"
finish
