#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer targets of the parsers (tests/fuzz/fuzz_*.cpp) with clang, ASan and UBSan in
# build-fuzz/, runs each for SECONDS (default 60) from a fresh copy of its seed corpus, and prints per
# target the executions, exec/s, coverage and whether it found anything. A finding (crash, uncaught
# exception other than geo::Error, leak, timeout, out-of-memory, sanitizer report) leaves its input in
# build-fuzz/findings/<target>/ and its log in build-fuzz/fuzz-logs/<target>.log; the script then exits 1.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (FUZZ_JOBS targets run at once; default: nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
shift || true
JOBS=${JOBS:-$(nproc)}
FUZZ_JOBS=${FUZZ_JOBS:-$(nproc)}
B=build-fuzz

CC=clang CXX=clang++ cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGEO_FUZZ=ON \
  -DGEO_BUILD_TESTS=OFF >/dev/null
mkdir -p "$B"
build_start=$(date +%s)
if ! cmake --build "$B" --target fuzz_all -j "$JOBS" >"$B/fuzz-build.log" 2>&1; then
  tail -40 "$B/fuzz-build.log" >&2
  echo "fuzz: build failed (log: $B/fuzz-build.log)" >&2
  exit 1
fi
echo "fuzz: configured and built in $(($(date +%s) - build_start)) s"

if (($#)); then
  targets=("$@")
else
  targets=()
  for f in tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

run_one() {
  local t=$1 corpus="$B/fuzz-corpus/$1" findings="$B/findings/$1" log="$B/fuzz-logs/$1.log"
  rm -rf "$corpus" "$findings"
  mkdir -p "$corpus" "$findings" "$B/fuzz-logs"
  cp tests/fuzz/corpus/"$t"/* "$corpus"/
  local dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=("-dict=tests/fuzz/$t.dict")
  local rc=0
  "$B/bin/$t" "$corpus" "${dict[@]}" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$findings/" -print_final_stats=1 >"$log" 2>&1 || rc=$?
  echo "$rc" >"$log.rc"
}

# At most FUZZ_JOBS targets at once; each is one process (libFuzzer's default -jobs=0).
for t in "${targets[@]}"; do
  [ -x "$B/bin/$t" ] || { echo "fuzz: no target $t" >&2; exit 2; }
  while (($(jobs -rp | wc -l) >= FUZZ_JOBS)); do wait -n || true; done
  run_one "$t" &
done
wait

echo "== fuzz: ${SECONDS_PER_TARGET} s per target"
printf '%-28s %12s %9s %7s %7s  %s\n' target executions exec/s cov ft result
failed=0
for t in "${targets[@]}"; do
  log="$B/fuzz-logs/$t.log"
  rc=$(cat "$log.rc")
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+[[:space:]]' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  result=ok
  if [ "$rc" != 0 ] || [ -n "$(ls -A "$B/findings/$t")" ]; then
    result="FINDING (exit $rc): $(ls "$B/findings/$t" | head -3 | tr '\n' ' ')see $log"
    failed=1
  fi
  printf '%-28s %12s %9s %7s %7s  %s\n' "$t" "${runs:--}" "${execs:--}" "${cov:--}" "${ft:--}" "$result"
done
if ((failed)); then
  for t in "${targets[@]}"; do
    [ "$(cat "$B/fuzz-logs/$t.log.rc")" = 0 ] && continue
    echo "== $t"
    grep -E -A25 'ERROR: |runtime error|terminate called|==[0-9]+==' "$B/fuzz-logs/$t.log" | head -40
  done
  echo "fuzz: reproduce with $B/bin/<target> <input>; minimise with -minimize_crash=1 -runs=10000" >&2
  exit 1
fi
