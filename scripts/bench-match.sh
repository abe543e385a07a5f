#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark of `geoev match`'s matcher (libgeo match module) against the naive baseline (SIFT over the
# whole reference, ratio test, RANSAC homography, no gates) on views rendered from the real NAIP tiles
# of three dates. Not a test: prints success rate, median centre error, false-fix rate and seconds
# per frame per pairing of view date x reference date, with and without priors.
#   scripts/bench-match.sh [N_PER_PAIRING=30] [SEED=1] [BUILD_DIR=build]
# Environment: BENCH_DETECTOR=sift|akaze|orb, BENCH_PAIRINGS=2020-2009,landsat-2020,...,
# BENCH_VARIANTS=priors|none|both, BENCH_BASELINE=baseline|no-baseline, BENCH_VERBOSE=1 (per view).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-30}"; seed="${2:-1}"; build="${3:-$here/build}"
data="$here/../shared/data/imagery"
work="$(mktemp -d "${TMPDIR:-/tmp}/bench-match.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cmake --build "$build" -j2 --target bench_match >/dev/null
echo "building 1 m references (NAIP 5 m tiles resampled with gdalwarp, common grid)..."
t0=$(date +%s)
for d in 2009 2014 2020; do
  src=$(ls "$data"/opengeos_naip_m_*_"$d"*.tif)
  gdal_translate -q -of VRT -b 1 -b 2 -b 3 "$src" "$work/rgb_$d.vrt"
  # The three tiles' grids differ by 1-2 m: warp all onto one grid so view truth and reference agree.
  gdalwarp -q -te 485905 5205635 490565 5209240 -tr 1 1 -r cubic "$work/rgb_$d.vrt" "$work/ref_$d.tif"
done
gdal_translate -q -of PNG "$data/rasterio_RGB.byte.tif" "$work/landsat_a.png"
gdal_translate -q -of PNG -b 1 -b 2 -b 3 -ot Byte -scale "$data/opengeos_landsat_2020.tif" "$work/landsat_b.png" 2>/dev/null
echo "references ready in $(( $(date +%s) - t0 )) s"
"$build/bin/bench_match" "$work" "$n" "$seed" "${BENCH_BASELINE:-baseline}" "${BENCH_VARIANTS:-both}"
