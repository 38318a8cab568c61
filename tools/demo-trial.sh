#!/bin/sh
# demo-trial.sh: a simulated 90-day patrol trial on a set of places, end to end:
#   rtm trial design -> patrol dosage -> tools/sim_trial.py (events with a known
#   effect) -> rtm trial evaluate.
# Usage: tools/demo-trial.sh PLACES.gpkg OUTDIR [DOSAGE.csv | pings]
# The dosage: a given dosage.csv; or, with `pings`, pings simulated to follow
# the schedule (build/sim_pings --schedule: 15.5-20 minute foot patrols at the
# treatment places of each day with probability COMPLIANCE, short visits and
# drive-bys at control places) measured by `rtm dosage` into OUTDIR/dosage
# (ground truth in OUTDIR/pings/truth.csv); or, with nothing, a dosage file
# drawn by tools/sim_trial.py.
# Environment: RTM (default build/rtm), SIM_PINGS (build/sim_pings), START
# (2021-06-01), DAYS (90), RR (0.75, the true rate ratio), RATE (0.15 events per
# place-day), SEED (7), CRS (EPSG:27700, the places' CRS for the simulated
# coordinates), DEVICES (20), REFRESH (30 s), COMPLIANCE (0.95), PERMUTATIONS
# (rtm's default when empty).
set -eu
RTM=${RTM:-build/rtm}
SIM_PINGS=${SIM_PINGS:-build/sim_pings}
PLACES=$1
OUT=$2
DOSE=${3:-}
START=${START:-2021-06-01}
DAYS=${DAYS:-90}
RR=${RR:-0.75}
RATE=${RATE:-0.15}
SEED=${SEED:-7}
CRS=${CRS:-EPSG:27700}
DEVICES=${DEVICES:-20}
REFRESH=${REFRESH:-30}
COMPLIANCE=${COMPLIANCE:-0.95}
PERM=${PERMUTATIONS:+--permutations $PERMUTATIONS}
HERE=$(dirname "$0")
mkdir -p "$OUT"
"$RTM" trial design -q --places "$PLACES" --start "$START" --days "$DAYS" --seed "$SEED" \
  -o "$OUT/design"
if [ "$DOSE" = pings ]; then
  rm -rf "$OUT/pings" "$OUT/dosage"
  mkdir -p "$OUT/pings"
  "$SIM_PINGS" --places "$PLACES" --schedule "$OUT/design/schedule.csv" --out "$OUT/pings" \
    --truth "$OUT/pings/truth.csv" --devices "$DEVICES" --refresh-min "$REFRESH" \
    --refresh-max "$REFRESH" --compliance "$COMPLIANCE" --seed "$SEED" --one-file \
    2> "$OUT/pings/sim_pings.txt"
  "$RTM" dosage -q --places "$PLACES" --id-field device --time-field time --src-crs "$CRS" \
    -o "$OUT/dosage" "$OUT/pings/pings.csv"
  DOSE=$OUT/dosage/dosage.csv
fi
if [ -z "$DOSE" ]; then
  DOSE=$OUT/sim_dosage.csv
  python3 "$HERE/sim_trial.py" --places "$PLACES" --schedule "$OUT/design/schedule.csv" \
    --rr "$RR" --rate "$RATE" --seed "$SEED" --events "$OUT/sim_events.csv" --dosage "$DOSE"
else
  python3 "$HERE/sim_trial.py" --places "$PLACES" --schedule "$OUT/design/schedule.csv" \
    --rr "$RR" --rate "$RATE" --seed "$SEED" --events "$OUT/sim_events.csv"
fi
printf 'crime_type,weight\nViolence and sexual offences,10\nRobbery,20\nDrugs,5\n' \
  > "$OUT/sim_harm.csv"
rm -rf "$OUT/evaluation"
# shellcheck disable=SC2086
"$RTM" trial evaluate -q --places "$PLACES" --schedule "$OUT/design/schedule.csv" \
  --dosage "$DOSE" --harm-table "$OUT/sim_harm.csv" --harm-unit "illustrative harm weights" \
  --src-crs "$CRS" --x-field x --y-field y --month-field date $PERM \
  --outcome "simulated violent crimes" -o "$OUT/evaluation" "$OUT/sim_events.csv"
