#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark: 200 random 1024x1024 windows at native GSD from a 20000x20000 COG built now from the NAIP
# sample, read (a) through libgeo (one open Raster, `geoev imagery bench-read`) and (b) with one
# `gdal_translate -srcwin` command line per window (output to GDAL's MEM driver, no disk write).
# Prints windows per second for both and the ratio. Usage: scripts/bench-imagery.sh [BUILD_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
geoev="$build/bin/geoev"
src="$root/../shared/data/imagery/opengeos_naip_m_4709963_se_14_1_20200831.tif"
[[ -x "$geoev" ]] || { echo "bench-imagery: $geoev not built" >&2; exit 1; }
[[ -f "$src" ]] || { echo "bench-imagery: $src missing" >&2; exit 1; }
work="$(mktemp -d "${TMPDIR:-/tmp}/geoev-bench-imagery.XXXXXX")"
trap 'rm -rf "$work"' EXIT
N=200 SIZE=1024 PX=20000

echo "building a ${PX}x${PX} COG (RGB bands of the NAIP tile, bilinear upsampling)..."
t0=$(date +%s.%N)
gdal_translate -q -of VRT -b 1 -b 2 -b 3 "$src" "$work/rgb.vrt"
gdalwarp -q -overwrite -ts $PX $PX -r bilinear -multi -wm 512 -of COG \
  -co COMPRESS=DEFLATE -co LEVEL=1 -co NUM_THREADS=2 -co BLOCKSIZE=512 "$work/rgb.vrt" "$work/big.tif"
t1=$(date +%s.%N)
printf 'COG built in %.1f s, %s\n' "$(echo "$t1 - $t0" | bc)" "$(du -h "$work/big.tif" | cut -f1)"

awk -v n=$N -v max=$((PX - SIZE)) 'BEGIN { srand(42); for (i = 0; i < n; ++i) printf "%d %d\n", int(rand() * max), int(rand() * max) }' \
  > "$work/windows.txt"

lib_json="$("$geoev" imagery bench-read "$work/big.tif" --windows "$work/windows.txt" --size $SIZE)"
lib_wps="$(echo "$lib_json" | sed -n 's/.*"windows_per_s": *\([0-9.e+-]*\).*/\1/p')"
lib_s="$(echo "$lib_json" | sed -n 's/.*"seconds": *\([0-9.e+-]*\).*/\1/p')"

t0=$(date +%s.%N)
while read -r c r; do
  gdal_translate -q -of MEM -b 1 -b 2 -b 3 -srcwin "$c" "$r" $SIZE $SIZE "$work/big.tif" mem
done < "$work/windows.txt"
t1=$(date +%s.%N)
cli_s="$(echo "$t1 - $t0" | bc)"
cli_wps="$(echo "scale=3; $N / $cli_s" | bc)"

printf 'libgeo Raster::read_pixels (one open dataset): %d windows in %.2f s = %.1f windows/s\n' $N "$lib_s" "$lib_wps"
printf 'gdal_translate -srcwin (one process per window): %d windows in %.2f s = %.1f windows/s\n' $N "$cli_s" "$cli_wps"
printf 'ratio: %.1fx (target >= 5x)\n' "$(echo "scale=3; $lib_wps / $cli_wps" | bc)"
