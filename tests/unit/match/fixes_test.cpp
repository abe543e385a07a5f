// SPDX-License-Identifier: Apache-2.0
// The frames of one video checked against each other after matching (match_detail::combine): a drone
// flying a straight line keeps every fix, a fix out of reach in time or far from a hovering camera's
// place is flagged. Positions are laid out with geodesic_direct, so distances are exact in metres.
#include <gtest/gtest.h>

#include <cmath>

#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/match/match.hpp"
#include "match/match_internal.hpp"

namespace {

using geo::FixStatus;
using geo::FrameFix;
using geo::GeoPoint;
using geo::MatchResult;

const GeoPoint kOrigin{47.0238, -99.1625};

GeoPoint at(double east_m, double north_m) {
  const double d = std::hypot(east_m, north_m);
  return d == 0 ? kOrigin : geo::geodesic_direct(kOrigin, std::atan2(east_m, north_m) * 180 / M_PI, d);
}

FrameFix located(std::optional<double> t, GeoPoint p, double err) {
  FrameFix f;
  f.pts_s = t;
  f.status = FixStatus::located;
  f.center = p;
  f.error_m = err;
  return f;
}

bool warned(const FrameFix& f, const std::string& words) {
  for (const auto& d : f.diagnostics.items())
    if (d.code == "match.outlier" && d.message.find(words) != std::string::npos) return true;
  return false;
}

// The demo's drone: 15 fixes over 27 s along a 394 m line (14.6 m/s), each 5.2 m. The first, second and
// last used to be flagged (their neighbours' median lay 2-3 frames' travel away) and their confidence
// halved in the case.
std::vector<FrameFix> drone_line() {
  const double t[] = {2.0, 2.9, 6.0, 8.0, 9.2, 11.9, 14.0, 15.0, 16.6, 19.0, 21.0, 23.0, 25.0, 27.0, 29.0};
  std::vector<FrameFix> f;
  for (double s : t) f.push_back(located(s, at((s - 2.0) * 394.0 / 27.0, 0), 5.2));
  return f;
}

TEST(MatchCombine, ADroneFlyingALineKeepsEveryFix) {
  MatchResult r;
  r.frames = drone_line();
  geo::match_detail::combine(r, {});
  EXPECT_EQ(r.located, 15);
  for (const auto& f : r.frames) EXPECT_FALSE(f.outlier) << *f.pts_s;
  ASSERT_TRUE(r.combined_center);
  EXPECT_EQ(r.camera_moved, std::optional<bool>(true));
}

TEST(MatchCombine, AFixOutOfReachOfAMovingCameraIsFlagged) {
  MatchResult r;
  r.frames = drone_line();
  r.frames[7].center = at(190, 800);  // 800 m off the line within 1-1.6 s of its neighbours
  geo::match_detail::combine(r, {});
  for (std::size_t i = 0; i < r.frames.size(); ++i) EXPECT_EQ(r.frames[i].outlier, i == 7) << i;
  EXPECT_TRUE(warned(r.frames[7], "more than 30 m/s"));
}

TEST(MatchCombine, TelemetrySaysAHoveringCameraStayedPut) {
  // The telemetry of a hovering camera: one place, so the fix 60 m from the others (errors 4 m) is wrong.
  MatchResult r;
  r.frames = {located(0, at(0, 0), 4), located(1, at(2, 3), 4), located(2, at(-3, 1), 4), located(3, at(60, 0), 4)};
  const std::vector<std::optional<GeoPoint>> hover(4, at(1, 1));
  geo::match_detail::combine(r, hover);
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(r.frames[i].outlier, i == 3) << i;
  EXPECT_TRUE(warned(r.frames[3], "the camera stayed put"));
  EXPECT_EQ(r.camera_moved, std::optional<bool>(false));
  ASSERT_TRUE(r.combined_center);
  EXPECT_LT(geo::geodesic_inverse(*r.combined_center, at(0, 1)).distance_m, 3.0);

  // The caller's rule: at 20 sigma (20 x 4 m + 5 m = 85 m) the same fix is within reach.
  MatchResult loose;
  loose.frames = {located(0, at(0, 0), 4), located(1, at(2, 3), 4), located(2, at(-3, 1), 4), located(3, at(60, 0), 4)};
  geo::spatial::FixConsistencyOptions twenty;
  twenty.outlier_sigmas = 20;
  geo::match_detail::combine(loose, hover, twenty);
  EXPECT_FALSE(loose.frames[3].outlier);
}

TEST(MatchCombine, TheRuleIsAnOptionRecordedAndChecked) {
  geo::MatchOptions o;
  EXPECT_DOUBLE_EQ(o.to_json()["consistency"]["max_speed_mps"].get<double>(), 30.0);
  EXPECT_DOUBLE_EQ(o.to_json()["consistency"]["outlier_sigmas"].get<double>(), 3.0);
  o.consistency.max_speed_mps = -1;
  EXPECT_THROW(o.validate(), geo::Error);
  o.consistency.max_speed_mps = 30;
  o.consistency.outlier_sigmas = std::nan("");
  EXPECT_THROW(o.validate(), geo::Error);
}

TEST(MatchCombine, PicturesWithoutTimesAreComparedWithTheirNeighbours) {
  MatchResult r;
  r.frames = {located({}, at(0, 0), 5), located({}, at(5, 0), 5), located({}, at(2000, 0), 5), located({}, at(10, 0), 5),
              located({}, at(15, 0), 5)};
  geo::match_detail::combine(r, {});
  for (std::size_t i = 0; i < r.frames.size(); ++i) EXPECT_EQ(r.frames[i].outlier, i == 2) << i;
  EXPECT_TRUE(warned(r.frames[2], "from the median of its neighbouring frames"));
  EXPECT_FALSE(r.camera_moved.has_value());  // without times: not known
}

TEST(MatchCombine, TwoFixesThatDisagreeAreNamedNotFlagged) {
  MatchResult r;
  r.frames = {located(0, at(0, 0), 5), located(1, at(900, 0), 5)};
  geo::match_detail::combine(r, {});
  EXPECT_FALSE(r.frames[0].outlier);
  EXPECT_FALSE(r.frames[1].outlier);
  ASSERT_EQ(r.diagnostics.items().size(), 1u);
  EXPECT_EQ(r.diagnostics.items()[0].code, "match.inconsistent");
}

}  // namespace
