// SPDX-License-Identifier: Apache-2.0
// Coarse-to-fine refinement of a dense peak with the same orientation-field correlation: a local
// coordinate descent over scale, heading and tilt (within what the priors allow) at the peak's level,
// then again at half that resolution.
#pragma once
#include "match/dense_search.hpp"

namespace geo::match_detail {

struct LocalFit {
  bool ok = false;
  Hyp hyp{};
  double ncc_coarse = -1, ncc_fine = -1;
  double drift_coarse_px = 0;     // how far the fine estimate moved from the coarse one, coarse pixels
  double L_fine = 0;
  cv::Matx33d ref_from_frame = cv::Matx33d::eye();
};

LocalFit refine_dense(const FramePyramid& frame, const ReferenceIndex& ref, const ViewPrior& p,
                      const SearchRanges& ranges, const Peak& pk);

}  // namespace geo::match_detail
