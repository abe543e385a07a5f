// SPDX-License-Identifier: Apache-2.0
// Recording other commands' results in a case: each call adds observations and one custody entry per
// observation (geo::events::add_observation), in the case's own transactions. Thread safety as the case.
#pragma once
#include <string>
#include <vector>

#include "geo/chrono/shadow.hpp"
#include "geo/events/case.hpp"
#include "geo/match/match.hpp"
#include "geo/media/frames.hpp"

namespace geo::events {

// One "image_match" observation per frame: a located frame with its centre, error_m as the uncertainty
// radius (at least the reference GSD) and confidence; a not_found frame with no position and the reason
// in its parameters (a negative result is evidence too). `media_sha256`: the video the frames came
// from, when known; `extra`: members added to every observation's parameters (geoev run's key).
// Returns the ids, in the order of r.frames.
std::vector<std::int64_t> record_match(const CaseInfo& c, const MatchResult& r, const std::string& media_sha256 = {},
                                       const Json& extra = Json::object());

// The SHA-256 (lowercase hex) of the media a measurement was made in, given as a file (hashed, only
// read) or as a 64-hex-digit hash; an existing file of that name wins over the hash reading. The media
// must already be in the case. Throws Error{not_found} naming `geoev case add` and `geoev run` when it is
// not, Error{invalid_argument} when the text is neither a readable regular file nor a hash.
std::string case_media_sha256(const CaseInfo& c, const std::string& file_or_sha256);

// One time-only "sun_shadow" observation: the window hull (first start to last end) as its time, every
// window, the observations and the claimed-time check in its parameters. With no window it records the
// reason and no time. `media_sha256`: the video or photo the shadow was measured in (its
// media_sha256 and an input hash; `geoev run` compares the window with that video's capture time);
// empty: none. Throws Error{not_found} when that media is not in the case.
std::int64_t record_sun_when(const CaseInfo& c, const chrono::WhenOptions& opts, const chrono::WhenResult& r,
                             const std::string& media_sha256 = {});

// One "sun_shadow_region" observation: no point position (the band is a region), the time +/- tolerance,
// the band's area and the written GeoJSON's path and sha256 in its parameters.
// band_sha256: the band file's hash when it is not yet in place (written atomically after the case);
// empty: the file at band_path is hashed. `media_sha256`: as for record_sun_when.
std::int64_t record_sun_where(const CaseInfo& c, const chrono::WhereOptions& opts, const chrono::WhereResult& r,
                              const std::string& band_path, const std::string& band_sha256 = {},
                              const std::string& media_sha256 = {});

// Records an extract_frames result: the video in `media` when it is not there yet (sha256, absolute
// path, size; no copy), one `frames` row per written frame (media_sha256, stream_index, pts_s,
// offset_s, utc and its source, frame_sha256, absolute path, shot/subshot, phash, keyframe, size) and
// one custody entry "frames.extract" (inputs: the video's sha256; outputs: each frame's path and
// sha256), all in one transaction: on any error nothing is recorded. A case made by an earlier version
// gets the missing frames fields added. Returns the number of frame rows written.
// Throws Error{invalid_argument} when the result has no video hash.
std::size_t record_frames(const CaseInfo& c, const FrameExtractResult& r);

}  // namespace geo::events
