// SPDX-License-Identifier: Apache-2.0
#include "geo/spatial/fix_consistency.hpp"

#include <algorithm>
#include <cmath>

#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/core/stats.hpp"

namespace geo::spatial {
namespace {

double distance(const GeoPoint& a, const GeoPoint& b) { return geodesic_inverse(a, b).distance_m; }

// Repeatedly flags the fix that needs an impossible speed both to be reached and to be left while its
// two neighbours (or, at an end, the next two) reach each other in time, until none does.
std::vector<bool> speed_outliers(const std::vector<PlacedFix>& f, const FixConsistencyOptions& o) {
  std::vector<bool> out(f.size(), false);
  auto too_fast = [&](std::size_t a, std::size_t b) {
    const double dt = std::max(std::abs(f[b].t_s - f[a].t_s), 0.5);
    const double d = std::max(0.0, distance(f[a].center, f[b].center) - f[a].error_m - f[b].error_m);
    return d / dt > o.max_speed_mps;
  };
  for (std::size_t round = 0; round < f.size(); ++round) {
    std::vector<std::size_t> kept;
    for (std::size_t i = 0; i < f.size(); ++i)
      if (!out[i]) kept.push_back(i);
    if (kept.size() < 3) break;
    bool changed = false;
    for (std::size_t k = 0; k < kept.size() && !changed; ++k) {
      const bool has_prev = k > 0, has_next = k + 1 < kept.size();
      const bool bad_in = has_prev && too_fast(kept[k - 1], kept[k]);
      const bool bad_out = has_next && too_fast(kept[k], kept[k + 1]);
      bool outlier = false;
      if (has_prev && has_next) outlier = bad_in && bad_out && !too_fast(kept[k - 1], kept[k + 1]);
      else if (has_next) outlier = bad_out && !too_fast(kept[k + 1], kept[k + 2]);
      else if (has_prev) outlier = bad_in && !too_fast(kept[k - 2], kept[k - 1]);
      if (outlier) {
        out[kept[k]] = true;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return out;
}

}  // namespace

Json to_json(const FixConsistencyOptions& o) {
  return Json{{"outlier_sigmas", o.outlier_sigmas}, {"max_speed_mps", o.max_speed_mps},
              {"static_slack_m", o.static_slack_m}, {"telemetry_error_m", o.telemetry_error_m}};
}

void validate(const FixConsistencyOptions& o) {
  const bool ok = std::isfinite(o.outlier_sigmas) && o.outlier_sigmas > 0 && std::isfinite(o.max_speed_mps) &&
                  o.max_speed_mps > 0 && std::isfinite(o.static_slack_m) && o.static_slack_m >= 0 &&
                  std::isfinite(o.telemetry_error_m) && o.telemetry_error_m >= 0;
  if (!ok)
    throw Error{Errc::invalid_argument, "fix consistency: outlier sigmas and speed must be positive, slack and "
                                        "telemetry error not negative (all finite)"};
}

FixConsistency check_fix_consistency(const std::vector<PlacedFix>& f, const FixConsistencyOptions& o) {
  FixConsistency c;
  c.outlier.assign(f.size(), false);
  if (f.empty()) return c;
  // The median centre in a local east/north plane around the first fix (geodesic distance and azimuth:
  // exact at any scale one video's fixes span).
  const GeoPoint ref = f.front().center;
  std::vector<double> xs, ys, errs;
  for (const auto& s : f) {
    const auto g = geodesic_inverse(ref, s.center);
    const double az = g.azimuth1_deg * M_PI / 180.0;
    xs.push_back(g.distance_m * std::sin(az));
    ys.push_back(g.distance_m * std::cos(az));
    errs.push_back(std::max(s.error_m, 0.5));
  }
  const double mx = median(xs), my = median(ys);
  for (std::size_t i = 0; i < f.size(); ++i) c.from_median_m.push_back(std::hypot(xs[i] - mx, ys[i] - my));
  const double med_err = median(errs);
  c.moving = median(c.from_median_m) > med_err + o.static_slack_m;
  std::vector<GeoPoint> cams;
  for (const auto& s : f)
    if (s.camera) cams.push_back(*s.camera);
  if (cams.size() >= 2) {
    double spread = 0;
    for (const auto& a : cams) spread = std::max(spread, distance(cams.front(), a));
    c.moving = spread > 2 * o.telemetry_error_m + o.static_slack_m;
  }
  if (f.size() < 3) return c;
  if (c.moving) {
    c.outlier = speed_outliers(f, o);
  } else {
    for (std::size_t i = 0; i < f.size(); ++i)
      c.outlier[i] = c.from_median_m[i] > o.outlier_sigmas * std::max(errs[i], med_err) + o.static_slack_m;
  }
  return c;
}

}  // namespace geo::spatial
