#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets up, builds and runs the whole test suite twice: a normal build (build/), then a build with
# AddressSanitizer and UndefinedBehaviorSanitizer (build-asan/); then a short libFuzzer run of every parser
# (build-fuzz/, scripts/fuzz.sh). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}

scripts/setup.sh
echo "== tests (build/)"
ctest --test-dir build --output-on-failure -j "$JOBS" --timeout 600

echo "== tests under ASan+UBSan (build-asan/)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGEO_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$JOBS"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# The demo tests (label demo) match real imagery for minutes under ASan; the pipeline code they run is
# covered there by tests/cli/run_test.cpp.
# The face-recall measurement on real photographs (minutes of Haar cascades under ASan) runs in the
# release build only, like the demo.
ctest --test-dir build-asan --output-on-failure -j "$JOBS" --timeout 1200 -LE demo -E 'render\.FacesReal\.'

echo "== fuzz (build-fuzz/)"
# Every parser of untrusted input under libFuzzer+ASan+UBSan, 10 s each from the seed corpus (a smoke
# run: scripts/fuzz.sh 600 is the real one). Adds a clang build of seven modules (508 s on 2 cores under
# other builds' load, see docs/dev/fuzzing.md) and about a minute of fuzzing.
scripts/fuzz.sh 10
