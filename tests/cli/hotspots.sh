#!/bin/sh
# CLI tests of `rtm hotspots`: Gi* z-scores read back from the GeoTIFF and
# compared with a brute-force Gi* (Ord & Getis 1995) computed here in python3
# from the events themselves (fixed band, k nearest, study-area mask), bins
# and FDR bins recomputed from those z, CRS, polygons, PNG, exit codes.
RTM=${RTM_BIN:-build/rtm}
. tests/cli/harness.inc

# 9 x 7 grid of 100 m cells from (500000, 200000): a dense cluster around the
# centre cell (col 4, row 3), a weaker one in the south-west, scattered noise.
python3 - > "$T/ev.csv" <<'PY'
import random
random.seed(3)
print("x,y")
def put(col, row, n):
    for _ in range(n):
        print("%.2f,%.2f" % (500000 + 100 * col + random.uniform(1, 99),
                             200700 - 100 * row - random.uniform(1, 99)))
put(4, 3, 30)
for dc, dr in ((-1, 0), (1, 0), (0, -1), (0, 1)):
    put(4 + dc, 3 + dr, 12)
for dc, dr in ((-1, -1), (1, 1), (-1, 1), (1, -1)):
    put(4 + dc, 3 + dr, 6)
put(1, 5, 5)
for _ in range(40):
    put(random.randrange(9), random.randrange(7), 1)
PY
EV="--src-crs EPSG:27700 --x-field x --y-field y --dst-crs EPSG:27700 --bbox 500000,200000,500900,200700 --resolution 100"

# brute-force Gi*: counts from the CSV, every pair of cells, no shortcuts
cat > "$T/gi.py" <<'PY'
import csv, math, sys, subprocess
def counts(path, ncol=9, nrow=7):
    c = [0.0] * (ncol * nrow)
    for r in csv.DictReader(open(path)):
        j = int((float(r["x"]) - 500000) // 100); i = int((200700 - float(r["y"])) // 100)
        if 0 <= j < ncol and 0 <= i < nrow:
            c[i * ncol + j] += 1
    return c
def gistar(c, inside, band=None, knn=None, ncol=9):
    idx = [k for k in range(len(c)) if inside[k]]
    n = len(idx); xbar = sum(c[k] for k in idx) / n
    S = math.sqrt(sum(c[k] ** 2 for k in idx) / n - xbar ** 2)
    z = {}
    for k in idx:
        i, j = divmod(k, ncol)
        d = {m: math.hypot(divmod(m, ncol)[0] - i, divmod(m, ncol)[1] - j) * 100 for m in idx}
        if knn:
            others = sorted(v for m, v in d.items() if m != k)
            D = others[knn - 1]
            nb = [m for m in idx if d[m] <= D + 1e-9]
        else:
            nb = [m for m in idx if d[m] <= band * (1 + 1e-12)]
        W = len(nb)
        num = sum(c[m] for m in nb) - xbar * W
        den = S * math.sqrt((n * W - W * W) / (n - 1))
        z[k] = num / den
    return z
def read_xyz(tif):
    """All cells of band 1, row-major, as doubles (raw ENVI copy: full precision)."""
    raw = tif + ".raw"
    subprocess.run(["gdal_translate", "-q", "-ot", "Float64", "-of", "ENVI", tif, raw], check=True)
    d = open(raw, "rb").read()
    import struct
    return list(struct.unpack("<%dd" % (len(d) // 8), d))
def bins(z, p_crit):
    b = {}
    for k, v in z.items():
        p = math.erfc(abs(v) / math.sqrt(2)); lev = 0
        for l, a in enumerate(p_crit):
            if p <= a: lev = l + 1
        b[k] = lev if v > 0 else -lev if v < 0 else 0
    return b
def bh(z, alphas):
    ps = sorted(math.erfc(abs(v) / math.sqrt(2)) for v in z.values()); m = len(ps); crit = []
    for a in alphas:
        r = max([i for i in range(1, m + 1) if ps[i - 1] <= i * a / m], default=0)
        crit.append(ps[r - 1] if r else -1)
    return crit
PY

# 1. fixed band of 150 m (the 3 x 3 block), no FDR
$RTM hotspots $EV --band 150 --png "$T/h.png" --polygons "$T/h.gpkg" -o "$T/h.tif" "$T/ev.csv" > "$T/h.out" 2> "$T/h.err"
check "hotspots exits 0" "[ $? -eq 0 ]"
check "z and bins GeoTIFFs, styles, PNG, polygons written" "[ -s $T/h_z.tif ] && [ -s $T/h_bins.tif ] && [ -s $T/h_z.qml ] && [ -s $T/h_bins.qml ] && [ -s $T/h.png ] && [ -s $T/h_map.pgw ] && [ ! -e $T/h.pgw ] && [ -s $T/h.gpkg ]"
python3 - "$T" > "$T/py1.out" 2>&1 <<'PY'
import sys; sys.path.insert(0, sys.argv[1]); from gi import *
T = sys.argv[1]
c = counts(T + "/ev.csv"); inside = [1] * len(c)
z = gistar(c, inside, band=150)
got = read_xyz(T + "/h_z.tif")
err = max(abs(got[k] - z[k]) for k in z)
assert err < 1e-9, err
b = bins(z, [0.10, 0.05, 0.01]); gb = read_xyz(T + "/h_bins.tif")
assert all(gb[k] == b[k] for k in b), [(k, gb[k], b[k]) for k in b if gb[k] != b[k]]
centre = 3 * 9 + 4
assert gb[centre] == 3 and z[centre] == max(z.values()), (gb[centre], z[centre])
print("ok max err %.3g" % err)
PY
check "z equals brute-force Gi* (band 150 m) within 1e-9" "grep -q '^ok' $T/py1.out || { cat $T/py1.out; false; }"
check "the cluster centre is a 99 % hot spot" "[ \"\$(gdallocationinfo -valonly -geoloc $T/h_bins.tif 500450 200350)\" = 3 ]"
check "summary counts hot cells per level" "grep -q '+3  hot spot, 99% confidence' $T/h.out"
hot=$(python3 -c "
import sys; sys.path.insert(0, '$T'); from gi import *
z = gistar(counts('$T/ev.csv'), [1] * 63, band=150); b = bins(z, [0.10, 0.05, 0.01])
print(sum(1 for v in b.values() if v == 3))")
check "printed 99 % hot count matches the reference ($hot)" "grep -q \"+3  hot spot, 99% confidence *$hot\$\" $T/h.out"
for f in h_z h_bins; do
  check "$f.tif has the British National Grid CRS" "gdalinfo $T/$f.tif | grep -q 'ID\[\"EPSG\",27700\]'"
done
check "bins band carries the category labels" "grep -q 'hot spot, 99% confidence' $T/h_bins.qml"
check "polygons: GeoPackage with ranked hot spots" "ogrinfo -al -q $T/h.gpkg | grep -q 'rank (Integer[0-9]*) = 1'"
check "png is a PNG" "[ \"\$(od -An -tx1 -N8 $T/h.png | tr -d ' \\n')\" = 89504e470d0a1a0a ]"

# 2. k nearest neighbours (k = 4: ties at the 4th distance included -> rook's case + self)
$RTM hotspots $EV --knn 4 -q -o "$T/k.tif" "$T/ev.csv"
check "knn exits 0" "[ $? -eq 0 ]"
python3 - "$T" > "$T/py2.out" 2>&1 <<'PY'
import sys; sys.path.insert(0, sys.argv[1]); from gi import *
T = sys.argv[1]
z = gistar(counts(T + "/ev.csv"), [1] * 63, knn=4)
got = read_xyz(T + "/k_z.tif")
err = max(abs(got[k] - z[k]) for k in z); assert err < 1e-9, err
print("ok")
PY
check "knn z equals brute-force Gi* within 1e-9" "grep -q '^ok' $T/py2.out || { cat $T/py2.out; false; }"

# 3. FDR: bins from Benjamini-Hochberg critical p-values, default band (3 cells)
$RTM hotspots $EV --fdr -q -o "$T/f.tif" "$T/ev.csv"
check "fdr exits 0" "[ $? -eq 0 ]"
python3 - "$T" > "$T/py3.out" 2>&1 <<'PY'
import sys; sys.path.insert(0, sys.argv[1]); from gi import *
T = sys.argv[1]
z = gistar(counts(T + "/ev.csv"), [1] * 63, band=300)   # default: 3 cells
got = read_xyz(T + "/f_z.tif")
assert max(abs(got[k] - z[k]) for k in z) < 1e-9
b = bins(z, bh(z, [0.10, 0.05, 0.01])); gb = read_xyz(T + "/f_bins.tif")
assert all(gb[k] == b[k] for k in b), [(k, gb[k], b[k]) for k in b if gb[k] != b[k]]
assert sum(1 for v in b.values() if v != 0) <= sum(1 for v in bins(z, [0.1, 0.05, 0.01]).values() if v != 0)
print("ok")
PY
check "default band is 3 cells; FDR bins equal the BH reference" "grep -q '^ok' $T/py3.out || { cat $T/py3.out; false; }"

# 4. study area: only the 7 western columns (the polygon touches cells 0..6)
cat > "$T/area.geojson" <<'EOF'
{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
 "features": [{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon",
 "coordinates": [[[500010, 200010], [500650, 200010], [500650, 200690], [500010, 200690], [500010, 200010]]]}}]}
EOF
$RTM hotspots $EV --study-area "$T/area.geojson" --band 150 -q -o "$T/m.tif" "$T/ev.csv" 2> "$T/m.err"
check "study area run exits 0" "[ $? -eq 0 ]"
python3 - "$T" > "$T/py4.out" 2>&1 <<'PY'
import sys, math; sys.path.insert(0, sys.argv[1]); from gi import *
T = sys.argv[1]
c = counts(T + "/ev.csv")
inside = [1 if k % 9 <= 6 else 0 for k in range(63)]
z = gistar(c, inside, band=150)
got = read_xyz(T + "/m_z.tif")
err = max(abs(got[k] - z[k]) for k in z); assert err < 1e-9, err
assert all(got[k] == -9999 for k in range(63) if not inside[k]), "outside not nodata"
print("ok")
PY
check "masked z equals brute-force Gi* over the inside cells; outside is nodata" "grep -q '^ok' $T/py4.out || { cat $T/py4.out; false; }"

# 5. threads do not change the output
$RTM hotspots $EV --band 250 --threads 1 -q -o "$T/t1.tif" "$T/ev.csv"
$RTM hotspots $EV --band 250 --threads 2 -q -o "$T/t2.tif" "$T/ev.csv"
check "1 and 2 threads give identical z files" "cmp -s $T/t1_z.tif $T/t2_z.tif"

# 6. errors and exit codes
$RTM hotspots $EV --band -5 -o "$T/x.tif" "$T/ev.csv" 2>/dev/null
check "negative --band exits 2" "[ $? -eq 2 ]"
$RTM hotspots $EV --band 100 --knn 3 -o "$T/x.tif" "$T/ev.csv" 2>/dev/null
check "--band with --knn exits 2" "[ $? -eq 2 ]"
$RTM hotspots $EV "$T/ev.csv" 2>/dev/null
check "no -o exits 2" "[ $? -eq 2 ]"
$RTM hotspots $EV -o "$T/x.tif" "$T/missing.csv" 2> "$T/e1"
check "missing input exits 1 naming it" "[ $? -eq 1 ] && grep -q 'missing.csv' $T/e1"
$RTM hotspots --no-such-option 2>/dev/null
check "unknown option exits 2" "[ $? -eq 2 ]"
$RTM hotspots --help | grep -q -- '--fdr'
check "--help lists --fdr" "[ $? -eq 0 ]"

finish
