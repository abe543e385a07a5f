// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "fixtures.hpp"
#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/imagery/crs.hpp"
#include "geo/imagery/raster.hpp"

using namespace geo;

TEST(Crs, UtmZoneIncludingNorwayAndSvalbardExceptions) {
  EXPECT_EQ(utm_crs_for({11.55, 104.92}), "EPSG:32648");   // Phnom Penh
  EXPECT_EQ(utm_crs_for({16.7, 98.5}), "EPSG:32647");      // Myawaddy
  EXPECT_EQ(utm_crs_for({-33.9, 18.4}), "EPSG:32734");     // Cape Town, south
  EXPECT_EQ(utm_zone_for({60.0, 5.0}), 32);                // Bergen: 32V, not 31
  EXPECT_EQ(utm_zone_for({78.2, 15.6}), 33);               // Longyearbyen: 33X
  EXPECT_EQ(utm_zone_for({0.0, 180.0}), 60);
  EXPECT_THROW(utm_crs_for({95.0, 0.0}), Error);
  EXPECT_THROW(utm_crs_for({85.0, 0.0}), Error);
}

TEST(Crs, LatLonToUtmAgreesWithGdaltransform) {
  const std::vector<GeoPoint> pts = {{11.55, 104.92}, {16.70, 98.50}, {14.36, 103.99}, {-8.4, -74.4}};
  for (const auto& p : pts) {
    const std::string crs = utm_crs_for(p);
    const cv::Point2d m = map_from_lat_lon(crs, p);
    const auto ref = test::gdaltransform("EPSG:4326", crs, {{p.lon_deg, p.lat_deg}});
    ASSERT_EQ(ref.size(), 1u);
    EXPECT_NEAR(m.x, ref[0][0], 1e-3) << crs;  // millimetres
    EXPECT_NEAR(m.y, ref[0][1], 1e-3) << crs;
    const GeoPoint back = lat_lon_from_map(crs, m);
    EXPECT_NEAR(back.lat_deg, p.lat_deg, 1e-9);
    EXPECT_NEAR(back.lon_deg, p.lon_deg, 1e-9);
  }
}

TEST(Crs, AnyEpsgRoundTripsAndAxisOrderIsEastNorth) {
  const GeoPoint p{47.02, -99.15};
  // EPSG:4326 declares lat,lon; our policy gives x = lon, y = lat.
  const cv::Point2d g = map_from_lat_lon("EPSG:4326", p);
  EXPECT_NEAR(g.x, -99.15, 1e-12);
  EXPECT_NEAR(g.y, 47.02, 1e-12);
  for (const std::string crs : {"EPSG:3857", "EPSG:26914", "EPSG:32614", "EPSG:2154"}) {
    const cv::Point2d m = map_from_lat_lon(crs, p);
    const auto ref = test::gdaltransform("EPSG:4326", crs, {{p.lon_deg, p.lat_deg}});
    ASSERT_EQ(ref.size(), 1u) << crs;
    EXPECT_NEAR(m.x, ref[0][0], 1e-3) << crs;
    EXPECT_NEAR(m.y, ref[0][1], 1e-3) << crs;
    const GeoPoint back = lat_lon_from_map(crs, m);
    EXPECT_NEAR(back.lat_deg, p.lat_deg, 1e-9) << crs;
    EXPECT_NEAR(back.lon_deg, p.lon_deg, 1e-9) << crs;
  }
  EXPECT_EQ(crs_epsg("EPSG:32648"), 32648);
  EXPECT_TRUE(crs_is_geographic("EPSG:4326"));
  EXPECT_FALSE(crs_is_geographic("EPSG:32648"));
}

TEST(Crs, UnknownCrsIsInvalidArgument) {
  try {
    validate_crs("EPSG:999999");
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("unknown CRS"), std::string::npos);
  }
  EXPECT_THROW(map_from_lat_lon("EPSG:999999", {1, 1}), Error);
  EXPECT_THROW(map_from_lat_lon("EPSG:4326", {95, 1}), Error);
}

TEST(Crs, GeodesicDistanceInUtmMatchesGeod) {
  // A UTM grid distance times the point scale factor is the ground distance; check the imagery path
  // (CRS round trip) against geod, PROJ's CLI, to a millimetre.
  const GeoPoint a{11.55, 104.92}, b{11.56, 104.93};
  const std::string out = test::shell("echo '11.55 104.92 11.56 104.93' | geod +ellps=WGS84 -I -f %.6f");
  std::istringstream is(out);
  double az1, az2, dist;
  ASSERT_TRUE(is >> az1 >> az2 >> dist) << out;
  const GeoPoint a2 = lat_lon_from_map("EPSG:32648", map_from_lat_lon("EPSG:32648", a));
  const GeoPoint b2 = lat_lon_from_map("EPSG:32648", map_from_lat_lon("EPSG:32648", b));
  const auto g = geodesic_inverse(a2, b2);
  EXPECT_NEAR(g.distance_m, dist, 1e-3);
  EXPECT_NEAR(g.azimuth1_deg, az1, 1e-5);
}

TEST(Crs, Egm96UndulationMatchesPublishedValueAndCct) {
  if (!have_egm96_grid()) GTEST_SKIP() << "no EGM96 grid for PROJ";
  // EGM96 geoid height at 0N 0E is 17.16 m (NGA EGM96 tables).
  EXPECT_NEAR(egm96_undulation_m({0.0, 0.0}), 17.16, 0.05);
  const std::string out = test::shell(
      "echo '104.92 11.55 0' | cct -d 4 +proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
      "+step +proj=vgridshift +grids=egm96_15.gtx +multiplier=1");
  std::istringstream is(out);
  double x, y, z;
  ASSERT_TRUE(is >> x >> y >> z) << out;
  EXPECT_NEAR(egm96_undulation_m({11.55, 104.92}), z, 1e-3);
}

TEST(Crs, ThreadsEachUseTheirOwnContext) {
  std::vector<std::thread> ts;
  std::vector<double> xs(4);
  for (int i = 0; i < 4; ++i)
    ts.emplace_back([&, i] {
      for (int k = 0; k < 200; ++k) xs[static_cast<std::size_t>(i)] = map_from_lat_lon("EPSG:32648", {11.55, 104.92}).x;
    });
  for (auto& t : ts) t.join();
  for (double x : xs) EXPECT_DOUBLE_EQ(x, xs[0]);
}

TEST(GeoTransform, InverseRoundTripWithRotation) {
  GeoTransform g;
  g.c = {500000.0, 0.5, 0.1, 1200000.0, 0.2, -0.5};
  const cv::Point2d m = g.map_from_pixel(123.25, 456.75);
  const cv::Point2d p = g.pixel_from_map(m);
  EXPECT_NEAR(p.x, 123.25, 1e-9);
  EXPECT_NEAR(p.y, 456.75, 1e-9);
  GeoTransform singular;
  singular.c = {0, 1, 1, 0, 1, 1};
  EXPECT_THROW(singular.inverse(), Error);
}

TEST(GeoBox, ParseAndValidate) {
  const GeoBox b = parse_geo_box("104.9,11.5,105.0,11.6");
  EXPECT_DOUBLE_EQ(b.min_lon_deg, 104.9);
  EXPECT_DOUBLE_EQ(b.max_lat_deg, 11.6);
  EXPECT_THROW(parse_geo_box("104.9,95,105.0,96"), Error);
  EXPECT_THROW(parse_geo_box("105,11.5,104.9,11.6"), Error);
  EXPECT_THROW(parse_geo_box("1,2,3"), Error);
}
