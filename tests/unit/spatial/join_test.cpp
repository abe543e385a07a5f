// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <random>
#include <sstream>

#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/spatial/join.hpp"
#include "support/support.hpp"

using namespace geo;
using namespace geo::spatial;

namespace {
// GeographicLib (python3-geographiclib, under /usr/bin/python3) as the reference: distance from p to
// the geodesic segment a-b by dense sampling along the segment plus a golden-section refinement.
std::vector<double> geographiclib_segment_distances(const std::vector<std::array<GeoPoint, 3>>& cases) {
  std::ostringstream py;
  py.precision(15);
  py << "from geographiclib.geodesic import Geodesic\nG=Geodesic.WGS84\ncases=[";
  for (const auto& c : cases)
    py << "(" << c[0].lat_deg << "," << c[0].lon_deg << "," << c[1].lat_deg << "," << c[1].lon_deg << ","
       << c[2].lat_deg << "," << c[2].lon_deg << "),";
  py << "]\n"
        "for (pl,po,al,ao,bl,bo) in cases:\n"
        "  L=G.InverseLine(al,ao,bl,bo)\n"
        "  f=lambda s: G.Inverse(pl,po,*[L.Position(s)[k] for k in ('lat2','lon2')])['s12']\n"
        "  n=200; s=[L.s13*i/n for i in range(n+1)]; d=[f(x) for x in s]; i=d.index(min(d))\n"
        "  lo=s[max(0,i-1)]; hi=s[min(n,i+1)]\n"
        "  for _ in range(100):\n"
        "    m1=lo+(hi-lo)*0.381966; m2=hi-(hi-lo)*0.381966\n"
        "    if f(m1)<f(m2): hi=m2\n"
        "    else: lo=m1\n"
        "  print('%.6f'%min(min(d),f((lo+hi)/2)))\n";
  return test::run_python_numbers(py.str());
}

Polygon square_with_hole() {
  // 0.02 deg square near KK Park with a 0.004 deg hole in the middle.
  const double la = 16.62, lo = 98.55;
  Ring outer{{la, lo}, {la, lo + 0.02}, {la + 0.02, lo + 0.02}, {la + 0.02, lo}};
  Ring hole{{la + 0.008, lo + 0.008}, {la + 0.012, lo + 0.008}, {la + 0.012, lo + 0.012}, {la + 0.008, lo + 0.012}};
  return {outer, hole};
}
}  // namespace

TEST(Join, SegmentDistanceAgreesWithGeographicLibToOneCentimetre) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<std::array<GeoPoint, 3>> cases;
  for (int i = 0; i < 12; ++i) {
    const GeoPoint a{16.6 + 0.05 * u(rng), 98.5 + 0.05 * u(rng)};
    const GeoPoint b{a.lat_deg + 0.02 * u(rng), a.lon_deg + 0.02 * u(rng)};
    const GeoPoint p{a.lat_deg + 0.03 * u(rng), a.lon_deg + 0.03 * u(rng)};
    cases.push_back({p, a, b});
  }
  cases.push_back({GeoPoint{60.0, 10.0}, GeoPoint{59.0, 9.0}, GeoPoint{61.0, 11.5}});  // long, high latitude
  const auto ref = geographiclib_segment_distances(cases);
  ASSERT_EQ(ref.size(), cases.size()) << "python3-geographiclib is needed under /usr/bin/python3";
  for (std::size_t i = 0; i < cases.size(); ++i)
    EXPECT_NEAR(geodesic_distance_to_segment_m(cases[i][0], cases[i][1], cases[i][2]), ref[i], 0.01) << "case " << i;
}

TEST(Join, PointInPolygonBothSidesOfAnEdgeAndAcrossTheHole) {
  const Polygon poly = square_with_hole();
  // 1 m either side of the east edge (lon 98.57) at mid latitude.
  const GeoPoint mid{16.63, 98.57};
  const GeoPoint in = geodesic_direct(mid, 270.0, 1.0), out = geodesic_direct(mid, 90.0, 1.0);
  EXPECT_TRUE(polygon_contains(poly, in));
  EXPECT_FALSE(polygon_contains(poly, out));
  EXPECT_NEAR(geodesic_distance_to_outline_m(poly, out), 1.0, 0.01);
  // Across the hole's west edge (lon 98.558): outside the hole is inside the polygon.
  const GeoPoint hedge{16.63, 98.558};
  EXPECT_TRUE(polygon_contains(poly, geodesic_direct(hedge, 270.0, 1.0)));
  EXPECT_FALSE(polygon_contains(poly, geodesic_direct(hedge, 90.0, 1.0)));
  EXPECT_FALSE(polygon_contains(poly, GeoPoint{16.63, 98.56}));  // hole centre
}

TEST(Join, DiscFractionWithinOnePercentOfMonteCarlo) {
  const Polygon poly = square_with_hole();
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  const struct { GeoPoint c; double r; } cases[] = {
      {{16.63, 98.57}, 300.0},     // on the outer edge
      {{16.63, 98.558}, 400.0},    // over the hole edge
      {{16.62, 98.55}, 500.0},     // corner
      {{16.63, 98.56}, 800.0}};    // whole hole inside
  for (const auto& c : cases) {
    const int n = 40000;
    int hit = 0;
    for (int i = 0; i < n; ++i) {
      const auto q = geodesic_direct(c.c, 360.0 * u(rng), c.r * std::sqrt(u(rng)));
      hit += polygon_contains(poly, q);
    }
    const double mc = static_cast<double>(hit) / n;  // standard error <= 0.0025
    EXPECT_NEAR(disc_fraction_inside(poly, c.c, c.r), mc, 0.01) << c.c.lat_deg << "," << c.c.lon_deg;
  }
}

TEST(Join, IndexAgreesWithPlainLoop) {
  Registry reg;
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(0, 1);
  for (int i = 0; i < 300; ++i) {
    Compound c;
    c.id = "c" + std::to_string(i);
    const GeoPoint ctr{10 + 4 * u(rng), 100 + 4 * u(rng)};
    Ring r;
    const double rad = 100 + 400 * u(rng);
    for (int k = 0; k < 8; ++k) r.push_back(geodesic_direct(ctr, k * 45.0, rad * (0.7 + 0.3 * u(rng))));
    c.geometry.type = i % 10 == 0 ? SiteGeometry::Type::point : SiteGeometry::Type::polygon;
    c.geometry.point = ctr;
    if (i % 10) c.geometry.polygons.push_back({r});
    reg.compounds.push_back(c);
  }
  const CompoundIndex index(reg);
  JoinOptions opt;
  opt.uncertainty_m = 200;
  opt.max_results = 3;
  for (int i = 0; i < 200; ++i) {
    const GeoPoint p{10 + 4 * u(rng), 100 + 4 * u(rng)};
    const auto a = index.query(p, opt), b = join_brute_force(reg, p, opt);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(a[k].compound_id, b[k].compound_id);
      EXPECT_NEAR(a[k].distance_m, b[k].distance_m, 1e-4);  // two independent exact refinements
    }
  }
  EXPECT_THROW(index.query(GeoPoint{200, 0}, opt), Error);
}

TEST(Join, IndexedOutlineDistanceAgreesWithGeographicLibAtAnyLatitude) {
  // Eight triangles of 0.3-8 km edges at latitudes from -70 to 70 and points 0-40 km away: the index ranks on the
  // sphere and refines only some edges; its distance must still be the exact geodesic minimum.
  std::mt19937 rng(23);
  std::uniform_real_distribution<double> u(0, 1);
  Registry reg;
  std::vector<GeoPoint> pts;
  std::vector<std::array<GeoPoint, 3>> cases;
  const double lats[] = {-70, -45, -10, 0, 16, 35, 60, 70};
  constexpr int kTriangles = 8;
  for (int i = 0; i < kTriangles; ++i) {
    const GeoPoint ctr{lats[i % 8] + u(rng), -170 + 340 * u(rng)};
    Ring r;
    const double rad = 300 + 8000 * u(rng) * u(rng);
    for (int k = 0; k < 3; ++k) r.push_back(geodesic_direct(ctr, k * 120.0 + 30 * u(rng), rad));
    Compound c;
    c.id = "t" + std::to_string(i);
    c.geometry.type = SiteGeometry::Type::polygon;
    c.geometry.polygons.push_back({r});
    reg.compounds.push_back(c);
    const GeoPoint p = geodesic_direct(ctr, 360 * u(rng), rad + 40000 * u(rng));
    pts.push_back(p);
    for (int k = 0; k < 3; ++k) cases.push_back({p, r[k], r[(k + 1) % 3]});
  }
  const auto ref = geographiclib_segment_distances(cases);
  ASSERT_EQ(ref.size(), cases.size()) << "python3-geographiclib is needed under /usr/bin/python3";
  for (int i = 0; i < kTriangles; ++i) {
    Registry one;
    one.compounds.push_back(reg.compounds[static_cast<std::size_t>(i)]);
    const CompoundIndex index(one);
    JoinOptions opt;
    opt.max_results = 1;
    const auto h = index.query(pts[static_cast<std::size_t>(i)], opt);
    ASSERT_EQ(h.size(), 1u);
    const double want = std::min({ref[3 * i], ref[3 * i + 1], ref[3 * i + 2]});
    EXPECT_NEAR(h[0].distance_m, want, 0.01) << "triangle " << i << " at lat " << pts[static_cast<std::size_t>(i)].lat_deg;
  }
}

TEST(Join, IndexAgreesWithPlainLoopForLargeAndFarPolygons) {
  // Zones up to 60 km across at high latitudes, points up to 3,000 km away, with and without a cap.
  Registry reg;
  std::mt19937 rng(19);
  std::uniform_real_distribution<double> u(0, 1);
  for (int i = 0; i < 120; ++i) {
    Compound c;
    c.id = "z" + std::to_string(i);
    const GeoPoint ctr{40 + 25 * u(rng), -20 + 60 * u(rng)};
    Ring r;
    const double rad = 1000 + 30000 * u(rng);
    for (int k = 0; k < 6; ++k) r.push_back(geodesic_direct(ctr, k * 60.0, rad * (0.6 + 0.4 * u(rng))));
    c.geometry.type = SiteGeometry::Type::polygon;
    c.geometry.polygons.push_back({r});
    reg.compounds.push_back(c);
  }
  const CompoundIndex index(reg);
  for (int i = 0; i < 150; ++i) {
    const GeoPoint p{30 + 40 * u(rng), -40 + 100 * u(rng)};
    JoinOptions opt;
    opt.uncertainty_m = i % 2 ? 5000 : 0;
    opt.max_results = 2;
    if (i % 3 == 0) opt.max_distance_m = 50000;
    const auto a = index.query(p, opt), b = join_brute_force(reg, p, opt);
    ASSERT_EQ(a.size(), b.size()) << i;
    for (std::size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(a[k].compound_id, b[k].compound_id) << i;
      EXPECT_NEAR(a[k].distance_m, b[k].distance_m, 0.01) << i;
      EXPECT_NEAR(a[k].p_inside, b[k].p_inside, 1e-9) << i;
      if (opt.max_distance_m < 1e9) {
        EXPECT_LE(a[k].distance_m, opt.max_distance_m);
      }
    }
  }
}
