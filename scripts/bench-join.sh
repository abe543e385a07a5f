#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Joins 100,000 random events (50 m uncertainty) to 2,000 generated compound polygons with the R-tree
# index, and compares with a plain loop over all polygons in the same run. Target: under 1 s.
set -eu
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.."
cmake --build "$BUILD" --target test_spatial -j2 >/dev/null
"$BUILD/bin/test_spatial" --gtest_also_run_disabled_tests --gtest_filter='Bench.*' | grep -E "index|join|loop|speed"
