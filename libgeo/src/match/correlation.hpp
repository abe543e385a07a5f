// SPDX-License-Identifier: Apache-2.0
// One pose hypothesis of the frame correlated with the reference: the frame warped under the
// hypothesis onto a level of the reference, its orientation field correlated with the level's over a
// window (by matchTemplate) or over the whole level (by FFT against the level's cached spectra).
#pragma once
#include <optional>

#include <opencv2/core.hpp>

#include "geo/match/align.hpp"
#include "match/align_util.hpp"
#include "match/tuning.hpp"

namespace geo::match_detail {

// A pose hypothesis: ground metres per frame pixel at the centre, tilt from nadir, heading; and the
// footprint's width in pixels of the level it is correlated at.
struct Hyp {
  double gsd_m, tilt_deg, heading_deg;
  double px_across = kFootprintPx;
};

// The level a hypothesis is correlated at: its footprint about `px_across` pixels wide, at a power
// of sqrt(2) of the reference GSD so that levels are shared between hypotheses.
double level_gsd(const Hyp& h, cv::Size frame, double ref_gsd_m);

// Frame pixel -> level pixel (corner convention) with the frame centre at the origin. Throws
// Error{invalid_argument} for a pose whose frame sees the horizon.
cv::Matx33d level_from_frame(const Hyp& h, cv::Size frame, double hfov_deg, double level_gsd_m);

// One hypothesis correlated with the reference over a window: the normalised cross-correlation of
// the frame's orientation field (warped under the hypothesis to level `L`) with the reference's, for
// every template position whose frame centre lies within `radius_lvl` level pixels of `center_lvl`
// (or anywhere when `center_lvl` is empty).
struct HypScore {
  bool ok = false;
  double L = 0;
  cv::Mat score;                  // CV_32F; NaN-free (-1 where undefined)
  cv::Rect roi;                   // level pixels; score(y, x) is the template at roi.tl() + (x, y)
  cv::Matx33d tpl_from_frame;
  cv::Size ts;
};

// How a hypothesis is scored: by matchTemplate (the mean of both channels' normalised correlations),
// or by FFT against the level's cached spectra, either as the joint normalised correlation of both
// channels (stage A's score) or as the same mean of both channels' as matchTemplate.
enum class Correlation { template_match, fft_joint, fft_mean };

HypScore correlate(Correlation how, const FramePyramid& frame, const ReferenceIndex& ref, const Hyp& hyp,
                   double hfov_deg, double L, const std::optional<cv::Point2d>& center_lvl, double radius_lvl);

// The frame warped by `tpl_from_frame` into `size`, the area outside its footprint filled with the
// footprint's mean (no artificial edge), and the orientation field of that; `mask` = the footprint.
void warped_fields(const FramePyramid& frame, const cv::Matx33d& tpl_from_frame, cv::Size size, cv::Mat& tc,
                   cv::Mat& ts, cv::Mat& mask);

// The maximum of a score map with a sub-pixel offset from a parabola in each axis.
double peak_of(const cv::Mat& score, cv::Point2d& at);

// ref_from_frame for the template placed at `loc` (score-map coordinates) of `h`.
cv::Matx33d ref_from_placement(const HypScore& h, cv::Point2d loc, double ref_gsd_m);

}  // namespace geo::match_detail
