// SPDX-License-Identifier: Apache-2.0
#include "match/search_ranges.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "geo/core/error.hpp"
#include "match/tuning.hpp"

namespace geo::match_detail {

bool heading_within(double heading_deg, double prior_deg, double tol_deg) {
  const double d = std::fmod(std::abs(heading_deg - prior_deg), 360.0);
  return std::min(d, 360 - d) <= tol_deg;
}

namespace {

std::vector<double> headings(const ViewPrior& p) {
  std::vector<double> out;
  if (p.heading_deg) {
    out = {*p.heading_deg};
    for (double d = kPriorHeadingStepDeg; d <= p.heading_tol_deg + 0.1; d += kPriorHeadingStepDeg) {
      out.push_back(*p.heading_deg - d);
      out.push_back(*p.heading_deg + d);
    }
  } else if (p.gsd_m) {
    for (int i = 0; i < kHeadingsWithScale; ++i) out.push_back(i * kHeadingStepWithScaleDeg);
  } else {
    for (int i = 0; i < kHeadingsFree; ++i) out.push_back(i * kHeadingStepFreeDeg);
  }
  return out;
}

std::vector<double> scales(const ViewPrior& p, const AlignOptions& o) {
  std::vector<double> out;
  if (p.gsd_m) {
    out = {*p.gsd_m};
    if (p.gsd_tol >= kMinTolForScaleSpread)
      out = {*p.gsd_m / (1 + p.gsd_tol * kPriorScaleSpread), *p.gsd_m, *p.gsd_m * (1 + p.gsd_tol * kPriorScaleSpread)};
  } else {
    for (double g = o.min_gsd_m; g <= o.max_gsd_m * kFreeScaleStep; g *= kFreeScaleStep) out.push_back(g);
  }
  return out;
}

}  // namespace

SearchRanges search_ranges(const ViewPrior& p, const AlignOptions& o, cv::Size frame, double ref_gsd_m) {
  if (p.tilt_deg && !(*p.tilt_deg >= 0 && *p.tilt_deg <= kMaxTiltDeg))
    throw Error{Errc::invalid_argument, "match: tilt prior " + std::to_string(*p.tilt_deg) +
                                            " deg: the search supports tilts from 0 to " +
                                            std::to_string(int(kMaxTiltDeg)) + " degrees from nadir"};
  SearchRanges r;
  r.scale_known = p.gsd_m.has_value();
  r.heading_known = p.heading_deg.has_value();
  r.tilt_known = p.tilt_deg.has_value();
  r.gsds_m = scales(p, o);
  r.headings_deg = headings(p);
  r.tilts_deg = p.tilt_deg ? std::vector<double>{*p.tilt_deg} : kUnknownTiltsDeg;
  r.stage_a_tilts_deg = p.tilt_deg ? r.tilts_deg : std::vector<double>{kStageATiltDeg};
  r.heading_step_deg = p.heading_deg ? kPriorHeadingStepDeg : kHeadingStepFreeDeg;
  if (p.gsd_m) {
    r.refine_gsd_min_m = *p.gsd_m / (1 + p.gsd_tol + kRefineScaleSlack);
    r.refine_gsd_max_m = *p.gsd_m * (1 + p.gsd_tol + kRefineScaleSlack);
    r.gate_scale_min = 1 - p.gsd_tol - kGateScaleSlack;
    r.gate_scale_max = 1 + p.gsd_tol + kGateScaleSlack;
  } else {
    r.refine_gsd_min_m = o.min_gsd_m / kRefineScaleSlackFree;
    r.refine_gsd_max_m = o.max_gsd_m * kRefineScaleSlackFree;
    r.gate_scale_min = kPlausibleGsdMinM;
    r.gate_scale_max = kPlausibleGsdMaxM;
  }
  r.refine_heading_tol_deg = p.heading_tol_deg + kRefineHeadingSlackDeg;
  r.gate_heading_tol_deg = p.heading_tol_deg + kGateHeadingSlackDeg;
  r.gate_radius_px = p.radius_px * kGateRadiusSlack;
  // The footprint can stick out of the circle by up to twice the frame's largest side at the coarsest scale.
  r.keypoint_radius_px = p.radius_px + 2 * std::max(frame.width, frame.height) * o.max_gsd_m / ref_gsd_m;
  return r;
}

}  // namespace geo::match_detail
