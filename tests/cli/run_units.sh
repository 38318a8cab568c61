#!/bin/sh
# CLI tests of a run fanned out as units (rtm run --plan, --unit K,
# --finish; rtm/jobunits.h) on the small Southend job: the plan; usage
# errors; every unit in reverse order and one twice, then --finish, against
# a plain run of the same job file and run date, byte for byte; a missing
# unit; units beside a held lock, in parallel and twice at once; a unit
# folder damaged by hand; the other unit types, evaluate and overlay.
#
# Compared: every file of the two run folders (the same list), byte for
# byte, except manifest.json, which holds the run's id, start and end times
# and timings (a plain run's differ from run to run too); manifest.json is
# compared with those four removed: inputs, outputs (names, sizes,
# SHA-256), parameters and counts must be equal. Both runs start with an
# empty cache, so the cache counts agree.
RTM=${RTM_BIN:-build/rtm}
D=$(cd "${RTM_TEST_DATA:-tests/data}" && pwd)
. tests/cli/harness.inc

R=$(pwd)
sed -e "s#\.\./\.\./\.\./build/test-run/southend#$T/out#" -e "s#\.\./\.\./\.\./#$R/#" \
    -e "s#^catalog: layers#catalog: $D/run/layers#" "$D/run/southend.yaml" > "$T/job.yaml"
JOB=$T/job.yaml
OUT=$T/out
DATE=2018-06-01

# 1. the plan
$RTM run --plan "$JOB" > "$T/plan.txt" 2> "$T/plan.err"
check "--plan exits 0" "[ $? -eq 0 ]"
printf '0\tkde\tkde\t-\t0/1\n1\tstations\tdistance\t-\t0/1\n2\tmodel\trtm\t-\t0/1\n' > "$T/want.txt"
check "--plan lists the three independent surfaces as units 0..2" \
  "grep -v '^finish\|^units' $T/plan.txt | cmp -s - $T/want.txt"
check "--plan puts the overlay, the areas and the report in the finish step" \
  "grep -q '^finish	overlay	overlay' $T/plan.txt && grep -q '^finish	districts	areas' $T/plan.txt && grep -q '^finish	report.html' $T/plan.txt"
check "--plan ends with the count" "[ \"\$(tail -n 1 $T/plan.txt)\" = \"units	3\" ]"
N=$($RTM run --plan --count "$JOB")
check "--plan --count prints 3" "[ '$N' = 3 ]"

# 2. usage errors (exit 2), nothing written
for args in "--unit 3" "--unit -1" "--unit x" "--unit 1x" "--unit 99999999999"; do
  $RTM run $args --run-date $DATE "$JOB" 2> "$T/usage.err"
  check "$args is a usage error (exit 2)" "[ $? -eq 2 ]"
done
check "an out-of-range unit names the count" \
  "$RTM run --unit 3 --run-date $DATE $JOB 2>&1 | grep -q 'out of range: the job has 3 units'"
$RTM run --unit 0 "$JOB" 2> "$T/usage.err"
check "--unit without --run-date exits 2" "[ $? -eq 2 ] && grep -q 'needs --run-date' $T/usage.err"
$RTM run --finish "$JOB" 2> /dev/null
check "--finish without --run-date exits 2" "[ $? -eq 2 ]"
$RTM run --plan --unit 0 --run-date $DATE "$JOB" 2> /dev/null
check "--plan with --unit exits 2" "[ $? -eq 2 ]"
$RTM run --count "$JOB" 2> /dev/null
check "--count without --plan exits 2" "[ $? -eq 2 ]"
check "usage errors write nothing" "[ ! -e $OUT ]"

# 3. a plain run, moved aside (current is a relative link, so it still resolves)
$RTM run -q --run-date $DATE "$JOB" 2> "$T/plain.err"
check "plain run exits 0" "[ $? -eq 0 ]"
mv "$OUT" "$T/plain"
P=$(readlink -f "$T/plain/current")

# 4. the units in reverse order, unit 1 twice, then the finish step
ok=1
for k in 2 1 0; do
  $RTM run -q --unit $k --run-date $DATE "$JOB" 2>> "$T/units.err" || ok=0
done
check "units 2, 1, 0 exit 0" "[ $ok -eq 1 ]"
U=$(ls -d "$OUT"/units/$DATE-* 2> /dev/null)
check "each unit in its folder OUT/units/$DATE-<id>/K" \
  "[ -f $U/0/kde.tif ] && [ -f $U/1/stations.tif ] && [ -f $U/2/model/rrs.tif ]"
check "no temporary unit folder left" "[ -z \"\$(ls -a $U | grep tmp)\" ]"
before=$(ls -li "$U/1" | md5sum)
$RTM run --unit 1 --run-date $DATE "$JOB" 2> "$T/again.err"
check "unit 1 again exits 0, says it was complete, leaves it as it was" \
  "[ $? -eq 0 ] && grep -q 'complete already' $T/again.err && [ \"\$(ls -li $U/1 | md5sum)\" = '$before' ]"
check "units do not make a run" "[ ! -e $OUT/current ]"
$RTM run -q --finish --run-date $DATE "$JOB" 2> "$T/finish.err"
check "--finish exits 0" "[ $? -eq 0 ]"
F=$(readlink -f "$OUT/current")
(cd "$P" && find . -type f | sort) > "$T/plain.lst"
(cd "$F" && find . -type f | sort) > "$T/units.lst"
check "the same $(wc -l < "$T/plain.lst") files as the plain run" "cmp -s $T/plain.lst $T/units.lst"
diffs=""
while read -r f; do
  [ "$f" = ./manifest.json ] && continue
  cmp -s "$P/$f" "$F/$f" || diffs="$diffs $f"
done < "$T/plain.lst"
check "every file byte for byte as the plain run (differ:$diffs)" "[ -z '$diffs' ]"
python3 - "$P/manifest.json" "$F/manifest.json" <<'PY' > "$T/man.out" 2>&1
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for m in (a, b):
    m.pop("timings_s")
    for k in ("id", "started", "finished"):
        m["run"].pop(k)
assert a == b, [k for k in a if a[k] != b[k]]
PY
check "manifest.json equal but for run id, times and timings" "[ $? -eq 0 ]"
[ -s "$T/man.out" ] && sed 's/^/#   /' "$T/man.out"
# the report's model tables come through the unit's state: check them against
# model/model.json, which the model product writes itself
python3 - "$F/model/model.json" "$F/report.html" <<'PY' > "$T/rrv.out" 2>&1
import json, sys
m = json.load(open(sys.argv[1]))
html = open(sys.argv[2]).read()
for v in m["variables"]:
    row = '%s</td><td class="num">%.4f</td><td class="num">%.3f</td>' % (
        v["name"], v["coefficient"], v["rrv"])
    assert row in html, row
for t in m["tiers"]:
    rr = t["rate_ratio_vs_rest"]
    cell = '<td class="num">%d</td>' % t["cells"]
    assert t["name"] + "</td>" + cell in html, (t["name"], cell)
    if rr is not None:
        assert '<td class="num">%.2f</td></tr>' % rr in html, rr
PY
check "report.html: RRV table and tiers as model/model.json" "[ $? -eq 0 ]"
[ -s "$T/rrv.out" ] && sed 's/^/#   /' "$T/rrv.out"
check "--finish removed the units" "[ ! -e $OUT/units ]"
check "no staging folder left" "[ -z \"\$(ls -d $OUT/.staging-* 2> /dev/null)\" ]"

# 5. a missing unit: --finish fails naming it, the current set stays whole,
#    the other units stay; with the unit computed it succeeds
python3 -c '
import json, sys
for o in json.load(open(sys.argv[1]))["outputs"]:
    print(o["sha256"] + "  " + o["name"])' "$F/manifest.json" > "$T/cur.sums"
D2=2018-07-01
$RTM run -q --unit 2 --run-date $D2 "$JOB" && $RTM run -q --unit 1 --run-date $D2 "$JOB"
$RTM run --finish --run-date $D2 "$JOB" 2> "$T/miss.err"
rc=$?
check "--finish with unit 0 missing exits 1" "[ $rc -eq 1 ]"
check "the message names the missing unit" "grep -q '1 of 3 units missing (unit 0)' $T/miss.err"
check "current unchanged" "[ \"\$(readlink -f $OUT/current)\" = '$F' ]"
(cd "$F" && sha256sum -c --quiet "$T/cur.sums") > /dev/null 2>&1
check "every file of the current set matches its checksum" "[ $? -eq 0 ]"
check "units 1 and 2 kept for a retry" "[ -d \$(ls -d $OUT/units/$D2-*)/1 ] && [ -d \$(ls -d $OUT/units/$D2-*)/2 ]"
# units of runs never finished: the next committed run removes those older
# than 7 days (real folders named as run ids only; never through a link)
A=$OUT/units/2018-05-01-0123456789abcdef; Y=$OUT/units/2018-05-02-fedcba9876543210
L=$OUT/units/2018-05-03-00000000000000aa; N=$OUT/units/notarun
mkdir -p "$A/0" "$Y/0" "$N" "$T/outside" && echo keep > "$T/outside/f" && ln -s "$T/outside" "$L"
touch -d '10 days ago' "$A" "$N" && touch -h -d '10 days ago' "$L"
$RTM run -q --unit 0 --run-date $D2 "$JOB" && $RTM run -q --finish --run-date $D2 "$JOB"
check "with unit 0 computed, --finish succeeds" "[ $? -eq 0 ] && [ \"\$(readlink -f $OUT/current)\" != '$F' ]"
check "the finish removed a run's units abandoned 10 days ago, kept a recent run's" \
  "[ ! -e $A ] && [ -d $Y/0 ] && [ -z \"\$(ls -d $OUT/units/$D2-* 2>/dev/null)\" ]"
check "and kept a folder not named as a run, a link and what it points to" \
  "[ -d $N ] && [ -L $L ] && [ -s $T/outside/f ]"
rm -rf "$Y" "$N" "$L"

# 6. units run beside a held lock, in parallel, and twice at once; the
#    finish step needs the lock
D3=2018-08-01
# another program holds OUT's lock (flock(2), as rtm's) until killed
python3 -c '
import fcntl, os, sys, time
f = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(60)' "$OUT/.lock" "$T/locked" > /dev/null 2>&1 &
lockpid=$!
n=0
while [ ! -e "$T/locked" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
$RTM run -q --finish --run-date $D3 "$JOB" 2> "$T/locked.err"
check "--finish fails on a held lock (exit 1)" "[ $? -eq 1 ] && grep -q 'in use by another' $T/locked.err"
pids=""
for k in 0 1 2 0; do
  $RTM run -q --threads 1 --unit $k --run-date $D3 "$JOB" 2> "$T/par$k.err" &
  pids="$pids $!"
done
bad=0
for p in $pids; do wait "$p" || bad=$((bad + 1)); done
check "four units in parallel (unit 0 twice) beside the lock: all exit 0" "[ $bad -eq 0 ]"
kill "$lockpid" 2> /dev/null
wait "$lockpid" 2> /dev/null
U3=$(ls -d "$OUT"/units/$D3-*)
check "one folder per unit, no temporary left" \
  "[ \"\$(ls -a $U3 | grep -v '^\.\.\?$' | tr '\n' ' ')\" = '0 1 2 ' ]"
# a unit folder damaged by hand: reported missing, then computed again
rm "$U3/1/stations.tif"
$RTM run -q --finish --run-date $D3 "$JOB" 2> "$T/damaged.err"
check "a unit with a file removed counts as missing" \
  "[ $? -eq 1 ] && grep -q '(unit 1)' $T/damaged.err"
$RTM run -q --unit 1 --run-date $D3 "$JOB" && $RTM run -q --finish --run-date $D3 "$JOB"
check "recomputed, the finish step succeeds" "[ $? -eq 0 ]"
# (the job's window is fixed, so another run date changes only the report's
# "Run date" line and the manifest)
G=$(readlink -f "$OUT/current")
diffs=""
while read -r f; do
  case "$f" in ./manifest.json|./report.html) continue ;; esac
  cmp -s "$P/$f" "$G/$f" || diffs="$diffs $f"
done < "$T/plain.lst"
check "parallel units: every file as the plain run but the report (differ:$diffs)" "[ -z '$diffs' ]"

# 7. the other unit types, and evaluate (reading units' GeoTIFFs) and an
#    overlay in the finish step: units two at a time against a plain run
python3 - "$JOB" "$T/mix.yaml" "$T/mix" <<'PY'
import sys
s = open(sys.argv[1]).read().replace(sys.argv[3].rsplit("/", 1)[0] + "/out", sys.argv[3])
head, rest = s.split("surfaces:\n", 1)
surf = """surfaces:
  - type: kde
    radius: 600
  - type: hotspots
    band: 500
  - type: evaluate
    surfaces: [kde, hotspots]
    backtest: true
    min_train: 3
  - type: change
    radius: 600
    iterations: 99
    after_months: 2
  - type: forecast
  - type: emerging
  - type: places
    count: 5
    size: 250
  - type: repeats
  - type: overlay
    layers: [kde, hotspots]
"""
open(sys.argv[2], "w").write(head + surf + rest[rest.index("areas:"):])
PY
M=$($RTM run --plan --count "$T/mix.yaml")
check "mixed job: 7 units (evaluate and overlay in the finish step)" \
  "[ '$M' = 7 ] && [ \$($RTM run --plan $T/mix.yaml | grep -c '^finish	\(evaluate\|overlay\)	') -eq 2 ]"
$RTM run -q --run-date $DATE "$T/mix.yaml" 2> "$T/mix-plain.err"
check "mixed job: plain run exits 0" "[ $? -eq 0 ]"
mv "$T/mix" "$T/mix-plain"
seq 6 -1 0 | xargs -P 2 -I {} $RTM run -q --threads 1 --unit {} --run-date $DATE "$T/mix.yaml" \
  2> "$T/mix-units.err"
check "mixed job: units two at a time exit 0" "[ $? -eq 0 ]"
$RTM run -q --finish --run-date $DATE "$T/mix.yaml" 2> "$T/mix-finish.err"
check "mixed job: --finish exits 0" "[ $? -eq 0 ]"
MP=$(readlink -f "$T/mix-plain/current")
MF=$(readlink -f "$T/mix/current")
(cd "$MP" && find . -type f | sort) > "$T/mp.lst"
(cd "$MF" && find . -type f | sort) > "$T/mf.lst"
diffs=""
while read -r f; do
  [ "$f" = ./manifest.json ] && continue
  cmp -s "$MP/$f" "$MF/$f" || diffs="$diffs $f"
done < "$T/mp.lst"
check "mixed job: the same $(wc -l < "$T/mp.lst") files, byte for byte (differ:$diffs)" \
  "cmp -s $T/mp.lst $T/mf.lst && [ -z '$diffs' ]"

finish
