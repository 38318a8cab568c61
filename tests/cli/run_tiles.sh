#!/bin/sh
# CLI tests of tiled surfaces in jobs (`tiles: N` on kde, hotspots, change,
# emerging and rtm; rtm/tile.h, rtm/jobunits.h): the plan lists one unit per strip;
# a plain run of the tiled job writes every file of the same job without
# tiles, byte for byte; its units run one by one (in reverse) and --finish
# give the same; a missing strip stops --finish; `tiles` on a surface that
# cannot be tiled is refused when the job is read.
# Compared: every file of the run folders except manifest.json (it records
# the job file, which differs by the tiles lines, and the run's times).
RTM=${RTM_BIN:-build/rtm}
D=$(cd "${RTM_TEST_DATA:-tests/data}" && pwd)
. tests/cli/harness.inc

R=$(pwd)
# job TILES OUT: the Southend test job with a kde, hotspots, change and
# emerging surface, each in TILES strips (1: the lines left out)
job() {
  sed -e "s#\.\./\.\./\.\./build/test-run/southend#$2#" -e "s#\.\./\.\./\.\./#$R/#" \
      -e "s#^catalog: layers#catalog: $D/run/layers#" -e '/^  - type: rtm/,/^    max_blocks/d' \
      -e '/^  - type: overlay/,/^    weights/d' "$D/run/southend.yaml"
}
add() {
  t=""; [ "$1" -gt 1 ] && t="    tiles: $1"
  awk -v t="$t" '{print} /^surfaces:/ {
    print "  - type: hotspots"; print "    name: hot"; print "    band: 600"; print "    fdr: true"; if (t != "") print t
    print "  - type: change"; print "    name: rise"; print "    radius: 800"; print "    iterations: 49"; if (t != "") print t
    print "  - type: emerging"; print "    name: emer"; print "    step: month"; print "    band: 600"; if (t != "") print t }
    /^    radius: 600$/ && t != "" {print t}'
}
job 1 "$T/out1" | add 1 > "$T/job1.yaml"
job 3 "$T/out3" | add 3 > "$T/job3.yaml"
job 3 "$T/outu" | add 3 > "$T/jobu.yaml"
DATE=2018-06-01

$RTM run --plan "$T/job3.yaml" > "$T/plan.txt" 2> "$T/plan.err"
check "--plan of the tiled job exits 0" "[ $? -eq 0 ]"
check "--plan: 3 strips of each of hot, rise, emer and kde, then the distance (13 units)" \
  "[ \"\$(grep -c '	hot	hotspots	-	[012]/3' $T/plan.txt)\" = 3 ] && [ \"\$(grep -c '	rise	change	-	[012]/3' $T/plan.txt)\" = 3 ] && [ \"\$(grep -c '	emer	emerging	-	[012]/3' $T/plan.txt)\" = 3 ] && [ \"\$(grep -c '	kde	kde	-	[012]/3' $T/plan.txt)\" = 3 ] && [ \"\$(tail -n 1 $T/plan.txt)\" = 'units	13' ]"

$RTM run -q --run-date $DATE "$T/job1.yaml" 2> "$T/run1.err"
check "the job without tiles runs" "[ $? -eq 0 ]"
$RTM run -q --run-date $DATE "$T/job3.yaml" 2> "$T/run3.err"
check "the tiled job runs in one process" "[ $? -eq 0 ]"
A=$(readlink -f "$T/out1/current"); B=$(readlink -f "$T/out3/current")
# same A B: the same files, byte for byte, manifest.json aside
same() {
  (cd "$1" && find . -type f ! -name manifest.json | sort) > "$T/a.lst"
  (cd "$2" && find . -type f ! -name manifest.json | sort) > "$T/b.lst"
  cmp -s "$T/a.lst" "$T/b.lst" || return 1
  while read -r f; do cmp -s "$1/$f" "$2/$f" || { echo "# differs: $f"; return 1; }; done < "$T/a.lst"
  [ -s "$1/hot_z.tif" ] && [ -s "$1/rise/significance.tif" ] && [ -s "$1/kde.tif" ] &&
    [ -s "$1/emer/zscores.tif" ]
}
check "tiled run = untiled run, every file byte for byte" "same $A $B"
check "no tile file or unit folder left in the run" \
  "[ -z \"\$(find $B -name '*.tile-*')\" ] && [ ! -e $T/out3/units ]"

k=12; ok=1
while [ $k -ge 0 ]; do
  [ $k -eq 4 ] || $RTM run -q --unit $k --run-date $DATE "$T/jobu.yaml" 2>> "$T/u.err" || ok=0
  k=$((k - 1))
done
check "units 12..0 but 4 exit 0" "[ $ok -eq 1 ]"
$RTM run -q --finish --run-date $DATE "$T/jobu.yaml" 2> "$T/f.err"
check "--finish with strip 4 missing exits 1 naming it" "[ $? -eq 1 ] && grep -q 'unit 4' $T/f.err && [ ! -e $T/outu/current ]"
$RTM run -q --unit 4 --run-date $DATE "$T/jobu.yaml" 2>> "$T/u.err"
$RTM run -q --finish --run-date $DATE "$T/jobu.yaml" 2> "$T/f.err"
check "then --finish exits 0" "[ $? -eq 0 ]"
check "units + finish = untiled run, every file byte for byte" "same $A $(readlink -f "$T/outu/current")"

# rtm with tiles: N units each build a strip's candidate variables; the
# finish merges their pattern tables and fits; the overlay that uses the
# model's RRS follows (the whole Southend job)
jobm() {
  sed -e "s#\.\./\.\./\.\./build/test-run/southend#$2#" -e "s#\.\./\.\./\.\./#$R/#" \
      -e "s#^catalog: layers#catalog: $D/run/layers#" "$D/run/southend.yaml" |
    if [ "$1" -gt 1 ]; then sed "s/^    max_blocks: 2$/&\n    tiles: $1/"; else cat; fi
}
jobm 1 "$T/outm1" > "$T/jobm1.yaml"
jobm 3 "$T/outm3" > "$T/jobm3.yaml"
$RTM run --plan "$T/jobm3.yaml" > "$T/planm.txt" 2>&1
check "--plan: 3 strips of the rtm surface" \
  "[ \"\$(grep -c '	model	rtm	-	[012]/3' $T/planm.txt)\" = 3 ]"
$RTM run -q --run-date $DATE "$T/jobm1.yaml" 2> "$T/runm1.err" &&
  $RTM run -q --run-date $DATE "$T/jobm3.yaml" 2> "$T/runm3.err"
check "the job with an rtm of 3 tiles runs" "[ $? -eq 0 ]"
samem() {
  (cd "$1" && find . -type f ! -name manifest.json | sort) > "$T/a.lst"
  (cd "$2" && find . -type f ! -name manifest.json | sort) > "$T/b.lst"
  cmp -s "$T/a.lst" "$T/b.lst" || return 1
  while read -r f; do cmp -s "$1/$f" "$2/$f" || { echo "# differs: $f"; return 1; }; done < "$T/a.lst"
  [ -s "$1/model/rrs.tif" ] && [ -s "$1/model/model.json" ]
}
check "rtm of 3 tiles = untiled, every file of the job byte for byte (the overlay too)" \
  "samem $(readlink -f "$T/outm1/current") $(readlink -f "$T/outm3/current")"

jobm 3 "$T/outmu" > "$T/jobmu.yaml"
nu=$(sed -n 's/^units	//p' "$T/planm.txt"); ok=1
for k in $(seq $((nu - 1)) -1 0); do
  $RTM run -q --unit $k --run-date $DATE "$T/jobmu.yaml" 2>> "$T/mu.err" || ok=0
done
$RTM run -q --finish --run-date $DATE "$T/jobmu.yaml" 2>> "$T/mu.err" || ok=0
check "rtm of 3 tiles: its $nu units one by one, then --finish = untiled, every file" \
  "[ $ok -eq 1 ] && samem $(readlink -f "$T/outm1/current") $(readlink -f "$T/outmu/current")"

job 1 "$T/outx" | sed 's/^    layer: rail_stations$/&\n    tiles: 2/' > "$T/bad.yaml"
$RTM run --check "$T/bad.yaml" > "$T/bad.out" 2>&1
check "tiles on a distance surface is refused (exit 2)" "[ $? -eq 2 ] && grep -q tiles $T/bad.out"
finish
