#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark of `geoev match`'s matcher (libgeo match module) against the naive baseline (SIFT over the
# whole reference, ratio test, RANSAC homography, no gates) on views rendered from the real NAIP tiles
# of three dates. Not a test: prints success rate, median centre error, false-fix rate and seconds
# per frame per pairing of view date x reference date, with and without priors.
#   scripts/bench-match.sh [N_PER_PAIRING=30] [SEED=1 | FIRST-LAST] [BUILD_DIR=build]
# A seed range (e.g. 1-7) pools N views per seed into one row per pairing, with the success rate's 95 %
# interval: one seed's 30 views say a rate to about +-17 points, seven seeds' 210 to about +-6.
# Environment: BENCH_DETECTOR=sift|akaze|orb, BENCH_PAIRINGS=2020-2009,landsat-2020,...,
# BENCH_VARIANTS=priors|none|both, BENCH_BASELINE=baseline|no-baseline, BENCH_VERBOSE=1 (per view),
# BENCH_PRIORS=heading,scale,tilt,centre (the priors variant keeps only these: what each prior is worth),
# BENCH_EXACT=1 (priors at the truth: the ceiling of the search; =sh only scale and heading, =c only the centre).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-30}"; seed="${2:-1}"; build="${3:-$here/build}"
. "$here/scripts/bench-refs.sh"
work="$(mktemp -d "${TMPDIR:-/tmp}/bench-match.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cmake --build "$build" -j2 --target bench_match >/dev/null
t0=$(date +%s)
bench_refs "$work"
echo "references ready in $(( $(date +%s) - t0 )) s"
"$build/bin/bench_match" "$work" "$n" "$seed" "${BENCH_BASELINE:-baseline}" "${BENCH_VARIANTS:-both}"
