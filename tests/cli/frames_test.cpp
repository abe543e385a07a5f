// SPDX-License-Identifier: Apache-2.0
// `geoev frames` through the real binary: exit codes, one-line errors, files written, nothing on failure.
#include <algorithm>

#include <gtest/gtest.h>

#include "geo/core/hash.hpp"
#include "geo/core/json.hpp"
#include "support/support.hpp"
#include "support/video_fixture.hpp"

namespace {

using geo::test::run_geoev;
using geo::test::ScratchDir;

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

TEST(CliFrames, WritesFramesJsonAndContactSheet) {
  ScratchDir dir;
  geo::test::VideoFixtureOptions o;
  o.duration_s = 3;
  o.cuts_s = {1.0, 2.0};
  const auto fx = geo::test::make_video(dir / "v.mp4", o);
  const auto r = run_geoev({"frames", fx.path.string(), "-o", (dir / "out").string(), "--mode", "shots",
                            "--contact-sheet", (dir / "sheet.jpg").string(), "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const geo::Json j = geo::Json::parse(r.out);
  const geo::Json file = geo::read_json_file(dir / "out" / "frames.json");
  EXPECT_EQ(j["frames"], file["frames"]);
  EXPECT_EQ(file["video"]["sha256"], geo::sha256_file(fx.path));
  ASSERT_EQ(file["frames"].size(), 3u);  // one per shot
  for (const auto& key : {"file", "pts_s", "utc", "keyframe", "shot", "sharpness", "sha256", "phash"})
    EXPECT_TRUE(file["frames"][0].contains(key)) << key;
  EXPECT_TRUE(file["provenance"].contains("version"));
  EXPECT_EQ(file["provenance"]["parameters"]["mode"], "shots");
  EXPECT_TRUE(std::filesystem::exists(dir / "sheet.jpg"));
  for (const auto& f : file["frames"])
    EXPECT_EQ(f["sha256"], geo::sha256_file(dir / "out" / f["file"].get<std::string>()));
}

TEST(CliFrames, UsageErrorsExitTwo) {
  ScratchDir dir;
  EXPECT_EQ(run_geoev({"frames"}).exit_code, 2);
  EXPECT_EQ(run_geoev({"frames", "x.mp4"}).exit_code, 2);  // no -o
  const auto r = run_geoev({"frames", "x.mp4", "-o", (dir / "o").string(), "--bogus"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(run_geoev({"frames", "--help"}).exit_code, 0);
}

struct BadCase {
  std::string name;
  std::string expect;  // a fragment of the error line
};

TEST(CliFrames, BadInputFailsWithOneLineAndWritesNothing) {
  ScratchDir dir;
  geo::test::VideoFixtureOptions o;
  o.duration_s = 2;
  const auto fx = geo::test::make_video(dir / "full.mp4", o);
  geo::test::truncate_copy(fx.path, dir / "truncated.mp4", 0.5);
  geo::test::make_audio_only(dir / "audio.m4a");
  geo::test::make_still_jpeg(dir / "photo.jpg");
  geo::test::write_bytes(dir / "empty.mp4", "");
  geo::test::write_bytes(dir / "random.mp4", geo::test::random_bytes(100000, 5));
  std::filesystem::create_directory(dir / "adir");
  const std::vector<BadCase> cases = {
      {"missing.mp4", "no such file"},     {"adir", "is a directory"},
      {"empty.mp4", "empty"},              {"random.mp4", "media.open"},
      {"truncated.mp4", "media.open"},     {"audio.m4a", "no video stream (audio only)"},
      {"photo.jpg", "still image"},
  };
  for (const auto& c : cases) {
    const auto r = run_geoev({"frames", (dir / c.name).string(), "-o", (dir / "out").string(), "--contact-sheet",
                              (dir / "sheet.jpg").string(), "--quiet"});
    EXPECT_EQ(r.exit_code, 1) << c.name;
    EXPECT_EQ(lines(r.err), 1u) << c.name << ": " << r.err;
    EXPECT_NE(r.err.find("geoev frames: error:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.name << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << c.name;
    EXPECT_FALSE(std::filesystem::exists(dir / "out")) << c.name;
    EXPECT_FALSE(std::filesystem::exists(dir / "sheet.jpg")) << c.name;
  }
  // Nothing but the inputs in the scratch directory: no temporaries left behind.
  EXPECT_EQ(geo::test::list_files(dir.path()).size(), 7u);
}

TEST(CliFrames, RefusesANonEmptyOutputDirectory) {
  ScratchDir dir;
  geo::test::VideoFixtureOptions o;
  o.duration_s = 1;
  const auto fx = geo::test::make_video(dir / "v.mp4", o);
  std::filesystem::create_directory(dir / "out");
  geo::test::write_bytes(dir / "out" / "keep.txt", "mine");
  const auto r = run_geoev({"frames", fx.path.string(), "-o", (dir / "out").string(), "--quiet"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not empty"), std::string::npos) << r.err;
  EXPECT_EQ(geo::test::list_files(dir / "out").size(), 1u);
  EXPECT_EQ(geo::test::read_text(dir / "out" / "keep.txt"), "mine");
}

}  // namespace
