#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the synthetic demo in data/demo/ from the public-domain imagery in ../shared/data/imagery:
#   input/DJI_0042.MP4 + .SRT      drone flight rendered over the 2020 NAIP ground, DJI-style telemetry
#   input/VID-20200902-WA0007.mp4  short clip of the same ground, no metadata (as a messaging app sends it)
#   extra/unrelated.mp4            unrelated ground (Landsat, Bahamas): must come back not located
#   imagery/naip_2014.tif          the 2014 imagery the clips are matched against (another date)
#   compounds.geojson              one fictional compound drawn around the clips' ground
#   truth.json                     where each clip really is
# Everything is rendered (tools/demo/make_demo.cpp) and deterministic for a seed; data/demo is replaced
# whole when every file is ready (its README.md is kept).
#   scripts/make-demo.sh [SEED=24]     environment: BUILD=build (CMake build directory)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
seed="${1:-24}"
build="${BUILD:-build}"
case "$build" in /*) ;; *) build="$here/$build" ;; esac
imagery="$here/../shared/data/imagery"
demo="$here/data/demo"
# The 2014 reference: the demo area with about 1 km margin beyond the compound, at REF_GSD_M metres
# (resampled from the 5 m tile, cubic; no detail is added).
ref_te="486600 5206350 489600 5209200"
ref_gsd="${REF_GSD_M:-2}"

cmake --build "$build" --target make_demo >/dev/null
work="$(mktemp -d "$here/data/.demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/new/input" "$work/new/extra" "$work/new/imagery"

# The ground the clips are rendered from: the 2020 tile, RGB, at 1 m (as the match benchmarks do).
src2020=$(ls "$imagery"/opengeos_naip_m_4709963_se_14_1_2020*.tif)
gdal_translate -q -of VRT -b 1 -b 2 -b 3 "$src2020" "$work/rgb_2020.vrt"
gdalwarp -q -co PHOTOMETRIC=RGB -te 486000 5205700 490500 5209200 -tr 1 1 -r cubic "$work/rgb_2020.vrt" "$work/render_2020.tif"

# The reference, with its acquisition date in the metadata (geoev reads ACQUISITION_DATE).
src2014=$(ls "$imagery"/opengeos_naip_m_4709963_se_14_1_2014*.tif)
gdal_translate -q -of VRT -b 1 -b 2 -b 3 "$src2014" "$work/rgb_2014.vrt"
gdalwarp -q -te $ref_te -tr "$ref_gsd" "$ref_gsd" -r cubic \
  -co PHOTOMETRIC=YCBCR -co COMPRESS=JPEG -co JPEG_QUALITY=90 -co TILED=YES \
  "$work/rgb_2014.vrt" "$work/ref.tif"
gdal_edit.py -mo ACQUISITION_DATE=2014-07-20 \
  -mo "IMAGE_SOURCE=USDA NAIP m_4709963_se_14_1 (2014-07-20), public domain; via github opengeos/data (MIT); resampled from 5 m to ${ref_gsd} m (cubic) by scripts/make-demo.sh" \
  "$work/ref.tif"
gdal_translate -q -co PHOTOMETRIC=YCBCR -co COMPRESS=JPEG -co JPEG_QUALITY=90 -co TILED=YES \
  "$work/ref.tif" "$work/new/imagery/naip_2014.tif"

"$build/bin/make_demo" "$work/render_2020.tif" "$imagery/rasterio_RGB.byte.tif" "$work/out" "$seed"
mv "$work/out/DJI_0042.MP4" "$work/out/DJI_0042.SRT" "$work/out/VID-20200902-WA0007.mp4" "$work/new/input/"
mv "$work/out/unrelated.mp4" "$work/new/extra/"
mv "$work/out/truth.json" "$work/out/compounds.geojson" "$work/new/"
[ -f "$demo/README.md" ] && cp "$demo/README.md" "$work/new/"

# Swap the finished directory in.
if [ -d "$demo" ]; then mv "$demo" "$work/old"; fi
mv "$work/new" "$demo"
echo "data/demo:"
(cd "$demo" && find . -type f | sort | xargs ls -l | awk '{printf "  %8d  %s\n", $5, $9}')
