#!/bin/sh
# CLI tests of `rtm run` stopped by SIGTERM or SIGINT while it is writing:
# the exit status is the conventional 128 + signal number, the staging
# folder and every temporary file are removed at once (not at the next run),
# and `current` still points to the previous complete run, unchanged.
RTM=${RTM_BIN:-build/rtm}
D=$(cd "${RTM_TEST_DATA:-tests/data}" && pwd)
. "$(dirname "$0")/harness.inc"

# The Southend test job with absolute paths and its output in $T.
R=$(pwd)
sed -e "s#\.\./\.\./\.\./build/test-run/southend#$T/southend#" -e "s#\.\./\.\./\.\./#$R/#" \
    -e "s#^catalog: layers#catalog: $D/run/layers#" "$D/run/southend.yaml" > "$T/job.yaml"
OUT=$T/southend

# manifest outputs -> "sha  name" lines for sha256sum -c
sums() {
  python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
for o in m["outputs"]:
    print(o["sha256"] + "  " + o["name"])' "$1"
}

$RTM run -q --run-date 2018-06-01 "$T/job.yaml" 2> "$T/first.err"
check "a first complete run" "[ $? -eq 0 ] && [ -L $OUT/current ]"
C1=$(readlink "$OUT/current")
sums "$OUT/current/manifest.json" > "$T/c1.sums"

# interrupt SIGNAL STATUS: start a run without cache (so that it computes
# and writes for a while), wait until its staging folder holds a file, send
# SIGNAL, expect STATUS and a clean output folder
interrupt() {
  rm -rf "$OUT/cache"
  # a shell starts background commands with SIGINT ignored (and rtm keeps
  # an ignored signal ignored): restore the default as a terminal would have
  env --default-signal=INT $RTM run -q --threads 1 --run-date 2018-06-01 "$T/job.yaml" 2> "$T/$1.err" &
  pid=$!
  staged=""
  i=0
  while [ $i -lt 400 ] && [ -z "$staged" ]; do
    staged=$(find "$OUT" -path "$OUT/.staging-*" -type f 2> /dev/null | head -1)
    [ -z "$staged" ] && sleep 0.05
    i=$((i + 1))
  done
  kill -"$1" $pid
  wait $pid
  rc=$?
  check "SIG$1 during a run: staged a file before the signal" "[ -n '$staged' ]"
  check "SIG$1 during a run: exit status $2 (got $rc)" "[ $rc -eq $2 ]"
  check "SIG$1: no staging folder left" "[ -z \"\$(ls -d $OUT/.staging-* 2> /dev/null)\" ]"
  left=$(find "$OUT" -name '.*' ! -name .lock | head -5)
  check "SIG$1: no temporary file or folder left ($left)" "[ -z '$left' ]"
  check "SIG$1: current still the previous run" "[ \"\$(readlink $OUT/current)\" = '$C1' ]"
  (cd "$OUT/current" && sha256sum -c --quiet "$T/c1.sums") > /dev/null 2>&1
  check "SIG$1: the previous run is intact" "[ \$? -eq 0 ]"
}

interrupt TERM 143
interrupt INT 130

$RTM run -q --run-date 2018-06-01 "$T/job.yaml" 2> "$T/after.err"
check "the next run needs no clean-up and completes" \
  "[ $? -eq 0 ] && [ \"\$(readlink $OUT/current)\" != '$C1' ]"
finish
