// SPDX-License-Identifier: Apache-2.0
#include "geo/media/image_hash.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "geo/core/error.hpp"

namespace geo {
namespace {

cv::Mat to_gray(const cv::Mat& picture, const char* what) {
  if (picture.empty() || picture.depth() != CV_8U)
    throw Error(Errc::invalid_argument, std::string(what) + ": expects a non-empty 8-bit picture");
  if (picture.channels() == 1) return picture;
  cv::Mat gray;
  cv::cvtColor(picture, gray, picture.channels() == 4 ? cv::COLOR_BGRA2GRAY : cv::COLOR_BGR2GRAY);
  return gray;
}

}  // namespace

std::uint64_t phash64(const cv::Mat& picture) {
  const cv::Mat gray = to_gray(picture, "phash");
  cv::Mat small, f, d;
  cv::resize(gray, small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
  small.convertTo(f, CV_32F);
  cv::dct(f, d);
  std::vector<float> coeffs;
  coeffs.reserve(64);
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) coeffs.push_back(d.at<float>(y, x));
  std::vector<float> ac(coeffs.begin() + 1, coeffs.end());
  std::nth_element(ac.begin(), ac.begin() + ac.size() / 2, ac.end());
  const float median = ac[ac.size() / 2];
  std::uint64_t h = 0;
  for (float c : coeffs) h = (h << 1) | (c > median ? 1u : 0u);
  return h;
}

int hamming_distance(std::uint64_t a, std::uint64_t b) noexcept { return std::popcount(a ^ b); }

std::string phash_hex(std::uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::uint64_t parse_phash_hex(const std::string& hex) {
  if (hex.size() != 16 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    throw Error(Errc::invalid_argument, "phash: '" + hex + "' is not 16 hex digits");
  return std::stoull(hex, nullptr, 16);
}

double laplacian_variance(const cv::Mat& picture) {
  const cv::Mat gray = to_gray(picture, "sharpness");
  cv::Mat lap;
  cv::Laplacian(gray, lap, CV_32F);
  cv::Scalar mean, stddev;
  cv::meanStdDev(lap, mean, stddev);
  return stddev[0] * stddev[0];
}

}  // namespace geo
