// SPDX-License-Identifier: Apache-2.0
// The gazetteer (nearest town, context only) and joins across the antimeridian.
#include <gtest/gtest.h>

#include <cmath>
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
Compound antimeridian_box() {
  // 179.9 E .. 179.9 W (0.2 degrees across +-180), 0.1 degrees of latitude at 17 S (Fiji).
  Compound c;
  c.id = "am";
  c.name = "across the antimeridian";
  c.geometry.type = SiteGeometry::Type::polygon;
  c.geometry.polygons.push_back({Ring{{-17.05, 179.9}, {-17.05, -179.9}, {-16.95, -179.9}, {-16.95, 179.9}}});
  return c;
}
}  // namespace

TEST(Gazetteer, NearestTownAgreesWithGeographicLibOverEveryTown) {
  const Gazetteer gaz(shipped_gazetteer_path());
  ASSERT_GT(gaz.size(), 2000u);
  std::mt19937 rng(31);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<GeoPoint> pts;
  for (int i = 0; i < 3; ++i) pts.push_back({9 + 14 * u(rng), 97 + 10 * u(rng)});
  // Reference: GeographicLib inverse to every town of the file; the smallest distance and its azimuth.
  std::ostringstream py;
  py.precision(12);
  py << "import csv\nfrom geographiclib.geodesic import Geodesic\nG=Geodesic.WGS84\n"
     << "T=[(float(r['lat']),float(r['lon'])) for r in csv.DictReader(open('" << shipped_gazetteer_path().string() << "'))]\n"
     << "for (la,lo) in [";
  for (const auto& p : pts) py << "(" << p.lat_deg << "," << p.lon_deg << "),";
  py << "]:\n  b=min((G.Inverse(a,o,la,lo) for (a,o) in T), key=lambda g: g['s12'])\n"
        "  print('%.6f %.6f' % (b['s12'], b['azi1'] % 360))\n";
  const auto ref = test::run_python_numbers(py.str());
  ASSERT_EQ(ref.size(), 2 * pts.size()) << "python3-geographiclib is needed under /usr/bin/python3";
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const auto t = gaz.nearest(pts[i]);
    ASSERT_TRUE(t.has_value());
    EXPECT_NEAR(t->distance_m, ref[2 * i], 0.01) << t->name;
    EXPECT_NEAR(t->bearing_from_town_deg, ref[2 * i + 1], 1e-6) << t->name;
  }
  EXPECT_FALSE(gaz.nearest(GeoPoint{48.85, 2.35}, 100000.0).has_value());  // Paris: no town within 100 km
}

TEST(Gazetteer, BadFilesAreClearErrors) {
  test::ScratchDir d;
  EXPECT_THROW(Gazetteer(d / "missing.csv"), Error);
  test::write_bytes(d / "nocol.csv", "country,name,latitude,lon\nKH,A,11,104\n");
  try {
    Gazetteer g(d / "nocol.csv");
    FAIL() << "accepted a file without a lat column";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no 'lat' column"), std::string::npos) << e.what();
  }
  test::write_bytes(d / "badlat.csv", "country,name,lat,lon\nKH,A,11,104\nKH,B,200,104\n");
  try {
    Gazetteer g(d / "badlat.csv");
    FAIL() << "accepted latitude 200";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
  }
}

TEST(Antimeridian, ContainmentDistanceAndShareAcrossPlusMinus180) {
  Registry reg;
  reg.compounds.push_back(antimeridian_box());
  const Polygon& poly = reg.compounds[0].geometry.polygons[0];
  // Inside on both sides of the antimeridian, and on it.
  for (double lon : {179.95, -179.95, 180.0, -180.0, 179.91, -179.91}) EXPECT_TRUE(polygon_contains(poly, {-17.0, lon})) << lon;
  // Outside on both sides, and beyond the box's latitudes.
  for (double lon : {179.85, -179.85, 0.0, 90.0}) EXPECT_FALSE(polygon_contains(poly, {-17.0, lon})) << lon;
  EXPECT_FALSE(polygon_contains(poly, {-16.9, 180.0}));
  // Distances from outside points on both sides: GeographicLib to the geodesic edge (the meridian edges
  // at 179.9 E and 179.9 W are geodesics, so the foot is at the point's latitude to < 1 mm).
  const std::vector<GeoPoint> out = {{-17.0, 179.85}, {-17.0, -179.85}, {-16.93, 180.0}};
  const auto ref = test::run_python_numbers(
      "from geographiclib.geodesic import Geodesic\nG=Geodesic.WGS84\n"
      "def seg(pl,po,al,ao,bl,bo):\n"
      "  L=G.InverseLine(al,ao,bl,bo); f=lambda s: G.Inverse(pl,po,L.Position(s)['lat2'],L.Position(s)['lon2'])['s12']\n"
      "  lo,hi=0.0,L.s13\n"
      "  for _ in range(200):\n"
      "    m1=lo+(hi-lo)*0.381966; m2=hi-(hi-lo)*0.381966\n"
      "    if f(m1)<f(m2): hi=m2\n"
      "    else: lo=m1\n"
      "  return f((lo+hi)/2)\n"
      "print('%.6f'%seg(-17.0,179.85,-16.95,179.9,-17.05,179.9))\n"
      "print('%.6f'%seg(-17.0,-179.85,-17.05,-179.9,-16.95,-179.9))\n"
      "print('%.6f'%seg(-16.93,180.0,-16.95,-179.9,-16.95,179.9))\n");
  ASSERT_EQ(ref.size(), 3u) << "python3-geographiclib is needed under /usr/bin/python3";
  const CompoundIndex index(reg);
  JoinOptions opt;
  opt.within_m = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto h = index.query(out[i], opt);
    ASSERT_EQ(h.size(), 1u);
    EXPECT_EQ(h[0].relation, Relation::nearest);
    EXPECT_NEAR(h[0].distance_m, ref[i], 0.01) << i;
    EXPECT_NEAR(join_brute_force(reg, out[i], opt)[0].distance_m, ref[i], 0.01) << i;
  }
  const auto in = index.query({-17.0, -179.99}, opt);
  ASSERT_EQ(in.size(), 1u);
  EXPECT_EQ(in[0].relation, Relation::inside);
  EXPECT_EQ(in[0].distance_m, 0.0);
  // p_inside for discs that straddle +-180: centred in the box (wholly inside), and on the west edge
  // (179.9 E, about half), against a Monte Carlo estimate.
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  for (const GeoPoint c : {GeoPoint{-17.0, 180.0}, GeoPoint{-17.0, 179.9}, GeoPoint{-17.04, -179.95}}) {
    JoinOptions o;
    o.uncertainty_m = 5000;
    const auto h = index.query(c, o);
    ASSERT_FALSE(h.empty());
    int hit = 0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) hit += polygon_contains(poly, geodesic_direct(c, 360.0 * u(rng), o.uncertainty_m * std::sqrt(u(rng))));
    EXPECT_NEAR(h[0].p_inside, static_cast<double>(hit) / n, 0.01) << c.lat_deg << "," << c.lon_deg;
  }
  // A point entry across the line: 0.02 deg of longitude apart at 17 S.
  Registry pts;
  Compound p;
  p.id = "pt";
  p.geometry.type = SiteGeometry::Type::point;
  p.geometry.point = {-17.0, 179.99};
  pts.compounds.push_back(p);
  const CompoundIndex pidx(pts);
  const auto ph = pidx.query({-17.0, -179.99}, opt);
  ASSERT_EQ(ph.size(), 1u);
  EXPECT_NEAR(ph[0].distance_m, geodesic_inverse({-17.0, 179.99}, {-17.0, -179.99}).distance_m, 1e-6);
  EXPECT_LT(ph[0].distance_m, 2200.0);
}

TEST(Antimeridian, RegistryValidationUnwrapsRingsThatCrossIt) {
  Registry reg;
  reg.compounds.push_back(antimeridian_box());
  reg.compounds[0].sources.push_back({"test", "", "", ""});
  // An irregular pentagon round 180 whose naive longitudes would make its edges cross.
  Compound c;
  c.id = "penta";
  c.sources.push_back({"test", "", "", ""});
  c.geometry.type = SiteGeometry::Type::polygon;
  Ring r;
  for (int k = 0; k < 5; ++k) r.push_back(geodesic_direct({-16.0, 180.0}, 15.0 + 72.0 * k, 3000.0 + 500.0 * k));
  c.geometry.polygons.push_back({r});
  reg.compounds.push_back(c);
  EXPECT_EQ(validate_registry(reg).count(Severity::error), 0u) << to_json(validate_registry(reg)).dump();
  // A real bow-tie across the line is still an error.
  Compound bow = c;
  bow.id = "bow";
  bow.geometry.polygons[0][0] = {{-16.0, 179.99}, {-15.99, -179.99}, {-16.0, -179.99}, {-15.99, 179.99}};
  reg.compounds.push_back(bow);
  const auto d = validate_registry(reg);
  ASSERT_EQ(d.count(Severity::error), 1u);
  for (const auto& it : d.items())
    if (it.severity == Severity::error) {
      EXPECT_EQ(it.where, "bow") << it.message;
    }
}
