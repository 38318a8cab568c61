#!/bin/sh
# bench-national.sh: national-scale benchmark (England and Wales) of KDE,
# Gi* hot spots by tiles, and a 30-factor Risk Terrain Model.
#
# Workload (tools/gen_national.py, deterministic): events clustered like
# recorded crime around 125 real town and city centres of England and Wales,
# and 30 synthetic risk-factor point layers around the same centres; grid:
# the bounding box x 130000..660000, y 0..660000 of EPSG:27700 (--bbox, no
# land polygon).
#
# Default (a few minutes): 600,000 events at 200 m cells, 8 tiles.
# RTM_BENCH_NATIONAL=1: the full configuration - 6,000,000 events at 25 m
# (21,200 x 26,400 = 5.6e8 cells), 32 tiles; it takes hours on a 2-core
# machine and needs several GB of memory.
# Each setting can be changed alone: RTM_NATIONAL_EVENTS, RTM_NATIONAL_RES
# (cell size, m), RTM_NATIONAL_TILES, RTM_NATIONAL_CHECK_TILES (tiles of the
# coarser identity check, default 4), RTM_NATIONAL_RADIUS (KDE quartic radius,
# default 500 m), RTM_NATIONAL_BAND (Gi* band, default the larger of 200 m
# and 3 cells), RTM_NATIONAL_RTM_RES (cell size of the RTM, default 5000 m,
# full 500 m), RTM_NATIONAL_MAX_GB (largest whole-grid process allowed,
# default 12), RTM_NATIONAL_THREADS (threads per process, default 1, so that
# a process stands for one core of a node), RTM_NATIONAL_SKIP (words among
# kde hotspots rtm mpi: parts left out), RTM_NATIONAL_MPIRUN (the launcher,
# default mpirun), RTM_NATIONAL_MPI_BIN (the rtm run under the launcher,
# default build/rtm), RTM_NATIONAL_OUT (results folder, default
# bench-out/national or bench-out/national-full; the generated data is kept
# in bench-out/national*/data-EVENTS and shared).
#
# For KDE and Gi*, at the cell size asked for:
#   tiles   N processes one after another (`--tile I/N`), each timed
#           (/usr/bin/time: wall time, peak RSS): sum, median and largest;
#   merge   `rtm merge` of the N tiles, timed, and
#   whole   the one-process run, timed, and its files compared with the
#           merge's (cmp) - both only when the whole grid fits in
#           RTM_NATIONAL_MAX_GB (estimated from the cells); otherwise whole,
#           tiles and merge are run again at the cell size doubled until it
#           fits (the identity check at a coarser grid, said so);
#   mpi2    `mpirun -np 2 rtm ...` when rtm is built with MPI (else said
#           missing), at the cell size where the whole grid fits.
# RTM: `rtm model` with the 30 factors (both operationalizations, 6
# distances: 360 candidate variables) at RTM_NATIONAL_RTM_RES, timed: one
# process; by RTM_NATIONAL_RTM_TILES tiles (default the tiles above) one after
# another - first every strip's density statistics (`--tile-stats`), then
# the tiles, which find them - and their merge (cmp with the whole run); 2
# MPI ranks; and the stages through tools/bench_model.c.
# RTM_NATIONAL_RTM_TILES_ONLY=1 runs the two tile stages only (for a cell
# size whose fit is out of reach, e.g. RTM_NATIONAL_RTM_RES=25); with
# RTM_NATIONAL_RTM_MERGE_SECONDS=S as well, the merge then runs for at most S
# seconds (timeout) and its peak memory is recorded (row merge-limited; at
# 25 m the peak is reached minutes into the culling, which takes hours).
# Results: bench-out/national[-full]/results.tsv (one row per run) and the
# log printed.
set -e
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
if [ "${RTM_BENCH_NATIONAL:-0}" = 1 ]; then
  D_EV=6000000 D_RES=25 D_TILES=32 D_RTM=500 O=bench-out/national-full
else
  D_EV=600000 D_RES=200 D_TILES=8 D_RTM=5000 O=bench-out/national
fi
DATA0=$O
O=${RTM_NATIONAL_OUT:-$O}
EV=${RTM_NATIONAL_EVENTS:-$D_EV}
RES=${RTM_NATIONAL_RES:-$D_RES}
NT0=${RTM_NATIONAL_TILES:-$D_TILES}
NTC=${RTM_NATIONAL_CHECK_TILES:-4}
NT=$NT0
RADIUS=${RTM_NATIONAL_RADIUS:-500}
BAND=${RTM_NATIONAL_BAND:-$(awk -v r="$RES" 'BEGIN { b = 3 * r; print (b > 200 ? b : 200) }')}
RTMRES=${RTM_NATIONAL_RTM_RES:-$D_RTM}
MAXGB=${RTM_NATIONAL_MAX_GB:-12}
THR=${RTM_NATIONAL_THREADS:-1}
SKIP=" ${RTM_NATIONAL_SKIP:-} "
MPIRUN=${RTM_NATIONAL_MPIRUN:-mpirun}
BBOX=130000,0,660000,660000
RTM=$(pwd)/build/rtm
MPIRTM=${RTM_NATIONAL_MPI_BIN:-$RTM}
DATA=$DATA0/data-$EV

make --no-print-directory -j2 build/rtm >/dev/null
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
if ! $PY -c 'import numpy' 2>/dev/null; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-numpy >/dev/null
fi
mkdir -p "$O"
if [ ! -f "$DATA/events.csv" ] || [ ! -f "$DATA/factors/f30_street_lights_out.csv" ]; then
  echo "national: generating $EV events and 30 factor layers into $DATA/"
  $PY tools/gen_national.py "$DATA" --events "$EV"
fi
EVF=$(pwd)/$DATA/events.csv
RESULTS=$O/results.tsv
printf 'product\tmode\tcell_m\ttiles\twall_s\tcpu_s\tpeak_rss_mb\tnote\n' > "$RESULTS"
echo "== national: $EV events, England and Wales box $BBOX (EPSG:27700), $NT tiles," \
  "$THR thread(s) per process; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# cells RES: cells of the box at RES m
cells() { awk -v r="$1" 'BEGIN { printf "%.0f", int(530000 / r + 0.999) * int(660000 / r + 0.999) }'; }
# need_gb PRODUCT RES: the whole grid's estimated peak (bytes per cell,
# with a margin: measured at 25 m KDE 14, Gi* 23 (the merge); at 200 m, where
# fixed costs weigh more, KDE 27, Gi* 43 before Gi*'s finish was slimmed;
# and 24 bytes an event)
need_gb() {
  awk -v c="$(cells "$2")" -v b="$([ "$1" = kde ] && echo 30 || echo 32)" -v e="$EV" \
    'BEGIN { printf "%.1f", (c * b + e * 24) / 1e9 }'
}
fits() { awk -v n="$(need_gb "$1" "$2")" -v m="$MAXGB" 'BEGIN { exit !(n <= m) }'; }

# timed PRODUCT MODE CELL TILES DIR NOTE CMD...: run CMD in DIR under
# /usr/bin/time, add a row to the results
timed() {
  p=$1 m=$2 c=$3 n=$4 d=$5 note=$6
  shift 6
  mkdir -p "$d"
  (cd "$d" && /usr/bin/time -f '%e %M %U %S' -o time.txt "$@" >log.txt 2>&1) ||
    { echo "national: $p $m failed:"; tail -5 "$d/log.txt"; return 1; }
  read -r w k u s < "$d/time.txt"
  mb=$(awk -v k="$k" 'BEGIN { printf "%.0f", k / 1024 }')
  cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$p" "$m" "$c" "$n" "$w" "$cpu" "$mb" "$note" \
    >> "$RESULTS"
  printf '  %-9s %-12s %5s m %3s tiles %9s s wall %9s s CPU %7s MB  %s\n' "$p" "$m" "$c" "$n" \
    "$w" "$cpu" "$mb" "$note"
}

# args PRODUCT RES: the command's arguments (output name out.tif)
args() {
  a="-q --threads $THR --src-crs EPSG:27700 --dst-crs EPSG:27700 --x-field x --y-field y"
  a="$a --bbox $BBOX --resolution $2 -o out.tif"
  if [ "$1" = kde ]; then echo "$a --radius $RADIUS"; else echo "$a --band $BAND"; fi
}

# tiles PRODUCT RES DIR N: N tile processes one after another, then a row
# of their sum / median / largest
tiles() {
  p=$1 r=$2 d=$3 NT=$4
  rm -rf "$d" && mkdir -p "$d"
  i=0
  : > "$d/tiles.txt"
  while [ "$i" -lt "$NT" ]; do
    # shellcheck disable=SC2046
    (cd "$d" && /usr/bin/time -f '%e %M %U %S' -o "t$i.txt" "$RTM" "$p" $(args "$p" "$r") \
      --tile "$i/$NT" "$EVF" >>log.txt 2>&1) || { echo "national: $p tile $i failed"; return 1; }
    cat "$d/t$i.txt" >> "$d/tiles.txt"
    i=$((i + 1))
  done
  sort -g "$d/tiles.txt" | awk -v p="$p" -v r="$r" -v n="$NT" -v R="$RESULTS" '
    { w[NR] = $1; s += $1; c += $3 + $4; if ($2 > k) k = $2 }
    END { med = w[int((NR + 1) / 2)]
          printf "%s\ttiles-sum\t%s\t%s\t%.2f\t%.2f\t%.0f\tone process per tile, one after another\n", p, r, n, s, c, k / 1024 >> R
          printf "%s\ttile-median\t%s\t%s\t%.2f\t%.2f\t%.0f\tmedian wall, mean CPU per tile, largest RSS of any tile\n", p, r, n, med, c / n, k / 1024 >> R
          printf "  %-9s %-12s %5s m %3s tiles %9.2f s wall %9.2f s CPU %7.0f MB  sum of the tiles (median tile %.2f s)\n", p, "tiles", r, n, s, c, k / 1024, med }'
}

# bench PRODUCT: tiles at RES; whole and merge (cmp) where they fit
bench() {
  p=$1 r=$RES
  echo "== $p: $(cells "$r") cells of $r m; whole grid estimated $(need_gb "$p" "$r") GB"
  tiles "$p" "$r" "$O/$p-$r-tiles" "$NT0"
  NT=$NT0
  while ! fits "$p" "$r"; do
    echo "  whole run and merge at $r m would need about $(need_gb "$p" "$r") GB" \
      "(> $MAXGB GB): skipped at $r m"
    r=$((r * 2))
    NT=$NTC
    echo "  identity check at the coarser $r m instead, $NT tiles"
    tiles "$p" "$r" "$O/$p-$r-tiles" "$NT"
  done
  # shellcheck disable=SC2046
  timed "$p" merge "$r" "$NT" "$O/$p-$r-tiles" "rtm merge of the tiles" \
    "$RTM" merge $(cd "$O/$p-$r-tiles" && ls ./*.tile-*)
  # shellcheck disable=SC2046
  timed "$p" whole "$r" 1 "$O/$p-$r-whole" "one process" "$RTM" "$p" $(args "$p" "$r") "$EVF"
  same=yes
  for f in "$O/$p-$r-whole"/out*; do
    cmp -s "$f" "$O/$p-$r-tiles/$(basename "$f")" || { same=no; echo "  differs: $f"; }
  done
  echo "  $p at $r m: merged tiles byte-identical to the whole run: $same"
  printf '%s\tcmp\t%s\t%s\t\t\t\tmerged = whole: %s\n' "$p" "$r" "$NT" "$same" >> "$RESULTS"
  [ "$same" = yes ] || return 1
  mpi2 "$p" "$r"
}

# mpi2 PRODUCT RES: two ranks, where rtm is built with MPI
mpi2() {
  case $SKIP in *" mpi "*) return 0 ;; esac
  if ! ldd "$MPIRTM" 2>/dev/null | grep -q libmpi || ! command -v "$MPIRUN" >/dev/null; then
    echo "  mpi: rtm is not built with MPI (or no $MPIRUN): 2 ranks not measured"
    printf '%s\tmpi2\t%s\t\t\t\t\tmissing: rtm without MPI\n' "$1" "$2" >> "$RESULTS"
    return 0
  fi
  # shellcheck disable=SC2046
  timed "$1" mpi2 "$2" 2 "$O/$1-$2-mpi2" "mpirun -np 2 (peak RSS: the launcher's largest child)" \
    "$MPIRUN" --allow-run-as-root --oversubscribe -np 2 "$MPIRTM" "$1" $(args "$1" "$2") "$EVF" ||
    return 0
  same=yes
  for f in "$O/$1-$2-whole"/out*; do
    cmp -s "$f" "$O/$1-$2-mpi2/$(basename "$f")" || same=no
  done
  echo "  $1 at $2 m: 2 ranks byte-identical to the whole run: $same"
}

# rtm_same DIR: every file of the whole model's out/ is in DIR/out/ with the same bytes
rtm_same() {
  for x in "$O/rtm-$RTMRES/out"/*; do
    cmp -s "$x" "$1/out/$(basename "$x")" || { echo "  differs: $x"; return 1; }
  done
}

# RTM: 30 factors x both x 6 distances at RTMRES: one process; the same model
# by RTM_NATIONAL_RTM_TILES tiles one after another and their merge; 2 MPI
# ranks; the stages through tools/bench_model.c
# rtm_stage DIR PREFIX MODE LABEL NOTE SUMMARY [ARG]: the RTM_NATIONAL_RTM_TILES
# strips of the model one after another (with ARG, e.g. --tile-stats), each
# timed into DIR/PREFIX<i>.txt; a results row MODE and a summary line. Uses
# $a, $f, $RNT, $RTMRES of rtm_bench.
rtm_stage() {
  sd=$1 pre=$2 mode=$3 label=$4 note=$5 summary=$6
  shift 6
  : > "$sd/$pre-all.txt"
  i=0
  while [ "$i" -lt "$RNT" ]; do
    # shellcheck disable=SC2086
    (cd "$sd" && /usr/bin/time -f '%e %M %U %S' -o "$pre$i.txt" "$RTM" model -q --threads "$THR" \
      $a $f -o out --tile "$i/$RNT" "$@" "$EVF" >>log.txt 2>&1) ||
      { echo "national: rtm $label of strip $i failed"; return 1; }
    cat "$sd/$pre$i.txt" >> "$sd/$pre-all.txt"
    i=$((i + 1))
  done
  sort -g "$sd/$pre-all.txt" | awk -v r="$RTMRES" -v n="$RNT" -v R="$RESULTS" -v m="$mode" \
    -v l="$label" -v no="$note" -v su="$summary" '
    { w[NR] = $1; s += $1; c += $3 + $4; if ($2 > k) k = $2 }
    END { med = w[int((NR + 1) / 2)]
          printf "rtm\t%s\t%s\t%s\t%.2f\t%.2f\t%.0f\t%s\n", m, r, n, s, c, k / 1024, no >> R
          printf "  %-9s %-12s %5s m %3s tiles %9.2f s wall %9.2f s CPU %7.0f MB  %s (median %.2f s)\n", "rtm", l, r, n, s, c, k / 1024, su, med }'
}

rtm_bench() {
  echo "== rtm model: 30 factors x both x 6 distances (360 candidate variables)," \
    "$(cells "$RTMRES") cells of $RTMRES m"
  f=""
  for l in "$DATA"/factors/f*.csv; do
    f="$f --factor $(basename "$l" .csv | cut -d_ -f2-)=$(pwd)/$l:both"
  done
  a="--src-crs EPSG:27700 --dst-crs EPSG:27700 --x-field x --y-field y --bbox $BBOX"
  a="$a --resolution $RTMRES --block $((2 * RTMRES)) --max-blocks 3 --increment half --seed 42"
  TONLY=${RTM_NATIONAL_RTM_TILES_ONLY:-0}
  # shellcheck disable=SC2086
  [ "$TONLY" = 1 ] ||
    timed rtm model "$RTMRES" 1 "$O/rtm-$RTMRES" "rtm model, one process, $THR thread(s)" \
      "$RTM" model -q --threads "$THR" $a $f -o out "$EVF" || return 1
  RNT=${RTM_NATIONAL_RTM_TILES:-$NT0}
  d="$O/rtm-$RTMRES-tiles"
  rm -rf "$d" && mkdir -p "$d"
  # the batch array's first stage, each strip's density statistics; then the
  # tiles, each finding every strip's statistics
  rtm_stage "$d" s stats-sum tile-stats \
    "density statistics of each strip (--tile-stats), one process per strip, one after another" \
    "sum of the statistics runs" --tile-stats || return 1
  du -ck "$d"/out/model.tile-*.stats | tail -n 1 | awk '{ printf "  statistics files: %.1f MB in all\n", $1 / 1024 }'
  rtm_stage "$d" t tiles-sum tiles \
    "candidate variables of each strip (given the statistics), one process per tile, one after another" \
    "sum of the tiles" || return 1
  du -ck "$d"/out/model.tile-*.tif "$d"/out/model.tile-*.parts | tail -n 1 |
    awk '{ printf "  tile files: %.1f MB in all\n", $1 / 1024 }'
  if [ "$TONLY" = 1 ]; then
    MS=${RTM_NATIONAL_RTM_MERGE_SECONDS:-0}
    if [ "$MS" -gt 0 ]; then
      # timed, through a shell that counts the timeout's stop (124) as done;
      # the peak is the largest process's (the merge)
      # shellcheck disable=SC2046,SC2016
      timed rtm merge-limited "$RTMRES" "$RNT" "$d" \
        "rtm merge for at most $MS s (stopped then if not finished): its peak memory" \
        sh -c 'timeout "$0" "$@"; r=$?; [ "$r" -eq 0 ] || [ "$r" -eq 124 ]' "$MS" \
        "$RTM" merge $(cd "$d" && ls out/model.tile-*.tif) || return 1
    fi
    echo "  rtm at $RTMRES m: tiles only (RTM_NATIONAL_RTM_TILES_ONLY=1): no whole run," \
      "complete merge, ranks or stages"
    return 0
  fi
  # shellcheck disable=SC2046
  timed rtm merge "$RTMRES" "$RNT" "$d" "rtm merge: tables merged, then the fit" \
    "$RTM" merge $(cd "$d" && ls out/model.tile-*.tif) || return 1
  rm -f "$d"/out/model.tile-*
  same=yes
  rtm_same "$d" || same=no
  echo "  rtm at $RTMRES m: merged tiles byte-identical to the whole run: $same"
  printf 'rtm\tcmp\t%s\t%s\t\t\t\tmerged = whole: %s\n' "$RTMRES" "$RNT" "$same" >> "$RESULTS"
  case $SKIP in *" mpi "*) ;; *)
    if ldd "$MPIRTM" 2>/dev/null | grep -q libmpi && command -v "$MPIRUN" >/dev/null; then
      # shellcheck disable=SC2086
      timed rtm mpi2 "$RTMRES" 2 "$O/rtm-$RTMRES-mpi2" \
        "mpirun -np 2: factors shared by the ranks (peak RSS: the launcher's largest child)" \
        "$MPIRUN" --allow-run-as-root --oversubscribe -np 2 "$MPIRTM" model -q \
        --threads "$THR" $a $f -o out "$EVF" && {
        same=yes
        rtm_same "$O/rtm-$RTMRES-mpi2" || same=no
        echo "  rtm at $RTMRES m: 2 ranks byte-identical to the whole run: $same"
      }
    fi ;;
  esac
  PKGS="gdal proj libpng freetype2 yaml-0.1 libcrypto"
  mkdir -p build/bench
  # shellcheck disable=SC2046
  ${CC:-cc} -std=c17 -O2 -fopenmp -D_GNU_SOURCE -Iinclude -Irtm $(pkg-config --cflags $PKGS) \
    -o build/bench/bench_model tools/bench_model.c build/librtm.a \
    $(pkg-config --libs $PKGS) -lm
  echo "  stages (tools/bench_model.c, the library called directly):"
  # shellcheck disable=SC2086
  build/bench/bench_model --threads "$THR" $a $f "$EVF" > "$O/rtm-$RTMRES/stages.txt"
  sed 's/^/    /' "$O/rtm-$RTMRES/stages.txt"
}

for p in kde hotspots; do
  case $SKIP in *" $p "*) ;; *) bench "$p" ;; esac
done
case $SKIP in *" rtm "*) ;; *) rtm_bench ;; esac
echo "== results: $RESULTS"
