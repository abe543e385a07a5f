#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Speed of geoev report (issue 26): the report of a case with 25 files of footage and 100 located frames
# (4 per file, each shown in the contact sheet and as an overlay), as HTML and as PDF, faces blurred and
# not; against the target of 10 s on 2 cores. Figures are kept in docs/dev/bench-report.md.
#   scripts/bench-report.sh [BUILD_DIR]      (default: build)
#
# The case is built cheaply, without matching: 25 files of random bytes added with `geoev case add`, one
# event each with `geoev events add`, and for each the stage files geoev run would have left
# (run/<sha256 prefix>/frames-bench/frames.json with 4 frames, match-bench.json with their fixes). The
# frames are real ones: `geoev frames` on the demo's drone clip (960 x 540), 4 of them per file.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
geoev="$build/bin/geoev"
[[ -x "$geoev" ]] || { echo "bench-report: $geoev is missing (run scripts/setup.sh)" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/geoev-bench-report.XXXXXX")"
trap 'rm -rf "$work"' EXIT
kase="$work/case"

echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$geoev" frames "$root/data/demo/input/DJI_0042.MP4" -o "$work/frames" --quiet >/dev/null
mapfile -t jpgs < <(ls "$work/frames"/*.jpg | head -n 12)
"$geoev" case init --case "$kase" --title "bench: 25 files" >/dev/null
files=()
for i in $(seq 1 25); do
  head -c 65536 /dev/urandom >"$work/clip$i.mp4"
  files+=("$work/clip$i.mp4")
done
"$geoev" case add --case "$kase" "${files[@]}" --quiet >/dev/null 2>&1
for i in $(seq 1 25); do
  sha=$(sha256sum "$work/clip$i.mp4" | cut -c1-64)
  lat=$(awk -v i="$i" 'BEGIN { printf "%.6f", 16.60 + i * 0.002 }')
  "$geoev" events add --case "$kase" --at "$lat,98.55" --uncertainty-m 20 --from 2024-03-0${i:0:1}T02:00Z \
    --to 2024-03-0${i:0:1}T02:05Z --media "$sha" --description "bench $i" >/dev/null 2>&1
  dir="$kase/run/${sha:0:16}/frames-bench"
  mkdir -p "$dir"
  fj='{"frames":['; mj='{"imagery":"none.tif","frames":['
  for k in 0 1 2 3; do
    src="${jpgs[$(( (i + k * 3) % ${#jpgs[@]} ))]}"
    cp "$src" "$dir/frame_$k.jpg"
    sep=$([[ $k -gt 0 ]] && echo , || true)
    fj+="$sep{\"file\":\"frame_$k.jpg\",\"pts_s\":$k.5}"
    mj+="$sep{\"frame\":\"$dir/frame_$k.jpg\",\"located\":true,\"center\":[$lat,98.55],\"error_m\":6.0,\"confidence\":0.9,\"method\":\"dense\"}"
  done
  echo "$fj]}" >"$dir/frames.json"
  echo "$mj]}" >"$kase/run/${sha:0:16}/match-bench.json"
done

time_of() {
  local s e
  s=$(date +%s.%N)
  "$geoev" report --case "$kase" "$@" --quiet --force >"$work/out.txt" 2>&1 || { cat "$work/out.txt" >&2; exit 1; }
  e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN { printf "%.1f", e - s }'
}
printf '%-44s %8s %10s %s\n' "report (25 files, 100 overlays)" "seconds" "size" "vs 10 s"
for fmt in html pdf; do
  for blur in "" "--no-blur-faces"; do
    t=$(time_of -o "$work/r.$fmt" $blur)
    size=$(du -h "$work/r.$fmt" | cut -f1)
    printf '%-44s %8s %10s %s\n' "$fmt ${blur:-(faces blurred)}" "$t" "$size" "$(awk -v t="$t" 'BEGIN { printf "%.2fx", t / 10 }')"
  done
done
pdfinfo "$work/r.pdf" | grep -E '^Pages'
