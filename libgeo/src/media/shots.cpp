// SPDX-License-Identifier: Apache-2.0
#include "geo/media/shots.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "geo/core/error.hpp"

namespace geo {
namespace {

cv::Mat luma_histogram(const cv::Mat& thumb) {
  constexpr int kBins = 32;
  cv::Mat hist = cv::Mat::zeros(1, kBins, CV_64F);
  auto* h = hist.ptr<double>();
  for (int y = 0; y < thumb.rows; ++y) {
    const auto* row = thumb.ptr<std::uint8_t>(y);
    for (int x = 0; x < thumb.cols; ++x) h[row[x] >> 3] += 1.0;
  }
  hist /= static_cast<double>(thumb.total());
  return hist;
}

}  // namespace

ShotDetector::ShotDetector(const ShotDetectorOptions& opts) : opts_(opts) {}

double ShotDetector::drift_fraction() const noexcept {
  if (prev_f_.empty()) return 0;
  return std::hypot(drift_px_.x, drift_px_.y) / std::max(prev_f_.cols, prev_f_.rows);
}

ShotChange ShotDetector::push(const cv::Mat& thumb, double t_s) {
  if (thumb.empty() || thumb.type() != CV_8UC1 || thumb.cols < 16 || thumb.rows < 16)
    throw Error(Errc::invalid_argument, "shots: thumbnail must be 8-bit gray, at least 16x16");
  if (have_prev_ && thumb.size() != prev_f_.size())
    throw Error(Errc::invalid_argument, "shots: thumbnail size changed");
  cv::Mat f;
  thumb.convertTo(f, CV_32F);
  cv::Mat hist = luma_histogram(thumb);
  ShotChange change = ShotChange::none;
  if (!have_prev_) {
    window_.create(f.size(), CV_32F);
    cv::createHanningWindow(window_, f.size(), CV_32F);
    blocks_size_ = cv::Size(16, std::max(4, static_cast<int>(std::lround(16.0 * f.rows / f.cols))));
    last_cut_t_ = t_s;
    subshot_start_t_ = t_s;
  } else {
    last_hist_ = 0.5 * cv::norm(hist, prev_hist_, cv::NORM_L1);
    double response = 0;
    // Windowed copies: OpenCV 4.6's phaseCorrelate applies the window to its inputs in place.
    cv::Mat prev_w = prev_f_.mul(window_), cur_w = f.mul(window_);
    const cv::Point2d shift = cv::phaseCorrelate(prev_w, cur_w, cv::noArray(), &response);
    // Block means (16 across): robust to noise and blur, moved little by a pan, changed by a cut.
    cv::Mat blocks, diff;
    cv::resize(f, blocks, blocks_size_, 0, 0, cv::INTER_AREA);
    cv::absdiff(prev_blocks_, blocks, diff);
    const double bmd = cv::mean(diff)[0] / 255.0;
    double recent = 0;
    for (double v : recent_bmd_) recent += v;
    if (!recent_bmd_.empty()) recent /= static_cast<double>(recent_bmd_.size());
    // A cut: the tonal content jumped, or the coarse layout changed far more than it has been changing
    // from frame to frame in this shot (a steady pan changes it steadily; a cut in one frame).
    const bool layout_jump = recent_bmd_.size() >= 2 ? (bmd >= 0.04 && bmd >= 4.0 * recent) : bmd >= 0.15;
    const bool looks_like_cut = last_hist_ >= opts_.cut_threshold || layout_jump;
    recent_bmd_.push_back(bmd);
    if (recent_bmd_.size() > 10) recent_bmd_.pop_front();
    if (looks_like_cut && t_s - last_cut_t_ >= opts_.min_shot_s) {
      change = ShotChange::cut;
      ++shot_;
      subshot_ = 0;
      drift_px_ = {0, 0};
      last_cut_t_ = t_s;
      subshot_start_t_ = t_s;
      recent_bmd_.clear();
    } else {
      if (response > 0.05) drift_px_ += shift;
      const bool drifted = std::hypot(drift_px_.x, drift_px_.y) >= opts_.subshot_drift * std::max(f.cols, f.rows);
      const bool too_long = opts_.max_subshot_s > 0 && t_s - subshot_start_t_ >= opts_.max_subshot_s;
      if (drifted || too_long) {
        change = ShotChange::subshot;
        ++subshot_;
        drift_px_ = {0, 0};
        subshot_start_t_ = t_s;
      }
    }
  }
  cv::resize(f, prev_blocks_, blocks_size_, 0, 0, cv::INTER_AREA);
  prev_f_ = f;
  prev_hist_ = hist;
  have_prev_ = true;
  return change;
}

}  // namespace geo
