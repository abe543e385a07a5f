// SPDX-License-Identifier: Apache-2.0
// Sunrise, solar noon and sunset by root finding on the exact SPA (not the paper's appendix A.2
// interpolation): sunrise/sunset are the instants when the topocentric, unrefracted elevation of the
// sun's centre crosses `horizon_deg` (default -0.8333 deg = 0.5667 deg standard refraction + 0.2667 deg
// semi-diameter), solar noon is the instant when the local (geocentric) hour angle is zero. Roots are
// refined to 0.01 s. Thread-safe, pure.
#pragma once
#include <optional>
#include <string>

#include "geo/core/diagnostics.hpp"
#include "geo/core/json.hpp"
#include "geo/core/time.hpp"

namespace geo::chrono {

struct SunTimesOptions {
  double lat_deg = 0.0;
  double lon_deg = 0.0;                 // east positive
  double elevation_m = 0.0;             // observer height (parallax only; no horizon dip)
  CivilDate date;                       // the local date (see utc_offset_min)
  std::optional<int> utc_offset_min;    // the date's zone; default: UTC
  std::optional<double> delta_t_s;      // default: delta_t_estimate_s
  double horizon_deg = -0.8333;
  void validate() const;  // throws Error{invalid_argument}
};

struct SunTimes {
  std::optional<UtcTime> sunrise;       // empty: no rising on that day (polar day or night)
  UtcTime solar_noon;                   // upper transit on the local date
  std::optional<UtcTime> sunset;
  double noon_elevation_deg = 0.0;      // true topocentric elevation at solar noon
  std::string polar;                    // "", "polar_day" (sun up all day), "polar_night"
  double delta_t_s = 0.0;
  Diagnostics diagnostics;
};

// Throws Error{invalid_argument} for invalid options.
SunTimes sun_times(const SunTimesOptions& opts);

// {"sunrise_utc", "solar_noon_utc", "sunset_utc", [local variants], "polar", "note", ...}
Json to_json(const SunTimes& t, const std::optional<int>& utc_offset_min);

}  // namespace geo::chrono
