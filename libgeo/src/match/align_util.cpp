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

FramePyramid::FramePyramid(const cv::Mat& frame32) {
  levels.push_back(frame32);
  const double step = 1.0 / std::sqrt(2.0);
  for (int i = 1;; ++i) {
    const double k = std::pow(step, i);
    const cv::Size sz(int(std::lround(frame32.cols * k)), int(std::lround(frame32.rows * k)));
    if (std::min(sz.width, sz.height) < 16) break;
    cv::Mat m;
    cv::resize(frame32, m, sz, 0, 0, cv::INTER_AREA);
    levels.push_back(std::move(m));
  }
}

namespace {
// Target pixels per frame pixel at the frame centre.
double centre_scale(const cv::Matx33d& h, cv::Size frame) {
  const cv::Point2d c(frame.width / 2.0, frame.height / 2.0);
  const cv::Point2d a = apply(h, c), b = apply(h, c + cv::Point2d(1, 0)), d = apply(h, c + cv::Point2d(0, 1));
  return std::sqrt(std::abs((b.x - a.x) * (d.y - a.y) - (b.y - a.y) * (d.x - a.x)));
}

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
  const double want = centre_scale(target_from_frame, f0.size()) * 1.25;
  size_t i = 0;
  while (i + 1 < fp.levels.size() && double(fp.levels[i + 1].cols) / f0.cols >= want) ++i;
  const cv::Mat& src = fp.levels[i];
  const double kx = double(src.cols) / f0.cols, ky = double(src.rows) / f0.rows;
  return warp_from(src, target_from_frame * cv::Matx33d(1 / kx, 0, 0, 0, 1 / ky, 0, 0, 0, 1), size, mask, erode_px);
}

void orientation_field(const cv::Mat& gray32, cv::Mat& fc, cv::Mat& fs) {
  cv::Mat g, gx, gy;
  cv::GaussianBlur(gray32, g, cv::Size(0, 0), 1.0);
  cv::Sobel(g, gx, CV_32F, 1, 0, 3);
  cv::Sobel(g, gy, CV_32F, 0, 1, 3);
  cv::Mat mag2 = gx.mul(gx) + gy.mul(gy);
  cv::Mat mag;
  cv::sqrt(mag2, mag);
  // Local contrast normalisation: divide by the neighbourhood's mean magnitude.
  cv::Mat local;
  cv::blur(mag, local, cv::Size(15, 15));
  const double global = cv::mean(mag)[0];
  local += 0.5 * global + 1e-3;
  cv::Mat denom = mag.mul(local) + 1e-6f;
  fc = (gx.mul(gx) - gy.mul(gy)) / denom;
  fs = (2 * gx.mul(gy)) / denom;
  cv::GaussianBlur(fc, fc, cv::Size(0, 0), 1.0);
  cv::GaussianBlur(fs, fs, cv::Size(0, 0), 1.0);
}


}  // namespace geo::match_detail
