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
  // Local scale (target px per frame px) at the frame centre decides the pre-shrink.
  const cv::Point2d c(frame32.cols / 2.0, frame32.rows / 2.0);
  const cv::Point2d a = apply(target_from_frame, c);
  const cv::Point2d b = apply(target_from_frame, c + cv::Point2d(1, 0));
  const cv::Point2d d = apply(target_from_frame, c + cv::Point2d(0, 1));
  const double s = std::sqrt(std::abs((b.x - a.x) * (d.y - a.y) - (b.y - a.y) * (d.x - a.x)));
  cv::Mat src = frame32;
  cv::Matx33d h = target_from_frame;
  if (s < 0.6) {
    const double k = std::max(s * 1.25, 1.0 / std::max(frame32.cols, frame32.rows) * 16);
    const cv::Size small(std::max(8, int(std::lround(frame32.cols * k))),
                         std::max(8, int(std::lround(frame32.rows * k))));
    cv::resize(frame32, src, small, 0, 0, cv::INTER_AREA);
    const double kx = double(small.width) / frame32.cols, ky = double(small.height) / frame32.rows;
    h = target_from_frame * cv::Matx33d(1 / kx, 0, 0, 0, 1 / ky, 0, 0, 0, 1);
  }
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

cv::Mat gradient_magnitude(const cv::Mat& gray32) {
  cv::Mat g, gx, gy, mag;
  cv::GaussianBlur(gray32, g, cv::Size(0, 0), 1.0);
  cv::Sobel(g, gx, CV_32F, 1, 0, 3);
  cv::Sobel(g, gy, CV_32F, 0, 1, 3);
  cv::magnitude(gx, gy, mag);
  cv::Mat local;
  cv::blur(mag, local, cv::Size(31, 31));
  local += cv::mean(mag)[0] * 0.5 + 1e-3;
  return mag / local;
}

}  // namespace geo::match_detail
