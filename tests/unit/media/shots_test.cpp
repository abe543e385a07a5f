// SPDX-License-Identifier: Apache-2.0
// The shot detector alone, on fixture pictures (no codec in the way).
#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "geo/core/error.hpp"
#include "geo/media/shots.hpp"
#include "support/video_fixture.hpp"

namespace {

cv::Mat thumb_of(const cv::Mat& bgr) {
  cv::Mat g, t;
  cv::cvtColor(bgr, g, cv::COLOR_BGR2GRAY);
  cv::resize(g, t, cv::Size(160, 120), 0, 0, cv::INTER_AREA);
  return t;
}

TEST(ShotDetector, CutsAtTheRightFrameAndSubShotsInAPan) {
  geo::test::VideoFixtureOptions o;
  o.fps = 25;
  o.duration_s = 5;
  o.cuts_s = {1.0, 2.0};
  o.pan_shot = 2;
  o.pan_px_per_s = 240;  // 3 s x 240 px = 720 px: 2.25 frame widths
  geo::ShotDetector det;
  std::vector<int> cut_frames, sub_frames;
  for (int i = 0; i < 125; ++i) {
    const double t = i / o.fps;
    int shot = 0;
    for (double c : o.cuts_s) shot += t + 1e-9 >= c;
    const auto change = det.push(thumb_of(geo::test::fixture_picture(o, i, t, shot)), t);
    if (change == geo::ShotChange::cut) cut_frames.push_back(i);
    if (change == geo::ShotChange::subshot) sub_frames.push_back(i);
  }
  EXPECT_EQ(cut_frames, (std::vector<int>{25, 50}));
  // Drift threshold: half of the 160-px thumbnail = 80 px = 160 px at full size, 0.667 s of pan.
  ASSERT_GE(sub_frames.size(), 3u);
  ASSERT_LE(sub_frames.size(), 5u);
  EXPECT_NEAR(sub_frames[0], 50 + 160.0 / 240.0 * 25, 3);
  EXPECT_EQ(det.shot(), 2);
}

TEST(ShotDetector, RejectsBadThumbnails) {
  geo::ShotDetector det;
  EXPECT_THROW(det.push(cv::Mat(), 0), geo::Error);
  det.push(cv::Mat(32, 32, CV_8UC1, cv::Scalar(10)), 0);
  EXPECT_THROW(det.push(cv::Mat(40, 40, CV_8UC1, cv::Scalar(10)), 0.04), geo::Error);
}

}  // namespace
