// SPDX-License-Identifier: Apache-2.0
// Comparing pictures in tests.
#pragma once
#include <opencv2/core.hpp>

namespace geo::test {

// Pearson correlation of two single-channel images of the same size over the non-zero pixels of
// `mask` (CV_8U): 1 for the same picture up to gain and offset, about 0 for unrelated ones.
double masked_correlation(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask);

}  // namespace geo::test
