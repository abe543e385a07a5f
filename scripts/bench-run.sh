#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Speed of `geoev run` (issue 24) on the shipped demo, against the targets on 2 cores: the whole demo
# (3 clips, fresh case) under 60 s, and the rerun with nothing new under 2 s. Scenarios:
#   1. the drone clip alone (data/demo/input/DJI_0042.MP4, its .SRT beside it), fresh case;
#   2. the whole demo (data/demo/input + data/demo/extra), fresh case; then the same run again on that case;
#   3. 10 byte-identical copies of the drone clip under other names (deduplicated by SHA-256: processed
#      once) plus 5 ffmpeg re-encodes of it (other crf/scale: other content, each processed), each with
#      the .SRT copied beside it under its own name; processed vs deduplicated counts from `--json`.
#   scripts/bench-run.sh [BUILD_DIR]      (default: build)
# Needs ffmpeg and python3 (Debian packages; setup.sh installs both). Builds the geoev target first,
# works in a temporary directory and removes it. Runs with --jobs 2, pinned to CPUs 0,1 (taskset) when
# the machine has more than 2; every figure is one run (the machine may be shared: the load average is
# printed before each scenario).
#
# How the stage shares are computed: geoev run reports no timings, so they come from the case's custody
# log (`geoev case log --json`), whose entries carry UTC times from the same clock as this script's.
# Each video's entries are found by its SHA-256 (in their hashes or frame paths); the time up to its
# `probe` entry is "probe" (hashing the inputs, probe, telemetry), up to `frames.extract` "frames", up
# to its first image_match `observation.add` "match" (all its frames are matched, then recorded), and
# up to its last entry (observations, combining, `events.add` or the not-located entry) "record". A
# video starts when a worker is free: videos are taken in input order by --jobs workers, so starts are
# rebuilt by list scheduling from the ends of the earlier ones. "startup" is process start to run_job
# (run entry time minus the JSON's `seconds`), "setup" run_job to `case.init` (opening the imagery and
# registry, making the case), "finish" the `run` entry to exit (printing), and "other" any time when no
# video has an entry pending (hashing, reading reused results, the run summary; all of a rerun).
# Limits: videos in parallel overlap, so each instant is split evenly between the stages running then
# (shares add up to the wall time, not to CPU time); a stage that waits for the case's write lock is
# charged with the wait; entry times are when a result was recorded, not when work started.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
geoev="$build/bin/geoev"
command -v ffmpeg >/dev/null || { echo "bench-run: ffmpeg not found" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench-run: python3 not found" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/geoev-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cmake --build "$build" --target geoev -j2 > "$work/build.log" 2>&1 \
  || { tail -n 20 "$work/build.log" >&2; echo "bench-run: building geoev in $build failed (run scripts/setup.sh)" >&2; exit 1; }

target_demo_s=60
target_rerun_s=2
jobs=2
pin=()
if [[ $(nproc) -gt 2 ]] && command -v taskset >/dev/null; then pin=(taskset -c 0,1); fi

demo="$root/data/demo"
common=(--imagery "$demo/imagery/naip_2014.tif" --compounds "$demo/compounds.geojson"
        --near 47.0241,-99.1579 --radius-m 1500 --jobs "$jobs" --json --quiet)

cat > "$work/shares.py" <<'PY'
import json, sys
from datetime import datetime, timezone

label, run_json, log_json, t0, t1, cpu, jobs = sys.argv[1:8]
t0, t1, jobs = float(t0), float(t1), int(jobs)
run = json.load(open(run_json))
log = json.load(open(log_json))

def utc(s):
    s = s.rstrip("Z")
    fmt = "%Y-%m-%dT%H:%M:%S.%f" if "." in s else "%Y-%m-%dT%H:%M:%S"
    return datetime.strptime(s, fmt).replace(tzinfo=timezone.utc).timestamp()

entries = sorted(((utc(e["utc"]), e) for e in log if utc(e["utc"]) >= t0 - 1e-3), key=lambda x: x[0])
run_t = next((t for t, e in reversed(entries) if e["action"] in ("run", "run.reused")), t1)
job0 = max(t0, run_t - float(run.get("seconds", 0)))
setup_end = next((t for t, e in entries if e["action"] == "case.init"), job0)

videos = run["videos"]
todo = [v for v in videos if v.get("status") != "duplicate" and v.get("sha256")]
by_video = {v["sha256"]: [] for v in todo}
for t, e in entries:
    if e["action"] in ("run", "run.reused", "case.init"):
        continue
    text = json.dumps([e.get("parameters"), e.get("input_hashes"), e.get("output_hashes")])
    owners = [s for s in by_video if s[:16] in text]
    if len(owners) == 1:
        by_video[owners[0]].append((t, e))

intervals = [("startup", t0, job0), ("setup", job0, setup_end), ("finish", run_t, t1)]
per_video = []
free = [setup_end] * max(1, min(jobs, len(todo)))
for v in todo:
    w = min(range(len(free)), key=lambda i: free[i])
    start = prev = free[w]
    seen_match = False
    match_s = 0.0
    for t, e in by_video[v["sha256"]]:
        a = e["action"]
        p = e.get("parameters") or {}
        if a == "probe":
            stage = "probe"
        elif a == "frames.extract":
            stage = "frames"
        elif a == "observation.add" and isinstance(p, dict) and p.get("kind") == "image_match" and not seen_match:
            stage, seen_match = "match", True
            match_s = t - prev
        else:
            stage = "record"
        intervals.append((stage, prev, t))
        prev = t
    free[w] = prev
    per_video.append((v, start, prev, match_s))

# Sweep: each instant is shared evenly by the stages running then; uncovered time is "other".
cuts = sorted({t0, t1} | {x for _, a, b in intervals for x in (a, b) if t0 <= x <= t1})
share = {}
for a, b in zip(cuts, cuts[1:]):
    if b <= a:
        continue
    on = [s for s, lo, hi in intervals if lo <= a and hi >= b and hi > lo]
    for s in on or ["other"]:
        share[s] = share.get(s, 0) + (b - a) / len(on or ["other"])

wall = t1 - t0
status = {}
for v in videos:
    status[v.get("status")] = status.get(v.get("status"), 0) + 1
processed = sum(1 for v in videos if v.get("done_stages"))
reused = sum(1 for v in videos if v.get("reused"))
dup = status.get("duplicate", 0)
order = ["startup", "setup", "probe", "frames", "match", "record", "other", "finish"]
cells = "  ".join(f"{s} {100 * share.get(s, 0) / wall:4.1f}%" for s in order)
print(f"{label:<22} wall {wall:6.2f} s  cpu {cpu} s  inputs {len(videos)}: processed {processed}, "
      f"deduplicated {dup}, all reused {reused}  ({', '.join(f'{k} {n}' for k, n in sorted(status.items()))})")
print(f"{'':<22} {cells}")
for v, start, end, match_s in per_video:
    if not by_video[v["sha256"]]:
        continue
    n = v.get("frames", 0)
    per = f"{match_s / n:5.2f} s/frame" if n and match_s > 0 else ""
    print(f"{'':<22}   {v['path'].split('/')[-1]:<28} {v.get('status'):<12} start to end {end - start:6.2f} s  "
          f"frames {n:>2} located {v.get('frames_located', 0):>2}  match {match_s:6.2f} s {per}")
with open(sys.argv[8], "w") as f:
    f.write(f"{wall:.2f} {processed} {dup}\n")
PY

# label, case dir, inputs...: one `geoev run`; prints its line, the shares and per-video times.
scenario() {
  local label="$1" case_dir="$2"; shift 2
  echo "-- $label   (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
  local t0 t1 rc=0
  t0=$(date +%s.%N)
  { TIMEFORMAT='%U+%S'; time "${pin[@]}" "$geoev" run "$@" --case "$case_dir" "${common[@]}" \
      > "$work/$label.json" 2> "$work/$label.err" || rc=$?; } 2> "$work/$label.cpu"
  t1=$(date +%s.%N)
  if [[ $rc -ne 0 ]]; then
    echo "   geoev run exited $rc: $(head -c 400 "$work/$label.err")"
    [[ -s "$work/$label.json" ]] || { echo "0 0 0" > "$work/$label.out"; return; }
  fi
  "$geoev" case log --case "$case_dir" --json > "$work/$label.log.json"
  local cpu
  cpu=$(echo "$(tail -n1 "$work/$label.cpu")" | bc -l)
  python3 "$work/shares.py" "$label" "$work/$label.json" "$work/$label.log.json" "$t0" "$t1" "$cpu" "$jobs" \
    "$work/$label.out"
}

verdict() {  # name, seconds, target
  if (( $(echo "$2 < $3" | bc -l) )); then echo "PASS  $1: $2 s < $3 s"
  else echo "OVER TARGET  $1: $2 s >= $3 s"; fi
}

echo "== geoev run on the demo: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), --jobs $jobs${pin:+, pinned to CPUs 0,1}"

echo "== making the batch: 10 copies of DJI_0042.MP4 + 5 re-encodes, each with the .SRT beside it"
batch="$work/batch"
mkdir -p "$batch"
for i in $(seq -w 1 10); do
  cp "$demo/input/DJI_0042.MP4" "$batch/copy_$i.MP4"
  cp "$demo/input/DJI_0042.SRT" "$batch/copy_$i.SRT"
done
variants=("crf20 20 960" "crf26 26 960" "crf32 32 960" "s720 23 720" "s640 28 640")
for v in "${variants[@]}"; do
  read -r name crf width <<< "$v"
  ffmpeg -v error -y -i "$demo/input/DJI_0042.MP4" -map_metadata 0 -an -vf "scale=$width:-2" \
    -c:v libx264 -preset veryfast -crf "$crf" -pix_fmt yuv420p "$batch/reenc_$name.MP4"
  cp "$demo/input/DJI_0042.SRT" "$batch/reenc_$name.SRT"
done

echo "== scenarios (wall time; stage shares of the wall time, see the header for how they are made)"
scenario "1-drone-clip" "$work/case1" "$demo/input/DJI_0042.MP4"
scenario "2-demo-fresh" "$work/case2" "$demo/input" "$demo/extra"
scenario "2-demo-rerun" "$work/case2" "$demo/input" "$demo/extra"
if python3 -c 'import json,sys; sys.exit(any(v.get("done_stages") for v in json.load(open(sys.argv[1]))["videos"]))' \
     "$work/2-demo-rerun.json" 2>/dev/null; then
  echo "   rerun: every stage reused, no matching"
else
  echo "   rerun: SOME WORK WAS REDONE (done_stages not empty)"
fi
scenario "3-copies-reencodes" "$work/case3" "$batch"

echo "== targets (2 cores)"
read -r demo_s _ _ < "$work/2-demo-fresh.out"
read -r rerun_s _ _ < "$work/2-demo-rerun.out"
verdict "whole demo, fresh case" "$demo_s" "$target_demo_s"
verdict "rerun with nothing new" "$rerun_s" "$target_rerun_s"
