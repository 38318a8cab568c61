#!/bin/sh
# CLI tests of `rtm change`: the difference and ratio read back from the
# GeoTIFFs against a brute-force quartic KDE of each period computed here in
# python3 (per month), the permutation test on a constructed change (a new
# cluster in the after period is significant), the count difference and the
# unit counts against counts made here, places.csv, 1 vs 2 threads
# byte-identical, two event sets equal to two periods, a job surface of type
# change giving the same values, and exit codes.
RTM=${RTM_BIN:-build/rtm}
. tests/cli/harness.inc

# 20 x 20 cells of 100 m from (500000, 200000). Before: 6 months (2018-01..06)
# of 480 uniform events; after: 3 months (2018-07..09) of 120 uniform events
# plus 90 in a 60 m square around (501450, 201450); 30 events in 2018-10
# belong to neither period.
python3 - > "$T/ev.csv" <<'PY'
import random
random.seed(7)
print("x,y,Month")
for i in range(480):
    print("%.2f,%.2f,2018-%02d" % (500000 + random.uniform(0, 2000), 200000 + random.uniform(0, 2000), 1 + i % 6))
for i in range(120):
    print("%.2f,%.2f,2018-%02d" % (500000 + random.uniform(0, 2000), 200000 + random.uniform(0, 2000), 7 + i % 3))
for i in range(90):
    print("%.2f,%.2f,2018-%02d" % (501450 + random.uniform(-30, 30), 201450 + random.uniform(-30, 30), 7 + i % 3))
for i in range(30):
    print("%.2f,%.2f,2018-10" % (500000 + random.uniform(0, 2000), 200000 + random.uniform(0, 2000)))
PY
# four 1 km squares as units
cat > "$T/units.geojson" <<'EOF'
{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::27700"}},"features":[
{"type":"Feature","properties":{"sq":"SW"},"geometry":{"type":"Polygon","coordinates":[[[500000,200000],[501000,200000],[501000,201000],[500000,201000],[500000,200000]]]}},
{"type":"Feature","properties":{"sq":"SE"},"geometry":{"type":"Polygon","coordinates":[[[501000,200000],[502000,200000],[502000,201000],[501000,201000],[501000,200000]]]}},
{"type":"Feature","properties":{"sq":"NW"},"geometry":{"type":"Polygon","coordinates":[[[500000,201000],[501000,201000],[501000,202000],[500000,202000],[500000,201000]]]}},
{"type":"Feature","properties":{"sq":"NE"},"geometry":{"type":"Polygon","coordinates":[[[501000,201000],[502000,201000],[502000,202000],[501000,202000],[501000,201000]]]}}]}
EOF
EV="--src-crs EPSG:27700 --x-field x --y-field y --dst-crs EPSG:27700 --bbox 500000,200000,502000,202000 --resolution 100"
P="--before 2018-01..2018-06 --after 2018-07..2018-09"

$RTM change $EV $P --radius 300 --units km2 --iterations 999 --seed 3 --float64 \
  --units-layer "$T/units.geojson" --units-field sq -o "$T/c" "$T/ev.csv" > "$T/c.out" 2> "$T/c.err"
check "rtm change exits 0" "[ $? -eq 0 ]"
for f in difference ratio log_ratio significance p_adjusted count_difference units_sppt; do
  check "$f.tif and $f.qml written" "[ -s $T/c/$f.tif ] && [ -s $T/c/$f.qml ]"
done
check "places.csv, units.csv and the map written" \
  "[ -s $T/c/places.csv ] && [ -s $T/c/units.csv ] && [ -s $T/c/change.png ]"
check "the events of neither period are reported" "grep -q '30 events in neither period' $T/c.err"
check "the scaling per month is in the metadata" \
  "gdalinfo $T/c/difference.tif | grep -q 'SCALING=each period.s density divided by its number of months (6 before, 3 after)'"
check "the seed and iterations are in the metadata" \
  "gdalinfo $T/c/significance.tif | grep -q 'SEED=3' && gdalinfo $T/c/significance.tif | grep -q 'ITERATIONS=999'"
check "the difference is in events per km² per month" \
  "gdalinfo $T/c/difference.tif | grep -q 'Unit Type: events/km2/month'"

cat > "$T/ref.py" <<'PY'
import csv, math, struct, subprocess, sys
T = sys.argv[1]
def read(tif):
    raw = tif + ".raw"
    subprocess.run(["gdal_translate", "-q", "-ot", "Float64", "-of", "ENVI", tif, raw], check=True)
    b = open(raw, "rb").read()
    return struct.unpack("<%dd" % (len(b) // 8), b)
ev = [(float(r["x"]), float(r["y"]), r["Month"]) for r in csv.DictReader(open(T + "/ev.csv"))]
bef = [(x, y) for x, y, m in ev if "2018-01" <= m <= "2018-06"]
aft = [(x, y) for x, y, m in ev if "2018-07" <= m <= "2018-09"]
R = 300.0
def kde(pts, cx, cy):  # quartic, events per km2
    s = 0.0
    for x, y in pts:
        d2 = (cx - x) ** 2 + (cy - y) ** 2
        if d2 <= R * R:
            s += 3 / (math.pi * R * R) * (1 - d2 / (R * R)) ** 2
    return s * 1e6
diff = read(T + "/c/difference.tif"); ratio = read(T + "/c/ratio.tif")
cd = read(T + "/c/count_difference.tif")
md = mr = mc = 0.0
for i in range(20):
    for j in range(20):
        cx, cy = 500000 + 100 * j + 50, 202000 - 100 * i - 50
        b, a = kde(bef, cx, cy) / 6, kde(aft, cx, cy) / 3
        k = i * 20 + j
        md = max(md, abs(diff[k] - (a - b)) / max(1.0, abs(a - b)))
        if b > 1:
            mr = max(mr, abs(ratio[k] - a / b) / (a / b if a > 0 else 1))
        nb = sum(1 for x, y in bef if int((x - 500000) // 100) == j and int((202000 - y) // 100) == i)
        na = sum(1 for x, y in aft if int((x - 500000) // 100) == j and int((202000 - y) // 100) == i)
        mc = max(mc, abs(cd[k] - (na / 3 - nb / 6)))
print("%.3g %.3g %.3g" % (md, mr, mc))
# unit counts (1 km squares, SW SE NW NE)
def sq(x, y):
    return ("S" if y < 201000 else "N") + ("W" if x < 501000 else "E")
rows = {r["name"]: r for r in csv.DictReader(open(T + "/c/units.csv"))}
bad = 0
for name in ("SW", "SE", "NW", "NE"):
    nb = sum(1 for x, y in bef if sq(x, y) == name); na = sum(1 for x, y in aft if sq(x, y) == name)
    bad += float(rows[name]["count_before"]) != nb or float(rows[name]["count_after"]) != na
print(bad)
PY
python3 "$T/ref.py" "$T" > "$T/ref.out"
read md mr mc < "$T/ref.out"
check "difference = brute-force per-month KDE difference (max rel. error $md < 1e-9)" \
  "python3 -c 'import sys; sys.exit(not ($md < 1e-9))'"
check "ratio = brute-force ratio (max rel. error $mr < 1e-9)" \
  "python3 -c 'import sys; sys.exit(not ($mr < 1e-9))'"
check "count difference = counts per cell per month (max error $mc)" \
  "python3 -c 'import sys; sys.exit(not ($mc < 1e-9))'"
check "units.csv counts = the events in each square" "[ \"\$(sed -n 2p $T/ref.out)\" = 0 ]"
check "the new cluster is a significant rise" \
  "[ \"\$(gdallocationinfo -valonly -geoloc $T/c/significance.tif 501450 201450)\" = 1 ]"
check "the cluster's square has local S +1 (share rose)" \
  "[ \"\$(gdallocationinfo -valonly -geoloc $T/c/units_sppt.tif 501450 201450)\" = 1 ]"
check "the top increase in places.csv is at the cluster" \
  "sed -n 2p $T/c/places.csv | awk -F, '\$2 == \"increase\" && \$5 > 501200 && \$5 < 501700 && \$6 > 201200 && \$6 < 201700 { ok = 1 } END { exit !ok }'"
check "places.csv lists decreases too" "grep -q ',decrease,' $T/c/places.csv"

# identical bytes for 1 and 2 threads
$RTM change $EV $P --radius 300 --iterations 199 --threads 1 -q -o "$T/t1" "$T/ev.csv"
$RTM change $EV $P --radius 300 --iterations 199 --threads 2 -q -o "$T/t2" "$T/ev.csv"
same=1
for f in difference.tif ratio.tif significance.tif p_adjusted.tif places.csv change.png; do
  cmp -s "$T/t1/$f" "$T/t2/$f" || same=0
done
check "1 and 2 threads give identical files" "[ $same -eq 1 ]"

# two event sets: the after events from their own file
awk -F, 'NR == 1 || $3 <= "2018-06"' "$T/ev.csv" > "$T/before.csv"
awk -F, 'NR == 1 || ($3 >= "2018-07" && $3 <= "2018-09")' "$T/ev.csv" > "$T/after.csv"
$RTM change $EV $P --radius 300 --iterations 199 -q --after-events "$T/after.csv" \
  -o "$T/two" "$T/before.csv"
check "two event sets: exit 0" "[ $? -eq 0 ]"
gdal_translate -q -of ENVI "$T/t1/difference.tif" "$T/d1.raw"
gdal_translate -q -of ENVI "$T/two/difference.tif" "$T/d2.raw"
gdal_translate -q -of ENVI "$T/t1/significance.tif" "$T/s1.raw"
gdal_translate -q -of ENVI "$T/two/significance.tif" "$T/s2.raw"
check "two event sets give the values of two periods" "cmp -s $T/d1.raw $T/d2.raw && cmp -s $T/s1.raw $T/s2.raw"

# a job surface of type change gives the same values
cat > "$T/job.yaml" <<EOF
name: chg
study_area:
  file: $T/units.geojson
crs: EPSG:27700
cell_size: 100
offences:
  sources:
    - file: $T/ev.csv
      x_field: x
      y_field: y
      crs: EPSG:27700
      date_field: Month
surfaces:
  - type: change
    name: season
    before: 2018-01..2018-06
    after: 2018-07..2018-09
    radius: 300
    iterations: 199
output:
  dir: $T/jobout
  formats: [tif]
EOF
$RTM run -q "$T/job.yaml" > /dev/null 2> "$T/job.err"
check "a job with a change surface runs" "[ $? -eq 0 ] && [ -s $T/jobout/current/season/difference.tif ]"
gdal_translate -q -of ENVI "$T/jobout/current/season/significance.tif" "$T/s3.raw"
gdal_translate -q -of ENVI "$T/jobout/current/season/difference.tif" "$T/d3.raw"
check "the job's change surface equals the command's" "cmp -s $T/d1.raw $T/d3.raw && cmp -s $T/s1.raw $T/s3.raw"
sed 's/    radius: 300/    radius: 300\n    after_months: 0/' "$T/job.yaml" > "$T/bad.yaml"
$RTM run --check "$T/bad.yaml" > /dev/null 2> "$T/bad.err"
check "a bad change key value is reported" "[ $? -ne 0 ] && grep -q after_months $T/bad.err"

# errors
$RTM change $EV $P --radius 300 "$T/ev.csv" 2> /dev/null
check "no -o is a usage error (exit 2)" "[ $? -eq 2 ]"
$RTM change $EV --before 2018-01..2018-06 --after 2018-05..2018-09 -o "$T/x" "$T/ev.csv" 2> "$T/e1"
check "overlapping periods are a usage error" "[ $? -eq 2 ] && grep -q overlap $T/e1"
$RTM change $EV --before 2018-01..2018-06 --after 2019-01..2019-03 -o "$T/y" "$T/ev.csv" 2> "$T/e2"
check "a period without events is an error naming it" "[ $? -eq 1 ] && grep -q 'no event in the after period' $T/e2 && [ ! -e $T/y/difference.tif ]"
$RTM change $EV --before 2018-13..2018-06 --after 2018-07 -o "$T/z" "$T/ev.csv" 2> /dev/null
check "a bad month is a usage error" "[ $? -eq 2 ]"
finish
