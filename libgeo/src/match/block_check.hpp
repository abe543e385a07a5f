// SPDX-License-Identifier: Apache-2.0
// Independent check of a dense fix, block by block: the frame is warped onto the reference grid at a
// level under the fix, cut into square blocks, and each block is matched on its own. A true fix moves
// every block to about zero offset; a peak that a single road or field edge produced does not.
#pragma once
#include <opencv2/core.hpp>

#include "geo/match/align.hpp"
#include "match/align_util.hpp"

namespace geo::match_detail {

struct BlockCheck {
  int localized = 0;   // blocks whose own best offset is unambiguous
  int agree = 0;       // of those, blocks whose offset agrees with the (corrected) fix
  double spread = 0;   // hull of agreeing block centres / footprint area
};

// Counts agreeing blocks at level `L` after correcting the fix by the blocks themselves: first their
// median offset (a shift), then a similarity fitted to the blocks near that shift, bounded to a few
// percent and degrees. Neither step can seek a mode among random offsets.
BlockCheck check_blocks(const FramePyramid& frame, const ReferenceIndex& ref, const cv::Matx33d& ref_from_frame,
                        double L);

}  // namespace geo::match_detail
