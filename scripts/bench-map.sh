#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Speed of the static maps (issue 25): a site map with 1,000 events over a 4096 x 4096 imagery base, as
# PNG and as PDF, and the overview map; each against the target of 2 s on 2 cores. Figures are kept in
# docs/dev/bench-map.md.
#   scripts/bench-map.sh [BUILD_DIR]      (default: build)
# Needs only the build (bench_map is built here if missing). Works in a temporary directory.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
[[ -f "$build/build.ninja" || -f "$build/Makefile" ]] || { echo "bench-map: $build is not a build directory (run scripts/setup.sh)" >&2; exit 1; }
cmake --build "$build" --target bench_map >/dev/null

work="$(mktemp -d "${TMPDIR:-/tmp}/geoev-bench-map.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
# The first run writes the 4096 x 4096 GeoTIFF; the timed runs follow.
"$build/bin/bench_map" "$work" >/dev/null || true
"$build/bin/bench_map" "$work"
