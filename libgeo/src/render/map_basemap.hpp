// SPDX-License-Identifier: Apache-2.0
// Private: the shipped basemap (Natural Earth 1:10m land and country outlines, from world-atlas's
// TopoJSON) and the GeoNames towns, read once per process and kept as latitude/longitude rings.
#pragma once
#include <string>
#include <vector>

#include "geo/core/geopoint.hpp"

namespace geo::render::detail {

struct LonLatRing {
  std::vector<GeoPoint> points;
  double min_lon = 0, min_lat = 0, max_lon = 0, max_lat = 0;
  bool overlaps(double w, double s, double e, double n) const noexcept {
    return min_lon <= e && max_lon >= w && min_lat <= n && max_lat >= s;
  }
};

struct Basemap {
  std::vector<LonLatRing> land;       // outer rings and holes of the land polygons (even-odd fill)
  std::vector<LonLatRing> countries;  // every country's rings: drawn as lines they are the borders
};

// Throws Error{not_found} / Error{corrupt_data} when the shipped TopoJSON is missing or unreadable.
// Thread-safe (read once).
const Basemap& basemap();

struct Town {
  std::string name, country;
  GeoPoint at;
  bool seat = false;  // a province or national seat (the gazetteer gives it no district)
};
// The shipped gazetteer; empty when it is missing (towns are then not drawn).
const std::vector<Town>& towns();

}  // namespace geo::render::detail
