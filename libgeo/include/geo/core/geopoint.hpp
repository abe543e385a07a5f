// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <optional>
#include <string>

#include "geo/core/json.hpp"

namespace geo {

// A geographic position on WGS 84: latitude and longitude in degrees (north and east positive), and an
// optional height in metres whose reference (ellipsoid or geoid) is stated by whoever produced it.
// Always a struct, never a lon/lat pair: axis order is decided in the adapters only.
struct GeoPoint {
  double lat_deg = 0.0;
  double lon_deg = 0.0;
  std::optional<double> h_m;
};

// True when the latitude is in [-90, 90], the longitude in [-180, 180] and both are finite.
bool is_valid(const GeoPoint& p) noexcept;

// Throws Error{invalid_argument} naming `what` and the offending value when `p` is not valid.
void validate(const GeoPoint& p, const std::string& what = "position");

// Parses "LAT,LON" or "LAT,LON,H" (decimal degrees, metres); throws Error{invalid_argument}.
GeoPoint parse_lat_lon(const std::string& text);

// {"lat_deg":..,"lon_deg":..[, "alt_m":..]} with 7 decimals (about 1 cm).
Json to_json(const GeoPoint& p);

}  // namespace geo
