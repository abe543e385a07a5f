#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Speed of `geoev frames` and of probe's hashing against the baselines named in issue 2, measured in the
# same run on the same machine. Prints wall-clock seconds and ratios (geoev / baseline; for hashing,
# geoev's throughput as a fraction of sha256sum's).
#   scripts/bench-frames.sh [BUILD_DIR]      (default: build)
# Needs ffmpeg and sha256sum. Makes its clips in a temporary directory and removes them.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
geoev="$build/bin/geoev"
[[ -x "$geoev" ]] || { echo "bench-frames: $geoev not built (run scripts/setup.sh)" >&2; exit 1; }
command -v ffmpeg >/dev/null || { echo "bench-frames: ffmpeg not found" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/geoev-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
# seconds of the command's wall-clock time
timeit() { local t0 t1; t0=$(now); "$@" >/dev/null 2>&1; t1=$(now); echo "$t1 - $t0" | bc -l; }
ratio() { echo "scale=3; $1 / $2" | bc -l; }

clip="$work/clip.mp4"
echo "== making a 60 s 1080p30 H.264 clip (GOP 60, scene changes every 12 s, one 12 s pan)"
# Five 12 s segments of different synthetic content; the fourth pans over a large image. x264's own
# scene-cut keyframes are kept (as a phone encoder does), on top of a 2 s GOP.
ffmpeg -v error -y \
  -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=12" \
  -f lavfi -i "gradients=size=1920x1080:rate=30:duration=12:speed=0.05" \
  -f lavfi -i "smptehdbars=size=1920x1080:rate=30:duration=12" \
  -f lavfi -i "cellauto=size=3840x1080:rate=30:rule=110,trim=duration=12,crop=1920:1080:'t*150':0" \
  -f lavfi -i "life=size=1920x1080:rate=30:mold=10:ratio=0.5:death_color=#203040,trim=duration=12" \
  -filter_complex "[0:v]format=yuv420p,setsar=1[a];[1:v]format=yuv420p,setsar=1[b];[2:v]format=yuv420p,setsar=1[c];[3:v]format=yuv420p,setsar=1[d];[4:v]format=yuv420p,setsar=1[e];[a][b][c][d][e]concat=n=5:v=1:a=0[v]" \
  -map "[v]" -c:v libx264 -preset veryfast -crf 20 -g 60 -pix_fmt yuv420p "$clip"
ffprobe -v error -select_streams v:0 -show_entries stream=width,height,nb_frames,duration -of csv=p=0 "$clip" \
  | sed 's/^/   clip width,height,duration,frames: /'
keys=$(ffprobe -v error -select_streams v:0 -skip_frame nokey -show_entries frame=pts_time -of csv=p=0 "$clip" | grep -c .)
echo "   keyframes: $keys"

run_pair() {  # label, geoev args..., --, baseline command...
  local label="$1"; shift
  local g=() b=()
  while [[ "$1" != "--" ]]; do g+=("$1"); shift; done; shift
  b=("$@")
  rm -rf "$work/g" "$work/b"; mkdir -p "$work/b"
  local tb tg
  # baseline first, then geoev; each once (the machine is shared: no loops)
  tb=$(cd "$work/b" && timeit "${b[@]}")
  tg=$(timeit "$geoev" "${g[@]}")
  local nb ng
  nb=$(find "$work/b" -type f | wc -l)
  ng=$(( $(find "$work/g" -type f | wc -l) - 1 ))
  printf '%-10s geoev %6.2f s (%d frames)  baseline %6.2f s (%d frames)  ratio %s\n' \
    "$label" "$tg" "$ng" "$tb" "$nb" "$(ratio "$tg" "$tb")"
}

echo "== keyframes: geoev frames --mode keyframes  vs  ffmpeg -skip_frame nokey ... -q:v 2   (target ratio <= 1.2)"
run_pair keyframes frames "$clip" -o "$work/g" --mode keyframes --quiet -- \
  ffmpeg -v error -skip_frame nokey -i "$clip" -vsync 0 -q:v 2 out%04d.jpg
echo "== shots: geoev frames --mode shots  vs  ffmpeg select='gt(scene,0.3)'   (target ratio <= 1.0)"
run_pair shots frames "$clip" -o "$work/g" --mode shots --quiet -- \
  ffmpeg -v error -i "$clip" -vf "select='gt(scene,0.3)'" -vsync 0 out%04d.jpg

echo "== hashing a 1 GB video: geoev probe vs sha256sum   (target >= 0.80 of sha256sum's throughput)"
# MPEG-TS concatenates byte-wise, so repeating the clip gives a valid 1 GB video for probe to read.
big="$work/big.ts"
ffmpeg -v error -y -i "$clip" -c copy -f mpegts "$work/clip.ts"
while [[ $(stat -c %s "$big" 2>/dev/null || echo 0) -lt 1073741824 ]]; do cat "$work/clip.ts" >> "$big"; done
truncate -s 1073741824 "$big"   # exactly 1 GiB (a cut last packet is fine for hashing)
cat "$big" > /dev/null          # both runs read from the page cache
ts=$(timeit sha256sum "$big")
if "$geoev" probe "$big" --json --quiet >/dev/null 2>&1; then
  tg=$(timeit "$geoev" probe "$big" --json --quiet); how="geoev probe"
else
  tg=$(timeit "$geoev" probe "$big" --json --quiet); how="geoev probe (FAILED on this file: figure not valid)"
fi
printf 'hashing    %s %6.2f s  sha256sum %6.2f s  throughput fraction %s\n' "$how" "$tg" "$ts" "$(ratio "$ts" "$tg")"
