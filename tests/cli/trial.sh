#!/bin/sh
# CLI tests of `rtm trial design` and `rtm trial evaluate`: schedules that are
# seeded and byte-stable, balanced as the rule says (8 of 20 a day; one of
# each harm pair), and an evaluation of a trial simulated with a known rate
# ratio (tools/sim_trial.py): the counts equal the simulator's truth, the CI
# covers the true effect, the ring shows none, compliance matches the dosage
# file, and the result does not depend on the order of the events.
RTM=${RTM_BIN:-build/rtm}
SIM=tools/sim_trial.py
. tests/cli/harness.inc

# 20 squares of 150 m, 600 m apart (rings of 150 m never touch), in EPSG:27700
python3 - > "$T/places.geojson" <<'PY'
import json
feats = []
for k in range(20):
    r, c = divmod(k, 5)
    x0, y0 = 585000 + c * 600, 185000 + r * 600
    ring = [[x0, y0], [x0 + 150, y0], [x0 + 150, y0 + 150], [x0, y0 + 150], [x0, y0]]
    feats.append({"type": "Feature", "properties": {"place": k + 1, "rank": k + 1,
                  "name": "Place %d" % (k + 1), "events": 40 - k, "harm": (40 - k) * 10.0},
                  "geometry": {"type": "Polygon", "coordinates": [ring]}})
print(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties":
                  {"name": "urn:ogc:def:crs:EPSG::27700"}}, "features": feats}))
PY
ogr2ogr -f GPKG "$T/places.gpkg" "$T/places.geojson" -nln places 2> /dev/null
P=$T/places.gpkg

# ---- design ------------------------------------------------------------------
$RTM trial design -q --places "$P" --start 2021-06-01 --days 90 --seed 7 -o "$T/d1"
check "design writes schedule.csv, balance.csv, design.md" \
  "[ -s $T/d1/schedule.csv ] && [ -s $T/d1/balance.csv ] && [ -s $T/d1/design.md ]"
$RTM trial design -q --places "$P" --start 2021-06-01 --days 90 --seed 7 -o "$T/d2"
$RTM trial design -q --places "$P" --start 2021-06-01 --days 90 --seed 8 -o "$T/d3"
check "same seed, same bytes" "cmp -s $T/d1/schedule.csv $T/d2/schedule.csv"
check "another seed, another schedule" "! cmp -s $T/d1/schedule.csv $T/d3/schedule.csv"
check "the seed is recorded in design.md" "grep -q 'Seed: 7' $T/d1/design.md"
check "1,800 place-days: 720 treatment, 1,080 control (Southend's split)" \
  "grep -q '^treatment,20,720,' $T/d1/balance.csv && grep -q '^control,20,1080,' $T/d1/balance.csv"
check "header date,place,arm" "[ \"\$(head -1 $T/d1/schedule.csv)\" = 'date,place,arm' ]"
python3 - "$T/d1/schedule.csv" > "$T/perday" <<'PY'
import csv, sys, collections
n = collections.Counter(r["date"] for r in csv.DictReader(open(sys.argv[1])) if r["arm"] == "treatment")
print(len(n), min(n.values()), max(n.values()))
PY
check "every one of the 90 days has exactly 8 of 20 treated" "[ \"\$(cat $T/perday)\" = '90 8 8' ]"

$RTM trial design -q --places "$P" --start 2021-06-01 --days 30 --fixed --seed 3 -o "$T/f"
python3 - "$T/f/schedule.csv" > "$T/fixed" <<'PY'
import csv, sys, collections
arms, blocks = collections.defaultdict(set), collections.defaultdict(set)
for r in csv.DictReader(open(sys.argv[1])):
    arms[r["place"]].add(r["arm"]); blocks[r["block"]].add((r["place"], r["arm"]))
const = all(len(a) == 1 for a in arms.values())
pairs = all(sum(a == "treatment" for _, a in b) == 1 and len(b) == 2 for b in blocks.values())
# harm falls with the place number: pairs are (1,2), (3,4) ...
harm_pairs = all(sorted(int(p) for p, _ in b) in ([2*i+1, 2*i+2] for i in range(10)) for b in blocks.values())
print(const, pairs, harm_pairs, len(blocks))
PY
check "fixed design: a place keeps its arm, one of each harm pair treated, 10 pairs" \
  "[ \"\$(cat $T/fixed)\" = 'True True True 10' ]"
$RTM trial design -q --places "$P" --start 2021-06-01 --days 30 --seed 1 --treat-share 0.37 \
  --fixed -o "$T/bad" 2> "$T/err"
check "a share with no whole block is an error" "[ \$? -ne 0 ] && grep -q 'block' $T/err"
$RTM trial design -q --places "$P" --start 2021-06-01 --days 30 -o "$T/bad" 2> "$T/err"
check "no --seed is a usage error" "[ \$? -eq 2 ] && grep -q 'seed' $T/err"

# ---- a simulated trial with a known effect --------------------------------------
python3 $SIM --places "$P" --schedule "$T/d1/schedule.csv" --rr 0.75 --ring-rr 1 --rate 0.4 \
  --seed 11 --events "$T/ev.csv" --dosage "$T/dose.csv" > /dev/null
check "the simulator is seeded (same bytes twice)" \
  "python3 $SIM --places $P --schedule $T/d1/schedule.csv --rr 0.75 --rate 0.4 --seed 11 \
     --events $T/ev2.csv --dosage $T/dose2.csv > /dev/null && cmp -s $T/ev.csv $T/ev2.csv \
     && cmp -s $T/dose.csv $T/dose2.csv"
printf 'crime_type,weight\nViolence and sexual offences,10\nRobbery,20\nDrugs,5\n' > "$T/harm.csv"
EVO="--src-crs EPSG:27700 --x-field x --y-field y --month-field date"
$RTM trial evaluate -q --places "$P" --schedule "$T/d1/schedule.csv" --dosage "$T/dose.csv" \
  --harm-table "$T/harm.csv" $EVO --permutations 499 -o "$T/e" "$T/ev.csv"
check "evaluate writes trial.md, trial.html, effects.csv, place_days.csv" \
  "[ -s $T/e/trial.md ] && [ -s $T/e/trial.html ] && [ -s $T/e/effects.csv ] && [ -s $T/e/place_days.csv ]"
# the simulator's truth: events per arm inside the places and in the rings
python3 - "$T/ev.csv" "$T/d1/schedule.csv" "$T/e/effects.csv" > "$T/truth" <<'PY'
import csv, sys, collections
arm = {(r["date"], r["place"]): r["arm"] for r in csv.DictReader(open(sys.argv[2]))}
n = collections.Counter()
for r in csv.DictReader(open(sys.argv[1])):
    kind, pid = r["truth"].split(":")
    n[kind, arm[r["date"], pid]] += 1
eff = {r["outcome"]: r for r in csv.DictReader(open(sys.argv[3]))}
ok = (float(eff["events"]["treatment_total"]) == n["place", "treatment"] and
      float(eff["events"]["control_total"]) == n["place", "control"] and
      float(eff["ring_events"]["treatment_total"]) == n["ring", "treatment"] and
      float(eff["ring_events"]["control_total"]) == n["ring", "control"])
e, g = eff["events"], eff["ring_events"]
print(ok, float(e["ci_low"]) <= 0.75 <= float(e["ci_high"]), float(e["ci_high"]) < 1,
      float(e["p_permutation"]) < 0.05, float(g["ci_low"]) <= 1 <= float(g["ci_high"]),
      abs(float(e["rate_ratio"]) - 0.75) < 0.15)
PY
check "event counts per arm equal the simulator's truth (places and rings)" \
  "[ \"\$(cut -d' ' -f1 $T/truth)\" = True ]"
check "the 95 % CI covers the true rate ratio 0.75 and excludes 1" \
  "[ \"\$(cut -d' ' -f2,3 $T/truth)\" = 'True True' ]"
check "the permutation test finds the effect (p < 0.05)" "[ \"\$(cut -d' ' -f4 $T/truth)\" = True ]"
check "no effect in the ring, as simulated (CI covers 1)" "[ \"\$(cut -d' ' -f5 $T/truth)\" = True ]"
check "the estimate is within 0.15 of the truth" "[ \"\$(cut -d' ' -f6 $T/truth)\" = True ]"
check "harm is reported when a harm table is given" "grep -q '^harm,' $T/e/effects.csv"
check "the report speaks plainly" "grep -q 'On patrol days, events at the 20 places were' $T/e/trial.md"
DEL=$(python3 - "$T/dose.csv" "$T/d1/schedule.csv" <<'PY'
import csv, sys
m = {(r["date"], r["place"]): float(r["minutes"]) for r in csv.DictReader(open(sys.argv[1]))}
t = [m.get((r["date"], r["place"]), 0) >= 15 for r in csv.DictReader(open(sys.argv[2])) if r["arm"] == "treatment"]
print("%.0f %% of the %d patrol place-days" % (100 * sum(t) / len(t), len(t)))
PY
)
check "compliance matches the dosage file ($DEL)" "grep -q \"$DEL\" $T/e/trial.md"

# the order of the events does not matter
(head -1 "$T/ev.csv"; tail -n +2 "$T/ev.csv" | sort -r) > "$T/ev_rev.csv"
$RTM trial evaluate -q --places "$P" --schedule "$T/d1/schedule.csv" --dosage "$T/dose.csv" \
  --harm-table "$T/harm.csv" $EVO --permutations 499 -o "$T/e2" "$T/ev_rev.csv"
check "same results for the events in another order" \
  "cmp -s $T/e/effects.csv $T/e2/effects.csv && cmp -s $T/e/trial.md $T/e2/trial.md"

# nor the number of threads (the permutation draws run in parallel)
OMP_NUM_THREADS=1 $RTM trial evaluate -q --places "$P" --schedule "$T/d1/schedule.csv" \
  $EVO --permutations 499 -o "$T/t1" "$T/ev.csv"
OMP_NUM_THREADS=2 $RTM trial evaluate -q --places "$P" --schedule "$T/d1/schedule.csv" \
  $EVO --permutations 499 -o "$T/t2" "$T/ev.csv"
check "same results with 1 and 2 threads" \
  "cmp -s $T/t1/effects.csv $T/t2/effects.csv && cmp -s $T/t1/trial.html $T/t2/trial.html"

# a fixed design evaluates with block effects and re-draws within blocks
python3 $SIM --places "$P" --schedule "$T/f/schedule.csv" --rr 0.5 --rate 0.5 --seed 5 \
  --events "$T/evf.csv" > /dev/null
$RTM trial evaluate -q --places "$P" --schedule "$T/f/schedule.csv" $EVO --permutations 199 \
  -o "$T/ef" "$T/evf.csv"
python3 - "$T/ef/effects.csv" > "$T/fx" <<'PY'
import csv, sys
e = {r["outcome"]: r for r in csv.DictReader(open(sys.argv[1]))}["events"]
print(e["method"], float(e["ci_low"]) <= 0.5 <= float(e["ci_high"]) < 1,
      float(e["p_permutation"]) < 0.05)
PY
check "fixed design: permutation-test CI covers the true 0.5 and excludes 1, p < 0.05" \
  "[ \"\$(cat $T/fx)\" = 'permutation-test CI (fixed design) True True' ] && \
   grep -q 'fixed places blocked by harm' $T/ef/trial.md"

# a job's trial surface: the same files as the command, byte for byte
python3 - > "$T/area.geojson" <<'PY'
import json
ring = [[584500, 184500], [588500, 184500], [588500, 187500], [584500, 187500], [584500, 184500]]
print(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties":
                  {"name": "urn:ogc:def:crs:EPSG::27700"}}, "features": [{"type": "Feature",
                  "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
PY
cat > "$T/job.yaml" <<EOF2
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
      date_field: date
      type_field: crime_type
surfaces:
  - type: trial
    name: patrol
    places: $P
    schedule: $T/d1/schedule.csv
    dosage: $T/dose.csv
    permutations: 199
    seed: 3
output:
  dir: $T/runs
EOF2
$RTM trial evaluate -q --places "$P" --schedule "$T/d1/schedule.csv" --dosage "$T/dose.csv" \
  --src-crs EPSG:27700 --x-field x --y-field y --month-field date --dst-crs EPSG:27700 \
  --study-area "$T/area.geojson" --resolution 100 --permutations 199 --seed 3 \
  -o "$T/ej" "$T/ev.csv"
$RTM run -q "$T/job.yaml" > "$T/runlog" 2>&1
check "a job runs a trial surface" "[ \$? -eq 0 ] && [ -s $T/runs/current/patrol/trial.md ]"
same=1
for f in effects.csv place_days.csv trial.md trial.html; do
  cmp -s "$T/ej/$f" "$T/runs/current/patrol/$f" || same=0
done
check "job and command write the same trial files" "[ $same -eq 1 ]"

# errors
sed 's/^\([^,]*,[^,]*\),2021-\([0-9][0-9]\)-[0-9][0-9],/\1,2021-\2,/' "$T/ev.csv" > "$T/ev_month.csv"
$RTM trial evaluate -q --places "$P" --schedule "$T/d1/schedule.csv" $EVO -o "$T/bad" \
  "$T/ev_month.csv" 2> "$T/err"
check "events with months only: an error saying so" "[ \$? -eq 1 ] && grep -q 'day-level' $T/err"
sed 's/^2021-06-01,1,/2021-06-01,99,/' "$T/d1/schedule.csv" > "$T/sched_bad.csv"
$RTM trial evaluate -q --places "$P" --schedule "$T/sched_bad.csv" $EVO -o "$T/bad" \
  "$T/ev.csv" 2> "$T/err"
check "a schedule naming an unknown place: an error with the row" \
  "[ \$? -eq 1 ] && grep -q 'line 2' $T/err && grep -q \"'99'\" $T/err"
check "a failed run leaves no output folder" "[ ! -e $T/bad ]"
finish
