#!/bin/sh
# CLI tests of `rtm model` on the Southend sample: the scripted form, the files
# it promises, GDAL/OGR reading them back, reproducibility, degenerate input.
RTM=${RTM_BIN:-build/rtm}
S=samples/essex
. tests/cli/harness.inc
EV=$S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
AREA=$S/boundaries/southend_on_sea_lad2011_bng.geojson
run() {
  $RTM model --study-area $AREA --dst-crs EPSG:27700 --resolution 100 --block 200 \
    --max-blocks 3 --increment whole --where "\"Crime type\" = 'Violence and sexual offences'" \
    --seed 42 --factor pubs=$S/risk/osm_pubs_essex_police_area.csv:both \
    --factor venues=$S/risk/fhrs_openpubs_venues_essex_police_area.csv:both \
    --factor stations=$S/risk/naptan_rail_stations_essex_police_area.csv:proximity \
    "$@" $EV
}
run -o "$T/m1" 2> "$T/err1"
check "contract form exits 0" "[ $? -eq 0 ]"
for f in model.json model.md rrs.tif rrs.png tiers.tif tiers.png cv.png priority_places.gpkg; do
  check "writes $f" "[ -s $T/m1/$f ]"
done
python3 - "$T/m1/model.json" <<'PY' > "$T/py" 2>&1
import json, math, sys
m = json.load(open(sys.argv[1]))
for k in ("cells", "events", "candidates", "kept_after_culling", "family", "bic", "aic", "intercept", "variables"):
    assert k in m, k
# 3 factors: pubs/venues both (6 vars each), stations proximity (3): 15 candidates
assert m["candidates"] == 15, m["candidates"]
assert m["variables"], "no variables"
for v in m["variables"]:
    for k in ("name", "operationalization", "distance", "coefficient", "se", "p", "rrv"):
        assert k in v, k
    assert abs(v["rrv"] - math.exp(v["coefficient"])) < 1e-9 * v["rrv"]
    assert v["coefficient"] > 0 and v["p"] <= 0.05
facs = [v["name"].split("_")[0] for v in m["variables"]]
assert len(facs) == len(set(facs)), "one variable per factor"
# max RRS = product of all RRVs when some cell has every selected variable
prod = 1
for v in m["variables"]:
    prod *= v["rrv"]
assert m["rrs_min"] >= 1 - 1e-12 and m["rrs_max"] <= prod * (1 + 1e-9)
assert abs(sum(t["area_share"] for t in m["tiers"]) - 1) < 1e-9
assert abs(sum(t["event_share"] for t in m["tiers"]) - 1) < 1e-9
assert m["culling"]["seed"] == 42
print("ok")
PY
check "model.json has the promised fields and consistent values" "grep -q '^ok' $T/py"
check "rrs.tif read by GDAL with EPSG:27700" "gdalinfo $T/m1/rrs.tif 2>/dev/null | grep -q 'ID\[\"EPSG\",27700\]'"
check "priority places read by OGR" "ogrinfo -so -al $T/m1/priority_places.gpkg 2>/dev/null | grep -q 'Feature Count'"
run -q -o "$T/m2" --threads 1
check "same seed, other thread count: identical model.json" "cmp -s $T/m1/model.json $T/m2/model.json"
check "identical rrs.tif" "cmp -s $T/m1/rrs.tif $T/m2/rrs.tif"
check "the default run back-tests (Jan-May: steps to test)" \
  "python3 -c \"import json,sys; b=json.load(open(sys.argv[1]))['backtest']; assert b['done'] and b['steps'] >= 1\" $T/m1/model.json"
run -q -o "$T/m4" --no-backtest
check "--no-backtest: same model and map" \
  "cmp -s $T/m1/rrs.tif $T/m4/rrs.tif && cmp -s $T/m1/tiers.tif $T/m4/tiers.tif"
check "--no-backtest: the reports say it was switched off" \
  "python3 -c \"import json,sys; b=json.load(open(sys.argv[1]))['backtest']; assert not b['done'] and b['why'].startswith('switched off')\" $T/m4/model.json && grep -q 'Not back-tested: switched off, so whether this map forecasts' $T/m4/model.md"

# degenerate input
printf 'name,lat,lon\n' > "$T/empty.csv"
$RTM model --study-area $AREA --dst-crs EPSG:27700 --resolution 100 --block 200 \
  --factor none=$T/empty.csv:proximity -q -o "$T/m3" $EV 2> "$T/e3"
check "factor with no features: exit 1 naming it" "[ $? -eq 1 ] && grep -q \"'none'\" $T/e3"
$RTM model --study-area $AREA --dst-crs EPSG:27700 --resolution 100 --block 200 \
  --where "\"Crime type\" = 'No such crime'" \
  --factor pubs=$S/risk/osm_pubs_essex_police_area.csv:proximity -q -o "$T/m4" $EV 2> "$T/e4"
check "no events: exit 1 with a message" "[ $? -eq 1 ] && grep -q 'no events' $T/e4"
$RTM model --dst-crs EPSG:27700 -o "$T/m5" $EV 2>/dev/null
check "no factors: usage error 2" "[ $? -eq 2 ]"
run -q -o "$T/m6" --tiers 0.5,1.5,3
python3 - "$T/m6/model.json" <<'PY' > "$T/py6" 2>&1
import json, sys
m = json.load(open(sys.argv[1]))
k = {"above average": 0.5, "moderately high": 1.5, "highest": 3}
for t in m["tiers"]:
    if t["name"] in k:
        assert abs(t["rrs_from"] - (m["rrs_mean"] + k[t["name"]] * m["rrs_sd"])) < 1e-9, t
print("ok")
PY
check "--tiers sets the tier thresholds at mean + k SD" "grep -q '^ok' $T/py6"
$RTM model --tiers 2,1,0 -o "$T/m7" $EV 2>/dev/null
check "--tiers must increase: usage error 2" "[ $? -eq 2 ]"
$RTM model --help | grep -q -- '--max-blocks'
check "model --help lists the contract options" "[ $? -eq 0 ]"

# an empty highest tier is said in words (report, log), never printed as nan
run -o "$T/m7" --tiers 0,1,50 2> "$T/e7"
check "empty highest tier: the log warns" "grep -q 'highest risk tier is empty' $T/e7"
check "empty highest tier: model.md says so and has no nan" \
  "grep -q 'highest tier is empty' $T/m7/model.md && ! grep -qiw nan $T/m7/model.md"
check "empty highest tier: model.json marks it empty" \
  "python3 -c 'import json,sys; t=[x for x in json.load(open(sys.argv[1]))[\"tiers\"] if x[\"name\"]==\"highest\"][0]; sys.exit(0 if t[\"empty\"] and t[\"cells\"]==0 else 1)' $T/m7/model.json"
finish
