// SPDX-License-Identifier: Apache-2.0
// Telemetry against its video: the DJI clock's zone, and whether a sidecar belongs to the video at all
// (a re-uploaded clip with someone else's SRT beside it is a case researchers meet).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/core/text.hpp"
#include "geo/media/telemetry.hpp"

namespace geo {
namespace {

// Thresholds of check_telemetry_against_video.
constexpr double kDurationSlackS = 3.0;       // a DJI SRT may start or end a frame or two apart
constexpr double kDurationSlackFraction = 0.1;
constexpr double kStartSlackS = 10.0;         // clocks of one device agree within seconds
constexpr double kDistanceSlackM = 1000.0;    // a phone's GPS and a drone's within a kilometre

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

const TelemetrySample* first_locked(const TelemetryTrack& t) {
  const auto it = std::find_if(t.samples.begin(), t.samples.end(),
                               [](const TelemetrySample& s) { return s.locked && is_valid(s.point); });
  return it == t.samples.end() ? nullptr : &*it;
}

}  // namespace

std::size_t localize_track_clock(TelemetryTrack& track, const TimeZone& zone, const std::string& zone_how,
                                 Diagnostics& diags) {
  std::size_t n = 0, skipped = 0;
  for (auto& s : track.samples) {
    if (s.utc || !s.local_clock) continue;
    try {
      s.utc = zone.from_wall_clock(*s.local_clock);  // local_clock holds the wall-clock fields as if UTC
      ++n;
    } catch (const Error&) {
      ++skipped;
    }
  }
  if (n) {
    track.utc_source = "drone clock read as local time in " + zone.name() + " (" + zone_how + ")";
    diags.info("srt.clock_zone", "the SRT clock (local time, see srt.clock_local) was read in " + zone.name() + " (" +
                                     zone_how + ") and converted to UTC", track.file);
  }
  if (skipped)
    diags.warn("srt.clock_in_dst_gap", std::to_string(skipped) + " SRT clock times fall in a daylight-saving gap of " +
                                           zone.name() + ": left without UTC", track.file);
  return n;
}

void check_telemetry_against_video(MediaInfo& info) {
  if (!info.telemetry || info.telemetry->samples.empty()) return;
  const TelemetryTrack& t = *info.telemetry;
  const std::string where = t.file;
  // Span against duration (a video with its own GPMF track is the track's own file: nothing to compare).
  if (t.file != info.path && info.duration_s && t.samples.size() >= 2) {
    const double span = t.samples.back().t_s - t.samples.front().t_s;
    const double d = *info.duration_s;
    if (std::abs(span - d) > std::max(kDurationSlackS, kDurationSlackFraction * d))
      info.diagnostics.warn("telemetry.duration_mismatch",
                            "the telemetry spans " + seconds_text(span) + ", the video lasts " + seconds_text(d) +
                                ": is this the video's own telemetry?",
                            where);
  }
  const TelemetrySample* first = first_locked(t);
  // Start against the video's own creation time.
  if (t.file != info.path && first && first->utc) {
    const double start = first->utc->unix_s() - first->t_s;
    for (const auto& c : info.created_candidates) {
      if (c.source.rfind("telemetry:", 0) == 0) continue;
      const double diff = start - c.utc.unix_s();
      if (std::abs(diff) <= kStartSlackS) continue;
      const double hours = diff / 3600.0;
      const bool whole_hours = std::abs(hours - std::round(hours)) < 0.01 && std::round(hours) != 0;
      info.diagnostics.warn("telemetry.start_mismatch",
                            "the telemetry starts " + format_utc(UtcTime::from_unix_s(start)) + ", " +
                                format_duration(std::abs(diff)) + (diff > 0 ? " after " : " before ") + "the video's " +
                                c.source + " " + format_utc(c.utc) +
                                (whole_hours ? " (a whole number of hours: one of the clocks is probably local time)" : ""),
                            where);
      break;
    }
  }
  // First position against the video's own GPS.
  if (first)
    for (const auto& l : info.location_candidates) {
      if (l.source.rfind("telemetry:", 0) == 0 || !is_valid(l.point)) continue;
      const double d = geodesic_inverse(first->point, l.point).distance_m;
      if (d > kDistanceSlackM)
        info.diagnostics.warn("telemetry.far_from_video_gps",
                              "the telemetry's first position is " + format_distance(d) + " from the video's own GPS (" +
                                  l.source + "): is this the video's own telemetry?",
                              where);
      break;
    }
}

Json track_summary(const TelemetryTrack& t) {
  std::size_t locked = 0;
  double extent = 0;
  const TelemetrySample* first = first_locked(t);
  for (const auto& s : t.samples) {
    if (!s.locked || !is_valid(s.point)) continue;
    ++locked;
    if (first) extent = std::max(extent, geodesic_inverse(first->point, s.point).distance_m);
  }
  Json j{{"source", t.source}, {"file", t.file}, {"samples", t.samples.size()}, {"locked", locked}};
  j["span_s"] = t.samples.size() >= 2 ? Json(round_to(t.samples.back().t_s - t.samples.front().t_s, 3)) : Json(0.0);
  const auto with_utc = std::find_if(t.samples.begin(), t.samples.end(), [](const TelemetrySample& s) { return s.utc.has_value(); });
  const auto last_utc = std::find_if(t.samples.rbegin(), t.samples.rend(), [](const TelemetrySample& s) { return s.utc.has_value(); });
  j["start_utc"] = with_utc != t.samples.end() ? Json(format_utc(*with_utc->utc, 3)) : Json();
  j["end_utc"] = last_utc != t.samples.rend() ? Json(format_utc(*last_utc->utc, 3)) : Json();
  j["utc_source"] = t.utc_source;
  j["first_position"] = first ? to_json(first->point) : Json();
  j["extent_m"] = round_to(extent, 1);
  return j;
}

}  // namespace geo
