#!/bin/sh
# CLI tests of `rtm repeats`: the ranking, counts, active months, gaps and
# concentration (top shares, Gini) against a direct computation in python3
# on constructed events; keying by a UPRN field; the police.uk snap-point
# statement; GeoPackage and map; a job surface of type repeats (and knox)
# giving the same files as the commands.
RTM=${RTM_BIN:-build/rtm}
. tests/cli/harness.inc

# 80 places; place k has a known number of events (1..12) on known days
python3 - > "$T/ev.csv" <<'PY'
import random, datetime
random.seed(11)
print("x,y,Date,Time,Location,UPRN")
for k in range(80):
    n = 1 + (k * 7) % 12
    x, y = 500000 + 100 * (k % 10) + 5, 200000 + 100 * (k // 10) + 5
    for i in range(n):
        d = datetime.date(2023, 1, 1) + datetime.timedelta(days=random.randrange(700))
        # two UPRNs share each coordinate pair when k is even (flats at one point)
        u = 100000 + k * 2 + (i % 2 if k % 2 == 0 else 0)
        print("%d,%d,%s,%02d:%02d,On or near Place %d,%d" % (x, y, d.isoformat(), random.randrange(24), random.randrange(60), k, u))
PY
EV="--src-crs EPSG:27700 --dst-crs EPSG:27700 --x-field x --y-field y --date-field Date"
$RTM repeats $EV --time-field Time -o "$T/r" "$T/ev.csv" > "$T/out" 2> "$T/err"
check "repeats exits 0" "[ $? -eq 0 ]"
for f in repeats.csv repeats.gpkg repeats.png repeats.md repeats_dayhour.csv repeats_dayhour.png; do
  check "wrote $f" "[ -s '$T/r/$f' ]"
done
cat > "$T/ref.py" <<'PY'
import csv, datetime, statistics, sys
ev = list(csv.DictReader(open(sys.argv[1])))
key = sys.argv[3]
loc = {}
for r in ev:
    k = (r["x"], r["y"]) if key == "xy" else r[key]
    loc.setdefault(k, []).append(datetime.date.fromisoformat(r["Date"]))
counts = sorted((len(v) for v in loc.values()), reverse=True)
out = list(csv.DictReader(open(sys.argv[2])))
bad = 0
if [int(r["events"]) for r in out] != counts: bad += 1; print("counts", file=sys.stderr)
for r in out:
    k = (r["x"].split(".")[0], r["y"].split(".")[0]) if key == "xy" else None
    if key == "xy":
        ds = sorted(loc[k])
        if r["first_date"] != ds[0].isoformat() or r["last_date"] != ds[-1].isoformat(): bad += 1
        months = sorted({d.strftime("%Y-%m") for d in ds})
        if r["periods"] != ";".join(months) or int(r["months_active"]) != len(months): bad += 1
        if len(ds) > 1:
            gaps = [(b - a).days for a, b in zip(ds, ds[1:])]
            if abs(float(r["median_gap"]) - statistics.median(gaps)) > 1e-9: bad += 1
            if abs(float(r["mean_gap"]) - statistics.mean(gaps)) > 1e-6: bad += 1
            if r["gap_unit"] != "days": bad += 1
# Gini, population form
n = len(counts); tot = sum(counts)
asc = sorted(counts)
g = sum((2 * (i + 1) - n - 1) * x for i, x in enumerate(asc)) / (n * tot)
print(bad, "%.3f" % g)
PY
res=$(python3 "$T/ref.py" "$T/ev.csv" "$T/r/repeats.csv" xy)
check "ranking, dates, months, gaps match a direct count" "[ '${res% *}' = 0 ]"
check "Gini matches the direct formula (${res#* })" "grep -q 'Gini ${res#* }' '$T/out'"
check "report says police.uk snap points are not homes" \
  "grep -q 'police.uk snap points, not homes' '$T/r/repeats.md'"
check "kind named in the CSV" "sed -n 2p '$T/r/repeats.csv' | grep -q 'police.uk snap points'"
check "GeoPackage has one point per location" \
  "[ \"\$(ogrinfo -ro -so '$T/r/repeats.gpkg' repeats | sed -n 's/^Feature Count: //p')\" = 80 ]"

$RTM repeats -q $EV --key-field UPRN -o "$T/u" "$T/ev.csv" 2>/dev/null
res=$(python3 "$T/ref.py" "$T/ev.csv" "$T/u/repeats.csv" UPRN)
check "--key-field: locations are the field's values" "[ '${res% *}' = 0 ]"
check "--key-field: kind names the field" "sed -n 2p '$T/u/repeats.csv' | grep -q 'field UPRN'"
check "--key-field: no snap-point statement" "! grep -q 'snap points, not homes' '$T/u/repeats.md'"

# a job with repeats and knox surfaces gives the commands' files
cat > "$T/area.geojson" <<'JS'
{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:27700"}},
 "features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
 "coordinates": [[[499000, 199000], [502000, 199000], [502000, 202000], [499000, 202000], [499000, 199000]]]}}]}
JS
cat > "$T/job.yaml" <<YAML
name: rep
study_area:
  file: $T/area.geojson
crs: EPSG:27700
cell_size: 100
offences:
  sources:
    - file: $T/ev.csv
      x_field: x
      y_field: y
      crs: EPSG:27700
      date_field: Date
      time_field: Time
surfaces:
  - type: repeats
    name: rep
  - type: knox
    name: nr
    distance_bands: [0, 100, 200, 400]
    time_bands: [0, 7, 14, 28]
    iterations: 99
    seed: 5
output:
  dir: $T/jobout
  formats: [tif, png, html]
YAML
$RTM run -q "$T/job.yaml" > /dev/null 2> "$T/job.err"
check "a job with repeats and knox surfaces runs" "[ $? -eq 0 ] && [ -s $T/jobout/current/rep/repeats.csv ]"
$RTM knox -q $EV --distance-bands 0,100,200,400 --time-bands 0,7,14,28 --iterations 99 \
  --seed 5 -o "$T/k" "$T/ev.csv" 2>/dev/null
check "the run report shows the day x hour table" "grep -q 'id=\"dayhour\"' $T/jobout/current/report.html"
check "the job's knox.csv equals the command's" "cmp -s $T/k/knox.csv $T/jobout/current/nr/knox.csv"
check "the job's repeats.csv has the command's ranking (x, y, events, dates)" \
  "[ \"\$(cut -d, -f4-13 $T/r/repeats.csv)\" = \"\$(cut -d, -f4-13 $T/jobout/current/rep/repeats.csv)\" ]"
sed 's/    seed: 5/    seed: 5\n    time_bands: [0, 7.5]/' "$T/job.yaml" > "$T/bad.yaml"
$RTM run --check "$T/bad.yaml" > /dev/null 2> "$T/bad.err"
check "a bad knox key value is reported" "[ $? -ne 0 ] && grep -q time_bands $T/bad.err"
finish
