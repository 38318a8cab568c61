#!/bin/sh
# CLI tests of the warnings of `rtm run`: --check warns about listed types no
# event of the data has (with a "did you mean"), and a run that uses less than
# 10 % of the previous run's offences logs a warning. A small kde-only job on
# the Southend-on-Sea sample data, built in $T.
RTM=${RTM_BIN:-build/rtm}
R=$(pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; }
check() { if eval "$2"; then ok "$1"; else no "$1"; fi; }

# job TYPES: the job with that types: list in $T/job.yaml
job() {
  cat > "$T/job.yaml" <<YAML
name: warnings
study_area:
  file: $R/samples/essex/boundaries/southend_on_sea_lad2011_bng.geojson
crs: EPSG:27700
cell_size: 250
offences:
  sources:
    - file: $R/samples/essex/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
      x_field: Longitude
      y_field: Latitude
      crs: EPSG:4326
      type_field: Crime type
      date_field: Month
  types: $1
  from: 2018-01
  to: 2018-05
surfaces:
  - type: kde
    radius: 600
output:
  dir: $T/out
  formats: [tif]
YAML
}

# 1. --check: a misspelt type and one that is not in the data
job "[Violence and sexual offences, Burglery, Nothing at all]"
$RTM run --check "$T/job.yaml" 2> "$T/check.err"
check "--check with unmatched types still exits 0" "[ $? -eq 0 ]"
check "a misspelt type is a warning with a suggestion" \
  "grep -q \"job.yaml:14:41: warning: type 'Burglery' selects nothing.*did you mean 'Burglary'?\" $T/check.err"
check "a type not in the data is a warning" \
  "grep -q \"warning: type 'Nothing at all' selects nothing\" $T/check.err"
check "a type in the data is not" "! grep -q \"'Violence and sexual offences' selects\" $T/check.err"
check "the summary counts the warnings" "grep -q 'valid, 2 warnings' $T/check.err"
job "[violence and sexual offences]"
$RTM run --check "$T/job.yaml" 2> "$T/check2.err"
check "types match case-insensitively, as the run does" \
  "[ $? -eq 0 ] && ! grep -q warning $T/check2.err"

# 2. a sudden drop in the offences used
job "[Violence and sexual offences, Public order]"
$RTM run --run-date 2018-06-01 "$T/job.yaml" 2> "$T/run1.log"
check "first run exits 0" "[ $? -eq 0 ]"
check "the summary says how many offences were used" "grep -Eq 'offences: [0-9]+ read, [0-9]+ used' $T/run1.log"
check "no previous run, no warning" "! grep -q 'warning:' $T/run1.log"
$RTM run --run-date 2018-06-01 "$T/job.yaml" 2> "$T/run2.log"
check "the same count again: no warning" "[ $? -eq 0 ] && ! grep -q 'warning:' $T/run2.log"
job "[Bicycle theft]"
$RTM run --run-date 2018-06-01 "$T/job.yaml" 2> "$T/run3.log"
check "a run using under 10 % of the previous count still succeeds" "[ $? -eq 0 ]"
check "and logs a warning naming both counts" \
  "grep -Eq 'rtm run: warning: offences: [0-9]+ used, less than 10 % of the [0-9]+ of the previous run' $T/run3.log"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
