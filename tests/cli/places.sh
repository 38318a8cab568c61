#!/bin/sh
# CLI tests of `rtm places`: Southend, 20 places of 150 m by harm with the
# shipped police.uk harm table (the trial's form), the files and their
# fields, the "x % of the area holds y % of harm" line, names, thread-count
# identity, per-area caps, errors; and a harm-weighted KDE labelled in harm
# units, never as offences.
RTM=${RTM_BIN:-build/rtm}
S=samples/essex
EV=$S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
AREA=$S/boundaries/southend_on_sea_lad2011_bng.geojson
HARM=layers/harm/police_uk_cchi.csv
. tests/cli/harness.inc

# 1. the contract form
$RTM places --count 20 --size 150 --harm-table $HARM --dst-crs EPSG:27700 \
  --study-area $AREA --settings pub=$S/risk/fhrs_openpubs_venues_southend_on_sea.csv \
  --settings station=$S/risk/naptan_rail_stations_southend_on_sea.csv:StationName \
  --threads 1 -o "$T/p1" $EV > "$T/out.txt" 2> "$T/err.txt"
check "contract form exits 0" "[ $? -eq 0 ]"
for f in places.gpkg places.qml places.csv places.png places.html; do
  check "writes $f" "[ -s $T/p1/$f ]"
done
check "prints the area/harm line" \
  "grep -Eq '^20 places \(0\.45 km², [0-9.]+ % of the area\) hold [0-9.]+ % of events and [0-9.]+ % of harm' $T/out.txt"
check "the briefing has the line" "grep -q '% of the area) hold' $T/p1/places.html"
check "CSV: header and 20 places" \
  "[ \$(wc -l < $T/p1/places.csv) -eq 21 ] && head -1 $T/p1/places.csv | grep -q '^place,rank,name,location,settings,events,harm,measure,area_m2,share_area'"
python3 - "$T/p1/places.csv" <<'PY' > "$T/py.out" 2>&1
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
assert len(rows) == 20
h = [float(r["measure"]) for r in rows]
assert all(a >= b for a, b in zip(h, h[1:])), "ranked by the measure"
for r in rows:
    assert r["place"] == r["rank"]
    assert abs(float(r["area_m2"]) - 22500) < 1e-6
    assert r["name"].startswith("On or near "), r["name"]
# squares never overlap
c = [(float(r["centre_x"]), float(r["centre_y"])) for r in rows]
for i in range(20):
    for j in range(i):
        assert abs(c[i][0] - c[j][0]) >= 150 - 1e-6 or abs(c[i][1] - c[j][1]) >= 150 - 1e-6
# cumulative shares add up
cum = 0
for r in rows:
    cum += float(r["share_harm"])
    assert abs(cum - float(r["cum_harm"])) < 1e-6
# the harm of place 1 equals its measure (squares on the fine grid are exact)
assert abs(float(rows[0]["harm"]) - float(rows[0]["measure"])) < 1e-6
print("ok")
PY
check "CSV: ranks, areas, names, no overlap, cumulative shares" "grep -q '^ok' $T/py.out"
if command -v ogrinfo > /dev/null; then
  ogrinfo -ro -al -so "$T/p1/places.gpkg" > "$T/ogr.txt" 2>&1
  check "GeoPackage layer 'places' with place, rank, name, events, harm, area_m2" \
    "grep -q 'Layer name: places' $T/ogr.txt && grep -q '^place: Integer' $T/ogr.txt && grep -q '^rank:' $T/ogr.txt && grep -q '^name: String' $T/ogr.txt && grep -q '^events:' $T/ogr.txt && grep -q '^harm: Real' $T/ogr.txt && grep -q '^area_m2: Real' $T/ogr.txt && grep -q 'Feature Count: 20' $T/ogr.txt"
  ogrinfo -ro -q "$T/p1/places.gpkg" -sql \
    "SELECT f_table_name, f_geometry_column, styleName, useAsDefault, update_time FROM layer_styles" \
    > "$T/styles.txt" 2>&1
  check "GeoPackage: QGIS layer_styles table, default style of 'places' (fixed time)" \
    "grep -q 'f_table_name (String) = places' $T/styles.txt && grep -q 'f_geometry_column (String) = geom' $T/styles.txt && grep -q 'useAsDefault (Integer(Boolean)) = 1' $T/styles.txt && grep -q 'update_time (DateTime) = 2000/01/01 00:00:00' $T/styles.txt"
fi
check "layer_styles.styleQML is places.qml, byte for byte" "python3 - $T/p1 <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1] + '/places.gpkg')
(q,) = c.execute(\"SELECT styleQML FROM layer_styles WHERE f_table_name = 'places' AND useAsDefault\").fetchone()
sys.exit(q != open(sys.argv[1] + '/places.qml').read())
PY"
check "a setting names a place" "grep -q '(pub, ' $T/p1/places.csv"

# 2. same bytes whatever the thread count
$RTM places -q --count 20 --size 150 --harm-table $HARM --dst-crs EPSG:27700 \
  --study-area $AREA --settings pub=$S/risk/fhrs_openpubs_venues_southend_on_sea.csv \
  --settings station=$S/risk/naptan_rail_stations_southend_on_sea.csv:StationName \
  --threads 2 -o "$T/p2" $EV 2> /dev/null
bad=""
for f in places.gpkg places.csv places.png places.html places.qml; do
  cmp -s "$T/p1/$f" "$T/p2/$f" || bad="$bad $f"
done
check "1 and 2 threads: same bytes (differ:$bad)" "[ -z '$bad' ]"

# 3. discs, spacing and counts
$RTM places -q --count 10 --size 150 --shape disc --measure count --min-spacing 200 \
  --dst-crs EPSG:27700 --study-area $AREA -o "$T/p3" $EV 2> /dev/null
check "discs by count exit 0" "[ $? -eq 0 ]"
python3 - "$T/p3/places.csv" <<'PY' > "$T/py3.out" 2>&1
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
assert len(rows) == 10
for r in rows:
    assert r["harm"] == "", "no harm without a harm table"
c = [(float(r["centre_x"]), float(r["centre_y"])) for r in rows]
for i in range(10):
    for j in range(i):
        assert math.dist(c[i], c[j]) >= 150 + 200 - 1e-6
print("ok")
PY
check "discs: no harm column values, spacing of 200 m kept" "grep -q '^ok' $T/py3.out"

# 4. a cap per area: districts of Essex, at most 2 each
$RTM places -q --count 8 --size 150 --harm-table $HARM --dst-crs EPSG:27700 \
  --areas $S/boundaries/essex_police_area_lad2011_bng.geojson --per-area 2 \
  --study-area $AREA -o "$T/p4" $EV 2> "$T/err4.txt"
check "per-area run exits 0" "[ $? -eq 0 ]"
python3 - "$T/p4/places.csv" <<'PY' > "$T/py4.out" 2>&1
import collections, csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
c = collections.Counter(r["area"] for r in rows)
assert rows and all(k and v <= 2 for k, v in c.items()), c
print("ok")
PY
check "at most 2 places per area, each in an area" "grep -q '^ok' $T/py4.out"

# 5. a surface as the measure: a KDE of expected events per cell, ranked by it
$RTM kde -q --dst-crs EPSG:27700 --study-area $AREA --resolution 30 --radius 200 \
  --units cell -o "$T/dens.tif" $EV 2> /dev/null
$RTM places -q --count 5 --size 150 --measure "$T/dens.tif" --dst-crs EPSG:27700 \
  --study-area $AREA -o "$T/p5" $EV 2> /dev/null
check "a raster measure: exit 0, ranked by it" \
  "[ $? -eq 0 ] && grep -q 'ranked by surface' $T/p5/places.html && [ \$(wc -l < $T/p5/places.csv) -eq 6 ]"
python3 - "$T/p5/places.csv" <<'PY' > "$T/py5.out" 2>&1
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
m = [float(r["measure"]) for r in rows]
# expected events in a 150 m square of a per-cell KDE: of the order of the events
assert all(a >= b for a, b in zip(m, m[1:])) and m[0] > 10, m
assert all(float(r["events"]) > 0 for r in rows)
print("ok")
PY
check "a raster measure: sums of expected events, ranked" "grep -q '^ok' $T/py5.out"

# 6. a job: places capped per polygon of the job's areas, harm weights of the job
SA=$(cd $S && pwd)
cat > "$T/j.yaml" <<EOF
name: pj
study_area:
  file: $SA/boundaries/southend_on_sea_lad2011_bng.geojson
crs: EPSG:27700
cell_size: 100
offences:
  sources:
    - file: $SA/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
      type_field: Crime type
  harm:
    weights:
      Violence and sexual offences: 197
      Robbery: 365
    default: 0
surfaces:
  - type: places
    name: spots
    count: 4
    per_area: 2
areas:
  file: $SA/boundaries/essex_police_area_lad2011_bng.geojson
  name_field: name
output:
  dir: $T/jout
EOF
$RTM run -q "$T/j.yaml" 2> "$T/j.err"
check "job with places runs" "[ $? -eq 0 ] && [ -s $T/jout/current/spots.gpkg ] && [ -s $T/jout/current/spots.html ]"
python3 - "$T/jout/current/spots.csv" <<'PY' > "$T/py6.out" 2>&1
import collections, csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
c = collections.Counter(r["area"] for r in rows)
assert len(rows) == 4 and c["Southend-on-Sea"] == 2 and max(c.values()) <= 2, c
assert all(r["harm"] != "" for r in rows)
print("ok")
PY
check "job: at most 2 places per district, harm column filled" "grep -q '^ok' $T/py6.out"
check "job briefing: one section per district" "grep -q 'Southend-on-Sea' $T/jout/current/spots.html"

# 7. errors
$RTM places -q --count 5 --measure harm --dst-crs EPSG:27700 --study-area $AREA \
  -o "$T/e1" $EV 2> "$T/e1.txt"
check "harm without a harm table: exit 1 with a message" \
  "[ $? -eq 1 ] && grep -q 'harm' $T/e1.txt"
$RTM places -q --per-area 2 --dst-crs EPSG:27700 -o "$T/e2" $EV 2> /dev/null
check "--per-area without --areas: usage error" "[ $? -eq 2 ]"
$RTM places -q --size 100 --step 30 --dst-crs EPSG:27700 --study-area $AREA \
  -o "$T/e3" $EV 2> /dev/null
check "size not a multiple of the step: exit 2" "[ $? -eq 2 ]"

# 8. a harm-weighted KDE is labelled in harm units
$RTM kde -q --harm-table $HARM --dst-crs EPSG:27700 --study-area $AREA --resolution 100 \
  --radius 300 -o "$T/harm.tif" $EV 2> /dev/null
if command -v gdalinfo > /dev/null; then
  gdalinfo "$T/harm.tif" > "$T/harm.txt" 2>&1
  check "harm KDE: band says harm (CCHI days) per km², not events" \
    "grep -q 'harm (CCHI days) per km' $T/harm.txt && ! grep -q 'events per km' $T/harm.txt"
fi
check "harm KDE: style legend in harm units" "! grep -q 'events per' $T/harm.qml"
$RTM hotspots -q --harm-table $HARM --dst-crs EPSG:27700 --study-area $AREA --resolution 100 \
  -o "$T/hh.tif" $EV 2> /dev/null
if command -v gdalinfo > /dev/null; then
  check "harm hot spots: Gi* of harm per cell" \
    "gdalinfo $T/hh_z.tif | grep -q 'VALUES=harm (CCHI days) per cell'"
fi
finish
