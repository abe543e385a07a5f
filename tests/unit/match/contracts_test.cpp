// SPDX-License-Identifier: Apache-2.0
// The matcher's contracts that need no imagery: the tilt range the search supports is the range the
// options accept, a ReferenceIndex may be shared by threads, the status and method names at the JSON
// edge.
#include <algorithm>
#include <cmath>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "geo/core/error.hpp"
#include "geo/match/align.hpp"
#include "geo/match/match.hpp"
#include "match/tuning.hpp"
#include "support/match_views.hpp"
#include "support/support.hpp"

namespace {

namespace views = geo::test::views;

using geo::test::views::texture;

geo::AlignOptions fast_options() {
  geo::AlignOptions o;
  o.retrieval = false;
  o.dense = false;  // the keypoint stage alone: these tests check what is accepted, not what is found
  return o;
}

TEST(TiltContract, TheSearchSupportsWhatTheOptionsAccept) {
  EXPECT_EQ(geo::match_detail::kMaxTiltDeg, 45.0);
  geo::MatchOptions o;
  o.tilt_deg = 45.0;
  EXPECT_NO_THROW(o.validate());
  o.tilt_deg = 50.0;
  const std::string msg = geo::test::error_message_of([&] { o.validate(); });
  EXPECT_NE(msg.find("tilt_deg 50"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[0, 45]"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
}

TEST(TiltContract, AlignFrameRefusesATiltPriorAt50Degrees) {
  const cv::Mat ref_img = texture(600, 600, 3);
  const geo::AlignOptions o = fast_options();
  const geo::ReferenceIndex ref = geo::ReferenceIndex::build(ref_img, cv::Mat(), 1.0, o);
  // A view of the reference at 50 degrees from nadir: possible for the camera (its top is short of
  // the horizon), beyond what the dense refinement keeps.
  const cv::Size fs(320, 180);
  const cv::Matx33d h = views::ref_from_frame(fs, views::Pose{{300, 300}, 0.5, 20, 50}, 1.0);
  const cv::Mat frame = views::warp(ref_img, h, fs);
  geo::ViewPrior p;
  p.tilt_deg = 50.0;
  try {
    (void)geo::align_frame(frame, ref, p, o);
    ADD_FAILURE() << "a tilt prior of 50 degrees was accepted";
  } catch (const geo::Error& e) {
    EXPECT_EQ(e.code(), geo::Errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("0 to 45 degrees"), std::string::npos) << e.what();
  }
  p.tilt_deg = 45.0;
  EXPECT_NO_THROW((void)geo::align_frame(frame, ref, p, o));
}

TEST(TiltContract, ATelemetryTiltOver45IsNoPriorButStillGivesTheReach) {
  geo::FrameRef f;
  f.path = "frame.png";
  geo::CameraPrior cam;
  cam.position = geo::GeoPoint{47.0, -99.1, {}};
  cam.rel_alt_m = 100.0;
  cam.tilt_deg = 50.0;
  f.camera = cam;
  std::vector<std::string> took;
  const geo::MatchOptions o = geo::frame_options(geo::MatchOptions{}, f, &took);
  EXPECT_FALSE(o.tilt_deg.has_value());
  EXPECT_EQ(std::count(took.begin(), took.end(), "tilt_deg"), 0);
  // The search circle still reaches where a camera tilted 50 degrees looks: 500 m + 100 m x tan(50).
  EXPECT_NEAR(o.radius_m, 500.0 + 100.0 * std::tan(50.0 * CV_PI / 180), 1e-6);
  cam.tilt_deg = 30.0;
  f.camera = cam;
  EXPECT_NEAR(*geo::frame_options(geo::MatchOptions{}, f).tilt_deg, 30.0, 1e-12);
}

// Levels asked for by several threads at once are made once and are the same for all.
TEST(ReferenceIndexThreads, LevelsAreMadeOnceWhateverThreadAsks) {
  const geo::AlignOptions o = fast_options();
  const geo::ReferenceIndex ref = geo::ReferenceIndex::build(texture(400, 400, 9), cv::Mat(), 1.0, o);
  const std::vector<double> gsds = {2.0, 2.0 * std::sqrt(2.0), 4.0};
  std::vector<std::vector<const void*>> seen(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 3; ++rep)
        for (double g : gsds) {
          seen[t].push_back(&ref.level(g, true));
          seen[t].push_back(&ref.spectra(g, false));
        }
    });
  for (auto& th : threads) th.join();
  for (int t = 1; t < 4; ++t) EXPECT_EQ(seen[t], seen[0]);
  const auto& l = ref.level(4.0, true);
  EXPECT_EQ(l.fc.size(), cv::Size(100, 100));
  EXPECT_TRUE(l.colour);
}

TEST(Names, StatusAndMethodAreStringsOnlyAtTheJsonEdge) {
  EXPECT_EQ(geo::Json(geo::FixStatus::located), "located");
  EXPECT_EQ(geo::Json(geo::FixStatus::not_found), "not_found");
  geo::FrameFix f;
  EXPECT_EQ(geo::to_json(f)["status"], "not_found");
  f.status = geo::FixStatus::located;
  EXPECT_EQ(geo::to_json(f)["status"], "located");
  EXPECT_STREQ(geo::to_string(geo::AlignMethod::keypoints_affine), "keypoints(affine)");
  EXPECT_STREQ(geo::to_string(geo::AlignMethod::dense_keypoints), "dense+keypoints");
  EXPECT_STREQ(geo::to_string(geo::AlignMethod::none), "");
  geo::Alignment a;
  a.method = geo::AlignMethod::dense;
  EXPECT_EQ(geo::to_json(a)["method"], "dense");
  EXPECT_TRUE(geo::is_dense(geo::AlignMethod::dense_keypoints));
  EXPECT_FALSE(geo::is_dense(geo::AlignMethod::keypoints));
}

}  // namespace
