// SPDX-License-Identifier: Apache-2.0
// Benchmarks, disabled in the normal run; scripts/bench-sun.sh runs them with
// --gtest_also_run_disabled_tests. They print figures and assert nothing about speed.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>

#include "geo/chrono/shadow.hpp"
#include "geo/chrono/spa.hpp"

using namespace geo::chrono;
using Clock = std::chrono::steady_clock;

TEST(Bench, DISABLED_ExactSpaPositionsPerSecond) {
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> lat(-90, 90), lon(-180, 180), sec(3.15e8, 1.73e9);
  std::vector<SpaInput> in(200000);
  for (auto& s : in) {
    s.lat_deg = lat(rng);
    s.lon_deg = lon(rng);
    s.time = geo::UtcTime::from_unix_s(sec(rng));
    s.delta_t_s = 69.0;
  }
  double sink = 0;
  const auto t0 = Clock::now();
  for (const auto& s : in) sink += spa_compute(s).zenith_deg;
  const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("BENCH exact_spa_positions_per_s %.0f (single core, %zu positions, checksum %.3f)\n",
              in.size() / dt, in.size(), sink / in.size());
}

TEST(Bench, DISABLED_WhereGlobalTenthDegree) {
  WhereOptions o;
  o.time = geo::parse_iso8601("2024-03-10T03:00:00Z").utc;
  ShadowObservation ob;
  ob.length_ratio = 1.0;
  ob.ratio_tol = 0.05;
  ob.shadow_azimuth_deg = 300;
  ob.azimuth_tol_deg = 5;
  o.observations = {ob};
  o.resolution_deg = 0.1;
  o.threads = 2;
  auto t0 = Clock::now();
  const auto r = solve_where(o);
  const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
  // Baseline: exact spa_compute for each cell (single core), timed on 200k cells and scaled.
  const std::size_t cells = static_cast<std::size_t>(r.rows) * r.cols;
  SpaInput s;
  s.time = o.time;
  double sink = 0;
  t0 = Clock::now();
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    s.lat_deg = -90 + 180.0 * (i % 1800 + 0.5) / 1800;
    s.lon_deg = -180 + 360.0 * (i / 1800 + 0.5) / 3600;
    sink += spa_compute(s).elevation_deg;
  }
  const double per_cell = std::chrono::duration<double>(Clock::now() - t0).count() / n;
  std::printf("BENCH where_0.1deg_s %.3f (%zu cells, 2 threads, %zu polygons)\n", dt, cells, r.boxes.size());
  std::printf("BENCH baseline_exact_spa_per_cell_s %.1f (single core, extrapolated; checksum %.1f)\n",
              per_cell * cells, sink);
  std::printf("BENCH speedup_vs_baseline %.1fx\n", per_cell * cells / dt);
}
