// SPDX-License-Identifier: Apache-2.0
// The join benchmark, run only by scripts/bench-join.sh (disabled in the normal suite).
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <random>

#include "geo/core/geodesy.hpp"
#include "geo/spatial/join.hpp"

using namespace geo;
using namespace geo::spatial;

TEST(Bench, DISABLED_Join100kEventsAgainst2kPolygons) {
  std::mt19937 rng(2026);
  std::uniform_real_distribution<double> u(0, 1);
  Registry reg;
  // 2,000 compound-sized polygons (10-16 vertices, 150-600 m radius) over 4 x 4 degrees near the Thai border.
  for (int i = 0; i < 2000; ++i) {
    Compound c;
    c.id = "g" + std::to_string(i);
    const GeoPoint ctr{12 + 4 * u(rng), 100 + 4 * u(rng)};
    const int nv = 10 + static_cast<int>(7 * u(rng));
    const double rad = 150 + 450 * u(rng);
    Ring r;
    for (int k = 0; k < nv; ++k) r.push_back(geodesic_direct(ctr, k * 360.0 / nv, rad * (0.75 + 0.25 * u(rng))));
    c.geometry.type = SiteGeometry::Type::polygon;
    c.geometry.polygons.push_back({r});
    reg.compounds.push_back(std::move(c));
  }
  std::vector<GeoPoint> events;
  for (int i = 0; i < 100000; ++i) events.push_back({12 + 4 * u(rng), 100 + 4 * u(rng)});
  JoinOptions opt;
  opt.uncertainty_m = 50;
  opt.within_m = 1000;
  opt.max_results = 1;
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  const std::clock_t cpu0 = std::clock();
  const CompoundIndex index(reg);
  const auto t1 = clock::now();
  std::size_t inside = 0;
  for (const auto& p : events) {
    const auto h = index.query(p, opt);
    inside += !h.empty() && h[0].relation == Relation::inside;
  }
  const auto t2 = clock::now();
  const double idx_cpu_s = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
  // Plain loop over all polygons on the first 100 events (the full run would take minutes), scaled.
  const int n_loop = 100;
  int agree = 0;
  for (int i = 0; i < n_loop; ++i) {
    const auto a = join_brute_force(reg, events[static_cast<std::size_t>(i)], opt);
    const auto b = index.query(events[static_cast<std::size_t>(i)], opt);
    agree += !a.empty() && !b.empty() && a[0].compound_id == b[0].compound_id;
  }
  const auto t3 = clock::now();
  const double build_s = std::chrono::duration<double>(t1 - t0).count();
  const double idx_s = std::chrono::duration<double>(t2 - t1).count();
  // t3-t2 also re-ran the index on those events; subtract its share.
  const double loop_s = (std::chrono::duration<double>(t3 - t2).count() - idx_s * n_loop / 100000.0) * (100000.0 / n_loop);
  std::printf("index build: %.3f s\nindexed join, 100000 events x 2000 polygons: %.3f s wall, %.3f s CPU incl. build (%d inside)\n",
              build_s, idx_s, idx_cpu_s, static_cast<int>(inside));
  std::printf("plain loop over all polygons (measured on %d events, scaled to 100000): %.1f s\n", n_loop, loop_s);
  std::printf("speed-up: %.0fx; nearest agree on %d/%d\n", loop_s / idx_s, agree, n_loop);
  EXPECT_EQ(agree, n_loop);
}
