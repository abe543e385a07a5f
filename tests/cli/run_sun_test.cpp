// SPDX-License-Identifier: Apache-2.0
// A shadow measured in a video (`geoev sun when --case C --media VIDEO`) and `geoev run` on that video:
// the run compares the shadow's window with the capture time and says whether they agree.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "geo/core/hash.hpp"
#include "geo/core/json.hpp"
#include "support/support.hpp"
#include "support/video_fixture.hpp"

namespace {

using geo::test::run_geoev;
using geo::test::ScratchDir;
namespace fs = std::filesystem;

// Phnom Penh, the clip's container says it was recorded at 09:30 local (UTC+7) on 15 March 2025.
const std::string kAt = "11.5564,104.9282";
const std::string kDate = "2025-03-15";
const std::string kCaptureUtc = "2025-03-15T02:30:00Z";

// `geoev sun position --at 11.5564,104.9282 --time 2025-03-15T02:30:00Z`: azimuth 106.49 deg, elevation
// 48.16 deg (apparent), so a vertical pole's shadow points to 106.49 + 180 = 286.49 deg with length ratio
// 1/tan(48.16 deg) = 0.895. The tolerances (3 deg, 0.05) leave a window of about 14 minutes around it.
const std::string kShadowAzDeg = "286.5", kRatio = "0.895";
// At 16:00 local (09:00Z) the sun is at azimuth 260.54 deg, elevation 31.09 deg: shadow 80.54 deg,
// ratio 1/tan(31.09 deg) = 1.658. That shadow's window is in the afternoon, hours from the capture.
const std::string kAfternoonShadowAzDeg = "80.5", kAfternoonRatio = "1.658";

fs::path make_dated_clip(const ScratchDir& d) {
  geo::test::VideoFixtureOptions o;
  o.duration_s = 2;
  o.creation_time = kCaptureUtc;
  const fs::path p = d / "clip.mp4";
  geo::test::make_video(p, o);
  return p;
}

geo::Json run_json(const fs::path& video, const fs::path& kase) {
  const auto r = run_geoev({"run", video.string(), "--case", kase.string(), "--quiet", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto doc = geo::Json::parse(r.out);
  EXPECT_EQ(doc["videos"].size(), 1u) << r.out;
  return doc["videos"][0];
}

geo::test::CliResult sun_when(const std::string& az, const std::string& ratio, const fs::path& kase,
                              const std::string& media) {
  return run_geoev({"sun", "when", "--at", kAt, "--date", kDate, "--shadow-azimuth-deg", az, "--azimuth-tol-deg", "3",
                    "--length-ratio", ratio, "--ratio-tol", "0.05", "--case", kase.string(), "--media", media,
                    "--quiet", "--json"});
}

geo::Json observations_of(const fs::path& kase, const std::string& kind) {
  const auto r = run_geoev({"observations", "list", "--case", kase.string(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  geo::Json out = geo::Json::array();
  for (const auto& ob : geo::Json::parse(r.out))
    if (ob["kind"] == kind) out.push_back(ob);
  return out;
}

TEST(RunSun, TheNumbersOfTheseTestsAreTheSunsAtTheCaptureTime) {
  const auto r = run_geoev({"sun", "position", "--at", kAt, "--time", kCaptureUtc, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = geo::Json::parse(r.out);
  EXPECT_NEAR(j["shadow_azimuth_deg"].get<double>(), std::stod(kShadowAzDeg), 0.1);
  EXPECT_NEAR(j["shadow_length_ratio"].get<double>(), std::stod(kRatio), 0.005);
  const auto pm =
      geo::Json::parse(run_geoev({"sun", "position", "--at", kAt, "--time", "2025-03-15T09:00:00Z", "--json"}).out);
  EXPECT_NEAR(pm["shadow_azimuth_deg"].get<double>(), std::stod(kAfternoonShadowAzDeg), 0.1);
  EXPECT_NEAR(pm["shadow_length_ratio"].get<double>(), std::stod(kAfternoonRatio), 0.01);
}

TEST(RunSun, AShadowThatFitsTheCaptureTimeAgrees) {
  ScratchDir d;
  const fs::path video = make_dated_clip(d);
  const std::string sha_before = geo::sha256_file(video);
  const fs::path kase = d / "case";
  const auto first = run_json(video, kase);
  EXPECT_EQ(first["status"], "not_located");  // no area given: fine, the time is what matters here
  EXPECT_EQ(first["sun_checks"].size(), 0u);
  EXPECT_EQ(first["sha256"], sha_before);

  const auto w = sun_when(kShadowAzDeg, kRatio, kase, video.string());
  ASSERT_EQ(w.exit_code, 0) << w.err;
  const auto windows = geo::Json::parse(w.out)["windows"];
  ASSERT_EQ(windows.size(), 1u) << w.out;
  // The window holds the capture time and is under half an hour long (the tolerances above).
  EXPECT_LE(windows[0]["start_utc"].get<std::string>(), kCaptureUtc);
  EXPECT_GE(windows[0]["end_utc"].get<std::string>(), kCaptureUtc);
  EXPECT_LT(windows[0]["duration_min"].get<double>(), 30.0);
  const auto shadows = observations_of(kase, "sun_shadow");
  ASSERT_EQ(shadows.size(), 1u);
  EXPECT_EQ(shadows[0]["media_sha256"], sha_before);
  EXPECT_EQ(shadows[0]["input_sha256"], geo::Json::array({sha_before}));
  EXPECT_EQ(geo::sha256_file(video), sha_before);  // hashed, never written to

  // The second run reuses the video's stages but reads the case's observations at its start.
  const auto second = run_json(video, kase);
  EXPECT_TRUE(second["reused"].get<bool>()) << second["done_stages"];
  ASSERT_EQ(second["sun_checks"].size(), 1u) << second.dump(1);
  const auto& check = second["sun_checks"][0];
  EXPECT_EQ(check["verdict"], "agrees with the capture time");
  EXPECT_EQ(check["observation_id"], shadows[0]["id"]);
  for (const auto& warning : second["warnings"])
    EXPECT_EQ(warning.get<std::string>().find("shadow"), std::string::npos) << warning;
}

TEST(RunSun, AShadowOfTheAfternoonDisagreesAndWarns) {
  ScratchDir d;
  const fs::path video = make_dated_clip(d);
  const fs::path kase = d / "case";
  const auto first = run_json(video, kase);
  ASSERT_EQ(first["status"], "not_located");
  // The video named by its hash this time (upper case is read as the same hash).
  std::string sha = first["sha256"].get<std::string>();
  std::transform(sha.begin(), sha.end(), sha.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  const auto w = sun_when(kAfternoonShadowAzDeg, kAfternoonRatio, kase, sha);
  ASSERT_EQ(w.exit_code, 0) << w.err;
  const auto windows = geo::Json::parse(w.out)["windows"];
  ASSERT_FALSE(windows.empty()) << w.out;
  EXPECT_GT(windows[0]["start_utc"].get<std::string>(), "2025-03-15T08:00:00Z");  // hours after the capture

  const auto second = run_json(video, kase);
  ASSERT_EQ(second["sun_checks"].size(), 1u) << second.dump(1);
  EXPECT_EQ(second["sun_checks"][0]["verdict"], "disagrees with the capture time");
  const std::string id = std::to_string(second["sun_checks"][0]["observation_id"].get<long long>());
  const std::string expected = "the shadow (observation " + id + ") does not fit the capture time";
  bool warned = false;
  for (const auto& warning : second["warnings"]) warned |= warning.get<std::string>() == expected;
  EXPECT_TRUE(warned) << second["warnings"];
}

TEST(RunSun, MediaNeedsTheCaseAndMustBeInIt) {
  ScratchDir d;
  const fs::path video = make_dated_clip(d);
  const fs::path kase = d / "case";
  // Without --case: a usage error in one line, nothing run.
  const auto no_case = run_geoev({"sun", "when", "--at", kAt, "--date", kDate, "--shadow-azimuth-deg", kShadowAzDeg,
                                  "--media", video.string(), "--quiet"});
  EXPECT_EQ(no_case.exit_code, 2);
  EXPECT_EQ(std::count(no_case.err.begin(), no_case.err.end(), '\n'), 1) << no_case.err;
  EXPECT_NE(no_case.err.find("--case"), std::string::npos) << no_case.err;
  EXPECT_EQ(no_case.out, "");

  // A case that does not hold the video: refused in one line naming the commands that add it, nothing recorded.
  ASSERT_EQ(run_geoev({"case", "init", "--case", kase.string()}).exit_code, 0);
  const auto absent = sun_when(kShadowAzDeg, kRatio, kase, video.string());
  EXPECT_EQ(absent.exit_code, 1);
  EXPECT_EQ(std::count(absent.err.begin(), absent.err.end(), '\n'), 1) << absent.err;
  EXPECT_NE(absent.err.find("geoev case add"), std::string::npos) << absent.err;
  EXPECT_NE(absent.err.find("geoev run"), std::string::npos) << absent.err;
  EXPECT_EQ(observations_of(kase, "sun_shadow").size(), 0u);

  // Neither a file nor a hash.
  const auto bad = sun_when(kShadowAzDeg, kRatio, kase, (d / "missing.mp4").string());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("no such file"), std::string::npos) << bad.err;

  // Once the video is in the case (case add), the observation is linked to it.
  ASSERT_EQ(run_geoev({"case", "add", "--case", kase.string(), video.string()}).exit_code, 0);
  const auto ok = sun_when(kShadowAzDeg, kRatio, kase, video.string());
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const auto shadows = observations_of(kase, "sun_shadow");
  ASSERT_EQ(shadows.size(), 1u);
  EXPECT_EQ(shadows[0]["media_sha256"], geo::sha256_file(video));
}

}  // namespace
