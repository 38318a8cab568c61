#!/bin/sh
# bench-model.sh: county-scale benchmark of `rtm model` (the whole Risk
# Terrain Model pipeline) on the Essex sample.
#
# Workload (deterministic):
#   study area  samples/essex/boundaries/essex_police_area_dissolved_bng.geojson
#               (~3,947 km^2) at RTM_BENCH_RES m cells (default 28 m: ~5 million
#               study-area cells);
#   events      all five months of samples/essex/crimes/2018-0*-essex-street.csv.gz
#               (every crime type, ~78k rows);
#   factors     33 layers, each operationalized Both (proximity and density)
#               at 6 distances (block 100 m, half-block increments, 3 blocks:
#               50..300 m), i.e. 396 candidate variables. The sample has only
#               three real layers, so more are derived deterministically: the
#               licensed venues split into 24 groups and the pubs into 6 groups
#               by a hash (MD5) of the name, plus the whole venue, pub and rail
#               station layers. The derived CSVs go in bench-out/model/.
# Prints the wall time and peak resident memory of `rtm model --no-backtest`
# and of `rtm model` with its default rolling back-test (GNU time -v),
# then the same fit through tools/bench_model.c (the library called directly)
# with the time and peak memory of each stage: variables per factor, design
# assembly, culling (elastic-net CV), stepwise BIC, risk surface.
# Environment: RTM_BENCH_RES (cell size), RTM_BENCH_THREADS (default: all),
# RTM_BENCH_CLI=0 / RTM_BENCH_STAGES=0 skip the CLI / the staged run,
# RTM_BENCH_BACKTEST=0 the CLI run with the default back-test,
# RTM_BENCH_SMALL=0 skips the Southend sample model of tests/cli/model.sh,
# RTM_BENCH_TILES=N (default 4; 0 skips) runs the model as N tiles one after
# another and their merge, timed, and compares the merged files with cmp;
# the tiles first write their strips' density statistics (--tile-stats)
# unless RTM_BENCH_TILE_STATS=0.
# On a loaded machine (other processes competing for the cores) OpenMP's
# default spin-waiting can multiply the variable stage's time several times
# over; OMP_WAIT_POLICY=passive avoids it (the setting is printed).
set -e
cd "$(dirname "$0")/.."
S=samples/essex
O=bench-out/model
RES=${RTM_BENCH_RES:-28}
mkdir -p "$O"
make --no-print-directory -j2 build/rtm >/dev/null
PKGS="gdal proj libpng freetype2 yaml-0.1 libcrypto"
mkdir -p build/bench
# shellcheck disable=SC2046
${CC:-cc} -std=c17 -O2 -fopenmp -D_GNU_SOURCE -Iinclude -Irtm $(pkg-config --cflags $PKGS) \
  -o build/bench/bench_model tools/bench_model.c build/librtm.a $(pkg-config --libs $PKGS) -lm
if [ ! -x /usr/bin/time ]; then
  apt-get install -y time >/dev/null
fi

# --- derived factor layers ---
python3 - "$S/risk" "$O" <<'PY'
import csv, hashlib, sys
src, out = sys.argv[1], sys.argv[2]
def rows(path, lat, lon):
    with open(path, newline="") as f:
        return [(r["name"], r[lat], r[lon]) for r in csv.DictReader(f) if r[lat] and r[lon]]
def write(name, rs):
    with open(f"{out}/{name}.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "lat", "lon"])
        w.writerows(rs)
def group(name, k):
    return int(hashlib.md5(name.encode()).hexdigest(), 16) % k
venues = rows(f"{src}/fhrs_openpubs_venues_essex_police_area.csv", "lat", "lon")
pubs = rows(f"{src}/osm_pubs_essex_police_area.csv", "latitude", "longitude")
for g in range(24):
    write(f"venues{g:02d}", [r for r in venues if group(r[0], 24) == g])
for g in range(6):
    write(f"pubs{g}", [r for r in pubs if group(r[0], 6) == g])
write("venues", venues)
write("pubs", pubs)
PY
FACTORS=""
for f in "$O"/venues*.csv "$O"/pubs*.csv; do
  n=$(basename "$f" .csv)
  FACTORS="$FACTORS --factor $n=$f:both"
done
FACTORS="$FACTORS --factor stations=$S/risk/naptan_rail_stations_essex_police_area.csv:both"
THR=""
[ -n "$RTM_BENCH_THREADS" ] && THR="--threads $RTM_BENCH_THREADS"

stamp() { # prefix every stderr line with the seconds since the start
  python3 -c '
import sys, time
t0 = time.time()
for line in sys.stdin:
    for part in line.replace("\r", "\n").splitlines():
        if part.strip():
            print("%8.1f s  %s" % (time.time() - t0, part), flush=True)
'
}

ARGS="--study-area $S/boundaries/essex_police_area_dissolved_bng.geojson --dst-crs EPSG:27700
  --resolution $RES --block 100 --max-blocks 3 --increment half --seed 42 $THR $FACTORS"
EVENTS="$S/crimes/2018-0*-essex-street.csv.gz"

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg);" \
  "OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-(unset)}"
if [ "${RTM_BENCH_CLI:-1}" = 1 ]; then
echo "== rtm model --no-backtest, Essex county: ${RES} m cells, 33 factors x Both x 6 distances"
echo "   (the fit and its files: target <= 10 s wall, <= 1.5 GB peak)"
# shellcheck disable=SC2086
{ /usr/bin/time -v -o "$O/time.txt" build/rtm model --no-backtest $ARGS -o "$O/out" $EVENTS \
  2>&1 >/dev/null; } | stamp | grep -v ' wrote ' | tee "$O/progress.txt"
grep -E "Elapsed \(wall|Maximum resident|User time|System time|Exit status" "$O/time.txt"
if [ "${RTM_BENCH_BACKTEST:-1}" = 1 ]; then
echo "== rtm model (default: with the rolling back-test, one re-fit per test month)"
# shellcheck disable=SC2086
{ /usr/bin/time -v -o "$O/time-bt.txt" build/rtm model $ARGS -o "$O/out-bt" $EVENTS \
  2>&1 >/dev/null; } | stamp | grep -E 'back-test|model: ' | tee "$O/progress-bt.txt"
grep -E "Elapsed \(wall|Maximum resident" "$O/time-bt.txt"
fi
fi

NT=${RTM_BENCH_TILES:-4}
if [ "${RTM_BENCH_CLI:-1}" = 1 ] && [ "$NT" -gt 0 ]; then
  echo "== the same model by $NT tiles, one after another (rtm model --tile I/$NT), then rtm merge"
  rm -rf "$O/tiles" && mkdir -p "$O/tiles"
  if [ "${RTM_BENCH_TILE_STATS:-1}" = 1 ]; then
    echo "   first each strip's density statistics (--tile-stats), which the tiles then find"
    i=0
    while [ "$i" -lt "$NT" ]; do
      # shellcheck disable=SC2086
      /usr/bin/time -v -o "$O/time-stats.txt" build/rtm model -q --no-backtest $ARGS \
        -o "$O/tiles" --tile "$i/$NT" --tile-stats $EVENTS
      printf '   statistics %d: %s s wall, %s kB peak\n' "$i" \
        "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$O/time-stats.txt")" \
        "$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$O/time-stats.txt")"
      i=$((i + 1))
    done
  fi
  i=0
  while [ "$i" -lt "$NT" ]; do
    # shellcheck disable=SC2086
    /usr/bin/time -v -o "$O/time-tile.txt" build/rtm model -q --no-backtest $ARGS \
      -o "$O/tiles" --tile "$i/$NT" $EVENTS
    printf '   tile %d: %s s wall, %s kB peak\n' "$i" \
      "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$O/time-tile.txt")" \
      "$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$O/time-tile.txt")"
    i=$((i + 1))
  done
  du -ck "$O"/tiles/model.tile-*.tif "$O"/tiles/model.tile-*.parts | tail -n 1 |
    sed 's/^/   tile files (kB): /'
  /usr/bin/time -v -o "$O/time-merge.txt" build/rtm merge "$O"/tiles/model.tile-*.tif >/dev/null 2>&1
  grep -E "Elapsed \(wall|Maximum resident" "$O/time-merge.txt" | sed 's/^/   merge: /'
  same=yes
  for f in "$O"/out/*; do cmp -s "$f" "$O/tiles/$(basename "$f")" || same="NO ($f)"; done
  echo "   merged files = the whole run's, byte for byte: $same"
fi

if [ "${RTM_BENCH_STAGES:-1}" = 1 ]; then
  echo "== stages (library called directly, same workload)"
  # shellcheck disable=SC2086
  /usr/bin/time -v -o "$O/time-stages.txt" build/bench/bench_model $ARGS $EVENTS \
    | tee "$O/stages.txt"
  grep -E "Elapsed \(wall|Maximum resident" "$O/time-stages.txt"
fi

if [ "${RTM_BENCH_SMALL:-1}" = 1 ]; then
  echo "== Southend sample model (tests/cli/model.sh form)"
  /usr/bin/time -v -o "$O/time-southend.txt" build/rtm model -q \
    --study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson --dst-crs EPSG:27700 \
    --resolution 100 --block 200 --max-blocks 3 --increment whole \
    --where "\"Crime type\" = 'Violence and sexual offences'" --seed 42 $THR \
    --factor pubs=$S/risk/osm_pubs_essex_police_area.csv:both \
    --factor venues=$S/risk/fhrs_openpubs_venues_essex_police_area.csv:both \
    --factor stations=$S/risk/naptan_rail_stations_essex_police_area.csv:proximity \
    -o "$O/southend" $S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
  grep -E "Elapsed \(wall|Maximum resident" "$O/time-southend.txt"
fi
