#!/usr/bin/env bash
# Installs the project into a scratch prefix and builds and runs a consumer
# project against it with find_package(iommu_vp).
set -euo pipefail
build=$1 src=$2
prefix=$build/install-check
rm -rf "$prefix" "$build/consumer-build"
cmake --install "$build" --prefix "$prefix" >/dev/null
cmake -S "$src/tests/install/consumer" -B "$build/consumer-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build/consumer-build" >/dev/null
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$build/consumer-build/consumer"
