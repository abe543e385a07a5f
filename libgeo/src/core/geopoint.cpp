// SPDX-License-Identifier: Apache-2.0
#include "geo/core/geopoint.hpp"

#include <cmath>
#include <sstream>

#include "geo/core/error.hpp"
#include "geo/core/text.hpp"

namespace geo {

bool is_valid(const GeoPoint& p) noexcept {
  return std::isfinite(p.lat_deg) && std::isfinite(p.lon_deg) && p.lat_deg >= -90.0 &&
         p.lat_deg <= 90.0 && p.lon_deg >= -180.0 && p.lon_deg <= 180.0 &&
         (!p.h_m || std::isfinite(*p.h_m));
}

void validate(const GeoPoint& p, const std::string& what) {
  if (is_valid(p)) return;
  std::ostringstream os;
  os.precision(10);
  os << what << ": impossible coordinates lat " << p.lat_deg << ", lon " << p.lon_deg
     << " (latitude must be within [-90, 90], longitude within [-180, 180])";
  throw Error(Errc::invalid_argument, os.str());
}

GeoPoint parse_lat_lon(const std::string& text) { return parse_coordinates(text); }

Json to_json(const GeoPoint& p) {
  Json j{{"lat_deg", round_to(p.lat_deg, 7)}, {"lon_deg", round_to(p.lon_deg, 7)}};
  if (p.h_m) j["alt_m"] = round_to(*p.h_m, 3);
  return j;
}

}  // namespace geo
