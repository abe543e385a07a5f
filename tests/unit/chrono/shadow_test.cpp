// SPDX-License-Identifier: Apache-2.0
// Shadow solvers: round trips from shadows computed by the exact SPA back to the time (when) and the
// place (where), combinations of observations, and the explanations of empty results.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "geo/chrono/shadow.hpp"
#include "geo/chrono/spa.hpp"
#include "geo/core/error.hpp"

using namespace geo::chrono;

namespace {
struct Truth {
  double lat, lon;
  geo::UtcTime t;
  SpaResult sun;
};

Truth random_truth(std::mt19937& rng, double min_elevation_deg = 5.0) {
  std::uniform_real_distribution<double> lat(-65, 65), lon(-180, 180), sec(1.3e9, 1.7e9);
  for (;;) {
    SpaInput s;
    s.lat_deg = lat(rng);
    s.lon_deg = lon(rng);
    s.time = geo::UtcTime::from_unix_s(std::floor(sec(rng)));
    const auto r = spa_compute(s);
    if (r.elevation_deg > min_elevation_deg && r.elevation_deg < 80) return {s.lat_deg, s.lon_deg, s.time, r};
  }
}

ShadowObservation observe(const SpaResult& r, double az_tol = 2.0, double ratio_tol = 0.05) {
  const auto sh = shadow_from_sun(r.azimuth_deg, r.elevation_deg);
  ShadowObservation o;
  o.shadow_azimuth_deg = sh->azimuth_deg;
  o.azimuth_tol_deg = az_tol;
  o.length_ratio = sh->length_ratio;
  o.ratio_tol = ratio_tol;
  return o;
}
}  // namespace

TEST(Shadow, GeometryOfAVerticalObject) {
  // Sun due south at 45 deg: the shadow points north and is as long as the object.
  const auto sh = shadow_from_sun(180.0, 45.0);
  ASSERT_TRUE(sh);
  EXPECT_NEAR(sh->azimuth_deg, 0.0, 1e-12);
  EXPECT_NEAR(sh->length_ratio, 1.0, 1e-12);
  EXPECT_NEAR(shadow_from_sun(90.0, 30.0)->length_ratio, std::sqrt(3.0), 1e-12);
  EXPECT_FALSE(shadow_from_sun(90.0, -1.0));
}

TEST(ShadowWhen, WindowContainsTrueTime) {
  std::mt19937 rng(3);
  for (int i = 0; i < 60; ++i) {
    const auto tr = random_truth(rng);
    WhenOptions o;
    o.lat_deg = tr.lat;
    o.lon_deg = tr.lon;
    // The true instant's local date in mean solar time, so the whole day is on one date.
    const int off = static_cast<int>(std::lround(tr.lon / 15.0)) * 60;
    o.utc_offset_min = off;
    o.from = o.to = geo::utc_date(geo::UtcTime::from_unix_s(tr.t.unix_s() + off * 60.0));
    o.observations = {observe(tr.sun)};
    o.claimed_time = tr.t;
    const auto r = solve_when(o);
    bool inside = false;
    for (const auto& w : r.windows) inside |= w.start <= tr.t && tr.t <= w.end;
    EXPECT_TRUE(inside) << "case " << i << " at " << geo::format_utc(tr.t);
    ASSERT_TRUE(r.claim);
    EXPECT_TRUE(r.claim->consistent);
    EXPECT_NEAR(*r.claim->fits[0].azimuth_error_deg, 0.0, 1e-6);  // Delta T of the date vs of the instant
    // Window edges are refined to 0.5 s: 1 s outside an edge the observation does not fit, 1 s
    // inside it does (unless the edge is the end of the date).
    auto fits_at = [&](double t) {
      SpaInput s;
      s.lat_deg = tr.lat;
      s.lon_deg = tr.lon;
      s.time = geo::UtcTime::from_unix_s(t);
      s.delta_t_s = delta_t_estimate_s(decimal_year(s.time));
      const auto p = spa_compute(s);
      return fit_shadow(o.observations[0], {p.elevation_true_deg, p.elevation_deg, p.azimuth_deg}).fits;
    };
    const double day0 = geo::utc_from_civil(o.from).unix_s() - off * 60.0;
    for (const auto& w : r.windows) {
      EXPECT_LT(w.start, w.end);
      if (w.start.unix_s() > day0 + 1) {
        EXPECT_FALSE(fits_at(w.start.unix_s() - 1.0)) << geo::format_utc(w.start);
        EXPECT_TRUE(fits_at(w.start.unix_s() + 1.0)) << geo::format_utc(w.start);
      }
      if (w.end.unix_s() < day0 + 86400 - 1) {
        EXPECT_TRUE(fits_at(w.end.unix_s() - 1.0)) << geo::format_utc(w.end);
        EXPECT_FALSE(fits_at(w.end.unix_s() + 1.0)) << geo::format_utc(w.end);
      }
    }
  }
}

TEST(ShadowWhen, ClaimedTimeOffByAnHourIsInconsistent) {
  std::mt19937 rng(5);
  const auto tr = random_truth(rng, 20.0);
  WhenOptions o;
  o.lat_deg = tr.lat;
  o.lon_deg = tr.lon;
  o.from = o.to = geo::utc_date(tr.t);
  o.observations = {observe(tr.sun, 2.0, 0.02)};
  o.claimed_time = geo::UtcTime::from_unix_s(tr.t.unix_s() + 3600.0);
  const auto r = solve_when(o);
  ASSERT_TRUE(r.claim);
  EXPECT_FALSE(r.claim->consistent);
  // The nearest window edge is less than an hour away, but clearly more than a few minutes.
  EXPECT_GT(r.claim->minutes_outside, 5.0);
  EXPECT_LT(r.claim->minutes_outside, 60.0);
  EXPECT_GT(std::abs(*r.claim->fits[0].azimuth_error_deg), 2.0);
}

TEST(ShadowWhen, TwoFramesCombineToANarrowerWindow) {
  std::mt19937 rng(9);
  const auto tr = random_truth(rng, 15.0);
  SpaInput later;
  later.lat_deg = tr.lat;
  later.lon_deg = tr.lon;
  later.time = geo::UtcTime::from_unix_s(tr.t.unix_s() + 1800.0);
  auto a = observe(tr.sun, 3.0, 0.2);
  a.length_ratio.reset();
  auto b = observe(spa_compute(later), 3.0, 0.2);
  b.length_ratio.reset();
  b.offset_s = 1800.0;
  WhenOptions o;
  o.lat_deg = tr.lat;
  o.lon_deg = tr.lon;
  o.from = geo::utc_date(geo::UtcTime::from_unix_s(tr.t.unix_s() - 86400));
  o.to = geo::utc_date(geo::UtcTime::from_unix_s(tr.t.unix_s() + 86400));
  o.observations = {a};
  const auto one = solve_when(o);
  o.observations = {a, b};
  const auto two = solve_when(o);
  auto total = [](const WhenResult& r) {
    double s = 0;
    for (const auto& w : r.windows) s += w.end.unix_s() - w.start.unix_s();
    return s;
  };
  bool inside = false;
  for (const auto& w : two.windows) inside |= w.start <= tr.t && tr.t <= w.end;
  EXPECT_TRUE(inside);
  EXPECT_LE(total(two), total(one));
}

TEST(ShadowWhen, ImpossibleObservationsSayWhy) {
  WhenOptions o;
  o.lat_deg = 60;
  o.lon_deg = 10;
  o.from = o.to = {2021, 6, 21};
  ShadowObservation ob;
  ob.length_ratio = 0.05;  // the sun never gets within 3 deg of the zenith at 60 N
  ob.ratio_tol = 0.01;
  o.observations = {ob};
  auto r = solve_when(o);
  EXPECT_TRUE(r.windows.empty());
  EXPECT_NE(r.empty_reason.find("length ratio never"), std::string::npos) << r.empty_reason;
  // A shadow pointing south at noon in the northern summer never happens at 60 N.
  ShadowObservation south;
  south.shadow_azimuth_deg = 180.0;
  south.azimuth_tol_deg = 5.0;
  o.observations = {south};
  r = solve_when(o);
  EXPECT_TRUE(r.windows.empty());
  EXPECT_NE(r.empty_reason.find("never points"), std::string::npos) << r.empty_reason;
  // Polar night.
  o.lat_deg = 80;
  o.from = o.to = {2021, 12, 21};
  o.observations = {ob};
  r = solve_when(o);
  EXPECT_TRUE(r.windows.empty());
  EXPECT_NE(r.empty_reason.find("polar night"), std::string::npos) << r.empty_reason;
}

TEST(ShadowWhere, BandContainsTruePlace) {
  std::mt19937 rng(21);
  for (int i = 0; i < 8; ++i) {
    const auto tr = random_truth(rng);
    WhereOptions o;
    o.time = tr.t;
    o.resolution_deg = 0.5;
    auto ob = observe(tr.sun, 1.0, 0.01);
    if (i % 2) ob.shadow_azimuth_deg.reset();
    o.observations = {ob};
    const auto r = solve_where(o);
    EXPECT_TRUE(r.contains(tr.lat, tr.lon)) << "case " << i;
    EXPECT_GT(r.cell_count, 0u);
    EXPECT_LT(r.area_km2, 0.5 * 510e6);  // a band, not the whole sunlit hemisphere
    // Every box is a proper rectangle inside the world.
    for (const auto& b : r.boxes) {
      EXPECT_LT(b.south_deg, b.north_deg);
      EXPECT_LT(b.west_deg, b.east_deg);
      EXPECT_GE(b.west_deg, -180.0);
      EXPECT_LE(b.east_deg, 180.0);
    }
  }
}

TEST(ShadowWhere, CellsInTheBandReallyFit) {
  // Away from its edges, each kept cell's centre fits within the tolerances widened by half a cell:
  // check the centres against exact SPA.
  std::mt19937 rng(23);
  const auto tr = random_truth(rng, 20.0);
  WhereOptions o;
  o.time = tr.t;
  o.resolution_deg = 1.0;
  o.observations = {observe(tr.sun, 3.0, 0.05)};
  const auto r = solve_where(o);
  int checked = 0;
  for (int row = 0; row < r.rows; ++row)
    for (int c = 0; c < r.cols; ++c) {
      if (!r.mask[row * r.cols + c]) continue;
      SpaInput s;
      s.time = tr.t;
      s.lat_deg = -90 + row + 0.5;
      s.lon_deg = -180 + c + 0.5;
      const auto p = spa_compute(s);
      EXPECT_GT(p.elevation_deg, -1.0);
      const auto sh = shadow_from_sun(p.azimuth_deg, std::max(p.elevation_deg, 1e-3));
      // widened elevation limits: the cell half-diagonal is < 0.71 deg
      const double e_lo = std::atan(1.0 / (*o.observations[0].length_ratio + 0.05)) * 180 / M_PI - 0.71;
      const double e_hi = std::atan(1.0 / (*o.observations[0].length_ratio - 0.05)) * 180 / M_PI + 0.71;
      EXPECT_GE(p.elevation_deg, e_lo - 0.01);
      EXPECT_LE(p.elevation_deg, e_hi + 0.01);
      (void)sh;
      ++checked;
    }
  EXPECT_GT(checked, 0);
}

TEST(ShadowWhere, TimeToleranceWidensTheBand) {
  std::mt19937 rng(29);
  const auto tr = random_truth(rng, 10.0);
  WhereOptions o;
  o.time = geo::UtcTime::from_unix_s(tr.t.unix_s() + 20 * 60);  // clock 20 min off
  o.resolution_deg = 0.5;
  o.observations = {observe(tr.sun, 1.0, 0.01)};
  const auto narrow = solve_where(o);
  o.time_tol_min = 30;
  const auto wide = solve_where(o);
  EXPECT_GT(wide.cell_count, narrow.cell_count);
  EXPECT_TRUE(wide.contains(tr.lat, tr.lon));
}

TEST(ShadowWhere, RejectsBadOptions) {
  WhereOptions o;
  o.time = geo::parse_iso8601("2022-03-01T06:00:00Z").utc;
  EXPECT_THROW(solve_where(o), geo::Error);  // no observation
  ShadowObservation ob;
  ob.length_ratio = -1;
  o.observations = {ob};
  EXPECT_THROW(solve_where(o), geo::Error);
  o.observations[0].length_ratio = 1;
  o.resolution_deg = 0.7;  // 180 / 0.7 is not an integer
  EXPECT_THROW(solve_where(o), geo::Error);
}
