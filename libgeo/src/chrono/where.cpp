// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <thread>

#include "chrono/grid_kernel.hpp"
#include "geo/chrono/shadow.hpp"
#include "geo/core/error.hpp"

namespace geo::chrono {

namespace {
constexpr double kPi = std::numbers::pi;
constexpr double kDeg = kPi / 180.0;
constexpr double kEarthRadiusKm = 6371.0088;
constexpr double kSeaLevelP = 1013.25, kSeaLevelT = 15.0;

// True (unrefracted) elevation whose refracted value is `apparent_deg`, sea-level standard atmosphere.
double true_from_apparent(double apparent_deg) {
  double lo = -5.0, hi = 90.0;
  for (int i = 0; i < 60; ++i) {
    const double m = 0.5 * (lo + hi);
    if (m + refraction_deg(m, kSeaLevelP, kSeaLevelT) < apparent_deg) lo = m; else hi = m;
  }
  return 0.5 * (lo + hi);
}

struct ObsPlan {
  detail::GridInstant sun;
  std::vector<double> sin_h, cos_h;  // per column
  double sin_lo, sin_hi;             // true elevation limits (before widening), as sines of degrees
  double e_lo_deg, e_hi_deg;
  bool has_az;
  double sun_az_deg, az_tol_deg;
};
}  // namespace

void WhereOptions::validate() const {
  SpaInput in;
  in.time = time;
  in.delta_t_s = delta_t_s;
  in.validate();
  if (!std::isfinite(time_tol_min) || time_tol_min < 0 || time_tol_min > 24 * 60)
    throw Error{Errc::invalid_argument, "sun.where: time tolerance must be 0..1440 minutes"};
  if (!std::isfinite(resolution_deg) || resolution_deg < 0.01 || resolution_deg > 10)
    throw Error{Errc::invalid_argument, "sun.where: resolution must be 0.01..10 degrees"};
  const double rows = 180.0 / resolution_deg;
  if (std::abs(rows - std::round(rows)) > 1e-6)
    throw Error{Errc::invalid_argument, "sun.where: 180 must be a multiple of the resolution"};
  if (observations.empty())
    throw Error{Errc::invalid_argument, "sun.where: no observation (give --length-ratio and/or "
                                        "--shadow-azimuth-deg)"};
  for (const auto& o : observations) o.validate();
  if (threads < 1 || threads > 64) throw Error{Errc::invalid_argument, "sun.where: threads 1..64"};
}

bool WhereResult::contains(double lat, double lon) const noexcept {
  if (rows == 0 || !std::isfinite(lat) || !std::isfinite(lon)) return false;
  const int r = std::clamp(static_cast<int>(std::floor((lat + 90.0) / resolution_deg)), 0, rows - 1);
  const int c = std::clamp(static_cast<int>(std::floor((lon + 180.0) / resolution_deg)), 0, cols - 1);
  return mask[static_cast<std::size_t>(r) * cols + c] != 0;
}

WhereResult solve_where(const WhereOptions& o, const ProgressFn& progress) {
  o.validate();
  WhereResult res;
  const double step = o.resolution_deg;
  res.resolution_deg = step;
  res.rows = static_cast<int>(std::lround(180.0 / step));
  res.cols = static_cast<int>(std::lround(360.0 / step));
  const int rows = res.rows, cols = res.cols;
  const double t = o.time.unix_s();
  const double dt = o.delta_t_s ? *o.delta_t_s : delta_t_estimate_s(decimal_year(o.time));
  const double tol_s = o.time_tol_min * 60.0;
  report(progress, 0.0, "sun positions");

  // Time tolerance: shifting the time shifts the hour angle (a shift in longitude, handled by dilating
  // the mask along rows) and moves the declination (handled by widening every tolerance by the drift).
  double drift_deg = 0.0, shift_deg = 0.0;
  std::vector<ObsPlan> plans;
  for (const auto& ob : o.observations) {
    const auto g = sun_geocentric(UtcTime::from_unix_s(t + ob.offset_s), dt);
    if (tol_s > 0) {
      for (double s : {-tol_s, tol_s}) {
        const auto h = sun_geocentric(UtcTime::from_unix_s(t + ob.offset_s + s), dt);
        drift_deg = std::max(drift_deg, std::abs(h.dec_deg - g.dec_deg));
        shift_deg = std::max(shift_deg, std::abs(wrap180((h.gast_deg - h.ra_deg) - (g.gast_deg - g.ra_deg))));
      }
    }
    ObsPlan p{detail::GridInstant(g), {}, {}, 0, 0, 0, 0, false, 0, 0};
    p.sin_h.resize(cols);
    p.cos_h.resize(cols);
    for (int c = 0; c < cols; ++c) {
      const double lon = -180.0 + (c + 0.5) * step;
      const double h = (p.sun.gha_deg + lon) * kDeg;
      p.sin_h[c] = std::sin(h);
      p.cos_h[c] = std::cos(h);
    }
    double app_lo = 0.0, app_hi = 90.0;
    if (ob.length_ratio) {
      app_lo = std::max(0.0, std::atan(1.0 / (*ob.length_ratio + ob.ratio_tol)) / kDeg);
      if (*ob.length_ratio - ob.ratio_tol > 0) app_hi = std::atan(1.0 / (*ob.length_ratio - ob.ratio_tol)) / kDeg;
    }
    p.e_lo_deg = true_from_apparent(app_lo);
    p.e_hi_deg = app_hi >= 90.0 ? 90.0 : true_from_apparent(app_hi);
    p.has_az = ob.shadow_azimuth_deg.has_value();
    if (p.has_az) {
      p.sun_az_deg = wrap360(*ob.shadow_azimuth_deg + 180.0);
      p.az_tol_deg = ob.azimuth_tol_deg;
    }
    plans.push_back(std::move(p));
  }
  const int dilate = tol_s > 0 ? static_cast<int>(std::ceil(shift_deg / step - 1e-9)) : 0;

  res.mask.assign(static_cast<std::size_t>(rows) * cols, 0);
  auto do_rows = [&](int r0, int r1) {
    for (int r = r0; r < r1; ++r) {
      const double lat = -90.0 + (r + 0.5) * step;
      const detail::GridRow row(lat);
      // Half-diagonal of the cell in degrees of arc (at its widest latitude), plus the declination drift.
      const double lat_eq = std::max(0.0, std::abs(lat) - step / 2);
      const double half = 0.5 * step * std::sqrt(1.0 + std::pow(std::cos(lat_eq * kDeg), 2));
      const double widen = half + drift_deg;
      std::uint8_t* m = &res.mask[static_cast<std::size_t>(r) * cols];
      std::fill(m, m + cols, 1);
      for (const auto& p : plans) {
        const double s_lo = std::sin(std::max(-90.0, p.e_lo_deg - widen) * kDeg);
        const double s_hi = std::sin(std::min(90.0, p.e_hi_deg + widen) * kDeg);
        const double sin_w = std::sin(std::min(90.0, widen) * kDeg), cos_w = std::cos(std::min(90.0, widen) * kDeg);
        for (int c = 0; c < cols; ++c) {
          if (!m[c]) continue;
          const auto v = detail::grid_enu(p.sun, row, p.sin_h[c], p.cos_h[c]);
          const double se = v.u / v.norm;
          if (se < s_lo || se > s_hi) {
            m[c] = 0;
            continue;
          }
          if (!p.has_az) continue;
          const double az = std::atan2(v.e, v.n) / kDeg;
          const double diff = std::abs(wrap180(az - p.sun_az_deg));
          if (diff <= p.az_tol_deg) continue;
          // The azimuth of a target at zenith distance z moves by at most asin(sin w / sin(z - w))
          // when the observer (or the target) moves by w.
          const double sin_z = std::hypot(v.e, v.n) / v.norm, cos_z = se;
          const double sin_zw = sin_z * cos_w - cos_z * sin_w;
          if (sin_zw <= sin_w) continue;  // within w of the zenith: any azimuth
          if (diff > p.az_tol_deg + std::asin(sin_w / sin_zw) / kDeg) m[c] = 0;
        }
      }
      if (dilate > 0) {
        std::vector<std::uint8_t> src(m, m + cols);
        // Circular dilation by `dilate` cells through a running count.
        const int n = std::min(dilate, cols);
        int count = 0;
        for (int k = -n; k <= n; ++k) count += src[((k % cols) + cols) % cols];
        for (int c = 0; c < cols; ++c) {
          m[c] = count > 0;
          count -= src[((c - n) % cols + cols) % cols];
          count += src[(c + n + 1) % cols];
        }
      }
    }
  };
  const int nt = std::min(o.threads, rows);
  std::vector<std::thread> pool;
  for (int i = 1; i < nt; ++i) pool.emplace_back(do_rows, rows * i / nt, rows * (i + 1) / nt);
  do_rows(0, rows / nt);
  for (auto& th : pool) th.join();
  report(progress, 0.8, "polygons");

  // Runs per row, merged with identical runs of the row below into boxes.
  struct Open { int c0, c1; std::size_t box; };
  std::vector<Open> prev, cur;
  for (int r = 0; r < rows; ++r) {
    const std::uint8_t* m = &res.mask[static_cast<std::size_t>(r) * cols];
    cur.clear();
    const double south = -90.0 + r * step, north = -90.0 + (r + 1) * step;
    std::size_t cells = 0;
    for (int c = 0; c < cols;) {
      if (!m[c]) { ++c; continue; }
      int e = c;
      while (e < cols && m[e]) ++e;
      cells += static_cast<std::size_t>(e - c);
      auto it = std::find_if(prev.begin(), prev.end(), [&](const Open& p) { return p.c0 == c && p.c1 == e; });
      if (it != prev.end()) {
        res.boxes[it->box].north_deg = north;
        cur.push_back({c, e, it->box});
      } else {
        res.boxes.push_back({south, north, -180.0 + c * step, e == cols ? 180.0 : -180.0 + e * step});
        cur.push_back({c, e, res.boxes.size() - 1});
      }
      c = e;
    }
    res.cell_count += cells;
    res.area_km2 += static_cast<double>(cells) * kEarthRadiusKm * kEarthRadiusKm * step * kDeg *
                    (std::sin(north * kDeg) - std::sin(south * kDeg));
    std::swap(prev, cur);
  }
  if (res.cell_count == 0)
    res.empty_reason = o.observations.size() > 1
                           ? "no place on Earth fits all the observations at this time"
                           : "no place on Earth fits this observation at this time";
  if (tol_s > 0)
    res.diagnostics.info("sun.time_tolerance",
                         "time tolerance applied as a longitude dilation of " + std::to_string(dilate) +
                             " cells and a widening of " + std::to_string(drift_deg) +
                             " deg for the declination drift");
  report(progress, 1.0, "done");
  return res;
}

Json to_geojson(const WhereResult& r, const Provenance& prov) {
  Json fc;
  fc["type"] = "FeatureCollection";
  Json feats = Json::array();
  for (const auto& b : r.boxes) {
    Json f;
    f["type"] = "Feature";
    f["properties"] = Json::object();
    Json ring = Json::array({Json::array({b.west_deg, b.south_deg}), Json::array({b.east_deg, b.south_deg}),
                             Json::array({b.east_deg, b.north_deg}), Json::array({b.west_deg, b.north_deg}),
                             Json::array({b.west_deg, b.south_deg})});
    f["geometry"] = {{"type", "Polygon"}, {"coordinates", Json::array({ring})}};
    feats.push_back(std::move(f));
  }
  fc["features"] = std::move(feats);
  Json g;
  g["provenance"] = to_json(prov);
  g["cell_count"] = r.cell_count;
  g["area_km2"] = round_to(r.area_km2, 1);
  g["resolution_deg"] = r.resolution_deg;
  g["empty_reason"] = r.empty_reason.empty() ? Json(nullptr) : Json(r.empty_reason);
  g["method"] = "exact SPA sun at the instant, per-cell topocentric geometry at sea level with "
                "standard refraction; a cell is kept when any point in it can match (conservative)";
  g["diagnostics"] = to_json(r.diagnostics);
  fc["geoev"] = std::move(g);
  return fc;
}

}  // namespace geo::chrono
