// SPDX-License-Identifier: Apache-2.0
// frames.json as `geoev match --frames` reads it (frame list, PTS, per-frame telemetry camera priors).
#include <cmath>
#include <cstdint>

#include "fuzz_support.hpp"
#include "geo/core/error.hpp"
#include "geo/match/match.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static geo::fuzz::ScratchFile scratch("frames.json");
  try {
    const auto frames = geo::frames_from_json(scratch.write(data, size));
    for (const auto& f : frames) {
      if (f.camera && !geo::is_valid(f.camera->position)) __builtin_trap();
      (void)geo::frame_options(geo::MatchOptions{}, f, nullptr);
    }
  } catch (const geo::Error&) {
  }
  return 0;
}
