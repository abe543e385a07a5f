// SPDX-License-Identifier: Apache-2.0
// Private helpers of the match module (geometry conventions, image preparation).
#pragma once
#include <cmath>
#include <vector>

#include <opencv2/core.hpp>

#include "match/tuning.hpp"

namespace geo::match_detail {

// Homographies in this module use the corner pixel convention; OpenCV's warps use pixel centres at
// integer coordinates. These convert between the two.
inline cv::Matx33d shift(double dx, double dy) { return {1, 0, dx, 0, 1, dy, 0, 0, 1}; }
inline cv::Matx33d scale(double s) { return {s, 0, 0, 0, s, 0, 0, 0, 1}; }
inline cv::Matx33d cv_from_corner(const cv::Matx33d& h) { return shift(-0.5, -0.5) * h * shift(0.5, 0.5); }
inline cv::Matx33d corner_from_cv(const cv::Matx33d& h) { return shift(0.5, 0.5) * h * shift(-0.5, -0.5); }

inline cv::Point2d apply(const cv::Matx33d& h, const cv::Point2d& p) {
  const cv::Vec3d v = h * cv::Vec3d(p.x, p.y, 1.0);
  return {v[0] / v[2], v[1] / v[2]};
}

inline cv::Point2d frame_centre(cv::Size frame) { return {frame.width / 2.0, frame.height / 2.0}; }

// The four corners of a frame (corner convention): top-left, top-right, bottom-right, bottom-left.
inline std::vector<cv::Point2d> corners(cv::Size s) {
  return {{0, 0}, {double(s.width), 0}, {double(s.width), double(s.height)}, {0, double(s.height)}};
}

// Target pixels per frame pixel at the frame centre under `h` (geometric mean of the two axes).
inline double local_scale(const cv::Matx33d& h, cv::Size frame) {
  const cv::Point2d c = frame_centre(frame);
  const cv::Point2d a = apply(h, c), b = apply(h, c + cv::Point2d(1, 0)), d = apply(h, c + cv::Point2d(0, 1));
  return std::sqrt(std::abs((b.x - a.x) * (d.y - a.y) - (b.y - a.y) * (d.x - a.x)));
}

// Bounding box of the frame's corners mapped by `h`.
cv::Rect2d bbox_of(const cv::Matx33d& h, cv::Size frame);

inline double distance_px(cv::Point2d a, cv::Point2d b) { return std::hypot(a.x - b.x, a.y - b.y); }

// Grey CV_8U of a BGR/BGRA/grey image.
cv::Mat to_gray8(const cv::Mat& img);

// Warps a grey CV_32F frame into a target grid: `target_from_frame` (corner convention), output
// `size`. Shrinks the frame first when the target is much coarser (anti-aliasing). `mask` receives
// 255 where the output comes from inside the frame, eroded by `erode_px`.
cv::Mat warp_frame(const cv::Mat& frame32, const cv::Matx33d& target_from_frame, cv::Size size,
                   cv::Mat* mask, int erode_px);

// The frame shrunk in steps of sqrt(2) (INTER_AREA), built once per frame so that many warps to
// coarse grids do not each shrink the full frame again.
struct FramePyramid {
  explicit FramePyramid(const cv::Mat& frame32, bool colour = false);
  std::vector<cv::Mat> levels;  // CV_32F (or CV_32FC3 dense channels); levels[0] is the frame
  bool colour = false;          // levels hold dense_channels(.., true)
  const cv::Mat& full() const { return levels[0]; }
};

// As warp_frame, taking the source from the pyramid level just finer than the target's resolution.
cv::Mat warp_frame(const FramePyramid& frame, const cv::Matx33d& target_from_frame, cv::Size size,
                   cv::Mat* mask, int erode_px);

// True when a BGR/BGRA image carries colour: over the image shrunk to 256 px, one of its opponent
// channels (see dense_channels) varies by 3 grey levels or more (standard deviation). A grey image
// stored as BGR, with a camera's noise, has about 1.
bool has_colour(const cv::Mat& img);

// The image the dense search correlates, CV_32F: grey (one channel), or with `colour` three channels
// from a BGR/BGRA image: luminance and the red-green and yellow-blue opponent channels, weighted so
// that colour edges count kColourWeight times the luminance ones. Across dates the boundaries between
// fields, water and roads change brightness more than hue (docs/dev/match-design.md).
cv::Mat dense_channels(const cv::Mat& img, bool colour);

// How high, in standard deviations of its own map, the highest chance peak of a correlation map of
// `positions` placements stands: sqrt(2 ln(positions / kChanceCellPx)), the extreme of that many
// independent cells of about kChanceCellPx level pixels (neighbouring placements of a template on
// smoothed orientation fields are not independent). A map over a finer level holds more placements
// and so higher chance peaks: without priors stage A's smallest scales hold 16 times the placements
// of the largest.
double chance_peak_z(double positions);

// Doubled-angle gradient orientation field weighted by locally normalised magnitude: robust to
// exposure and to contrast inversion between dates. Input CV_32F with one channel or several (their
// gradients summed as a structure tensor, so a boundary is seen in whichever channel shows it);
// outputs CV_32F.
void orientation_field(const cv::Mat& img32, cv::Mat& fc, cv::Mat& fs);

}  // namespace geo::match_detail
