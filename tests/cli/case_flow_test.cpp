// SPDX-License-Identifier: Apache-2.0
// --case on probe, sun when and sun where: results land in the case as observations, each with custody.
#include <gtest/gtest.h>

#include "geo/core/json.hpp"
#include "support/support.hpp"

using geo::test::run_geoev;

TEST(CliCaseFlow, ProbeAndSunRecordObservations) {
  geo::test::ScratchDir dir;
  const auto c = (dir / "case").string();
  ASSERT_EQ(run_geoev({"case", "init", "--case", c, "--title", "flow"}).exit_code, 0);
  const auto mov = geo::test::shared("media/gps-video/mde_with-gps.mov").string();
  const auto karma = geo::test::shared("media/gopro-gpmf/karma.mp4").string();
  auto r = run_geoev({"probe", mov, karma, "--case", c, "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_geoev({"sun", "when", "--at", "32.0929,34.862", "--date", "2019-07-24",
                 "--shadow-azimuth-deg", "280", "--case", c, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_geoev({"observations", "list", "--case", c, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto obs = geo::Json::parse(r.out);
  ASSERT_TRUE(obs.is_array());
  int gps = 0, telemetry = 0, sun = 0;
  for (const auto& o : obs) {
    const auto kind = o.at("kind").get<std::string>();
    if (kind == "metadata_gps") {
      ++gps;
      EXPECT_NEAR(o.at("position").at("lat_deg").get<double>(), 32.0929, 1e-7);  // the iPhone's ISO 6709 fix
      EXPECT_NEAR(o.at("position").at("lon_deg").get<double>(), 34.8620, 1e-7);
    }
    if (kind == "telemetry") ++telemetry;
    if (kind == "sun_shadow") ++sun;
  }
  EXPECT_EQ(gps, 1);        // the iPhone clip; karma's location is its telemetry, recorded once
  EXPECT_EQ(telemetry, 1);  // karma's GPMF track
  EXPECT_EQ(sun, 1);
  r = run_geoev({"case", "verify", "--case", c});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(CliCaseFlow, BadCaseFailsBeforeWritingTheBand) {
  geo::test::ScratchDir dir;
  const auto band = dir / "band.geojson";
  const auto r = run_geoev({"sun", "where", "--time", "2024-03-20T06:00:00Z", "--length-ratio", "1.0",
                            "--resolution-deg", "1", "-o", band.string(), "--case", (dir / "nocase").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(band));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
}
