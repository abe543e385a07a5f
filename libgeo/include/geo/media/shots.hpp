// SPDX-License-Identifier: Apache-2.0
// Shot and sub-shot detection on small luma thumbnails, one frame at a time in presentation order.
#pragma once
#include <deque>

#include <opencv2/core.hpp>

namespace geo {

struct ShotDetectorOptions {
  double cut_threshold = 0.35;  // luma-histogram distance (half the L1 norm of 32-bin histograms, 0..1)
  double subshot_drift = 0.5;   // accumulated translation since the sub-shot began, as a fraction of the
                                // thumbnail's larger side, that starts a new sub-shot
  double min_shot_s = 0.2;      // cuts closer than this (seconds) to the previous cut are ignored
  // A sub-shot also ends after this many seconds (0 = only by drift): a drone or a vehicle that moves
  // steadily yields a frame at least this often, enough to follow its path.
  double max_subshot_s = 0.0;
};

enum class ShotChange { none, cut, subshot };

// A cut is a jump in the luma histogram between consecutive frames, or a jump in the coarse layout
// (16-block-wide means) several times larger than the frame-to-frame change of the last 10 frames. Inside a shot, the frame-to-frame translation (phase
// correlation) is accumulated; when the camera has moved `subshot_drift` of the frame away from where the
// sub-shot began (a phone swinging round), a sub-shot begins. Cost per frame: a histogram and one
// phase correlation on the thumbnail. Not thread-safe; one detector per stream.
class ShotDetector {
 public:
  explicit ShotDetector(const ShotDetectorOptions& opts = {});

  // `thumb`: 8-bit single-channel thumbnail (same size for every call, at least 16x16); t_s: its
  // presentation time in seconds. Returns what begins at this frame (the first frame returns none: it
  // begins shot 0). Throws Error{invalid_argument} for an empty or differently sized thumbnail.
  ShotChange push(const cv::Mat& thumb, double t_s);

  int shot() const noexcept { return shot_; }
  int subshot() const noexcept { return subshot_; }
  double last_histogram_distance() const noexcept { return last_hist_; }
  double drift_fraction() const noexcept;  // current accumulated drift / larger side

 private:
  ShotDetectorOptions opts_;
  cv::Mat prev_f_, window_;
  cv::Mat prev_hist_, prev_blocks_;
  cv::Size blocks_size_;
  std::deque<double> recent_bmd_;
  cv::Point2d drift_px_{0, 0};
  double last_cut_t_ = -1e300;
  double subshot_start_t_ = 0;
  double last_hist_ = 0;
  int shot_ = 0, subshot_ = 0;
  bool have_prev_ = false;
};

}  // namespace geo
