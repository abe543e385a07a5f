// SPDX-License-Identifier: Apache-2.0
// extract_frames on generated videos whose pixels carry their frame index, and on a real iPhone clip
// compared with ffprobe.
#include <cmath>
#include <cstdio>
#include <set>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "geo/core/error.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/json.hpp"
#include "geo/media/frames.hpp"
#include "support/support.hpp"
#include "support/video_fixture.hpp"

namespace {

using geo::FrameExtractOptions;
using geo::FrameMode;
using geo::test::ScratchDir;
using geo::test::VideoFixture;
using geo::test::VideoFixtureOptions;

// Index of the frame the interval rule must pick for each target: the first frame whose PTS is at or
// after first_pts + k * every (a frame covering several targets counts once).
std::vector<int> expected_interval(const std::vector<geo::test::FixtureFrame>& frames, double every) {
  std::vector<int> out;
  const double first = frames.front().pts_s;
  double target = first;
  for (const auto& f : frames)
    if (f.pts_s + 1e-6 >= target) {
      out.push_back(f.index);
      target = first + (std::floor((f.pts_s - first + 1e-6) / every) + 1) * every;
    }
  return out;
}

int index_in_file(const std::filesystem::path& p) { return geo::test::read_frame_index(cv::imread(p.string())); }

TEST(FramesInterval, PicksTheFirstFrameAtOrAfterEachTargetCfr) {
  ScratchDir dir;
  VideoFixtureOptions o;
  o.fps = 25;
  o.duration_s = 4;
  const VideoFixture fx = geo::test::make_video(dir / "cfr.mp4", o);
  FrameExtractOptions opts;
  opts.mode = FrameMode::interval;
  opts.every_s = 0.3;  // not a multiple of the frame period: targets fall between frames
  const auto r = geo::extract_frames(fx.path, dir / "out", opts);
  const auto want = expected_interval(fx.frames, 0.3);
  ASSERT_EQ(r.frames.size(), want.size());
  EXPECT_EQ(r.frames_decoded, static_cast<std::int64_t>(fx.frames.size()));
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(index_in_file(dir / "out" / r.frames[i].file), want[i]) << "frame " << i;
    EXPECT_NEAR(r.frames[i].pts_s, fx.frames[static_cast<std::size_t>(want[i])].pts_s, 0.5 / o.fps);
  }
}

TEST(FramesInterval, VariableFrameRateAndNonZeroStart) {
  ScratchDir dir;
  VideoFixtureOptions o;
  o.vfr = true;
  o.start_s = 2.5;
  o.fps = 20;
  o.duration_s = 5;
  o.seed = 7;
  const VideoFixture fx = geo::test::make_video(dir / "vfr.mkv", o);
  FrameExtractOptions opts;
  opts.mode = FrameMode::interval;
  opts.every_s = 0.5;
  const auto r = geo::extract_frames(fx.path, dir / "out", opts);
  ASSERT_TRUE(r.first_pts_s);
  EXPECT_NEAR(*r.first_pts_s, 2.5, 1e-3);  // the stream's own timeline, not reset to zero
  const auto want = expected_interval(fx.frames, 0.5);
  ASSERT_EQ(r.frames.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const auto& truth = fx.frames[static_cast<std::size_t>(want[i])];
    EXPECT_EQ(index_in_file(dir / "out" / r.frames[i].file), want[i]) << "frame " << i;
    EXPECT_NEAR(r.frames[i].pts_s, truth.pts_s, 1e-3);  // Matroska stores milliseconds
    EXPECT_NEAR(r.frames[i].offset_s, truth.pts_s - 2.5, 1e-3);
    // Never earlier than its target, never later than the next frame after the target.
    EXPECT_GE(r.frames[i].offset_s + 1e-3, 0.5 * static_cast<double>(i));
  }
}

TEST(FramesKeyframes, ExactlyTheGopStartsWithoutDecodingTheRest) {
  ScratchDir dir;
  VideoFixtureOptions o;
  o.gop = 12;
  o.duration_s = 4;
  const VideoFixture fx = geo::test::make_video(dir / "gop.mp4", o);
  std::vector<int> keys;
  for (const auto& f : fx.frames)
    if (f.key) keys.push_back(f.index);
  ASSERT_EQ(keys.size(), 9u);  // 100 frames, a keyframe every 12
  for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(keys[i], static_cast<int>(i) * 12);
  FrameExtractOptions opts;
  opts.mode = FrameMode::keyframes;
  const auto r = geo::extract_frames(fx.path, dir / "out", opts);
  ASSERT_EQ(r.frames.size(), keys.size());
  EXPECT_EQ(r.frames_decoded, static_cast<std::int64_t>(keys.size()));  // non-key frames never decoded
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(index_in_file(dir / "out" / r.frames[i].file), keys[i]);
    EXPECT_TRUE(r.frames[i].keyframe);
    EXPECT_NEAR(r.frames[i].pts_s, fx.frames[static_cast<std::size_t>(keys[i])].pts_s, 0.5 / o.fps);
  }
}

TEST(FramesShots, FindsCutsWithinOneFrameAndASubShotInThePan) {
  ScratchDir dir;
  VideoFixtureOptions o;
  o.fps = 25;
  o.duration_s = 6;
  o.cuts_s = {1.2, 2.6};
  o.pan_shot = 2;          // 2.6 s .. 6 s pans 200 px/s over a wide scene: 680 px, two frame widths
  o.pan_px_per_s = 200;
  o.sharp_peak = true;     // the middle frame of each static shot is the sharp one
  const VideoFixture fx = geo::test::make_video(dir / "shots.mp4", o);
  FrameExtractOptions opts;
  opts.mode = FrameMode::shots;
  const auto r = geo::extract_frames(fx.path, dir / "out", opts);
  std::vector<double> cuts;
  int pan_subshots = 0, static_subshots = 0;
  for (const auto& s : r.segments) {
    if (s.cut) cuts.push_back(s.start_pts_s);
    if (!s.cut && s.subshot > 0) (s.shot == 2 ? pan_subshots : static_subshots)++;
  }
  ASSERT_EQ(cuts.size(), fx.cut_pts_s.size());
  for (std::size_t i = 0; i < cuts.size(); ++i) EXPECT_NEAR(cuts[i], fx.cut_pts_s[i], 1.0 / o.fps + 1e-6);
  EXPECT_EQ(static_subshots, 0);
  EXPECT_GE(pan_subshots, 1);  // 680 px of pan at a 0.5-frame drift threshold (160 px): 3 or 4
  EXPECT_LE(pan_subshots, 5);
  // One frame per segment; in the static shots, the sharpest is the middle frame.
  ASSERT_EQ(r.frames.size(), r.segments.size());
  const int mid0 = static_cast<int>(std::lround(0.6 * o.fps)), mid1 = static_cast<int>(std::lround(1.9 * o.fps));
  EXPECT_NEAR(index_in_file(dir / "out" / r.frames[0].file), mid0, 1);
  EXPECT_NEAR(index_in_file(dir / "out" / r.frames[1].file), mid1, 1);
  EXPECT_EQ(r.frames[0].shot, 0);
  EXPECT_EQ(r.frames[1].shot, 1);
  EXPECT_EQ(r.frames[2].shot, 2);
}

struct RotationCase {
  int rotation;
};
class FramesRotation : public ::testing::TestWithParam<int> {};

TEST_P(FramesRotation, FramesComeOutUpright) {
  ScratchDir dir;
  VideoFixtureOptions o;
  o.width = 320;
  o.height = 192;
  o.duration_s = 1;
  o.rotation_cw_deg = GetParam();
  const VideoFixture fx = geo::test::make_video(dir / "rot.mp4", o);
  FrameExtractOptions opts;
  opts.mode = FrameMode::interval;
  opts.every_s = 0.4;
  const auto r = geo::extract_frames(fx.path, dir / "out", opts);
  EXPECT_EQ(r.rotation_cw_deg, GetParam());
  ASSERT_EQ(r.frames.size(), 3u);
  for (const auto& f : r.frames) {
    EXPECT_EQ(f.width, 320);
    EXPECT_EQ(f.height, 192);
    const cv::Mat img = cv::imread((dir / "out" / f.file).string());
    EXPECT_EQ(img.cols, 320);
    EXPECT_EQ(img.rows, 192);
    EXPECT_EQ(geo::test::read_frame_index(img), static_cast<int>(std::lround(f.pts_s * o.fps)));
  }
}
INSTANTIATE_TEST_SUITE_P(Angles, FramesRotation, ::testing::Values(0, 90, 180, 270));

TEST(FramesOutput, JsonRecordsMatchTheWrittenFiles) {
  ScratchDir dir;
  VideoFixtureOptions o;
  o.duration_s = 2;
  o.creation_time = "2024-03-01T10:00:00.000000Z";
  const VideoFixture fx = geo::test::make_video(dir / "c.mp4", o);
  FrameExtractOptions opts;
  opts.mode = FrameMode::interval;
  opts.every_s = 0.5;
  opts.format = geo::ImageFormat::png;
  opts.contact_sheet = dir / "sheet.jpg";
  const auto r = geo::extract_frames(fx.path, dir / "out", opts);
  const geo::Json j = geo::read_json_file(dir / "out" / "frames.json");
  EXPECT_EQ(j["video"]["sha256"], geo::sha256_file(fx.path));
  EXPECT_EQ(j["provenance"]["parameters"]["mode"], "interval");
  ASSERT_EQ(j["frames"].size(), 4u);
  for (const auto& f : j["frames"]) {
    EXPECT_EQ(f["sha256"], geo::sha256_file(dir / "out" / f["file"].get<std::string>()));
    EXPECT_EQ(f["phash"].get<std::string>().size(), 16u);
  }
  EXPECT_FALSE(cv::imread((dir / "sheet.jpg").string()).empty());
  // Creation time + offset, labelled as derived, when probe reads the container's creation_time.
  if (r.created) {
    ASSERT_TRUE(r.frames[2].utc);
    EXPECT_TRUE(r.frames[2].utc->derived);
    EXPECT_EQ(r.frames[2].utc->utc.unix_us - r.created->utc.unix_us,
              std::llround(r.frames[2].offset_s * 1e6));
    EXPECT_EQ(geo::format_utc(r.created->utc), "2024-03-01T10:00:00Z");
  } else {
    EXPECT_TRUE(r.diagnostics.has("frames.no_creation_time"));
  }
}

TEST(FramesBadInput, NothingDecodableOrNoVideoThrowsAndWritesNothing) {
  ScratchDir dir;
  VideoFixtureOptions o;
  o.duration_s = 2;
  const VideoFixture fx = geo::test::make_video(dir / "full.mp4", o);  // moov at the end
  geo::test::truncate_copy(fx.path, dir / "cut.mp4", 0.5);
  geo::test::make_audio_only(dir / "audio.m4a");
  geo::test::make_still_jpeg(dir / "still.jpg");
  geo::test::write_bytes(dir / "random.mp4", geo::test::random_bytes(50000, 3));
  const std::vector<std::pair<std::string, geo::Errc>> cases = {
      {"cut.mp4", geo::Errc::corrupt_data},
      {"audio.m4a", geo::Errc::unsupported},
      {"still.jpg", geo::Errc::unsupported},
      {"random.mp4", geo::Errc::corrupt_data},
      {"missing.mp4", geo::Errc::not_found}};
  for (const auto& [name, code] : cases) {
    try {
      geo::extract_frames(dir / name, dir / "out", {});
      ADD_FAILURE() << name << " did not throw";
    } catch (const geo::Error& e) {
      EXPECT_EQ(e.code(), code) << name << ": " << e.what();
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "out")) << name;
  }
}

TEST(FramesPartial, TruncatedFileGivesTheFramesItCanAndADiagnostic) {
  ScratchDir dir;
  VideoFixtureOptions o;
  o.duration_s = 4;
  o.faststart = true;  // index first, so half a file still opens
  const VideoFixture fx = geo::test::make_video(dir / "full.mp4", o);
  geo::test::truncate_copy(fx.path, dir / "half.mp4", 0.5);
  FrameExtractOptions opts;
  opts.mode = FrameMode::interval;
  opts.every_s = 0.2;
  const auto r = geo::extract_frames(dir / "half.mp4", dir / "out", opts);
  EXPECT_GE(r.frames.size(), 3u);
  EXPECT_LT(r.frames.size(), 20u);
  EXPECT_TRUE(r.diagnostics.has("frames.truncated") || r.diagnostics.has("frames.read_error"))
      << geo::to_json(r.diagnostics).dump();
  for (const auto& f : r.frames)
    EXPECT_EQ(index_in_file(dir / "out" / f.file), static_cast<int>(std::lround(f.pts_s * o.fps)));
}

// ---- The real iPhone clip (rotated 90 degrees), against ffprobe run now ----

struct ProbeFrame {
  double pts_s;
  bool key;
};

std::vector<ProbeFrame> ffprobe_frames(const std::filesystem::path& p) {
  const std::string cmd = "ffprobe -v error -select_streams v:0 -show_entries frame=pts_time,key_frame -of csv=p=0 '" +
                          p.string() + "'";
  std::vector<ProbeFrame> out;
  FILE* f = ::popen(cmd.c_str(), "r");
  if (!f) return out;
  char line[256];
  while (std::fgets(line, sizeof line, f)) {
    int key = 0;
    double t = 0;
    if (std::sscanf(line, "%d,%lf", &key, &t) == 2) out.push_back({t, key != 0});
  }
  ::pclose(f);
  return out;
}

TEST(FramesRealSample, IphoneClipMatchesFfprobe) {
  const auto clip = geo::test::shared("media/gps-video/mde_with-gps.mov");
  if (!std::filesystem::exists(clip)) GTEST_SKIP() << "no shared sample";
  const auto truth = ffprobe_frames(clip);
  ASSERT_GT(truth.size(), 100u) << "ffprobe not available?";
  ScratchDir dir;
  FrameExtractOptions opts;
  opts.mode = FrameMode::interval;
  opts.every_s = 0.5;
  const auto r = geo::extract_frames(clip, dir / "iv", opts);
  EXPECT_EQ(r.frames_decoded, static_cast<std::int64_t>(truth.size()));
  EXPECT_EQ(r.rotation_cw_deg, 90);
  std::vector<double> want;
  double target = truth.front().pts_s;
  for (const auto& t : truth)
    if (t.pts_s + 1e-6 >= target) {
      want.push_back(t.pts_s);
      target = truth.front().pts_s + (std::floor((t.pts_s - truth.front().pts_s + 1e-6) / 0.5) + 1) * 0.5;
    }
  ASSERT_EQ(r.frames.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_NEAR(r.frames[i].pts_s, want[i], 1e-5);
    EXPECT_EQ(r.frames[i].width, 320);   // 568x320 stored, shown rotated
    EXPECT_EQ(r.frames[i].height, 568);
  }
  opts.mode = FrameMode::keyframes;
  const auto k = geo::extract_frames(clip, dir / "key", opts);
  std::vector<double> keys;
  for (const auto& t : truth)
    if (t.key) keys.push_back(t.pts_s);
  ASSERT_EQ(k.frames.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_NEAR(k.frames[i].pts_s, keys[i], 1e-5);
}

}  // namespace
