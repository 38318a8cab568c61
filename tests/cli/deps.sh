#!/bin/sh
# deps.sh: tools/check-deps.py finds an upward dependency, file cycles and a
# folder cycle in a compiled fixture, honours and audits its allowlist, and
# passes on the tree (objects from the build) with tools/deps-allow.txt.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/harness.inc
D=tests/data/structure/deps
for f in core/a core/b core/low output/high; do
  mkdir -p $T/obj/$(dirname $f)
  cc -c -I$D/rtm $D/rtm/$f.c -o $T/obj/$f.o || no "compile fixture $f.c"
done
CD="python3 tools/check-deps.py --root $D --obj $T/obj"
run() { out=$1; shift; $CD "$@" > $T/$out; echo $? > $T/$out.rc; }

run all --allow /dev/null
check "fixture fails (exit 1)" "[ \$(cat $T/all.rc) -eq 1 ]"
check "an include of a higher stage is found" \
  "grep -q 'rtm/core/low.c (core) -> rtm/output/high.h (output): #include' $T/all"
check "a call into a higher stage is found, with its symbol" \
  "grep -q 'rtm/core/low.c (core) -> rtm/output/high.c (output): fx_high' $T/all"
check "the a.c <-> b.c cycle is found" "grep -q '^cycle: rtm/core/a.c rtm/core/b.c$' $T/all"
check "with the symbols that tie it" \
  "grep -q 'rtm/core/a.c -> rtm/core/b.c: fx_b' $T/all && grep -q 'rtm/core/b.c -> rtm/core/a.c: fx_a' $T/all"
check "the core <-> output folder cycle is found" "grep -q '^folder cycle: core output$' $T/all"
check "an #include in a comment does not count" "! grep -q 'a.c -> rtm/output/high.h' $T/all"
check "five problems in all" "grep -q '5 problems' $T/all"

printf '%s\n' 'cycle rtm/core/[ab].c -- a fixture cycle' > $T/allow1
run one --allow $T/allow1
check "an allowed cycle is reported as allowed and not counted" \
  "grep -q '^allowed cycle: rtm/core/a.c rtm/core/b.c$' $T/one && grep -q '4 problems' $T/one"
printf '%s\n' 'cycle rtm/core/*.c rtm/output/*.c -- every cycle' \
  'edge rtm/core/low.c rtm/output/* -- the upward edges' 'cycle rtm/job/*.c -- gone' > $T/allow2
run two --allow $T/allow2
check "with every problem allowed the fixture passes" "[ \$(cat $T/two.rc) -eq 0 ]"
check "an allowlist line that matches nothing is noted" "grep -q 'line 3 matches nothing' $T/two"
printf '%s\n' 'cycle rtm/core/a.c' > $T/allow3
run three --allow $T/allow3
check "an allowlist line without a reason is an error" \
  "[ \$(cat $T/three.rc) -eq 1 ] && grep -q 'allowlist line 1' $T/three"
mkdir -p $T/tree/rtm/extra && cp -r $D/rtm/core $D/rtm/output $T/tree/rtm/
python3 tools/check-deps.py --root $T/tree --obj $T/obj --allow $T/allow2 > $T/extra
check "a folder that is not a stage is an error" "grep -q 'rtm/extra/ is not a stage' $T/extra"
python3 tools/check-deps.py --root $D --obj $T/none > $T/noobj 2>&1; rc=$?
check "no objects: exit 2 (build first)" "[ $rc -eq 2 ]"

python3 tools/check-deps.py > $T/tree.out; rc=$?
sed 's/^/# /' $T/tree.out
check "the tree follows the stage order with no cycle beyond tools/deps-allow.txt" "[ $rc -eq 0 ]"
finish
