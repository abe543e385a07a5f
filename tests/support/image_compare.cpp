// SPDX-License-Identifier: Apache-2.0
#include "support/image_compare.hpp"

namespace geo::test {

double masked_correlation(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask) {
  cv::Mat fa, fb;
  a.convertTo(fa, CV_64F);
  b.convertTo(fb, CV_64F);
  cv::Scalar ma, sa, mb, sb;
  cv::meanStdDev(fa, ma, sa, mask);
  cv::meanStdDev(fb, mb, sb, mask);
  const cv::Mat prod = (fa - ma[0]).mul(fb - mb[0]);
  return cv::mean(prod, mask)[0] / (sa[0] * sb[0]);
}

}  // namespace geo::test
