// SPDX-License-Identifier: Apache-2.0
// The per-frame camera state frames.json carries from telemetry: interpolation rules on hand-built tracks,
// the focal-length conversion against its definition and DJI's published FOV, real DJI SRT files (values
// read back from the SRT text by the test itself) and GoPro Karma GPMF (values from exiftool).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>

#include "geo/core/error.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/json.hpp"
#include "geo/media/frames.hpp"
#include "support/support.hpp"
#include "support/video_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using geo::CameraTrack;
using geo::FrameExtractOptions;
using geo::FrameMode;
using geo::TelemetrySample;
using geo::test::ScratchDir;

constexpr double kDeg = M_PI / 180.0;
constexpr double kLatLonTol = 1e-7;  // about 1 cm
constexpr double kAngleTol = 1e-3;   // degrees
constexpr double kHeightTol = 1e-3;  // metres

TelemetrySample sample(double t, double lat, double lon, std::optional<double> yaw = {}, bool locked = true) {
  TelemetrySample s;
  s.t_s = t;
  s.point.lat_deg = lat;
  s.point.lon_deg = lon;
  s.gimbal_yaw_deg = yaw;
  s.locked = locked;
  return s;
}

CameraTrack track_of(std::vector<TelemetrySample> samples) {
  geo::TelemetryTrack t;
  t.source = "dji-srt";
  t.file = "hand.srt";
  t.samples = std::move(samples);
  geo::Diagnostics d;
  return geo::make_camera_track(t, "", "00", d);
}

double angle_diff(double a, double b) { return std::abs(std::remainder(a - b, 360.0)); }

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string run_capture(const std::string& cmd) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> p(::popen(cmd.c_str(), "r"), ::pclose);
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p.get())) > 0) out.append(buf, n);
  return out;
}

// ---- interpolation rules on hand-built tracks ------------------------------------------------------

TEST(FrameCamera, InterpolatesLinearlyBetweenNeighbours) {
  const CameraTrack tr = track_of({sample(0, 10.0, 20.0, 30), sample(1, 10.001, 20.002, 50), sample(2, 10.003, 20.0, 70)});
  auto c = geo::camera_at(tr, 0.25, 1920, 1080);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->interpolated);
  EXPECT_NEAR(c->t_s, 0.25, 1e-9);
  EXPECT_NEAR(c->lat_deg, 10.00025, kLatLonTol);
  EXPECT_NEAR(c->lon_deg, 20.0005, kLatLonTol);
  EXPECT_NEAR(*c->heading_deg, 35.0, kAngleTol);
  c = geo::camera_at(tr, 1.0, 1920, 1080);  // exactly on a sample
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->interpolated);
  EXPECT_NEAR(c->lat_deg, 10.001, kLatLonTol);
  EXPECT_NEAR(*c->heading_deg, 50.0, kAngleTol);
}

TEST(FrameCamera, HeadingTakesTheShorterArcAcrossNorth) {
  const CameraTrack tr = track_of({sample(0, 1, 1, 350), sample(1, 1, 1, 10), sample(2, 1, 1, -170)});
  EXPECT_NEAR(angle_diff(*geo::camera_at(tr, 0.5, 100, 100)->heading_deg, 0.0), 0.0, kAngleTol);
  EXPECT_NEAR(*geo::camera_at(tr, 0.25, 100, 100)->heading_deg, 355.0, kAngleTol);
  // A yaw written as -170 comes out as 190: headings are in [0, 360).
  EXPECT_NEAR(*geo::camera_at(tr, 2.0, 100, 100)->heading_deg, 190.0, kAngleTol);
}

TEST(FrameCamera, AntimeridianLongitudeStaysInRange) {
  const CameraTrack tr = track_of({sample(0, 0, 179.9998), sample(1, 0, -179.9998)});
  const auto c = geo::camera_at(tr, 0.25, 100, 100);
  ASSERT_TRUE(c);
  EXPECT_NEAR(c->lon_deg, 179.9999, kLatLonTol);
}

TEST(FrameCamera, NoExtrapolationBeyondOneSecondAndUnlockedSkipped) {
  const CameraTrack tr = track_of({sample(0.5, 0, 0, {}, false), sample(2, 5, 5), sample(3, 6, 6), sample(4, 6.5, 6.5, {}, false),
                                   sample(9, 7, 7)});
  EXPECT_EQ(tr.locked.size(), 3u);
  EXPECT_EQ(tr.samples, 5u);
  EXPECT_FALSE(geo::camera_at(tr, 0.5, 100, 100));  // only an unlocked sample there
  auto c = geo::camera_at(tr, 1.2, 100, 100);         // 0.8 s before the first locked sample
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->interpolated);
  EXPECT_NEAR(c->t_s, 2.0, 1e-9);
  EXPECT_NEAR(c->lat_deg, 5.0, kLatLonTol);
  EXPECT_FALSE(geo::camera_at(tr, 0.9, 100, 100));   // 1.1 s before
  EXPECT_FALSE(geo::camera_at(tr, 10.2, 100, 100));  // 1.2 s after the last
  ASSERT_TRUE(geo::camera_at(tr, 9.8, 100, 100));
  // 3 -> 9 is a 6 s gap (the unlocked sample at 4 is skipped): near its ends the nearer sample, not a
  // straight line across it; in its middle nothing.
  c = geo::camera_at(tr, 3.5, 100, 100);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->interpolated);
  EXPECT_NEAR(c->lat_deg, 6.0, kLatLonTol);
  EXPECT_FALSE(geo::camera_at(tr, 6.0, 100, 100));
  c = geo::camera_at(tr, 8.5, 100, 100);
  ASSERT_TRUE(c);
  EXPECT_NEAR(c->lat_deg, 7.0, kLatLonTol);
}

// ---- focal length -> horizontal field of view -----------------------------------------------------

TEST(FrameCamera, HfovFromFocalFollowsTheDiagonalConvention) {
  // A 3:2 picture is a 36 x 24 mm frame: the horizontal FOV is 2 atan(18 / f) by definition.
  for (double f : {14.0, 24.0, 50.0, 166.0})
    EXPECT_NEAR(geo::hfov_from_focal_35mm(f, 3000, 2000), 2 * std::atan(18.0 / f) / kDeg, 1e-9) << f;
  // DJI publishes "FOV 84 deg" (diagonal) for the 24 mm-equivalent cameras of the Air 2 and Mavic 3
  // (4:3 photos): the diagonal FOV of our 4:3 result must be 84 deg.
  const double h = geo::hfov_from_focal_35mm(24.0, 4000, 3000);
  const double diag = 2 * std::atan(std::tan(h * kDeg / 2) * 5.0 / 4.0) / kDeg;
  EXPECT_NEAR(diag, 84.0, 0.5);
  // The same lens on a 16:9 frame: its diagonal still spans 43.27 mm, so it is wider than the 4:3 one.
  EXPECT_NEAR(geo::hfov_from_focal_35mm(24.0, 1920, 1080), 2 * std::atan(21.6333 * 16 / std::hypot(16, 9) / 24) / kDeg,
              1e-3);
  // Upright portrait frames: the horizontal side is the short one.
  EXPECT_LT(geo::hfov_from_focal_35mm(24.0, 1080, 1920), geo::hfov_from_focal_35mm(24.0, 1920, 1080));
  EXPECT_THROW(geo::hfov_from_focal_35mm(0, 10, 10), geo::Error);
}

TEST(FrameCamera, FocalLengthDialectsOfDjiSrt) {
  geo::TelemetryTrack t;
  t.source = "dji-srt";
  t.file = "x.srt";
  t.samples = {sample(0, 1, 1)};
  auto focal_of = [&](const std::string& body, geo::Diagnostics& d) {
    const std::string text = "1\n00:00:00,000 --> 00:00:00,033\n" + body + "\n";
    const CameraTrack c = geo::make_camera_track(t, text, "00", d);
    return c.focal_35mm_mm.empty() ? std::optional<double>() : std::optional<double>(c.focal_35mm_mm[0].second);
  };
  geo::Diagnostics d;
  EXPECT_EQ(focal_of("[fnum : 280] [ev : 0] [focal_len : 240] [latitude: 1]", d), 24.0);       // Air 2: tenths
  EXPECT_EQ(focal_of("[fnum: 2.8] [ev: 0] [focal_len: 24.00] [latitude: 1]", d), 24.0);        // Mavic 3: mm
  EXPECT_EQ(focal_of("[fnum : 280] [focal_len : 1660] [latitude: 1]", d), 166.0);              // a tele camera
  EXPECT_TRUE(d.empty());
  EXPECT_FALSE(focal_of("[focal_len : 240] [latitude: 1]", d));  // no f-number to tell the unit
  EXPECT_TRUE(d.has("frames.focal_ambiguous"));
  EXPECT_FALSE(focal_of("[fnum: 2.8] [focal_len: 2.00]", d));
  EXPECT_TRUE(d.has("frames.focal_out_of_range"));
}

// ---- real DJI SRT files through extract_frames ----------------------------------------------------

struct SrtEntry {
  double t_s = 0;
  std::map<std::string, double> v;
};

// Reads the SRT text with regular expressions of the test's own (independent of the library's parser).
std::vector<SrtEntry> read_entries(const fs::path& p) {
  const std::string text = slurp(p);
  std::vector<SrtEntry> out;
  const std::regex cue(R"((\d+):(\d+):(\d+),(\d+) -->)");
  const std::vector<std::pair<std::string, std::regex>> fields = {
      {"gps", std::regex(R"(GPS \(([-\d.]+), ([-\d.]+))")},
      {"lat", std::regex(R"(\[latitude: ?([-\d.]+)\])")},
      {"lon", std::regex(R"(\[longitude: ?([-\d.]+)\])")},
      {"altitude", std::regex(R"(\[altitude: ?([-\d.]+)\])")},
      {"rel_alt", std::regex(R"(rel_alt: ?([-\d.]+))")},
      {"abs_alt", std::regex(R"(abs_alt: ?([-\d.]+))")},
      {"H", std::regex(R"(, H ([-\d.]+)m)")},
      {"gpry", std::regex("G\\.PRY \\(([-\\d.]+)\xC2\xB0, ([-\\d.]+)\xC2\xB0, ([-\\d.]+)\xC2\xB0\\)")},
  };
  auto begin = std::sregex_iterator(text.begin(), text.end(), cue);
  std::vector<std::pair<std::size_t, double>> cues;
  for (auto it = begin; it != std::sregex_iterator(); ++it)
    cues.emplace_back(static_cast<std::size_t>(it->position()),
                      std::stoi((*it)[1]) * 3600.0 + std::stoi((*it)[2]) * 60.0 + std::stoi((*it)[3]) + std::stoi((*it)[4]) / 1000.0);
  for (std::size_t i = 0; i < cues.size(); ++i) {
    const std::size_t end = i + 1 < cues.size() ? cues[i + 1].first : text.size();
    const std::string body = text.substr(cues[i].first, end - cues[i].first);
    SrtEntry e;
    e.t_s = cues[i].second;
    std::smatch m;
    for (const auto& [name, re] : fields) {
      if (!std::regex_search(body, m, re)) continue;
      if (name == "gps") {
        e.v["lon"] = std::stod(m[1]);
        e.v["lat"] = std::stod(m[2]);
      } else if (name == "gpry") {
        e.v["gimbal_pitch"] = std::stod(m[1]);
        e.v["gimbal_yaw"] = std::stod(m[3]);
      } else {
        e.v[name] = std::stod(m[1]);
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

// The value of `key` at time t, linearly between the two entries around t (entries sorted by time).
double expected_at(const std::vector<SrtEntry>& es, const std::string& key, double t) {
  for (std::size_t i = 0; i + 1 < es.size(); ++i)
    if (es[i].t_s <= t && t <= es[i + 1].t_s) {
      const double w = (t - es[i].t_s) / (es[i + 1].t_s - es[i].t_s);
      return es[i].v.at(key) + w * (es[i + 1].v.at(key) - es[i].v.at(key));
    }
  ADD_FAILURE() << "t " << t << " outside the SRT";
  return NAN;
}

geo::FrameExtractResult frames_with_srt(const ScratchDir& dir, const fs::path& srt, double duration_s, double every_s,
                                        int width = 320, int height = 180) {
  geo::test::VideoFixtureOptions o;
  o.width = width;
  o.height = height;
  o.fps = 30;
  o.duration_s = duration_s;
  o.gop = 30;
  const auto fx = geo::test::make_video(dir / "clip.mp4", o);
  FrameExtractOptions opts;
  opts.mode = FrameMode::interval;
  opts.every_s = every_s;
  opts.telemetry = srt;
  return geo::extract_frames(fx.path, dir / "out", opts);
}

TEST(FrameCameraSrt, P4RtkGimbalAnglesAndHeightFromTheText) {
  const fs::path srt = geo::test::shared("media/dji-srt/p4_rtk.SRT");
  if (!fs::exists(srt)) GTEST_SKIP() << "shared data missing";
  const auto entries = read_entries(srt);
  ASSERT_GT(entries.size(), 10u);
  ScratchDir dir;
  const auto r = frames_with_srt(dir, srt, 6.0, 0.7);
  ASSERT_TRUE(r.telemetry);
  EXPECT_EQ(r.telemetry->source, "dji-srt");
  EXPECT_EQ(r.telemetry->sha256, geo::sha256_file(srt));
  EXPECT_EQ(r.telemetry->samples, entries.size());
  ASSERT_GE(r.frames.size(), 8u);
  int interpolated = 0;
  for (const auto& f : r.frames) {
    ASSERT_TRUE(f.camera) << f.offset_s;
    const auto& c = *f.camera;
    const double t = f.offset_s;
    EXPECT_EQ(c.source, "dji-srt");
    EXPECT_NEAR(c.lat_deg, expected_at(entries, "lat", t), kLatLonTol) << t;
    EXPECT_NEAR(c.lon_deg, expected_at(entries, "lon", t), kLatLonTol) << t;
    ASSERT_TRUE(c.rel_alt_m && c.heading_deg && c.tilt_deg);
    EXPECT_NEAR(*c.rel_alt_m, expected_at(entries, "H", t), kHeightTol) << t;
    EXPECT_NEAR(*c.heading_deg, expected_at(entries, "gimbal_yaw", t), kAngleTol) << t;  // 110-111 deg: no wrap
    EXPECT_NEAR(*c.tilt_deg, 90.0 + expected_at(entries, "gimbal_pitch", t), kAngleTol) << t;
    EXPECT_FALSE(c.altitude_m);  // "GPS (lon, lat, 15)": the 15 is not an altitude
    EXPECT_FALSE(c.hfov_deg);    // no focal length in this dialect
    interpolated += c.interpolated;
  }
  EXPECT_GE(interpolated, 6);
  // The SRT parser already drops the unit-less third GPS value and says so.
  EXPECT_TRUE(r.diagnostics.has("srt.gps_third_value_ignored") || r.diagnostics.has("frames.telemetry_altitude_unused"));
  // The first entry states gimbal pitch -24.4: an oblique camera, 65.6 deg from nadir.
  EXPECT_NEAR(*r.frames[0].camera->tilt_deg, 65.6, 1e-6);
  // frames.json: the camera object and the telemetry block, the SRT among the provenance inputs.
  const geo::Json j = geo::read_json_file(dir / "out" / "frames.json");
  EXPECT_EQ(j["telemetry"]["sha256"], geo::sha256_file(srt));
  EXPECT_EQ(j["telemetry"]["file"], srt.string());
  EXPECT_EQ(j["telemetry"]["samples"], entries.size());
  const auto& cam = j["frames"][1]["camera"];
  for (const char* k : {"lat_deg", "lon_deg", "rel_alt_m", "heading_deg", "tilt_deg", "source", "t_s", "interpolated"})
    EXPECT_TRUE(cam.contains(k)) << k;
  EXPECT_FALSE(cam.contains("altitude_m"));
  EXPECT_FALSE(cam.contains("hfov_deg"));
  bool in_inputs = false;
  for (const auto& in : j["provenance"]["inputs"]) in_inputs = in_inputs || in["sha256"] == geo::sha256_file(srt);
  EXPECT_TRUE(in_inputs);
}

TEST(FrameCameraSrt, MavicAir2AltitudeAndFieldOfView) {
  const fs::path srt = geo::test::shared("media/dji-srt/mavic_air2.srt");
  if (!fs::exists(srt)) GTEST_SKIP() << "shared data missing";
  const auto entries = read_entries(srt);
  ASSERT_EQ(entries.size(), 25u);
  ScratchDir dir;
  const auto r = frames_with_srt(dir, srt, 0.4, 0.1);  // the SRT covers 0.4 s (25 entries at ~60 Hz)
  ASSERT_GE(r.frames.size(), 4u);
  // "[focal_len : 240]" with "[fnum : 280]" is 24.0 mm; a 320x180 (16:9) frame's diagonal spans 43.27 mm.
  const double want_hfov = 2 * std::atan(std::hypot(36.0, 24.0) / 2 * 320 / std::hypot(320.0, 180.0) / 24.0) / kDeg;
  for (const auto& f : r.frames) {
    ASSERT_TRUE(f.camera);
    const auto& c = *f.camera;
    EXPECT_NEAR(c.lat_deg, expected_at(entries, "lat", f.offset_s), kLatLonTol);
    EXPECT_NEAR(c.lon_deg, expected_at(entries, "lon", f.offset_s), kLatLonTol);
    ASSERT_TRUE(c.altitude_m);
    EXPECT_NEAR(*c.altitude_m, expected_at(entries, "altitude", f.offset_s), kHeightTol);
    EXPECT_EQ(c.altitude_ref, "unknown");
    ASSERT_TRUE(c.hfov_deg);
    EXPECT_NEAR(*c.hfov_deg, want_hfov, 0.01);
    EXPECT_FALSE(c.heading_deg);
    EXPECT_FALSE(c.tilt_deg);
  }
  EXPECT_NEAR(want_hfov, 76.31, 0.01);
}

TEST(FrameCameraSrt, Mavic3RelativeAndAbsoluteAltitudeAndDurationMismatch) {
  const fs::path srt = geo::test::shared("media/dji-srt/MAVIC3.srt");
  if (!fs::exists(srt)) GTEST_SKIP() << "shared data missing";
  const auto entries = read_entries(srt);
  ScratchDir dir;
  // A 2 s video with a 246 s SRT: the values still come out, with a warning that the lengths differ.
  const auto r = frames_with_srt(dir, srt, 2.0, 0.5, 320, 240);
  ASSERT_GE(r.frames.size(), 4u);
  EXPECT_TRUE(r.diagnostics.has("frames.telemetry_duration_mismatch"));
  const double want_hfov = 2 * std::atan(std::hypot(36.0, 24.0) / 2 * 0.8 / 24.0) / kDeg;  // 24.00 mm, 4:3
  for (const auto& f : r.frames) {
    ASSERT_TRUE(f.camera);
    EXPECT_NEAR(*f.camera->rel_alt_m, expected_at(entries, "rel_alt", f.offset_s), kHeightTol);
    EXPECT_NEAR(*f.camera->altitude_m, expected_at(entries, "abs_alt", f.offset_s), kHeightTol);
    EXPECT_NEAR(*f.camera->hfov_deg, want_hfov, 0.01);
  }
}

// A hand-written SRT at 1 s steps: exact values between entries, a yaw across north, a sample before
// GPS lock, and frames more than 1 s past the track's end get no camera.
TEST(FrameCameraSrt, HandWrittenSidecarIsPickedUpAndNeverModified) {
  ScratchDir dir;
  const std::string srt =
      "1\n00:00:00,000 --> 00:00:01,000\n"
      "F/2.8, SS 100, ISO 100, EV 0, GPS (0.000000, 0.000000, 0), D 0.00m, H 0.00m, H.S 0.00m/s, V.S 0.00m/s, "
      "F.PRY (0.0\xC2\xB0, 0.0\xC2\xB0, 0.0\xC2\xB0), G.PRY (-90.0\xC2\xB0, 0.0\xC2\xB0, 0.0\xC2\xB0)\n\n"
      "2\n00:00:01,000 --> 00:00:02,000\n"
      "F/2.8, SS 100, ISO 100, EV 0, GPS (104.900000, 11.550000, 12), D 10.00m, H 100.00m, H.S 0.00m/s, V.S 0.00m/s, "
      "F.PRY (0.0\xC2\xB0, 0.0\xC2\xB0, 340.0\xC2\xB0), G.PRY (-90.0\xC2\xB0, 0.0\xC2\xB0, 350.0\xC2\xB0)\n\n"
      "3\n00:00:02,000 --> 00:00:03,000\n"
      "F/2.8, SS 100, ISO 100, EV 0, GPS (104.901000, 11.552000, 12), D 20.00m, H 120.00m, H.S 0.00m/s, V.S 0.00m/s, "
      "F.PRY (0.0\xC2\xB0, 0.0\xC2\xB0, 20.0\xC2\xB0), G.PRY (-30.0\xC2\xB0, 0.0\xC2\xB0, 30.0\xC2\xB0)\n\n";
  geo::test::write_bytes(dir / "clip.SRT", srt);
  const auto before = fs::last_write_time(dir / "clip.SRT");
  geo::test::VideoFixtureOptions o;
  o.width = 160;
  o.height = 120;
  o.fps = 10;
  o.duration_s = 4.5;
  o.start_s = 1.0;  // the SRT's 00:00:00 is the first frame, whatever its PTS: matched by offset_s
  const auto fx = geo::test::make_video(dir / "clip.mkv", o);
  FrameExtractOptions opts;
  opts.mode = FrameMode::interval;
  opts.every_s = 0.5;
  const auto r = geo::extract_frames(fx.path, dir / "out", opts);
  EXPECT_TRUE(r.diagnostics.has("frames.telemetry_sidecar"));
  EXPECT_TRUE(r.diagnostics.has("gps.no_lock"));
  EXPECT_TRUE(r.diagnostics.has("frames.camera_missing"));
  EXPECT_EQ(geo::test::read_text(dir / "clip.SRT"), srt);
  EXPECT_EQ(fs::last_write_time(dir / "clip.SRT"), before);
  ASSERT_EQ(r.frames.size(), 9u);  // 0, 0.5, ... 4.0
  EXPECT_NEAR(r.frames[0].pts_s, 1.0, 1e-3);
  std::map<int, const geo::FrameRecord*> at;  // by offset in tenths of a second
  for (const auto& f : r.frames) at[static_cast<int>(std::lround(f.offset_s * 10))] = &f;
  // 0.0 s: the unlocked sample is skipped; the locked one at 1 s is within reach.
  ASSERT_TRUE(at[0]->camera);
  EXPECT_FALSE(at[0]->camera->interpolated);
  EXPECT_NEAR(at[0]->camera->t_s, 1.0, 1e-9);
  EXPECT_NEAR(at[0]->camera->lat_deg, 11.55, kLatLonTol);
  // 1.5 s: half way between entries 2 and 3.
  const auto& c = *at[15]->camera;
  EXPECT_TRUE(c.interpolated);
  EXPECT_NEAR(c.lat_deg, 11.551, kLatLonTol);
  EXPECT_NEAR(c.lon_deg, 104.9005, kLatLonTol);
  EXPECT_NEAR(*c.rel_alt_m, 110.0, kHeightTol);
  EXPECT_NEAR(*c.heading_deg, 10.0, kAngleTol);   // 350 -> 30 through north, gimbal yaw preferred
  EXPECT_NEAR(*c.tilt_deg, 30.0, kAngleTol);      // pitch -90 -> -30: -60, i.e. 30 deg from nadir
  EXPECT_NEAR(*at[10]->camera->tilt_deg, 0.0, kAngleTol);  // straight down
  // 2.5 s: 0.5 s after the last sample, within reach; 3.5 s and later (more than 1 s after): none.
  ASSERT_TRUE(at[25]->camera);
  EXPECT_FALSE(at[25]->camera->interpolated);
  EXPECT_NEAR(at[25]->camera->lat_deg, 11.552, kLatLonTol);
  EXPECT_FALSE(at[35]->camera);
  EXPECT_FALSE(at[40]->camera);
  const geo::Json j = geo::read_json_file(dir / "out" / "frames.json");
  EXPECT_FALSE(j["frames"][8].contains("camera"));
  EXPECT_EQ(j["telemetry"]["file"], (dir / "clip.SRT").string());
}

TEST(FrameCameraSrt, ExplicitTelemetryThatDoesNotParseWritesNothing) {
  ScratchDir dir;
  geo::test::VideoFixtureOptions o;
  o.duration_s = 0.5;
  const auto fx = geo::test::make_video(dir / "clip.mp4", o);
  geo::test::write_bytes(dir / "bad.srt", "this is not a subtitle file\nat all\n");
  FrameExtractOptions opts;
  opts.telemetry = dir / "bad.srt";
  try {
    geo::extract_frames(fx.path, dir / "out", opts);
    FAIL() << "no error";
  } catch (const geo::Error& e) {
    EXPECT_EQ(e.code(), geo::Errc::corrupt_data);
    EXPECT_NE(std::string(e.what()).find("bad.srt"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "out"));
  opts.telemetry = dir / "missing.srt";
  EXPECT_THROW(geo::extract_frames(fx.path, dir / "out", opts), geo::Error);
  EXPECT_FALSE(fs::exists(dir / "out"));
  // A sidecar that does not parse is not fatal: the frames come out without camera state.
  geo::test::write_bytes(dir / "clip.srt", "garbage\n");
  opts.telemetry.reset();
  const auto r = geo::extract_frames(fx.path, dir / "out", opts);
  EXPECT_TRUE(r.diagnostics.has("frames.telemetry_sidecar_unreadable"));
  EXPECT_FALSE(r.telemetry);
  for (const auto& f : r.frames) EXPECT_FALSE(f.camera);
}

// ---- GoPro GPMF against exiftool --------------------------------------------------------------------

// exiftool's GPS records of a GoPro file: {t, lat, lon, alt}. Per payload (Doc): its start, duration and
// records; record i of n is timed start + i/n * duration (the convention of parse_gpmf_payload). Empty
// when exiftool is missing.
std::vector<std::array<double, 4>> exiftool_gps(const fs::path& mp4, const std::string& suffix) {
  const std::string lat = "GPSLatitude" + suffix, lon = "GPSLongitude" + suffix, alt = "GPSAltitude" + suffix;
  const std::string out = run_capture("exiftool -ee -u -n -G3 -s -a -SampleTime -SampleDuration -" + lat + " -" + lon +
                                      " -" + alt + " '" + mp4.string() + "' 2>/dev/null");
  struct Doc {
    double t0 = 0, dur = 0;
    std::vector<double> lat, lon, alt;
  };
  std::map<int, Doc> docs;
  const std::regex line(R"(\[Doc(\d+)\]\s+(\w+)\s+:\s+([-\d.]+))");
  std::istringstream in(out);
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (!std::regex_search(l, m, line)) continue;
    Doc& d = docs[std::stoi(m[1])];
    const double v = std::stod(m[3]);
    if (m[2] == "SampleTime") d.t0 = v;
    else if (m[2] == "SampleDuration") d.dur = v;
    else if (m[2] == lat) d.lat.push_back(v);
    else if (m[2] == lon) d.lon.push_back(v);
    else if (m[2] == alt) d.alt.push_back(v);
  }
  std::vector<std::array<double, 4>> truth;
  for (const auto& [n, d] : docs)
    for (std::size_t i = 0; i < d.lat.size() && i < d.lon.size() && i < d.alt.size(); ++i)
      truth.push_back({d.t0 + d.dur * static_cast<double>(i) / static_cast<double>(d.lat.size()), d.lat[i], d.lon[i],
                       d.alt[i]});
  return truth;
}

// Every keyframe's camera against exiftool's records interpolated at the frame's time.
void check_against(const fs::path& mp4, const std::vector<std::array<double, 4>>& truth, const std::string& ref) {
  ScratchDir dir;
  FrameExtractOptions opts;
  opts.mode = FrameMode::keyframes;
  const auto r = geo::extract_frames(mp4, dir / "out", opts);
  ASSERT_TRUE(r.telemetry);
  EXPECT_EQ(r.telemetry->source, "gopro-gpmf");
  EXPECT_EQ(r.telemetry->sha256, r.video_sha256);
  ASSERT_GE(r.frames.size(), 3u);
  for (const auto& f : r.frames) {
    ASSERT_TRUE(f.camera) << f.offset_s;
    const double t = f.offset_s;
    std::size_t i = 0;
    while (i + 2 < truth.size() && truth[i + 1][0] < t) ++i;
    const double w = std::clamp((t - truth[i][0]) / (truth[i + 1][0] - truth[i][0]), 0.0, 1.0);
    auto want = [&](int k) { return truth[i][k] + w * (truth[i + 1][k] - truth[i][k]); };
    EXPECT_NEAR(f.camera->lat_deg, want(1), 1e-6) << t;
    EXPECT_NEAR(f.camera->lon_deg, want(2), 1e-6) << t;
    ASSERT_TRUE(f.camera->altitude_m);
    EXPECT_NEAR(*f.camera->altitude_m, want(3), 0.01) << t;
    EXPECT_EQ(f.camera->altitude_ref, ref);
    EXPECT_EQ(f.camera->source, "gopro-gpmf");
    EXPECT_FALSE(f.camera->heading_deg);
    EXPECT_FALSE(f.camera->hfov_deg);
  }
}

TEST(FrameCameraGpmf, KarmaPositionsMatchExiftool) {
  const fs::path mp4 = geo::test::shared("media/gopro-gpmf/karma.mp4");
  if (!fs::exists(mp4)) GTEST_SKIP() << "shared data missing";
  // Karma writes GPS RAW (GPRI) records, which exiftool names GPS*Raw (its plain GPSLatitude is another
  // record, the drone's fused position).
  const auto truth = exiftool_gps(mp4, "Raw");
  if (truth.empty()) GTEST_SKIP() << "exiftool not available";
  ASSERT_EQ(truth.size(), 47u);
  check_against(mp4, truth, "unknown");  // GPRI does not say which height it is
}

TEST(FrameCameraGpmf, MaxGps5PositionsAndEllipsoidHeightMatchExiftool) {
  const fs::path mp4 = geo::test::shared("media/gopro-gpmf/max-heromode.mp4");
  if (!fs::exists(mp4)) GTEST_SKIP() << "shared data missing";
  const auto truth = exiftool_gps(mp4, "");
  if (truth.empty()) GTEST_SKIP() << "exiftool not available";
  ASSERT_GT(truth.size(), 150u);
  // GoPro documents GPS5's height as WGS 84 (ellipsoidal). Near Carlsbad, CA the geoid lies about 35 m
  // below the ellipsoid, so the -23 m the file states is a coastal ~12 m above sea level: consistent.
  check_against(mp4, truth, "ellipsoid");
}

}  // namespace
