#!/usr/bin/env bash
# Installs the project into a scratch prefix and builds and runs a consumer
# project against it with find_package(iommu_vp).
set -euo pipefail
build=$1 src=$2
prefix=$build/install-check
rm -rf "$prefix" "$build/consumer-build"
log=$build/install-check.log
run() { "$@" >>"$log" 2>&1 || { cat "$log"; exit 1; }; }
: >"$log"
run cmake --install "$build" --prefix "$prefix"
run cmake -S "$src/tests/install/consumer" -B "$build/consumer-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release
run cmake --build "$build/consumer-build"
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$build/consumer-build/consumer"
