// SPDX-License-Identifier: Apache-2.0
// Perceptual hashing and sharpness of pictures, for finding near-duplicate frames across videos and
// keeping the sharpest frame of a shot. Pure functions; thread-safe.
#pragma once
#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

namespace geo {

// 64-bit DCT perceptual hash: the picture's luma reduced to 32x32 (area average), its 2-D DCT, the 8x8
// lowest frequencies compared with their median (DC term excluded from the median). Bit 63 is
// coefficient (0,0), then row by row. Accepts 8-bit gray or BGR; throws Error{invalid_argument} when
// empty. Re-encoding or rescaling a picture changes few bits; different pictures differ in about half.
std::uint64_t phash64(const cv::Mat& picture);

// Number of differing bits (0..64).
int hamming_distance(std::uint64_t a, std::uint64_t b) noexcept;

// 16 lower-case hex digits, and back (throws Error{invalid_argument}).
std::string phash_hex(std::uint64_t h);
std::uint64_t parse_phash_hex(const std::string& hex);

// Variance of the Laplacian of the 8-bit luma (gray or BGR input): larger is sharper. Depends on
// resolution, so compare values measured at the same size only.
double laplacian_variance(const cv::Mat& picture);

}  // namespace geo
