// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <optional>
#include <string>
#include <string_view>

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

// A point as people paste it (one parser for every command):
//   decimal degrees "11.5601,104.9170", "11.5601, 104.9170", "11.5601 104.9170" (and LAT,LON,H metres);
//   degrees-minutes-seconds with or without symbols, hemisphere letters before or after:
//   11°33'36.4"N 104°55'01.2"E, 11 33 36.4 N 104 55 1.2 E, N11°33.607' E104°55.02' (the letters decide
//   which is latitude, so E...N... is read correctly);
//   a map link's position: .../@11.5601,104.917,15z, ?q=LAT,LON, &ll=, OpenStreetMap #map=Z/LAT/LON.
// Throws Error{invalid_argument} "coordinates 'TEXT': why" for one number, minutes or seconds >= 60,
// a latitude beyond 90 (saying when the pair looks swapped), a longitude beyond 180, stray text.
GeoPoint parse_coordinates(std::string_view text);

// The same as parse_coordinates (kept for existing callers).
GeoPoint parse_lat_lon(const std::string& text);

// {"lat_deg":..,"lon_deg":..[, "alt_m":..]} with 7 decimals (about 1 cm).
Json to_json(const GeoPoint& p);

}  // namespace geo
