#!/bin/sh
# CLI tests of `rtm evaluate`: hand-made surfaces (ASCII grids turned into
# GeoTIFFs by gdal_translate) and events placed at known cells; hit rate, PAI,
# PEI, RRI, AUC and the Gini coefficient against a brute-force reference in
# python3 (every order of the tied cells enumerated), derived surfaces,
# the rolling back-test, errors and exit codes.
RTM=${RTM_BIN:-build/rtm}
. tests/cli/harness.inc

# A 5 x 2 grid of 100 m cells from (500000, 200000), EPSG:27700. Cell k
# (row-major, row 0 north) has centre x = 500050 + 100 (k % 5),
# y = 200150 - 100 (k / 5).
asc() { # name then 10 values (nodata -9999)
  n=$1; shift
  printf 'ncols 5\nnrows 2\nxllcorner 500000\nyllcorner 200000\ncellsize %s\nNODATA_value -9999\n' \
    "${CELL:-100}" > "$T/$n.asc"
  echo "$1 $2 $3 $4 $5" >> "$T/$n.asc"; echo "$6 $7 $8 $9 ${10}" >> "$T/$n.asc"
  gdal_translate -q -a_srs EPSG:27700 "$T/$n.asc" "$T/$n.tif"
}
# events: "count count ..." per cell -> CSV rows at the cell centre (+ small
# offsets so points are not all on one spot), month given
events() { # file month counts...
  f=$1; m=$2; shift 2
  [ -e "$f" ] || echo "x,y,Month" > "$f"
  k=0
  for c in "$@"; do
    i=0
    while [ "$i" -lt "$c" ]; do
      echo "$((500050 + 100 * (k % 5) + ${OFF:-1} * (i % 7))),$((200150 - 100 * (k / 5) - ${OFF:-1} * (i % 5))),$m" >> "$f"
      i=$((i + 1))
    done
    k=$((k + 1))
  done
}
TEST="5 3 0 1 0 0 2 0 0 1"     # N = 12
TRAIN="4 0 1 0 0 2 1 1 0 1"    # N1 = 10
events "$T/test.csv" 2018-03 $TEST
OFF=0 events "$T/train.csv" 2018-01 $TRAIN  # at the cell centres
asc perfect $TEST
asc tied 9 9 4 4 4 4 1 1 1 1
asc hole 9 8 7 6 5 4 3 2 1 -9999
CELL=50 asc coarse 1 2 3 4 5 6 7 8 9 10
asc other 1 2 3 4 5 6 7 8 9 10
gdal_translate -q -a_srs EPSG:32631 "$T/other.asc" "$T/other.tif"   # same cells, other CRS
EV="--src-crs EPSG:27700 --x-field x --y-field y"

# 1. two surfaces side by side, with training events for RRI
$RTM evaluate $EV --coverages 10,20,30,40,50,100 --train-events "$T/train.csv" -q \
  -o "$T/o1" perfect="$T/perfect.tif" "$T/tied.tif" "$T/test.csv" > "$T/o1.out" 2>&1
check "evaluate exits 0" "[ $? -eq 0 ]"
check "outputs written" "[ -s $T/o1/metrics.csv ] && [ -s $T/o1/metrics.md ] && [ -s $T/o1/curves.csv ] && [ -s $T/o1/concentration.csv ]"
check "charts are PNG files" "(for f in $T/o1/hitrate.png $T/o1/pai.png; do [ \"\$(od -An -tx1 -N8 \$f | tr -d ' \\n')\" = 89504e470d0a1a0a ] || exit 1; done)"

python3 - "$T/o1" "$TEST" "$TRAIN" > "$T/py1.out" 2>&1 <<'PY'
import csv, itertools, sys
d, test, train = sys.argv[1], [float(v) for v in sys.argv[2].split()], [float(v) for v in sys.argv[3].split()]
surf = {"perfect": test[:], "tied": [9, 9, 4, 4, 4, 4, 1, 1, 1, 1]}
N, N1, A = sum(test), sum(train), 10

def orders(v):
    """Every ranking of the cells by value, descending, over all tie orders."""
    vals = sorted(set(v), reverse=True)
    blocks = [[k for k in range(len(v)) if v[k] == x] for x in vals]
    for combo in itertools.product(*[itertools.permutations(b) for b in blocks]):
        yield [k for b in combo for k in b]

def expected(v, counts, a):
    tot = cnt = 0
    for o in orders(v):
        tot += sum(counts[k] for k in o[:a]); cnt += 1
    return tot / cnt

rows = list(csv.DictReader(open(d + "/metrics.csv")))
bad = []
for name, v in surf.items():
    auc_pts = [expected(v, test, a) / N for a in range(A + 1)]
    auc = sum((auc_pts[a] + auc_pts[a + 1]) / 2 for a in range(A)) / A
    for r in [r for r in rows if r["surface"] == name]:
        cov = float(r["coverage_pct"]); a = round(cov * A / 100)
        n = expected(v, test, a); n1 = expected(v, train, a)
        nstar = expected(test, test, a)
        want = {"events": n, "hit_rate": n / N, "pai": n / N / (a / A), "pei": n / nstar,
                "rri": (n / N) / (n1 / N1), "auc": auc, "test_events": N, "cells": a}
        for k, w in want.items():
            got = float(r[k])
            if abs(got - w) > 1e-9 * max(1, abs(w)):
                bad.append("%s %g%% %s: got %r want %r" % (name, cov, k, got, w))
    if len([r for r in rows if r["surface"] == name]) != 6:
        bad.append("%s: not 6 rows" % name)
print("\n".join(bad) if bad else "ok")
PY
check "hit rate, PAI, PEI, RRI, AUC equal the brute-force tie-averaged reference" "grep -q '^ok' $T/py1.out || { cat $T/py1.out; false; }"
# hand values: the perfect surface has PEI 1 everywhere; tied at 10 %: half of
# the top tie block {5, 3} -> 4 events, hit rate 4/12, PAI 3.333.., PEI 4/5
check "PEI = 1 for the test counts themselves" "awk -F, 'NR > 1 && \$1 == \"perfect\" && \$11 != 1 { bad = 1 } END { exit bad }' $T/o1/metrics.csv"
check "hand value: tie block split pro rata (tied, 10 %)" "grep -q '^tied,.*,10,1,0.01,4,12,0.3333333333,3.333333333,5,0.8,' $T/o1/metrics.csv"

python3 - "$T/o1" "$TEST" > "$T/py2.out" 2>&1 <<'PY'
import csv, sys
d, x = sys.argv[1], [float(v) for v in sys.argv[2].split()]
n, mean = len(x), sum(x) / len(x)
gini = sum(abs(a - b) for a in x for b in x) / (2 * n * n * mean)   # pairwise form
c = {r["measure"]: float(r["value"]) for r in csv.DictReader(open(d + "/concentration.csv"))}
top10 = max(x) / sum(x)                                             # 1 cell of 10
assert abs(c["gini"] - gini) < 1e-9, (c["gini"], gini)
assert abs(c["share_of_events_in_top_10_pct_of_cells"] - top10) < 1e-9, c
# half of the 12 events: cell with 5 (5/12) then 1/3 of the cell with 3 -> 1.333 cells
assert abs(c["area_share_holding_50_pct_of_events"] - (1 + 1 / 3) / 10) < 1e-9, c
print("ok")
PY
check "Gini (pairwise formula) and Lorenz shares" "grep -q '^ok' $T/py2.out || { cat $T/py2.out; false; }"
check "metrics.md has the 'N % of events in X % of the area' sentence" "grep -q '50 % of events in 13.33 % of the area' $T/o1/metrics.md"
check "metrics.md compares both surfaces" "grep -q '| 10 % | perfect |' $T/o1/metrics.md && grep -q '| 10 % | tied |' $T/o1/metrics.md"
check "curves.csv: 1000 points per surface" "[ \$(grep -c '^tied,' $T/o1/curves.csv) -eq 1000 ]"

# 2. RRI is n/a without training events; nodata cells are outside
$RTM evaluate $EV --coverages 10 -o "$T/o2" "$T/hole.tif" "$T/test.csv" > "$T/o2.out" 2>&1
check "surface with a nodata cell exits 0" "[ $? -eq 0 ]"
check "nodata cell and its event left out (N = 11, A = 9)" "grep -q '^hole,.*,10,0.9,0.009,' $T/o2/metrics.csv && grep -q '^hole,[^,]*,10,[^,]*,[^,]*,[^,]*,11,' $T/o2/metrics.csv"
check "event on the nodata cell counted as skipped" "grep -q 'outside_study_area *1' $T/o2.out"
check "RRI empty without training events" "awk -F, 'NR == 2 { exit \$12 != \"\" }' $T/o2/metrics.csv && grep -q 'no training events' $T/o2/metrics.md"

# 3. derived surfaces: a KDE whose radius (40 m) is below the half cell puts each
# training event (at cell centres) on its own cell only, so it ranks the cells
# like the counts: same flagged cells at the tie-block boundaries of the prior
# counts (1, 2 and 6 cells: 10, 20, 60 %)
$RTM evaluate $EV --coverages 10,20,30,50,60 --train-events "$T/train.csv" --kde-bandwidths 40,300 \
  --prior-counts --combine 'prior*kde40' -q -o "$T/o3" "$T/test.csv" \
  --bbox 500000,200000,500500,200200 --resolution 100 --dst-crs EPSG:27700 > "$T/o3.out" 2>&1
check "derived surfaces without a surface file exit 0" "[ $? -eq 0 ]"
for s in kde40 kde300 prior 'prior\*kde40'; do
  check "surface $s evaluated" "grep -q '^$s,' $T/o3/metrics.csv"
done
python3 - "$T/o3" > "$T/py5.out" 2>&1 <<'PY'
import csv, sys
r = {(x["surface"], x["coverage_pct"]): float(x["hit_rate"]) for x in csv.DictReader(open(sys.argv[1] + "/metrics.csv"))}
for c in ("10", "20", "60"):
    assert abs(r[("kde40", c)] - r[("prior", c)]) < 1e-12, c
    assert abs(r[("prior*kde40", c)] - r[("prior", c)]) < 1e-12, c
assert r[("kde300", "10")] > 0
print("ok")
PY
check "kde40 and prior*kde40 rank like the prior counts (same hit rates)" "grep -q '^ok' $T/py5.out || { cat $T/py5.out; false; }"
python3 - "$T/o3" "$TEST" "$TRAIN" > "$T/py3.out" 2>&1 <<'PY'
import csv, sys
d, test, train = sys.argv[1], [float(v) for v in sys.argv[2].split()], [float(v) for v in sys.argv[3].split()]
# prior = training counts [4 0 1 0 0 2 1 1 0 1]: blocks 4 | 2 | 1 1 1 1 (cells 2,6,7,9) | 0 x4
r = {row["coverage_pct"]: row for row in csv.DictReader(open(d + "/metrics.csv")) if row["surface"] == "prior"}
# 10 %: cell 0 -> 5; 30 %: cells 0, 5 + 1/4 of block {2,6,7,9} (0+2+0+1 = 3) -> 5 + 0 + 0.75
assert abs(float(r["10"]["events"]) - 5) < 1e-9, r["10"]
assert abs(float(r["30"]["events"]) - 5.75) < 1e-9, r["30"]
# 50 %: cells 0, 5 and 3/4 of the block -> 5 + 0 + 2.25
assert abs(float(r["50"]["events"]) - 7.25) < 1e-9, r["50"]
print("ok")
PY
check "prior-counts hit counts by hand (pro-rata ties)" "grep -q '^ok' $T/py3.out || { cat $T/py3.out; false; }"

# 4. rolling back-test: months 01, 02 train, 03 test (and 01 -> 02)
events "$T/all.csv" 2018-01 $TRAIN
events "$T/all.csv" 2018-02 1 0 0 0 0 0 0 3 0 0
events "$T/all.csv" 2018-03 $TEST
$RTM evaluate --backtest --months 2018-01..2018-03 $EV --coverages 10,50 -q -o "$T/o4" \
  "$T/tied.tif" "$T/all.csv" > "$T/o4.out" 2>&1
check "back-test exits 0" "[ $? -eq 0 ]"
check "back-test writes csv and md" "[ -s $T/o4/backtest.csv ] && grep -q 'Rolling back-test: 2 steps' $T/o4/backtest.md"
python3 - "$T/o4" "$TEST" "$TRAIN" > "$T/py4.out" 2>&1 <<'PY'
import csv, sys
d = sys.argv[1]
test = [float(v) for v in sys.argv[2].split()]
m1 = [float(v) for v in sys.argv[3].split()]
m2 = [1, 0, 0, 0, 0, 0, 0, 3, 0, 0]
rows = list(csv.DictReader(open(d + "/backtest.csv")))
def get(step, surf, cov):
    return [r for r in rows if r["step"] == step and r["surface"] == surf and r["coverage_pct"] == cov][0]
# step 1: train 01 (prior = m1), test 02: top cell 0 (4) -> 1 event of 4 -> hit rate 0.25
r = get("1", "prior", "10")
assert (r["train_from"], r["train_to"], r["test_month"]) == ("2018-01", "2018-01", "2018-02"), r
assert abs(float(r["hit_rate"]) - 0.25) < 1e-9, r
# step 2: train 01..02 -> prior = m1 + m2 = [5 0 1 0 0 2 1 4 0 1]; test 03 = TEST
# 10 % -> cell 0 -> 5/12; 50 % -> cells 0, 7, 5 then 2 of block {2,6,9} (0+2+1) -> 5+0+0+2 = 7
r = get("2", "prior", "10"); assert abs(float(r["hit_rate"]) - 5 / 12) < 1e-9, r
r = get("2", "prior", "50"); assert abs(float(r["hit_rate"]) - 7 / 12) < 1e-9, r
assert r["train_events"] == "14" and r["test_events"] == "12", r
# fixed surface in the back-test: tied at 10 % in step 2 = 4/12 (as in test 1)
assert abs(float(get("2", "tied", "10")["hit_rate"]) - 4 / 12) < 1e-9
# mean row = mean of the two steps
for s in ("prior", "tied"):
    for c in ("10", "50"):
        m = get("mean", s, c)
        want = (float(get("1", s, c)["pai"]) + float(get("2", s, c)["pai"])) / 2
        assert abs(float(m["pai"]) - want) < 1e-9, (s, c, m["pai"], want)
print("ok")
PY
check "back-test steps, counts and means by hand" "grep -q '^ok' $T/py4.out || { cat $T/py4.out; false; }"

# 4b. the real sample: the last back-test step equals a direct evaluation
# with the same training (2018-01..04) and test (2018-05) months
S=samples/essex
SEV="--study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson --dst-crs EPSG:27700 --resolution 100"
CR=$S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
$RTM evaluate --backtest --months 2018-01..2018-05 --min-train 2 $SEV --kde-bandwidths 300 \
  --coverages 1,5 -q -o "$T/s1" "$CR" > /dev/null 2>&1
$RTM evaluate --from 2018-05 --to 2018-05 --train-events "$CR" --train-from 2018-01 --train-to 2018-04 \
  --kde-bandwidths 300 --prior-counts $SEV --coverages 1,5 -q -o "$T/s2" "$CR" > /dev/null 2>&1
python3 - "$T" > "$T/py6.out" 2>&1 <<'PY'
import csv, sys
T = sys.argv[1]
bt = [r for r in csv.DictReader(open(T + "/s1/backtest.csv")) if r["step"] == "3"]
ev = {(r["surface"], r["coverage_pct"]): r for r in csv.DictReader(open(T + "/s2/metrics.csv"))}
assert len(bt) == 4 and bt[0]["test_month"] == "2018-05" and bt[0]["train_to"] == "2018-04", bt
for r in bt:
    e = ev[(r["surface"], r["coverage_pct"])]
    for k in ("hit_rate", "pai", "pei", "rri", "auc"):
        assert abs(float(r[k]) - float(e[k])) < 1e-9, (r["surface"], k, r[k], e[k])
print("ok")
PY
check "sample data: back-test step 3 = direct evaluation (kde300, prior)" "grep -q '^ok' $T/py6.out || { cat $T/py6.out; false; }"

# 5. errors and exit codes
$RTM evaluate $EV -q -o "$T/e" "$T/missing.tif" "$T/test.csv" 2> "$T/e1"
check "missing surface exits 1 naming it" "[ $? -eq 1 ] && grep -q 'missing.tif' $T/e1"
$RTM evaluate $EV -q -o "$T/e" "$T/perfect.tif" "$T/coarse.tif" "$T/test.csv" 2> "$T/e2"
check "surfaces on different grids exit 1 with a message" "[ $? -eq 1 ] && grep -q 'not on the grid' $T/e2"
$RTM evaluate $EV -q -o "$T/e" "$T/perfect.tif" -s x="$T/other.tif" "$T/test.csv" 2> "$T/e6"
check "surfaces in different CRSs exit 1 naming the CRS" "[ $? -eq 1 ] && grep -q 'other CRS' $T/e6"
$RTM evaluate $EV --coverages 0,200 -o "$T/e" "$T/perfect.tif" "$T/test.csv" 2>/dev/null
check "bad --coverages exits 2" "[ $? -eq 2 ]"
$RTM evaluate --no-such-option 2>/dev/null
check "unknown option exits 2" "[ $? -eq 2 ]"
$RTM evaluate $EV --prior-counts -o "$T/e" "$T/test.csv" 2>/dev/null
check "--prior-counts without --train-events exits 2" "[ $? -eq 2 ]"
$RTM evaluate $EV --combine 'perfect*nope' -o "$T/e" "$T/perfect.tif" "$T/test.csv" 2> "$T/e3"
check "--combine with an unknown name exits 2 naming it" "[ $? -eq 2 ] && grep -q \"'nope'\" $T/e3"
$RTM evaluate --backtest --months 2018-01..2018-01 $EV -o "$T/e" "$T/tied.tif" "$T/all.csv" 2> "$T/e4"
check "back-test with no month to test exits 1" "[ $? -ne 0 ] && grep -q 'no month' $T/e4"
$RTM evaluate $EV --from 2019-01 --to 2019-01 -o "$T/o5" "$T/perfect.tif" "$T/test.csv" 2> "$T/e5"
check "no test events in the window exits 1 with a message, no output" "[ $? -eq 1 ] && grep -q 'no test events' $T/e5 && [ ! -e $T/o5/metrics.csv ]"
$RTM evaluate --help > "$T/help"
check "--help documents pro-rata ties and Levine's RRI" "grep -q 'PRO' $T/help && grep -q 'Levine' $T/help"

# 6. a run that fails while writing leaves the previous outputs as they were:
# without a font the charts fail after metrics.csv, curves.csv,
# concentration.csv and metrics.md of the new run were written
$RTM evaluate $EV --coverages 10 -q -o "$T/o6" "$T/tied.tif" "$T/test.csv" > /dev/null 2>&1
cp -r "$T/o6" "$T/o6.before"
RTM_FONT="$T/no-such-font.ttf" $RTM evaluate $EV --coverages 20,50 -q -o "$T/o6" "$T/tied.tif" \
  "$T/test.csv" 2> "$T/e7"
check "a run failing while writing exits 1 naming the cause" "[ $? -eq 1 ] && grep -q 'no-such-font' $T/e7"
check "the failed run leaves the previous outputs intact (no file replaced or added)" \
  "diff -r $T/o6.before $T/o6 > /dev/null"
RTM_FONT="$T/no-such-font.ttf" $RTM evaluate $EV -q -o "$T/o7" "$T/tied.tif" "$T/test.csv" 2> /dev/null
check "a failed first run leaves no output folder" "[ ! -e $T/o7 ]"

finish
