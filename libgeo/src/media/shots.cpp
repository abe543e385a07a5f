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
    last_cut_t_ = t_s;
  } else {
    last_hist_ = 0.5 * cv::norm(hist, prev_hist_, cv::NORM_L1);
    double response = 0;
    const cv::Point2d shift = cv::phaseCorrelate(prev_f_, f, window_, &response);
    cv::Mat diff;
    cv::absdiff(prev_f_, f, diff);
    const double mad = cv::mean(diff)[0] / 255.0;
    // A cut: the tonal content jumped, or the picture changed a lot in a way no shift explains.
    const bool looks_like_cut = last_hist_ >= opts_.cut_threshold || (mad >= 0.2 && response < 0.1);
    if (looks_like_cut && t_s - last_cut_t_ >= opts_.min_shot_s) {
      change = ShotChange::cut;
      ++shot_;
      subshot_ = 0;
      drift_px_ = {0, 0};
      last_cut_t_ = t_s;
    } else {
      if (response > 0.05) drift_px_ += shift;
      if (std::hypot(drift_px_.x, drift_px_.y) >= opts_.subshot_drift * std::max(f.cols, f.rows)) {
        change = ShotChange::subshot;
        ++subshot_;
        drift_px_ = {0, 0};
      }
    }
  }
  prev_f_ = f;
  prev_hist_ = hist;
  have_prev_ = true;
  return change;
}

}  // namespace geo
