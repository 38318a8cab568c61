#!/bin/sh
# CLI tests of `rtm forecast` on the bundled Southend sample (police.uk,
# violence): train January-March 2018, forecast April, and score the map
# with `rtm evaluate` against April-May 2018 next to the baselines it must
# beat (prior counts, quartic KDE 200/400/800 m) at 1, 5 and 20 % of the
# area; the files, their units, identity for 1 and 2 threads, errors.
RTM=${RTM_BIN:-build/rtm}
. tests/cli/harness.inc

S=samples/essex/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
A=samples/essex/boundaries/southend_on_sea_lad2011_bng.geojson
W="\"Crime type\" = 'Violence and sexual offences'"
G="--dst-crs EPSG:27700 --study-area $A --resolution 100"

$RTM forecast -q $G --where "$W" --train-to 2018-03 --threads 1 -o "$T/f1" "$S" 2>"$T/err1"
check "forecast exits 0" '[ $? -eq 0 ]'
for f in forecast.tif forecast.qml forecast.png forecast.json forecast.md; do
    check "wrote $f" '[ -s "$T/f1/$f" ]'
done
check "json: training window and forecast month" \
    'grep -q "\"train_to\": \"2018-03\"" "$T/f1/forecast.json" &&
     grep -q "\"forecast_from\": \"2018-04\"" "$T/f1/forecast.json"'
check "tif states its units" \
    'gdalinfo "$T/f1/forecast.tif" 2>/dev/null | grep -q "expected events per cell in 2018-04"'
check "md names the back-test baselines" \
    'grep -q "| prior |" "$T/f1/forecast.md" && grep -q "| kde800 |" "$T/f1/forecast.md"'

$RTM forecast -q $G --where "$W" --train-to 2018-03 --threads 2 -o "$T/f2" "$S" 2>/dev/null
check "1 and 2 threads give the same bytes" \
    'cmp -s "$T/f1/forecast.tif" "$T/f2/forecast.tif" &&
     cmp -s "$T/f1/forecast.json" "$T/f2/forecast.json"'

# months it has not seen: April and May, scored by rtm evaluate (ties pro rata)
$RTM evaluate -q --dst-crs EPSG:27700 --study-area $A --where "$W" --kde-bandwidths 200,400,800 --prior-counts \
    --train-events "$S" --train-to 2018-03 --from 2018-04 --to 2018-05 \
    --coverages 1,5,20 -o "$T/ev" forecast="$T/f1/forecast.tif" "$S" 2>"$T/everr"
check "evaluate exits 0" '[ $? -eq 0 ]'
python3 - "$T/ev/metrics.csv" > "$T/beats" <<'PY'
import csv, sys
pai = {}
for r in csv.DictReader(open(sys.argv[1])):
    pai.setdefault(r["surface"], []).append(float(r["pai"]))
f = pai.pop("forecast")
best = [max(v[k] for v in pai.values()) for k in range(3)]
print("forecast", f, "best baseline", best)
print("BEATS" if all(a >= b for a, b in zip(f, best)) and len(pai) == 4 else "LOSES")
PY
cat "$T/beats"
check "forecast PAI at 1/5/20 % >= best of prior counts and KDE 200/400/800" \
    'grep -q BEATS "$T/beats"'

# the forecast as a back-test refit: each step of `rtm evaluate --backtest
# --refit-forecast` re-fits it on the step's training months, so the step
# testing May equals `rtm forecast --train-to 2018-04` scored on May
$RTM evaluate -q $G --where "$W" --backtest --months 2018-01..2018-05 --refit-forecast \
    --kde-bandwidths 400 --coverages 1,5,20 -o "$T/bt" "$S" 2>"$T/bterr"
check "evaluate --backtest --refit-forecast exits 0" '[ $? -eq 0 ]'
check "back-test has forecast, prior and kde400 lines" \
    'grep -q ",forecast,1," "$T/bt/backtest.csv" && grep -q ",prior,1," "$T/bt/backtest.csv" &&
     grep -q ",kde400,1," "$T/bt/backtest.csv"'
$RTM forecast -q $G --where "$W" --train-to 2018-04 -o "$T/f5" "$S" 2>/dev/null
$RTM evaluate -q --dst-crs EPSG:27700 --study-area $A --where "$W" --from 2018-05 --to 2018-05 \
    --coverages 1,5,20 -o "$T/ev5" forecast="$T/f5/forecast.tif" "$S" 2>/dev/null
python3 - "$T/bt/backtest.csv" "$T/ev5/metrics.csv" > "$T/same" <<'PY'
import csv, sys
bt = [r for r in csv.DictReader(open(sys.argv[1]))
      if r["surface"] == "forecast" and r["test_month"] == "2018-05"]
ev = [r for r in csv.DictReader(open(sys.argv[2])) if r["surface"] == "forecast"]
ok = len(bt) == 3 and len(ev) == 3
for a, b in zip(bt, ev):
    for k in ("events", "hit_rate", "pai", "pei", "auc"):
        x, y = float(a[k]), float(b[k])
        print(a["coverage_pct"], k, x, y)
        ok = ok and abs(x - y) <= 1e-9 * max(1.0, abs(y))
print("SAME" if ok else "DIFFER")
PY
cat "$T/same"
check "back-test step = rtm forecast --train-to 2018-04 + rtm evaluate on May (1e-9)" \
    'grep -q SAME "$T/same"'

$RTM evaluate $G --where "$W" --backtest --months 2018-01..2018-03 --refit-forecast \
    --coverages 1 -o "$T/bt2" "$S" > /dev/null 2>"$T/bt2err"
check "a step with fewer than 3 training months: a warning says the forecast ranks nothing" \
    'grep -q "forecast could not be fitted on 2 training windows" "$T/bt2err"'
$RTM evaluate -q $G --where "$W" --refit-forecast -o "$T/bt4" "$S" 2>/dev/null
check "--refit-forecast without --backtest or --train-events is a usage error (exit 2)" '[ $? -eq 2 ]'

# the nightly report says which map forecasts: the forecast's row carries its
# own rolling-origin back-test (forecast.json's mean PAI at 1/5/20 %), and
# forecast.md shows that back-test
cat > "$T/job.yaml" <<EOF
name: fcr
study_area:
  file: $PWD/$A
crs: EPSG:27700
cell_size: 100
offences:
  sources:
    - file: $PWD/$S
      date_field: Month
      where: "\"Crime type\" = 'Violence and sexual offences'"
  from: 2018-01
  to: 2018-05
surfaces:
  - type: forecast
    name: fc
  - type: kde
    name: density
    radius: 300
output:
  dir: $T/out-job
  formats: [tif, png, html]
EOF
$RTM run -q "$T/job.yaml" > "$T/job.out" 2>&1
check "job with a forecast surface and a report exits 0" "[ $? -eq 0 ] || { cat $T/job.out; false; }"
python3 - "$T/out-job/current" > "$T/rep.out" 2>&1 <<'PY'
import json, re, sys
D = sys.argv[1]
html = open(D + "/report.html").read()
i = html.find('id="forecasts"')
assert i >= 0, "no forecasts section"
sec = html[i:html.find("</section>", i)]
rows = re.findall(r"<tr>(.*?)</tr>", sec, re.S)
cells = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S) for r in rows]
fc = [c for c in cells if c and c[0] == "fc"]
assert fc, "no forecast row"
fc = fc[0]
assert fc[1] == "forecast", fc
mean = json.load(open(D + "/fc/forecast.json"))["backtest"]["mean_pai"]
for k in range(3):
    assert abs(float(fc[2 + k]) - mean["forecast"][k]) <= 0.005 + 1e-9, (k, fc, mean["forecast"])
assert "%.1f" % mean["prior"][0] in fc[5], (fc[5], mean["prior"])
assert [c for c in cells if c and c[0] == "prior counts"], "no prior counts row"
md = open(D + "/fc/forecast.md").read()
assert "Back-test" in md and "| prior |" in md
print("ok", fc[:5])
PY
cat "$T/rep.out"
check "report.html: the forecast row = forecast.json's back-tested mean PAI; forecast.md shows it" \
    "grep -q '^ok' $T/rep.out"

$RTM forecast -q $G --where "$W" --train-to 2018-02 -o "$T/f3" "$S" 2>"$T/err3"
check "too short a history is an error (exit 1)" '[ $? -eq 1 ] && grep -q "months of history" "$T/err3"'
$RTM forecast -q $G --horizon 0 -o "$T/f4" "$S" 2>/dev/null
check "bad --horizon is a usage error (exit 2)" '[ $? -eq 2 ]'
finish
