// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <sstream>

#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/core/geopoint.hpp"

using namespace geo;

namespace {
// PROJ's geod CLI, the reference: "lat1 lon1 lat2 lon2" -> "az1 az2 dist".
bool geod_inverse_cli(const GeoPoint& a, const GeoPoint& b, double& dist_m, double& az1) {
  std::ostringstream cmd;
  cmd.precision(12);
  cmd << "echo '" << a.lat_deg << " " << a.lon_deg << " " << b.lat_deg << " " << b.lon_deg
      << "' | geod +ellps=WGS84 -I -f %.9f";
  FILE* p = ::popen(cmd.str().c_str(), "r");
  if (!p) return false;
  double az2 = 0;
  const int n = std::fscanf(p, "%lf %lf %lf", &az1, &az2, &dist_m);
  ::pclose(p);
  return n == 3;
}
}  // namespace

TEST(Geodesy, InverseAgreesWithProjGeodToAMillimetre) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<double> lat(-89.0, 89.0), lon(-180.0, 180.0);
  for (int i = 0; i < 20; ++i) {
    const GeoPoint a{lat(rng), lon(rng)}, b{lat(rng), lon(rng)};
    double ref_d = 0, ref_az = 0;
    ASSERT_TRUE(geod_inverse_cli(a, b, ref_d, ref_az)) << "geod (proj-bin) is needed as the reference";
    const auto g = geodesic_inverse(a, b);
    EXPECT_NEAR(g.distance_m, ref_d, 1e-3);
    EXPECT_NEAR(std::remainder(g.azimuth1_deg - ref_az, 360.0), 0.0, 1e-7);
  }
}

TEST(Geodesy, DirectInvertsInverse) {
  const GeoPoint kk{16.6647, 98.5122};
  const auto p = geodesic_direct(kk, 37.5, 12345.678);
  const auto g = geodesic_inverse(kk, p);
  EXPECT_NEAR(g.distance_m, 12345.678, 1e-6);
  EXPECT_NEAR(g.azimuth1_deg, 37.5, 1e-9);
}

TEST(Geodesy, AreaOfOneDegreeCellAtEquator) {
  // Published value for a 1x1 degree cell at the equator on WGS 84: about 12,308.8 km^2.
  const double a = geodesic_area_m2({{0, 0}, {0, 1}, {1, 1}, {1, 0}});
  EXPECT_NEAR(a / 1e6, 12308.8, 1.0);
}

TEST(GeoPoint, ValidatesAndParses) {
  EXPECT_THROW(validate(GeoPoint{95.0, 10.0}), Error);
  EXPECT_THROW(validate(GeoPoint{10.0, 200.0}), Error);
  EXPECT_THROW(parse_lat_lon("91,10"), Error);
  EXPECT_THROW(parse_lat_lon("abc,10"), Error);
  const auto p = parse_lat_lon("16.6647, 98.5122");
  EXPECT_DOUBLE_EQ(p.lat_deg, 16.6647);
  EXPECT_DOUBLE_EQ(p.lon_deg, 98.5122);
}
