// SPDX-License-Identifier: Apache-2.0
#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/media/telemetry.hpp"

namespace geo {

void write_track_geojson(const TelemetryTrack& track, const std::filesystem::path& out, const Json& provenance) {
  if (track.samples.empty())
    throw Error(Errc::invalid_argument, "probe.track: " + track.file + ": the telemetry track has no position sample");
  write_file_atomic(out, dump_json(track_geojson(track, provenance), 1) + "\n");
}

}  // namespace geo
