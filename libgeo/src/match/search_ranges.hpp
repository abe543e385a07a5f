// SPDX-License-Identifier: Apache-2.0
// The one place that turns what the priors say, and how sure they are, into what each stage
// searches and accepts: the dense hypotheses, the refinement's bounds and the gates' tolerances.
#pragma once
#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "geo/match/align.hpp"
#include "match/tuning.hpp"

namespace geo::match_detail {

struct SearchRanges {
  bool scale_known = false, heading_known = false, tilt_known = false;
  // Dense hypotheses: scales (with a scale prior: around it; without: stage A's grid), headings, tilts.
  std::vector<double> gsds_m;
  std::vector<double> headings_deg;
  std::vector<double> tilts_deg;
  std::vector<double> stage_a_tilts_deg;   // without a scale prior, the tilts of stage A
  double heading_step_deg = 0;             // stage B searches half a step either side
  // The refinement keeps to these (the hypotheses' ranges, a little wider).
  double refine_gsd_min_m = 0, refine_gsd_max_m = 0;
  double refine_heading_tol_deg = 0;       // around the heading prior (when known)
  double max_tilt_deg = kMaxTiltDeg;
  // The gates accept a fix within these.
  double gate_scale_min = 0, gate_scale_max = 0;  // fix gsd over the prior's; without one, metres per pixel
  double gate_heading_tol_deg = 0;
  double gate_radius_px = 0;               // around prior.center_px (reference pixels)
  // Keypoints without scale and heading are matched within this of the search centre (reference px).
  double keypoint_radius_px = 0;
};

// Throws Error{invalid_argument} for a tilt prior the search cannot confirm (outside [0, kMaxTiltDeg]).
SearchRanges search_ranges(const ViewPrior& prior, const AlignOptions& opts, cv::Size frame, double ref_gsd_m);

// The angular distance between two compass directions is within `tol_deg`.
bool heading_within(double heading_deg, double prior_deg, double tol_deg);

}  // namespace geo::match_detail
