#!/bin/sh
# bench.sh: the project's benchmarks (`make bench`).
#
# KDE workload (tools/gen_points.py, deterministic): 1,000,000 clustered
# offences in a 60 km box of EPSG:27700 at origin 560000,180000; quartic kernel
# of radius 1,000 m on 2400 x 2400 cells of 25 m, per km^2 ("large"), and the
# first 10,000 offences on 500 x 500 cells of 120 m ("small").
# tools/bench_kde.c reads the CSV with OGR, times rtm_kde_compute alone (wall
# time, 1 and 2 threads, best of RTM_BENCH_REPEATS, default 5), checks 1- vs
# 2-thread byte identity and 400 cells against brute force, and prints peak RSS.
# The peers' figures are those measured for the issue on this kind of 2-core
# machine (single-threaded tools); RTM_BENCH_PEERS=1 re-measures spatstat and
# GRASS with tools/peers-kde.sh (installs them from Debian; takes minutes).
# tools/bench_kde_cmd.sh times the whole `rtm kde` command (CSV -> COG) and its
# stages, and prints its ratio to spatstat's time (measured or recorded).
# Finally every tools/bench-*.sh is run (RTM_BENCH_ONLY_KDE=1 skips them).
set -e
cd "$(dirname "$0")/.."
OUT=bench-out
PY=/usr/bin/python3
REPEATS=${RTM_BENCH_REPEATS:-5}
PKGS="gdal proj libpng freetype2 yaml-0.1 libcrypto"

# --- setup: workload -------------------------------------------------------
if ! $PY -c 'import numpy' 2>/dev/null; then
  echo "bench: installing python3-numpy (needed by tools/gen_points.py)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-numpy >/dev/null
fi
mkdir -p "$OUT"
if [ ! -f "$OUT/offences_large.csv" ] || [ ! -f "$OUT/offences_small.csv" ]; then
  echo "bench: generating the workload into $OUT/"
  $PY tools/gen_points.py "$OUT"
fi

# --- build ------------------------------------------------------------------
make --no-print-directory build/librtm.a >/dev/null
mkdir -p build/bench
# shellcheck disable=SC2046
${CC:-cc} -std=c17 -O2 -fopenmp -D_GNU_SOURCE -Iinclude -Irtm $(pkg-config --cflags $PKGS) \
  -o build/bench/bench_kde tools/bench_kde.c build/librtm.a $(pkg-config --libs $PKGS) -lm

# --- KDE: rtm_kde_compute alone ------------------------------------------------
field() { sed -n "s/^kde_seconds.* $1=\([^ ]*\).*/\1/p" "$2"; }
echo "== KDE, large: 1,000,000 points, 2400 x 2400 cells of 25 m, quartic r = 1000 m"
./build/bench/bench_kde "$OUT/offences_large.csv" 560000 180000 25 2400 2400 1000 "$REPEATS" \
  | tee "$OUT/kde_large.txt"
echo "== KDE, small: 10,000 points, 500 x 500 cells of 120 m, quartic r = 1000 m"
./build/bench/bench_kde "$OUT/offences_small.csv" 560000 180000 120 500 500 1000 "$REPEATS" \
  | tee "$OUT/kde_small.txt"
T1=$(field t1 "$OUT/kde_large.txt")
T2=$(field t2 "$OUT/kde_large.txt")

# --- KDE: peers -----------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", a / b }'; }
peer() { printf '  %-46s %7s s   %5sx our 2-thread, %5sx our 1-thread time\n' "$1" "$2" \
  "$(ratio "$2" "$T2")" "$(ratio "$2" "$T1")"; }
echo "== KDE, large: peers (issue figures, same workload, this kind of machine)"
printf '  %-46s %7s s\n' "rtm_kde_compute, 2 threads (exact positions)" "$T2"
printf '  %-46s %7s s\n' "rtm_kde_compute, 1 thread" "$T1"
peer "R spatstat density.ppp (FFT, snapped points)" 20
peer "QGIS Heatmap" 55
peer "SAGA Kernel Density Estimation" 80
peer "GRASS v.kernel (exact quartic)" 150
if [ "${RTM_BENCH_PEERS:-0}" = 1 ]; then
  echo "== KDE, large: peers measured now (tools/peers-kde.sh)"
  WORK_DIR="$(pwd)/$OUT" bash tools/peers-kde.sh large all | tee "$OUT/peers.txt"
  S=$(sed -n 's/^spatstat.*: \([0-9.]*\) s$/\1/p' "$OUT/peers.txt")
  G=$(sed -n 's/^GRASS.*: \([0-9.]*\) s$/\1/p' "$OUT/peers.txt")
  [ -n "$S" ] && peer "R spatstat density.ppp (measured)" "$S"
  [ -n "$G" ] && peer "GRASS v.kernel (measured)" "$G"
fi

# --- KDE: the whole command, CSV -> COG, against spatstat (tools/bench_kde_cmd.sh) ---
OUT=$OUT sh tools/bench_kde_cmd.sh

# --- other benchmarks (tools/bench-*.sh) --------------------------------------------
if [ "${RTM_BENCH_ONLY_KDE:-0}" != 1 ]; then
  for b in tools/bench-*.sh; do
    [ -e "$b" ] || continue
    echo "== $b"
    sh "$b"
  done
fi
