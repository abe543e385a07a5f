#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sourced by the match benchmarks: builds, in directory $1, the 1 m references of the three NAIP dates
# on one common grid (ref_2009.tif, ref_2014.tif, ref_2020.tif) and the two unrelated Landsat scenes
# (landsat_a.png, landsat_b.png) from ../shared/data/imagery.
bench_refs() {
  local work="$1" here data src d
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  data="$here/../shared/data/imagery"
  echo "building 1 m references (NAIP 5 m tiles resampled with gdalwarp, common grid)..."
  for d in 2009 2014 2020; do
    src=$(ls "$data"/opengeos_naip_m_*_"$d"*.tif)
    gdal_translate -q -of VRT -b 1 -b 2 -b 3 "$src" "$work/rgb_$d.vrt"
    # The three tiles' grids differ by 1-2 m: warp all onto one grid so view truth and reference agree.
    # PHOTOMETRIC=RGB: without it the bands are tagged grey and OpenCV's imread (the benchmarks'
    # reader) takes only the first, the red, and every view and reference
    # becomes red-band grey.
    gdalwarp -q -co PHOTOMETRIC=RGB -te 485905 5205635 490565 5209240 -tr 1 1 -r cubic "$work/rgb_$d.vrt" "$work/ref_$d.tif"
  done
  gdal_translate -q -of PNG "$data/rasterio_RGB.byte.tif" "$work/landsat_a.png"
  gdal_translate -q -of PNG -b 1 -b 2 -b 3 -ot Byte -scale "$data/opengeos_landsat_2020.tif" "$work/landsat_b.png" 2>/dev/null
}
