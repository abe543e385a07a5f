// SPDX-License-Identifier: Apache-2.0
// Every DJI SRT dialect in ../shared/data/media/dji-srt. Expected values are read off the files' own
// first entries (see the comments), not from this parser's output.
#include <gtest/gtest.h>

#include "geo/core/error.hpp"
#include "geo/media/telemetry.hpp"
#include "support/support.hpp"

namespace {
namespace fs = std::filesystem;

geo::TelemetryTrack load(const std::string& name, geo::Diagnostics& d) {
  return geo::read_dji_srt(geo::test::shared("media/dji-srt/" + name), d);
}

#define REQUIRE_SRT(name) \
  if (!fs::exists(geo::test::shared("media/dji-srt/" name))) GTEST_SKIP() << "missing " name
}  // namespace

TEST(DjiSrt, MavicProLonLatWithHomeLine) {
  REQUIRE_SRT("mavic_pro.SRT");
  geo::Diagnostics d;
  const auto t = load("mavic_pro.SRT", d);
  ASSERT_FALSE(t.samples.empty());
  const auto& s = t.samples.front();
  // "00:00:01,000 --> ..." / "HOME(149.0251,-20.2532) 2017.08.05 14:11:51" / "GPS(149.0251,-20.2533,16) BAROMETER:1.9"
  EXPECT_NEAR(s.t_s, 1.0, 1e-9);
  EXPECT_NEAR(s.point.lat_deg, -20.2533, 1e-9);
  EXPECT_NEAR(s.point.lon_deg, 149.0251, 1e-9);
  // The third GPS value (16) tracks the satellite count (14-18 while BAROMETER climbs to 118 m): not a
  // height. The height is BAROMETER's, above take-off.
  EXPECT_FALSE(s.point.h_m);
  EXPECT_TRUE(d.has("srt.gps_third_value_ignored"));
  EXPECT_NEAR(*s.rel_alt_m, 1.9, 1e-9);
  ASSERT_TRUE(s.local_clock);
  EXPECT_FALSE(s.utc);  // the drone's clock is not UTC
  EXPECT_EQ(geo::format_utc(*s.local_clock), "2017-08-05T14:11:51Z");
  EXPECT_TRUE(d.has("srt.clock_local"));
  EXPECT_FALSE(d.has("srt.axis_order_assumed"));  // 149 > 90 decides the order
}

TEST(DjiSrt, OldFormat) {
  REQUIRE_SRT("old_format.SRT");
  geo::Diagnostics d;
  const auto t = load("old_format.SRT", d);
  ASSERT_FALSE(t.samples.empty());
  // "HOME(149.0251,-20.2532) 2017.8.5 14:11:51" / "GPS(149.0251,-20.2533,16) Hb:1.9 Hs:1.9"
  EXPECT_NEAR(t.samples[0].point.lat_deg, -20.2533, 1e-9);
  EXPECT_NEAR(t.samples[0].point.lon_deg, 149.0251, 1e-9);
  EXPECT_NEAR(*t.samples[0].rel_alt_m, 1.9, 1e-9);
  EXPECT_EQ(geo::format_utc(*t.samples[0].local_clock), "2017-08-05T14:11:51Z");
}

TEST(DjiSrt, P4RtkWithAircraftAndGimbalAngles) {
  REQUIRE_SRT("p4_rtk.SRT");
  geo::Diagnostics d;
  const auto t = load("p4_rtk.SRT", d);
  ASSERT_GE(t.samples.size(), 2u);
  // GPS (-58.851745, -34.237922, 15) ... H 85.80m, H.S 0.00m/s, F.PRY (2.7°, -7.0°, 110.1°), G.PRY (-24.4°, 0.0°, 110.4°)
  const auto& s = t.samples[0];
  EXPECT_NEAR(s.point.lat_deg, -34.237922, 1e-9);
  EXPECT_NEAR(s.point.lon_deg, -58.851745, 1e-9);
  EXPECT_NEAR(*s.rel_alt_m, 85.80, 1e-9);
  EXPECT_NEAR(*s.aircraft_pitch_deg, 2.7, 1e-9);
  EXPECT_NEAR(*s.aircraft_roll_deg, -7.0, 1e-9);
  EXPECT_NEAR(*s.aircraft_yaw_deg, 110.1, 1e-9);
  EXPECT_NEAR(*s.gimbal_pitch_deg, -24.4, 1e-9);
  EXPECT_NEAR(*s.gimbal_yaw_deg, 110.4, 1e-9);
  EXPECT_NEAR(*t.samples[1].speed_mps, 2.88, 1e-9);
  EXPECT_NEAR(t.samples[1].t_s, 1.0, 1e-9);
}

TEST(DjiSrt, SpacedGpsDialectsMiniAndP4P) {
  REQUIRE_SRT("mavic_mini.SRT");
  geo::Diagnostics d;
  const auto mini = load("mavic_mini.SRT", d);
  ASSERT_FALSE(mini.samples.empty());
  // GPS (-121.7458, 48.0771, 17)
  EXPECT_NEAR(mini.samples[0].point.lat_deg, 48.0771, 1e-9);
  EXPECT_NEAR(mini.samples[0].point.lon_deg, -121.7458, 1e-9);
  const auto p4p = load("p4p_sample.SRT", d);
  ASSERT_FALSE(p4p.samples.empty());
  // GPS (8.2090, 47.4692, 18): the spaced dialect is lon, lat
  EXPECT_NEAR(p4p.samples[0].point.lat_deg, 47.4692, 1e-9);
  EXPECT_NEAR(p4p.samples[0].point.lon_deg, 8.2090, 1e-9);
}

TEST(DjiSrt, BracketDialectsMavic3Air2Air2s) {
  REQUIRE_SRT("MAVIC3.srt");
  geo::Diagnostics d;
  const auto m3 = load("MAVIC3.srt", d);
  ASSERT_FALSE(m3.samples.empty());
  // [latitude: 3.41531] [longitude: -3.37440] [rel_alt: -2.400 abs_alt: 0.401], 2021-12-25 12:27:52.373
  const auto& s = m3.samples[0];
  EXPECT_NEAR(s.point.lat_deg, 3.41531, 1e-9);
  EXPECT_NEAR(s.point.lon_deg, -3.37440, 1e-9);
  EXPECT_NEAR(*s.point.h_m, 0.401, 1e-9);
  EXPECT_NEAR(*s.rel_alt_m, -2.4, 1e-9);
  EXPECT_EQ(geo::format_utc(*s.local_clock, 3), "2021-12-25T12:27:52.373Z");
  EXPECT_NEAR(m3.samples[1].t_s, 0.020, 1e-9);
  const auto a2 = load("mavic_air2.srt", d);
  ASSERT_FALSE(a2.samples.empty());
  // [latitude: 41.420684] [longitude: 2.162162] [altitude: 27.300000], 2022-05-01 15:01:58,531,716
  EXPECT_NEAR(a2.samples[0].point.lat_deg, 41.420684, 1e-9);
  EXPECT_NEAR(a2.samples[0].point.lon_deg, 2.162162, 1e-9);
  EXPECT_NEAR(*a2.samples[0].point.h_m, 27.3, 1e-9);
  EXPECT_EQ(geo::format_utc(*a2.samples[0].local_clock, 6), "2022-05-01T15:01:58.531716Z");
  const auto a2s = load("air2s.srt", d);
  ASSERT_FALSE(a2s.samples.empty());
  EXPECT_NEAR(a2s.samples[0].point.lat_deg, 41.424724, 1e-9);
  EXPECT_NEAR(a2s.samples[0].point.lon_deg, 2.234156, 1e-9);
}

TEST(DjiSrt, MisspelledLongtitudeWithoutTimecodes) {
  REQUIRE_SRT("mavic_2_style.SRT");
  geo::Diagnostics d;
  const auto t = load("mavic_2_style.SRT", d);
  ASSERT_GE(t.samples.size(), 3u);
  // [latitude : -20.2533] [longtitude : 149.0251], clock 2017.08.05 14:11:51 then :52, :53
  EXPECT_NEAR(t.samples[0].point.lat_deg, -20.2533, 1e-9);
  EXPECT_NEAR(t.samples[0].point.lon_deg, 149.0251, 1e-9);
  EXPECT_NEAR(t.samples[0].t_s, 0.0, 1e-9);
  EXPECT_NEAR(t.samples[2].t_s, 2.0, 1e-3);
  EXPECT_TRUE(d.has("srt.no_timecode"));
}

TEST(DjiSrt, Matrice300LatLonIsFlaggedAsAssumed) {
  REQUIRE_SRT("matrice_300.srt");
  geo::Diagnostics d;
  const auto t = load("matrice_300.srt", d);
  ASSERT_FALSE(t.samples.empty());
  // GPS(36.6146,-6.1120,0.0M) BAROMETER:0.3M: values cannot tell the order; Matrice writes lat,lon
  EXPECT_NEAR(t.samples[0].point.lat_deg, 36.6146, 1e-9);
  EXPECT_NEAR(t.samples[0].point.lon_deg, -6.1120, 1e-9);
  EXPECT_NEAR(*t.samples[0].rel_alt_m, 0.3, 1e-9);
  EXPECT_TRUE(d.has("srt.axis_order_assumed"));
}

TEST(DjiSrt, NoGpsGivesNoSamplesAndADiagnostic) {
  REQUIRE_SRT("mavic_air.SRT");
  geo::Diagnostics d;
  const auto t = load("mavic_air.SRT", d);
  EXPECT_TRUE(t.samples.empty());
  EXPECT_TRUE(d.has("srt.no_gps"));
}

TEST(DjiSrt, UnlockedZeroPositionIsMarked) {
  geo::Diagnostics d;
  const auto t = geo::parse_dji_srt(
      "1\n00:00:00,000 --> 00:00:01,000\nGPS (0.000000, 0.000000, 0), H 0.0m\n\n"
      "2\n00:00:01,000 --> 00:00:02,000\nGPS (8.2090, 47.4692, 18), H 1.0m\n",
      "inline", d);
  ASSERT_EQ(t.samples.size(), 2u);
  EXPECT_FALSE(t.samples[0].locked);
  EXPECT_TRUE(t.samples[1].locked);
  EXPECT_TRUE(d.has("gps.no_lock"));
}

TEST(DjiSrt, MalformedThrows) {
  geo::Diagnostics d;
  EXPECT_THROW(geo::parse_dji_srt("", "empty", d), geo::Error);
  EXPECT_THROW(geo::parse_dji_srt("hello world\nthis is not a subtitle\n", "text", d), geo::Error);
  EXPECT_THROW(geo::parse_dji_srt(geo::test::random_bytes(4000, 7), "random", d), geo::Error);
}
