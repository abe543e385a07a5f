// SPDX-License-Identifier: Apache-2.0
// The dense search: every pose hypothesis the priors leave open correlated with the reference over
// the search area, its best peaks kept. With a scale prior, one pass at the usual level (footprint
// kFootprintPx across); without, coarse to fine: stage A over the whole area at a coarse level (by
// FFT), stage B around stage A's best distinct places at the usual level.
#pragma once
#include <vector>

#include "geo/match/align.hpp"
#include "match/correlation.hpp"
#include "match/search_ranges.hpp"

namespace geo::match_detail {

struct Peak {
  double score;
  cv::Point2d center_ref;  // frame centre in reference pixels
  Hyp hyp;
  cv::Matx33d ref_from_frame;
  double z = 0;            // (score - mean) / std of its hypothesis' score map
  double chance_z = 0;     // how high that map's highest chance peak stands, in its std (chance_peak_z)
  double map_sd = 0;       // the std of that map
};

// Two peaks whose frame centres are closer than kSamePlaceShare of a's footprint are one place.
bool same_place(const Peak& a, const Peak& b, cv::Size frame, double ref_gsd_m);

// With a scale prior: every hypothesis (scales x tilts x headings of `ranges`) over the search area,
// `kPriorPeaksPerHyp` peaks each. Over an area wider than the calibrated one (`wide_area`) the same
// score is computed by FFT.
std::vector<Peak> search_with_scale(const FramePyramid& frame, const ReferenceIndex& ref, const ViewPrior& p,
                                    const SearchRanges& ranges, bool wide_area);

// Without a scale prior: stage A then stage B; one peak per distinct place (up to kFreePlaces).
std::vector<Peak> search_free(const FramePyramid& frame, const ReferenceIndex& ref, const ViewPrior& p,
                              const SearchRanges& ranges);

}  // namespace geo::match_detail
