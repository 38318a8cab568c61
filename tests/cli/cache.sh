#!/bin/sh
# CLI test of the run cache against tampering: a cached output GeoTIFF
# changed by one byte (same size) must not be published by the next run;
# the run recomputes it and the current set is byte for byte the first one.
RTM=${RTM_BIN:-build/rtm}
D=$(cd "${RTM_TEST_DATA:-tests/data}" && pwd)
. "$(dirname "$0")/harness.inc"

R=$(pwd)
sed -e "s#\.\./\.\./\.\./build/test-run/southend#$T/southend#" -e "s#\.\./\.\./\.\./#$R/#" \
    -e "s#^catalog: layers#catalog: $D/run/layers#" "$D/run/southend.yaml" > "$T/job.yaml"
OUT=$T/southend

$RTM run -q --run-date 2018-06-01 "$T/job.yaml" 2> "$T/first.err"
check "a first run fills the cache" "[ $? -eq 0 ] && ls $OUT/cache/*.out.stations.tif > /dev/null"
cp "$OUT/current/stations.tif" "$T/stations.tif"
entry=$(ls "$OUT/cache/"*.out.stations.tif | head -1)
size=$(wc -c < "$entry")
python3 -c '
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 1
open(p, "wb").write(b)' "$entry"
check "the cached GeoTIFF changed, same size" \
  "[ \$(wc -c < $entry) -eq $size ] && ! cmp -s $entry $T/stations.tif"

$RTM run -q --run-date 2018-06-01 "$T/job.yaml" 2> "$T/second.err"
check "the rerun exits 0" "[ $? -eq 0 ]"
check "the tampered entry is not published" "cmp -s $OUT/current/stations.tif $T/stations.tif"
check "the entry is stored again, intact" "cmp -s $entry $T/stations.tif"

# the cached distance values (.f64) and model variables (.vars): a same-size
# change must be noticed by the checksum and the entry recomputed
flip() { python3 -c '
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 1
open(p, "wb").write(b)' "$1"; }
for ext in f64 vars; do
  e=$(ls "$OUT/cache/"*.$ext | head -1)
  cp "$e" "$T/good.$ext"
  flip "$e"
  $RTM run --run-date 2018-06-01 "$T/job.yaml" 2> "$T/$ext.err"
  check "tampered .$ext: rerun exits 0 and says the entry was not used" \
    "[ $? -eq 0 ] && grep -q 'not used' $T/$ext.err"
  check "tampered .$ext: recomputed entry equals the original" "cmp -s $e $T/good.$ext"
  check "tampered .$ext: current set still equals the first run" \
    "cmp -s $OUT/current/stations.tif $T/stations.tif"
done
finish
