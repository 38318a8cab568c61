#!/bin/sh
# bench-mpi.sh: rtm kde under `mpirun -np N` (README "MPI") against the plain
# run, on real data: Essex violence and sexual offences, January-May 2018
# (samples/essex), in the force area at 25 m cells, quartic radius 750 m, with
# the PNG map. Each rank count runs RTM_BENCH_REPEATS times (default 3); the
# median wall time is printed, and every run's GeoTIFF and PNG are compared
# with the plain run's (byte for byte). Ranks beyond the cores oversubscribe
# them (Open MPI's settings for root and oversubscription are set here). Every
# rank reads the five CSVs, so on one machine the gain is bounded by the
# strips' share of the run.
set -e
cd "$(dirname "$0")/.."
make --no-print-directory build/rtm >/dev/null
if ! ldd build/rtm | grep -q libmpi; then echo "== mpi: rtm built without MPI, skipped"; exit 0; fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
REPEATS=${RTM_BENCH_REPEATS:-3}
S=samples/essex
OUT=bench-out/mpi
mkdir -p "$OUT"
W="\"Crime type\" = 'Violence and sexual offences'"
echo "== mpi: rtm kde, Essex violence 2018-01..05, 25 m cells, quartic 750 m, PNG; median of $REPEATS (wall)"
for n in 0 1 2 3; do
  : > "$OUT/times"
  i=0
  while [ $i -lt "$REPEATS" ]; do
    launch=""; [ $n -gt 0 ] && launch="mpirun -np $n"
    s=$(date +%s.%N)
    $launch ./build/rtm kde -q --dst-crs EPSG:27700 \
      --study-area $S/boundaries/essex_police_area_dissolved_bng.geojson --resolution 25 \
      --radius 750 --where "$W" --png "$OUT/k$n.png" -o "$OUT/k$n.tif" $S/crimes/2018-0*-essex-street.csv.gz
    e=$(date +%s.%N)
    echo "$s $e" | awk '{ printf "%.2f\n", $2 - $1 }' >> "$OUT/times"
    i=$((i + 1))
  done
  same=""
  [ $n -gt 0 ] && { cmp -s "$OUT/k0.tif" "$OUT/k$n.tif" && cmp -s "$OUT/k0.png" "$OUT/k$n.png" &&
    same=", files identical to the plain run's" || same=", FILES DIFFER"; }
  med=$(sort -n "$OUT/times" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  printf '  %-16s %7s s%s\n' "$([ $n -eq 0 ] && echo 'no mpirun' || echo "$n ranks")" "$med" "$same"
done
