// SPDX-License-Identifier: Apache-2.0
// The per-cell kernel of solve_where (private; tests include it to measure it against spa_compute).
// The topocentric sun direction is the geocentric direction minus the observer's position (in units
// of the Sun's distance), expressed in the observer's east/north/up frame: the same geometry as the
// SPA's parallax equations (eqs. 38-43), without their trigonometric round trips.
#pragma once
#include <cmath>
#include <numbers>

#include "geo/chrono/spa.hpp"

namespace geo::chrono::detail {

// Per instant: the sun's geocentric declination and the parallax.
struct GridInstant {
  double gha_deg;      // Greenwich hour angle of the sun = apparent sidereal time - right ascension
  double sin_dec, cos_dec;
  double sin_xi;       // sine of the equatorial horizontal parallax
  explicit GridInstant(const SunGeocentric& g)
      : gha_deg(g.gast_deg - g.ra_deg),
        sin_dec(std::sin(g.dec_deg * std::numbers::pi / 180.0)),
        cos_dec(std::cos(g.dec_deg * std::numbers::pi / 180.0)),
        sin_xi(std::sin(8.794 / (3600.0 * g.radius_au) * std::numbers::pi / 180.0)) {}
};

// Per row (latitude; observer at sea level, as in the SPA's eqs. 38-39 with E = 0).
struct GridRow {
  double sin_phi, cos_phi, x, y;
  explicit GridRow(double lat_deg) {
    const double phi = lat_deg * std::numbers::pi / 180.0;
    sin_phi = std::sin(phi);
    cos_phi = std::cos(phi);
    const double u = std::atan2(0.99664719 * sin_phi, cos_phi);
    x = std::cos(u);
    y = 0.99664719 * std::sin(u);
  }
};

// Topocentric direction components (east, north, up) and its norm, for local hour angle H given by
// its sine and cosine.
struct Enu {
  double e, n, u, norm;
};
inline Enu grid_enu(const GridInstant& s, const GridRow& r, double sin_h, double cos_h) {
  // Equatorial frame turning with the observer: a = towards the meridian on the equator, b = east,
  // c = north pole. Sun: (cos d cos H, -cos d sin H, sin d). Observer: sin_xi * (x, 0, y).
  const double a = s.cos_dec * cos_h - s.sin_xi * r.x;
  const double b = -s.cos_dec * sin_h;
  const double c = s.sin_dec - s.sin_xi * r.y;
  Enu v;
  v.e = b;
  v.n = -r.sin_phi * a + r.cos_phi * c;
  v.u = r.cos_phi * a + r.sin_phi * c;
  v.norm = std::sqrt(a * a + b * b + c * c);
  return v;
}

inline double enu_elevation_deg(const Enu& v) {
  return std::asin(v.u / v.norm) * 180.0 / std::numbers::pi;
}
inline double enu_azimuth_deg(const Enu& v) {
  return wrap360(std::atan2(v.e, v.n) * 180.0 / std::numbers::pi);
}

}  // namespace geo::chrono::detail
