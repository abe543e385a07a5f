// SPDX-License-Identifier: Apache-2.0
// The compound registry: named scam compounds, zones, towns, landmarks and operators, each with its
// sources. Positions are WGS 84 latitude/longitude in degrees (GeoPoint); nothing here invents one.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/diagnostics.hpp"
#include "geo/core/geopoint.hpp"
#include "geo/core/json.hpp"

namespace geo::spatial {

enum class SiteKind { compound, zone, town, landmark, operator_ };
enum class SiteStatus { active, suspected, raided, closed, unknown };

const char* to_string(SiteKind k) noexcept;   // "operator" for operator_
const char* to_string(SiteStatus s) noexcept;
// Throw Error{invalid_argument} on an unknown word.
SiteKind parse_site_kind(const std::string& s);
SiteStatus parse_site_status(const std::string& s);

// A closed ring of vertices (first == last not required). Ring 0 of a polygon is the outer boundary,
// the others are holes. Edges are straight lines in latitude/longitude for containment and geodesics
// for distance; at compound scale (< 20 km) the two differ by less than a millimetre.
using Ring = std::vector<GeoPoint>;
using Polygon = std::vector<Ring>;

struct SiteGeometry {
  enum class Type { none, point, polygon, multipolygon };
  Type type = Type::none;
  GeoPoint point;                  // when type == point
  std::vector<Polygon> polygons;   // one for polygon, several for multipolygon
};
const char* to_string(SiteGeometry::Type t) noexcept;

struct SiteSource {
  std::string title, url, date, licence;
};

struct Compound {
  std::string id;                  // stable key, e.g. "mm-kk-park"
  std::string name;
  std::vector<std::string> aliases;
  SiteKind kind = SiteKind::compound;
  std::string country;             // ISO 3166-1 alpha-2
  std::string admin1;
  SiteGeometry geometry;
  SiteStatus status = SiteStatus::unknown;
  std::string first_seen, last_seen;  // YYYY-MM-DD or empty
  std::vector<SiteSource> sources;
  std::string confidence;          // high, medium, low, unconfirmed (free text kept in notes)
  std::string notes;
};

struct Registry {
  std::vector<Compound> compounds;
  std::vector<std::string> origins;  // files it was loaded from
  std::vector<std::string> sha256;   // their hashes, same order
  Diagnostics diagnostics;           // warnings from loading and validation
  const Compound* find(const std::string& id) const;
};

// Loads a registry from GeoJSON (.geojson/.json), GeoPackage (.gpkg), KML (.kml/.kmz, as drawn in
// Google Earth: Placemark name, description, Point/Polygon) or CSV (.csv with lat/lon or wkt columns).
// Field names follow the schema above (aliases/sources may be JSON arrays or ';'-separated text;
// CSV also accepts source_title/source_url/licence). Then validates (see validate_registry): errors throw
// Error{invalid_argument} naming the file and feature id; warnings go into diagnostics.
// Throws Error{not_found} when missing, Error{corrupt_data} when unreadable (e.g. KML that is not XML).
Registry load_registry(const std::filesystem::path& path);

// Which registry to use: `replace` (a file that replaces the shipped one), `extend` (files whose entries
// are added to the shipped one; an entry with an existing id replaces it). Empty: the shipped registry.
struct RegistrySelection {
  std::string replace;
  std::vector<std::string> extend;
};
Registry load_selected_registry(const RegistrySelection& sel);
// The shipped data/compounds/registry.geojson: $GEOEV_DATA_DIR/compounds/registry.geojson, else the
// source tree's data/ (compile-time). Throws Error{not_found} when neither exists.
std::filesystem::path shipped_registry_path();
// The shipped GeoNames gazetteer of towns (CSV country,name,lat,lon,admin1,admin2).
std::filesystem::path shipped_gazetteer_path();

// Checks every entry: impossible coordinates (lat outside [-90,90] etc.), a self-intersecting or
// degenerate polygon ring, an unknown kind/status, a duplicate id -> errors; a compound or zone with no
// sources, a bad country code -> warnings. Returns all findings; `where` is the feature id.
Diagnostics validate_registry(const Registry& r);

Json to_json(const Compound& c);
Json to_geojson(const Registry& r);  // RFC 7946 FeatureCollection, the shipped format
// Writes the registry as GeoJSON atomically.
void write_registry(const Registry& r, const std::filesystem::path& out);

// Sets the geometry of entry `id` in the GeoJSON registry file `registry_file` (rewritten atomically,
// never partially) and appends `source` to its sources. Throws Error{not_found} for an unknown id,
// Error{invalid_argument} for an invalid geometry.
void set_compound_geometry(const std::filesystem::path& registry_file, const std::string& id,
                           const SiteGeometry& geometry, const SiteSource& source);
// Reads the first polygon/multipolygon/point of a vector file (GeoJSON, KML, GPKG) as a site geometry.
SiteGeometry read_geometry_file(const std::filesystem::path& path);

}  // namespace geo::spatial
