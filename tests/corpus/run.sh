#!/bin/sh
# The bad-input corpus: runs every case of tests/corpus/cases.tsv with the
# sanitizer build of the CLI and checks its exit code, a fragment of its
# stderr, and what it wrote.
#   tests/corpus/run.sh [ID...]        (from the top folder; default: every case)
#
# cases.tsv has one case a line, six tab-separated columns:
#   id  status  exit  fragment  checks  command
# status:   ok (must pass) or pending (known broken: reported as xfail/XPASS,
#           does not fail the run)
# exit:     expected exit status (0 success, 1 failure, 2 usage/invalid job)
# fragment: text that stderr must contain (fixed string; the case's folder
#           and the inputs folder read as $T and $C), '-' for none
# checks:   '-' or space-separated extra checks, paths relative to $T:
#           out=FILE (FILE must exist), absent=PATH (must not exist),
#           same=A:B (files A and B identical; A may start with $C),
#           plain-stderr (no control characters but newline and tab)
# command:  a shell command; $RTM is the CLI, $C the generated inputs
#           (tests/corpus/make-inputs.sh), $T an empty folder for this case,
#           $S samples/essex, $F tests/fuzz/crashes, $G grid options (EPSG:27700, 250 m cells on a
#           box around Southend-on-Sea), $K a kde command writing $T/out.tif.
# Every case also gets these checks:
#   - no sanitizer report (AddressSanitizer, LeakSanitizer, UBSan);
#   - it ends within RTM_CORPUS_TIMEOUT seconds (default 20; a hang is a bug);
#   - on exit 0, every GeoTIFF written under $T has at least one valid cell,
#     a non-zero valid cell (except class rasters: *_bins.tif, tiers.tif), and
#     no NaN or infinite value other than the nodata value;
#   - on a non-zero exit, no GeoTIFF was left under $T.
# Prints one line per case and ends with "N passed, M failed" (pending
# cases count as passed unless they are checked as ok).
TOP=$(pwd)
export RTM=${RTM_SAN_BIN:-$TOP/build/rtm-san}
export C=$TOP/build/corpus/inputs
export S=$TOP/samples/essex
export F=$TOP/tests/fuzz/crashes
export G="--dst-crs EPSG:27700 --bbox 580000,182000,595000,192000 --resolution 250"
TABLE=$TOP/tests/corpus/cases.tsv
WORK=$TOP/build/corpus/cases
LIMIT=${RTM_CORPUS_TIMEOUT:-20}
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:exitcode=86"
export LSAN_OPTIONS="suppressions=$TOP/tests/lsan.supp:print_suppressions=0:exitcode=86"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=86"
export OMP_NUM_THREADS=2

[ -x "$RTM" ] || { echo "corpus: $RTM not built (make build/rtm-san)"; echo "0 passed, 1 failed"; exit 1; }
mkdir -p "$TOP/build/corpus"
if [ ! -f "$C/.complete" ] || [ "$TOP/tests/corpus/make-inputs.sh" -nt "$C/.complete" ]; then
  rm -rf "$C"
  sh "$TOP/tests/corpus/make-inputs.sh" "$C" > "$WORK.inputs.log" 2>&1 ||
    { echo "corpus: make-inputs.sh failed:"; cat "$WORK.inputs.log"; echo "0 passed, 1 failed"; exit 1; }
  touch "$C/.complete"
fi
rm -rf "$WORK"; mkdir -p "$WORK"

# check_tif FILE: prints a problem, or nothing when the surface is fine.
check_tif() {
  nd=$(gdalinfo "$1" 2>/dev/null | sed -n 's/.*NoData Value=//p' | head -1)
  case "$1" in *_bins.tif|*/tiers.tif) needz=0 ;; *) needz=1 ;; esac
  gdal_translate -q -of XYZ "$1" /vsistdout/ 2>/dev/null | awk -v nd="$nd" -v needz="$needz" '
    { v = $3; lv = tolower(v)
      if (nd != "" && (v == nd || (v + 0 == nd + 0 && lv !~ /nan|inf/) || (tolower(nd) ~ /nan/ && lv ~ /nan/))) next
      if (lv ~ /nan|inf/) bad++
      else { valid++; if (v + 0 != 0) nz++ } }
    END { if (NR == 0) print "unreadable"
          else if (bad) print bad " non-finite cells"
          else if (!valid) print "no valid cell"
          else if (needz && !nz) print "every valid cell is 0" }'
}

# run_case ID STATUS EXIT FRAGMENT CHECKS COMMAND: prints one result line
run_case() {
  id=$1; status=$2; want=$3; frag=$4; checks=$5; cmd=$6
  export T="$WORK/$id"; mkdir -p "$T"
  export K="$RTM kde $G --radius 500 -o $T/out.tif"
  t0=$(date +%s)
  (cd "$T" && timeout -k 5 "$LIMIT" sh -c "$cmd" > "$T.out" 2> "$T.err" < /dev/null)
  rc=$?
  secs=$(( $(date +%s) - t0 )); took=""
  [ "$secs" -ge 5 ] && took=" (${secs}s)"
  if grep -q -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T.err" "$T.out"; then
    s=$(grep -h -E '^SUMMARY: |runtime error:' "$T.err" "$T.out" | head -1 | sed 's/ERROR: //; s/runtime error:/UB:/')
    why="SANITIZER REPORT: $s"
  elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then why="TIMEOUT: still running after ${LIMIT}s"
  elif [ "$rc" -ge 128 ]; then why="CRASH: killed by signal $((rc - 128))"
  elif [ "$rc" -ne "$want" ]; then why="exit $rc, expected $want"
  elif [ "$frag" != "-" ] && ! sed -e "s|$T|\$T|g" -e "s|$C|\$C|g" "$T.err" | grep -q -a -F -- "$frag"
  then why="stderr lacks '$frag'"
  fi
  if [ -z "$why" ]; then
    tifs=$(find "$T" -name '*.tif' | sort)
    if [ "$rc" -ne 0 ] && [ -n "$tifs" ]; then why="failed but left $(echo "$tifs" | head -1 | sed "s|$T/||")"
    elif [ "$rc" -eq 0 ]; then
      for f in $tifs; do
        p=$(check_tif "$f"); [ -n "$p" ] && { why="$(echo "$f" | sed "s|$T/||"): $p"; break; }
      done
    fi
  fi
  if [ -z "$why" ] && [ "$checks" != "-" ]; then
    for c in $checks; do
      a=${c#*=}
      case "$c" in
        out=*) [ -s "$T/$a" ] || { why="no $a written"; break; } ;;
        absent=*) [ ! -e "$T/$a" ] || { why="$a exists"; break; } ;;
        plain-stderr) ! tr -d '\n\t' < "$T.err" | LC_ALL=C grep -q '[[:cntrl:]]' ||
                        { why="control characters in stderr"; break; } ;;
        same=*) f1=$(eval echo "${a%%:*}"); f2=$(eval echo "${a#*:}")
                case "$f1" in /*) ;; *) f1=$T/$f1 ;; esac
                case "$f2" in /*) ;; *) f2=$T/$f2 ;; esac
                cmp -s "$f1" "$f2" || { why="$a differ"; break; } ;;
        *) why="unknown check '$c'"; break ;;
      esac
    done
  fi
  loud=""
  case "$why" in SANITIZER*|TIMEOUT*|CRASH*) loud=" <<<<<<<<" ;; esac
  if [ "$status" = ok ]; then
    if [ -z "$why" ]; then echo "ok - $id$took"; echo pass >> "$WORK/.tally"
    else
      echo "not ok - $id: $why$loud$took"; echo fail >> "$WORK/.tally"
      sed 's/ERROR: /error: /; s/runtime error:/UB:/; s/^/    | /' "$T.err" | head -8
    fi
  else
    if [ -z "$why" ]; then echo "XPASS - $id (pending case passes now: mark it ok)$took"
    else echo "xfail - $id: $why$loud$took"; fi
    echo pending >> "$WORK/.tally"
  fi
}

: > "$WORK/.tally"
# the selected cases, numbered, run by two workers (odd and even lines);
# each result line carries its number so the output is in table order
tab=$(printf '\t')
grep -v -e '^#' -e '^[[:space:]]*$' "$TABLE" | awk -v sel="$*" -F '\t' '
  BEGIN { n = split(sel, s, " "); for (i = 1; i <= n; i++) want[s[i]] = 1 }
  n == 0 || ($1 in want) { printf "%04d\t%s\n", ++k, $0 }' > "$WORK/.cases"
worker() {  # worker K: the cases whose number is K modulo 2
  awk -F '\t' -v k="$1" '$1 % 2 == k' "$WORK/.cases" |
  while IFS="$tab" read -r num id status want frag checks cmd; do
    case "$status" in
      ok|pending) run_case "$id" "$status" "$want" "$frag" "$checks" "$cmd" ;;
      *) echo "not ok - $id: bad status '$status'"; echo fail >> "$WORK/.tally" ;;
    esac | sed "s/^/$num$tab/"
  done > "$WORK/.out$1"
}
worker 0 & worker 1 & wait
sort -s -n -k1,1 "$WORK/.out0" "$WORK/.out1" | cut -f2- > "$WORK/.results"
cat "$WORK/.results"
loud=$(grep '^xfail - .*<<<<<<<<' "$WORK/.results" | sed 's/^xfail - \([^:]*\):.*/\1/' | tr '\n' ' ')
[ -n "$loud" ] && echo "corpus: PENDING CASES THAT CRASH, HANG OR TRIP A SANITIZER: $loud"
p=$(grep -c '^pass$' "$WORK/.tally"); f=$(grep -c '^fail$' "$WORK/.tally")
n=$(grep -c '^pending$' "$WORK/.tally")
echo "corpus: $p ok, $f failed, $n pending (xfail/XPASS above)"
echo "$((p + n)) passed, $f failed"
[ "$f" -eq 0 ]
