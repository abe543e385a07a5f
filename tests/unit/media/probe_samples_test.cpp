// SPDX-License-Identifier: Apache-2.0
// Real samples from ../shared/data (SOURCES.md), compared with exiftool/ffprobe run on the same files.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <memory>

#include "geo/core/json.hpp"
#include "geo/core/time.hpp"
#include "geo/media/probe.hpp"
#include "support/support.hpp"

namespace {

namespace fs = std::filesystem;

std::string run_capture(const std::string& cmd) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  if (!p) return out;
  std::array<char, 4096> buf;
  while (std::size_t n = fread(buf.data(), 1, buf.size(), p.get())) out.append(buf.data(), n);
  return out;
}

// exiftool -n -json on one file: its first object, or null when exiftool is missing.
geo::Json exiftool(const fs::path& file, const std::string& extra = "") {
  const std::string out = run_capture("exiftool -n -json " + extra + " '" + file.string() + "' 2>/dev/null");
  if (out.empty()) return nullptr;
  return geo::Json::parse(out)[0];
}

geo::Json ffprobe(const fs::path& file) {
  const std::string out = run_capture("ffprobe -v error -count_packets -show_streams -show_format -of json '" +
                                      file.string() + "' 2>/dev/null");
  if (out.empty()) return nullptr;
  return geo::Json::parse(out);
}

// "2019:07:24 11:25:40+03:00" (exiftool) -> UTC
geo::UtcTime exif_time(const std::string& s) { return geo::parse_iso8601(s).utc; }

#define REQUIRE_SAMPLE(p) \
  if (!fs::exists(p)) GTEST_SKIP() << "missing sample " << (p)

}  // namespace

TEST(ProbeSamples, AppleMovMatchesSourcesAndExiftool) {
  const fs::path f = geo::test::shared("media/gps-video/mde_with-gps.mov");
  REQUIRE_SAMPLE(f);
  const geo::MediaInfo m = geo::probe_media(f);
  EXPECT_EQ(m.kind, "video");
  // SOURCES.md: +32.0929+034.8620+028.516/
  ASSERT_TRUE(m.location);
  EXPECT_EQ(m.location->raw, "+32.0929+034.8620+028.516/");
  EXPECT_EQ(m.location->source, "quicktime:com.apple.quicktime.location.ISO6709");
  EXPECT_NEAR(m.location->point.lat_deg, 32.0929, 1e-9);
  EXPECT_NEAR(m.location->point.lon_deg, 34.8620, 1e-9);
  ASSERT_TRUE(m.location->point.h_m);
  EXPECT_NEAR(*m.location->point.h_m, 28.516, 1e-9);
  // creationdate 2019-07-24T11:25:40+03:00 -> 08:25:40Z, offset +03:00, preferred over creation_time
  ASSERT_TRUE(m.created);
  EXPECT_EQ(m.created->source, "quicktime:com.apple.quicktime.creationdate");
  EXPECT_EQ(geo::format_utc(m.created->utc), "2019-07-24T08:25:40Z");
  ASSERT_TRUE(m.created->local_offset_min);
  EXPECT_EQ(*m.created->local_offset_min, 180);
  EXPECT_GE(m.created_candidates.size(), 2u);
  EXPECT_EQ(m.device.make, "Apple");
  EXPECT_EQ(m.device.model, "iPhone 6");
  EXPECT_EQ(m.device.software, "12.3");
  ASSERT_TRUE(m.video);
  EXPECT_EQ(m.video->codec, "h264");
  EXPECT_EQ(m.video->width, 568);
  EXPECT_EQ(m.video->height, 320);
  EXPECT_DOUBLE_EQ(m.video->rotation_deg, 90.0);  // ffprobe: display matrix rotation -90 (counter-clockwise)

  const geo::Json ex = exiftool(f);
  if (ex.is_null()) GTEST_SKIP() << "exiftool not available";
  EXPECT_NEAR(m.location->point.lat_deg, ex["GPSLatitude"].get<double>(), 1e-6);
  EXPECT_NEAR(m.location->point.lon_deg, ex["GPSLongitude"].get<double>(), 1e-6);
  EXPECT_NEAR(*m.location->point.h_m, ex["GPSAltitude"].get<double>(), 1e-6);
  EXPECT_EQ(m.created->utc, exif_time(ex["CreationDate"].get<std::string>()));
  // exiftool's CreateDate is the QuickTime header time, in UTC.
  bool found_container = false;
  for (const auto& c : m.created_candidates)
    if (c.source == "container:creation_time") {
      found_container = true;
      EXPECT_EQ(c.utc, exif_time(ex["CreateDate"].get<std::string>() + "Z"));
    }
  EXPECT_TRUE(found_container);
  EXPECT_EQ(m.device.make, ex["Make"].get<std::string>());
  EXPECT_EQ(m.device.model, ex["Model"].get<std::string>());
}

TEST(ProbeSamples, AndroidMp4MatchesSourcesAndExiftool) {
  const fs::path f = geo::test::shared("media/gps-video/mde_with-gps.mp4");
  REQUIRE_SAMPLE(f);
  const geo::MediaInfo m = geo::probe_media(f);
  ASSERT_TRUE(m.location);
  EXPECT_EQ(m.location->raw, "+51.4169-000.0806/");
  EXPECT_NE(m.location->source.find("xyz"), std::string::npos);
  EXPECT_NEAR(m.location->point.lat_deg, 51.4169, 1e-9);
  EXPECT_NEAR(m.location->point.lon_deg, -0.0806, 1e-9);
  EXPECT_FALSE(m.location->point.h_m);
  ASSERT_TRUE(m.created);
  EXPECT_EQ(geo::format_utc(m.created->utc), "2017-02-22T08:20:28Z");
  EXPECT_EQ(m.created->source, "container:creation_time");
  EXPECT_EQ(m.device.software, "Android 6.0.1");
  const geo::Json ex = exiftool(f);
  if (ex.is_null()) GTEST_SKIP() << "exiftool not available";
  EXPECT_NEAR(m.location->point.lat_deg, ex["GPSLatitude"].get<double>(), 1e-6);
  EXPECT_NEAR(m.location->point.lon_deg, ex["GPSLongitude"].get<double>(), 1e-6);
  EXPECT_EQ(m.created->utc, exif_time(ex["CreateDate"].get<std::string>() + "Z"));
}

TEST(ProbeSamples, VideoStreamAgreesWithFfprobe) {
  for (const char* rel : {"media/gps-video/mde_with-gps.mov", "media/gps-video/mde_with-gps.mp4", "media/gopro-gpmf/karma.mp4"}) {
    const fs::path f = geo::test::shared(rel);
    if (!fs::exists(f)) continue;
    const geo::MediaInfo m = geo::probe_media(f, {}, {});
    const geo::Json fp = ffprobe(f);
    if (fp.is_null()) GTEST_SKIP() << "ffprobe not available";
    ASSERT_TRUE(m.video) << rel;
    ASSERT_TRUE(m.duration_s);
    EXPECT_NEAR(*m.duration_s, std::stod(fp["format"]["duration"].get<std::string>()), 1e-3) << rel;
    for (const auto& s : fp["streams"]) {
      if (s["codec_type"] != "video") continue;
      EXPECT_EQ(m.video->width, s["width"].get<int>()) << rel;
      EXPECT_EQ(m.video->height, s["height"].get<int>()) << rel;
      EXPECT_EQ(m.video->codec, s["codec_name"].get<std::string>()) << rel;
      ASSERT_TRUE(m.video->frame_count);
      EXPECT_EQ(*m.video->frame_count, std::stoll(s["nb_read_packets"].get<std::string>())) << rel;
      // Measured fps against ffprobe's average rate (frames / duration): within 2 %.
      const std::string afr = s["avg_frame_rate"].get<std::string>();
      const double fps_ref = std::stod(afr.substr(0, afr.find('/'))) / std::stod(afr.substr(afr.find('/') + 1));
      ASSERT_TRUE(m.video->fps);
      EXPECT_NEAR(*m.video->fps, fps_ref, 0.02 * fps_ref) << rel;
      break;
    }
  }
}

TEST(ProbeSamples, ExifGpsPhotoMatchesSourcesAndExiftool) {
  const fs::path f = geo::test::shared("media/gps-photo/exiftool_GPS.jpg");
  REQUIRE_SAMPLE(f);
  const geo::MediaInfo m = geo::probe_media(f);
  EXPECT_EQ(m.kind, "image");
  ASSERT_TRUE(m.location);
  // SOURCES.md: 54 deg 59' 22.80" N, 1 deg 54' 51.00" W
  EXPECT_NEAR(m.location->point.lat_deg, 54 + 59 / 60.0 + 22.80 / 3600, 1e-9);
  EXPECT_NEAR(m.location->point.lon_deg, -(1 + 54 / 60.0 + 51.00 / 3600), 1e-9);
  EXPECT_EQ(m.location->source, "exif:GPS");
  const geo::Json ex = exiftool(f);
  if (ex.is_null()) GTEST_SKIP() << "exiftool not available";
  EXPECT_NEAR(m.location->point.lat_deg, ex["GPSLatitude"].get<double>(), 1e-6);
  EXPECT_NEAR(m.location->point.lon_deg, ex["GPSLongitude"].get<double>(), 1e-6);
  EXPECT_EQ(m.device.make, ex["Make"].get<std::string>());
  EXPECT_EQ(m.device.model, ex["Model"].get<std::string>());
}

TEST(ProbeSamples, GoProPhotoMatchesSourcesAndExiftool) {
  const fs::path f = geo::test::shared("media/gps-photo/exiftool_GoPro.jpg");
  REQUIRE_SAMPLE(f);
  const geo::MediaInfo m = geo::probe_media(f);
  ASSERT_TRUE(m.location);
  EXPECT_NEAR(m.location->point.lat_deg, 40.65842, 5e-6);
  EXPECT_NEAR(m.location->point.lon_deg, -73.99335, 5e-6);
  const geo::Json ex = exiftool(f, "-GPSLatitude -GPSLongitude -GPSAltitude -DateTimeOriginal -OffsetTimeOriginal -Make -Model");
  if (ex.is_null()) GTEST_SKIP() << "exiftool not available";
  EXPECT_NEAR(m.location->point.lat_deg, ex["GPSLatitude"].get<double>(), 1e-6);
  EXPECT_NEAR(m.location->point.lon_deg, ex["GPSLongitude"].get<double>(), 1e-6);
  ASSERT_TRUE(m.location->point.h_m);
  EXPECT_NEAR(*m.location->point.h_m, ex["GPSAltitude"].get<double>(), 1e-3);
  EXPECT_EQ(m.device.make, ex["Make"].get<std::string>());
  EXPECT_EQ(m.device.model, ex["Model"].get<std::string>());
  if (ex.contains("OffsetTimeOriginal")) {
    ASSERT_TRUE(m.created);
    EXPECT_EQ(m.created->utc, exif_time(ex["DateTimeOriginal"].get<std::string>() + ex["OffsetTimeOriginal"].get<std::string>()));
  }
}

// karma.mp4 (Karma drone) carries GPS as "GPS RAW" (GPRI) records, 4 per 1 s payload: 47 records in 13
// payloads (SOURCES.md's "47 GPS5 samples" counts these records). exiftool -ee reports one position per
// payload; ours must agree within 1e-4 deg (~11 m: exiftool's per-payload value is not the first record).
TEST(ProbeSamples, KarmaGpmfTrack) {
  const fs::path f = geo::test::shared("media/gopro-gpmf/karma.mp4");
  REQUIRE_SAMPLE(f);
  const geo::MediaInfo m = geo::probe_media(f);
  ASSERT_TRUE(m.telemetry);
  EXPECT_EQ(m.telemetry->source, "gopro-gpmf");
  EXPECT_EQ(m.telemetry->samples.size(), 47u);
  EXPECT_EQ(m.telemetry->payloads, 13u);
  const auto& s0 = m.telemetry->samples.front();
  // SOURCES.md: near 33.1254 N, -117.3311 W, 2017-04-17
  EXPECT_NEAR(s0.point.lat_deg, 33.1254, 0.0005);
  EXPECT_NEAR(s0.point.lon_deg, -117.3311, 0.0005);
  EXPECT_FALSE(s0.utc);
  EXPECT_TRUE(m.diagnostics.has("gpmf.gpri_no_utc"));
  ASSERT_TRUE(m.created);
  EXPECT_EQ(geo::format_date(geo::utc_date(m.created->utc)), "2017-04-17");
  for (const auto& s : m.telemetry->samples) {
    EXPECT_GE(s.t_s, 0.0);
    EXPECT_LE(s.t_s, *m.duration_s + 1.0);
  }
  ASSERT_TRUE(m.location);
  EXPECT_NE(m.location->source.find("gopro-gpmf"), std::string::npos);
  const geo::Json ex = exiftool(f, "-ee -G3 -a -GPSLatitude -GPSLongitude");
  if (ex.is_null()) GTEST_SKIP() << "exiftool not available";
  EXPECT_NEAR(s0.point.lat_deg, ex["Doc1:GPSLatitude"].get<double>(), 1e-4);
  EXPECT_NEAR(s0.point.lon_deg, ex["Doc1:GPSLongitude"].get<double>(), 1e-4);
}

// GoPro MAX: GPS5 at 18 Hz with GPSU; SOURCES.md: 192 GPS samples near 33.1268 N, -117.3273 W, 2019-11-18.
TEST(ProbeSamples, MaxGps5Track) {
  const fs::path f = geo::test::shared("media/gopro-gpmf/max-heromode.mp4");
  REQUIRE_SAMPLE(f);
  const geo::MediaInfo m = geo::probe_media(f);
  ASSERT_TRUE(m.telemetry);
  EXPECT_NEAR(static_cast<double>(m.telemetry->samples.size()), 192.0, 2.0);
  const auto& s0 = m.telemetry->samples.front();
  EXPECT_NEAR(s0.point.lat_deg, 33.1268, 0.0005);
  EXPECT_NEAR(s0.point.lon_deg, -117.3273, 0.0005);
  ASSERT_TRUE(s0.utc);
  EXPECT_EQ(geo::format_date(geo::utc_date(*s0.utc)), "2019-11-18");
  const geo::Json ex = exiftool(f, "-ee -G3 -a -GPSLatitude -GPSLongitude -GPSDateTime");
  if (ex.is_null()) GTEST_SKIP() << "exiftool not available";
  EXPECT_NEAR(s0.point.lat_deg, ex["Doc1:GPSLatitude"].get<double>(), 1e-6);
  EXPECT_NEAR(s0.point.lon_deg, ex["Doc1:GPSLongitude"].get<double>(), 1e-6);
  EXPECT_EQ(*s0.utc, exif_time(ex["Doc1:GPSDateTime"].get<std::string>() + "Z"));
}
