// SPDX-License-Identifier: Apache-2.0
// Joining an event (a point with an uncertainty radius) to the registry: inside, within a distance,
// nearest; geodesic distances on WGS 84 in metres.
#pragma once
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/geopoint.hpp"
#include "geo/spatial/compound.hpp"

namespace geo::spatial {

// Even-odd point-in-polygon in latitude/longitude (holes excluded). A point exactly on an edge counts
// as inside. An edge always takes the shorter way round in longitude, so a ring whose consecutive
// vertices are more than 180 degrees of longitude apart crosses the antimeridian (+-180) and is
// handled as such. Thread-safe.
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
  // No hit farther than this (metres, > 0; infinity = no cap). Entries beyond it are not associated.
  double max_distance_m = std::numeric_limits<double>::infinity();
  std::vector<SiteKind> kinds; // only entries of these kinds; empty = every kind
  void validate() const;       // throws Error{invalid_argument}
};

// A static R-tree (sort-tile-recursive packing) over the entries of a registry that have a geometry.
// The registry must outlive the index. Queries are const and thread-safe.
// A query ranks candidates by great-circle distances on the unit sphere, which bound the WGS 84 geodesic
// distance from both sides (6,335,439 m x angle <= geodesic <= 6,399,594 m x angle, the extreme radii of
// curvature, plus a margin for the great-circle/geodesic separation of long edges), and runs the exact
// geodesic refinement only on the entries and edges whose lower bound can still be nearest or within
// the requested distance. Reported distances are therefore exact (Karney geodesics, < 0.01 mm).
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

// Context from the gazetteer: the nearest town.
struct TownContext {
  std::string name, country, admin1;
  GeoPoint position;
  double distance_m = 0.0;             // WGS 84 geodesic, town to the point
  double bearing_from_town_deg = 0.0;  // azimuth at the town towards the point, clockwise from north [0, 360)
};
Json to_json(const TownContext& t);

// The GeoNames towns (CSV with header country,name,lat,lon[,admin1,admin2]), indexed once; context
// only, never a compound. Queries are const and thread-safe.
class Gazetteer {
 public:
  // Throws Error{not_found} for a missing file, Error{corrupt_data} naming the line for a bad row or a
  // file without the needed columns.
  explicit Gazetteer(const std::filesystem::path& csv);
  Gazetteer(Gazetteer&&) noexcept;
  ~Gazetteer();
  // The nearest town within max_distance_m (metres), if any.
  std::optional<TownContext> nearest(const GeoPoint& p,
                                     double max_distance_m = std::numeric_limits<double>::infinity()) const;
  std::size_t size() const noexcept;
  const std::string& sha256() const noexcept;  // of the CSV file
  const std::filesystem::path& path() const noexcept;

 private:
  Registry towns_;  // kept first: the index points into it
  std::unique_ptr<CompoundIndex> index_;
  std::string sha256_;
  std::filesystem::path path_;
};

// Associating a point with the registry, keeping kinds apart: only a compound or zone can be the site
// an event happened at; towns, landmarks and operators in the registry, and the gazetteer's nearest
// town, are context.
struct AssociationOptions {
  JoinOptions join;                 // uncertainty, within, max_results and the cap max_distance_m
  const Gazetteer* gazetteer = nullptr;  // optional
  // A gazetteer town farther than this is no useful context: none is given (metres).
  double town_max_distance_m = 100000.0;
};
struct Association {
  std::vector<JoinHit> sites;       // compounds/zones within the cap, nearest first (sites[0] = the association)
  std::vector<JoinHit> context;     // towns/landmarks/operators of the registry within the cap
  std::optional<JoinHit> nearest_site_beyond_cap;  // when no site is within the cap
  std::optional<TownContext> town;  // nearest gazetteer town within town_max_distance_m
  std::string relation;             // inside | within | nearest | none
  std::string note;                 // says why there is no association, naming the nearest site
};
Json to_json(const Association& a);
// The default cap for associating an event with a compound, metres.
inline constexpr double kDefaultAssociationCapM = 25000.0;
Association associate(const CompoundIndex& index, const GeoPoint& p, const AssociationOptions& opt);

}  // namespace geo::spatial
