// SPDX-License-Identifier: Apache-2.0
// One GoPro GPMF payload (KLV tree, big-endian) as read from an MP4 metadata track.
#include <cstdint>
#include <vector>

#include "fuzz_support.hpp"
#include "geo/core/error.hpp"
#include "geo/media/probe.hpp"
#include "geo/media/telemetry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<geo::TelemetrySample> samples;
  geo::Diagnostics diags;
  try {
    (void)geo::parse_gpmf_payload(data, size, 10.0, 1.001, samples, diags);
    for (const auto& s : samples) {
      if (!geo::is_valid(s.point)) __builtin_trap();  // documented: out-of-range samples are skipped
      (void)geo::dump_json(geo::to_json(s));
    }
    (void)geo::dump_json(geo::to_json(diags));
  } catch (const geo::Error&) {
  }
  return 0;
}
