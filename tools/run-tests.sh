#!/bin/sh
# Runs every unit-test binary given as arguments, then every CLI test script
# (tests/cli/*.sh), and prints one closing "N passed, N failed" line.
# Unit tests run under AddressSanitizer/UBSan: any report makes them fail.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export RTM_TEST_DATA="$(pwd)/tests/data"
export RTM_BIN="$(pwd)/build/rtm"
pass=0; fail=0; failed=""
log=build/test-logs; mkdir -p "$log"
for t in "$@" tests/cli/*.sh; do
  [ -e "$t" ] || continue
  name=$(basename "$t")
  case "$t" in *.sh) cmd="sh $t" ;; *) cmd="$t" ;; esac
  start=$(date +%s)
  if $cmd > "$log/$name.log" 2>&1; then r=0; else r=1; fi
  if grep -q -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log/$name.log"; then r=1; fi
  p=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' "$log/$name.log" | tail -1)
  f=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p' "$log/$name.log" | tail -1)
  p=${p:-0}; f=${f:-0}
  [ "$r" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  pass=$((pass + p)); fail=$((fail + f))
  secs=$(( $(date +%s) - start ))
  if [ "$r" -eq 0 ]; then echo "PASS $name ($p checks, ${secs}s)"
  else echo "FAIL $name (see $log/$name.log)"; sed 's/^/    /' "$log/$name.log" | grep -v '^    ok - ' | tail -40; failed="$failed $name"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
