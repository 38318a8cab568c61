#!/bin/sh
# demo-trial.sh: a simulated 90-day patrol trial on a set of places, end to end:
#   rtm trial design -> tools/sim_trial.py (events with a known effect, and a
#   dosage file unless one is given) -> rtm trial evaluate.
# Usage: tools/demo-trial.sh PLACES.gpkg OUTDIR [DOSAGE.csv]
# Environment: RTM (default build/rtm), START (2021-06-01), DAYS (90), RR (0.75,
# the true rate ratio), RATE (0.15 events per place-day), SEED (7), CRS (EPSG:27700,
# the places' CRS for the simulated coordinates).
set -eu
RTM=${RTM:-build/rtm}
PLACES=$1
OUT=$2
DOSE=${3:-}
START=${START:-2021-06-01}
DAYS=${DAYS:-90}
RR=${RR:-0.75}
RATE=${RATE:-0.15}
SEED=${SEED:-7}
CRS=${CRS:-EPSG:27700}
HERE=$(dirname "$0")
mkdir -p "$OUT"
"$RTM" trial design -q --places "$PLACES" --start "$START" --days "$DAYS" --seed "$SEED" \
  -o "$OUT/design"
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
"$RTM" trial evaluate --places "$PLACES" --schedule "$OUT/design/schedule.csv" \
  --dosage "$DOSE" --harm-table "$OUT/sim_harm.csv" --harm-unit "illustrative harm weights" \
  --src-crs "$CRS" --x-field x --y-field y --month-field date \
  --outcome "simulated violent crimes" -o "$OUT/evaluation" "$OUT/sim_events.csv"
