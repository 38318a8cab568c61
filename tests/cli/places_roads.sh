#!/bin/sh
# CLI tests of `rtm places --roads`: street-segment places on a constructed
# OSM-like network (tests/data/roads). Checked against an independent
# reference in Python: the roads cut again into pieces of at most --segment,
# each place matched to its piece by its centre, the events within size/2 of
# the piece counted by exact point-to-segment distance; buffers apart by at
# least --min-spacing; area = length x width + pi (width/2)^2; the road's
# name first; the GeoPackage geometry's area close to that (a 65-point
# outline); thread-count identity; a --roads-where filter.
RTM=${RTM_BIN:-build/rtm}
D=tests/data/roads
. tests/cli/harness.inc

run() {
  "$RTM" places -q --count 6 --size 50 --min-spacing 20 --segment 60 --src-crs EPSG:27700 \
    --roads $D/streets.geojson "$@" $D/events.csv
}
run -o "$T/a" 2> "$T/a.err"
check "places --roads runs" "[ $? -eq 0 ] && [ -s $T/a/places.gpkg ] && [ -s $T/a/places.csv ]"

check "counts, areas, spacing and names against brute force" "python3 - $D $T/a > $T/py.out <<'PY'
import csv, json, math, sys
d, out = sys.argv[1], sys.argv[2]
size, seg, sp = 50.0, 60.0, 20.0
r = size / 2
roads = json.load(open(d + '/streets.geojson'))['features']
pieces = []
for f in roads:
    c = f['geometry']['coordinates']
    for (ax, ay), (bx, by) in zip(c, c[1:]):
        L = math.hypot(bx - ax, by - ay); m = math.ceil(L / seg)
        for k in range(m):
            pieces.append((ax + k / m * (bx - ax), ay + k / m * (by - ay),
                           ax + (k + 1) / m * (bx - ax), ay + (k + 1) / m * (by - ay),
                           f['properties'].get('name', '')))
def pd(px, py, s):
    ax, ay, bx, by = s[:4]; dx, dy = bx - ax, by - ay
    t = max(0, min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)
def sd(a, b):  # segments here never cross unless they share a point: endpoints suffice
    return min(pd(a[0], a[1], b), pd(a[2], a[3], b), pd(b[0], b[1], a), pd(b[2], b[3], a))
ev = [(float(x['Easting']), float(x['Northing'])) for x in csv.DictReader(open(d + '/events.csv'))]
rows = list(csv.DictReader(open(out + '/places.csv')))
assert len(rows) == 6, len(rows)
segs = []
for row in rows:
    cx, cy = float(row['centre_x']), float(row['centre_y'])
    s = min(pieces, key=lambda p: math.hypot((p[0] + p[2]) / 2 - cx, (p[1] + p[3]) / 2 - cy))
    assert math.hypot((s[0] + s[2]) / 2 - cx, (s[1] + s[3]) / 2 - cy) < 1e-3
    segs.append(s)
taken = set()
for row, s in zip(rows, segs):
    n = 0
    for i, (x, y) in enumerate(ev):
        if i not in taken and pd(x, y, s) <= r:
            n += 1; taken.add(i)
    assert int(row['events']) == n, (row['place'], row['events'], n)
    L = math.hypot(s[2] - s[0], s[3] - s[1])
    assert abs(float(row['area_m2']) - (L * size + math.pi * r * r)) < 1e-6 * float(row['area_m2'])
    if s[4]:
        assert row['name'].startswith(s[4]), (row['name'], s[4])
best = max(sum(pd(x, y, p) <= r for x, y in ev) for p in pieces)
assert int(rows[0]['measure']) == best, (rows[0]['measure'], best)
for a in range(6):
    for b in range(a + 1, 6):
        assert sd(segs[a], segs[b]) >= size + sp - 1e-9, (a, b, sd(segs[a], segs[b]))
print('ok', best)
PY"
cat "$T/py.out"

if command -v ogrinfo > /dev/null; then
  ogrinfo -ro -q "$T/a/places.gpkg" -sql "SELECT place, area_m2, ST_Area(geom) AS ga FROM places" > "$T/area.txt" 2>&1
  check "GeoPackage outlines: polygon area within 0.5 % of the exact buffer area" "python3 - $T/area.txt <<'PY'
import re, sys
t = open(sys.argv[1]).read()
a = [float(x) for x in re.findall(r'area_m2 \(Real\) = ([0-9.e+-]+)', t)]
g = [float(x) for x in re.findall(r'ga \(Real\) = ([0-9.e+-]+)', t)]
sys.exit(not (len(a) == 6 == len(g) and all(abs(x - y) / x < 0.005 for x, y in zip(a, g))))
PY"
fi

run --threads 1 -o "$T/b" 2> /dev/null
run --threads 2 -o "$T/c" 2> /dev/null
check "1 and 2 threads: same bytes" "cmp -s $T/b/places.gpkg $T/c/places.gpkg && cmp -s $T/b/places.csv $T/c/places.csv && cmp -s $T/b/places.png $T/c/places.png && cmp -s $T/b/places.html $T/c/places.html"

run --roads-where "highway <> 'service'" -o "$T/w" 2> /dev/null
check "--roads-where: the unnamed service road is left out" \
  "[ \$(tail -n +2 $T/w/places.csv | wc -l) -eq 6 ] && ! cut -d, -f3 $T/w/places.csv | grep -q '^On or near'"
run --roads-name-field nope -o "$T/x" 2> "$T/x.err"
check "unknown --roads-name-field: exit 1 naming the field" "[ $? -eq 1 ] && grep -q nope $T/x.err"
# The same as a job surface (`roads` keys): the same bytes as the command
# with the same study area and grid; --check catches a wrong road name field.
python3 - "$T/area.geojson" <<'PY'
import json, sys
x0, y0 = 588000, 185500
ring = [[x0 - 200, y0 - 450], [x0 + 900, y0 - 450], [x0 + 900, y0 + 550], [x0 - 200, y0 + 550], [x0 - 200, y0 - 450]]
json.dump({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
           "features": [{"type": "Feature", "properties": {"name": "test"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]},
          open(sys.argv[1], "w"))
PY
R=$(cd $D && pwd)
cat > "$T/job.yaml" <<EOF2
name: streets
study_area:
  file: $T/area.geojson
crs: EPSG:27700
cell_size: 10
offences:
  sources:
    - file: $R/events.csv
      crs: EPSG:27700
surfaces:
  - type: places
    name: places
    count: 6
    size: 50
    min_spacing: 20
    roads: $R/streets.geojson
    segment: 60
output:
  dir: $T/out-job
EOF2
"$RTM" run -q "$T/job.yaml" 2> "$T/job.err" || cat "$T/job.err"
"$RTM" places -q --count 6 --size 50 --min-spacing 20 --segment 60 --src-crs EPSG:27700 \
  --dst-crs EPSG:27700 --study-area "$T/area.geojson" --resolution 10 \
  --roads $D/streets.geojson -o "$T/cli" $D/events.csv 2> "$T/cli.err" || cat "$T/cli.err"
for f in places.gpkg places.csv places.png places.html; do
  check "job surface places with roads = rtm places --roads: $f" "cmp -s $T/cli/$f $T/out-job/current/$f"
done
sed 's/    segment: 60/    segment: 60\n    roads_name_field: nmae/' "$T/job.yaml" > "$T/badroads.yaml"
"$RTM" run --check "$T/badroads.yaml" 2> "$T/badroads.err"
check "--check: a wrong roads_name_field is named" "[ $? -eq 2 ] && grep -q \"has no field 'nmae'\" $T/badroads.err"
finish
