#!/bin/sh
# CLI tests of `rtm emerging`: week steps on simulated day-dated events with
# known emerging and persistent clusters (tools/sim-emerging.py), the files
# GDAL and OGR read back (category names and colours, one band per step with
# the step's label, the cube's total = the events), thread-count identity,
# police.uk months with month and season steps, the error for a step finer
# than the dates, usage errors, and the job surface giving the same bytes.
RTM=${RTM_BIN:-build/rtm}
. tests/cli/harness.inc
S=$PWD/samples/essex
EV=$S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
AREA=$S/boundaries/southend_on_sea_lad2011_bng.geojson

python3 tools/sim-emerging.py --seed 1 --out "$T/sim.csv"
SIM="--src-crs EPSG:27700 --x-field Easting --y-field Northing --month-field Date \
  --dst-crs EPSG:27700 --bbox 570000,205000,573000,208000 --resolution 100 --band 150"

# 1. the contract form, week steps
$RTM emerging $SIM --step week --time-steps 1 --threads 2 -o "$T/w" "$T/sim.csv" \
  > "$T/w.out" 2> "$T/w.err"
check "week steps exit 0" "[ $? -eq 0 ]"
for f in categories.tif categories.qml categories.tif.aux.xml cube.tif zscores.tif trend.tif \
         emerging.gpkg emerging.png categories.csv categories.md; do
  check "wrote $f" "[ -s $T/w/$f ]"
done
gdalinfo "$T/w/categories.tif" > "$T/cat.info" 2>&1
check "category names in the GeoTIFF" "grep -q '3: intensifying hot spot' $T/cat.info && \
  grep -q '16: historical cold spot' $T/cat.info && grep -q '0: no pattern' $T/cat.info"
check "category names inside the TIFF as band metadata too" \
  "grep -q 'CATEGORY_3=intensifying hot spot' $T/cat.info"
check "colour table in the GeoTIFF, the categories' own colours" \
  "grep -q 'Color Table' $T/cat.info && grep -q ' 3: 178,24,43,255' $T/cat.info && \
   grep -q ' 11: 33,102,172,255' $T/cat.info"
check "the .qml has the same colours" "grep -q 'color=\"#b2182b\"' $T/w/categories.qml"
check "persistent hot spot where the persistent cluster is (4)" \
  "[ \"\$(gdallocationinfo -valonly -geoloc $T/w/categories.tif 570750 205750)\" = 4 ]"
check "consecutive hot spot where the emerging cluster is (2)" \
  "[ \"\$(gdallocationinfo -valonly -geoloc $T/w/categories.tif 571450 206450)\" = 2 ]"
check "no pattern in the background" \
  "[ \"\$(gdallocationinfo -valonly -geoloc $T/w/categories.tif 572650 207650)\" = 0 ] || \
   [ \"\$(gdallocationinfo -valonly -geoloc $T/w/categories.tif 572650 207650)\" = 255 ]"
check "the .qml names the categories" "grep -q 'label=\"consecutive hot spot\"' $T/w/categories.qml"
gdalinfo "$T/w/cube.tif" > "$T/cube.info" 2>&1
check "cube: 26 bands, one per week" "[ \$(grep -c '^Band ' $T/cube.info) -eq 26 ]"
check "cube: band descriptions are the weeks' Mondays" \
  "grep -q 'Description = 2024-01-01' $T/cube.info && grep -q 'Description = 2024-06-24' $T/cube.info"
gdal_translate -q -ot Float64 -of ENVI -co INTERLEAVE=BSQ "$T/w/cube.tif" "$T/cube.raw"
python3 - "$T/cube.raw" "$T/sim.csv" > "$T/sum.out" 2>&1 <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
v = struct.unpack("<%dd" % (len(d) // 8), d)
total = sum(x for x in v if x != -9999)
n = sum(1 for _ in open(sys.argv[2])) - 1
assert abs(total - n) < 1e-9, (total, n)
# week of 2024-01-01 in band 1: events dated 2024-01-01..07
import csv
w1 = sum(1 for r in csv.DictReader(open(sys.argv[2])) if r["Date"] <= "2024-01-07")
b1 = sum(x for x in v[:900] if x != -9999)
assert abs(w1 - b1) < 1e-9, (w1, b1)
print("ok")
PY
check "cube holds every event, week 1 the events of 1-7 January" "grep -q '^ok' $T/sum.out"
check "GeoPackage of cells with category, trend z and p" \
  "ogrinfo -so $T/w/emerging.gpkg emerging_hot_spots 2>/dev/null | grep -q 'trend_p: Real' && \
   ogrinfo -so $T/w/emerging.gpkg emerging_hot_spots | grep -q 'category: String'"
check "GeoPackage: a persistent hot spot" \
  "ogrinfo -q -sql \"SELECT COUNT(*) AS n FROM emerging_hot_spots WHERE category = 'persistent hot spot'\" \
   $T/w/emerging.gpkg | grep -q 'n (Integer) = [1-9]'"
check "GeoPackage: merged areas, the consecutive one of 4+ cells" \
  "ogrinfo -q -sql \"SELECT MAX(cells) AS m FROM emerging_areas WHERE category = 'consecutive hot spot'\" \
   $T/w/emerging.gpkg | grep -q 'm (Integer[0-9]*) = [4-9]'"
check "table: every location counted once" \
  "[ \$(awk -F, 'NR > 1 { s += \$4 } END { print s }' $T/w/categories.csv) -eq \
     \$(sed -n 's/.*, \\([0-9]*\\) locations.*/\\1/p' $T/w.out) ]"
check "summary names the categories" "grep -q 'consecutive hot spot' $T/w.out"

# 2. the same bytes for any thread count
$RTM emerging $SIM --step week --threads 1 -q -o "$T/w1" "$T/sim.csv" 2> /dev/null
check "threads 1 vs 2: categories identical" "cmp -s $T/w/categories.tif $T/w1/categories.tif"
check "threads 1 vs 2: z-scores identical" "cmp -s $T/w/zscores.tif $T/w1/zscores.tif"

# 3. police.uk months: month steps work, week steps are refused clearly
$RTM emerging --dst-crs EPSG:27700 --study-area "$AREA" --resolution 100 --band 300 \
  --step month -o "$T/m" "$EV" > /dev/null 2> "$T/m.err"
check "police.uk months, month steps exit 0" "[ $? -eq 0 ]"
gdalinfo "$T/m/cube.tif" > "$T/m.info" 2>&1
check "month cube: 5 bands 2018-01..2018-05" "[ \$(grep -c '^Band ' $T/m.info) -eq 5 ] && \
  grep -q 'Description = 2018-01' $T/m.info && grep -q 'Description = 2018-05' $T/m.info"
check "few steps are warned about" "grep -q '5 time steps' $T/m.err"
$RTM emerging -q --dst-crs EPSG:27700 --study-area "$AREA" --resolution 100 --step week \
  -o "$T/x" "$EV" 2> "$T/x.err"
check "week steps on month-only dates: exit 1" "[ $? -eq 1 ]"
check "... saying day-level dates are needed" "grep -q 'needs day-level dates' $T/x.err"
check "... and nothing written" "[ ! -e $T/x/categories.tif ]"
$RTM emerging -q --dst-crs EPSG:27700 --study-area "$AREA" --resolution 100 --step season \
  --scheme sfhotspot -o "$T/s" "$EV" 2> "$T/s.err"
check "season steps, sfhotspot scheme exit 0" "[ $? -eq 0 ]"
check "seasons: winter and spring 2018" \
  "gdalinfo $T/s/cube.tif | grep -q 'Description = 2018 winter (2017-12..2018-02)' && \
   gdalinfo $T/s/cube.tif | grep -q 'Description = 2018 spring'"
check "sfhotspot category names" "gdalinfo $T/s/categories.tif | grep -q 'emerging hot spot'"

# 4. usage errors
$RTM emerging --band 100 --knn 4 -o "$T/u" "$EV" 2> /dev/null
check "--band with --knn: exit 2" "[ $? -eq 2 ]"
$RTM emerging --step fortnight -o "$T/u" "$EV" 2> "$T/u.err"
check "unknown step: exit 2 naming the steps" "[ $? -eq 2 ] && grep -q 'week, 4weeks, month, season' $T/u.err"
$RTM emerging "$EV" 2> /dev/null
check "no -o: exit 2" "[ $? -eq 2 ]"

# 5. the job surface gives the same files and bytes
cat > "$T/job.yaml" <<YAML
name: em
study_area:
  file: $AREA
crs: EPSG:27700
cell_size: 100
offences:
  sources:
    - file: $EV
surfaces:
  - type: emerging
    name: em
    step: month
    band: 300
output:
  dir: $T/job
  formats: [tif, png, md, json]
YAML
$RTM run -q "$T/job.yaml" 2> "$T/job.err"
check "job with an emerging surface runs" "[ $? -eq 0 ]"
bad=""
for f in categories.tif categories.tif.aux.xml categories.qml cube.tif zscores.tif trend.tif \
         emerging.gpkg emerging.png categories.csv categories.md; do
  cmp -s "$T/m/$f" "$T/job/current/em/$f" || bad="$bad $f"
done
check "job and command: byte-identical (differ:$bad)" "[ -z '$bad' ]"

finish
