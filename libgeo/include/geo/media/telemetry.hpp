// SPDX-License-Identifier: Apache-2.0
// Telemetry tracks: DJI subtitle (.SRT) files and GoPro GPMF metadata tracks.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>

#include "geo/core/diagnostics.hpp"
#include "geo/media/probe.hpp"

namespace geo {

// Parses DJI .SRT telemetry text in any dialect seen in the wild: "GPS(lon,lat,alt)" with HOME/BAROMETER
// (Mavic Pro, old firmware "Hb/Hs"), "GPS(lat,lon,altM)" (Matrice 300: see below), "GPS (lon, lat, alt)"
// with "H", "H.S", "F.PRY"/"G.PRY" (Phantom 4, P4 RTK, Mini), "[latitude: ..] [longitude: ..]
// [rel_alt: .. abs_alt: ..]" or "[altitude: ..]" (Mavic 3, Air 2/2S), and "[latitude : ..] [longtitude : ..]"
// entries without time codes (Mavic 2 era).
// - t_s: the subtitle's start time code; entries without a time code get the wall-clock difference from
//   the first entry (diagnostic "srt.no_timecode").
// - The wall-clock line is the drone's own clock, local time without a zone: it goes into
//   TelemetrySample::local_clock, never into utc (diagnostic "srt.clock_local").
// - "GPS(a,b,..)" order: a value beyond +-90 decides; otherwise the dialect's known order, flagged with
//   "srt.axis_order_assumed".
// - Entries whose position is 0,0 (no fix yet) are kept with locked=false ("gps.no_lock").
// Throws Error{corrupt_data} naming `file_label` when the text holds no subtitle entry at all or no entry
// in a known dialect. Entries with no position (e.g. Mavic Air) give no samples and "srt.no_gps".
TelemetryTrack parse_dji_srt(std::string_view text, const std::string& file_label, Diagnostics& diags);
// Reads the file (Error{not_found} / Error{io}) then parses it.
TelemetryTrack read_dji_srt(const std::filesystem::path& file, Diagnostics& diags);

// One GPMF payload (a KLV tree: DEVC > STRM > GPS5/GPSU/GPSF/GPSP/SCAL/TSMP...), big-endian.
// Appends one sample per GPS5 entry, timed t0_s + i / n * duration_s, with SCAL applied (lat/lon deg,
// altitude m above the WGS 84 ellipsoid per GoPro, speed m/s). GPSU (UTC, "yymmddhhmmss.sss") is taken
// as the time of the payload's first entry and spread over duration_s. GPSF 0 (no lock) marks samples
// locked=false and adds "gps.no_lock". Karma drones write "GPS RAW" (GPRI, a TYPE-described structure)
// instead of GPS5: its lat/lon/alt are read, without UTC (its clock is receiver-relative). Returns the number of GPS5 payload blocks found. Malformed KLV
// gives a "gpmf.malformed" diagnostic and stops reading that payload (never reads out of bounds).
std::size_t parse_gpmf_payload(const std::uint8_t* data, std::size_t size, double t0_s, double duration_s,
                               std::vector<TelemetrySample>& out, Diagnostics& diags);

}  // namespace geo

namespace geo {

// Reads a DJI track's local clock (TelemetrySample::local_clock) in `zone`: fills each sample's utc and
// the track's utc_source ("drone clock read as local time in ZONE (zone_how)"). A clock time the zone
// skipped (a DST gap) stays without utc, with a warning. Returns the number of samples given a utc.
std::size_t localize_track_clock(TelemetryTrack& track, const TimeZone& zone, const std::string& zone_how,
                                 Diagnostics& diags);

// How well a telemetry track fits the video it was given for, as warnings with the numbers: its span
// against the video's duration (more than 3 s and 10 % apart), its start against the video's own
// creation time (more than 10 s apart; a whole number of hours apart suggests one clock in local time),
// its first position against the video's own GPS (more than 1 km apart). Reads info.telemetry,
// info.duration_s, info.created_candidates and info.location_candidates that are not telemetry.
void check_telemetry_against_video(MediaInfo& info);

// A short account of a track for people: samples, locked fixes, span, UTC start and end, extent.
Json track_summary(const TelemetryTrack& track);

// Writes track_geojson(track, provenance) to `out` atomically (complete or not at all). Throws
// Error{invalid_argument} when the track has no sample, Error{io} when writing fails.
void write_track_geojson(const TelemetryTrack& track, const std::filesystem::path& out, const Json& provenance);

}  // namespace geo
