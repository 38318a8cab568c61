#!/bin/sh
# make demo: the Essex sample end to end into out/.
set -e
cd "$(dirname "$0")/.."
RTM=./build/rtm
S=samples/essex
mkdir -p out
echo "== Violence and sexual offences heatmap, Essex Police area, Jan-May 2018"
$RTM kde --dst-crs EPSG:27700 --study-area $S/boundaries/essex_police_area_dissolved_bng.geojson \
  --resolution 100 --kernel quartic --radius 750 \
  --where "\"Crime type\" = 'Violence and sexual offences'" \
  --title "Violence and sexual offences, Essex, Jan-May 2018" \
  --png out/essex_violence_kde.png -o out/essex_violence_kde.tif $S/crimes/2018-0*-essex-street.csv.gz
if [ -x tools/demo-more.sh ]; then ./tools/demo-more.sh; fi
echo "== outputs in out/:"
ls -l out
