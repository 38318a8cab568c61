#!/bin/sh
# CLI tests of `rtm knox`: observed pair counts against a direct double loop
# in python3, a planted near-repeat effect (tools/sim_near_repeat.py: known
# truth, ratio > 1 within the planted 200 m / 14 days, about 1 elsewhere), a
# null simulation (ratios about 1, p roughly uniform), byte-identical files
# with 1 and 2 threads, the seed recorded, month-only dates refused (exit 1),
# the day x hour table against a direct count.
RTM=${RTM_BIN:-build/rtm}
. tests/cli/harness.inc
EV="--src-crs EPSG:27700 --dst-crs EPSG:27700 --x-field x --y-field y --date-field Date"

python3 tools/sim_near_repeat.py 1500 7 --box 5000 --days 365 --repeat-share 0.2 > "$T/nr.csv"
python3 tools/sim_near_repeat.py 1500 8 --box 5000 --days 365 > "$T/null.csv"

$RTM knox -q $EV --time-field Time --iterations 199 --seed 3 --threads 1 -o "$T/a" "$T/nr.csv" 2>"$T/err"
check "knox exits 0" "[ $? -eq 0 ]"
check "knox.csv has the contract columns" \
  "head -1 '$T/a/knox.csv' | grep -q '^distance_from,distance_to,time_from,time_to,observed,expected,knox_ratio,p'"
for f in knox.json knox.md knox.png knox_dayhour.csv knox_dayhour.png; do
  check "wrote $f" "[ -s '$T/a/$f' ]"
done
$RTM knox -q $EV --time-field Time --iterations 199 --seed 3 --threads 2 -o "$T/b" "$T/nr.csv" 2>/dev/null
check "1 and 2 threads: byte-identical knox.csv" "cmp -s '$T/a/knox.csv' '$T/b/knox.csv'"
check "1 and 2 threads: byte-identical knox.png" "cmp -s '$T/a/knox.png' '$T/b/knox.png'"
check "seed recorded" "grep -q '\"seed\": 3' '$T/a/knox.json'"

# observed counts and the day x hour table by a direct double loop
cat > "$T/ref.py" <<'PY'
import csv, datetime, math, sys
rows = list(csv.DictReader(open(sys.argv[1])))
pts = [(float(r["x"]), float(r["y"]), datetime.date.fromisoformat(r["Date"]).toordinal(), r) for r in rows]
de = [0, 0.001, 200, 400, 600, 800, 1000]; te = [0, 7, 14, 21, 28]
def band(e, v):
    for b in range(len(e) - 1):
        if e[b] <= v < e[b + 1]: return b
    return -1
obs = {}
for i in range(len(pts)):
    xi, yi, ti, _ = pts[i]
    for j in range(i + 1, len(pts)):
        xj, yj, tj, _ = pts[j]
        a = band(de, math.hypot(xi - xj, yi - yj)); b = band(te, abs(ti - tj))
        if a >= 0 and b >= 0: obs[(a, b)] = obs.get((a, b), 0) + 1
bad = 0
for k, r in enumerate(csv.DictReader(open(sys.argv[2]))):
    a, b = k // 4, k % 4
    if int(r["observed"]) != obs.get((a, b), 0):
        bad += 1; print("band", a, b, r["observed"], obs.get((a, b), 0), file=sys.stderr)
days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
dh = {}
for _, _, _, r in pts:
    d = datetime.date.fromisoformat(r["Date"]).weekday(); h = int(r["Time"][:2])
    dh[(d, h)] = dh.get((d, h), 0) + 1
for r in csv.DictReader(open(sys.argv[3])):
    d = days.index(r["day"])
    for h in range(24):
        if float(r["h%02d" % h]) != dh.get((d, h), 0): bad += 1
print(bad)
PY
check "observed counts and day x hour table match a direct count" \
  "[ \"\$(python3 '$T/ref.py' '$T/nr.csv' '$T/a/knox.csv' '$T/a/knox_dayhour.csv')\" = 0 ]"

# the planted truth: near repeats within 200 m and 14 days
cat > "$T/truth.py" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
mode = sys.argv[2]
cell = {(float(r["distance_from"]), int(r["time_from"])): r for r in rows}
if mode == "planted":
    near = [cell[(0.001, 0)], cell[(0.001, 7)]]
    far = [r for r in rows if float(r["distance_from"]) >= 400 and float(r["expected"]) > 30]
    ok = all(float(r["knox_ratio"]) > 1.5 and float(r["p"]) <= 0.01 for r in near)
    ok = ok and all(0.8 < float(r["knox_ratio"]) < 1.25 for r in far) and len(far) >= 8
else:
    tested = [r for r in rows if float(r["expected"]) > 30]
    ps = [float(r["p"]) for r in rows if r["p"] not in ("", "nan")]
    ok = all(0.8 < float(r["knox_ratio"]) < 1.25 for r in tested) and len(tested) >= 10
    mean_p = sum(ps) / len(ps)
    ok = ok and 0.25 < mean_p < 0.75 and sum(p < 0.05 for p in ps) <= 4
print("yes" if ok else "no")
PY
check "planted near repeats: ratio > 1.5 (p <= 0.01) within 200 m / 14 days, ~1 beyond 400 m" \
  "[ \"\$(python3 '$T/truth.py' '$T/a/knox.csv' planted)\" = yes ]"
check "summary states the finding in plain words" \
  "grep -q 'times more frequent than chance' '$T/a/knox.md'"
$RTM knox -q $EV --iterations 199 --seed 4 -o "$T/n" "$T/null.csv" 2>/dev/null
check "null simulation: ratios ~1, p roughly uniform" \
  "[ \"\$(python3 '$T/truth.py' '$T/n/knox.csv' null)\" = yes ]"
check "no times: no day x hour files" "[ ! -e '$T/n/knox_dayhour.csv' ]"

# planted effect reaching the last band: the warning
$RTM knox $EV --distance-bands 0,100,200 --time-bands 0,7 --iterations 99 -o "$T/w" "$T/nr.csv" 2>"$T/werr"
check "warning when the effect is significant in the last band" \
  "grep -q 'still significant in the last' '$T/w/knox.md' && grep -q 'warning' '$T/werr'"

# police.uk-style months only: refused
awk -F, 'NR == 1 { print "x,y,Month"; next } { print $1 "," $2 "," substr($3, 1, 7) }' "$T/nr.csv" > "$T/months.csv"
$RTM knox -q --src-crs EPSG:27700 --dst-crs EPSG:27700 --x-field x --y-field y -o "$T/m" "$T/months.csv" 2>"$T/merr"
check "months only: exit 1" "[ $? -eq 1 ]"
check "months only: says why" "grep -q 'have no day' '$T/merr'"
$RTM knox -q $EV --time-bands 0,7.5 -o "$T/u" "$T/nr.csv" 2>/dev/null
check "fractional day edges: usage error (2)" "[ $? -eq 2 ]"

# the day x hour table beside the KDE and hot-spot outputs, only with times
G="--src-crs EPSG:27700 --dst-crs EPSG:27700 --x-field x --y-field y --month-field Date --resolution 250"
$RTM kde -q $G --time-field Time -o "$T/k.tif" "$T/nr.csv" 2>/dev/null
check "kde with times: k_dayhour.csv equals knox's table" "cmp -s '$T/k_dayhour.csv' '$T/a/knox_dayhour.csv' && [ -s '$T/k_dayhour.png' ]"
$RTM hotspots -q $G --time-field Time -o "$T/h.tif" "$T/nr.csv" 2>/dev/null
check "hotspots with times: h_dayhour.csv" "cmp -s '$T/h_dayhour.csv' '$T/a/knox_dayhour.csv'"
$RTM kde -q $G -o "$T/k2.tif" "$T/nr.csv" 2>/dev/null
check "kde without times: no day x hour files" "[ -s '$T/k2.tif' ] && [ ! -e '$T/k2_dayhour.csv' ]"
finish
