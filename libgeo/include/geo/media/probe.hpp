// SPDX-License-Identifier: Apache-2.0
// `geoev probe`: a media file's identity (SHA-256) and everything its container, EXIF block or
// telemetry sidecar says about where, when and with what it was filmed.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/diagnostics.hpp"
#include "geo/core/geopoint.hpp"
#include "geo/core/json.hpp"
#include "geo/core/progress.hpp"
#include "geo/core/time.hpp"
#include "geo/core/timezone.hpp"

namespace geo {

struct ProbeOptions {
  std::optional<std::filesystem::path> srt;  // a DJI .SRT telemetry file to read (overrides the sidecar)
  // DJI SRT clocks are local wall-clock time without a zone. They are read in `tz` when given, else in
  // the zone `zone_at` gives for the telemetry's first locked position (the command line passes
  // geo::spatial::zone_at; media cannot reach the country outlines itself), else left as local_clock.
  std::optional<TimeZone> tz;
  std::function<std::optional<TimeZone>(const GeoPoint&)> zone_at;
  bool find_sidecar = true;  // look for <base>.SRT / .srt (any case) next to a video
  bool hash = true;          // compute the SHA-256 of the file (false leaves MediaInfo::sha256 empty)
  // Throws Error{not_found} when `srt` is given and does not exist.
  void validate() const;
};

struct VideoInfo {
  std::string codec;                     // libav codec name, e.g. "h264", "hevc"
  int width = 0, height = 0;             // coded size in pixels, before rotation
  std::optional<double> fps;             // measured from packet timestamps (frames / PTS span)
  std::optional<double> fps_header;      // what the container header claims (avg_frame_rate)
  double rotation_deg = 0;               // clockwise rotation to apply for upright display, 0/90/180/270
  std::optional<std::int64_t> frame_count;  // video packets counted (or nb_frames when not counted)
  std::optional<double> bit_rate_bps;
};

// A position and the tag or stream it came from ("quicktime:com.apple.quicktime.location.ISO6709",
// "udta:©xyz", "3gpp:loci", "exif:GPS", "telemetry:dji-srt" ...). Height in metres as stated by the source
// (ISO 6709 / EXIF altitudes are usually above mean sea level; the source label says which).
struct Location {
  GeoPoint point;
  std::string source;
  std::string raw;  // the text or values as read, for the record
};

struct DeviceInfo {
  std::string make, model, software;
};

// One telemetry fix. t_s is seconds from the start of the video (DJI: subtitle start time; GoPro:
// position within the payload's time span). `utc` is set only when the source carries a real UTC time
// (GoPro GPSU). DJI's wall-clock line is the drone's local clock without a zone: it goes in
// `local_clock` (written as if UTC, i.e. "naive"), never in `utc`.
struct TelemetrySample {
  double t_s = 0;
  std::optional<UtcTime> utc;
  std::optional<UtcTime> local_clock;  // naive local wall-clock (DJI), not UTC
  GeoPoint point;                      // h_m: altitude as the source states it (see rel_alt_m / abs)
  std::optional<double> rel_alt_m;     // altitude above take-off (DJI rel_alt)
  std::optional<double> speed_mps;     // 2D ground speed
  std::optional<double> gimbal_pitch_deg, gimbal_roll_deg, gimbal_yaw_deg;
  std::optional<double> aircraft_pitch_deg, aircraft_roll_deg, aircraft_yaw_deg;
  std::optional<int> gps_fix;          // GoPro GPSF: 0 none, 2 2D, 3 3D
  std::optional<double> dop;           // GoPro GPSP / 100
  bool locked = true;                  // false: recorded before GPS lock (position not trustworthy)
};

struct TelemetryTrack {
  std::string source;  // "dji-srt" | "gopro-gpmf"
  std::string file;    // the file the track was read from (the SRT, or the video itself)
  // Where the samples' utc comes from: "GPS time" (GoPro GPSU), or for DJI "drone clock read as local
  // time in ZONE (how the zone was found)"; empty when no sample has utc.
  std::string utc_source;
  std::vector<TelemetrySample> samples;
  std::size_t payloads = 0;  // GPMF: GPS5 payloads (typically one per second); DJI: subtitle entries
};

struct MediaInfo {
  std::string path, sha256;
  std::uint64_t size_bytes = 0;
  std::string kind;    // "video", "audio", "image"
  std::string format;  // libav format name ("mov,mp4,m4a,3gp,3g2,mj2") or "jpeg"/"heif" for photos
  std::optional<double> duration_s;
  std::optional<VideoInfo> video;
  std::optional<SourcedTime> created;            // the preferred capture time (see docs/media-probe.md)
  std::vector<SourcedTime> created_candidates;   // every time found, with its source
  std::optional<Location> location;              // the preferred position
  std::vector<Location> location_candidates;     // every position found
  DeviceInfo device;
  std::optional<TelemetryTrack> telemetry;
  Json tags = Json::object();  // container/EXIF tags as read (strings), for the record
  Diagnostics diagnostics;
};

// Probes one file: video/audio container through libav, photos (JPEG, HEIC where exiv2 supports it)
// through exiv2. Read-only. Thread-safe for distinct calls.
// Throws Error{not_found} (missing), Error{invalid_argument} (directory), Error{corrupt_data} (empty,
// unreadable, truncated container), Error{corrupt_data} for a malformed `opts.srt`.
// Per-tag problems go into MediaInfo::diagnostics.
MediaInfo probe_media(const std::filesystem::path& file, const ProbeOptions& opts = {},
                      const ProgressFn& progress = {});

// The JSON object `geoev probe --json` prints (keys in docs/media-probe.md).
Json to_json(const MediaInfo& info);
Json to_json(const TelemetrySample& s);

// The whole track as an RFC 7946 FeatureCollection: one LineString and one Point per sample
// (coordinates [lon, lat(, alt)]), properties with times, plus `provenance` as a foreign member.
Json track_geojson(const TelemetryTrack& track, const Json& provenance);

}  // namespace geo
