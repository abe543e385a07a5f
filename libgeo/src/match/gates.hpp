// SPDX-License-Identifier: Apache-2.0
// Every decision on a candidate, in one place: the keypoint gates and confidence, the geometry every
// candidate must have, and the dense gates (peak evidence, block check, refined standing) combined
// into a confidence. The thresholds are in tuning.hpp; docs/dev/match-design.md says how each was set.
#pragma once
#include <string>

#include <opencv2/core.hpp>

#include "geo/match/align.hpp"
#include "match/keypoints.hpp"
#include "match/search_ranges.hpp"

namespace geo::match_detail {

// Fills a's gate values, confidence and error_m from a keypoint fit; a fit that fails a gate is capped
// below located with a diagnostic. `kp_px_m` = metres per reference pixel, `floor_m` = error floor.
void score_keypoints(Alignment& a, const KeypointFit& f, const AlignOptions& o, double kp_px_m, double floor_m);

// Why a candidate's geometry is impossible or contradicts the priors ("" when it is fine): its
// footprint (footprint_problem), scale, heading, centre in the search area and on the reference.
std::string geometry_problem(const ViewPrior& p, const SearchRanges& ranges, const ReferenceIndex& ref,
                             const cv::Matx33d& ref_from_frame, cv::Size frame);

// The numbers behind a dense fix's decision (see dense_confidence).
struct DenseGateInput {
  double peak_ratio = 0;        // the search peak over the best peak at a clearly different place
  double peak_z = 0;            // the peak above its own hypothesis' score map, in sd
  bool refined = false;         // the coarse-to-fine refinement converged
  double ncc_fine = 0;          // refined correlation
  double drift_coarse_px = 0;   // how far the refinement moved the fix (coarse-level pixels)
  int blocks_agree = 0, blocks_localized = 0;
  double fine_ratio = 0, fine_z = 0;  // refined standing over the other refined places (0: not computed)
};
// The search the candidate came from: without a scale prior (`free`), with a heading prior, and,
// with a scale prior, over an area wider than the gates were calibrated on (`wide`), and on which
// channels (`colour`). The gates were calibrated on two searches: free without a heading, and scale
// with heading over a narrow area.
struct DenseSearchKind {
  bool free = false, heading_prior = false, wide = false;
  bool colour = false;  // the search correlated colour boundaries too (dense_channels)
};
struct DenseDecision {
  double confidence = 0;
  bool unconfirmed = false;  // one gate alone passed, in a search the gates were not calibrated on
};
// The dense gates: the peak evidence, the block check and the refined standing, combined into a
// confidence in [0, 1]; `min_confidence` is the located threshold (needed to say when a fix on one
// gate alone was set aside).
DenseDecision dense_confidence(const DenseGateInput& in, const DenseSearchKind& kind, double min_confidence);

}  // namespace geo::match_detail
