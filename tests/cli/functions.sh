#!/bin/sh
# functions.sh: tools/check-functions.py measures function lengths right on
# a fixture (braces in strings, comments, char literals and macros), fails on
# a function over the limit, and passes on the tree (no function over 100).
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/harness.inc
D=tests/data/structure
CF="python3 tools/check-functions.py"

check "fixture: every function found with its length" \
  "$CF --list $D/functions.c | sed -n 's/^[^ ]*:[0-9][0-9]* //p' | diff - $D/functions.txt"

# n-line functions: "{", n-2 statements, "}"
body() { echo "int f$1(void)"; echo "{"; i=2; while [ $i -lt $1 ]; do echo "    (void)0;"; i=$((i + 1)); done; echo "}"; }
body 100 > $T/f100.c
body 101 > $T/f101.c
check "a 100-line function passes" "$CF $T/f100.c >$T/out100"
$CF $T/f101.c > $T/out101; rc=$?
check "a 101-line function fails (exit 1)" "[ $rc -eq 1 ]"
check "and is named with file:line" "grep -q 'f101.c:2: f101 is 101 lines' $T/out101"
check "--max lowers the limit" "! $CF --max 99 $T/f100.c >/dev/null"
printf 'int g(void)\n{\n    if (1) {\n' > $T/open.c
$CF $T/open.c >/dev/null 2>&1; rc=$?
check "unbalanced braces are an error (exit 2)" "[ $rc -eq 2 ]"

$CF rtm tools/*.c > $T/tree; rc=$?
sed 's/^/# /' $T/tree
check "no function in rtm/ or tools/*.c is over 100 lines" "[ $rc -eq 0 ]"
finish
