#!/bin/sh
# CLI test of the worked trial example of `make demo` on a smaller scale (14
# days instead of 90): Southend places by harm (rtm places) -> a seeded daily
# schedule (rtm trial design) -> simulated pings that follow it
# (build/sim_pings --schedule, 95 % compliance) -> rtm dosage -> simulated
# day-dated events with a true rate ratio of 0.75 (tools/sim_trial.py) ->
# rtm trial evaluate. Checks: the measured minutes on the treatment
# place-days against the simulator's ground truth, the compliance reported
# in trial.md against the configured compliance, the estimate against the
# true rate ratio.
RTM=${RTM_BIN:-build/rtm}
SIM=${RTM_SIM:-build/sim_pings}
. tests/cli/harness.inc
[ -x "$SIM" ] || make --no-print-directory -s "$SIM" >/dev/null
S=samples/essex

"$RTM" places -q --count 20 --size 150 --harm-table layers/harm/police_uk_cchi.csv \
  --dst-crs EPSG:27700 --study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson \
  --where "\"Crime type\" IN ('Violence and sexual offences', 'Robbery', 'Drugs')" \
  --settings venues=$S/risk/fhrs_openpubs_venues_southend_on_sea.csv \
  -o "$T/places" $S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
check "20 places chosen on harm" "[ \$(tail -n +2 $T/places/places.csv | wc -l) -eq 20 ]"

RTM=$RTM SIM_PINGS=$SIM DAYS=14 SEED=7 RR=0.75 RATE=0.6 COMPLIANCE=0.95 DEVICES=20 \
  REFRESH=30 PERMUTATIONS=199 sh tools/demo-trial.sh "$T/places/places.gpkg" "$T/c" pings \
  > "$T/log" 2>&1
check "the chain runs: schedule, pings, dosage, evaluation" \
  "[ \$? -eq 0 ] && [ -s $T/c/design/schedule.csv ] && [ -s $T/c/pings/pings.csv ] && \
   [ -s $T/c/dosage/dosage.csv ] && [ -s $T/c/dosage/dosage.tif ] && [ -s $T/c/evaluation/trial.md ]"
check "the pings cover the schedule's 14 days" \
  "[ \$(tail -n +2 $T/c/dosage/dosage.csv | cut -d, -f2 | sort -u | wc -l) -eq 14 ]"

# Dosage against the truth on the place-days of each arm. The truth is the
# noise-free path sampled every 0.1 s; measured minutes differ by corner
# cutting between 30 s fixes, 5 m GPS noise and lost-signal gaps (3-10 min
# on 0.2 % of travel fixes, which can break a track on arrival).
# Tolerance: total on treatment place-days within 3 %, 90 % of treatment
# place-days within 0.5 min (observed at 90 days: -1.2 %, 0.29 min).
python3 - "$T/c/design/schedule.csv" "$T/c/pings/truth.csv" "$T/c/dosage/dosage.csv" \
  "$T/c/evaluation/trial.md" "$T/c/evaluation/effects.csv" > "$T/res" <<'PY'
import csv, collections, math, re, sys
arm = {(r["date"], r["place"]): r["arm"] for r in csv.DictReader(open(sys.argv[1]))}
t = collections.Counter()
for r in csv.DictReader(open(sys.argv[2])):
    t[r["date"], r["place"]] += float(r["minutes"])
m = {(r["date"], r["place"]): float(r["minutes"]) for r in csv.DictReader(open(sys.argv[3]))}
tr = [k for k in arm if arm[k] == "treatment"]
tt, mm = sum(t[k] for k in tr), sum(m.get(k, 0) for k in tr)
err = sorted(abs(t[k] - m.get(k, 0)) for k in tr)
rel, p90 = (mm - tt) / tt, err[int(0.9 * len(err))]
md = open(sys.argv[4]).read()
g = re.search(r"(\d+) % of the (\d+) patrol place-days had at least 15 minutes", md)
comp, n = int(g.group(1)) / 100, int(g.group(2))
se = math.sqrt(0.95 * 0.05 / n)
e = {r["outcome"]: r for r in csv.DictReader(open(sys.argv[5]))}["events"]
print("rel=%.4f p90=%.3f compliance=%.2f n=%d se=%.3f rr=%.3f ci=%s-%s" % (
    rel, p90, comp, n, se, float(e["rate_ratio"]), e["ci_low"][:5], e["ci_high"][:5]))
print(abs(rel) <= 0.03, p90 <= 0.5, abs(comp - 0.95) <= 3 * se + 0.005,
      float(e["ci_low"]) <= 0.75 <= float(e["ci_high"]))
PY
head -1 "$T/res" | sed 's/^/# /'
set -- $(tail -1 "$T/res")
check "treatment place-days: dosage total within 3 % of the truth" "[ '$1' = True ]"
check "treatment place-days: 90 % within 0.5 min of the truth" "[ '$2' = True ]"
check "compliance in trial.md within 3 standard errors of the configured 95 %" "[ '$3' = True ]"
check "the 95 % CI of the rate ratio covers the true 0.75" "[ '$4' = True ]"
CM=$(sed -n 's/.*control place-days had \([0-9.]*\) minutes.*/\1/p' "$T/c/evaluation/trial.md")
check "control place-days: about 2 minutes of background presence ($CM, between 1 and 4)" \
  "awk 'BEGIN{exit !(\"$CM\" + 0 >= 1 && \"$CM\" + 0 <= 4)}'"
finish
