// SPDX-License-Identifier: Apache-2.0
// geoev sun: the real binary, its JSON, files written, and bad input (exit 1, one line, nothing written).
#include <gtest/gtest.h>

#include <cmath>

#include <gdal.h>
#include <ogr_api.h>

#include "geo/core/json.hpp"
#include "geo/core/time.hpp"
#include "support/support.hpp"

using geo::test::run_geoev;

namespace {
geo::Json json_of(const geo::test::CliResult& r) { return geo::Json::parse(r.out); }
int lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}
}  // namespace

TEST(CliSun, PositionPublishedExample) {
  const auto r = run_geoev({"sun", "position", "--at", "39.742476,-105.1786", "--time",
                            "2003-10-17T12:30:30-07:00", "--elevation-m", "1830.14", "--pressure-hpa",
                            "820", "--temperature-c", "11", "--delta-t-s", "67", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = json_of(r);
  EXPECT_NEAR(j["zenith_deg"].get<double>(), 50.111622, 1e-5);
  EXPECT_NEAR(j["azimuth_deg"].get<double>(), 194.340241, 1e-5);
  EXPECT_NEAR(j["shadow_azimuth_deg"].get<double>(), 14.340241, 1e-5);
  EXPECT_NEAR(j["shadow_length_ratio"].get<double>(), 1.0 / std::tan(39.888378 * M_PI / 180), 1e-5);
  EXPECT_EQ(j["delta_t_s"].get<double>(), 67.0);
  for (auto k : {"elevation_deg", "elevation_true_deg", "pressure_hpa", "temperature_c", "time_utc"})
    EXPECT_TRUE(j.contains(k)) << k;
}

TEST(CliSun, PositionAtNightHasNoShadow) {
  const auto r = run_geoev({"sun", "position", "--at", "11.55,104.92", "--time",
                            "2024-01-01T18:00:00Z", "--json"});  // 01:00 in Phnom Penh
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = json_of(r);
  EXPECT_LT(j["elevation_deg"].get<double>(), 0);
  EXPECT_TRUE(j["shadow_azimuth_deg"].is_null());
  EXPECT_TRUE(j["shadow_length_ratio"].is_null());
  EXPECT_NE(j["shadow_note"].get<std::string>().find("below the horizon"), std::string::npos);
}

TEST(CliSun, BadInputFailsCleanly) {
  auto r = run_geoev({"sun", "position", "--at", "91,0", "--time", "2020-01-01T00:00:00Z"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("latitude 91"), std::string::npos) << r.err;
  EXPECT_EQ(lines(r.err), 1);
  r = run_geoev({"sun", "position", "--at", "10,0", "--time", "yesterday noon"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("yesterday noon"), std::string::npos) << r.err;
  EXPECT_EQ(lines(r.err), 1);
  r = run_geoev({"sun", "times", "--at", "10,0", "--date", "2023-02-30"});
  EXPECT_EQ(r.exit_code, 1);
  r = run_geoev({"sun", "position", "--lat", "10"});
  EXPECT_EQ(r.exit_code, 2);  // usage
  r = run_geoev({"sun", "when", "--at", "10,0", "--date", "2023-02-01"});
  EXPECT_EQ(r.exit_code, 1);  // no observation
  EXPECT_NE(r.err.find("no observation"), std::string::npos) << r.err;
}

TEST(CliSun, TimesWithOffsetAndPolarNight) {
  auto r = run_geoev({"sun", "times", "--at", "39.742476,-105.1786", "--elevation-m",
                      "1830.14", "--date", "2015-01-02", "--tz", "-07:00", "--delta-t-s", "65",
                      "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = json_of(r);
  EXPECT_EQ(j["sunrise_local"].get<std::string>().substr(0, 16), "2015-01-02T07:21");  // pvlib 07:21:55
  EXPECT_EQ(j["sunset_utc"].get<std::string>().substr(0, 16), "2015-01-02T23:47");     // 16:47:43 MST
  r = run_geoev({"sun", "times", "--at", "78.22,15.65", "--date", "2023-12-21", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = json_of(r);
  EXPECT_TRUE(j["sunrise_utc"].is_null());
  EXPECT_TRUE(j["sunset_utc"].is_null());
  EXPECT_EQ(j["polar"], "polar_night");
  EXPECT_NE(j["diagnostics"][0]["message"].get<std::string>().find("below the horizon"), std::string::npos);
}

TEST(CliSun, WhenRoundTripAndClaim) {
  // The shadow at 09:00 UTC in Phnom Penh; the window must contain it and a claimed 06:00 must not fit.
  auto p = run_geoev({"sun", "position", "--at", "11.55,104.92", "--time",
                      "2024-03-10T03:00:00Z", "--json"});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const auto pj = json_of(p);
  char az[32], ratio[32];
  std::snprintf(az, sizeof az, "%.4f", pj["shadow_azimuth_deg"].get<double>());
  std::snprintf(ratio, sizeof ratio, "%.4f", pj["shadow_length_ratio"].get<double>());
  const auto r = run_geoev({"sun", "when", "--at", "11.55,104.92", "--date", "2024-03-10",
                            "--tz", "+07:00", "--shadow-azimuth-deg", az, "--azimuth-tol-deg",
                            "2", "--length-ratio", ratio, "--ratio-tol", "0.05", "--claimed-time",
                            "2024-03-10T06:00:00+07:00", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = json_of(r);
  ASSERT_EQ(j["windows"].size(), 1u) << r.out;
  const auto s = geo::parse_iso8601(j["windows"][0]["start_utc"].get<std::string>()).utc;
  const auto e = geo::parse_iso8601(j["windows"][0]["end_utc"].get<std::string>()).utc;
  const auto truth = geo::parse_iso8601("2024-03-10T03:00:00Z").utc;
  EXPECT_LE(s, truth);
  EXPECT_GE(e, truth);
  EXPECT_LT(e.unix_s() - s.unix_s(), 3600.0);
  EXPECT_FALSE(j["claimed_time"]["consistent"].get<bool>());
  EXPECT_GT(j["claimed_time"]["minutes_outside"].get<double>(), 30.0);
}

TEST(CliSun, WhenImpossibleDirectionSaysWhy) {
  // At 60 N in June the shadow never points south (the sun is never in the north at noon... it is
  // never due north at all while up at this latitude? it is, at night: so use a south-pointing shadow).
  const auto r = run_geoev({"sun", "when", "--at", "60,10", "--date", "2021-06-21",
                            "--shadow-azimuth-deg", "180", "--azimuth-tol-deg", "5", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = json_of(r);
  EXPECT_TRUE(j["windows"].empty());
  EXPECT_NE(j["empty_reason"].get<std::string>().find("never points"), std::string::npos);
}

TEST(CliSun, WhenObservationsFile) {
  geo::test::ScratchDir dir;
  geo::test::write_bytes(dir / "obs.json", R"({"observations": [
      {"shadow_azimuth_deg": 320, "azimuth_tol_deg": 5, "label": "pole"},
      {"length_ratio": 1.2, "ratio_tol": 0.15, "label": "person"}]})");
  const auto r = run_geoev({"sun", "when", "--at", "16.7,98.5", "--from", "2024-01-01",
                            "--to", "2024-01-03", "--tz", "+06:30", "--observations",
                            (dir / "obs.json").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = json_of(r);
  ASSERT_TRUE(j.contains("windows"));
  // Mid-morning shadows point north-west: one window per day, each about 09:30-10:10 local time
  // and each at most as long as either observation alone allows.
  ASSERT_EQ(j["windows"].size(), 3u) << r.out;
  for (const auto& w : j["windows"]) {
    EXPECT_EQ(w["start_local"].get<std::string>().substr(11, 2), "09");
    EXPECT_LT(w["duration_min"].get<double>(), 60.0);
  }
  geo::test::write_bytes(dir / "bad.json", "{\"observations\": [ {\"length_ratio\": -2} ]}");
  const auto b = run_geoev({"sun", "when", "--at", "16.7,98.5", "--date", "2024-01-01",
                            "--observations", (dir / "bad.json").string()});
  EXPECT_EQ(b.exit_code, 1);
  EXPECT_NE(b.err.find("length ratio"), std::string::npos) << b.err;
}

TEST(CliSun, WhereWritesGeoJsonContainingTruePlace) {
  geo::test::ScratchDir dir;
  const auto out = dir / "band.geojson";
  auto p = run_geoev({"sun", "position", "--at", "14.1,99.2", "--time",
                      "2024-05-02T02:15:00Z", "--json"});
  const auto pj = json_of(p);
  char ratio[32], az[32];
  std::snprintf(ratio, sizeof ratio, "%.5f", pj["shadow_length_ratio"].get<double>());
  std::snprintf(az, sizeof az, "%.4f", pj["shadow_azimuth_deg"].get<double>());
  const auto r = run_geoev({"sun", "where", "--time", "2024-05-02T02:15:00Z", "--length-ratio", ratio,
                            "--ratio-tol", "0.02", "--shadow-azimuth-deg", az, "--azimuth-tol-deg", "2",
                            "--resolution-deg", "0.25", "-o", out.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto g = geo::read_json_file(out);
  EXPECT_EQ(g["type"], "FeatureCollection");
  EXPECT_EQ(g["geoev"]["provenance"]["operation"], "sun.where");
  EXPECT_EQ(g["geoev"]["provenance"]["parameters"]["resolution_deg"], 0.25);
  bool inside = false;
  for (const auto& f : g["features"]) {
    const auto& ring = f["geometry"]["coordinates"][0];
    ASSERT_EQ(ring.size(), 5u);
    const double w = ring[0][0], s = ring[0][1], e = ring[2][0], n = ring[2][1];
    EXPECT_LT(w, e);
    EXPECT_LT(s, n);
    inside |= w <= 99.2 && 99.2 <= e && s <= 14.1 && 14.1 <= n;
  }
  EXPECT_TRUE(inside);
  // Every polygon is valid for GDAL/GEOS (OGC simple features).
  GDALAllRegister();
  GDALDatasetH ds = GDALOpenEx(out.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
  ASSERT_NE(ds, nullptr);
  OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
  int n = 0;
  while (OGRFeatureH f = OGR_L_GetNextFeature(layer)) {
    EXPECT_TRUE(OGR_G_IsValid(OGR_F_GetGeometryRef(f)));
    OGR_F_Destroy(f);
    ++n;
  }
  GDALClose(ds);
  EXPECT_EQ(n, static_cast<int>(g["features"].size()));
}

TEST(CliSun, WhereBadInputWritesNothing) {
  geo::test::ScratchDir dir;
  const auto out = dir / "band.geojson";
  auto r = run_geoev({"sun", "where", "--time", "not a time", "--length-ratio", "1", "-o", out.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err), 1);
  r = run_geoev({"sun", "where", "--time", "2024-01-01T00:00:00Z", "--length-ratio", "0", "-o", out.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("length ratio"), std::string::npos) << r.err;
  r = run_geoev({"sun", "where", "--time", "2024-01-01T00:00:00Z", "--length-ratio", "1",
                 "--resolution-deg", "0.7", "-o", out.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(geo::test::list_files(dir.path()).empty());
}
