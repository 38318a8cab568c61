#!/bin/sh
# bench-change.sh: `rtm change` on the Manchester sample (8,144 burglaries of
# 2017 on 116 x 228 cells of 100 m, quartic radius 400 m, October-December
# against January-September, units: 240 squares of 1 km): wall time of the
# whole command (load, both KDEs, the permutation test, every file) with 999
# and 9,999 permutations, 1 and 2 threads, the median of RTM_BENCH_REPEATS
# runs (default 3), and a check that 1 and 2 threads write the same bytes.
set -e
cd "$(dirname "$0")/.."
make --no-print-directory build/rtm >/dev/null
S=samples/manchester
B=bench-out/change
mkdir -p "$B"
REPEATS=${RTM_BENCH_REPEATS:-3}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "== change: 8,144 events, 116 x 228 cells of 100 m, quartic r = 400 m"
for it in 999 9999; do
  for th in 1 2; do
    i=0
    : > "$B/times"
    while [ $i -lt "$REPEATS" ]; do
      /usr/bin/time -f "%e %U" -o "$B/one" sh -c "$(command -v ./build/rtm) change -q \
        --dst-crs EPSG:27700 --src-crs EPSG:27700 --resolution 100 \
        --study-area $S/boundaries/manchester_city_boundary_bng.geojson \
        --units-layer $S/boundaries/manchester_1km_squares_bng.geojson --units-field square \
        --before 2017-01..2017-09 --after 2017-10..2017-12 --radius 400 \
        --iterations $it --threads $th -o $B/t$th $S/crimes/manchester_burglary_2017.csv.gz"
      cat "$B/one" >> "$B/times"
      i=$((i + 1))
    done
    wall=$(cut -d' ' -f1 "$B/times" | median); user=$(cut -d' ' -f2 "$B/times" | median)
    echo "change_seconds iterations=$it threads=$th wall_median=$wall cpu_user_median=$user"
  done
  same=yes
  for f in difference.tif significance.tif p_adjusted.tif places.csv units.csv; do
    cmp -s "$B/t1/$f" "$B/t2/$f" || same=no
  done
  echo "change: 1 and 2 threads identical ($it iterations): $same"
done
