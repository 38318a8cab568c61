# One pipeline: each analysis run as its command and as a one-surface job
# with the same settings must give the same set of files and the same bytes
# (GeoTIFFs, styles, maps, reports).
. "$(dirname "$0")/harness.inc"
RTM=${RTM_BIN:-build/rtm}
S=$(cd "$(dirname "$0")/../../samples/essex" && pwd)
EV=$S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
AREA=$S/boundaries/southend_on_sea_lad2011_bng.geojson
W="\"Crime type\" = 'Violence and sexual offences'"
mkdir -p "$T/cli" "$T/layers"

# a one-surface job in $T/<name>.yaml writing into $T/out-<name>
job() { # name, surface yaml (indented two spaces), extra offences lines
  extra=${3:-}
  cat > "$T/$1.yaml" <<EOF
name: $1
catalog: $T/layers
study_area:
  file: $AREA
crs: EPSG:27700
cell_size: 100
offences:
  sources:
    - file: $EV
      where: "\"Crime type\" = 'Violence and sexual offences'"
$extra
surfaces:
$2
output:
  dir: $T/out-$1
  formats: [tif, png, md, json]
EOF
  $RTM run -q "$T/$1.yaml" 2> "$T/$1.err"
}

# same files (names) and same bytes in two folders, for the listed files
same() { # label, cli dir, job dir, files...
  label=$1; a=$2; b=$3; shift 3; bad=""
  for f in "$@"; do cmp -s "$a/$f" "$b/$f" || bad="$bad $f"; done
  check "$label: byte-identical (differ:$bad)" "[ -z '$bad' ]"
}
files() { [ -d "$1" ] && (cd "$1" && find . -type f ! -name manifest.json ! -name report.html | sort); }
# same non-empty file set in two folders
sameset() { [ -n "$(files "$1")" ] && [ "$(files "$1")" = "$(files "$2")" ]; }

# --- kde
$RTM kde -q --dst-crs EPSG:27700 --study-area "$AREA" --resolution 100 --kernel quartic \
  --radius 500 --where "$W" --png "$T/cli/dens.png" -o "$T/cli/dens.tif" "$EV"
job dens "  - type: kde
    name: dens
    radius: 500"
J=$T/out-dens/current
check "kde job ran" "[ -f $J/dens.tif ]"
check "kde: same file set" "sameset $T/cli $J"
same kde "$T/cli" "$J" dens.tif dens.qml dens.png dens_map.png dens_map.pgw dens_map.png.aux.xml

# --- hot spots
rm -rf "$T/cli"; mkdir -p "$T/cli"
$RTM hotspots -q --dst-crs EPSG:27700 --study-area "$AREA" --resolution 100 --band 300 \
  --fdr --where "$W" --png "$T/cli/hot.png" --polygons "$T/cli/hot_hotspots.gpkg" \
  -o "$T/cli/hot.tif" "$EV" > /dev/null
job hot "  - type: hotspots
    name: hot
    band: 300
    fdr: true"
J=$T/out-hot/current
check "hotspots: same file set" "sameset $T/cli $J"
same hotspots "$T/cli" "$J" hot_z.tif hot_bins.tif hot_z.qml hot_bins.qml hot.png \
  hot_hotspots.gpkg

# --- distance (a catalogue layer in the job, the same file on the command line)
rm -rf "$T/cli"; mkdir -p "$T/cli"
cat > "$T/layers/stations.yaml" <<EOF
file: $S/risk/naptan_rail_stations_southend_on_sea.csv
x_field: Easting
y_field: Northing
crs: EPSG:27700
EOF
$RTM distance -q --dst-crs EPSG:27700 --study-area "$AREA" --resolution 100 \
  --x-field Easting --y-field Northing --src-crs EPSG:27700 \
  -o "$T/cli/dist.tif" "$S/risk/naptan_rail_stations_southend_on_sea.csv"
job dist "  - type: distance
    name: dist
    layer: stations"
J=$T/out-dist/current
same distance "$T/cli" "$J" dist.tif dist.qml

# --- Risk Terrain Model (the model's whole set in a folder named after it)
rm -rf "$T/cli"; mkdir -p "$T/cli"
cat > "$T/layers/pubs.yaml" <<EOF
file: $S/risk/osm_pubs_southend_on_sea.csv
EOF
cat > "$T/layers/venues.yaml" <<EOF
file: $S/risk/fhrs_openpubs_venues_southend_on_sea.csv
EOF
$RTM model -q --study-area "$AREA" --dst-crs EPSG:27700 --resolution 100 --block 200 \
  --max-blocks 3 --increment whole --seed 7 --where "$W" \
  --factor "pubs=$S/risk/osm_pubs_southend_on_sea.csv:both" \
  --factor "venues=$S/risk/fhrs_openpubs_venues_southend_on_sea.csv:proximity" \
  -o "$T/cli/risk" "$EV"
job risk "  - type: rtm
    name: risk
    block: 200
    max_blocks: 3
    increment: whole
    seed: 7
    factors:
      - layer: pubs
        operationalization: both
      - layer: venues
        operationalization: proximity"
J=$T/out-risk/current
check "rtm job ran ($(head -c 300 "$T/risk.err"))" "[ -f $J/risk/rrs.tif ]"
check "rtm: same file set (tiers.tif, cv.png, priority places included)" \
  "sameset $T/cli $J && [ -f $J/risk/tiers.tif ] && \
   [ -f $J/risk/cv.png ] && [ -f $J/risk/priority_places.gpkg ]"
same rtm "$T/cli/risk" "$J/risk" rrs.tif tiers.tif rrs.qml tiers.qml rrs.png tiers.png cv.png \
  priority_places.gpkg model.md model.json

# --- change between periods (its files in a folder named after it)
rm -rf "$T/cli"; mkdir -p "$T/cli"
$RTM change -q --dst-crs EPSG:27700 --study-area "$AREA" --resolution 100 --radius 500 \
  --where "$W" --before 2018-01..2018-03 --after 2018-04..2018-05 --iterations 99 \
  -o "$T/cli/chg" "$EV"
job chg "  - type: change
    name: chg
    before: 2018-01..2018-03
    after: 2018-04..2018-05
    radius: 500
    iterations: 99"
J=$T/out-chg/current
check "change job ran ($(head -c 300 "$T/chg.err"))" "[ -f $J/chg/difference.tif ]"
check "change: same file set" "sameset $T/cli $J"
same change "$T/cli/chg" "$J/chg" difference.tif ratio.tif log_ratio.tif significance.tif \
  p_adjusted.tif count_difference.tif difference.qml places.csv change.png

# --- evaluation: KDE baselines and prior counts of January-April, tested on May
rm -rf "$T/cli"; mkdir -p "$T/cli/ev"
$RTM evaluate -q -o "$T/cli/ev" --dst-crs EPSG:27700 --study-area "$AREA" --resolution 100 \
  --from 2018-05 --to 2018-05 --where "$W" --train-events "$EV" --train-from 2018-01 \
  --train-to 2018-04 --prior-counts --kde-bandwidths 200,400 "$EV" > /dev/null
job ev "  - type: evaluate
    name: ev
    kde_bandwidths: [200, 400]
    prior_counts: true
    test_from: 2018-05
    test_to: 2018-05" "      date_field: Month
  from: 2018-01
  to: 2018-04"
J=$T/out-ev/current
check "evaluate: same file set ($(head -c 300 "$T/ev.err"))" "sameset $T/cli $J"
same evaluate "$T/cli/ev" "$J/ev" metrics.csv metrics.md curves.csv concentration.csv \
  hitrate.png pai.png

# --- evaluation with coverages as areas and cells, bootstrap and a comparison
rm -rf "$T/cli"; mkdir -p "$T/cli/ev2"
$RTM evaluate -q -o "$T/cli/ev2" --dst-crs EPSG:27700 --study-area "$AREA" --resolution 100 \
  --from 2018-05 --to 2018-05 --where "$W" --train-events "$EV" --train-from 2018-01 \
  --train-to 2018-04 --prior-counts --kde-bandwidths 200 --coverages 1,0.5km2,100cells \
  --bootstrap 200 --seed 7 --compare kde200,prior "$EV" > /dev/null
job ev2 "  - type: evaluate
    name: ev2
    kde_bandwidths: [200]
    prior_counts: true
    coverages: [1, 0.5km2, 100cells]
    bootstrap: 200
    seed: 7
    compare: [\"kde200,prior\"]
    test_from: 2018-05
    test_to: 2018-05" "      date_field: Month
  from: 2018-01
  to: 2018-04"
J=$T/out-ev2/current
check "evaluate (bootstrap, compare, area coverages): same file set ($(head -c 300 "$T/ev2.err"))" "sameset $T/cli $J"
same "evaluate (bootstrap, compare)" "$T/cli/ev2" "$J/ev2" metrics.csv metrics.md newplaces.csv \
  uncertainty.csv compare.csv
# --- back-test with the forecast re-fitted at each step beside the prior counts
rm -rf "$T/cli"; mkdir -p "$T/cli/bt"
$RTM evaluate -q -o "$T/cli/bt" --dst-crs EPSG:27700 --study-area "$AREA" --resolution 100 \
  --where "$W" --backtest --months 2018-01..2018-05 --min-train 3 --refit-forecast \
  --coverages 1,5,20 "$EV" > /dev/null 2>&1
job bt "  - type: evaluate
    name: bt
    backtest: true
    min_train: 3
    refit_forecast: true
    coverages: [1, 5, 20]" "      date_field: Month
  from: 2018-01
  to: 2018-05"
J=$T/out-bt/current
check "evaluate back-test with refit_forecast: same file set ($(head -c 300 "$T/bt.err"))" "sameset $T/cli $J"
check "back-test has the forecast's line" 'grep -q ",forecast,1," "$J/bt/backtest.csv"'
same "evaluate back-test (refit_forecast)" "$T/cli/bt" "$J/bt" backtest.csv backtest.md
# --- forecast (its files in a folder named after it)
rm -rf "$T/cli"; mkdir -p "$T/cli"
$RTM forecast -q --dst-crs EPSG:27700 --study-area "$AREA" --resolution 100 --where "$W" \
  --seed 3 -o "$T/cli/fc" "$EV" > /dev/null
job fc "  - type: forecast
    name: fc
    seed: 3"
J=$T/out-fc/current
check "forecast: same file set ($(head -c 300 "$T/fc.err"))" "sameset $T/cli $J"
same forecast "$T/cli/fc" "$J/fc" forecast.tif forecast.qml forecast.png forecast.json forecast.md
# --- forecast with risk factors (catalogue layers in the job, --factor on the command line)
rm -rf "$T/cli"; mkdir -p "$T/cli"
$RTM forecast -q --dst-crs EPSG:27700 --study-area "$AREA" --resolution 100 --where "$W" \
  --factor "pubs=$S/risk/osm_pubs_southend_on_sea.csv:both" \
  --factor "venues=$S/risk/fhrs_openpubs_venues_southend_on_sea.csv:proximity" \
  --block 200 --max-blocks 2 -o "$T/cli/fcf" "$EV" > /dev/null
job fcf "  - type: forecast
    name: fcf
    block: 200
    max_blocks: 2
    factors:
      - layer: pubs
        operationalization: both
      - layer: venues
        operationalization: proximity"
J=$T/out-fcf/current
check "forecast with factors: same file set ($(head -c 300 "$T/fcf.err"))" "sameset $T/cli $J"
check "forecast with factors: factor terms considered" \
  'grep -q "pubs" "$J/fcf/forecast.json" && grep -q "venues" "$J/fcf/forecast.json"'
same "forecast with factors" "$T/cli/fcf" "$J/fcf" forecast.tif forecast.qml forecast.png \
  forecast.json forecast.md
# the same forecast with its factors' variables by 3 tiles (units), merged
job fcf3 "  - type: forecast
    name: fcf
    block: 200
    max_blocks: 2
    tiles: 3
    factors:
      - layer: pubs
        operationalization: both
      - layer: venues
        operationalization: proximity"
J=$T/out-fcf3/current
same "forecast with factors by 3 tiles" "$T/cli/fcf" "$J/fcf" forecast.tif forecast.qml \
  forecast.png forecast.json forecast.md
# --- patrol places: 10 squares of 150 m by count
rm -rf "$T/cli"; mkdir -p "$T/cli"
$RTM places -q --dst-crs EPSG:27700 --study-area "$AREA" --resolution 100 --where "$W" \
  --count 10 --size 150 --min-spacing 50 -o "$T/cli" "$EV" > /dev/null 2>&1
job places "  - type: places
    name: places
    count: 10
    size: 150
    min_spacing: 50"
J=$T/out-places/current
check "places: same file set ($(head -c 300 "$T/places.err"))" "sameset $T/cli $J"
same places "$T/cli" "$J" places.gpkg places.qml places.csv places.png places.html
finish
