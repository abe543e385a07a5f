// SPDX-License-Identifier: Apache-2.0
#include "geo/core/geodesy.hpp"

#include <geodesic.h>

#include <cmath>

#include "geo/core/error.hpp"

namespace geo {
namespace {
const geod_geodesic& wgs84() {
  static const geod_geodesic g = [] {
    geod_geodesic tmp{};
    geod_init(&tmp, 6378137.0, 1.0 / 298.257223563);
    return tmp;
  }();
  return g;
}
}  // namespace

GeodesicLine geodesic_inverse(const GeoPoint& a, const GeoPoint& b) {
  validate(a, "geodesic: first point");
  validate(b, "geodesic: second point");
  GeodesicLine out;
  geod_inverse(&wgs84(), a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg, &out.distance_m, &out.azimuth1_deg,
               &out.azimuth2_deg);
  return out;
}

GeoPoint geodesic_direct(const GeoPoint& from, double azimuth_deg, double distance_m) {
  validate(from, "geodesic: start point");
  if (!std::isfinite(azimuth_deg) || !std::isfinite(distance_m))
    throw Error(Errc::invalid_argument, "geodesic: azimuth and distance must be finite");
  GeoPoint out;
  double azi2 = 0.0;
  geod_direct(&wgs84(), from.lat_deg, from.lon_deg, azimuth_deg, distance_m, &out.lat_deg, &out.lon_deg, &azi2);
  return out;
}

double geodesic_area_m2(const std::vector<GeoPoint>& ring) {
  std::vector<double> lats, lons;
  for (std::size_t i = 0; i < ring.size(); ++i) {
    if (i + 1 == ring.size() && ring.size() > 1 && ring[i].lat_deg == ring[0].lat_deg &&
        ring[i].lon_deg == ring[0].lon_deg)
      break;
    validate(ring[i], "geodesic area: vertex");
    lats.push_back(ring[i].lat_deg);
    lons.push_back(ring[i].lon_deg);
  }
  if (lats.size() < 3) return 0.0;
  double area = 0.0, perimeter = 0.0;
  geod_polygonarea(&wgs84(), lats.data(), lons.data(), static_cast<int>(lats.size()), &area, &perimeter);
  return std::fabs(area);
}

}  // namespace geo
