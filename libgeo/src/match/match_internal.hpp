// SPDX-License-Identifier: Apache-2.0
// The parts of match_frames (match.cpp) that live in files of their own: the priors of one frame
// (match_options.cpp), the results (fixes.cpp) and the built-in overlay (overlay_builtin.cpp).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "geo/imagery/raster.hpp"
#include "geo/match/match.hpp"

namespace geo::match_detail {

// The one shape the priors take from here down: a frame's options (frame_options) as a ViewPrior on
// the reference's pixel grid. The scale comes from gsd_m, else from altitude_m, hfov_deg and the tilt.
ViewPrior view_prior(const MatchOptions& frame_opts, cv::Size frame, const GeoImage& ref);
// The priors as recorded in a frame's JSON ("priors").
Json priors_json(const ViewPrior& p, const MatchOptions& frame_opts, const std::vector<std::string>& from_telemetry);

// Heading and tilt a located frame's footprint implies (FrameFix::heading_deg, tilt_deg).
void orientation_from_footprint(FrameFix& fx, cv::Size frame, double hfov_deg);
// "; no scale (...) or heading (...) was known (...)" for a not_found frame, or "".
std::string missing_priors_hint(const ViewPrior& p);
// Flags fixes that disagree with the other frames (cameras[i]: frame i's telemetry position, if any)
// and sets the combined centre.
void combine(MatchResult& r, const std::vector<std::optional<GeoPoint>>& cameras,
             const spatial::FixConsistencyOptions& opts = {});

void write_overlay(const std::filesystem::path& file, const cv::Mat& frame, const GeoImage& ref, const Alignment& a,
                   bool located);

}  // namespace geo::match_detail
