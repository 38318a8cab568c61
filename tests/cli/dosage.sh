#!/bin/sh
# CLI tests of `rtm dosage` against the ping simulator's ground truth
# (tools/sim_pings.c: the minutes each device truly spent in each place,
# sampled every 0.1 s along the noise-free path, independently of the
# segment clipping), the simulator's own counts of bad rows, and itself
# (shuffled input, threads, CSV/GPX/GeoPackage, time forms), exit codes.
RTM=${RTM_BIN:-build/rtm}
SIM=${RTM_SIM:-build/sim_pings}
. tests/cli/harness.inc
[ -x "$SIM" ] || make --no-print-directory -s "$SIM" >/dev/null
COMMON="--id-field device --time-field time --src-crs EPSG:27700 --per-device"

# compare.py TRUTH DEVICES: "total_rel p90 max" of |measured - truth| per
# (place, day, device), minutes
cat > "$T/compare.py" <<'PY'
import csv, sys
t = {(r['place'], r['date'], r['device']): float(r['minutes'])
     for r in csv.DictReader(open(sys.argv[1]))}
m = {(r['place'], r['date'], r['device']): float(r['minutes'])
     for r in csv.DictReader(open(sys.argv[2]))}
keys = set(t) | set(m)
e = sorted(abs(t.get(k, 0) - m.get(k, 0)) for k in keys)
tt, mm = sum(t.values()), sum(m.values())
print("%.5f %.4f %.4f %d" % ((mm - tt) / tt, e[int(0.9 * len(e))], e[-1], len(keys)))
PY

# 1. Clean pings (every 5 s, no noise, no gaps or bad rows): only the
# first and last fix of a shift (up to 5 s after its start) and the 0.1 s
# sampling of the truth separate the two: every row within 0.2 min, the
# total within 0.1 %.
mkdir -p "$T/clean"
"$SIM" --make-places 16 --write-places "$T/places.geojson" --out "$T/clean" \
  --truth "$T/clean/truth.csv" --devices 12 --days 2 --seed 11 --noise 0 --refresh-min 5 \
  --refresh-max 5 --gap-rate 0 --dup-rate 0 --ooo-rate 0 --bad-rate 0 2>/dev/null
"$RTM" dosage -q --places "$T/places.geojson" $COMMON -o "$T/clean/out" "$T"/clean/pings_*.csv
set -- $(python3 "$T/compare.py" "$T/clean/truth.csv" "$T/clean/out/dosage_devices.csv")
echo "# clean: total rel $1, p90 $2 min, max $3 min over $4 rows"
check "clean pings: total within 0.1 % of the truth" "awk 'BEGIN{exit !($1 < 0.001 && $1 > -0.001)}'"
check "clean pings: every place-day-device within 0.2 min" "awk 'BEGIN{exit !($3 <= 0.2)}'"

# 2. Realistic pings: refresh 5-60 s per device, GPS noise 5 m, duplicates,
# out-of-order and bad rows (no track-breaking gaps). Straight lines between
# fixes up to 60 s apart cut the corners where a device stops or turns, so
# time in a place is underestimated by up to a refresh interval per visit
# (Crime Science 2021's refresh-rate lesson); noise moves each crossing by
# about noise / speed (5 m at 1.4 m/s: 4 s). Observed: -2 % to -3 % in total,
# 90 % of rows within 1.3 min. Tolerance: total within 5 %, 90 % of rows
# within 2 min.
mkdir -p "$T/real"
"$SIM" --places "$T/places.geojson" --out "$T/real" --truth "$T/real/truth.csv" \
  --devices 12 --days 2 --seed 12 --gap-rate 0 --ooo-rate 0.01 --dup-rate 0.01 \
  --bad-rate 0.005 2> "$T/real/sim.txt"
"$RTM" dosage -q --places "$T/places.geojson" $COMMON -o "$T/real/out" "$T"/real/pings_*.csv
set -- $(python3 "$T/compare.py" "$T/real/truth.csv" "$T/real/out/dosage_devices.csv")
echo "# realistic: total rel $1, p90 $2 min, max $3 min over $4 rows"
check "realistic pings: total within 5 % of the truth" "awk 'BEGIN{exit !($1 < 0.05 && $1 > -0.05)}'"
check "realistic pings: 90 % of rows within 2 min" "awk 'BEGIN{exit !($2 <= 2)}'"

# 3. Counts by reason equal the simulator's counts of what it wrote.
cat "$T/real/sim.txt"
for r in no_time no_position duplicate out_of_order; do
  want=$(sed -n "s/.* $r=\([0-9]*\).*/\1/p" "$T/real/sim.txt")
  got=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['by_reason'][sys.argv[2]]['count'])" \
    "$T/real/out/dosage.json" "$r")
  check "count of $r pings ($got) equals the simulator's ($want)" "[ '$got' = '$want' ] && [ '$want' -gt 0 ]"
done
check "examples name file, line and field" \
  "grep -q 'pings_2024-03-0[12].csv line [0-9]* field time' '$T/real/out/dosage.md'"

# 4. Order and thread independence: all rows of both days shuffled into one
# file, 1 thread, against the day files with 2 threads: identical bytes.
{ head -1 "$T/real/pings_2024-03-01.csv"; tail -q -n +2 "$T"/real/pings_*.csv | \
  awk 'BEGIN{srand(5)} {print rand() "\t" $0}' | sort -k1,1 | cut -f2-; } > "$T/real/shuffled.csv"
"$RTM" dosage -q --threads 1 --places "$T/places.geojson" $COMMON -o "$T/real/shuf" "$T/real/shuffled.csv"
"$RTM" dosage -q --threads 2 --places "$T/places.geojson" $COMMON -o "$T/real/out2" "$T"/real/pings_*.csv
for f in dosage.csv dosage_devices.csv dosage.tif dosage.png dosage_map.png; do
  check "shuffled input, 1 thread = day files, 2 threads: $f" "cmp -s '$T/real/shuf/$f' '$T/real/out2/$f'"
done
check "same as the first run" "cmp -s '$T/real/out/dosage.csv' '$T/real/out2/dosage.csv'"

# 5. The contract columns, one row per place and day, the raster's total.
check "dosage.csv starts place,date,minutes,visits,devices" \
  "head -1 '$T/real/out/dosage.csv' | grep -q '^place,date,minutes,visits,devices,'"
check "16 places x 2 days" "[ \$(tail -n +2 '$T/real/out/dosage.csv' | wc -l) -eq 32 ]"
check "device-minutes of dosage.csv = sum of dosage_devices.csv" "python3 - '$T/real/out' <<'PY'
import csv, sys
a = sum(float(r['minutes']) for r in csv.DictReader(open(sys.argv[1] + '/dosage.csv')))
b = sum(float(r['minutes']) for r in csv.DictReader(open(sys.argv[1] + '/dosage_devices.csv')))
sys.exit(abs(a - b) > 0.01)
PY"
gdal_translate -q -of XYZ "$T/real/out/dosage.tif" "$T/real/cells.xyz"
tracked=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['tracked_minutes'])" "$T/real/out/dosage.json")
check "raster holds every tracked minute (sum = $tracked)" \
  "awk -v t=$tracked '{s += \$3} END {exit !(s - t < 0.01 && t - s < 0.01)}' '$T/real/cells.xyz'"
check "raster units stated" "gdalinfo '$T/real/out/dosage.tif' | grep -q 'minutes of patrol presence per cell'"
check "dosage.png map written" "[ -s '$T/real/out/dosage.png' ] && [ -s '$T/real/out/dosage_map.pgw' ]"

# 6. The same pings as longitude/latitude CSV, GPX track points and a
# GeoPackage with a DATETIME field; and as naive dd/mm/yyyy times read in UTC.
mkdir -p "$T/fmt"
"$SIM" --places "$T/places.geojson" --out "$T/fmt" --devices 4 --days 1 --seed 13 --wgs84 \
  --bad-rate 0 2>/dev/null
python3 - "$T/fmt/pings_2024-03-01.csv" "$T/fmt/p.gpx" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], 'w') as f:
    f.write('<?xml version="1.0"?>\n<gpx version="1.1" creator="test" '
            'xmlns="http://www.topografix.com/GPX/1/1">\n')
    for dev in sorted(set(r['device'] for r in rows)):
        f.write('<trk><name>%s</name><trkseg>\n' % dev)
        for r in rows:
            if r['device'] == dev:
                f.write('<trkpt lat="%s" lon="%s"><time>%s</time><name>%s</name></trkpt>\n'
                        % (r['lat'], r['lon'], r['time'], dev))
        f.write('</trkseg></trk>\n')
    f.write('</gpx>\n')
PY
ogr2ogr -f GPKG "$T/fmt/p.gpkg" "$T/fmt/pings_2024-03-01.csv" -oo X_POSSIBLE_NAMES=lon \
  -oo Y_POSSIBLE_NAMES=lat -oo AUTODETECT_TYPE=YES -a_srs EPSG:4326 -nln pings
OPT="--places $T/places.geojson --time-field time"
"$RTM" dosage -q $OPT --id-field device -o "$T/fmt/csv" "$T/fmt/pings_2024-03-01.csv"
"$RTM" dosage -q $OPT --id-field name -o "$T/fmt/gpx" "$T/fmt/p.gpx"
"$RTM" dosage -q $OPT --id-field device -o "$T/fmt/gpkg" "$T/fmt/p.gpkg"
check "GPX track points give the CSV's dosage" "cmp -s '$T/fmt/csv/dosage.csv' '$T/fmt/gpx/dosage.csv'"
check "GeoPackage DATETIME gives the CSV's dosage" "cmp -s '$T/fmt/csv/dosage.csv' '$T/fmt/gpkg/dosage.csv'"
awk -F, 'NR == 1 {print; next} {split($2, a, /[-T:Z]/);
  printf "%s,%s/%s/%s %s:%s:%s,%s,%s\n", $1, a[3], a[2], a[1], a[4], a[5], a[6], $3, $4}' \
  "$T/fmt/pings_2024-03-01.csv" > "$T/fmt/dmy.csv"
"$RTM" dosage -q $OPT --id-field device -o "$T/fmt/dmy" "$T/fmt/dmy.csv"
check "dd/mm/yyyy hh:mm:ss without a zone (UTC) = ISO 8601 with Z" \
  "cmp -s '$T/fmt/csv/dosage.csv' '$T/fmt/dmy/dosage.csv'"
"$RTM" dosage -q $OPT --id-field device --tz +01:00 -o "$T/fmt/tz" "$T/fmt/dmy.csv"
check "the same naive times read at +01:00 move the visits an hour earlier" \
  "grep -q 'T0[0-9]:\|T1[0-9]:' '$T/fmt/tz/dosage.csv' && ! cmp -s '$T/fmt/csv/dosage.csv' '$T/fmt/tz/dosage.csv'"

# 7. Shifts: one row per place, day and shift; the 00:00-24:00 shift is the day.
"$RTM" dosage -q --places "$T/places.geojson" $COMMON --shift 00:00-24:00 --shift 18:00-02:00 \
  -o "$T/real/shift" "$T"/real/pings_*.csv
check "dosage_shifts.csv: 16 places x 2 days x 2 shifts" \
  "[ \$(tail -n +2 '$T/real/shift/dosage_shifts.csv' | wc -l) -eq 64 ]"
check "the whole-day shift equals the day" "[ \"\$(grep ',00:00-24:00,' '$T/real/shift/dosage_shifts.csv' | cut -d, -f1,2,4- | md5sum)\" = \"\$(tail -n +2 '$T/real/out/dosage.csv' | md5sum)\" ]"

# 8. The same analysis as a job surface (`rtm run`): the same bytes.
S=$(cd "$(dirname "$0")/../../samples/essex" && pwd)
cat > "$T/job.yaml" <<EOF
name: patrol
study_area:
  file: $S/boundaries/southend_on_sea_lad2011_bng.geojson
crs: EPSG:27700
cell_size: 100
offences:
  sources:
    - file: $S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
surfaces:
  - type: dosage
    name: dose
    places: $T/places.geojson
    pings: $T/real/pings_*.csv
    id_field: device
    time_field: time
    src_crs: EPSG:27700
    per_device: true
    shifts: [18:00-02:00]
output:
  dir: $T/out-job
  formats: [tif, md, json]
EOF
"$RTM" dosage -q --places "$T/places.geojson" $COMMON --shift 18:00-02:00 -o "$T/real/cli" \
  "$T"/real/pings_*.csv
"$RTM" run -q "$T/job.yaml" 2> "$T/job.err" || cat "$T/job.err"
for f in dosage.csv dosage_shifts.csv dosage_devices.csv dosage.tif dosage.qml dosage.md dosage.json dosage.png dosage_map.png dosage_map.pgw dosage_map.png.aux.xml; do
  check "job surface 'dosage' = rtm dosage: $f" "cmp -s '$T/real/cli/$f' '$T/out-job/current/dose/$f'"
done

# 8b. --check opens the pings and places a dosage surface names: a wrong
# field is an invalid job (exit 2, as every --check problem), named with its
# line; places without a `place` field are a warning (labels are FIDs).
"$RTM" run --check "$T/job.yaml" 2> "$T/check.err"
check "--check: the dosage job is valid" "[ $? -eq 0 ]"
sed 's/id_field: device/id_field: devise/; s/time_field: time/time_field: tiem/' "$T/job.yaml" > "$T/badf.yaml"
"$RTM" run --check "$T/badf.yaml" 2> "$T/badf.err"
check "--check: wrong pings fields: exit 2" "[ $? -eq 2 ]"
check "--check names the id field with its line" \
  "grep -q \"badf.yaml:[0-9]*:[0-9]*: .*has no field 'devise'\" '$T/badf.err'"
check "--check names the time field" "grep -q \"has no field 'tiem'\" '$T/badf.err'"
sed 's/time_field: time/time_field: time\n    x_field: eastng/' "$T/job.yaml" > "$T/badx.yaml"
"$RTM" run --check "$T/badx.yaml" 2> "$T/badx.err"
check "--check names a wrong x field" "[ $? -eq 2 ] && grep -q \"has no field 'eastng'\" '$T/badx.err'"
python3 - "$T/places.geojson" "$T/noplace.geojson" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["features"]:
    f["properties"] = {"label": f["properties"].get("place")}
json.dump(d, open(sys.argv[2], "w"))
PY
sed "s|places: .*|places: $T/noplace.geojson|" "$T/job.yaml" > "$T/nop.yaml"
"$RTM" run --check "$T/nop.yaml" 2> "$T/nop.err"
check "--check: places without a 'place' field: valid with a warning" \
  "[ $? -eq 0 ] && grep -q \"has no field 'place'\" '$T/nop.err'"

# 9. Exit codes.
"$RTM" dosage --places "$T/places.geojson" -o "$T/x" "$T/fmt/dmy.csv" 2>/dev/null
check "missing --id-field: exit 2" "[ $? -eq 2 ]"
"$RTM" dosage -q $OPT --id-field nope -o "$T/x" "$T/fmt/dmy.csv" 2>/dev/null
check "unknown field: exit 1" "[ $? -eq 1 ]"
printf 'device,time,lon,lat\na,,0.7,51.5\n' > "$T/empty.csv"
"$RTM" dosage -q $OPT --id-field device -o "$T/x" "$T/empty.csv" 2> "$T/err.txt"
check "no usable ping: exit 1 with a message" "[ $? -eq 1 ] && grep -q 'no usable ping' '$T/err.txt'"
check "nothing left behind on failure" "[ ! -e '$T/x' ]"
finish
