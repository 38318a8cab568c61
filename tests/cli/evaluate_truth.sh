#!/bin/sh
# CLI tests of the evaluation that tells the truth (`rtm evaluate`):
# coverages as areas and cell counts (hand-computed), the too-coarse
# warning, "new places" metrics against a brute-force tie-averaged
# reference, bootstrap intervals against the binomial distribution they
# must reproduce, the paired comparison against McNemar's closed form, KDE
# baselines that use training events just outside the area against a
# brute-force quartic KDE, and the RTM re-fitted at a back-test step against
# `rtm model` fitted on the same months.
RTM=${RTM_BIN:-build/rtm}
. tests/cli/harness.inc

# A 5 x 2 grid of 100 m cells (0.01 km² each) from (500000, 200000),
# EPSG:27700; cell k has centre x = 500050 + 100 (k % 5), y = 200150 - 100 (k / 5).
asc() { # name then 10 values
  n=$1; shift
  printf 'ncols 5\nnrows 2\nxllcorner 500000\nyllcorner 200000\ncellsize 100\nNODATA_value -9999\n' > "$T/$n.asc"
  echo "$1 $2 $3 $4 $5" >> "$T/$n.asc"; echo "$6 $7 $8 $9 ${10}" >> "$T/$n.asc"
  gdal_translate -q -a_srs EPSG:27700 "$T/$n.asc" "$T/$n.tif"
}
events() { # file month counts... (points at the cell centres)
  f=$1; m=$2; shift 2
  [ -e "$f" ] || echo "x,y,Month" > "$f"
  k=0
  for c in "$@"; do
    i=0
    while [ "$i" -lt "$c" ]; do
      echo "$((500050 + 100 * (k % 5))),$((200150 - 100 * (k / 5))),$m" >> "$f"
      i=$((i + 1))
    done
    k=$((k + 1))
  done
}
TEST="5 3 0 1 0 0 2 0 0 1"     # N = 12
TRAIN="4 0 1 0 0 2 1 1 0 1"    # cells without a training event: 1, 3, 4, 8
events "$T/test.csv" 2018-03 $TEST
events "$T/train.csv" 2018-01 $TRAIN
asc perfect $TEST
asc tied 9 9 4 4 4 4 1 1 1 1
EV="--src-crs EPSG:27700 --x-field x --y-field y"

# 1. coverages as an area and a cell count: 0.02 km² = 2 cells = 20 %, 3cells = 30 %
$RTM evaluate $EV --coverages 20,0.02km2,3cells,30 --train-events "$T/train.csv" -q \
  -o "$T/o1" perfect="$T/perfect.tif" "$T/tied.tif" "$T/test.csv" > "$T/o1.out" 2>&1
check "coverages with units exit 0" "[ $? -eq 0 ]"
python3 - "$T/o1" > "$T/py1.out" 2>&1 <<'PY'
import csv, sys
rows = {(r["surface"], r["coverage"]): r for r in csv.DictReader(open(sys.argv[1] + "/metrics.csv"))}
for s in ("perfect", "tied"):
    a, b = rows[(s, "20")], rows[(s, "0.02km2")]
    assert float(b["cells"]) == 2 and abs(float(b["coverage_pct"]) - 20) < 1e-9, b
    assert abs(float(b["area_km2"]) - 0.02) < 1e-12, b
    for k in ("events", "hit_rate", "pai"):
        assert a[k] == b[k], (s, k, a[k], b[k])
    c, d = rows[(s, "3cells")], rows[(s, "30")]
    assert float(c["cells"]) == 3 and c["hit_rate"] == d["hit_rate"], (c, d)
# by hand: perfect flags cells 0, 1 (5 + 3) at 20 %: hit rate 8/12, PAI 10/3
assert abs(float(rows[("perfect", "0.02km2")]["hit_rate"]) - 8 / 12) < 1e-9
assert abs(float(rows[("perfect", "0.02km2")]["pai"]) - 10 / 3) < 1e-9
print("ok")
PY
check "0.02km2 = 2 cells = 20 % and 3cells = 30 % (hand values)" "grep -q '^ok' $T/py1.out || { cat $T/py1.out; false; }"
$RTM evaluate $EV --coverages 1km2 -q -o "$T/e1" "$T/perfect.tif" "$T/test.csv" 2> "$T/e1.err"
check "an area larger than the evaluated area exits 2 naming it" "[ $? -eq 2 ] && grep -q 'larger than the evaluated area' $T/e1.err"
$RTM evaluate $EV --coverages 5parsecs -q -o "$T/e2" "$T/perfect.tif" "$T/test.csv" 2> /dev/null
check "an unknown coverage unit exits 2" "[ $? -eq 2 ]"

# 2. too coarse: 'tied' ties its maximum on 2 cells; at 10 % (1 cell) it cannot rank
$RTM evaluate $EV --coverages 10,20 -o "$T/o2" "$T/tied.tif" "$T/test.csv" > "$T/o2.out" 2>&1
check "too-coarse warning on stderr" "grep -q \"warning: evaluate: surface 'tied' is too coarse for 10 %\" $T/o2.out"
check "no warning where the coverage ends on a tie boundary (20 %)" "! grep -q 'too coarse for 20' $T/o2.out"
check "the warning is in metrics.md" "grep -q 'too coarse for 10 %' $T/o2/metrics.md"
check "tied_cells column: 2 at 10 %" "grep -q '^tied,.*,10,1,.*,2,10\$' $T/o2/metrics.csv"

# 3. new places: cells without a training event, tie-averaged brute force
python3 - "$T/o1" "$TEST" "$TRAIN" > "$T/py3.out" 2>&1 <<'PY'
import csv, itertools, sys
d = sys.argv[1]
test = [float(v) for v in sys.argv[2].split()]
train = [float(v) for v in sys.argv[3].split()]
surf = {"perfect": test[:], "tied": [9, 9, 4, 4, 4, 4, 1, 1, 1, 1]}
cells = [k for k in range(10) if train[k] == 0]   # 1, 3, 4, 8
N = sum(test[k] for k in cells)
def expected(v, a):
    vals = sorted({v[k] for k in cells}, reverse=True)
    blocks = [[k for k in cells if v[k] == x] for x in vals]
    tot = cnt = 0
    for combo in itertools.product(*[itertools.permutations(b) for b in blocks]):
        o = [k for b in combo for k in b]
        tot += sum(test[k] for k in o[:a]); cnt += 1
    return tot / cnt
rows = [r for r in csv.DictReader(open(d + "/newplaces.csv"))]
bad = []
for r in rows:
    if r["coverage"] in ("20", "30"):
        continue   # 0.8 and 1.2 of 4 cells: checked as whole cells below
for name, v in surf.items():
    for cov, a in (("3cells", 3),):
        r = [x for x in rows if x["surface"] == name and x["coverage"] == cov][0]
        n = expected(v, a)
        if abs(float(r["hit_rate"]) - n / N) > 1e-9 or abs(float(r["pai"]) - (n / N) / (a / 4)) > 1e-9:
            bad.append((name, cov, r["hit_rate"], n / N))
        if float(r["test_events"]) != N:
            bad.append(("N", r["test_events"], N))
print("\n".join(map(str, bad)) if bad else "ok")
PY
check "newplaces.csv equals the brute-force tie-averaged reference (3 of the 4 new cells)" "grep -q '^ok' $T/py3.out || { cat $T/py3.out; false; }"
check "metrics.md explains new places" "grep -q 'New places: cells without a training event' $T/o1/metrics.md"

# 4. bootstrap: 'perfect' at 10 % flags cell 0 whole (credit 0/1): the hit
# rate's bootstrap distribution is Binomial(12, 5/12)/12
$RTM evaluate $EV --coverages 10 --bootstrap 20000 --seed 5 -q -o "$T/o4" "$T/perfect.tif" "$T/test.csv" > /dev/null 2>&1
check "bootstrap exits 0" "[ $? -eq 0 ]"
python3 - "$T/o4" > "$T/py4.out" 2>&1 <<'PY'
import csv, math, sys
r = list(csv.DictReader(open(sys.argv[1] + "/uncertainty.csv")))[0]
n, p = 12, 5 / 12
pmf = [math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(n + 1)]
cdf = [sum(pmf[:k + 1]) for k in range(n + 1)]
lo = min(k for k in range(n + 1) if cdf[k] >= 0.025) / n
hi = min(k for k in range(n + 1) if cdf[k] >= 0.975) / n
assert abs(float(r["hit_rate"]) - 5 / 12) < 1e-9, r
assert abs(float(r["hit_rate_lo"]) - lo) <= 1 / n + 1e-9, (r["hit_rate_lo"], lo)
assert abs(float(r["hit_rate_hi"]) - hi) <= 1 / n + 1e-9, (r["hit_rate_hi"], hi)
assert abs(float(r["pai_hi"]) - float(r["hit_rate_hi"]) * 10) < 1e-9
assert r["seed"] == "5" and r["replicates"] == "20000" and r["resampled"] == "test events", r
print("ok")
PY
check "bootstrap interval = Binomial(12, 5/12) quantiles (within one event), seed recorded" "grep -q '^ok' $T/py4.out || { cat $T/py4.out; false; }"
$RTM evaluate $EV --coverages 10 --bootstrap 20000 --seed 5 --threads 1 -q -o "$T/o4b" "$T/perfect.tif" "$T/test.csv" > /dev/null 2>&1
check "same seed, one thread: identical uncertainty.csv" "cmp -s $T/o4/uncertainty.csv $T/o4b/uncertainty.csv"

# 5. paired comparison perfect vs tied at 10 %: per event credit(perfect) -
# credit(tied) = +0.5 for the 5 events of cell 0, -0.5 for the 3 of cell 1
$RTM evaluate $EV --coverages 10 --compare perfect,tied -q -o "$T/o5" perfect="$T/perfect.tif" \
  "$T/tied.tif" "$T/test.csv" > /dev/null 2>&1
check "comparison exits 0" "[ $? -eq 0 ]"
python3 - "$T/o5" > "$T/py5.out" 2>&1 <<'PY'
import csv, math, sys
r = list(csv.DictReader(open(sys.argv[1] + "/compare.csv")))[0]
b, c = 2.5, 1.5
assert abs(float(r["events_a_only"]) - b) < 1e-9 and abs(float(r["events_b_only"]) - c) < 1e-9, r
assert abs(float(r["difference"]) - (5 - 4) / 12) < 1e-9, r   # 5/12 - 4/12
nb, nc = math.floor(b + 0.5), math.floor(c + 0.5)               # 3, 2
m = nb + nc
p = min(1, 2 * sum(math.comb(m, k) for k in range(min(nb, nc) + 1)) / 2 ** m)
assert abs(float(r["p_mcnemar"]) - p) < 1e-9, (r["p_mcnemar"], p)
assert float(r["difference_lo"]) <= float(r["difference"]) <= float(r["difference_hi"]), r
print("ok")
PY
check "comparison: discordant events, difference and McNemar p by hand" "grep -q '^ok' $T/py5.out || { cat $T/py5.out; false; }"
$RTM evaluate $EV --compare perfect,nope -q -o "$T/e5" perfect="$T/perfect.tif" "$T/test.csv" 2> "$T/e5.err"
check "--compare naming no surface exits non-zero naming it" "[ $? -ne 0 ] && grep -q 'perfect,nope' $T/e5.err"

# 6. KDE with training events just outside the area (west of cell 0 and
# east of cell 9), against a brute-force quartic KDE of all training events
printf 'x,y,Month\n499970,200150,2018-01\n499980,200140,2018-01\n499990,200160,2018-01\n500250,200050,2018-01\n500550,200050,2018-01\n' > "$T/edge.csv"
$RTM evaluate $EV --coverages 10,20,30,50 --train-events "$T/edge.csv" --kde-bandwidths 150 -q \
  --bbox 500000,200000,500500,200200 --resolution 100 --dst-crs EPSG:27700 \
  -o "$T/o6" "$T/test.csv" > "$T/o6.out" 2>&1
check "edge KDE exits 0" "[ $? -eq 0 ]"
python3 - "$T/o6" "$TEST" > "$T/py6.out" 2>&1 <<'PY'
import csv, itertools, sys
d, test = sys.argv[1], [float(v) for v in sys.argv[2].split()]
pts = [(499970, 200150), (499980, 200140), (499990, 200160), (500250, 200050), (500550, 200050)]
R = 150.0
def kde(points):  # quartic kernel (Silverman 1986), constant factors do not change the ranking
    v = []
    for k in range(10):
        cx, cy = 500050 + 100 * (k % 5), 200150 - 100 * (k // 5)
        s = 0
        for x, y in points:
            q = ((x - cx) ** 2 + (y - cy) ** 2) / R ** 2
            s += (1 - q) ** 2 if q < 1 else 0
        v.append(round(s, 12))
    return v
def expected(v, a):
    vals = sorted(set(v), reverse=True)
    blocks = [[k for k in range(10) if v[k] == x] for x in vals]
    tot = cnt = 0
    for combo in itertools.product(*[itertools.permutations(b) for b in blocks]):
        o = [k for b in combo for k in b]
        tot += sum(test[k] for k in o[:a]); cnt += 1
    return tot / cnt
rows = {r["coverage"]: r for r in csv.DictReader(open(d + "/metrics.csv")) if r["surface"] == "kde150"}
full = kde(pts)
inside = kde([p for p in pts if 500000 <= p[0] < 500500])
for cov, a in (("10", 1), ("20", 2), ("30", 3), ("50", 5)):
    want = expected(full, a) / 12
    assert abs(float(rows[cov]["hit_rate"]) - want) < 1e-9, (cov, rows[cov]["hit_rate"], want)
# the events outside matter here: without them cell 0 would not lead
assert expected(inside, 1) != expected(full, 1)
print("ok")
PY
check "KDE uses training events within its radius outside the area (= brute force)" "grep -q '^ok' $T/py6.out || { cat $T/py6.out; false; }"

# 7. the RTM re-fitted at a back-test step = `rtm model` on the same months,
# evaluated as a fixed surface on the step's test month
S=samples/essex
SEV="--study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson --dst-crs EPSG:27700 --resolution 100"
CR=$S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
FAC="--factor pubs=$S/risk/osm_pubs_southend_on_sea.csv:proximity --factor stations=$S/risk/naptan_rail_stations_southend_on_sea.csv:proximity"
$RTM evaluate --backtest --months 2018-02..2018-05 --min-train 3 $SEV $FAC --coverages 1,5,20 \
  -q -o "$T/o7" "$CR" > "$T/o7.out" 2>&1
check "back-test with the RTM re-fitted exits 0" "[ $? -eq 0 ] || { cat $T/o7.out; false; }"
check "back-test charts written" "[ -s $T/o7/backtest_pai_1.png ] && [ -s $T/o7/backtest_pai_20.png ]"
$RTM model $SEV $FAC --from 2018-02 --to 2018-04 -q -o "$T/m7" "$CR" > /dev/null 2>&1
$RTM evaluate --study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson --from 2018-05 \
  --to 2018-05 --coverages 1,5,20 -q -o "$T/o7b" rtm="$T/m7/rrs.tif" "$CR" > /dev/null 2>&1
python3 - "$T" > "$T/py7.out" 2>&1 <<'PY'
import csv, sys
T = sys.argv[1]
bt = {r["coverage"]: r for r in csv.DictReader(open(T + "/o7/backtest.csv")) if r["step"] == "1" and r["surface"] == "rtm"}
ev = {r["coverage"]: r for r in csv.DictReader(open(T + "/o7b/metrics.csv"))}
assert bt["1"]["test_month"] == "2018-05" and bt["1"]["train_to"] == "2018-04", bt["1"]
for c in ("1", "5", "20"):
    assert abs(float(bt[c]["pai"]) - float(ev[c]["pai"])) < 1e-9, (c, bt[c]["pai"], ev[c]["pai"])
print("ok")
PY
check "re-fitted RTM at the step = rtm model on 2018-02..04 scored on 2018-05" "grep -q '^ok' $T/py7.out || { cat $T/py7.out; false; }"

# 8. the model report's back-test = the evaluation's back-test of the re-fitted RTM
# (same months, steps, factors and options: two paths to one number)
$RTM model $SEV $FAC -q -o "$T/m8" "$CR" > /dev/null 2>&1
$RTM evaluate --backtest --months 2018-01..2018-05 $SEV $FAC --coverages 1,5,20 -q -o "$T/o8" \
  "$CR" > /dev/null 2>&1
python3 - "$T" > "$T/py8.out" 2>&1 <<'PY'
import csv, json, sys
T = sys.argv[1]
bt = json.load(open(T + "/m8/model.json"))["backtest"]
assert bt["done"] and bt["steps"] == 4 and bt["first_test_month"] == 201802, bt
mean = {(r["surface"], r["coverage"]): float(r["pai"]) for r in csv.DictReader(open(T + "/o8/backtest.csv")) if r["step"] == "mean"}
for m, surf in ((bt["maps"][0], "rtm"), (bt["maps"][1], "prior")):
    for key, cov in (("pai_1pct", "1"), ("pai_5pct", "5"), ("pai_20pct", "20")):
        assert abs(m[key] - mean[(surf, cov)]) < 1e-8 * max(1, m[key]), (surf, cov, m[key], mean[(surf, cov)])
print("ok")
PY
check "model.json back-test = rtm evaluate --backtest of the re-fitted RTM and the prior counts" "grep -q '^ok' $T/py8.out || { cat $T/py8.out; false; }"
check "model.md says which map forecasts" "grep -q 'Does the map forecast' $T/m8/model.md && grep -q 'forecasts worse than simply counting' $T/m8/model.md"
$RTM model $SEV $FAC --from 2018-05 --to 2018-05 -q -o "$T/m9" "$CR" > /dev/null 2>&1
check "one month of events: model.md says plainly it cannot be back-tested" "grep -q 'Not back-tested: the events span one month' $T/m9/model.md && grep -q '\"done\": false' $T/m9/model.json"

# 9. the nightly report: which map forecasts - the KDE re-made month by month,
# the prior counts as the evaluation's back-test computes them
cat > "$T/job.yaml" <<EOF
name: nte
study_area:
  file: $PWD/$S/boundaries/southend_on_sea_lad2011_bng.geojson
crs: EPSG:27700
cell_size: 100
offences:
  sources:
    - file: $PWD/$CR
      date_field: Month
  from: 2018-01
  to: 2018-05
surfaces:
  - type: kde
    name: density
    radius: 300
output:
  dir: $T/out-job
  formats: [tif, png, html]
EOF
$RTM run -q "$T/job.yaml" > "$T/job.out" 2>&1
check "job run exits 0" "[ $? -eq 0 ] || { cat $T/job.out; false; }"
$RTM evaluate --backtest --months 2018-01..2018-05 --study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson \
  --dst-crs EPSG:27700 --resolution 100 --coverages 1,5,20 -q -o "$T/o9" "$CR" > /dev/null 2>&1
python3 - "$T" > "$T/py9.out" 2>&1 <<'PY'
import csv, re, sys
T = sys.argv[1]
html = open(T + "/out-job/current/report.html").read()
i = html.find('id="forecasts"')
assert i >= 0, "no forecasts section"
sec = html[i:html.find("</section>", i)]
rows = re.findall(r"<tr>(.*?)</tr>", sec, re.S)
cells = [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S) for r in rows]
prior = [c for c in cells if c and c[0] == "prior counts"][0]
dens = [c for c in cells if c and c[0] == "density"][0]
mean = {r["coverage"]: float(r["pai"]) for r in csv.DictReader(open(T + "/o9/backtest.csv")) if r["step"] == "mean" and r["surface"] == "prior"}
for k, cov in ((2, "1"), (3, "5"), (4, "20")):
    assert abs(float(prior[k]) - mean[cov]) < 0.006, (cov, prior[k], mean[cov])
assert "forecasts" in dens[5], dens
print("ok")
PY
check "report.html: which map forecasts (prior counts = evaluate --backtest)" "grep -q '^ok' $T/py9.out || { cat $T/py9.out; false; }"

finish
