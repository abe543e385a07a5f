// SPDX-License-Identifier: Apache-2.0
#include "geo/media/probe.hpp"

#include "geo/core/error.hpp"

namespace geo {

void ProbeOptions::validate() const {
  if (srt && !std::filesystem::exists(*srt))
    throw Error(Errc::not_found, "probe: " + srt->string() + ": no such SRT file");
}

MediaInfo probe_media(const std::filesystem::path& file, const ProbeOptions& opts, const ProgressFn&) {
  opts.validate();
  throw Error(Errc::unsupported, "probe: " + file.string() + ": not implemented yet");
}

Json to_json(const TelemetrySample&) { return Json::object(); }
Json to_json(const MediaInfo&) { return Json::object(); }
Json track_geojson(const TelemetryTrack&, const Json&) { return Json::object(); }

}  // namespace geo
