#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Face detectors on real photographs (issue 26): recall, false detections and time of opencv-data's
# cascades alone, in unions and at several settings, and of geoev's render::detect_faces, on the 13
# photographs with 48 hand-drawn faces in tests/data/faces. Time is also a ratio to geoev's detector
# before this evaluation (frontal default + profile). Figures are kept in docs/dev/faces.md.
#   scripts/bench-faces.sh [BUILD_DIR] [FILTER]   (default: build; FILTER keeps detectors whose name holds it)
# Needs only the build (bench_faces is built here if missing) and opencv-data. Takes minutes: some
# detectors run four cascades on images enlarged 2x.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
[[ -f "$build/build.ninja" || -f "$build/Makefile" ]] || { echo "bench-faces: $build is not a build directory (run scripts/setup.sh)" >&2; exit 1; }
cmake --build "$build" --target bench_faces >/dev/null

echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1 /proc/loadavg)"
"$build/bin/bench_faces" "$root/tests/data/faces" ${2:+"$2"}
