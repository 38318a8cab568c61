# One vocabulary: every name of every enumerated option (as `rtm help names`
# prints the library's table) is listed in docs/job-format.md and in the
# --help of the commands that take the option, and each is accepted by the
# command line and a job file alike.
RTM=${RTM_BIN:-build/rtm}
. "$(dirname "$0")/harness.inc"
DOC=$(dirname "$0")/../../docs/job-format.md
$RTM help names > "$T/names"
# every enumerated option, one per line (rtm help names must list exactly these)
OPTS="
kernel
units
family
nb
increment
operationalization
classes
normalise
lambda
ramp
scale
shape
measure
step
scheme
edge
assignment
"
NOPTS=$(echo $OPTS | wc -w)
check "rtm help names lists $NOPTS options" "[ \$(wc -l < $T/names) -eq $NOPTS ]"
# names of an option: canonical (the * marks the default), then aliases
names() { sed -n "s/^$1: \([^(#]*\).*/\1/p" "$T/names" | tr -d '*'; }
aliases() { sed -n "s/^$1: .*(aliases: \([^)]*\)).*/\1/p" "$T/names" | tr ' ' '\n' | cut -d= -f1; }
for opt in $OPTS; do
  miss=""
  for n in $(names $opt) $(aliases $opt); do grep -q "\`$n\`" "$DOC" || miss="$miss $n"; done
  check "docs/job-format.md lists every $opt name (missing:$miss)" "[ -z '$miss' ]"
done
# option:command pairs whose --help must list every name, one per line
PAIRS="
kernel:kde
units:kde
classes:kde
ramp:kde
family:model
nb:model
increment:model
operationalization:model
lambda:model
scale:change
kernel:change
units:change
shape:places
measure:places
step:emerging
scheme:emerging
edge:kde
assignment:trial
"
for pair in $PAIRS; do
  cmd=${pair#*:}; [ -s "$T/$cmd" ] || $RTM $cmd --help > "$T/$cmd"
  opt=${pair%%:*}; cmd=${pair#*:}; miss=""
  for n in $(names $opt) $(aliases $opt); do grep -qw -- "$n" "$T/$cmd" || miss="$miss $n"; done
  check "rtm $cmd --help lists every $opt name (missing:$miss)" "[ -z '$miss' ]"
done
# every spelling is accepted on the command line; an unknown one is a usage error
S=$(cd "$(dirname "$0")/../../samples/essex" && pwd)
EV=$S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
bad=""
for n in $(names kernel) $(aliases kernel); do
  $RTM kde -q --dst-crs EPSG:27700 --bbox 585000,184000,590000,189000 --resolution 500 \
    --radius 800 --kernel "$n" -o "$T/k.tif" "$EV" 2> /dev/null || bad="$bad $n"
done
check "every kernel name works in rtm kde (failed:$bad)" "[ -z '$bad' ]"
$RTM kde -q --dst-crs EPSG:27700 --bbox 585000,184000,590000,189000 --kernel nosuch \
  -o "$T/k.tif" "$EV" 2> "$T/err"
check "an unknown kernel is a usage error naming the choices" \
  "[ \$? -eq 2 ] && grep -q 'quartic, epanechnikov' $T/err"
# and in a job: an alias is accepted, an unknown name is reported with the choices
cat > "$T/j.yaml" <<EOF2
study_area:
  file: $S/boundaries/southend_on_sea_lad2011_bng.geojson
crs: EPSG:27700
cell_size: 500
offences:
  sources:
    - file: $EV
surfaces:
  - type: kde
    radius: 800
    kernel: biweight
    units: per_km2
EOF2
$RTM run --check "$T/j.yaml" > /dev/null 2>&1
check "a job accepts the aliases (biweight, per_km2)" "[ \$? -eq 0 ]"
sed 's/kernel: biweight/kernel: nosuch/' "$T/j.yaml" > "$T/j2.yaml"
$RTM run --check "$T/j2.yaml" > /dev/null 2> "$T/err2"
check "a job reports an unknown kernel with the choices" \
  "[ \$? -eq 2 ] && grep -q 'quartic' $T/err2"
finish
