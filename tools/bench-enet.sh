#!/bin/sh
# bench-enet.sh: benchmark of the penalised Poisson fit (culling step).
# Builds tools/bench_enet.c against build/librtm.a and times the full
# elastic-net path (100 lambdas) and 10-fold cross-validation on a synthetic
# 500,000-cell x 60-variable RTM design (see the comment in bench_enet.c).
# RTM_BENCH_PEERS=1 also times R glmnet on the same design (needs Rscript and
# the glmnet package) and reports the largest coefficient difference.
set -e
cd "$(dirname "$0")/.."
# --- penalised Poisson fit ---
make --no-print-directory build/librtm.a >/dev/null
mkdir -p build/bench
${CC:-cc} -std=c17 -O2 -fopenmp -D_GNU_SOURCE -Iinclude -Irtm -o build/bench/bench_enet \
  tools/bench_enet.c build/librtm.a \
  $(pkg-config --libs gdal proj libpng freetype2 yaml-0.1 libcrypto) -lm
./build/bench/bench_enet "${RTM_BENCH_FOLDS:-10}"
# --- end penalised Poisson fit ---
