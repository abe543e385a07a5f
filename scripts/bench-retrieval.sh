#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark of the match module's tile retrieval (VLAD per overlapping tile) on views rendered from the
# real NAIP tiles of three dates (same renderer as scripts/bench-match.sh). Prints, per view date x
# reference date and tile geometry, how often the tile holding the true centre is ranked in the top
# 1/3/5 against the rate a random ranking would give (the baseline), build and rank times, file sizes,
# and how peaked the ranking is (peak_z) for same-date, cross-date and unrelated (Landsat) views.
# With ALIGN=1 it also runs align_frame without priors on the whole index vs on the top 3 tiles only.
#   scripts/bench-retrieval.sh [N_PER_PAIRING=30] [SEED=1] [BUILD_DIR=build]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-30}"; seed="${2:-1}"; build="${3:-$here/build}"
. "$here/scripts/bench-refs.sh"
work="$(mktemp -d "${TMPDIR:-/tmp}/bench-retrieval.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cmake --build "$build" -j2 --target bench_retrieval >/dev/null
bench_refs "$work"
"$build/bin/bench_retrieval" "$work" "$n" "$seed" $([ "${ALIGN:-0}" = 1 ] && echo align)
