// SPDX-License-Identifier: Apache-2.0
#include "geo/chrono/shadow.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>

#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"
#include "geo/core/text.hpp"

namespace geo::chrono {

namespace {
constexpr double kDeg = std::numbers::pi / 180.0;

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}
}  // namespace

void ShadowObservation::validate() const {
  const std::string who = "sun: observation" + (label.empty() ? "" : " '" + label + "'") + ": ";
  auto bad = [&](const std::string& m) { throw Error{Errc::invalid_argument, who + m}; };
  if (!shadow_azimuth_deg && !length_ratio) bad("needs a shadow azimuth or a length ratio");
  if (shadow_azimuth_deg && (!std::isfinite(*shadow_azimuth_deg) || *shadow_azimuth_deg < -360 ||
                             *shadow_azimuth_deg > 360))
    bad("shadow azimuth " + num(*shadow_azimuth_deg) + " is outside -360..360 degrees");
  if (!std::isfinite(azimuth_tol_deg) || azimuth_tol_deg < 0 || azimuth_tol_deg > 180)
    bad("azimuth tolerance " + num(azimuth_tol_deg) + " is outside 0..180 degrees");
  if (length_ratio && (!std::isfinite(*length_ratio) || *length_ratio <= 0 || *length_ratio > 1e4))
    bad("length ratio " + num(*length_ratio) + " must be > 0 (shadow length / object height)");
  if (!std::isfinite(ratio_tol) || ratio_tol < 0) bad("ratio tolerance must be >= 0");
  if (!std::isfinite(offset_s) || std::abs(offset_s) > 86400 * 2) bad("offset must be within 2 days");
}

std::vector<ShadowObservation> parse_observations(const Json& j) {
  const Json* arr = &j;
  if (j.is_object() && j.contains("observations")) arr = &j["observations"];
  if (!arr->is_array() || arr->empty())
    throw Error{Errc::corrupt_data, "sun: observations: expected a non-empty array \"observations\""};
  std::vector<ShadowObservation> out;
  for (const auto& o : *arr) {
    if (!o.is_object()) throw Error{Errc::corrupt_data, "sun: observations: each must be an object"};
    ShadowObservation s;
    try {
      if (o.contains("shadow_azimuth_deg")) s.shadow_azimuth_deg = o["shadow_azimuth_deg"].get<double>();
      if (o.contains("azimuth_tol_deg")) s.azimuth_tol_deg = o["azimuth_tol_deg"].get<double>();
      if (o.contains("length_ratio")) s.length_ratio = o["length_ratio"].get<double>();
      if (o.contains("ratio_tol")) s.ratio_tol = o["ratio_tol"].get<double>();
      if (o.contains("offset_s")) s.offset_s = o["offset_s"].get<double>();
      if (o.contains("label")) s.label = o["label"].get<std::string>();
    } catch (const Json::exception& e) {
      throw Error{Errc::corrupt_data, std::string("sun: observations: ") + e.what()};
    }
    s.validate();
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<ShadowObservation> read_observations_file(const std::filesystem::path& path) {
  const std::string text = read_file_bounded(path, kMaxSmallInputBytes, "sun: observations");
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {
    throw Error{Errc::corrupt_data, "sun: observations: " + printable(path.string()) + ": not JSON: " + e.what()};
  }
  return parse_observations(j);
}

std::optional<Shadow> shadow_from_sun(double sun_azimuth_deg, double e) noexcept {
  if (!(e > 0.0)) return std::nullopt;
  return Shadow{wrap360(sun_azimuth_deg + 180.0), 1.0 / std::tan(e * kDeg)};
}

ShadowFit fit_shadow(const ShadowObservation& obs, const TopoSun& sun) noexcept {
  ShadowFit f;
  f.elevation_deg = sun.elevation_deg;
  const auto sh = shadow_from_sun(sun.azimuth_deg, sun.elevation_deg);
  f.sun_up = sh.has_value();
  if (!sh) return f;
  f.predicted_azimuth_deg = sh->azimuth_deg;
  f.predicted_ratio = sh->length_ratio;
  bool ok = true;
  if (obs.shadow_azimuth_deg) {
    f.azimuth_error_deg = wrap180(*obs.shadow_azimuth_deg - sh->azimuth_deg);
    ok = ok && std::abs(*f.azimuth_error_deg) <= obs.azimuth_tol_deg;
  }
  if (obs.length_ratio) {
    f.ratio_error = *obs.length_ratio - sh->length_ratio;
    ok = ok && std::abs(*f.ratio_error) <= obs.ratio_tol;
  }
  f.fits = ok;
  return f;
}

// ---- when ----

void WhenOptions::validate() const {
  SpaInput in;
  in.lat_deg = lat_deg;
  in.lon_deg = lon_deg;
  in.elevation_m = elevation_m;
  in.delta_t_s = delta_t_s;
  if (!is_valid_date(from.year, from.month, from.day) || !is_valid_date(to.year, to.month, to.day))
    throw Error{Errc::invalid_argument, "sun.when: invalid date"};
  in.time = utc_from_civil(from);
  in.validate();
  const auto days = days_from_civil(to.year, to.month, to.day) -
                    days_from_civil(from.year, from.month, from.day);
  if (days < 0) throw Error{Errc::invalid_argument, "sun.when: --to is before --from"};
  if (days > 366) throw Error{Errc::invalid_argument, "sun.when: at most 366 days at once"};
  if (utc_offset_min && std::abs(*utc_offset_min) > 14 * 60)
    throw Error{Errc::invalid_argument, "sun.when: UTC offset beyond +/-14:00"};
  if (observations.empty())
    throw Error{Errc::invalid_argument, "sun.when: no observation (give --shadow-azimuth-deg and/or "
                                        "--length-ratio, or --observations FILE)"};
  for (const auto& o : observations) o.validate();
  if (!std::isfinite(scan_step_s) || scan_step_s < 1 || scan_step_s > 600)
    throw Error{Errc::invalid_argument, "sun.when: scan step must be 1..600 s"};
}

namespace {

struct WhenEval {
  const WhenOptions& o;
  double dt;
  double pressure, temperature;
  TopoSun sun_at(double t) const {
    const auto g = sun_geocentric(UtcTime::from_unix_s(t), dt);
    return topocentric(g, o.lat_deg, o.lon_deg, o.elevation_m, pressure, temperature);
  }
  // > 0 when every observation fits at reference time t; the smallest remaining tolerance otherwise.
  double margin(double t) const { return eval(t).margin; }
  struct Eval {
    double margin;
    double safe_step_s;  // no fit state can change sooner than this
  };
  // The sun's speed on the sky is at most kOmega; its azimuth then moves at most kOmega / cos(e), its
  // elevation at most kOmega, the length ratio cot(e) at most kOmega / sin^2(e) (rad/s).
  Eval eval(double t) const {
    constexpr double kOmega = 0.0042 * 1.2;       // deg/s, with margin
    constexpr double kMaxStep = 0.8 / kOmega;     // the elevation moves < 0.8 deg per step
    double m = std::numeric_limits<double>::infinity();
    double inside_step = kMaxStep, outside_step = 0.0;
    bool inside = true;
    for (const auto& obs : o.observations) {
      const auto sun = sun_at(t + obs.offset_s);
      auto constraint = [&](double c_margin, double rate) {
        m = std::min(m, c_margin);
        const double s = std::abs(c_margin) / std::max(rate, 1e-12);
        if (c_margin >= 0) inside_step = std::min(inside_step, s);
        else { inside = false; outside_step = std::max(outside_step, s); }
      };
      constraint(sun.elevation_deg, kOmega);
      const double e_hi = std::min(89.99, std::abs(sun.elevation_deg) + 1.0);
      const double e_lo = sun.elevation_deg - 1.0;
      const auto f = fit_shadow(obs, sun);
      if (obs.shadow_azimuth_deg) {
        const double err = f.sun_up ? std::abs(*f.azimuth_error_deg) : 180.0;
        constraint(obs.azimuth_tol_deg - err, kOmega / std::cos(e_hi * kDeg));
      }
      if (obs.length_ratio) {
        const double err = f.sun_up ? std::abs(*f.ratio_error) : 1e9;
        const double rate = e_lo > 0.01 ? kOmega * kDeg / std::pow(std::sin(e_lo * kDeg), 2) : 1e9;
        constraint(obs.ratio_tol - err, rate);
      }
    }
    const double step = inside ? inside_step : outside_step;
    return {m, std::clamp(step, 0.5, kMaxStep)};
  }
  ShadowFit fit(const ShadowObservation& obs, double t) const {
    return fit_shadow(obs, sun_at(t + obs.offset_s));
  }
};

double refine(const WhenEval& e, double a, double b) {  // e.margin(a) and (b) differ in sign
  const bool a_in = e.margin(a) >= 0;
  while (b - a > 0.5) {
    const double m = 0.5 * (a + b);
    if ((e.margin(m) >= 0) == a_in) a = m; else b = m;
  }
  return 0.5 * (a + b);
}

}  // namespace

WhenResult solve_when(const WhenOptions& o, const ProgressFn& progress) {
  o.validate();
  WhenResult r;
  const int off = o.utc_offset_min.value_or(0);
  const double t0 = utc_from_civil(o.from).unix_s() - off * 60.0;
  const double t1 = utc_from_civil(o.to).unix_s() - off * 60.0 + 86400.0;
  const double dt = o.delta_t_s ? *o.delta_t_s : delta_t_estimate_s(decimal_year(UtcTime::from_unix_s(t0)));
  WhenEval e{o, dt, standard_pressure_hpa(o.elevation_m), standard_temperature_c(o.elevation_m)};

  // Closest approach per observation while the sun is up, to explain an empty result.
  const std::size_t n = o.observations.size();
  std::vector<double> best_az(n, 1e9), best_ratio(n, 1e9), ratio_min(n, 1e9);
  bool any_sun = false;
  double prev_t = t0;
  auto ev = e.eval(t0);
  double prev_m = ev.margin;
  bool is_open = prev_m >= 0;  // inside a window; it opened at open_t
  double open_t = t0;
  const double total = t1 - t0;
  for (double t = t0 + std::min(ev.safe_step_s, o.scan_step_s);;) {
    const double tt = std::min(t, t1);
    ev = e.eval(tt);
    const double m = ev.margin;
    for (std::size_t i = 0; i < n; ++i) {
      const auto f = e.fit(o.observations[i], tt);
      if (!f.sun_up) continue;
      any_sun = true;
      if (f.azimuth_error_deg) best_az[i] = std::min(best_az[i], std::abs(*f.azimuth_error_deg));
      if (f.ratio_error) best_ratio[i] = std::min(best_ratio[i], std::abs(*f.ratio_error));
      ratio_min[i] = std::min(ratio_min[i], f.predicted_ratio);
    }
    if ((m >= 0) != (prev_m >= 0)) {
      const double edge = refine(e, prev_t, tt);
      if (m >= 0) {
        open_t = edge;
        is_open = true;
      } else {
        r.windows.push_back({UtcTime::from_unix_s(open_t), UtcTime::from_unix_s(edge)});
        is_open = false;
      }
    }
    prev_t = tt;
    prev_m = m;
    report(progress, (tt - t0) / total, "scanning");
    if (tt >= t1) break;
    t = tt + std::min(ev.safe_step_s, o.scan_step_s);
  }
  if (is_open) r.windows.push_back({UtcTime::from_unix_s(open_t), UtcTime::from_unix_s(t1)});

  if (r.windows.empty()) {
    if (!any_sun) {
      r.empty_reason = "the sun is below the horizon all the time on these dates (polar night): no "
                       "shadow is possible";
    } else {
      std::string why;
      for (std::size_t i = 0; i < n; ++i) {
        const auto& ob = o.observations[i];
        const std::string who = n > 1 ? "observation " + std::to_string(i + 1) + ": " : "";
        if (ob.shadow_azimuth_deg && best_az[i] > ob.azimuth_tol_deg)
          why += who + "the shadow never points within " + num(ob.azimuth_tol_deg) + " deg of " +
                 num(*ob.shadow_azimuth_deg) + " deg here (closest " + num(best_az[i]) + " deg off); ";
        if (ob.length_ratio && best_ratio[i] > ob.ratio_tol)
          why += who + "the length ratio never comes within " + num(ob.ratio_tol) + " of " +
                 num(*ob.length_ratio) + " (shortest shadow of the period: ratio " + num(ratio_min[i]) +
                 "); ";
      }
      if (why.empty()) why = "each constraint is met at some time, but never all at once; ";
      r.empty_reason = why.substr(0, why.size() - 2);
    }
  }

  if (o.claimed_time) {
    ClaimCheck c;
    c.time = *o.claimed_time;
    const double tc = c.time.unix_s();
    for (const auto& ob : o.observations) c.fits.push_back(e.fit(ob, tc));
    c.consistent = e.margin(tc) >= 0;
    if (!c.consistent) {
      double best = std::numeric_limits<double>::infinity();
      for (const auto& w : r.windows)
        best = std::min({best, std::abs(w.start.unix_s() - tc), std::abs(w.end.unix_s() - tc)});
      c.minutes_outside = std::isfinite(best) ? best / 60.0 : -1.0;
      if (tc < t0 || tc >= t1)
        r.diagnostics.warn("sun.claim_outside_dates",
                           "the claimed time is outside the dates searched", format_utc(c.time));
    }
    r.claim = std::move(c);
  }
  return r;
}

Json to_json(const WhenResult& r, const std::optional<int>& off) {
  Json j;
  Json w = Json::array();
  for (const auto& x : r.windows) {
    Json k;
    k["start_utc"] = format_utc(x.start);
    k["end_utc"] = format_utc(x.end);
    if (off) {
      k["start_local"] = format_local(x.start, *off);
      k["end_local"] = format_local(x.end, *off);
    }
    k["duration_min"] = round_to((x.end.unix_s() - x.start.unix_s()) / 60.0, 2);
    w.push_back(std::move(k));
  }
  j["windows"] = std::move(w);
  if (!r.empty_reason.empty()) j["empty_reason"] = r.empty_reason;
  if (r.claim) {
    Json c;
    c["time_utc"] = format_utc(r.claim->time);
    c["consistent"] = r.claim->consistent;
    c["minutes_outside"] = r.claim->minutes_outside < 0 ? Json(nullptr)
                                                        : Json(round_to(r.claim->minutes_outside, 2));
    Json fits = Json::array();
    for (const auto& f : r.claim->fits) {
      Json k;
      k["sun_up"] = f.sun_up;
      k["elevation_deg"] = round_to(f.elevation_deg, 4);
      if (f.sun_up) {
        k["predicted_shadow_azimuth_deg"] = round_to(f.predicted_azimuth_deg, 4);
        k["predicted_length_ratio"] = round_to(f.predicted_ratio, 4);
      }
      k["azimuth_error_deg"] = f.azimuth_error_deg ? Json(round_to(*f.azimuth_error_deg, 4)) : Json(nullptr);
      k["ratio_error"] = f.ratio_error ? Json(round_to(*f.ratio_error, 4)) : Json(nullptr);
      k["fits"] = f.fits;
      fits.push_back(std::move(k));
    }
    c["observations"] = std::move(fits);
    j["claimed_time"] = std::move(c);
  }
  j["diagnostics"] = to_json(r.diagnostics);
  return j;
}

}  // namespace geo::chrono

namespace geo::chrono {

Json describe_position(const SpaInput& in, const SpaResult& r) {
  Json j;
  j["time_utc"] = format_utc(in.time, 3);
  j["lat_deg"] = in.lat_deg;
  j["lon_deg"] = in.lon_deg;
  j["elevation_m"] = in.elevation_m;
  j["pressure_hpa"] = round_to(r.pressure_hpa, 2);
  j["pressure_source"] = in.pressure_hpa ? "given" : "standard atmosphere at elevation";
  j["temperature_c"] = round_to(r.temperature_c, 2);
  j["temperature_source"] = in.temperature_c ? "given" : "standard atmosphere at elevation";
  j["delta_t_s"] = round_to(r.geo.delta_t_s, 3);
  j["delta_t_source"] = in.delta_t_s ? "given" : "Espenak-Meeus polynomial estimate";
  // The sun's values as to_json(SpaResult) writes them, after the inputs and their sources.
  const Json sun = to_json(r);
  for (const auto& [key, value] : sun.items())
    if (!j.contains(key)) j[key] = value;
  const auto sh = shadow_from_sun(r.azimuth_deg, r.elevation_deg);
  j["shadow_azimuth_deg"] = sh ? Json(round_to(sh->azimuth_deg, 6)) : Json(nullptr);
  j["shadow_length_ratio"] = sh ? Json(round_to(sh->length_ratio, 6)) : Json(nullptr);
  if (!sh) j["shadow_note"] = "the sun is below the horizon: no shadow";
  j["method"] = "NREL SPA (Reda & Andreas 2008); azimuth from north, clockwise; UT1 taken as UTC";
  return j;
}

Json to_json(const ShadowObservation& ob) {
  Json k;
  k["shadow_azimuth_deg"] = ob.shadow_azimuth_deg ? Json(*ob.shadow_azimuth_deg) : Json(nullptr);
  k["azimuth_tol_deg"] = ob.azimuth_tol_deg;
  k["length_ratio"] = ob.length_ratio ? Json(*ob.length_ratio) : Json(nullptr);
  k["ratio_tol"] = ob.ratio_tol;
  k["offset_s"] = ob.offset_s;
  return k;
}

Json where_parameters(const WhereOptions& o) {
  Json params;
  params["time_utc"] = format_utc(o.time, 3);
  params["time_tol_min"] = o.time_tol_min;
  params["resolution_deg"] = o.resolution_deg;
  params["delta_t_s"] = o.delta_t_s ? Json(*o.delta_t_s) : Json(nullptr);
  Json obs = Json::array();
  for (const auto& ob : o.observations) obs.push_back(to_json(ob));
  params["observations"] = std::move(obs);
  return params;
}

}  // namespace geo::chrono
