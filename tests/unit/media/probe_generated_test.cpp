// SPDX-License-Identifier: Apache-2.0
// Videos generated at test time (tests/support/video_fixture.hpp) with known rotation, rate and clock.
#include <gtest/gtest.h>

#include "geo/core/error.hpp"
#include "geo/media/probe.hpp"
#include "support/support.hpp"
#include "support/video_fixture.hpp"

using geo::test::ScratchDir;

TEST(ProbeGenerated, RotationFpsFrameCountAndTime) {
  ScratchDir dir;
  geo::test::VideoFixtureOptions o;
  o.fps = 25;
  o.duration_s = 2.0;
  o.rotation_cw_deg = 90;
  o.creation_time = "2024-03-05T06:07:08Z";
  const auto fx = geo::test::make_video(dir / "rot.mp4", o);
  const geo::MediaInfo m = geo::probe_media(dir / "rot.mp4");
  ASSERT_TRUE(m.video);
  EXPECT_DOUBLE_EQ(m.video->rotation_deg, 90.0);
  ASSERT_TRUE(m.video->fps);
  EXPECT_NEAR(*m.video->fps, 25.0, 0.01);
  ASSERT_TRUE(m.video->frame_count);
  EXPECT_EQ(*m.video->frame_count, static_cast<std::int64_t>(fx.frames.size()));
  ASSERT_TRUE(m.created);
  EXPECT_EQ(geo::format_utc(m.created->utc), "2024-03-05T06:07:08Z");
  EXPECT_EQ(m.created->source, "container:creation_time");
  EXPECT_FALSE(m.telemetry);
}

TEST(ProbeGenerated, VariableFrameRateIsMeasuredFromTimestamps) {
  ScratchDir dir;
  geo::test::VideoFixtureOptions o;
  o.fps = 30;
  o.duration_s = 3.0;
  o.vfr = true;
  o.seed = 5;
  const auto fx = geo::test::make_video(dir / "vfr.mkv", o);
  const geo::MediaInfo m = geo::probe_media(dir / "vfr.mkv");
  ASSERT_TRUE(m.video && m.video->fps);
  const double span = fx.frames.back().pts_s - fx.frames.front().pts_s;
  const double truth = static_cast<double>(fx.frames.size() - 1) / span;
  EXPECT_NEAR(*m.video->fps, truth, 0.01 * truth);
}

TEST(ProbeGenerated, UnsetClocksAreFlaggedAndNotChosen) {
  // (1970-01-01 cannot be generated here: the MP4 writer stores it as "no time", so libav reports none.)
  for (const char* t : {"2000-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "2099-06-01T00:00:00Z"}) {
    ScratchDir dir;
    geo::test::VideoFixtureOptions o;
    o.duration_s = 0.5;
    o.creation_time = t;
    geo::test::make_video(dir / "clock.mp4", o);
    const geo::MediaInfo m = geo::probe_media(dir / "clock.mp4");
    EXPECT_FALSE(m.created) << t;
    EXPECT_TRUE(m.diagnostics.has("time.clock_unset")) << t;
    EXPECT_TRUE(m.diagnostics.has("time.none")) << t;
    EXPECT_FALSE(m.created_candidates.empty()) << t;
  }
}

TEST(ProbeGenerated, TruncatedFaststartFileFails) {
  ScratchDir dir;
  geo::test::VideoFixtureOptions o;
  o.duration_s = 2.0;
  o.faststart = true;
  geo::test::make_video(dir / "fs.mp4", o);
  geo::test::truncate_copy(dir / "fs.mp4", dir / "cut.mp4", 0.5);
  try {
    geo::probe_media(dir / "cut.mp4");
    FAIL() << "a truncated file was probed as if complete";
  } catch (const geo::Error& e) {
    EXPECT_EQ(e.code(), geo::Errc::corrupt_data);
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}
