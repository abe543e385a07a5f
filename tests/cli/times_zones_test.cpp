// SPDX-License-Identifier: Apache-2.0
// Times with their zone (docs/cli.md), through the real binary: a zoneless time refused naming --tz,
// IANA zones from the system tz database, local times in text output, DJI clocks read in the zone
// where their GPS puts the drone, telemetry that does not belong to its video, and bad input.
#include <gtest/gtest.h>

#include <algorithm>

#include "geo/core/json.hpp"
#include "support/support.hpp"

namespace {

using geo::test::run_geoev;
namespace fs = std::filesystem;

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

// probe --json prints one object for one file, an array for several.
geo::Json first(const std::string& out) {
  const auto j = geo::Json::parse(out);
  return j.is_array() ? j[0] : j;
}

bool has_diag(const geo::Json& probe, const std::string& code, const std::string& text) {
  for (const auto& d : probe["diagnostics"])
    if (d["code"] == code && d["message"].get<std::string>().find(text) != std::string::npos) return true;
  return false;
}

TEST(CliTimes, AZonelessTimeIsRefusedAndTzGivesTheZonesOffset) {
  const auto bare = run_geoev({"sun", "position", "--at", "11.5564,104.9282", "--time", "2025-03-15T09:30"});
  EXPECT_EQ(bare.exit_code, 1);
  EXPECT_EQ(lines(bare.err), 1u) << bare.err;
  EXPECT_NE(bare.err.find("has no zone"), std::string::npos) << bare.err;
  EXPECT_NE(bare.err.find("--tz"), std::string::npos) << bare.err;
  // 09:30 in Phnom Penh (UTC+7) is 02:30Z; in Yangon (UTC+6:30) 03:00Z: the sun stands elsewhere.
  const auto pp = run_geoev({"sun", "position", "--at", "11.5564,104.9282", "--time", "2025-03-15T09:30", "--tz",
                             "Asia/Phnom_Penh", "--json"});
  const auto utc = run_geoev({"sun", "position", "--at", "11.5564,104.9282", "--time", "2025-03-15T02:30:00Z", "--json"});
  ASSERT_EQ(pp.exit_code, 0) << pp.err;
  EXPECT_EQ(geo::Json::parse(pp.out)["azimuth_deg"], geo::Json::parse(utc.out)["azimuth_deg"]);
  const auto yg = run_geoev({"sun", "position", "--at", "16.78,96.17", "--time", "2025-03-15T09:30", "--tz", "Asia/Yangon", "--json"});
  ASSERT_EQ(yg.exit_code, 0) << yg.err;
  EXPECT_EQ(geo::Json::parse(yg.out)["time_utc"], "2025-03-15T03:00:00.000Z") << yg.out;
  EXPECT_EQ(geo::Json::parse(yg.out)["time_local"], "2025-03-15T09:30:00+06:30") << yg.out;
}

TEST(CliTimes, SunTimesAtPhnomPenhShowLocalTimes) {
  const auto r = run_geoev({"sun", "times", "--at", "11.5564,104.9282", "--date", "2025-03-15"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Sunrise 06:07 local (23:07Z the day before), sunset 18:10 local: NOAA's calculator gives 06:07 and 18:10.
  EXPECT_NE(r.out.find("local times in Asia/Phnom_Penh"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sunrise    2025-03-14T23:07:36Z (06:07:36 local on 2025-03-15, +07:00 Asia/Phnom_Penh)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("(18:10:55 local on 2025-03-15, +07:00 Asia/Phnom_Penh)"), std::string::npos) << r.out;
  const auto j = geo::Json::parse(run_geoev({"sun", "times", "--at", "11.5564,104.9282", "--date", "2025-03-15", "--json"}).out);
  EXPECT_EQ(j["sunrise_local"], "2025-03-15T06:07:36+07:00");
  EXPECT_EQ(j["zone"]["name"], "Asia/Phnom_Penh");
}

TEST(CliTimes, ADjiClockIsReadInTheZoneOfItsGps) {
  const fs::path srt = geo::test::shared("media/dji-srt/mavic_air2.srt");
  if (!fs::exists(srt)) GTEST_SKIP() << "shared sample missing: " << srt;
  // Barcelona, 2022-05-01 15:01:58.531 on the drone's clock: Europe/Madrid is UTC+2 (CEST) that day.
  const auto r = run_geoev({"probe", srt.string(), "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = first(r.out);
  EXPECT_EQ(j["kind"], "telemetry");
  EXPECT_EQ(j["telemetry"]["first"]["utc"], "2022-05-01T13:01:58.531Z");
  EXPECT_NE(j["telemetry"]["utc_source"].get<std::string>().find("Europe/Madrid"), std::string::npos);
  EXPECT_EQ(j["telemetry"]["summary"]["samples"], 25);
  // --tz overrides: the same clock read as UTC+7.
  const auto tz = first(run_geoev({"probe", srt.string(), "--json", "--quiet", "--tz", "+07:00"}).out);
  EXPECT_EQ(tz["telemetry"]["first"]["utc"], "2022-05-01T08:01:58.531Z");
}

TEST(CliTimes, TelemetryFromAnotherPlaceAndLengthIsFlagged) {
  const fs::path srt = geo::test::shared("media/dji-srt/mavic_air2.srt");
  const fs::path video = geo::test::shared("media/gps-video/mde_with-gps.mov");
  if (!fs::exists(srt) || !fs::exists(video)) GTEST_SKIP() << "shared samples missing";
  const auto r = run_geoev({"probe", video.string(), "--telemetry", srt.string(), "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = first(r.out);
  // The iPhone clip was filmed near Tel Aviv (32.09, 34.86), the drone flew in Barcelona: 3076 km.
  EXPECT_TRUE(has_diag(j, "telemetry.far_from_video_gps", "3076 km from the video's own GPS")) << j["diagnostics"].dump();
  EXPECT_TRUE(has_diag(j, "telemetry.duration_mismatch", "spans 0.4 s, the video lasts 4.0 s")) << j["diagnostics"].dump();
  EXPECT_TRUE(has_diag(j, "telemetry.start_mismatch", "1012 days after")) << j["diagnostics"].dump();
  EXPECT_TRUE(has_diag(j, "telemetry.used", "(given)")) << j["diagnostics"].dump();
  // The video's own telemetry-free probe has none of these.
  const auto own = first(run_geoev({"probe", video.string(), "--json", "--quiet"}).out);
  EXPECT_FALSE(has_diag(own, "telemetry.far_from_video_gps", ""));
}

TEST(CliTimes, BadZonesTimesCoordinatesAndSrtFailInOneLine) {
  geo::test::ScratchDir d;
  struct Case {
    std::vector<std::string> args;
    int exit_code;
    std::string says;
  };
  geo::test::write_bytes(d / "not.srt", "this is not a subtitle file\nat all\n");
  const std::vector<Case> cases = {
      {{"sun", "position", "--at", "11.56,104.92", "--time", "2025-03-15T09:30", "--tz", "Asia/Phnom_Pen"}, 1, "is unknown"},
      {{"sun", "position", "--at", "52.52,13.40", "--time", "2025-03-30T02:30", "--tz", "Europe/Berlin"}, 1, "does not exist in Europe/Berlin"},
      {{"sun", "position", "--at", "104.92,11.56", "--time", "2025-03-15T02:30Z"}, 1, "looks swapped"},
      {{"sun", "position", "--at", "95,11.56", "--time", "2025-03-15T02:30Z"}, 1, "outside -90..90"},
      {{"sun", "position", "--at", "11.56", "--time", "2025-03-15T02:30Z"}, 1, "only one number"},
      {{"sun", "position", "--lon", "104.92", "--time", "2025-03-15T02:30Z"}, 2, "--lon without --lat"},
      {{"probe", (d / "not.srt").string()}, 1, "not a DJI SRT file"},
      {{"events", "export", "--case", (d / "nocase").string(), "-o", (d / "x.txt").string()}, 2, "cannot tell the format"},
  };
  for (const auto& c : cases) {
    const auto r = run_geoev(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args[0] << " " << c.args[1] << ": " << r.err;
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
  }
  EXPECT_EQ(geo::test::list_files(d.path()).size(), 1u);  // nothing written but the fixture
}

}  // namespace
