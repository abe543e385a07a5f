// SPDX-License-Identifier: Apache-2.0
// Which of one camera's ground fixes disagree with the others: a camera that stayed put has one place,
// so a fix far from the rest beyond its error is wrong; a camera that moved draws a path, so a fix it
// could only reach and leave faster than any drone flies is wrong. Used by `geoev match` (the frames it
// located) and by `geoev run` (a video's fixes before they become a place or a track).
#pragma once
#include <optional>
#include <vector>

#include "geo/core/geopoint.hpp"
#include "geo/core/json.hpp"

namespace geo::spatial {

struct FixConsistencyOptions {
  // A fix of a camera that stayed put farther from the median of the others than this many times its
  // error (or the fixes' median error, if larger), plus static_slack_m, is flagged. 3 sigma: a fix that
  // far is wrong, not unlucky.
  double outlier_sigmas = 3.0;
  // Fastest plausible camera between two frames, m/s: a consumer drone flies at most ~20 m/s; a fix
  // that would need more to reach and leave is flagged.
  double max_speed_mps = 30.0;
  // A camera whose positions spread no more than this beyond their errors stayed put (metres).
  double static_slack_m = 5.0;
  // Horizontal error of consumer drone GPS (DJI, GoPro), metres.
  double telemetry_error_m = 10.0;
};
// {"outlier_sigmas", "max_speed_mps", "static_slack_m", "telemetry_error_m"}: for provenance.
Json to_json(const FixConsistencyOptions& o);
// Throws Error{invalid_argument} unless every value is finite, the sigmas and the speed positive and
// the slack and telemetry error not negative.
void validate(const FixConsistencyOptions& o);

// One fix: the ground point a frame shows, its time and, when telemetry gives it, the camera's position.
struct PlacedFix {
  double t_s = 0;                  // seconds from the video's start
  GeoPoint center;
  double error_m = 0;              // radius, metres
  std::optional<GeoPoint> camera;  // telemetry's camera position at t_s
};

struct FixConsistency {
  // Did the camera move? Telemetry positions decide when two or more are given (their spread beyond
  // twice the telemetry error and the slack); otherwise the fixes' median distance from their median
  // centre beyond their median error and the slack.
  bool moving = false;
  std::vector<bool> outlier;       // per fix, in the order given
  std::vector<double> from_median_m;  // per fix: distance from the fixes' median centre, metres
};

// `fixes` in time order. Fewer than 3 fixes flag nothing (two that disagree cannot say which is right).
FixConsistency check_fix_consistency(const std::vector<PlacedFix>& fixes, const FixConsistencyOptions& opts = {});

}  // namespace geo::spatial
