#!/bin/sh
# make demo: the Essex sample end to end into out/.
set -e
cd "$(dirname "$0")/.."
RTM=./build/rtm
S=samples/essex
mkdir -p out
echo "== Violence and sexual offences heatmap, Essex Police area, Jan-May 2018"
$RTM kde --dst-crs EPSG:27700 --study-area $S/boundaries/essex_police_area_dissolved_bng.geojson \
  --resolution 100 --kernel quartic --radius 750 --classes mean \
  --where "\"Crime type\" = 'Violence and sexual offences'" \
  --title "Violence and sexual offences, Essex Police area" \
  --png out/essex_violence_kde.png -o out/essex_violence_kde.tif $S/crimes/2018-0*-essex-street.csv.gz
echo "== Risk Terrain Model of violence in Southend-on-Sea (pubs, licensed venues, rail stations)"
$RTM model --study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson --dst-crs EPSG:27700 \
  --resolution 100 --block 200 --max-blocks 3 --increment whole --seed 42 \
  --where "\"Crime type\" = 'Violence and sexual offences'" \
  --factor pubs=$S/risk/osm_pubs_essex_police_area.csv:both \
  --factor venues=$S/risk/fhrs_openpubs_venues_essex_police_area.csv:auto \
  --factor stations=$S/risk/naptan_rail_stations_essex_police_area.csv:proximity \
  -o out/southend_model $S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
echo "== Forecast of violence for June 2018, Essex Police area, 100 m cells (learnt from Jan-May)"
$RTM forecast --dst-crs EPSG:27700 --study-area $S/boundaries/essex_police_area_dissolved_bng.geojson \
  --resolution 100 --where "\"Crime type\" = 'Violence and sexual offences'" \
  --title "Violence and sexual offences forecast, June 2018" \
  -o out/essex_forecast $S/crimes/2018-0*-essex-street.csv.gz
echo "== Nightly job: Essex night-time economy (KDE, distance, RTM, overlay, per-district maps, report)"
$RTM run --check samples/jobs/essex-nte.yaml
$RTM run samples/jobs/essex-nte.yaml
echo "== Worked example: Southend patrol trial (places by harm -> schedule -> pings -> dosage -> evaluation)"
# 20 places of 150 m on the harm (Cambridge Crime Harm Index) of violence, robbery
# and drugs, as the Southend trial chose them (Basford et al. 2021); a 90-day
# daily randomised schedule (seed 7); simulated GPS pings of 20 devices that
# follow it (95 % compliance, background visits on control days); their
# dosage; simulated day-dated violence with a true rate ratio of 0.75; the
# evaluation. police.uk gives months only, so the trial's events are simulated.
rm -rf out/southend_trial && mkdir -p out/southend_trial
$RTM places -q --count 20 --size 150 --harm-table layers/harm/police_uk_cchi.csv \
  --dst-crs EPSG:27700 --study-area $S/boundaries/southend_on_sea_lad2011_bng.geojson \
  --where "\"Crime type\" IN ('Violence and sexual offences', 'Robbery', 'Drugs')" \
  --settings pubs=$S/risk/osm_pubs_southend_on_sea.csv \
  --settings venues=$S/risk/fhrs_openpubs_venues_southend_on_sea.csv \
  --settings stations=$S/risk/naptan_rail_stations_southend_on_sea.csv:StationName \
  --title "Southend: 20 patrol places by harm (violence, robbery, drugs)" \
  -o out/southend_trial/places $S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
RTM=$RTM DAYS=90 SEED=7 RR=0.75 COMPLIANCE=0.95 DEVICES=20 REFRESH=30 \
  sh tools/demo-trial.sh out/southend_trial/places/places.gpkg out/southend_trial pings
echo "trial: out/southend_trial/places/places.html, out/southend_trial/design/design.md,"
echo "  out/southend_trial/dosage/dosage.md, out/southend_trial/evaluation/trial.html"
echo "== outputs in out/:"
ls -l out
echo "briefing report: out/essex-nte/current/report.html"
