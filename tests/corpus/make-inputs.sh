#!/bin/sh
# Writes the input files of the bad-input corpus (cases.tsv) into the folder
# given as argument: small police.uk extracts with their real-world quirks,
# broken CSV/GeoJSON, GeoPackage/Shapefile variants (ogr2ogr) and hostile job
# files. Deterministic: the same bytes on every run.
#   tests/corpus/make-inputs.sh OUTDIR
set -e
C=$1
[ -n "$C" ] || { echo "usage: make-inputs.sh OUTDIR" >&2; exit 2; }
mkdir -p "$C"
S=samples/essex
SAMPLE=$S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
H="Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"

# ---- police.uk CSV: 300 real rows with coordinates, and their quirks
zcat $SAMPLE | awk -F, 'NR > 1 && $5 != "" && n < 300 { print; n++ }' > "$C/rows.txt"
{ echo "$H"; cat "$C/rows.txt"; } > "$C/good.csv"
head -c 0 /dev/null > "$C/empty.csv"
echo "$H" > "$C/header-only.csv"
# rows without a location (police.uk publishes them with empty coordinates)
{ echo "$H"; cat "$C/rows.txt"
  echo ",2018-01,Essex Police,Essex Police,,,No Location,,,Anti-social behaviour,,"
  echo "abc,2018-02,Essex Police,Essex Police,,,No Location,,,Burglary,Under investigation,"; } > "$C/empty-coords.csv"
{ echo "$H"; for i in 1 2 3 4 5; do
  echo ",2018-01,Essex Police,Essex Police,,,No Location,,,Anti-social behaviour,,"; done; } > "$C/all-empty-coords.csv"
# Location with commas and doubled quotes
{ echo "$H"; cat "$C/rows.txt"
  echo 'x1,2018-01,Essex Police,Essex Police,0.7101,51.5390,"On or near ""The Bar, Grill & Co"", High Street",E01,Southend 1,Public order,,'; } > "$C/location-quotes.csv"
printf '\357\273\277' > "$C/bom.csv"; cat "$C/good.csv" >> "$C/bom.csv"
sed 's/$/\r/' "$C/good.csv" > "$C/crlf.csv"
awk -F, -v OFS=, 'NR == 1 { print $0, "Extra one", "Extra two"; next } { print $0, "e1", "e2" }' "$C/good.csv" > "$C/extra-cols.csv"
# monthly files concatenated with cat: the header repeated mid-file
{ cat "$C/good.csv"; cat "$C/good.csv"; } > "$C/dup-header.csv"
# a month that does not exist
awk -F, -v OFS=, 'NR > 1 && NR % 3 == 0 { $2 = "2018-13" } { print }' "$C/good.csv" > "$C/month13.csv"
awk -F, -v OFS=, 'NR > 1 { $2 = "2018-13" } { print }' "$C/good.csv" > "$C/month13-all.csv"
# latitude and longitude swapped: every point far outside the grid
awk -F, -v OFS=, 'NR > 1 { t = $5; $5 = $6; $6 = t } { print }' "$C/good.csv" > "$C/swapped.csv"
# coordinates that are not numbers
{ echo "$H"; cat "$C/rows.txt"
  echo "n1,2018-01,P,P,n/a,n/a,On or near X,E,L,Burglary,,"
  echo "n2,2018-01,P,P,NaN,NaN,On or near X,E,L,Burglary,,"
  echo "n3,2018-01,P,P,inf,-inf,On or near X,E,L,Burglary,,"
  echo "n4,2018-01,P,P,1e308,1e308,On or near X,E,L,Burglary,,"
  echo "n5,2018-01,P,P,0x1p3,51.5,On or near X,E,L,Burglary,,"
  echo "n6,2018-01,P,P,0.7 ,51.5abc,On or near X,E,L,Burglary,,"; } > "$C/bad-numbers.csv"
{ echo "$H"; for i in 1 2 3; do echo "n$i,2018-01,P,P,NaN,NaN,On or near X,E,L,Burglary,,"; done; } > "$C/all-nan.csv"
{ echo "$H"; for i in 1 2 3; do echo "n$i,2018-01,P,P,1e308,-1e308,On or near X,E,L,Burglary,,"; done; } > "$C/all-huge.csv"
# no Latitude column
sed '1s/Latitude/Lat_itude/' "$C/good.csv" > "$C/no-latitude.csv"
# the same column name twice
sed '1s/Location/Longitude/' "$C/good.csv" > "$C/two-longitudes.csv"
# semicolon separated (a European spreadsheet export)
sed 's/,/;/g' "$C/good.csv" > "$C/semicolon.csv"

# ---- broken CSV
# an unclosed quote on line 11 swallows the 290 rows after it
{ echo "$H"; head -9 "$C/rows.txt"
  echo 'q1,2018-01,P,P,0.71,51.54,"On or near an unclosed quote,E,L,Burglary,,'
  sed -n '10,300p' "$C/rows.txt"; } > "$C/unclosed-quote.csv"
{ echo "$H"; head -5 "$C/rows.txt"; echo "r1,2018-01,P"; echo "r2"; sed -n '6,300p' "$C/rows.txt"; } > "$C/ragged.csv"
python3 -c "
import random, sys
r = random.Random(42)
sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(4096)))" > "$C/junk.csv"
{ echo "$H"; head -50 "$C/rows.txt"
  printf 'z1,2018-01,P,P,0.71,51.54,On or near \000\000 NUL,E,L,Burglary,,\n'
  sed -n '51,300p' "$C/rows.txt"; } > "$C/nul.csv"
LONG=$(awk 'BEGIN { for (i = 0; i < 10000; i++) printf "A" }')
{ echo "$H"; cat "$C/rows.txt"; echo "L1,2018-01,P,P,0.71,51.54,$LONG,E,L,Burglary,,"; } > "$C/long-field.csv"
{ echo "$H,$LONG"; awk '{ print $0 ",x" }' "$C/rows.txt"; } > "$C/long-header.csv"
gzip -9n < "$C/good.csv" > "$C/good.csv.gz"
head -c 2000 "$C/good.csv.gz" > "$C/truncated.csv.gz"
cp "$C/good.csv" "$C/not-gzip.csv.gz"

# ---- GeoJSON (EPSG:27700 points near Southend)
P1='{"type":"Feature","properties":{"id":1},"geometry":{"type":"Point","coordinates":[585300,185500]}}'
P2='{"type":"Feature","properties":{"id":2},"geometry":{"type":"Point","coordinates":[588000,186000]}}'
P3='{"type":"Feature","properties":{"id":3},"geometry":{"type":"Point","coordinates":[589500,185200]}}'
FC='{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":['
echo "$FC$P1,$P2,$P3]}" > "$C/points.geojson"
echo "$FC$P1,$P2,$P3]}" | head -c 150 > "$C/truncated.geojson"
echo "$FC]}" > "$C/empty.geojson"
echo "$FC$P1,"'{"type":"Feature","properties":{"id":9},"geometry":null}'",$P2]}" > "$C/null-geom.geojson"
echo "$FC"'{"type":"Feature","properties":{},"geometry":null}]}' > "$C/all-null-geom.geojson"
echo "$FC$P1,"'{"type":"Feature","properties":{"id":9},"geometry":{"type":"Point","coordinates":[1e308,1e308]}}'",$P2]}" > "$C/huge-coords.geojson"
echo "$FC"'{"type":"Feature","properties":{"id":9},"geometry":{"type":"Point","coordinates":[1e308,-1e308]}}]}' > "$C/all-huge.geojson"
echo "$FC$P1,"'{"type":"Feature","properties":{"id":9},"geometry":{"type":"Point","coordinates":[NaN,Infinity]}}'",$P2]}" > "$C/nan-coords.geojson"
echo "$FC"'{"type":"Feature","properties":{"id":9},"geometry":{"type":"Point","coordinates":[NaN,NaN]}}]}' > "$C/all-nan.geojson"
echo "$FC"'{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[585000,185000],[586000,185000],[586000,186000],[585000,185000]]]}}]}' > "$C/polygon-events.geojson"
echo "$FC"'{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[582000,184000],[592000,188000]]}}]}' > "$C/line.geojson"
echo "$FC"'{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[585300]}}]}' > "$C/short-coords.geojson"
echo '{"type":"Feature","geometry":{"type":"Point","coordinates":"abc"}}' > "$C/string-coords.geojson"
echo 'this is not json' > "$C/not-json.geojson"
echo '[1, 2, 3]' > "$C/array.geojson"
# a study area that is a point, not a polygon
echo "$FC$P1]}" > "$C/point-area.geojson"
# a study-area polygon that is degenerate (zero area)
echo "$FC"'{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[585000,185000],[586000,185000],[585000,185000]]]}}]}' > "$C/flat-area.geojson"

# areas whose names are paths and markup (per-area file names, report.html)
echo "$FC"'{"type":"Feature","properties":{"name":"../../../evil"},"geometry":{"type":"Polygon","coordinates":[[[580000,182000],[587500,182000],[587500,192000],[580000,192000],[580000,182000]]]}},{"type":"Feature","properties":{"name":"a/b <script>x</script>"},"geometry":{"type":"Polygon","coordinates":[[[587500,182000],[595000,182000],[595000,192000],[587500,192000],[587500,182000]]]}}]}' > "$C/hostile-areas.geojson"

# ---- GeoPackage / Shapefile (ogr2ogr from the police extract)
OO="-oo X_POSSIBLE_NAMES=Longitude -oo Y_POSSIBLE_NAMES=Latitude -a_srs EPSG:4326"
ogr2ogr -q -f GPKG "$C/good.gpkg" "$C/good.csv" $OO -nln crimes
ogr2ogr -q -f GPKG "$C/empty-layer.gpkg" "$C/good.csv" $OO -nln crimes -where "1 = 0"
# geometry in BNG plus decoy coordinate columns: Longitude/Latitude at 0,0
# and x/y far away (the geometry must win)
ogr2ogr -q -f GPKG "$C/decoy-xy.gpkg" "$C/good.gpkg" -t_srs EPSG:27700 -nln crimes -dialect SQLite \
  -sql "SELECT geom, \"Crime type\", Month, 0.0 AS Longitude, 0.0 AS Latitude, -1000000.0 AS x, -1000000.0 AS y FROM crimes"
ogr2ogr -q -f GPKG "$C/two-layers.gpkg" "$C/good.csv" $OO -nln first
ogr2ogr -q -f GPKG -update "$C/two-layers.gpkg" "$C/points.geojson" -nln second
mkdir -p "$C/shp" "$C/shp-nodbf" "$C/shp-noprj"
# (geometry only, no coordinate columns)
ogr2ogr -q -f "ESRI Shapefile" "$C/shp/crimes.shp" "$C/good.gpkg" -t_srs EPSG:27700 -dialect SQLite \
  -sql "SELECT geom, \"Crime type\" AS type, Month FROM crimes" 2>/dev/null
for e in shp shx dbf; do cp "$C/shp/crimes.$e" "$C/shp-noprj/"; done
for e in shp shx prj; do cp "$C/shp/crimes.$e" "$C/shp-nodbf/"; done
printf 'not a geopackage at all' > "$C/fake.gpkg"
head -c 4096 "$C/good.gpkg" > "$C/truncated.gpkg"

# ---- surfaces for evaluate: 60 x 40 cells of 250 m from (580000, 182000)
grid() {  # grid NAME EXPR [NODATA]: EXPR a Python expression of column i and row j
  python3 - "$C/$1.bil" "$2" "$3" <<'PY'
import math, struct, sys
path, expr, nodata = sys.argv[1], sys.argv[2], sys.argv[3]
with open(path, "wb") as f:
    for j in range(40):
        for i in range(60):
            f.write(struct.pack("<f", float(eval(expr, {"i": i, "j": j, "math": math}))))
with open(path[:-4] + ".hdr", "w") as f:
    f.write("NROWS 40\nNCOLS 60\nNBANDS 1\nNBITS 32\nPIXELTYPE FLOAT\nBYTEORDER I\n"
            "ULXMAP 580125\nULYMAP 191875\nXDIM 250\nYDIM 250\n")
    if nodata:
        f.write("NODATA %s\n" % nodata)
PY
  gdal_translate -q -a_srs EPSG:27700 "$C/$1.bil" "$C/$1.tif"
  rm -f "$C/$1.bil" "$C/$1.hdr" "$C/$1.bil.aux.xml"
}
grid surface "(i * 7 + j * 13) % 50"
grid all-nodata "-9999" -9999
grid nan-cells "math.nan if i == 10 else i + j"
grid inf-cells "math.inf if i == 10 else i + j"
gdal_translate -q -a_srs EPSG:27700 -a_ullr 580000 192000 595000 182000 -outsize 30 20 "$C/surface.tif" "$C/coarse.tif"
gdal_translate -q -a_srs EPSG:4326 "$C/surface.tif" "$C/wgs84.tif"
printf 'not a tiff' > "$C/fake.tif"

# ---- weight tables
printf 'Crime type,weight\nBurglary,3\n*,1\n' > "$C/weights.csv"
printf 'Crime type,weight\nBurglary,-3\n' > "$C/weights-negative.csv"
printf 'Crime type,weight\nBurglary,lots\n' > "$C/weights-text.csv"
printf 'Crime type,weight\nBurglary,nan\n' > "$C/weights-nan.csv"
printf 'Crime type,weight\nBurglary,inf\n' > "$C/weights-inf.csv"
printf 'Crime type,weight\nBurglary,3\nBurglary,5\n' > "$C/weights-dup.csv"
printf 'Crime type,weight\n*,0\n' > "$C/weights-zero.csv"
printf 'Crime type\nBurglary\n' > "$C/weights-onecol.csv"
printf 'Crime kind,weight\nBurglary,3\n' > "$C/weights-badfield.csv"

# ---- job files
A=$(cd $S/boundaries && pwd)/southend_on_sea_lad2011_bng.geojson
G=$(cd "$C" && pwd)/good.csv
job() {  # job NAME: a valid job (kde only), then the lines on stdin appended
  { cat <<YAML
name: ${1%.yaml}
study_area:
  file: $A
crs: EPSG:27700
cell_size: 250
offences:
  sources:
    - file: $G
      x_field: Longitude
      y_field: Latitude
      crs: EPSG:4326
      type_field: Crime type
      date_field: Month
surfaces:
  - type: kde
    radius: 500
YAML
  cat; } > "$C/$1"
}
job ok.yaml < /dev/null
job unknown-key.yaml <<'YAML'
colour: red
YAML
job dup-key.yaml <<'YAML'
cell_size: 100
YAML
sed 's/^  file:/\tfile:/' "$C/ok.yaml" > "$C/tabs.yaml"
sed 's/^name: .*/name: ..\/..\/escape/' "$C/ok.yaml" > "$C/name-escape.yaml"
sed 's/^name: .*/name: a\/b/' "$C/ok.yaml" > "$C/name-slash.yaml"
sed 's/^name: .*/name: ""/' "$C/ok.yaml" > "$C/name-empty.yaml"
job area-slash.yaml <<YAML
areas:
  - name: ../evil/name
    file: $A
    name_field: name
YAML
job area-names-hostile.yaml <<YAML
areas:
  - name: districts
    file: $(cd "$C" && pwd)/hostile-areas.geojson
    name_field: name
YAML
sed 's/^    radius: 500/    radius: 500\n    name: ..\/surface/' "$C/ok.yaml" > "$C/surface-name-escape.yaml"
awk '{ print } /date_field/ { print "  window: 300000000 months to the run date" }' "$C/ok.yaml" > "$C/window-huge.yaml"
awk '{ print } /date_field/ { print "  window: -3 months to the run date" }' "$C/ok.yaml" > "$C/window-negative.yaml"
awk '{ print } /date_field/ { print "  from: 2018-13\n  to: 2018-14" }' "$C/ok.yaml" > "$C/from-month13.yaml"
awk '{ print } /date_field/ { print "  from: 2018-05\n  to: 2018-01" }' "$C/ok.yaml" > "$C/from-after-to.yaml"
awk '{ print } /date_field/ { print "  from: 2030-01\n  to: 2030-12" }' "$C/ok.yaml" > "$C/window-no-events.yaml"
awk '{ print } /date_field/ { print "  types: [No such crime]" }' "$C/ok.yaml" > "$C/types-none-match.yaml"
sed 's/^cell_size: .*/cell_size: [1, 2]/' "$C/ok.yaml" > "$C/cell-list.yaml"
sed 's/^cell_size: .*/cell_size: abc/' "$C/ok.yaml" > "$C/cell-text.yaml"
sed 's/^cell_size: .*/cell_size: .nan/' "$C/ok.yaml" > "$C/cell-nan.yaml"
sed 's/^cell_size: .*/cell_size: 0/' "$C/ok.yaml" > "$C/cell-zero.yaml"
sed 's/^cell_size: .*/cell_size: 1e-9/' "$C/ok.yaml" > "$C/cell-tiny.yaml"
sed 's/^cell_size: .*/cell_size: 1e308/' "$C/ok.yaml" > "$C/cell-huge.yaml"
sed 's/^    radius: .*/    radius: -5/' "$C/ok.yaml" > "$C/radius-negative.yaml"
sed 's/^    radius: .*/    radius: 1e400/' "$C/ok.yaml" > "$C/radius-overflow.yaml"
sed 's/^    radius: .*/    radius: { a: 1 }/' "$C/ok.yaml" > "$C/radius-map.yaml"
sed 's/^crs: .*/crs: EPSG:4326/' "$C/ok.yaml" > "$C/crs-geographic.yaml"
sed 's/^crs: .*/crs: EPSG:999999/' "$C/ok.yaml" > "$C/crs-unknown.yaml"
sed 's/^surfaces:.*/surfaces: []/; /type: kde/d; /radius: 500/d' "$C/ok.yaml" > "$C/no-surfaces.yaml"
job output-keep.yaml <<'YAML'
output:
  keep: -1
YAML
job formats-bogus.yaml <<'YAML'
output:
  formats: [tif, exe]
YAML
awk '{ print } /date_field/ { print "  hours:\n    - fri-sat 25:00-04:00" }' "$C/ok.yaml" > "$C/hours-bad.yaml"
job overlay-mismatch.yaml <<'YAML'
  - type: overlay
    layers: [kde]
    weights: [1, 2]
YAML
job overlay-undefined.yaml <<'YAML'
  - type: overlay
    layers: [kde, nosuch]
YAML
job rtm-folds.yaml <<'YAML'
  - type: rtm
    factors: [pubs]
    folds: 1
YAML
job rtm-maxblocks.yaml <<'YAML'
  - type: rtm
    factors: [pubs]
    max_blocks: 1000000
YAML
job two-kde.yaml <<'YAML'
  - type: kde
    radius: 800
YAML
sed "s|file: $A|file: $(cd "$C" && pwd)/missing.geojson|" "$C/ok.yaml" > "$C/area-missing.yaml"
sed "s|file: $G|file: $(cd "$C" && pwd)/nomatch-*.csv|" "$C/ok.yaml" > "$C/glob-nomatch.yaml"
sed "s|file: $G|file: $(cd "$C" && pwd)/header-only.csv|" "$C/ok.yaml" > "$C/events-empty.yaml"
# a 1 MB title
{ printf 'title: '; awk 'BEGIN { for (i = 0; i < 1048576; i++) printf "x"; print "" }'; cat "$C/ok.yaml"; } > "$C/title-1mb.yaml"
# a 1 MB key
{ awk 'BEGIN { for (i = 0; i < 1048576; i++) printf "k"; print ": 1" }'; cat "$C/ok.yaml"; } > "$C/key-1mb.yaml"
# invalid UTF-8 in a value and in a key
{ printf 'title: caf\351 \377\376\n'; cat "$C/ok.yaml"; } > "$C/latin1.yaml"
# billion laughs: nine levels of nine aliases
python3 - "$C/laughs.yaml" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n')
    for i in range(1, 10):
        f.write("a%d: &a%d [%s]\n" % (i, i, ",".join(["*a%d" % (i - 1)] * 9)))
    f.write("title: *a9\n")
PY
cat "$C/ok.yaml" >> "$C/laughs.yaml"
{ echo 'defaults: &d'; echo '  radius: 500'; cat "$C/ok.yaml" | sed 's/^    radius: 500/    <<: *d/'; } > "$C/merge-key.yaml"
python3 -c "print('title: ' + '[' * 100000 + ']' * 100000)" > "$C/deep-flow.yaml"
cat "$C/ok.yaml" >> "$C/deep-flow.yaml"
python3 -c "
for i in range(5000): print(' ' * i + 'k%d:' % i)" > "$C/deep-block.yaml"
printf '' > "$C/empty.yaml"
printf '%s\n' '- just' '- a' '- list' > "$C/list.yaml"
printf 'name: a\n---\nname: b\n' > "$C/two-docs.yaml"
printf 'name: [unclosed\ncrs: EPSG:27700\n' > "$C/syntax.yaml"
printf '%%YAML 9.9\n---\nname: x\n' > "$C/yaml-version.yaml"
printf 'name: !!binary aGVsbG8=\n' > "$C/binary-tag.yaml"
{ echo 'name: &x x'; cat "$C/ok.yaml" | sed '/^name:/d' | sed 's/^crs: .*/crs: *undefined_anchor/'; } > "$C/undefined-alias.yaml"
rm -f "$C/rows.txt"
