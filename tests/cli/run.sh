#!/bin/sh
# CLI tests of `rtm run JOB`: --check exit codes and messages, a full run of a
# small Southend job (outputs read back by gdalinfo, manifest checksums
# against sha256sum), the cache on a rerun, identical outputs with 1 and 2
# threads, kill -9 during a run, the lock, and report.html in headless
# Chromium with a hostile location label.
RTM=${RTM_BIN:-build/rtm}
D=$(cd "${RTM_TEST_DATA:-tests/data}" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; }
check() { if eval "$2"; then ok "$1"; else no "$1"; fi; }

# The test jobs with absolute paths and their output in $T.
R=$(pwd)
for j in southend hostile; do
  sed -e "s#\.\./\.\./\.\./build/test-run/$j#$T/$j#" -e "s#\.\./\.\./\.\./#$R/#" \
      -e "s#^catalog: layers#catalog: $D/run/layers#" \
      -e "s#file: hostile-events.csv#file: $D/run/hostile-events.csv#" \
      "$D/run/$j.yaml" > "$T/$j.yaml"
done
JOB=$T/southend.yaml
OUT=$T/southend

# 1. --check
$RTM run --check "$D/run/southend.yaml" 2> "$T/check.err"
check "--check on a valid job exits 0" "[ $? -eq 0 ]"
$RTM run --check "$D/run/bad.yaml" 2> "$T/bad.err"
check "--check on an invalid job exits 2" "[ $? -eq 2 ]"
check "every problem with file:line:col" \
  "grep -q 'bad.yaml:5:12: ' $T/bad.err && grep -q 'bad.yaml:11:5: .*radious' $T/bad.err"
check "--check computes nothing" "[ ! -e $D/run/out ] && [ ! -e $OUT ]"
$RTM run "$D/run/bad.yaml" 2> /dev/null
check "running an invalid job exits 2" "[ $? -eq 2 ]"
$RTM run --threads 0 "$JOB" 2> /dev/null
check "bad --threads exits 2" "[ $? -eq 2 ]"
$RTM run --run-date 2018-13-01 "$JOB" 2> /dev/null
check "bad --run-date exits 2" "[ $? -eq 2 ]"
$RTM run --help > "$T/help.txt"
check "--help documents the exit codes" "grep -q 'Exit status: 0' $T/help.txt"

# 2. a full run, one thread
t0=$(date +%s.%N)
$RTM run --threads 1 --run-date 2018-06-01 "$JOB" 2> "$T/run1.log"
rc=$?
t1=$(date +%s.%N)
check "full run exits 0" "[ $rc -eq 0 ]"
check "log lines carry a UTC timestamp" \
  "grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z rtm run: ' $T/run1.log"
C1=$(readlink -f "$OUT/current")
cp -r "$C1" "$T/first"
missing=""
for f in kde.tif kde.png stations.tif stations.png model/rrs.tif model/rrs.png model/tiers.tif \
         model/tiers.png model/cv.png model/priority_places.gpkg model/model.md model/model.json \
         overlay.tif overlay.png report.html manifest.json; do
  [ -s "$T/first/$f" ] || missing="$missing $f"
done
check "every output present (missing:$missing)" "[ -z '$missing' ]"
check "per-area maps written" "ls $T/first/areas/districts/*southend_on_sea.png > /dev/null 2>&1"
bad=""
for f in "$T"/first/*.tif; do
  gdalinfo "$f" 2> /dev/null | grep -q 'EPSG.*27700' || bad="$bad $(basename "$f")"
done
check "gdalinfo reads every GeoTIFF in EPSG:27700 (bad:$bad)" "[ -z '$bad' ]"

# manifest outputs -> "sha  name" lines for sha256sum -c
sums() {
  python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
for o in m["outputs"]:
    print(o["sha256"] + "  " + o["name"])' "$1"
}
sums "$T/first/manifest.json" > "$T/first.sums"
n=$(wc -l < "$T/first.sums")
check "manifest lists $n outputs (>= 25)" "[ $n -ge 25 ]"
(cd "$T/first" && sha256sum -c --quiet "$T/first.sums") > "$T/sum.out" 2>&1
check "manifest checksums match sha256sum" "[ $? -eq 0 ]"
check "every file of the run is in the manifest" \
  "[ \$(cd $T/first && find . -type f ! -name manifest.json | wc -l) -eq $n ]"
python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
assert all(len(i["sha256"]) == 64 for i in m["inputs"])
assert any(i["role"] == "offences" for i in m["inputs"])
c = m["counts"]
assert c["offences.used"] > 1000 and c["offences.read"] >= c["offences.used"]
assert "total" in m["timings_s"]' "$T/first/manifest.json" 2> "$T/py.err"
check "manifest inputs, counts and timings" "[ $? -eq 0 ]"
check "report.html has no timings" "! grep -qi 'timing\|seconds' $T/first/report.html"

# 3. a rerun with two threads reuses the cached distance surface and gives
#    the same bytes
t2=$(date +%s.%N)
$RTM run --threads 2 --run-date 2018-06-01 "$JOB" 2> "$T/run2.log"
rc=$?
t3=$(date +%s.%N)
check "rerun exits 0" "[ $rc -eq 0 ]"
check "rerun log says the cache was used" "grep -q 'reused from cache' $T/run2.log"
check "rerun reuses the model's candidate variables" "grep -q 'candidate variables reused from cache' $T/run2.log"
C2=$(readlink -f "$OUT/current")
check "rerun is a new current run folder" "[ '$C1' != '$C2' ]"
diffs=""
while read -r sum name; do
  cmp -s "$T/first/$name" "$C2/$name" || diffs="$diffs $name"
done < "$T/first.sums"
check "threads 1 vs 2 (cached): identical outputs (differ:$diffs)" "[ -z '$diffs' ]"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN { printf "# first run %.2f s, cached rerun %.2f s\n", b - a, d - c }'

# 4. kill -9 during a run leaves the previous set complete
sums "$C2/manifest.json" > "$T/c2.sums"
$RTM run -q --threads 2 --run-date 2018-06-01 "$JOB" 2> /dev/null &
pid=$!
sleep 0.5
kill -9 $pid 2> /dev/null
wait $pid 2> /dev/null
C3=$(readlink -f "$OUT/current")
(cd "$C3" && sha256sum -c --quiet "$T/c2.sums") > /dev/null 2>&1
check "after kill -9 every file of the current set matches its checksum" "[ $? -eq 0 ]"

# 5. the lock: a run on an output whose lock is held fails and names the
#    holder. The holder is flock(1), which takes the same flock(2) lock, so
#    the test does not depend on how long a real run lasts (a run racing
#    another finished within the old test's half second once runs got
#    faster). One holder writes its pid into the lock, as a run does
#    ("another run (pid N)"), the other does not ("another program").
#    Then a run without cache, on two threads, gives the first run's bytes.
hold() { # hold MODE: flock on $OUT/.lock until $T/release exists; MODE pid writes the pid
  rm -f "$T/release"
  flock "$OUT/.lock" sh -c 'if [ "$1" = pid ]; then echo "$PPID" > "$2"; fi
    i=0; while [ ! -e "$3" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done' \
    sh "$1" "$OUT/.lock" "$T/release" &
  holder=$!
  i=0 # until the lock is taken (and the pid written), at most 30 s
  while flock -n "$OUT/.lock" true && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
  [ "$1" != pid ] || while [ "$(cat "$OUT/.lock")" != "$holder" ] && [ $i -lt 600 ]; do
    sleep 0.05; i=$((i + 1)); done
}
hold pid
$RTM run -q --run-date 2018-06-01 "$JOB" 2> "$T/lock.err"
rc=$?
touch "$T/release"
wait $holder
check "a run while another holds the output exits 1" "[ $rc -eq 1 ]"
check "the lock message names the other run and its pid" \
  "grep -q \"in use by another run (pid $holder)\" $T/lock.err"
hold nopid
$RTM run -q --run-date 2018-06-01 "$JOB" 2> "$T/lock2.err"
rc=$?
touch "$T/release"
wait $holder
check "a lock held by another program: exit 1, the program's pid named" \
  "[ $rc -eq 1 ] && grep -q \"in use by another program (pid $holder)\" $T/lock2.err"
rm -rf "$OUT/cache"
$RTM run -q --threads 2 --run-date 2018-06-01 "$JOB" 2> "$T/bg.err"
bgrc=$?
check "the run after a refused one completes" "[ $bgrc -eq 0 ]"
C4=$(readlink -f "$OUT/current")
diffs=""
while read -r sum name; do
  cmp -s "$T/first/$name" "$C4/$name" || diffs="$diffs $name"
done < "$T/first.sums"
check "threads 1 vs 2 (computed): identical outputs (differ:$diffs)" "[ -z '$diffs' ]"
check "no staging directory left" "[ -z \"\$(ls -d $OUT/.staging-* 2> /dev/null)\" ]"

# 6. hostile location labels, hour windows; report.html in headless Chromium
$RTM run -q "$T/hostile.yaml" 2> "$T/hostile.err"
check "hostile job exits 0" "[ $? -eq 0 ]"
H=$(readlink -f "$T/hostile/current")
# independent count: wanted types in Fri/Sat 20:00 -> 04:00 next day
want=$(python3 - "$D/run/hostile-events.csv" <<'PY'
import csv, datetime, sys
n = 0
for r in csv.DictReader(open(sys.argv[1])):
    if r["Crime type"] not in ("Violence and sexual offences", "Public order"):
        continue
    d = datetime.date.fromisoformat(r["Date"]).weekday()
    h, m = map(int, r["Time"].split(":"))
    t = h * 60 + m
    n += (d in (4, 5) and t >= 1200) or (d in (5, 6) and t < 240)
print(n)
PY
)
got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["offences.used"])' "$H/manifest.json")
check "hour window keeps $want offences (got $got)" "[ '$want' = '$got' ] && [ $want -gt 0 ]"
check "hostile label escaped in the report" \
  "grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' $H/report.html && ! grep -q '<script' $H/report.html"
RTM_REPORT_HTML="$H/report.html" sh tests/cli/report_chromium.sh > "$T/chromium.out" 2>&1
crc=$?
check "report.html in headless Chromium: no console errors, images decode, text escaped" \
  "[ $crc -eq 0 ] && grep -q '^ok - .*opens cleanly' $T/chromium.out && ! grep -q '^not ok' $T/chromium.out"
[ $crc -eq 0 ] || sed 's/^/#   /' "$T/chromium.out"

# 7. a rolling window ends with the month before the run date's month
sed -e 's/^  from: 2018-01$/  window: 2 months to the run date/' -e '/^  to: 2018-01$/d' \
  -e "s#$T/hostile#$T/rolling#" "$T/hostile.yaml" > "$T/rolling.yaml"
$RTM run -q --run-date 2018-02-10 "$T/rolling.yaml" 2> /dev/null
check "rolling window run exits 0" "[ $? -eq 0 ]"
python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
assert m["parameters"]["months.from"] == "2017-12" and m["parameters"]["months.to"] == "2018-01"
assert m["counts"]["offences.used"] == int(sys.argv[2])' "$T/rolling/current/manifest.json" "$want" 2> /dev/null
check "rolling 2 months to 2018-02-10 = 2017-12..2018-01, same offences" "[ $? -eq 0 ]"

# 8. backtest: false on the rtm surface (rtm model --no-backtest): same map, and
# the model reports say the back-test was switched off
sed -e 's/^    max_blocks: 2$/    max_blocks: 2\n    backtest: false/' -e "s#$T/southend#$T/nobt#" \
  "$JOB" > "$T/nobt.yaml"
$RTM run -q --threads 1 --run-date 2018-06-01 "$T/nobt.yaml" 2> "$T/nobt.err"
check "backtest: false run exits 0" "[ $? -eq 0 ]"
python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["backtest"]
b = json.load(open(sys.argv[2]))["backtest"]
assert a["done"] and not b["done"] and b["why"].startswith("switched off"), (a, b)' \
  "$T/first/model/model.json" "$T/nobt/current/model/model.json" 2> "$T/nobt.py"
check "backtest: false switches the model back-test off, the default keeps it" "[ $? -eq 0 ]"
check "backtest: false: same rrs.tif" "cmp -s $T/first/model/rrs.tif $T/nobt/current/model/rrs.tif"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
