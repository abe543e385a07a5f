// SPDX-License-Identifier: Apache-2.0
// Views rendered for the match benchmarks (bench_match, bench_retrieval): a 1280x720 frame of a random
// place of a north-up reference, with a known homography as ground truth.
#pragma once
#include <random>
#include <stdexcept>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/match/align.hpp"

namespace bench {

inline cv::Point2d apply(const cv::Matx33d& h, cv::Point2d p) {
  cv::Vec3d v = h * cv::Vec3d(p.x, p.y, 1);
  return {v[0] / v[2], v[1] / v[2]};
}
inline cv::Matx33d shift(double x, double y) { return {1, 0, x, 0, 1, y, 0, 0, 1}; }

struct View {
  cv::Mat img;
  cv::Matx33d ref_from_frame;  // truth (corner convention)
  double gsd_m, heading_deg, tilt_deg;
  cv::Point2d truth_px;
};

inline const cv::Size kFrame(1280, 720);

// Random centre, heading 0-360, footprint 400-1000 m across, tilt 0-35 deg (70 deg HFOV); then gamma,
// gain/offset, blur, white balance and saturation, noise and JPEG 50-90.
inline View render(const cv::Mat& src, std::mt19937& rng, double ref_gsd) {
  std::uniform_real_distribution<double> U(0, 1);
  for (int attempt = 0; attempt < 200; ++attempt) {
    View v;
    v.heading_deg = 360 * U(rng);
    v.tilt_deg = 35 * U(rng);
    const double width_m = 400 + 600 * U(rng);
    v.gsd_m = width_m / kFrame.width;
    const cv::Point2d c(src.cols * U(rng), src.rows * U(rng));
    const cv::Matx33d g = geo::ground_from_frame(kFrame, v.gsd_m, v.tilt_deg, v.heading_deg, 70);
    v.ref_from_frame = shift(c.x, c.y) * cv::Matx33d(1 / ref_gsd, 0, 0, 0, -1 / ref_gsd, 0, 0, 0, 1) * g;
    bool inside = true;
    for (cv::Point2d q : {cv::Point2d(0, 0), cv::Point2d(1280, 0), cv::Point2d(1280, 720), cv::Point2d(0, 720)}) {
      const cv::Point2d r = apply(v.ref_from_frame, q);
      inside &= r.x > 5 && r.y > 5 && r.x < src.cols - 5 && r.y < src.rows - 5;
    }
    if (!inside) continue;
    v.truth_px = apply(v.ref_from_frame, {640, 360});
    const cv::Matx33d m = shift(-0.5, -0.5) * v.ref_from_frame * shift(0.5, 0.5);
    cv::warpPerspective(src, v.img, m, kFrame, cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REFLECT);
    // Exposure, gamma, blur, noise, JPEG.
    cv::Mat f;
    v.img.convertTo(f, CV_32F, 1 / 255.0);
    const double gamma = 0.8 + 0.45 * U(rng);
    cv::pow(cv::max(f, 0), gamma, f);
    const double gain = 0.7 + 0.6 * U(rng), offset = (U(rng) - 0.5) * 0.15;
    f.convertTo(f, -1, gain, offset);  // on every channel (a MatExpr scalar would touch only the first)
    const double blur = 1.5 * U(rng);
    if (blur > 0.3) cv::GaussianBlur(f, f, cv::Size(0, 0), blur);
    cv::Mat noise(f.size(), f.type());
    cv::randn(noise, 0, (2 + 4 * U(rng)) / 255.0);
    // A camera's own colour: white balance (a gain per channel, 0.85-1.15) and saturation (0.7-1.3
    // around the luminance). Drawn from the view's cv::theRNG() after its noise (since session 11), so
    // that the geometry, exposure and noise of every view are those of earlier sessions.
    if (f.channels() == 3) {
      cv::RNG& cr = cv::theRNG();
      const cv::Scalar wb(cr.uniform(0.85, 1.15), cr.uniform(0.85, 1.15), cr.uniform(0.85, 1.15));
      const double sat = cr.uniform(0.7, 1.3);
      cv::multiply(f, wb, f);
      cv::Mat lum;
      cv::cvtColor(f, lum, cv::COLOR_BGR2GRAY);
      cv::cvtColor(lum, lum, cv::COLOR_GRAY2BGR);
      cv::addWeighted(f, sat, lum, 1 - sat, 0, f);
    }
    f += noise;
    f.convertTo(v.img, CV_8U, 255);
    std::vector<uchar> buf;
    cv::imencode(".jpg", v.img, buf, {cv::IMWRITE_JPEG_QUALITY, int(50 + 40 * U(rng))});
    v.img = cv::imdecode(buf, cv::IMREAD_COLOR);
    return v;
  }
  throw std::runtime_error("cannot place a view");
}

}  // namespace bench
