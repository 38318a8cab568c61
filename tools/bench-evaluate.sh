#!/bin/sh
# bench-evaluate.sh: evaluating a 5-million-cell surface (2500 x 2000) against
# 100,000 events (issue target: well under a second). The events are a fixed
# pseudo-random set (awk LCG, skewed north-south); the surface is their KDE.
set -e
cd "$(dirname "$0")/.."
# --- evaluation ---
make --no-print-directory build/librtm.a build/rtm >/dev/null
mkdir -p build/bench bench-out
B=bench-out
[ -f $B/eval_events.csv ] || awk 'BEGIN { print "x,y"; s = 777;
  for (i = 0; i < 100000; i++) { s = (s * 1103515245 + 12345) % 2147483648; x = 560000 + 60000 * s / 2147483648;
    s = (s * 1103515245 + 12345) % 2147483648; y = 180000 + 48000 * (s / 2147483648)^2;
    printf "%.2f,%.2f\n", x, y } }' > $B/eval_events.csv
[ -f $B/eval_surface.tif ] || ./build/rtm kde -q --src-crs EPSG:27700 --dst-crs EPSG:27700 \
  --bbox 560000,180000,620000,228000 --resolution 24 --radius 500 -o $B/eval_surface.tif $B/eval_events.csv
${CC:-cc} -std=c17 -O2 -fopenmp -D_GNU_SOURCE -Iinclude -Irtm -o build/bench/bench_evaluate \
  tools/bench_evaluate.c build/librtm.a $(pkg-config --libs gdal proj libpng freetype2 yaml-0.1 libcrypto) -lm
./build/bench/bench_evaluate $B/eval_surface.tif $B/eval_events.csv EPSG:27700
# --- end evaluation ---
