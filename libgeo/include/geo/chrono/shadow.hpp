// SPDX-License-Identifier: Apache-2.0
// Shadows: what a vertical object's shadow on level ground looks like at a place and time, when on a
// date an observed shadow fits (`solve_when`), and where on Earth it fits at a time (`solve_where`).
// Shadow azimuth = sun azimuth + 180 deg (from north, clockwise); length ratio = shadow length / object
// height = 1 / tan(apparent elevation). The sun must be above the horizon (apparent elevation > 0).
// All functions are pure and thread-safe (solve_where starts its own worker threads).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "geo/chrono/spa.hpp"
#include "geo/core/diagnostics.hpp"
#include "geo/core/json.hpp"
#include "geo/core/progress.hpp"
#include "geo/core/provenance.hpp"
#include "geo/core/time.hpp"

namespace geo::chrono {

// One measured shadow, with its measurement tolerances. At least one of azimuth and length ratio.
struct ShadowObservation {
  std::optional<double> shadow_azimuth_deg;  // direction the shadow points, from north clockwise
  double azimuth_tol_deg = 5.0;              // +/- degrees
  std::optional<double> length_ratio;        // shadow length / object height, > 0
  double ratio_tol = 0.1;                    // +/- (same unit as the ratio)
  double offset_s = 0.0;  // when this shadow was seen, relative to the reference instant (other frames)
  std::string label;
  void validate() const;  // throws Error{invalid_argument}
};

// Parses {"observations": [{"shadow_azimuth_deg", "azimuth_tol_deg", "length_ratio", "ratio_tol",
// "offset_s", "label"}, ...]} (or a bare array). Throws Error{corrupt_data|invalid_argument}.
std::vector<ShadowObservation> parse_observations(const Json& j);
// Reads and parses an observations file. Only a regular file of at most kMaxSmallInputBytes is read (a
// FIFO, a device such as /dev/zero or a larger file is refused unread, Error{invalid_argument});
// Error{not_found} when missing, Error{corrupt_data} naming the file and the parser's position when it
// is not JSON; then as parse_observations.
std::vector<ShadowObservation> read_observations_file(const std::filesystem::path& path);

// The shadow predicted by a sun position: empty when the sun is not above the horizon.
struct Shadow {
  double azimuth_deg = 0;
  double length_ratio = 0;
};
std::optional<Shadow> shadow_from_sun(double sun_azimuth_deg, double apparent_elevation_deg) noexcept;

// How one observation compares with the sun at one instant.
struct ShadowFit {
  bool sun_up = false;
  std::optional<double> azimuth_error_deg;  // observed - predicted, (-180, 180]
  std::optional<double> ratio_error;        // observed - predicted
  double predicted_azimuth_deg = 0, predicted_ratio = 0, elevation_deg = 0;
  bool fits = false;                        // within both tolerances
};
ShadowFit fit_shadow(const ShadowObservation& obs, const TopoSun& sun) noexcept;

// ---- when: time windows on dates ----
struct WhenOptions {
  double lat_deg = 0.0, lon_deg = 0.0, elevation_m = 0.0;
  CivilDate from, to;                  // inclusive local dates; at most 366 days
  std::optional<int> utc_offset_min;   // the dates' zone; default UTC
  std::vector<ShadowObservation> observations;  // all must fit (intersection)
  std::optional<UtcTime> claimed_time;  // checked against the windows
  std::optional<double> delta_t_s;
  // Largest scan step. The step adapts: it never exceeds the time the sun needs to change any fit (from
  // bounds on the sun's speed on the sky), so no window longer than 0.5 s is missed.
  double scan_step_s = 600.0;
  void validate() const;
};

struct TimeWindow {
  UtcTime start, end;
};

struct ClaimCheck {
  UtcTime time;
  bool consistent = false;
  double minutes_outside = 0.0;  // 0 inside a window, else distance to the nearest window edge
  std::vector<ShadowFit> fits;   // one per observation, at the claimed time (+ offset)
};

struct WhenResult {
  std::vector<TimeWindow> windows;  // sorted, disjoint, refined to ~1 s
  std::optional<ClaimCheck> claim;
  std::string empty_reason;         // why no window exists (empty when windows were found)
  Diagnostics diagnostics;
};

// Throws Error{invalid_argument} for invalid options.
WhenResult solve_when(const WhenOptions& opts, const ProgressFn& progress = {});
Json to_json(const WhenResult& r, const std::optional<int>& utc_offset_min);

// ---- where: the region of the Earth where a shadow fits at a time ----
struct WhereOptions {
  UtcTime time;
  double time_tol_min = 0.0;            // the true time is within +/- this
  std::vector<ShadowObservation> observations;
  double resolution_deg = 0.1;          // grid step; 180 / resolution must be an integer
  std::optional<double> delta_t_s;
  int threads = 2;
  void validate() const;
};

struct LatLonBox {
  double south_deg, north_deg, west_deg, east_deg;
};

struct WhereResult {
  int rows = 0, cols = 0;               // grid: row 0 starts at -90, column 0 at -180
  double resolution_deg = 0.1;
  std::vector<std::uint8_t> mask;       // rows * cols, 1 = the shadow can occur in this cell
  std::vector<LatLonBox> boxes;         // the mask as rectangles (row runs merged across rows)
  std::size_t cell_count = 0;
  double area_km2 = 0.0;                // spherical (R = 6371.0088 km)
  std::string empty_reason;
  Diagnostics diagnostics;
  // A cell is kept when any point inside it could match (conservative): tolerances are widened by the
  // cell's half-diagonal and the sun's declination drift over the time tolerance.
  bool contains(double lat_deg, double lon_deg) const noexcept;
};

// Throws Error{invalid_argument} for invalid options.
WhereResult solve_where(const WhereOptions& opts, const ProgressFn& progress = {});

// A GeoJSON FeatureCollection with one Polygon feature per box (valid, counter-clockwise, never
// crossing the antimeridian), and a foreign member "geoev" with the provenance and summary.
Json to_geojson(const WhereResult& r, const Provenance& provenance);
// The parameters of a where-solve as recorded in provenance (time, tolerances, grid, observations).
Json where_parameters(const WhereOptions& o);
// One observation as {"shadow_azimuth_deg", "azimuth_tol_deg", "length_ratio", "ratio_tol", "offset_s"}
// (the form parse_observations reads), null where not given.
Json to_json(const ShadowObservation& ob);

}  // namespace geo::chrono

namespace geo::chrono {

// The `sun position` answer: sun angles, the shadow of a vertical object (null with a note when the
// sun is not above the horizon), and the inputs and Delta T used.
Json describe_position(const SpaInput& in, const SpaResult& r);

}  // namespace geo::chrono
