#!/bin/sh
# CLI tests of `rtm kde`: the scripted form, GDAL reading back what we wrote,
# errors and exit codes, atomic replacement, thread-count identity.
RTM=${RTM_BIN:-build/rtm}
D=${RTM_TEST_DATA:-tests/data}
S=samples/essex
. tests/cli/harness.inc

# deterministic points in the benchmark box (x,y in EPSG:27700)
awk 'BEGIN { print "x,y"; s = 12345;
  for (i = 0; i < 3000; i++) { s = (s * 1103515245 + 12345) % 2147483648; x = 560000 + 60000 * s / 2147483648;
    s = (s * 1103515245 + 12345) % 2147483648; y = 180000 + 60000 * s / 2147483648;
    printf "%.2f,%.2f\n", x, y } }' > "$T/points.csv"

# 1. the contract form
$RTM kde --src-crs EPSG:27700 --x-field x --y-field y --dst-crs EPSG:27700 \
  --bbox 560000,180000,620000,240000 --resolution 120 --kernel quartic --radius 1000 \
  --units m2 --threads 2 -q -o "$T/out.tif" "$T/points.csv"
check "contract form exits 0" "[ $? -eq 0 ]"
gdalinfo -json -stats -mdd all "$T/out.tif" > "$T/info.json" 2>/dev/null
check "gdalinfo reads it" "[ -s $T/info.json ]"
python3 - "$T/info.json" <<'PY' > "$T/py.out" 2>&1
import json, sys
j = json.load(open(sys.argv[1]))
b = j["bands"][0]
assert j["size"] == [500, 500], j["size"]
gt = j["geoTransform"]
assert gt[0] == 560000 and gt[3] == 240000 and gt[1] == 120 and gt[5] == -120, gt
assert 'EPSG","27700' in j["coordinateSystem"]["wkt"].replace(" ", "").replace('"EPSG",27700', 'EPSG","27700'), "crs"
assert b["noDataValue"] is not None, "nodata"
md = j["metadata"][""]
assert md["KERNEL"] == "quartic" and float(md["RADIUS"]) == 1000 and md["UNITS"] == "m2", md
assert md["EVENTS_USED"] == "3000" and md["EVENTS_READ"] == "3000", md
assert j["metadata"]["IMAGE_STRUCTURE"]["LAYOUT"] == "COG", j["metadata"]["IMAGE_STRUCTURE"]
# analytic integral: sum of density (per m2) x cell area = number of points,
# less the mass that falls outside the box (points within 1 km of the edge)
# (gdalinfo -json rounds its own stats to 3 decimals: use the full-precision items)
s = float(b["metadata"][""]["STATISTICS_MEAN"]) * 500 * 500 * 120 * 120
assert 2700 < s <= 3000.5, s
print("ok")
PY
check "CRS, extent, nodata, metadata, integral (gdalinfo -json)" "grep -q '^ok' $T/py.out"
[ -s "$T/out.qml" ]; check "QGIS style sidecar written" "[ $? -eq 0 ]"

# 2. same bytes whatever the thread count
$RTM kde --src-crs EPSG:27700 --dst-crs EPSG:27700 --bbox 560000,180000,620000,240000 \
  --resolution 120 --radius 1000 --threads 1 -q -o "$T/t1.tif" "$T/points.csv"
$RTM kde --src-crs EPSG:27700 --dst-crs EPSG:27700 --bbox 560000,180000,620000,240000 \
  --resolution 120 --radius 1000 --threads 2 -q -o "$T/t2.tif" "$T/points.csv"
check "1 and 2 threads give identical files" "cmp -s $T/t1.tif $T/t2.tif"

# 3. data.police.uk with a study area and a PNG, no coordinate flags
$RTM kde --dst-crs EPSG:27700 --study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson \
  --resolution 100 --radius auto-arcgis --png "$T/s.png" -o "$T/s.tif" \
  $S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz 2> "$T/s.err"
check "police CSV + study area + png exits 0" "[ $? -eq 0 ]"
check "summary names the transformation" "grep -q 'British National Grid' $T/s.err"
check "automatic radius printed" "grep -q 'radius: .* (auto-arcgis)' $T/s.err"
check "briefing png, and the map alone georeferenced (no world file for the briefing)" \
  "[ -s $T/s.png ] && [ ! -e $T/s.pgw ] && [ -s $T/s_map.png ] && [ -s $T/s_map.pgw ] && \
   gdalinfo $T/s_map.png | grep -q 27700"
check "outside-study cells are nodata" "gdalinfo -stats $T/s.tif 2>/dev/null | grep -q 'STATISTICS_VALID_PERCENT=[0-9.]*' && ! gdalinfo -stats $T/s.tif | grep -q 'STATISTICS_VALID_PERCENT=100'"

# 4. errors: exit codes, messages, previous output kept
cp "$T/out.tif" "$T/keep.tif"
$RTM kde --src-crs EPSG:27700 --dst-crs EPSG:27700 --bbox 560000,180000,620000,240000 \
  --resolution 120 --radius 1000 -q -o "$T/out.tif" "$T/missing.csv" 2> "$T/e1"
check "missing input exits 1" "[ $? -eq 1 ]"
check "message names the file" "grep -q 'missing.csv' $T/e1"
check "previous output left intact" "cmp -s $T/out.tif $T/keep.tif"
$RTM kde --dst-crs EPSG:27700 --bbox 560000,180000,620000,240000 --resolution 120 \
  --radius 1000 -q -o "$T/x.tif" "$T/points.csv" 2> "$T/e2"
check "projected CSV without --src-crs exits 1" "[ $? -eq 1 ]"
check "message asks for --src-crs" "grep -q -- '--src-crs' $T/e2"
check "no output left behind" "[ ! -e $T/x.tif ] && ! ls -A $T | grep -q '^\.'"
$RTM kde --src-crs EPSG:27700 --x-field nope --y-field y --dst-crs EPSG:27700 \
  --bbox 560000,180000,620000,240000 -q -o "$T/x.tif" "$T/points.csv" 2> "$T/e3"
check "unknown column exits 1 naming it" "[ $? -eq 1 ] && grep -q \"'nope'\" $T/e3"
$RTM kde --radius -5 -o "$T/x.tif" "$T/points.csv" 2>/dev/null
check "bad value exits 2" "[ $? -eq 2 ]"
$RTM kde --no-such-option 2>/dev/null
check "unknown option exits 2" "[ $? -eq 2 ]"
$RTM kde --help | grep -q -- '--weight-table'
check "kde --help lists options" "[ $? -eq 0 ]"
$RTM --version | grep -q '^rtm '
check "--version" "[ $? -eq 0 ]"
$RTM kde --strict --dst-crs EPSG:27700 --bbox 580000,180000,600000,190000 --resolution 100 \
  --radius 500 -q -o "$T/st.tif" $D/points/mixed.csv 2> "$T/e4"
check "--strict turns a bad row into an error with file and line" "[ $? -eq 1 ] && grep -q 'mixed.csv line 3' $T/e4"

# the GeoTIFF states the period its events cover (the sample file is January-May 2018)
$RTM kde -q --dst-crs EPSG:27700 --bbox 585000,184000,590000,189000 --resolution 100 \
  --radius 500 -o "$T/period.tif" samples/essex/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
check "the KDE GeoTIFF states its period" "gdalinfo $T/period.tif | grep -q 'EVENTS_PERIOD=2018-01..2018-05'"
finish
