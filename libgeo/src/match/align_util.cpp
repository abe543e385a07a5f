// SPDX-License-Identifier: Apache-2.0
#include "match/align_util.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace geo::match_detail {

cv::Mat to_gray8(const cv::Mat& img) {
  cv::Mat g;
  if (img.channels() == 3) cv::cvtColor(img, g, cv::COLOR_BGR2GRAY);
  else if (img.channels() == 4) cv::cvtColor(img, g, cv::COLOR_BGRA2GRAY);
  else g = img;
  if (g.depth() != CV_8U) {
    cv::Mat o;
    cv::normalize(g, o, 0, 255, cv::NORM_MINMAX, CV_8U);
    return o;
  }
  return g;
}

cv::Mat warp_frame(const cv::Mat& frame32, const cv::Matx33d& target_from_frame, cv::Size size,
                   cv::Mat* mask, int erode_px) {
  return warp_frame(FramePyramid(frame32), target_from_frame, size, mask, erode_px);
}

FramePyramid::FramePyramid(const cv::Mat& frame32, bool colour_channels) : colour(colour_channels) {
  levels.push_back(frame32);
  const double step = 1.0 / std::sqrt(2.0);
  for (int i = 1;; ++i) {
    const double k = std::pow(step, i);
    const cv::Size sz(int(std::lround(frame32.cols * k)), int(std::lround(frame32.rows * k)));
    if (std::min(sz.width, sz.height) < kPyramidMinPx) break;
    cv::Mat m;
    cv::resize(frame32, m, sz, 0, 0, cv::INTER_AREA);
    levels.push_back(std::move(m));
  }
}

cv::Rect2d bbox_of(const cv::Matx33d& h, cv::Size frame) {
  double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
  for (const auto& c : corners(frame)) {
    const cv::Point2d q = apply(h, c);
    x0 = std::min(x0, q.x), y0 = std::min(y0, q.y), x1 = std::max(x1, q.x), y1 = std::max(y1, q.y);
  }
  return {x0, y0, x1 - x0, y1 - y0};
}

namespace {
cv::Mat warp_from(const cv::Mat& src, const cv::Matx33d& h, cv::Size size, cv::Mat* mask, int erode_px) {
  cv::Mat out;
  const cv::Matx33d hc = cv_from_corner(h);
  cv::warpPerspective(src, out, hc, size, cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
  if (mask) {
    cv::Mat ones(src.size(), CV_8U, cv::Scalar(255));
    cv::warpPerspective(ones, *mask, hc, size, cv::INTER_NEAREST, cv::BORDER_CONSTANT, 0);
    if (erode_px > 0)
      cv::erode(*mask, *mask, cv::getStructuringElement(cv::MORPH_RECT, {2 * erode_px + 1, 2 * erode_px + 1}));
  }
  return out;
}
}  // namespace

cv::Mat warp_frame(const FramePyramid& fp, const cv::Matx33d& target_from_frame, cv::Size size, cv::Mat* mask,
                   int erode_px) {
  const cv::Mat& f0 = fp.full();
  const double want = local_scale(target_from_frame, f0.size()) * kWarpOversample;
  size_t i = 0;
  while (i + 1 < fp.levels.size() && double(fp.levels[i + 1].cols) / f0.cols >= want) ++i;
  const cv::Mat& src = fp.levels[i];
  const double kx = double(src.cols) / f0.cols, ky = double(src.rows) / f0.rows;
  return warp_from(src, target_from_frame * cv::Matx33d(1 / kx, 0, 0, 0, 1 / ky, 0, 0, 0, 1), size, mask, erode_px);
}

namespace {
// Opponent channels of a BGR CV_32FC3 image: luminance, and red-green and yellow-blue scaled by
// kColourWeight.
cv::Mat opponent(const cv::Mat& bgr32) {
  const float w = kColourWeight;
  const cv::Matx33f m(0.299f, 0.587f, 0.114f,                       // luminance (R, G, B)
                      0.7f * w, -0.7f * w, 0.0f,                    // red - green
                      0.4f * w, 0.4f * w, -0.8f * w);               // yellow - blue
  // cv::transform takes the channels in storage order (B, G, R): reverse the columns.
  const cv::Matx33f bgr(m(0, 2), m(0, 1), m(0, 0), m(1, 2), m(1, 1), m(1, 0), m(2, 2), m(2, 1), m(2, 0));
  cv::Mat out;
  cv::transform(bgr32, out, bgr);
  return out;
}
cv::Mat bgr32_of(const cv::Mat& img) {
  cv::Mat bgr;
  if (img.channels() == 4) cv::cvtColor(img, bgr, cv::COLOR_BGRA2BGR);
  else bgr = img;
  cv::Mat f;
  bgr.convertTo(f, CV_32F);
  return f;
}
}  // namespace

bool has_colour(const cv::Mat& img) {
  if (img.channels() < 3 || img.empty()) return false;
  cv::Mat small = img;
  // Shrunk so that a grey image's sensor and JPEG noise (independent per channel) averages out.
  const double k = std::min(1.0, kColourProbePx / std::max(img.cols, img.rows));
  if (k < 1.0) cv::resize(img, small, cv::Size(), k, k, cv::INTER_AREA);
  cv::Scalar mean, sd;
  cv::meanStdDev(opponent(bgr32_of(small)), mean, sd);
  return sd[1] >= kColourSdGreyLevels * kColourWeight || sd[2] >= kColourSdGreyLevels * kColourWeight;
}

cv::Mat dense_channels(const cv::Mat& img, bool colour) {
  if (colour && img.channels() >= 3) return opponent(bgr32_of(img));
  cv::Mat f;
  to_gray8(img).convertTo(f, CV_32F);
  return f;
}

double chance_peak_z(double positions) {
  return std::sqrt(2.0 * std::log(std::max(2.0, positions / kChanceCellPx)));
}

void orientation_field(const cv::Mat& img32, cv::Mat& fc, cv::Mat& fs) {
  std::vector<cv::Mat> chans;
  cv::split(img32, chans);
  cv::Mat jxx, jyy, jxy;
  for (const cv::Mat& c : chans) {
    cv::Mat g, gx, gy;
    cv::GaussianBlur(c, g, cv::Size(0, 0), kOrientationBlurPx);
    cv::Sobel(g, gx, CV_32F, 1, 0, 3);
    cv::Sobel(g, gy, CV_32F, 0, 1, 3);
    if (jxx.empty()) {
      jxx = gx.mul(gx);
      jyy = gy.mul(gy);
      jxy = gx.mul(gy);
    } else {
      jxx += gx.mul(gx);
      jyy += gy.mul(gy);
      jxy += gx.mul(gy);
    }
  }
  cv::Mat mag;
  cv::sqrt(jxx + jyy, mag);
  // Local contrast normalisation: divide by the neighbourhood's mean magnitude.
  cv::Mat local;
  cv::blur(mag, local, cv::Size(kContrastWindowPx, kContrastWindowPx));
  const double global = cv::mean(mag)[0];
  local += kContrastGlobalShare * global + 1e-3;
  cv::Mat denom = mag.mul(local) + 1e-6f;
  fc = (jxx - jyy) / denom;
  fs = (2 * jxy) / denom;
  cv::GaussianBlur(fc, fc, cv::Size(0, 0), kOrientationBlurPx);
  cv::GaussianBlur(fs, fs, cv::Size(0, 0), kOrientationBlurPx);
}


}  // namespace geo::match_detail
