#!/bin/sh
# bench_kde_cmd.sh: the whole `rtm kde` command on the standard KDE workload
# (tools/gen_points.py: 1,000,000 points, columns x,y in EPSG:27700; quartic
# r = 1000 m on 2400 x 2400 cells of 25 m), CSV in, Cloud-Optimized GeoTIFF
# out: the median wall time of RTM_BENCH_REPEATS runs (default 5), the
# stages apart (tools/bench_kde_io.c), and the ratio to R spatstat on the
# same workload: measured now when $OUT/peers.txt comes from this `make
# bench` (RTM_BENCH_PEERS=1), else the figure recorded for the issue on this
# kind of 2-core machine (29.4 s: Rscript with read.csv and density.ppp).
# Called by tools/bench.sh; needs build/librtm.a and the workload.
set -e
cd "$(dirname "$0")/.."
OUT=${OUT:-bench-out}
REPEATS=${RTM_BENCH_REPEATS:-5}
PKGS="gdal proj libpng freetype2 yaml-0.1 libcrypto"
CSV=$OUT/offences_large.csv
[ -f "$CSV" ] || /usr/bin/python3 tools/gen_points.py "$OUT" >/dev/null
make --no-print-directory build/rtm build/librtm.a >/dev/null
mkdir -p build/bench
# shellcheck disable=SC2046
${CC:-cc} -std=c17 -O2 -fopenmp -D_GNU_SOURCE -Iinclude -Irtm $(pkg-config --cflags $PKGS) \
  -o build/bench/bench_kde_io tools/bench_kde_io.c build/librtm.a $(pkg-config --libs $PKGS) -lm

now() { date +%s.%N; }
times=""
i=0
while [ "$i" -lt "$REPEATS" ]; do
  s=$(now)
  ./build/rtm kde -q --src-crs EPSG:27700 --bbox 560000,180000,620000,240000 \
    --resolution 25 --radius 1000 -o "$OUT/kde_cmd.tif" "$CSV"
  times="$times $(awk -v s="$s" -v e="$(now)" 'BEGIN { printf "%.3f", e - s }')"
  i=$((i + 1))
done
med=$(echo "$times" | tr ' ' '\n' | sed '/^$/d' | sort -n |
  awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "== KDE, whole command: rtm kde, CSV (1,000,000 points) -> COG (2400 x 2400), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  runs:$times s"
S=""
if [ "${RTM_BENCH_PEERS:-0}" = 1 ] && [ -f "$OUT/peers.txt" ]; then
  S=$(sed -n 's/^spatstat.*: \([0-9.]*\) s$/\1/p' "$OUT/peers.txt")
  label="R spatstat, measured now"
fi
[ -n "$S" ] || { S=29.4; label="R spatstat, recorded figure (not measured now)"; }
printf '  %-48s %7.2f s (median of %d)\n' "rtm kde, whole command" "$med" "$REPEATS"
printf '  %-48s %7.2f s (Rscript: read.csv + density.ppp)\n' "$label" "$S"
printf '  %-48s %7.1fx (target >= 20x)\n' "ratio spatstat / rtm" "$(awk -v a="$S" -v b="$med" 'BEGIN { print a / b }')"
./build/bench/bench_kde_io "$CSV" "$OUT/kde_io.tif" "$REPEATS"
