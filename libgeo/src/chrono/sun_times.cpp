// SPDX-License-Identifier: Apache-2.0
#include "geo/chrono/sun_times.hpp"

#include <cmath>
#include <functional>

#include "geo/chrono/spa.hpp"
#include "geo/core/error.hpp"

namespace geo::chrono {

namespace {
constexpr double kDay = 86400.0;

UtcTime at(double unix_s) { return UtcTime::from_unix_s(unix_s); }

// Bisection on a sign change of f in [a, b] (f(a) and f(b) of opposite signs) to `tol_s`.
double bisect(const std::function<double(double)>& f, double a, double b, double tol_s) {
  double fa = f(a);
  while (b - a > tol_s) {
    const double m = 0.5 * (a + b);
    const double fm = f(m);
    if ((fm < 0) == (fa < 0)) {
      a = m;
      fa = fm;
    } else {
      b = m;
    }
  }
  return 0.5 * (a + b);
}
}  // namespace

void SunTimesOptions::validate() const {
  SpaInput in;
  in.lat_deg = lat_deg;
  in.lon_deg = lon_deg;
  in.elevation_m = elevation_m;
  in.delta_t_s = delta_t_s;
  in.time = utc_from_civil(date, 12);
  in.validate();
  if (!is_valid_date(date.year, date.month, date.day))
    throw Error{Errc::invalid_argument, "sun.times: invalid date " + format_date(date)};
  if (utc_offset_min && std::abs(*utc_offset_min) > 14 * 60)
    throw Error{Errc::invalid_argument, "sun.times: UTC offset beyond +/-14:00"};
  if (!std::isfinite(horizon_deg) || std::abs(horizon_deg) > 10)
    throw Error{Errc::invalid_argument, "sun.times: horizon must be within +/-10 degrees"};
}

SunTimes sun_times(const SunTimesOptions& o) {
  o.validate();
  SunTimes r;
  const int off = o.utc_offset_min.value_or(0);
  const double day_start = utc_from_civil(o.date).unix_s() - off * 60.0;
  const double dt = o.delta_t_s ? *o.delta_t_s : delta_t_estimate_s(decimal_year(at(day_start)));
  r.delta_t_s = dt;

  auto hour_angle = [&](double t) {
    const SunGeocentric g = sun_geocentric(at(t), dt);
    return wrap180(g.gast_deg + o.lon_deg - g.ra_deg);
  };
  auto elevation = [&](double t) {
    const SunGeocentric g = sun_geocentric(at(t), dt);
    return topocentric(g, o.lat_deg, o.lon_deg, o.elevation_m, 1013.25, 15.0).elevation_true_deg;
  };

  // Transit: start at mean solar noon of the local date, Newton steps on the hour angle (the sun's
  // hour angle advances 360.9856 - ~1 deg per day, i.e. about 0.25 deg per minute).
  double t = day_start + kDay / 2 + off * 60.0 - o.lon_deg / 15.0 * 3600.0;
  for (int i = 0; i < 6; ++i) t -= hour_angle(t) / 360.0 * kDay;
  // Keep the transit inside the local date.
  if (t < day_start) t += kDay;
  if (t >= day_start + kDay) t -= kDay;
  for (int i = 0; i < 3; ++i) t -= hour_angle(t) / 360.0 * kDay;
  r.solar_noon = at(t);
  r.noon_elevation_deg = elevation(t);

  const double h0 = o.horizon_deg;
  auto f = [&](double x) { return elevation(x) - h0; };
  // Search the half days before and after transit for the crossing nearest to transit, scanning in
  // 10-minute steps (the elevation is monotonic between lower and upper transits except very near the
  // poles, where the scan still brackets each crossing).
  constexpr double kStep = 600.0;
  auto find_crossing = [&](double dir) -> std::optional<double> {
    double a = t, fa = f(a);
    if (fa < 0) return std::nullopt;
    for (double s = kStep; s <= kDay / 2 + 1; s += kStep) {
      const double b = t + dir * s;
      const double fb = f(b);
      if (fb < 0) return dir > 0 ? bisect(f, a, b, 0.01) : bisect(f, b, a, 0.01);
      a = b;
      fa = fb;
    }
    return std::nullopt;
  };
  if (r.noon_elevation_deg < h0) {
    r.polar = "polar_night";
    r.diagnostics.info("sun.polar_night",
                       "the sun stays below the horizon all day: no sunrise or sunset on this date");
    return r;
  }
  auto as_time = [](std::optional<double> v) -> std::optional<UtcTime> {
    if (!v) return std::nullopt;
    return at(*v);
  };
  r.sunrise = as_time(find_crossing(-1.0));
  r.sunset = as_time(find_crossing(+1.0));
  if (!r.sunrise && !r.sunset) {
    r.polar = "polar_day";
    r.diagnostics.info("sun.polar_day",
                       "the sun stays above the horizon all day: no sunrise or sunset on this date");
  } else if (!r.sunrise || !r.sunset) {
    r.diagnostics.info("sun.no_crossing", std::string("no ") + (r.sunrise ? "sunset" : "sunrise") +
                                              " within 12 hours of solar noon on this date");
  }
  return r;
}

Json to_json(const SunTimes& t, const std::optional<int>& off) {
  Json j;
  auto put = [&](const char* key, const std::optional<UtcTime>& v) {
    const std::string k = key;
    j[k + "_utc"] = v ? Json(format_utc(*v)) : Json(nullptr);
    if (off) j[k + "_local"] = v ? Json(format_local(*v, *off)) : Json(nullptr);
  };
  put("sunrise", t.sunrise);
  put("solar_noon", t.solar_noon);
  put("sunset", t.sunset);
  if (t.sunrise && t.sunset)
    j["day_length_h"] = round_to((t.sunset->unix_s() - t.sunrise->unix_s()) / 3600.0, 4);
  j["noon_elevation_deg"] = round_to(t.noon_elevation_deg, 4);
  j["polar"] = t.polar.empty() ? Json(nullptr) : Json(t.polar);
  j["delta_t_s"] = round_to(t.delta_t_s, 3);
  j["method"] =
      "exact SPA, roots of the true topocentric elevation at the horizon (-0.8333 deg), 0.01 s";
  j["diagnostics"] = to_json(t.diagnostics);
  return j;
}

}  // namespace geo::chrono
