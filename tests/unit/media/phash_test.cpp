// SPDX-License-Identifier: Apache-2.0
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/core/error.hpp"
#include "geo/media/image_hash.hpp"
#include "support/video_fixture.hpp"

namespace {

cv::Mat reencoded(const cv::Mat& img, int quality, double scale) {
  std::vector<uchar> buf;
  cv::imencode(".jpg", img, buf, {cv::IMWRITE_JPEG_QUALITY, quality});
  cv::Mat back = cv::imdecode(buf, cv::IMREAD_COLOR), small;
  cv::resize(back, small, cv::Size(), scale, scale, cv::INTER_AREA);
  return small;
}

TEST(Phash, NearDuplicateIsCloseDifferentPictureIsFar) {
  geo::test::VideoFixtureOptions o;
  o.width = 640;
  o.height = 360;
  std::vector<int> near, far;
  for (unsigned seed = 1; seed <= 6; ++seed) {
    o.seed = seed;
    const cv::Mat a = geo::test::fixture_picture(o, 5, 0.0, 0);
    const cv::Mat b = geo::test::fixture_picture(o, 5, 0.0, 1);  // another scene
    const auto ha = geo::phash64(a);
    near.push_back(geo::hamming_distance(ha, geo::phash64(reencoded(a, 35, 0.5))));
    far.push_back(geo::hamming_distance(ha, geo::phash64(b)));
  }
  for (std::size_t i = 0; i < near.size(); ++i) {
    EXPECT_LE(near[i], 6) << "seed " << i + 1;   // JPEG q35 at half size: a few bits of 64
    EXPECT_GE(far[i], 16) << "seed " << i + 1;   // unrelated pictures: around half the bits
  }
}

TEST(Phash, HexRoundTripAndDistance) {
  EXPECT_EQ(geo::phash_hex(0x0123456789abcdefULL), "0123456789abcdef");
  EXPECT_EQ(geo::parse_phash_hex("0123456789ABCDEF"), 0x0123456789abcdefULL);
  EXPECT_THROW(geo::parse_phash_hex("xyz"), geo::Error);
  EXPECT_EQ(geo::hamming_distance(0, ~0ULL), 64);
  EXPECT_EQ(geo::hamming_distance(0xf0, 0x0f), 8);
  EXPECT_THROW(geo::phash64(cv::Mat()), geo::Error);
}

TEST(Sharpness, BlurLowersTheLaplacianVariance) {
  geo::test::VideoFixtureOptions o;
  const cv::Mat a = geo::test::fixture_picture(o, 1, 0.0, 0);
  cv::Mat b, c;
  cv::GaussianBlur(a, b, cv::Size(0, 0), 1.0);
  cv::GaussianBlur(a, c, cv::Size(0, 0), 2.5);
  const double sa = geo::laplacian_variance(a), sb = geo::laplacian_variance(b), sc = geo::laplacian_variance(c);
  EXPECT_GT(sa, 2 * sb);
  EXPECT_GT(sb, 2 * sc);
}

}  // namespace
