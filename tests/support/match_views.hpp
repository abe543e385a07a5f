// SPDX-License-Identifier: Apache-2.0
// Views of a north-up reference rendered with a known homography, for the match tests and the match
// benchmarks (tools/bench links this header too): a camera pose, the homography it gives, the warp,
// and the benchmarks' random view with its camera degradations. Header-only (OpenCV and
// geo/match/align.hpp). Homographies use the corner pixel convention of the match module.
#pragma once
#include <random>
#include <stdexcept>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/match/align.hpp"

namespace geo::test::views {

inline cv::Point2d apply(const cv::Matx33d& h, cv::Point2d p) {
  const cv::Vec3d v = h * cv::Vec3d(p.x, p.y, 1);
  return {v[0] / v[2], v[1] / v[2]};
}
inline cv::Matx33d shift(double x, double y) { return {1, 0, x, 0, 1, y, 0, 0, 1}; }

// Where the camera is: the ground under the frame centre (reference pixels), ground metres per frame
// pixel there, heading (compass direction of the frame's top), tilt from nadir, field of view.
struct Pose {
  cv::Point2d centre_px;
  double gsd_m = 1, heading_deg = 0, tilt_deg = 0, hfov_deg = 70;
};

// Frame pixel -> reference pixel for a frame of `frame` pixels taken at `pose` over a north-up
// reference of `ref_gsd_m` metres per pixel.
inline cv::Matx33d ref_from_frame(cv::Size frame, const Pose& pose, double ref_gsd_m) {
  const cv::Matx33d g = geo::ground_from_frame(frame, pose.gsd_m, pose.tilt_deg, pose.heading_deg, pose.hfov_deg);
  return shift(pose.centre_px.x, pose.centre_px.y) * cv::Matx33d(1 / ref_gsd_m, 0, 0, 0, -1 / ref_gsd_m, 0, 0, 0, 1) * g;
}

// The frame's pixels from the reference (bilinear; reflected beyond its edges).
inline cv::Mat warp(const cv::Mat& src, const cv::Matx33d& ref_from_frame, cv::Size frame) {
  cv::Mat out;
  cv::warpPerspective(src, out, shift(-0.5, -0.5) * ref_from_frame * shift(0.5, 0.5), frame,
                      cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REFLECT);
  return out;
}

// The image through a JPEG encoder and decoder at `quality`.
inline cv::Mat jpeg(const cv::Mat& img, int quality) {
  std::vector<uchar> buf;
  cv::imencode(".jpg", img, buf, {cv::IMWRITE_JPEG_QUALITY, quality});
  return cv::imdecode(buf, cv::IMREAD_COLOR);
}

// Seeded random colour patches, smoothed (CV_8UC3): texture with structure at every scale, for the
// checks that need imagery or a frame but no real place.
inline cv::Mat texture(int rows, int cols, unsigned seed) {
  cv::Mat small(rows / 8, cols / 8, CV_8UC3);
  cv::theRNG().state = seed;
  cv::randu(small, 0, 255);
  cv::Mat out;
  cv::resize(small, out, cv::Size(cols, rows), 0, 0, cv::INTER_CUBIC);
  return out;
}

struct View {
  cv::Mat img;
  cv::Matx33d ref_from_frame;  // truth (corner convention)
  double gsd_m = 0, heading_deg = 0, tilt_deg = 0;
  cv::Point2d truth_px;        // the frame centre on the reference
};

inline const cv::Size kBenchFrame(1280, 720);

// A random pose over `src` whose frame lies inside it (5 px margin), undegraded: heading 0-360,
// tilt 0-35 degrees, footprint 400-1000 m across (70 degree field of view), drawn from `rng` in that
// order. Throws std::runtime_error after 200 attempts.
inline View random_view(const cv::Mat& src, std::mt19937& rng, double ref_gsd_m, cv::Size frame = kBenchFrame) {
  std::uniform_real_distribution<double> U(0, 1);
  for (int attempt = 0; attempt < 200; ++attempt) {
    View v;
    v.heading_deg = 360 * U(rng);
    v.tilt_deg = 35 * U(rng);
    const double width_m = 400 + 600 * U(rng);
    v.gsd_m = width_m / frame.width;
    const cv::Point2d c(src.cols * U(rng), src.rows * U(rng));
    v.ref_from_frame = ref_from_frame(frame, Pose{c, v.gsd_m, v.heading_deg, v.tilt_deg}, ref_gsd_m);
    bool inside = true;
    for (cv::Point2d q : {cv::Point2d(0, 0), cv::Point2d(frame.width, 0), cv::Point2d(frame.width, frame.height),
                          cv::Point2d(0, frame.height)}) {
      const cv::Point2d r = apply(v.ref_from_frame, q);
      inside &= r.x > 5 && r.y > 5 && r.x < src.cols - 5 && r.y < src.rows - 5;
    }
    if (!inside) continue;
    v.truth_px = apply(v.ref_from_frame, {frame.width / 2.0, frame.height / 2.0});
    v.img = warp(src, v.ref_from_frame, frame);
    return v;
  }
  throw std::runtime_error("cannot place a view");
}

// The benchmarks' view: random_view, then a camera's gamma, gain and offset, blur, white balance and
// saturation, noise and JPEG 50-90, drawn from `rng` and from cv::theRNG() (seed it per view).
inline View bench_view(const cv::Mat& src, std::mt19937& rng, double ref_gsd_m) {
  std::uniform_real_distribution<double> U(0, 1);
  View v = random_view(src, rng, ref_gsd_m);
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
  // around the luminance), drawn from cv::theRNG() after the noise.
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
  v.img = jpeg(v.img, int(50 + 40 * U(rng)));
  return v;
}

}  // namespace geo::test::views
