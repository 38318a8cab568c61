#!/bin/sh
# CLI tests of `rtm distance`: values at sample cells against a direct
# computation from the station coordinates, nodata outside the study area,
# exit codes.
RTM=${RTM_BIN:-build/rtm}
S=samples/essex
. tests/cli/harness.inc
ST=$S/risk/naptan_rail_stations_southend_on_sea.csv

$RTM distance -q --dst-crs EPSG:27700 --bbox 580000,182000,597000,190000 --resolution 100 \
  -o "$T/d.tif" $ST
check "exits 0" "[ $? -eq 0 ]"
# cell centres (x = 580050 + 100 i, y = 189950 - 100 j) against min distance to the stations
python3 - "$ST" > "$T/cells" <<'PY'
import csv, sys
st = [(float(r["Easting"]), float(r["Northing"])) for r in csv.DictReader(open(sys.argv[1]))]
for i, j in [(0, 0), (52, 36), (100, 40), (169, 79), (33, 10)]:
    x, y = 580050 + 100 * i, 189950 - 100 * j
    d = min(((x - a) ** 2 + (y - b) ** 2) ** 0.5 for a, b in st)
    print(x, y, repr(d))
PY
bad=0
while read -r x y d; do
  v=$(gdallocationinfo -valonly -geoloc "$T/d.tif" "$x" "$y")
  awk -v v="$v" -v d="$d" 'BEGIN { e = v - d; if (e < 0) e = -e; exit !(e <= 1e-3 * (d > 1 ? d : 1)) }' || bad=$((bad + 1))
done < "$T/cells"
check "distances equal the direct computation (Float32)" "[ $bad -eq 0 ]"
gdalinfo "$T/d.tif" 2>/dev/null | grep -q 'ID\["EPSG",27700\]'
check "CRS EPSG:27700" "[ $? -eq 0 ]"
$RTM distance -q --dst-crs EPSG:27700 --study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson \
  --resolution 100 --max-distance 500 -o "$T/m.tif" $ST
check "study area and --max-distance exit 0" "[ $? -eq 0 ]"
check "cells beyond 500 m or outside are nodata" "gdalinfo -stats $T/m.tif 2>/dev/null | grep -q 'STATISTICS_MAXIMUM=4[0-9][0-9]'"
$RTM distance -q --dst-crs EPSG:27700 --resolution 100 -o "$T/x.tif" $ST 2>/dev/null
check "no grid: usage error 2" "[ $? -eq 2 ]"
$RTM distance -q --dst-crs EPSG:27700 --bbox 580000,182000,597000,190000 -o "$T/x.tif" "$T/none.csv" 2>/dev/null
check "missing layer: exit 1" "[ $? -eq 1 ]"
finish
