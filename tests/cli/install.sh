#!/bin/sh
# install.sh: `make install` into a scratch prefix, then check the shared
# library (SONAME, symlinks, exactly the public API exported) and build and
# run a small program against the installed headers and rtm.pc.
cd "$(dirname "$0")/../.." || exit 1
. tests/cli/harness.inc
unset MAKEFLAGS MFLAGS MAKELEVEL
P=$T/prefix
D=tests/data/structure

# tools/exports.py lists the declarations it should on a tricky header.
check "exports.py lists the file-scope declarations of a fixture header" \
  "python3 tools/exports.py --list $D/exports.h | diff - $D/exports.txt"

check "make install into a scratch prefix" "make -s install PREFIX=$P >$T/install.log 2>&1"
L=$P/lib
check "librtm.so.0 and librtm.so installed as symlinks" \
  "[ -L $L/librtm.so.0 ] && [ -L $L/librtm.so ] && [ -f $L/librtm.so.0.1.0 ] && [ -f $L/librtm.a ]"
check "headers and rtm.pc installed" \
  "[ -f $P/include/rtm.h ] && [ -f $P/include/rtm/grid.h ] && [ -f $L/pkgconfig/rtm.pc ]"
check "SONAME is librtm.so.0" \
  "readelf -d $L/librtm.so.0.1.0 | grep -q 'SONAME.*\[librtm.so.0\]'"

# Exported symbols against the declarations of the public headers, both ways.
python3 tools/exports.py --list include/rtm.h include/rtm/*.h > $T/declared
nm -D --defined-only $L/librtm.so.0.1.0 | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' \
  | sort -u > $T/exported
echo "# $(wc -l < $T/declared) declared, $(wc -l < $T/exported) exported"
comm -23 $T/declared $T/exported > $T/missing
comm -13 $T/declared $T/exported > $T/extra
sed 's/^/# declared in a public header but not defined: /' $T/missing
sed 's/^/# exported but not declared in a public header: /' $T/extra | head -20
check "every function declared in include/rtm/*.h is exported" "[ ! -s $T/missing ]"
check "nothing but the public API is exported" "[ ! -s $T/extra ]"
check "no internal helper exported (jr, cli, kv, atomic, sha256, html, json)" \
  "! grep -E '^rtm_(jr|cli|kv|atomic|sha256|html|json)_' $T/exported"
check "exports carry the version node RTM_0" \
  "nm -D --defined-only $L/librtm.so.0.1.0 | grep -q ' T rtm_kde_compute@@RTM_0$'"

# A program against the installed library: KDE of three points on a 10 x 10
# grid, one cell compared with the quartic kernel in closed form.
cat > $T/prog.c <<'EOF'
#include <stdio.h>
#include <rtm.h>

int main(void)
{
    rtm_error err;
    rtm_grid g;
    rtm_kde_opts o;
    const double x[3] = {45, 55, 25}, y[3] = {45, 55, 75};
    const double pi = 3.14159265358979323846, r = 30;
    rtm_error_clear(&err);
    if (rtm_grid_from_bbox(&g, 0, 0, 100, 100, 10, "EPSG:27700", &err) != 0)
        return fprintf(stderr, "%s\n", err.msg), 1;
    rtm_surface *s = rtm_surface_create(&g, &err);
    if (s == NULL)
        return fprintf(stderr, "%s\n", err.msg), 1;
    rtm_kde_opts_init(&o);
    o.radius = r;
    o.units = RTM_UNITS_M2;
    if (rtm_kde_compute(&g, x, y, NULL, 3, &o, s->v, &err) != 0)
        return fprintf(stderr, "%s\n", err.msg), 1;
    /* cell (5, 4) has its centre on (45, 45): d^2 = 0, 200 and 1300 > r^2 */
    double u2 = 200 / (r * r);
    double want = 3 / (pi * r * r) * (1 + (1 - u2) * (1 - u2));
    double got = s->v[5 * 10 + 4], rel = (got - want) / want;
    printf("%s %dx%d cell(5,4) %.17g want %.17g coverage[0] %g\n", rtm_kernel_name(o.kernel),
           g.ncols, g.nrows, got, want, rtm_eval_default_coverages[0]);
    rtm_surface_free(s);
    return rel < -1e-12 || rel > 1e-12;
}
EOF
PC="env PKG_CONFIG_PATH=$L/pkgconfig pkg-config"
check "pkg-config finds rtm" "$PC --exists rtm"
check "a program using <rtm.h> builds with pkg-config --cflags --libs rtm" \
  "cc -std=c17 -Wall -Wextra -Werror -o $T/prog $T/prog.c \$($PC --cflags --libs rtm) 2>$T/cc.log \
   || { cat $T/cc.log; false; }"
check "it links to the installed librtm.so.0" \
  "LD_LIBRARY_PATH=$L ldd $T/prog | grep -q '$L/librtm.so.0 '"
check "it runs and the KDE cell matches the closed form" \
  "LD_LIBRARY_PATH=$L $T/prog > $T/prog.out; r=\$?; cat $T/prog.out; [ \$r -eq 0 ]"
check "it reports the quartic kernel" "grep -q '^quartic 10x10 ' $T/prog.out"
finish
