// SPDX-License-Identifier: Apache-2.0
// Joining an event (a point with an uncertainty radius) to the registry: inside, within a distance,
// nearest; geodesic distances on WGS 84 in metres.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "geo/core/geopoint.hpp"
#include "geo/spatial/compound.hpp"

namespace geo::spatial {

// Even-odd point-in-polygon in latitude/longitude (holes excluded). A point exactly on an edge counts
// as inside. Thread-safe.
bool polygon_contains(const Polygon& poly, const GeoPoint& p);

// Shortest geodesic distance in metres from p to the geodesic segment a-b (the foot of the perpendicular
// is found by iterating on the geodesic through a and b, to < 0.1 mm). Thread-safe.
double geodesic_distance_to_segment_m(const GeoPoint& p, const GeoPoint& a, const GeoPoint& b);
// Distance to the outline (all rings) of a polygon, 0 not implied for inside points.
double geodesic_distance_to_outline_m(const Polygon& poly, const GeoPoint& p);

// Share of a uniform disc of radius radius_m around `centre` (in the local azimuthal-equidistant plane)
// that lies inside the polygon, by exact radial integration along 720 azimuths. radius_m <= 0 gives 0
// or 1 (point containment).
double disc_fraction_inside(const Polygon& poly, const GeoPoint& centre, double radius_m);

enum class Relation { inside, within, nearest };
const char* to_string(Relation r) noexcept;

struct JoinHit {
  std::string compound_id;
  std::string name;
  SiteKind kind = SiteKind::compound;
  Relation relation = Relation::nearest;
  double distance_m = 0.0;   // 0 when inside a polygon; geodesic to the outline or point otherwise
  double p_inside = 0.0;     // share of the uncertainty disc inside the polygon (0 for points)
};
Json to_json(const JoinHit& h);

struct JoinOptions {
  double uncertainty_m = 0.0;  // radius of the uniform uncertainty disc, metres (>= 0)
  double within_m = 1000.0;    // "within" when distance <= max(within_m, uncertainty_m)
  int max_results = 5;         // nearest k (hits inside/within are always all returned)
  void validate() const;       // throws Error{invalid_argument}
};

// A static R-tree (sort-tile-recursive packing) over the entries of a registry that have a geometry.
// The registry must outlive the index. Queries are const and thread-safe.
class CompoundIndex {
 public:
  explicit CompoundIndex(const Registry& reg);
  ~CompoundIndex();
  CompoundIndex(CompoundIndex&&) noexcept;
  // Hits sorted by distance: every inside/within hit, then nearest ones up to max_results in total.
  // Throws Error{invalid_argument} for an invalid point or options.
  std::vector<JoinHit> query(const GeoPoint& p, const JoinOptions& opt) const;
  std::size_t size() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The same query by a plain loop over every entry (baseline for benchmarks and tests).
std::vector<JoinHit> join_brute_force(const Registry& reg, const GeoPoint& p, const JoinOptions& opt);

}  // namespace geo::spatial
