// SPDX-License-Identifier: Apache-2.0
// The channels the dense search correlates: grey, or luminance with opponent colour, and the
// orientation field over several channels.
#include <cmath>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "geo/imagery/raster.hpp"
#include "match/align_util.hpp"
#include "support/support.hpp"
#include "fixtures.hpp"

namespace {

using geo::match_detail::dense_channels;
using geo::match_detail::has_colour;
using geo::match_detail::orientation_field;

// Left half one colour, right half another (BGR), 64 x 64.
cv::Mat halves(cv::Scalar left, cv::Scalar right) {
  cv::Mat m(64, 64, CV_8UC3, left);
  m(cv::Rect(32, 0, 32, 64)).setTo(right);
  return m;
}

// The field's doubled-angle vector (fc, fs) on the boundary column, row 32.
cv::Vec2f field_at_boundary(const cv::Mat& img32) {
  cv::Mat fc, fs;
  orientation_field(img32, fc, fs);
  return {fc.at<float>(32, 31), fs.at<float>(32, 31)};
}

TEST(DenseChannels, GreyIsOneChannelColourThree) {
  const cv::Mat bgr = halves({40, 120, 200}, {200, 120, 40});
  EXPECT_EQ(dense_channels(bgr, false).channels(), 1);
  EXPECT_EQ(dense_channels(bgr, true).channels(), 3);
  EXPECT_EQ(dense_channels(bgr, true).depth(), CV_32F);
  // Luminance (channel 0) is the grey conversion: BGR (40, 120, 200) -> 0.114 B + 0.587 G + 0.299 R.
  EXPECT_NEAR(dense_channels(bgr, true).at<cv::Vec3f>(10, 10)[0], 0.114 * 40 + 0.587 * 120 + 0.299 * 200, 0.01);
  EXPECT_NEAR(dense_channels(bgr, false).at<float>(10, 10), 0.114 * 40 + 0.587 * 120 + 0.299 * 200, 0.6);
  // A grey pixel has no opponent colour.
  const cv::Vec3f g = dense_channels(cv::Mat(4, 4, CV_8UC3, cv::Scalar(90, 90, 90)), true).at<cv::Vec3f>(1, 1);
  EXPECT_NEAR(g[1], 0.0, 1e-3);
  EXPECT_NEAR(g[2], 0.0, 1e-3);
}

// A boundary between two colours of the same brightness (a green crop beside a brown field, water
// beside grass) is invisible in grey and a vertical edge in the colour channels.
TEST(DenseChannels, AnEqualBrightnessColourBoundaryIsSeenOnlyInColour) {
  // Red (BGR 0, 0, 200): luminance 59.8; green (0, 102, 0): 59.9.
  const cv::Mat bgr = halves({0, 0, 200}, {0, 102, 0});
  const cv::Vec2f grey = field_at_boundary(dense_channels(bgr, false));
  const cv::Vec2f colour = field_at_boundary(dense_channels(bgr, true));
  EXPECT_LT(std::hypot(grey[0], grey[1]), 0.02);
  // A vertical edge: gradient along x, doubled angle 0 -> fc > 0, fs = 0. The same edge in grey
  // (black beside white) gives the scale.
  const cv::Vec2f ref = field_at_boundary(dense_channels(halves({0, 0, 0}, {255, 255, 255}), false));
  EXPECT_GT(colour[0], 0.5 * ref[0]);
  EXPECT_NEAR(colour[1], 0.0, 0.02);
}

TEST(DenseChannels, OrientationFieldOfOneChannelIsUnchangedByTheTensorSum) {
  // A grey image given as three equal channels has the same orientation as given as one.
  cv::Mat g(64, 64, CV_32F);
  cv::randu(g, 0, 255);
  cv::GaussianBlur(g, g, cv::Size(0, 0), 2.0);
  cv::Mat g3;
  cv::merge(std::vector<cv::Mat>{g, g, g}, g3);
  cv::Mat c1, s1, c3, s3;
  orientation_field(g, c1, s1);
  orientation_field(g3, c3, s3);
  // Three equal channels triple the tensor, and the local normalisation divides that out.
  EXPECT_LT(cv::norm(c1 - c3, cv::NORM_INF), 1e-3);
  EXPECT_LT(cv::norm(s1 - s3, cv::NORM_INF), 1e-3);
}

TEST(DenseChannels, ColourIsTheImagesNotTheNoises) {
  // A grey image stored as BGR, with independent noise of 6 grey levels per channel (a bench view's
  // most), is grey; one channel is grey; colour patches are colour.
  cv::Mat g(720, 1280, CV_8U);
  cv::randu(g, 0, 255);
  cv::GaussianBlur(g, g, cv::Size(0, 0), 3.0);
  cv::Mat bgr, noise(g.size(), CV_32FC3), f;
  cv::cvtColor(g, bgr, cv::COLOR_GRAY2BGR);
  cv::theRNG().state = 7;
  cv::randn(noise, 0, 6);
  bgr.convertTo(f, CV_32F);
  f += noise;
  f.convertTo(bgr, CV_8U);
  EXPECT_FALSE(has_colour(bgr));
  EXPECT_FALSE(has_colour(g));
  EXPECT_TRUE(has_colour(geo::test::views::texture(360, 640, 3)));
}

TEST(DenseChannels, TheNaipTileIsColour) {
  const auto path = geo::test::shared(geo::test::match::kNaip2020);
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared NAIP sample missing";
  geo::Raster r = geo::Raster::open(path.string());
  EXPECT_TRUE(has_colour(r.read_pixels(0, 0, r.info().width, r.info().height).image));
}

}  // namespace
