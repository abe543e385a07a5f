// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <vector>

#include "geo/core/geopoint.hpp"

namespace geo {

// Geodesics on the WGS 84 ellipsoid (Karney's algorithms, through PROJ's geodesic library): accurate to
// nanometres, valid for any pair of points including antipodes. Heights are ignored. Thread-safe.

struct GeodesicLine {
  double distance_m = 0.0;
  double azimuth1_deg = 0.0;  // forward azimuth at the first point, clockwise from north, (-180, 180]
  double azimuth2_deg = 0.0;  // forward azimuth at the second point
};

// Throws Error{invalid_argument} for an invalid point.
GeodesicLine geodesic_inverse(const GeoPoint& a, const GeoPoint& b);

// The point `distance_m` from `from` along azimuth `azimuth_deg` (clockwise from north).
GeoPoint geodesic_direct(const GeoPoint& from, double azimuth_deg, double distance_m);

// Area in square metres (positive) of a simple polygon given by its ring (closed or not) on WGS 84.
double geodesic_area_m2(const std::vector<GeoPoint>& ring);

}  // namespace geo
