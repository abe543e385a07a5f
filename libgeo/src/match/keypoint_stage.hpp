// SPDX-License-Identifier: Apache-2.0
// The keypoint stage, tried first: on the frame rectified by the priors when scale and heading are
// known (matched around the search centre), else on the frame shrunk (matched around the centre, or
// in the best-ranked tiles and then the whole reference).
#pragma once
#include <optional>

#include "geo/match/align.hpp"
#include "match/align_util.hpp"
#include "match/search_ranges.hpp"

namespace geo::match_detail {

// The best keypoint candidate, gated (found or not); nullopt when too few keypoints matched.
std::optional<Alignment> keypoint_stage(const FramePyramid& grey, const ReferenceIndex& ref, const ViewPrior& p,
                                        const SearchRanges& ranges, const AlignOptions& o);

}  // namespace geo::match_detail
