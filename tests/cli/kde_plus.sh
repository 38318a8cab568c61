# The complete KDE on the command line and in jobs: edge corrections,
# adaptive radii, likelihood cross-validation, sigma and truncation. Each
# form as a command and as a one-surface job gives the same bytes; the new
# metadata is written only when asked for; usage errors exit 2.
. "$(dirname "$0")/harness.inc"
RTM=${RTM_BIN:-build/rtm}
S=$(cd "$(dirname "$0")/../../samples/essex" && pwd)
EV=$S/crimes/southend-on-sea_2018-01_to_2018-05_street.csv.gz
AREA=$S/boundaries/southend_on_sea_lad2011_bng.geojson
W="\"Crime type\" = 'Burglary'"
G="--dst-crs EPSG:27700 --study-area $AREA --resolution 100"

# a one-surface job writing $T/out-<name>/current/<name>.tif
job() { # name, surface keys (indented four spaces)
  cat > "$T/$1.yaml" <<EOF2
name: $1
study_area:
  file: $AREA
crs: EPSG:27700
cell_size: 100
offences:
  sources:
    - file: $EV
      where: "\"Crime type\" = 'Burglary'"
surfaces:
  - type: kde
    name: $1
$2
output:
  dir: $T/out-$1
  formats: [tif]
EOF2
  $RTM run -q "$T/$1.yaml" 2> "$T/$1.err"
}
md() { gdalinfo "$1" 2>/dev/null | sed -n "s/^  $2=//p"; }

# 1. each form: command = job, byte for byte
form() { # name, CLI options, job keys
  $RTM kde -q $G --where "$W" $2 -o "$T/$1.tif" "$EV" 2> "$T/$1.cli.err"
  check "$1: command exits 0" "[ $? -eq 0 ]"
  job "$1" "$3"
  check "$1: job runs" "[ -f $T/out-$1/current/$1.tif ]"
  check "$1: command and job give the same bytes" "cmp -s $T/$1.tif $T/out-$1/current/$1.tif"
}
form uni "--radius 500 --edge uniform" "    radius: 500
    edge: uniform"
form dig "--radius 500 --edge diggle" "    radius: 500
    edge: diggle"
form ada "--radius 400 --adaptive --pilot 600 --groups 8 --edge uniform" "    radius: 400
    adaptive: true
    pilot: 600
    groups: 8
    edge: uniform"
form cv "--radius auto-cv" "    radius: auto-cv"
form sig "--kernel gaussian --sigma 120 --truncate 3" "    kernel: gaussian
    sigma: 120
    truncate: 3"

# 2. what the files say
check "uniform: EDGE_CORRECTION" "[ \"$(md $T/uni.tif EDGE_CORRECTION)\" = uniform ]"
check "diggle: EDGE_CORRECTION" "[ \"$(md $T/dig.tif EDGE_CORRECTION)\" = diggle ]"
check "adaptive: metadata (groups, pilot, radii)" \
  "[ \"$(md $T/ada.tif ADAPTIVE_GROUPS)\" = 8 ] && [ \"$(md $T/ada.tif ADAPTIVE_PILOT_RADIUS)\" = 600 ] && [ -n \"$(md $T/ada.tif ADAPTIVE_RADIUS_MAX)\" ]"
$RTM kde $G --where "$W" --radius auto-cv -o "$T/cv2.tif" "$EV" 2> "$T/cv2.err"
check "auto-cv: RADIUS_RULE and the curve in the log" \
  "[ \"$(md $T/cv.tif RADIUS_RULE)\" = auto-cv ] && grep -q '<- best' $T/cv2.err"
check "sigma 120 cut at 3 sd: radius 360" \
  "[ \"$(md $T/sig.tif RADIUS)\" = 360 ] && [ \"$(md $T/sig.tif GAUSSIAN_TRUNCATE)\" = 3 ]"

# 3. a plain KDE is unchanged: no new metadata, and --edge none is the default
$RTM kde -q $G --where "$W" --radius 500 -o "$T/plain.tif" "$EV"
$RTM kde -q $G --where "$W" --radius 500 --edge none -o "$T/none.tif" "$EV"
check "--edge none = no option, byte for byte" "cmp -s $T/plain.tif $T/none.tif"
check "no edge or adaptive metadata by default" \
  "! gdalinfo $T/plain.tif | grep -q 'EDGE_\|ADAPTIVE'"

# 4. the uniform correction raises the edges, not the interior: the
#    corrected surface is >= the plain one everywhere, and equal somewhere
gdal_translate -q -of AAIGrid "$T/plain.tif" "$T/plain.asc"
gdal_translate -q -of AAIGrid "$T/uni.tif" "$T/uni.asc"
python3 - "$T/plain.asc" "$T/uni.asc" > "$T/py.out" 2>&1 <<'PY'
import sys
def grid(p):
    head, vals = {}, []
    for line in open(p):
        t = line.split()
        if t and t[0][0].isalpha():
            head[t[0].lower()] = t[1]
        else:
            vals += [float(v) for v in t]
    return float(head.get("nodata_value", "nan")), vals
nd, a = grid(sys.argv[1]); _, b = grid(sys.argv[2])
pairs = [(x, y) for x, y in zip(a, b) if x != nd]
assert all(y >= x * (1 - 1e-6) for x, y in pairs), "uniform below plain"
assert any(y == x and x > 0 for x, y in pairs), "no interior cell unchanged"
assert any(y > x * 1.2 for x, y in pairs), "no edge cell raised"
print("ok")
PY
check "uniform correction: >= plain, interior unchanged, edges raised" "grep -q '^ok' $T/py.out"

# 5. usage errors
$RTM kde $G --radius 500 --sigma 100 -o "$T/x.tif" "$EV" 2> "$T/e1"
check "--radius with --sigma exits 2" "[ $? -eq 2 ] && grep -q 'not both' $T/e1"
$RTM kde $G --radius 500 --truncate 3 -o "$T/x.tif" "$EV" 2> "$T/e2"
check "--truncate without the gaussian exits 2" "[ $? -eq 2 ]"
$RTM kde $G --radius 500 --pilot 300 -o "$T/x.tif" "$EV" 2> "$T/e3"
check "--pilot without --adaptive exits 2" "[ $? -eq 2 ] && grep -q adaptive $T/e3"
$RTM kde $G --radius 500 --edge sideways -o "$T/x.tif" "$EV" 2> "$T/e4"
check "an unknown --edge exits 2 naming the choices" "[ $? -eq 2 ] && grep -q 'none, uniform, diggle' $T/e4"
job bad "    radius: auto-nothing"
check "a job with an unknown radius rule fails naming the choices" \
  "grep -q 'auto-cv' $T/bad.err"
[ -n "${KEEP:-}" ] && cp -r "$T" "$KEEP"
finish
