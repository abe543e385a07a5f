// SPDX-License-Identifier: Apache-2.0
// What the match tests share: the shared NAIP/Landsat samples and the homography helpers (corner
// convention, as in the match module).
#pragma once
#include <opencv2/core.hpp>

#include "support/match_views.hpp"

namespace geo::test::match {

inline const char* kNaip2014 = "imagery/opengeos_naip_m_4709963_se_14_1_20140720.tif";
inline const char* kNaip2020 = "imagery/opengeos_naip_m_4709963_se_14_1_20200831.tif";
inline const char* kLandsat = "imagery/rasterio_RGB.byte.tif";

using geo::test::views::apply;
using geo::test::views::shift;

}  // namespace geo::test::match
