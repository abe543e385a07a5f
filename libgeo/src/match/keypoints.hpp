// SPDX-License-Identifier: Apache-2.0
// Keypoint matching: detectors, the ratio test with a mutual check, the MAGSAC++ homography with an
// affine fallback, and the frame rectified by a known pose matched against the reference around it.
#pragma once
#include <utility>
#include <vector>

#include <opencv2/features2d.hpp>

#include "geo/match/align.hpp"
#include "match/align_util.hpp"

namespace geo::match_detail {

cv::Ptr<cv::Feature2D> make_detector(Detector d, int nfeatures);

struct KeypointFit {
  bool ok = false;
  cv::Matx33d target_from_src = cv::Matx33d::eye();
  int matches = 0, inliers = 0;
  double ratio = 0, hull_share = 0, reproj = 0;
  std::vector<std::pair<cv::Point2f, cv::Point2f>> pairs;  // src, target (corner convention)
  bool affine = false;
};

struct FrameFeatures {
  std::vector<cv::KeyPoint> kp;
  cv::Mat desc;
};
FrameFeatures detect_features(const cv::Mat& work, const cv::Mat& work_mask, const AlignOptions& o);

// The frame's features matched against the reference keypoints inside any of `rois` (reference
// pixels; none = all). `work_area` is the frame's area in the work image (for the hull share).
KeypointFit keypoints_in(const FrameFeatures& ff, double work_area, const ReferenceIndex& ref,
                         const std::vector<cv::Rect2d>& rois);

// Keypoints of the frame rectified through `ref_from_frame` at the index resolution, matched against
// the reference keypoints in the footprint (plus `margin_px` reference pixels). The fit, as
// ref_from_frame, goes to `out`; its pairs are (frame px, reference px).
KeypointFit verify_keypoints(const FramePyramid& frame, const ReferenceIndex& ref, const cv::Matx33d& ref_from_frame,
                             double margin_px, const AlignOptions& o, cv::Matx33d& out);

}  // namespace geo::match_detail
