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

TEST(CliFrames, TelemetryGivesEachFrameItsCameraState) {
  const std::filesystem::path srt = geo::test::shared("media/dji-srt/p4_rtk.SRT");
  if (!std::filesystem::exists(srt)) GTEST_SKIP() << "shared data missing";
  ScratchDir dir;
  geo::test::VideoFixtureOptions o;
  o.duration_s = 2;
  o.fps = 10;
  const auto fx = geo::test::make_video(dir / "v.mp4", o);
  const auto r = run_geoev({"frames", fx.path.string(), "-o", (dir / "out").string(), "--mode", "interval", "--every-s",
                            "1", "--telemetry", srt.string(), "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const geo::Json j = geo::read_json_file(dir / "out" / "frames.json");
  ASSERT_EQ(j["frames"].size(), 2u);
  // Entry 2 of p4_rtk.SRT (00:00:01,000): GPS (-58.851740, -34.237911, 15), H 85.83m, G.PRY (-24.4, 0.0, 110.5).
  const geo::Json& c = j["frames"][1]["camera"];
  EXPECT_NEAR(c["lat_deg"].get<double>(), -34.237911, 1e-7);
  EXPECT_NEAR(c["lon_deg"].get<double>(), -58.851740, 1e-7);
  EXPECT_NEAR(c["rel_alt_m"].get<double>(), 85.83, 1e-3);
  EXPECT_NEAR(c["heading_deg"].get<double>(), 110.5, 1e-3);
  EXPECT_NEAR(c["tilt_deg"].get<double>(), 65.6, 1e-3);
  EXPECT_EQ(c["source"], "dji-srt");
  EXPECT_NEAR(c["t_s"].get<double>(), 1.0, 1e-3);
  EXPECT_FALSE(c.contains("altitude_m"));
  EXPECT_EQ(j["telemetry"]["source"], "dji-srt");
  EXPECT_EQ(j["telemetry"]["sha256"], geo::sha256_file(srt));
  EXPECT_EQ(j["provenance"]["parameters"]["telemetry"], srt.string());
  bool in_inputs = false;
  for (const auto& in : j["provenance"]["inputs"]) in_inputs = in_inputs || in["sha256"] == geo::sha256_file(srt);
  EXPECT_TRUE(in_inputs);
}

TEST(CliFrames, BadTelemetryFailsWithOneLineAndWritesNothing) {
  ScratchDir dir;
  geo::test::VideoFixtureOptions o;
  o.duration_s = 1;
  const auto fx = geo::test::make_video(dir / "v.mp4", o);
  geo::test::write_bytes(dir / "empty.srt", "");
  geo::test::write_bytes(dir / "random.srt", geo::test::random_bytes(5000, 3));
  geo::test::write_bytes(dir / "text.srt", "hello\nworld\n");
  std::filesystem::create_directory(dir / "adir");
  const std::vector<BadCase> cases = {{"missing.srt", "no such file"}, {"adir", "is a directory"},
                                      {"empty.srt", "is empty"},       {"random.srt", "not a DJI SRT file"},
                                      {"text.srt", "not a DJI SRT file"}};
  for (const auto& c : cases) {
    const auto r = run_geoev({"frames", fx.path.string(), "-o", (dir / "out").string(), "--telemetry",
                              (dir / c.name).string(), "--quiet"});
    EXPECT_EQ(r.exit_code, 1) << c.name;
    EXPECT_EQ(lines(r.err), 1u) << c.name << ": " << r.err;
    EXPECT_NE(r.err.find("geoev frames: error: frames: --telemetry"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.name << ": " << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "out")) << c.name;
  }
  EXPECT_EQ(geo::test::list_files(dir.path()).size(), 5u);  // the video, the three SRT files and adir only
}

}  // namespace
