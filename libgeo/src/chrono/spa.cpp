// SPDX-License-Identifier: Apache-2.0
#include "geo/chrono/spa.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <span>

#include "chrono/spa_tables.hpp"
#include "geo/core/error.hpp"

namespace geo::chrono {

namespace {
constexpr double kPi = std::numbers::pi;
constexpr double kDeg = kPi / 180.0;
inline double rad(double d) { return d * kDeg; }
inline double deg(double r) { return r / kDeg; }

double series(std::span<const detail::Term> terms, double jme) {
  double s = 0.0;
  for (const auto& t : terms) s += t.a * std::cos(t.b + t.c * jme);
  return s;
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}
}  // namespace

double wrap360(double d) noexcept {
  d = std::fmod(d, 360.0);
  return d < 0 ? d + 360.0 : d;
}
double wrap180(double d) noexcept {
  d = wrap360(d);
  return d > 180.0 ? d - 360.0 : d;
}

double decimal_year(UtcTime t) noexcept {
  const CivilDate d = utc_date(t);
  const double start = utc_from_civil({d.year, 1, 1}).unix_s();
  const double end = utc_from_civil({d.year + 1, 1, 1}).unix_s();
  return d.year + (t.unix_s() - start) / (end - start);
}

double delta_t_estimate_s(double y) noexcept {
  // Espenak & Meeus, "Polynomial expressions for Delta T" (NASA eclipse web site, 2006).
  if (y < 1800.0 || y >= 2150.0) {
    const double u = (y - 1820.0) / 100.0;
    return -20.0 + 32.0 * u * u;
  }
  if (y < 1860.0) {
    const double t = y - 1800.0;
    return 13.72 - 0.332447 * t + 0.0068612 * t * t + 0.0041116 * std::pow(t, 3) -
           0.00037436 * std::pow(t, 4) + 0.0000121272 * std::pow(t, 5) -
           0.0000001699 * std::pow(t, 6) + 0.000000000875 * std::pow(t, 7);
  }
  if (y < 1900.0) {
    const double t = y - 1860.0;
    return 7.62 + 0.5737 * t - 0.251754 * t * t + 0.01680668 * std::pow(t, 3) -
           0.0004473624 * std::pow(t, 4) + std::pow(t, 5) / 233174.0;
  }
  if (y < 1920.0) {
    const double t = y - 1900.0;
    return -2.79 + 1.494119 * t - 0.0598939 * t * t + 0.0061966 * std::pow(t, 3) -
           0.000197 * std::pow(t, 4);
  }
  if (y < 1941.0) {
    const double t = y - 1920.0;
    return 21.20 + 0.84493 * t - 0.076100 * t * t + 0.0020936 * std::pow(t, 3);
  }
  if (y < 1961.0) {
    const double t = y - 1950.0;
    return 29.07 + 0.407 * t - t * t / 233.0 + std::pow(t, 3) / 2547.0;
  }
  if (y < 1986.0) {
    const double t = y - 1975.0;
    return 45.45 + 1.067 * t - t * t / 260.0 - std::pow(t, 3) / 718.0;
  }
  if (y < 2005.0) {
    const double t = y - 2000.0;
    return 63.86 + 0.3345 * t - 0.060374 * t * t + 0.0017275 * std::pow(t, 3) +
           0.000651814 * std::pow(t, 4) + 0.00002373599 * std::pow(t, 5);
  }
  if (y < 2050.0) {
    const double t = y - 2000.0;
    return 62.92 + 0.32217 * t + 0.005589 * t * t;
  }
  const double u = (y - 1820.0) / 100.0;
  return -20.0 + 32.0 * u * u - 0.5628 * (2150.0 - y);
}

double standard_pressure_hpa(double h) noexcept {
  h = std::clamp(h, -500.0, 11000.0);
  return 1013.25 * std::pow(1.0 - 2.25577e-5 * h, 5.25588);
}
double standard_temperature_c(double h) noexcept {
  h = std::clamp(h, -500.0, 11000.0);
  return 15.0 - 0.0065 * h;
}

void SpaInput::validate() const {
  auto bad = [](const std::string& what) { throw Error{Errc::invalid_argument, "sun: " + what}; };
  if (!std::isfinite(lat_deg) || lat_deg < -90.0 || lat_deg > 90.0)
    bad("latitude " + num(lat_deg) + " is outside -90..90 degrees");
  if (!std::isfinite(lon_deg) || lon_deg < -180.0 || lon_deg > 180.0)
    bad("longitude " + num(lon_deg) + " is outside -180..180 degrees");
  if (!std::isfinite(elevation_m) || elevation_m < -500.0 || elevation_m > 9000.0)
    bad("elevation " + num(elevation_m) + " m is outside -500..9000 m");
  if (pressure_hpa && (!std::isfinite(*pressure_hpa) || *pressure_hpa <= 0 || *pressure_hpa > 5000))
    bad("pressure " + num(*pressure_hpa) + " hPa is outside 0..5000 hPa");
  if (temperature_c &&
      (!std::isfinite(*temperature_c) || *temperature_c <= -273.0 || *temperature_c > 6000))
    bad("temperature " + num(*temperature_c) + " C is outside -273..6000 C");
  if (delta_t_s && (!std::isfinite(*delta_t_s) || std::abs(*delta_t_s) > 1e6))
    bad("delta T " + num(*delta_t_s) + " s is not plausible");
  if (!std::isfinite(delta_ut1_s) || std::abs(delta_ut1_s) >= 1.0)
    bad("delta UT1 " + num(delta_ut1_s) + " s is outside -1..1 s");
  if (!std::isfinite(atmos_refract_deg) || std::abs(atmos_refract_deg) > 5.0)
    bad("atmospheric refraction " + num(atmos_refract_deg) + " deg is outside -5..5 deg");
  const double y = decimal_year(time);
  if (y < -2000.0 || y > 6000.0) bad("year " + num(y) + " is outside the SPA's range -2000..6000");
}

SunGeocentric sun_geocentric(UtcTime t, double delta_t_s, double delta_ut1_s) {
  if (!std::isfinite(delta_t_s) || !std::isfinite(delta_ut1_s))
    throw Error{Errc::invalid_argument, "sun: delta T is not finite"};
  SunGeocentric g;
  g.delta_t_s = delta_t_s;
  // Julian day from Unix time (exact; avoids the calendar arithmetic of the paper's eq. 4).
  g.jd = (t.unix_s() + delta_ut1_s) / 86400.0 + 2440587.5;
  g.jde = g.jd + delta_t_s / 86400.0;
  g.jc = (g.jd - 2451545.0) / 36525.0;
  g.jce = (g.jde - 2451545.0) / 36525.0;
  g.jme = g.jce / 10.0;
  const double jme = g.jme;

  using namespace detail;
  const double l = (series(kL0, jme) +
                    jme * (series(kL1, jme) +
                           jme * (series(kL2, jme) +
                                  jme * (series(kL3, jme) +
                                         jme * (series(kL4, jme) + jme * series(kL5, jme)))))) /
                   1e8;
  const double b = (series(kB0, jme) + jme * series(kB1, jme)) / 1e8;
  const double r = (series(kR0, jme) +
                    jme * (series(kR1, jme) +
                           jme * (series(kR2, jme) + jme * (series(kR3, jme) + jme * series(kR4, jme))))) /
                   1e8;
  g.helio_lon_deg = wrap360(deg(l));
  g.helio_lat_deg = deg(b);
  g.radius_au = r;
  g.geo_lon_deg = wrap360(g.helio_lon_deg + 180.0);
  g.geo_lat_deg = -g.helio_lat_deg;

  const double jce = g.jce, jce2 = jce * jce, jce3 = jce2 * jce;
  g.x[0] = 297.85036 + 445267.111480 * jce - 0.0019142 * jce2 + jce3 / 189474.0;
  g.x[1] = 357.52772 + 35999.050340 * jce - 0.0001603 * jce2 - jce3 / 300000.0;
  g.x[2] = 134.96298 + 477198.867398 * jce + 0.0086972 * jce2 + jce3 / 56250.0;
  g.x[3] = 93.27191 + 483202.017538 * jce - 0.0036825 * jce2 + jce3 / 327270.0;
  g.x[4] = 125.04452 - 1934.136261 * jce + 0.0020708 * jce2 + jce3 / 450000.0;
  double dpsi = 0.0, deps = 0.0;
  for (const auto& n : kNutation) {
    double arg = 0.0;
    for (int j = 0; j < 5; ++j) arg += g.x[j] * n.y[j];
    arg = rad(arg);
    dpsi += (n.a + n.b * jce) * std::sin(arg);
    deps += (n.c + n.d * jce) * std::cos(arg);
  }
  g.nutation_lon_deg = dpsi / 36000000.0;
  g.nutation_obl_deg = deps / 36000000.0;

  const double u = jme / 10.0;
  static constexpr double kEps[] = {84381.448, -4680.93, -1.55, 1999.25, -51.38, -249.67,
                                    -39.05,    7.12,     27.87, 5.79,    2.45};
  double e0 = 0.0;
  for (int i = 10; i >= 0; --i) e0 = e0 * u + kEps[i];
  g.mean_obliquity_arcsec = e0;
  g.obliquity_deg = e0 / 3600.0 + g.nutation_obl_deg;
  g.aberration_deg = -20.4898 / (3600.0 * r);
  g.apparent_lon_deg = g.geo_lon_deg + g.nutation_lon_deg + g.aberration_deg;

  const double jc = g.jc;
  g.gmst_deg = wrap360(280.46061837 + 360.98564736629 * (g.jd - 2451545.0) + 0.000387933 * jc * jc -
                       jc * jc * jc / 38710000.0);
  const double eps = rad(g.obliquity_deg);
  g.gast_deg = wrap360(g.gmst_deg + g.nutation_lon_deg * std::cos(eps));

  const double lam = rad(g.apparent_lon_deg), beta = rad(g.geo_lat_deg);
  g.ra_deg = wrap360(deg(std::atan2(std::sin(lam) * std::cos(eps) - std::tan(beta) * std::sin(eps),
                                    std::cos(lam))));
  g.dec_deg = deg(std::asin(std::sin(beta) * std::cos(eps) +
                            std::cos(beta) * std::sin(eps) * std::sin(lam)));

  // Equation of time (the paper's appendix A.1), minutes.
  const double m = 280.4664567 + 360007.6982779 * jme + 0.03032028 * jme * jme +
                   std::pow(jme, 3) / 49931.0 - std::pow(jme, 4) / 15300.0 -
                   std::pow(jme, 5) / 2000000.0;
  double e = wrap360(m - 0.0057183 - g.ra_deg + g.nutation_lon_deg * std::cos(eps)) * 4.0;
  if (e > 720.0) e -= 1440.0;
  g.eot_min = e;
  return g;
}

double refraction_deg(double e0, double p, double t, double atmos_refract_deg) noexcept {
  constexpr double kSunRadius = 0.26667;
  if (e0 < -(kSunRadius + atmos_refract_deg)) return 0.0;
  return (p / 1010.0) * (283.0 / (273.0 + t)) * 1.02 /
         (60.0 * std::tan(rad(e0 + 10.3 / (e0 + 5.11))));
}

namespace {
struct TopoDetail {
  double h, xi, dalpha, dec_topo, h_topo, e0, gamma;
};

TopoDetail topo_detail(const SunGeocentric& g, double lat, double lon, double elev_m) {
  TopoDetail d{};
  d.h = wrap360(g.gast_deg + lon - g.ra_deg);
  d.xi = 8.794 / (3600.0 * g.radius_au);
  const double phi = rad(lat);
  const double u = std::atan2(0.99664719 * std::sin(phi), std::cos(phi));
  const double x = std::cos(u) + elev_m / 6378140.0 * std::cos(phi);
  const double y = 0.99664719 * std::sin(u) + elev_m / 6378140.0 * std::sin(phi);
  const double sxi = std::sin(rad(d.xi));
  const double hr = rad(d.h), dr = rad(g.dec_deg);
  const double den = std::cos(dr) - x * sxi * std::cos(hr);
  const double da = std::atan2(-x * sxi * std::sin(hr), den);
  d.dalpha = deg(da);
  const double dt = std::atan2((std::sin(dr) - y * sxi) * std::cos(da), den);
  d.dec_topo = deg(dt);
  d.h_topo = d.h - d.dalpha;
  const double ht = rad(d.h_topo);
  d.e0 = deg(std::asin(std::clamp(
      std::sin(phi) * std::sin(dt) + std::cos(phi) * std::cos(dt) * std::cos(ht), -1.0, 1.0)));
  d.gamma = deg(std::atan2(std::sin(ht), std::cos(ht) * std::sin(phi) - std::tan(dt) * std::cos(phi)));
  return d;
}
}  // namespace

TopoSun topocentric(const SunGeocentric& g, double lat, double lon, double elev_m, double p,
                    double t, double atmos_refract_deg) {
  const TopoDetail d = topo_detail(g, lat, lon, elev_m);
  const double e = d.e0 + refraction_deg(d.e0, p, t, atmos_refract_deg);
  return {d.e0, e, wrap360(d.gamma + 180.0)};
}

SpaResult spa_compute(const SpaInput& in) {
  in.validate();
  SpaResult r;
  const double dt = in.delta_t_s ? *in.delta_t_s : delta_t_estimate_s(decimal_year(in.time));
  r.geo = sun_geocentric(in.time, dt, in.delta_ut1_s);
  r.pressure_hpa = in.pressure_hpa ? *in.pressure_hpa : standard_pressure_hpa(in.elevation_m);
  r.temperature_c = in.temperature_c ? *in.temperature_c : standard_temperature_c(in.elevation_m);
  const TopoDetail d = topo_detail(r.geo, in.lat_deg, in.lon_deg, in.elevation_m);
  r.hour_angle_deg = d.h;
  r.parallax_deg = d.xi;
  r.ra_parallax_deg = d.dalpha;
  r.ra_topo_deg = wrap360(r.geo.ra_deg + d.dalpha);
  r.dec_topo_deg = d.dec_topo;
  r.hour_angle_topo_deg = d.h_topo;
  r.elevation_true_deg = d.e0;
  r.refraction_deg = refraction_deg(d.e0, r.pressure_hpa, r.temperature_c, in.atmos_refract_deg);
  r.elevation_deg = d.e0 + r.refraction_deg;
  r.zenith_deg = 90.0 - r.elevation_deg;
  r.azimuth_astro_deg = wrap360(d.gamma);
  r.azimuth_deg = wrap360(d.gamma + 180.0);
  return r;
}

Json to_json(const SpaResult& r) {
  Json j;
  j["azimuth_deg"] = round_to(r.azimuth_deg, 6);
  j["elevation_deg"] = round_to(r.elevation_deg, 6);
  j["elevation_true_deg"] = round_to(r.elevation_true_deg, 6);
  j["zenith_deg"] = round_to(r.zenith_deg, 6);
  j["refraction_deg"] = round_to(r.refraction_deg, 6);
  j["pressure_hpa"] = round_to(r.pressure_hpa, 2);
  j["temperature_c"] = round_to(r.temperature_c, 2);
  j["delta_t_s"] = round_to(r.geo.delta_t_s, 3);
  Json s;
  s["julian_day"] = round_to(r.geo.jd, 8);
  s["right_ascension_deg"] = round_to(r.geo.ra_deg, 6);
  s["declination_deg"] = round_to(r.geo.dec_deg, 6);
  s["hour_angle_deg"] = round_to(r.hour_angle_deg, 6);
  s["earth_sun_distance_au"] = round_to(r.geo.radius_au, 8);
  s["equation_of_time_min"] = round_to(r.geo.eot_min, 4);
  s["apparent_sidereal_time_deg"] = round_to(r.geo.gast_deg, 6);
  j["spa"] = std::move(s);
  return j;
}

}  // namespace geo::chrono
