// SPDX-License-Identifier: Apache-2.0
// How high the highest chance peak of a correlation map stands, by the map's size: the model stage A
// ranks its places against (chance_peak_z), checked on smooth noise maps.
#include <cmath>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "match/align_util.hpp"

namespace {

using geo::match_detail::chance_peak_z;

// Mean over `trials` of the highest value of an n x n map of white noise smoothed by a Gaussian of
// 1.3 px (neighbouring values correlated over about kChanceCellPx pixels, as neighbouring placements
// of a template on the orientation fields are), in standard deviations above the map's mean.
double simulated_max_z(int n, int trials, cv::RNG& rng) {
  double sum = 0;
  for (int t = 0; t < trials; ++t) {
    cv::Mat noise(n + 20, n + 20, CV_32F);
    rng.fill(noise, cv::RNG::NORMAL, 0.0, 1.0);
    cv::GaussianBlur(noise, noise, cv::Size(0, 0), 1.3);
    const cv::Mat map = noise(cv::Rect(10, 10, n, n));
    cv::Scalar mean, sd;
    cv::meanStdDev(map, mean, sd);
    double mx;
    cv::minMaxLoc(map, nullptr, &mx);
    sum += (mx - mean[0]) / sd[0];
  }
  return sum / trials;
}

TEST(ChancePeak, PredictsTheHighestChancePeakOfSmoothNoiseMaps) {
  cv::RNG rng(12345);
  const double small = simulated_max_z(100, 16, rng), large = simulated_max_z(1000, 8, rng);
  // The extreme of 10^4 and 10^6 placements: about 3.7 and 4.8 standard deviations.
  EXPECT_NEAR(chance_peak_z(100.0 * 100.0), small, 0.35);
  EXPECT_NEAR(chance_peak_z(1000.0 * 1000.0), large, 0.35);
  // What stage A's ranking uses is the difference between map sizes: about 1.1 sd for 100 times the
  // placements.
  EXPECT_NEAR(chance_peak_z(1e6) - chance_peak_z(1e4), large - small, 0.25);
  EXPECT_GT(large - small, 0.8);
}

TEST(ChancePeak, GrowsWithTheMapAndStaysFiniteForTinyMaps) {
  EXPECT_LT(chance_peak_z(1e4), chance_peak_z(1e5));
  EXPECT_LT(chance_peak_z(1e5), chance_peak_z(1e6));
  // A map of a few placements: no chance extreme to speak of, but a finite, non-negative height.
  EXPECT_GE(chance_peak_z(1.0), 0.0);
  EXPECT_TRUE(std::isfinite(chance_peak_z(0.0)));
}

}  // namespace
