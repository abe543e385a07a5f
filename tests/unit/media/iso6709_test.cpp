// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "geo/core/error.hpp"
#include "geo/media/iso6709.hpp"

using geo::parse_iso6709;

TEST(Iso6709, DecimalDegreesWithAltitude) {
  const auto p = parse_iso6709("+32.0929+034.8620+028.516/");
  EXPECT_NEAR(p.lat_deg, 32.0929, 1e-9);
  EXPECT_NEAR(p.lon_deg, 34.8620, 1e-9);
  ASSERT_TRUE(p.h_m);
  EXPECT_NEAR(*p.h_m, 28.516, 1e-9);
}

TEST(Iso6709, DecimalDegreesNoAltitudeWestern) {
  const auto p = parse_iso6709("+51.4169-000.0806/");
  EXPECT_NEAR(p.lat_deg, 51.4169, 1e-9);
  EXPECT_NEAR(p.lon_deg, -0.0806, 1e-9);
  EXPECT_FALSE(p.h_m);
}

TEST(Iso6709, SouthernWithoutSlashAndIntegerDegrees) {
  const auto p = parse_iso6709("-33+151");
  EXPECT_NEAR(p.lat_deg, -33, 1e-12);
  EXPECT_NEAR(p.lon_deg, 151, 1e-12);
}

TEST(Iso6709, DegreesMinutes) {
  // 40 deg 12.217 min N, 75 deg 0.250 min W
  const auto p = parse_iso6709("+4012.217-07500.250/");
  EXPECT_NEAR(p.lat_deg, 40 + 12.217 / 60, 1e-9);
  EXPECT_NEAR(p.lon_deg, -(75 + 0.25 / 60), 1e-9);
}

TEST(Iso6709, DegreesMinutesSecondsWithCrs) {
  // 40 12' 13.1" N, 75 00' 15.1" W, 12.5 m, CRS given
  const auto p = parse_iso6709("+401213.1-0750015.1+12.5CRSWGS_84/");
  EXPECT_NEAR(p.lat_deg, 40 + 12 / 60.0 + 13.1 / 3600, 1e-9);
  EXPECT_NEAR(p.lon_deg, -(75 + 0 / 60.0 + 15.1 / 3600), 1e-9);
  ASSERT_TRUE(p.h_m);
  EXPECT_NEAR(*p.h_m, 12.5, 1e-9);
}

TEST(Iso6709, NegativeAltitudeAndCrsWithoutAltitude) {
  EXPECT_NEAR(*parse_iso6709("+35.6895+139.6917-004.2/").h_m, -4.2, 1e-9);
  const auto p = parse_iso6709("+35.6895+139.6917CRSWGS_84/");
  EXPECT_NEAR(p.lon_deg, 139.6917, 1e-9);
  EXPECT_FALSE(p.h_m);
}

TEST(Iso6709, RejectsMalformed) {
  for (const char* bad : {"", "hello", "+32.0929/", "32.0929+034.8620/", "+3.0929+034.8620/",
                          "+4072.0-07500.0/", "+95.0+010.0/", "+32.+034.8620/", "+32.0929+034.8620xyz"}) {
    EXPECT_THROW(parse_iso6709(bad), geo::Error) << bad;
  }
}
