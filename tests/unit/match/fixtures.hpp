// SPDX-License-Identifier: Apache-2.0
// What the match tests share: the shared NAIP/Landsat samples and the homography helpers (corner
// convention, as in the match module).
#pragma once
#include <opencv2/core.hpp>

namespace geo::test::match {

inline const char* kNaip2014 = "imagery/opengeos_naip_m_4709963_se_14_1_20140720.tif";
inline const char* kNaip2020 = "imagery/opengeos_naip_m_4709963_se_14_1_20200831.tif";
inline const char* kLandsat = "imagery/rasterio_RGB.byte.tif";

inline cv::Point2d apply(const cv::Matx33d& h, cv::Point2d p) {
  const cv::Vec3d v = h * cv::Vec3d(p.x, p.y, 1);
  return {v[0] / v[2], v[1] / v[2]};
}
inline cv::Matx33d shift(double x, double y) { return {1, 0, x, 0, 1, y, 0, 0, 1}; }

}  // namespace geo::test::match
