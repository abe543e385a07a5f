// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/support.hpp"
#include "support/video_fixture.hpp"

namespace {
namespace fs = std::filesystem;
using geo::test::run_geoev;
using geo::test::ScratchDir;
using Json = nlohmann::ordered_json;

int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

// A failure: exit 1, exactly one line on stderr containing `needle`, nothing on stdout, nothing written.
void expect_clean_failure(const std::vector<std::string>& args, const std::string& needle, const ScratchDir& dir,
                          std::size_t files_before) {
  const auto r = run_geoev(args);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(count_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_EQ(geo::test::list_files(dir.path()).size(), files_before);
}
}  // namespace

TEST(CliProbe, JsonKeysForTheAppleSample) {
  const fs::path f = geo::test::shared("media/gps-video/mde_with-gps.mov");
  if (!fs::exists(f)) GTEST_SKIP();
  const auto r = run_geoev({"probe", f.string(), "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  for (const char* k : {"sha256", "size_bytes", "format", "duration_s", "video", "created", "location", "device",
                        "telemetry", "diagnostics", "provenance"})
    EXPECT_TRUE(j.contains(k)) << k;
  for (const char* k : {"codec", "width", "height", "fps", "rotation_deg", "frame_count"})
    EXPECT_TRUE(j["video"].contains(k)) << k;
  EXPECT_EQ(j["created"]["utc"], "2019-07-24T08:25:40Z");
  EXPECT_EQ(j["created"]["local_offset"], "+03:00");
  EXPECT_GE(j["created"]["candidates"].size(), 2u);
  EXPECT_NEAR(j["location"]["lat_deg"].get<double>(), 32.0929, 1e-7);
  EXPECT_NEAR(j["location"]["lon_deg"].get<double>(), 34.8620, 1e-7);
  EXPECT_NEAR(j["location"]["alt_m"].get<double>(), 28.516, 1e-6);
  EXPECT_EQ(j["device"]["model"], "iPhone 6");
  EXPECT_EQ(j["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(j["provenance"]["tool"], "geoev");
}

TEST(CliProbe, SeveralFilesGiveAnArray) {
  const fs::path a = geo::test::shared("media/gps-video/mde_with-gps.mov");
  const fs::path b = geo::test::shared("media/gps-video/mde_with-gps.mp4");
  if (!fs::exists(a) || !fs::exists(b)) GTEST_SKIP();
  const auto r = run_geoev({"probe", a.string(), b.string(), "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[1]["created"]["utc"], "2017-02-22T08:20:28Z");
  const auto t = run_geoev({"probe", a.string(), "--quiet"});
  EXPECT_EQ(t.exit_code, 0);
  EXPECT_NE(t.out.find("location 32.0929"), std::string::npos) << t.out;
}

TEST(CliProbe, SidecarSrtAndTrackGeojson) {
  const fs::path srt = geo::test::shared("media/dji-srt/p4_rtk.SRT");
  if (!fs::exists(srt)) GTEST_SKIP();
  ScratchDir dir;
  geo::test::VideoFixtureOptions vo;
  vo.duration_s = 1.0;
  geo::test::make_video(dir / "DJI_0001.mp4", vo);
  fs::copy_file(srt, dir / "dji_0001.srt");  // same base name, other case
  const std::string out = (dir / "track.geojson").string();
  const auto r = run_geoev({"probe", (dir / "DJI_0001.mp4").string(), "--json", "--quiet", "--track", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["telemetry"]["source"], "dji-srt");
  EXPECT_NEAR(j["telemetry"]["first"]["lat_deg"].get<double>(), -34.237922, 1e-7);
  EXPECT_NEAR(j["telemetry"]["first"]["gimbal_pitch_deg"].get<double>(), -24.4, 1e-9);
  const Json g = Json::parse(geo::test::read_text(out));
  EXPECT_EQ(g["type"], "FeatureCollection");
  ASSERT_GE(g["features"].size(), 2u);
  EXPECT_EQ(g["features"][0]["geometry"]["type"], "LineString");
  // RFC 7946: [lon, lat]
  EXPECT_NEAR(g["features"][0]["geometry"]["coordinates"][0][0].get<double>(), -58.851745, 1e-7);
  EXPECT_NEAR(g["features"][0]["geometry"]["coordinates"][0][1].get<double>(), -34.237922, 1e-7);
  EXPECT_EQ(g["features"][1]["geometry"]["type"], "Point");
  EXPECT_TRUE(g["features"][1]["properties"].contains("t_s"));
  EXPECT_TRUE(g.contains("provenance"));
}

TEST(CliProbe, ExplicitSrtOverridesAndAudioOnlyIsReported) {
  ScratchDir dir;
  geo::test::make_audio_only(dir / "voice.m4a", 1.0);
  const auto r = run_geoev({"probe", (dir / "voice.m4a").string(), "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  EXPECT_EQ(j["kind"], "audio");
  EXPECT_TRUE(j["video"].is_null());
  EXPECT_NEAR(j["duration_s"].get<double>(), 1.0, 0.1);
}

TEST(CliProbe, BadInputsFailCleanly) {
  ScratchDir dir;
  geo::test::write_bytes(dir / "empty.mp4", "");
  geo::test::write_bytes(dir / "noise.mp4", geo::test::random_bytes(200000, 11));
  geo::test::write_bytes(dir / "bad.srt", "this is not\na subtitle file\n");
  fs::create_directory(dir / "adir");
  const fs::path real = geo::test::shared("media/gopro-gpmf/karma.mp4");
  const bool have_real = fs::exists(real);
  if (have_real) geo::test::truncate_copy(real, dir / "cut.mp4", 0.5);
  geo::test::VideoFixtureOptions vo;
  vo.duration_s = 1.0;
  geo::test::make_video(dir / "ok.mp4", vo);
  const std::size_t n = geo::test::list_files(dir.path()).size();
  const std::string track = (dir / "t.geojson").string();
  expect_clean_failure({"probe", (dir / "missing.mp4").string(), "--track", track}, "no such file", dir, n);
  expect_clean_failure({"probe", (dir / "adir").string()}, "directory", dir, n);
  expect_clean_failure({"probe", (dir / "empty.mp4").string(), "--json"}, "empty", dir, n);
  expect_clean_failure({"probe", (dir / "noise.mp4").string(), "--json"}, "noise.mp4", dir, n);
  if (have_real) expect_clean_failure({"probe", (dir / "cut.mp4").string(), "--json"}, "cut.mp4", dir, n);
  expect_clean_failure({"probe", (dir / "ok.mp4").string(), "--telemetry", (dir / "bad.srt").string(), "--track", track},
                       "not a DJI SRT", dir, n);
  // --track without any telemetry writes nothing.
  expect_clean_failure({"probe", (dir / "ok.mp4").string(), "--track", track}, "no telemetry", dir, n);
}

TEST(CliProbe, ATruncatedPhotoKeepsItsMetadataAndSaysItIsCut) {
  const fs::path real = geo::test::shared("media/gps-photo/exiftool_GPS.jpg");
  if (!fs::exists(real)) GTEST_SKIP();
  ScratchDir dir;
  geo::test::truncate_copy(real, dir / "cut.jpg", 0.95);  // exiv2 needs the header whole
  auto r = run_geoev({"probe", (dir / "cut.jpg").string(), "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json cut = Json::parse(r.out);
  EXPECT_NE(cut["diagnostics"].dump().find("image.truncated"), std::string::npos) << cut["diagnostics"].dump();
  r = run_geoev({"probe", real.string(), "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json whole = Json::parse(r.out);
  EXPECT_EQ(whole["diagnostics"].dump().find("image.truncated"), std::string::npos);
  // The header, and so the GPS position, survived the cut.
  ASSERT_FALSE(whole["location"].is_null());
  ASSERT_FALSE(cut["location"].is_null());
  EXPECT_DOUBLE_EQ(cut["location"]["lat_deg"].get<double>(), whole["location"]["lat_deg"].get<double>());
}
