#!/bin/sh
# Installs the Debian packages rtm needs to build and run, if any are missing.
# Used by `make demo` and `make check` so both work on a fresh Debian 12 machine.
# python3 runs JSON checks in the CLI tests; chromium opens the HTML report in a test;
# gdal-bin (gdalinfo, gdal_translate, ogrinfo, ogr2ogr) and coreutils, diffutils,
# findutils, grep, sed and mawk (od, sha256sum, timeout, cmp, find, awk) are called
# by the tests; time and python3-numpy by the benchmarks (tools/bench*.sh).
# tzdata: the time zone database `rtm dosage --tz Europe/London` reads.
# libopenmpi-dev and openmpi-bin: Open MPI, to build rtm with MPI and run
# `mpirun -np N rtm ...` (tests/cli/mpi.sh).
# With --fuzz (make fuzz) also clang, its libFuzzer runtime and its OpenMP.
set -e
PKGS="build-essential pkg-config libgdal-dev gdal-bin libproj-dev proj-data proj-bin \
libpng-dev libfreetype-dev fonts-dejavu-core libyaml-dev libssl-dev python3 chromium \
coreutils diffutils findutils grep sed mawk time python3-numpy tzdata \
libopenmpi-dev openmpi-bin"
FUZZ_PKGS="clang libclang-rt-14-dev libomp-14-dev"
[ "$1" = "--fuzz" ] && PKGS="$PKGS $FUZZ_PKGS"
[ -n "$RTM_EXTRA_PKGS" ] && PKGS="$PKGS $RTM_EXTRA_PKGS"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing$missing"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
