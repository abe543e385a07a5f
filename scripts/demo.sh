#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The most complete job geoev can do on the data it ships (data/), start to finish:
#   ingest (hash, metadata, telemetry track, shots) -> case store with custody -> chronolocation from
#   a shadow -> geolocation of a frame against satellite imagery -> compounds -> event exports.
# Writes everything under out/demo/ (replaced on each run). Usage: scripts/demo.sh [--no-setup]
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${1:-}" = "--no-setup" ] || scripts/setup.sh
G="${GEOEV:-$PWD/build/bin/geoev}"
OUT="out/demo"
rm -rf "$OUT"
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*"; }

step "1. Ingest: hash and metadata of the sample clips (times with their source, GPS, device, telemetry)"
"$G" probe data/samples/mde_with-gps.mov data/samples/karma.mp4 --quiet
"$G" probe data/samples/mde_with-gps.mov data/samples/karma.mp4 --json --quiet > "$OUT/probe.json"
"$G" probe data/samples/karma.mp4 --track "$OUT/karma-track.geojson" --quiet > /dev/null
echo "GoPro GPMF track written to $OUT/karma-track.geojson"

step "2. Frames: shots and sub-shots of the drone clip, sharpest frame of each, contact sheet"
"$G" frames data/samples/karma.mp4 -o "$OUT/frames-karma" --mode shots --contact-sheet "$OUT/karma-contact.jpg" --quiet
"$G" frames data/samples/mde_with-gps.mov -o "$OUT/frames-iphone" --mode interval --every-s 1 --quiet

step "3. Case store: record the originals by hash (their GPS and telemetry become observations)"
"$G" case init --case "$OUT/case" --title "geoev demo case"
"$G" case add --case "$OUT/case" data/samples/mde_with-gps.mov data/samples/karma.mp4 --quiet

step "4. Chronolocation: a shadow measured in the iPhone clip (azimuth 299 +/-3 deg, length/height 0.40 +/-0.03): when does it fit there, and does the metadata time agree?"
"$G" sun position --at 32.0929,34.8620 --time 2019-07-24T08:25:40Z
"$G" sun when --at 32.0929,34.8620 --date 2019-07-24 --shadow-azimuth-deg 299 --azimuth-tol-deg 3 \
  --length-ratio 0.40 --ratio-tol 0.03 \
  --claimed-time 2019-07-24T08:25:40Z --case "$OUT/case"
"$G" sun where --time 2019-07-24T08:25:40Z --length-ratio 0.40 --ratio-tol 0.03 --shadow-azimuth-deg 299 \
  --azimuth-tol-deg 3 --time-tol-min 10 -o "$OUT/shadow-band.geojson" --case "$OUT/case" --quiet

step "5. Satellite imagery: the shipped NAIP reference, and a view of it as a drone frame (georeferencing stripped)"
"$G" imagery info data/demo/naip_2014_reference.tif
"$G" imagery crop data/demo/naip_2014_reference.tif --near 47.0160,-99.1580 --radius-m 400 --gsd-m 1.5 \
  -o "$OUT/view.tif" --quiet
gdal_translate -q -of JPEG -co QUALITY=85 "$OUT/view.tif" "$OUT/drone-frame.jpg" && rm -f "$OUT/drone-frame.jpg.aux.xml"
# Unrelated ground (Landsat, Bahamas) must come back not_found, never a confident wrong fix.
gdal_translate -q -of JPEG -b 1 -b 2 -b 3 -srcwin 100 100 400 300 ../shared/data/imagery/rasterio_RGB.byte.tif \
  "$OUT/unrelated-frame.jpg" 2>/dev/null && rm -f "$OUT/unrelated-frame.jpg.aux.xml" || true

step "6. Geolocation: match the frames against the imagery (footprints, confidence, overlays)"
frames=("$OUT/drone-frame.jpg")
[ -f "$OUT/unrelated-frame.jpg" ] && frames+=("$OUT/unrelated-frame.jpg")
"$G" match "${frames[@]}" --imagery data/demo/naip_2014_reference.tif --near 47.02,-99.15 --radius-m 1500 \
  --gsd-m 1.5 --imagery-date 2014-07-20 -o "$OUT/matches.geojson" --overlay "$OUT/overlays" --case "$OUT/case" --quiet

step "7. Compounds: the shipped registry (positions only where a public source states one)"
"$G" compounds list | head -20
"$G" compounds nearest --at 16.66,98.51 --uncertainty-m 500

step "8. Events: one event from the iPhone clip's observations (metadata GPS + shadow window), exported"
"$G" observations list --case "$OUT/case"
"$G" events add --case "$OUT/case" --observation 1 --observation 3 --description "iPhone clip: metadata position, shadow window"
"$G" events list --case "$OUT/case"
for fmt in geojson kml csv gpkg; do
  "$G" events export --case "$OUT/case" -o "$OUT/events.$fmt"
done

step "9. Chain of custody"
"$G" case verify --case "$OUT/case"
"$G" case log --case "$OUT/case" | cut -c1-160

printf '\nDone. Outputs in %s/:\n' "$OUT"
ls -1 "$OUT"
