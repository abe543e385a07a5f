// SPDX-License-Identifier: Apache-2.0
// The dense stage, after the search: which peaks to refine, their refinement, how far the best
// refined places stand above the others, and each gated candidate judged (dense gates, confirming
// keypoints, geometry). Used when keypoints alone found no fix.
#pragma once
#include "geo/match/align.hpp"
#include "match/align_util.hpp"
#include "match/search_ranges.hpp"

namespace geo::match_detail {

struct DenseFrames {
  const FramePyramid& grey;    // for the confirming keypoints
  const FramePyramid& dense;   // the channels the dense search correlates (grey or colour)
};

// Searches, refines and gates; returns the first candidate that is found, else updates `best` (the
// best rejected candidate so far, its diagnostics kept) and returns it with found = false.
Alignment dense_stage(const DenseFrames& frames, const ReferenceIndex& ref, const ViewPrior& p,
                      const SearchRanges& ranges, const AlignOptions& o, Alignment best);

}  // namespace geo::match_detail
