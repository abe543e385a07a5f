// SPDX-License-Identifier: Apache-2.0
// DJI subtitle (.SRT) telemetry in every dialect, then the track as GeoJSON (what `probe --track` writes).
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "geo/core/error.hpp"
#include "geo/media/probe.hpp"
#include "geo/media/telemetry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  geo::Diagnostics diags;
  try {
    const geo::TelemetryTrack track = geo::parse_dji_srt(geo::fuzz::as_text(data, size), "fuzz.SRT", diags);
    for (const auto& s : track.samples)
      if (!geo::is_valid(s.point)) __builtin_trap();  // documented: out-of-range positions are skipped
    if (!track.samples.empty()) (void)geo::dump_json(geo::track_geojson(track, geo::Json::object()));
    (void)geo::dump_json(geo::to_json(diags));
  } catch (const geo::Error&) {
  }
  return 0;
}
