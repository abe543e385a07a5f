#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job on the shipped demo (data/demo, synthetic and labelled so): three clips (a drone flight
# with its DJI telemetry, a clip as a messaging app delivers it with no metadata at all, and a clip of
# unrelated ground), dated imagery of another year, and one fictional compound. `geoev run` locates and
# dates each clip, records one event per located clip in a case, and prints the summary; the events are
# exported and the case verified. Writes under out/demo/ (replaced on each run).
# Usage: scripts/demo.sh [--no-setup]
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${1:-}" = "--no-setup" ] || scripts/setup.sh
G="${GEOEV:-$PWD/build/bin/geoev}"
OUT="out/demo"
rm -rf "$OUT"
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*"; }

step "The job: where and when was each clip filmed, and at which compound?"
echo "geoev run data/demo/input data/demo/extra --case $OUT/case --imagery data/demo/imagery/naip_2014.tif \\"
echo "  --imagery-date 2014-07-20 --compounds data/demo/compounds.geojson --near 47.0241,-99.1579 --radius-m 1500 \\"
echo "  --title 'Demo case: synthetic footage'"
"$G" run data/demo/input data/demo/extra --case "$OUT/case" --title "Demo case: synthetic footage" \
  --imagery data/demo/imagery/naip_2014.tif --imagery-date 2014-07-20 --compounds data/demo/compounds.geojson \
  --near 47.0241,-99.1579 --radius-m 1500

step "Events for GIS and Google Earth"
for fmt in geojson kml csv; do
  "$G" events export --case "$OUT/case" -o "$OUT/events.$fmt"
done
"$G" events list --case "$OUT/case"

step "Chain of custody"
"$G" case verify --case "$OUT/case" | tail -2

step "Run it again: nothing new, so nothing is recomputed"
"$G" run data/demo/input data/demo/extra --case "$OUT/case" \
  --imagery data/demo/imagery/naip_2014.tif --imagery-date 2014-07-20 --compounds data/demo/compounds.geojson \
  --near 47.0241,-99.1579 --radius-m 1500 --json --quiet |
  python3 -c 'import json,sys; d=json.load(sys.stdin); print("%d inputs, %d reused without matching, %.1f s" % (len(d["videos"]), sum(v["reused"] or v["status"]=="duplicate" for v in d["videos"]), d["seconds"]))'

printf '\nThe footage is synthetic (data/demo/README.md); data/demo/truth.json says where each clip really is.\n'
printf 'Outputs:\n'
printf '  %-28s the case: originals by hash, observations, events, custody log (GeoPackage; opens in QGIS)\n' "$OUT/case/"
printf '  %-28s every clip'"'"'s result as JSON (places, tracks, footprints, times, checks)\n' "$OUT/case/run/last-run.json"
printf '  %-28s the events (also .kml for Google Earth, .csv)\n' "$OUT/events.geojson"
printf '  %-28s maps: overview, site map of the compound on the imagery, timeline\n' "$OUT/case/maps/*.png"
printf '  %-28s the interactive map (opens offline in any browser)\n' "$OUT/case/maps/map.html"
printf '  %-28s the evidence report (faces blurred), also report.pdf\n' "$OUT/case/report.html"
