# Hour-of-week windows read the dates in every form the loader reads: a
# force's dd/mm/yyyy dates with a separate time column. 2 March 2018 was a
# Friday: of the five offences below exactly two fall in Friday 20:00-24:00.
RTM=${RTM_BIN:-build/rtm}
. "$(dirname "$0")/harness.inc"
S=$(cd "$(dirname "$0")/../../samples/essex" && pwd)
printf 'x,y,Date,Time\n588000,186000,02/03/2018,21:15\n588100,186100,02/03/2018,23:59\n588200,186200,02/03/2018,10:00\n588300,186300,03/03/2018,21:15\n588400,186400,09/03/2018,19:59\n' > "$T/events.csv"
cat > "$T/job.yaml" <<EOF
name: hours
study_area:
  file: $S/boundaries/southend_on_sea_lad2011_bng.geojson
crs: EPSG:27700
cell_size: 500
offences:
  sources:
    - file: $T/events.csv
      x_field: x
      y_field: y
      crs: EPSG:27700
      date_field: Date
      time_field: Time
  hours:
    - fri 20:00-24:00
surfaces:
  - type: kde
    radius: 800
output:
  dir: $T/out
  formats: [tif]
EOF
$RTM run -q --run-date 2018-06-01 "$T/job.yaml" 2> "$T/err"
check "the run exits 0 ($(head -c 200 "$T/err"))" "[ $? -eq 0 ]"
check "exactly the two Friday-evening offences are used" \
  "python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); sys.exit(0 if m[\"counts\"][\"offences.used\"]==2 else 1)' $T/out/current/manifest.json"
finish
