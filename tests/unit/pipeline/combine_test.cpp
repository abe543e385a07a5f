// SPDX-License-Identifier: Apache-2.0
// Frame fixes to a video's place: static camera, moving camera, outliers, telemetry and GPS checks.
// Positions are laid out with geodesic_direct, so every expected distance is exact in metres.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "geo/core/geodesy.hpp"
#include "geo/pipeline/combine.hpp"

namespace {

using geo::GeoPoint;
using geo::pipeline::FixSample;

const GeoPoint kOrigin{47.0160, -99.1580};

GeoPoint at(double east_m, double north_m) {
  const double d = std::hypot(east_m, north_m);
  if (d == 0) return kOrigin;
  return geo::geodesic_direct(kOrigin, std::atan2(east_m, north_m) * 180 / M_PI, d);
}
double dist(const GeoPoint& a, const GeoPoint& b) { return geo::geodesic_inverse(a, b).distance_m; }

FixSample fix(const std::string& name, double t, GeoPoint p, double err, double conf = 0.8) {
  FixSample s;
  s.frame = name;
  s.t_s = t;
  s.center = p;
  s.error_m = err;
  s.confidence = conf;
  const double h = 100;  // a 200 m square footprint
  s.footprint = {geo::geodesic_direct(p, 315, h * std::sqrt(2.0)), geo::geodesic_direct(p, 45, h * std::sqrt(2.0)),
                 geo::geodesic_direct(p, 135, h * std::sqrt(2.0)), geo::geodesic_direct(p, 225, h * std::sqrt(2.0))};
  return s;
}

TEST(Combine, StaticCameraGivesOnePlaceWithAnHonestError) {
  // Five fixes scattered 3 m around a point, each claiming 4 m: the place within 2 m of the truth, the
  // error not below one frame's (the frames share the imagery's registration error).
  std::mt19937 rng(3);
  std::normal_distribution<double> n(0, 3);
  std::vector<FixSample> f;
  for (int i = 0; i < 5; ++i) f.push_back(fix("f" + std::to_string(i), i * 2.0, at(n(rng), n(rng)), 4.0));
  const auto c = geo::pipeline::combine_fixes(f);
  ASSERT_EQ(c.kind, "place");
  EXPECT_LT(dist(c.place, kOrigin), 2.5);
  EXPECT_GE(c.error_m, 4.0);
  EXPECT_LT(c.error_m, 8.0);
  EXPECT_EQ(c.fixes_used, 5);
  EXPECT_TRUE(c.outliers.empty());
}

TEST(Combine, AFixFarBeyondItsErrorIsFlaggedNotAveraged) {
  std::vector<FixSample> f{fix("a", 0, at(0, 0), 4), fix("b", 1, at(2, 1), 4), fix("c", 2, at(-1, 2), 4),
                           fix("wrong", 3, at(400, -300), 5)};
  const auto c = geo::pipeline::combine_fixes(f);
  ASSERT_EQ(c.kind, "place");
  ASSERT_EQ(c.outliers.size(), 1u);
  EXPECT_EQ(c.outliers[0].rfind("wrong (", 0), 0u) << c.outliers[0];
  EXPECT_LT(dist(c.place, at(0.3, 1)), 2.0);  // the wrong fix pulled nothing
  EXPECT_LT(c.error_m, 10.0);
  EXPECT_EQ(c.fixes_used, 3);
}

TEST(Combine, MovingCameraGivesATrackThroughTheFixesInTimeOrder) {
  // A drone flying east at 10 m/s, a fix every 2 s, given out of order.
  std::vector<FixSample> f;
  for (int i : {3, 0, 4, 1, 2}) f.push_back(fix("f" + std::to_string(i), i * 2.0, at(i * 20.0, 0), 4));
  const auto c = geo::pipeline::combine_fixes(f);
  ASSERT_EQ(c.kind, "track");
  ASSERT_EQ(c.track.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_DOUBLE_EQ(c.track[i].t_s, 2.0 * static_cast<double>(i));
  EXPECT_NEAR(c.track_length_m, 80.0, 0.5);
  EXPECT_LT(dist(c.place, at(40, 0)), 0.5);  // the centroid
  EXPECT_NEAR(c.error_m, 44.0, 0.5);          // covers the ends: 40 m + 4 m
}

TEST(Combine, AJumpOutOfReachOfTheNeighboursIsFlaggedOnATrack) {
  std::vector<FixSample> f;
  for (int i = 0; i < 6; ++i) f.push_back(fix("f" + std::to_string(i), i * 2.0, at(i * 20.0, 0), 4));
  f[3].center = at(60, 900);  // 900 m off in 2 s: 450 m/s
  const auto c = geo::pipeline::combine_fixes(f);
  ASSERT_EQ(c.kind, "track");
  ASSERT_EQ(c.outliers.size(), 1u);
  EXPECT_EQ(c.outliers[0].rfind("f3 (", 0), 0u);
  EXPECT_EQ(c.track.size(), 5u);
}

TEST(Combine, TelemetryDecidesThatAHoveringCameraStayedPut) {
  // Fixes spread 15 m (their errors are 4 m) but the camera hovered: one place, the error widened to the scatter.
  std::vector<FixSample> f{fix("a", 0, at(0, 0), 4), fix("b", 1, at(15, 0), 4), fix("c", 2, at(0, 15), 4)};
  for (auto& s : f) s.camera = at(5, 5);
  const auto c = geo::pipeline::combine_fixes(f);
  ASSERT_EQ(c.kind, "place");
  EXPECT_GT(c.error_m, 7.0);
}

TEST(Combine, TelemetryAgreementAndDisagreementNameBothSources) {
  std::vector<FixSample> f;
  for (int i = 0; i < 4; ++i) {
    auto s = fix("f" + std::to_string(i), i, at(i * 20.0, 0), 4);
    s.predicted_center = at(i * 20.0 + 3, 2);  // 3.6 m from the fix
    s.predicted_tol_m = 12;
    f.push_back(s);
  }
  auto agree = geo::pipeline::compare_telemetry(f, {});
  EXPECT_EQ(agree.status, "agree");
  EXPECT_EQ(agree.agreeing, 4);
  EXPECT_NEAR(agree.median_distance_m, std::hypot(3.0, 2.0), 0.2);
  // A video whose GPS track was copied from another flight 2 km away.
  for (auto& s : f) s.predicted_center = geo::geodesic_direct(*s.predicted_center, 90, 2000);
  auto dis = geo::pipeline::compare_telemetry(f, {});
  EXPECT_EQ(dis.status, "disagree");
  EXPECT_EQ(dis.agreeing, 0);
  EXPECT_NE(dis.statement.find("telemetry puts"), std::string::npos) << dis.statement;
  EXPECT_NE(dis.statement.find("the imagery at"), std::string::npos);
}

TEST(Combine, MetadataGpsWithinItsErrorAgreesAndFarAwayDisagrees) {
  std::vector<FixSample> f{fix("a", 0, at(0, 0), 4)};
  const auto c = geo::pipeline::combine_fixes(f);
  EXPECT_EQ(geo::pipeline::compare_metadata_gps(at(20, 0), "quicktime", c, 0).status, "agree");
  const auto far = geo::pipeline::compare_metadata_gps(at(5000, 0), "quicktime", c, 100);
  EXPECT_EQ(far.status, "disagree");
  EXPECT_NEAR(far.median_distance_m, 5000, 1);
}

TEST(Combine, FootprintUnionCoversOverlappingFramesAsOnePolygon) {
  // Two 200 m squares overlapping by half: the union's area is 1.5 x 40 000 m^2.
  std::vector<std::vector<GeoPoint>> fps{fix("a", 0, at(0, 0), 1).footprint, fix("b", 0, at(100, 0), 1).footprint};
  const auto g = geo::pipeline::footprints_union(fps);
  ASSERT_EQ(g["type"], "Polygon");
  std::vector<GeoPoint> ring;
  for (const auto& c : g["coordinates"][0]) ring.push_back(GeoPoint{c[1].get<double>(), c[0].get<double>()});
  EXPECT_NEAR(geo::geodesic_area_m2(ring), 60000.0, 600.0);
  EXPECT_TRUE(geo::pipeline::footprints_union({}).is_null());
}

TEST(Combine, TelemetryAloneGivesTheCameraPath) {
  std::vector<geo::pipeline::TrackPoint> cam;
  for (int i = 0; i < 5; ++i) cam.push_back({i * 1.0, std::nullopt, at(i * 15.0, 0), 10, "telemetry"});
  const auto c = geo::pipeline::combine_telemetry(cam);
  EXPECT_EQ(c.kind, "track");
  EXPECT_NEAR(c.track_length_m, 60, 0.5);
}

}  // namespace

namespace {

TEST(Combine, AVideoCutFromTwoPlacesIsSplitAtTheCut) {
  // Shots 0 and 1 at one place (a cut between two views of it), shot 2 three kilometres away one second later.
  std::vector<FixSample> f{fix("a", 0, at(0, 0), 5), fix("b", 1, at(3, 2), 5), fix("c", 2.5, at(-2, 1), 5),
                           fix("d", 3.5, at(3000, 0), 5), fix("e", 4.5, at(3004, 3), 5)};
  f[0].shot = 0, f[1].shot = 0, f[2].shot = 1, f[3].shot = 2, f[4].shot = 2;
  const auto g = geo::pipeline::split_by_place(f);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[0].size(), 3u);  // shots 0 and 1 together: the same place
  EXPECT_EQ(g[1].size(), 2u);
  EXPECT_LT(dist(geo::pipeline::combine_fixes(g[1]).place, at(3002, 1.5)), 2.0);
  // A drone that keeps flying across a cut (20 m in 2 s) is one place, not two.
  std::vector<FixSample> flight{fix("a", 0, at(0, 0), 5), fix("b", 2, at(20, 0), 5)};
  flight[1].shot = 1;
  EXPECT_EQ(geo::pipeline::split_by_place(flight).size(), 1u);
}

}  // namespace
