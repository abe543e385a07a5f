// SPDX-License-Identifier: Apache-2.0
#include "geo/spatial/compound.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "adapters/ogr.hpp"
#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/text.hpp"

namespace fs = std::filesystem;

namespace geo::spatial {

const char* to_string(SiteKind k) noexcept {
  switch (k) {
    case SiteKind::compound: return "compound";
    case SiteKind::zone: return "zone";
    case SiteKind::town: return "town";
    case SiteKind::landmark: return "landmark";
    case SiteKind::operator_: return "operator";
  }
  return "?";
}
const char* to_string(SiteStatus s) noexcept {
  switch (s) {
    case SiteStatus::active: return "active";
    case SiteStatus::suspected: return "suspected";
    case SiteStatus::raided: return "raided";
    case SiteStatus::closed: return "closed";
    case SiteStatus::unknown: return "unknown";
  }
  return "?";
}
const char* to_string(SiteGeometry::Type t) noexcept {
  switch (t) {
    case SiteGeometry::Type::none: return "none";
    case SiteGeometry::Type::point: return "Point";
    case SiteGeometry::Type::polygon: return "Polygon";
    case SiteGeometry::Type::multipolygon: return "MultiPolygon";
  }
  return "?";
}

SiteKind parse_site_kind(const std::string& s) {
  const auto l = to_lower(trim(s));
  if (l.empty() || l == "compound") return SiteKind::compound;
  if (l == "zone") return SiteKind::zone;
  if (l == "town" || l == "city") return SiteKind::town;
  if (l == "landmark") return SiteKind::landmark;
  if (l == "operator") return SiteKind::operator_;
  throw Error(Errc::invalid_argument, "kind '" + s + "' is not one of compound, zone, town, landmark, operator");
}
SiteStatus parse_site_status(const std::string& s) {
  const auto l = to_lower(trim(s));
  if (l.empty() || l == "unknown") return SiteStatus::unknown;
  if (l == "active") return SiteStatus::active;
  if (l == "suspected") return SiteStatus::suspected;
  if (l == "raided") return SiteStatus::raided;
  if (l == "closed") return SiteStatus::closed;
  throw Error(Errc::invalid_argument, "status '" + s + "' is not one of active, suspected, raided, closed, unknown");
}

const Compound* Registry::find(const std::string& id) const {
  for (const auto& c : compounds)
    if (c.id == id) return &c;
  return nullptr;
}

namespace {

std::string slug(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch)) out += static_cast<char>(std::tolower(ch));
    else if (!out.empty() && out.back() != '-') out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

std::vector<std::string> parse_list(const std::string& text) {
  std::vector<std::string> out;
  const auto t = trim(text);
  if (t.empty()) return out;
  if (t.front() == '[') {
    try {
      for (const auto& v : Json::parse(t)) out.push_back(v.is_string() ? v.get<std::string>() : geo::dump_json(v));
      return out;
    } catch (const Json::exception&) {
    }
  }
  for (auto& s : split(t, ';'))
    if (!s.empty()) out.push_back(s);
  return out;
}

SiteSource source_from_json(const Json& j) {
  SiteSource s;
  auto get = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
  s.title = get("title");
  s.url = get("url");
  s.date = get("date");
  s.licence = get("licence");
  if (s.licence.empty()) s.licence = get("license");
  return s;
}

[[noreturn]] void fail(const std::string& file, const std::string& id, const std::string& what) {
  throw Error(Errc::invalid_argument, "compounds: " + file + ": feature '" + id + "': " + what);
}

Ring ring_from_json(const Json& coords, const std::string& file, const std::string& id) {
  Ring r;
  if (!coords.is_array()) fail(file, id, "ring is not an array of positions");
  for (const auto& pos : coords) {
    if (!pos.is_array() || pos.size() < 2 || !pos[0].is_number() || !pos[1].is_number())
      fail(file, id, "position is not [lon, lat]");
    r.push_back(GeoPoint{pos[1].get<double>(), pos[0].get<double>()});
  }
  if (r.size() > 1 && r.front().lat_deg == r.back().lat_deg && r.front().lon_deg == r.back().lon_deg) r.pop_back();
  return r;
}

SiteGeometry geometry_from_geojson(const Json& g, const std::string& file, const std::string& id) {
  SiteGeometry out;
  if (g.is_null()) return out;
  // Json::value() throws its own type_error on a non-object or a non-string "type": read it by hand.
  const std::string type = g.is_object() && g.contains("type") && g["type"].is_string() ? g["type"].get<std::string>() : "";
  const Json& c = g.contains("coordinates") ? g["coordinates"] : Json();
  if (type == "Point") {
    if (!c.is_array() || c.size() < 2 || !c[0].is_number() || !c[1].is_number()) fail(file, id, "Point without [lon, lat]");
    out.type = SiteGeometry::Type::point;
    out.point = GeoPoint{c[1].get<double>(), c[0].get<double>()};
  } else if (type == "Polygon") {
    out.type = SiteGeometry::Type::polygon;
    Polygon p;
    for (const auto& r : c) p.push_back(ring_from_json(r, file, id));
    out.polygons.push_back(std::move(p));
  } else if (type == "MultiPolygon") {
    out.type = SiteGeometry::Type::multipolygon;
    for (const auto& pc : c) {
      Polygon p;
      for (const auto& r : pc) p.push_back(ring_from_json(r, file, id));
      out.polygons.push_back(std::move(p));
    }
  } else {
    fail(file, id, "geometry type '" + type + "' is not Point, Polygon or MultiPolygon");
  }
  return out;
}

Compound compound_from_properties(const Json& props, const std::string& fallback_id, const std::string& file) {
  Compound c;
  auto get = [&](const char* k) {
    if (!props.contains(k) || props[k].is_null()) return std::string();
    return props[k].is_string() ? props[k].get<std::string>() : geo::dump_json(props[k]);
  };
  c.id = get("id");
  if (c.id.empty()) c.id = fallback_id;
  c.name = get("name");
  if (props.contains("aliases") && props["aliases"].is_array()) {
    for (const auto& a : props["aliases"])
      if (a.is_string()) c.aliases.push_back(a.get<std::string>());
  } else {
    c.aliases = parse_list(get("aliases"));
  }
  try {
    c.kind = parse_site_kind(get("kind"));
    c.status = parse_site_status(get("status"));
  } catch (const Error& e) {
    fail(file, c.id, e.what());
  }
  c.country = get("country");
  c.admin1 = get("admin1");
  c.first_seen = get("first_seen");
  c.last_seen = get("last_seen");
  c.confidence = get("confidence");
  c.notes = get("notes");
  if (props.contains("sources") && props["sources"].is_array()) {
    for (const auto& s : props["sources"]) c.sources.push_back(source_from_json(s));
  } else if (!get("sources").empty()) {
    try {
      for (const auto& s : Json::parse(get("sources"))) c.sources.push_back(source_from_json(s));
    } catch (const Json::exception&) {
      fail(file, c.id, "sources is not a JSON array of {title,url,date,licence}");
    }
  }
  if (!get("source_title").empty() || !get("source_url").empty())
    c.sources.push_back(SiteSource{get("source_title"), get("source_url"), get("source_date"), get("licence")});
  return c;
}

Registry load_geojson(const fs::path& path) {
  Registry r;
  Json doc;
  try {
    doc = read_json_file(path);
  } catch (const Error& e) {
    throw Error(e.code(), std::string("compounds: ") + e.what());
  }
  const std::string file = path.filename().string();
  if (!doc.is_object() || doc.value("type", Json()) != "FeatureCollection" || !doc.contains("features") ||
      !doc["features"].is_array())
    throw Error(Errc::corrupt_data, "compounds: " + file + ": not a GeoJSON FeatureCollection");
  std::size_t n = 0;
  for (const auto& f : doc["features"]) {
    ++n;
    std::string fid = "#" + std::to_string(n);
    if (f.contains("id") && !f["id"].is_null()) fid = f["id"].is_string() ? f["id"].get<std::string>() : geo::dump_json(f["id"]);
    const Json props = f.contains("properties") && f["properties"].is_object() ? f["properties"] : Json::object();
    if (props.contains("id") && props["id"].is_string()) fid = props["id"].get<std::string>();
    Compound c = compound_from_properties(props, fid, file);
    c.geometry = geometry_from_geojson(f.contains("geometry") ? f["geometry"] : Json(), file, c.id);
    r.compounds.push_back(std::move(c));
  }
  return r;
}

Ring ring_from_ogr(OGRGeometryH ring) {
  Ring r;
  const int n = OGR_G_GetPointCount(ring);
  for (int i = 0; i < n; ++i) r.push_back(GeoPoint{OGR_G_GetY(ring, i), OGR_G_GetX(ring, i)});
  if (r.size() > 1 && r.front().lat_deg == r.back().lat_deg && r.front().lon_deg == r.back().lon_deg) r.pop_back();
  return r;
}

Polygon polygon_from_ogr(OGRGeometryH g) {
  Polygon p;
  for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i) p.push_back(ring_from_ogr(OGR_G_GetGeometryRef(g, i)));
  return p;
}

// Collects points and polygons of an OGR geometry (KML MultiGeometry included).
void collect_ogr(OGRGeometryH g, SiteGeometry& out, Diagnostics& diag, const std::string& id) {
  if (!g) return;
  switch (wkbFlatten(OGR_G_GetGeometryType(g))) {
    case wkbPoint:
      if (out.type == SiteGeometry::Type::none) {
        out.type = SiteGeometry::Type::point;
        out.point = GeoPoint{OGR_G_GetY(g, 0), OGR_G_GetX(g, 0)};
      }
      break;
    case wkbPolygon:
      out.polygons.push_back(polygon_from_ogr(g));
      break;
    case wkbMultiPolygon:
    case wkbGeometryCollection:
    case wkbMultiPoint:
      for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i) collect_ogr(OGR_G_GetGeometryRef(g, i), out, diag, id);
      break;
    default:
      diag.warn("compounds.geometry_ignored", std::string("geometry type ") + OGR_G_GetGeometryName(g) +
                                                  " is not a point or polygon; ignored", id);
  }
}

// A registry file must be a regular file (a FIFO would block the reader) and, unless it is a GeoPackage
// (SQLite pages are read on demand), no larger than kMaxTextInputBytes.
void require_registry_file(const fs::path& path, const std::string& ext) {
  require_regular_file(path, "compounds");
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (!ec && ext != ".gpkg" && size > kMaxTextInputBytes)
    throw Error(Errc::invalid_argument, "compounds: " + path.string() + ": too large (" + std::to_string(size >> 20) +
                                            " MiB; the limit for a text registry is " +
                                            std::to_string(kMaxTextInputBytes >> 20) + " MiB)");
}

Registry load_ogr(const fs::path& path, const std::string& ext) {
  require_registry_file(path, ext);
  Registry r;
  const std::string file = path.filename().string();
  std::vector<std::string> drivers;
  if (ext == ".kml" || ext == ".kmz") {
    if (ext == ".kml") {
      std::ifstream in(path, std::ios::binary);
      char ch = 0;
      while (in.get(ch) && std::isspace(static_cast<unsigned char>(ch))) {
      }
      if (!in || ch != '<')
        throw Error(Errc::corrupt_data, "compounds: " + file + ": not a KML file (KML is XML and must start with '<')");
    }
    drivers = {"LIBKML", "KML"};
  } else if (ext == ".csv") {
    drivers = {"CSV"};
  } else if (ext == ".gpkg") {
    drivers = {"GPKG"};
  }
  auto ds = adapters::open_vector(path, false, "compounds", drivers);
  std::size_t n = 0;
  for (int li = 0; li < GDALDatasetGetLayerCount(ds.get()); ++li) {
    OGRLayerH layer = GDALDatasetGetLayer(ds.get(), li);
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    const bool csv = ext == ".csv";
    const bool has_ll = adapters::has_field(defn, "lat") && adapters::has_field(defn, "lon");
    const bool has_wkt = adapters::has_field(defn, "wkt") || adapters::has_field(defn, "WKT");
    if (csv && !has_ll && !has_wkt)
      throw Error(Errc::invalid_argument,
                  "compounds: " + file + ": CSV has no coordinate columns (need lat and lon, or wkt; use empty values for a site without a position)");
    OGR_L_ResetReading(layer);
    while (adapters::FeaturePtr f{OGR_L_GetNextFeature(layer)}) {
      ++n;
      Json props = Json::object();
      for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) {
        OGRFieldDefnH fd = OGR_FD_GetFieldDefn(defn, i);
        if (!OGR_F_IsFieldSetAndNotNull(f.get(), i)) continue;
        std::string key = to_lower(OGR_Fld_GetNameRef(fd));
        if (OGR_Fld_GetType(fd) == OFTStringList) {
          Json arr = Json::array();
          char** list = OGR_F_GetFieldAsStringList(f.get(), i);
          for (int k = 0; list && list[k]; ++k) arr.push_back(list[k]);
          props[key] = arr;
        } else {
          props[key] = OGR_F_GetFieldAsString(f.get(), i);
        }
      }
      if (props.contains("description") && !props.contains("notes")) props["notes"] = props["description"];
      std::string fallback = props.contains("name") ? slug(props["name"].get<std::string>()) : std::string();
      if (fallback.empty()) fallback = "#" + std::to_string(n);
      Compound c = compound_from_properties(props, fallback, file);
      OGRGeometryH g = OGR_F_GetGeometryRef(f.get());
      const std::string wkt = props.contains("wkt") ? props["wkt"].get<std::string>() : std::string();
      adapters::GeometryPtr owned;
      if (!g && !wkt.empty()) {
        OGRGeometryH made = nullptr;
        char* p = const_cast<char*>(wkt.c_str());
        if (OGR_G_CreateFromWkt(&p, nullptr, &made) != OGRERR_NONE || !made)
          fail(file, c.id, "wkt column does not parse as WKT");
        owned.reset(made);
        g = made;
      }
      if (g) {
        collect_ogr(g, c.geometry, r.diagnostics, c.id);
        if (!c.geometry.polygons.empty())
          c.geometry.type = c.geometry.polygons.size() == 1 ? SiteGeometry::Type::polygon : SiteGeometry::Type::multipolygon;
      } else if (has_ll) {
        const std::string la = props.contains("lat") ? props["lat"].get<std::string>() : std::string();
        const std::string lo = props.contains("lon") ? props["lon"].get<std::string>() : std::string();
        if (!trim(la).empty() || !trim(lo).empty()) {
          try {
            c.geometry.type = SiteGeometry::Type::point;
            c.geometry.point = GeoPoint{parse_double(la, "lat"), parse_double(lo, "lon")};
          } catch (const Error& e) {
            fail(file, c.id, e.what());
          }
        }
      }
      r.compounds.push_back(std::move(c));
    }
  }
  return r;
}

bool segments_cross(const GeoPoint& a, const GeoPoint& b, const GeoPoint& c, const GeoPoint& d) {
  auto orient = [](const GeoPoint& p, const GeoPoint& q, const GeoPoint& r) {
    const double v = (q.lon_deg - p.lon_deg) * (r.lat_deg - p.lat_deg) - (q.lat_deg - p.lat_deg) * (r.lon_deg - p.lon_deg);
    return (v > 0) - (v < 0);
  };
  auto on_seg = [](const GeoPoint& p, const GeoPoint& q, const GeoPoint& r) {
    return std::min(p.lon_deg, r.lon_deg) <= q.lon_deg && q.lon_deg <= std::max(p.lon_deg, r.lon_deg) &&
           std::min(p.lat_deg, r.lat_deg) <= q.lat_deg && q.lat_deg <= std::max(p.lat_deg, r.lat_deg);
  };
  const int o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
  if (o1 != o2 && o3 != o4) return true;
  if (o1 == 0 && on_seg(a, c, b)) return true;
  if (o2 == 0 && on_seg(a, d, b)) return true;
  if (o3 == 0 && on_seg(c, a, d)) return true;
  if (o4 == 0 && on_seg(c, b, d)) return true;
  return false;
}

// Edges of `r` whose bounding box holds `at` (within `tol_deg`), at most kMaxNearEdges of them.
constexpr std::size_t kMaxNearEdges = 256;  // enough for any real crossing; bounds the pairwise search
std::vector<std::size_t> edges_near(const Ring& r, const GeoPoint& at, double tol_deg) {
  std::vector<std::size_t> out;
  const std::size_t n = r.size();
  for (std::size_t i = 0; i < n && out.size() < kMaxNearEdges; ++i) {
    const GeoPoint& a = r[i];
    const GeoPoint& b = r[(i + 1) % n];
    if (at.lon_deg >= std::min(a.lon_deg, b.lon_deg) - tol_deg && at.lon_deg <= std::max(a.lon_deg, b.lon_deg) + tol_deg &&
        at.lat_deg >= std::min(a.lat_deg, b.lat_deg) - tol_deg && at.lat_deg <= std::max(a.lat_deg, b.lat_deg) + tol_deg)
      out.push_back(i);
  }
  return out;
}

// Returns a description of the first self-intersection of a ring, or "". GEOS (through OGR) decides in
// O(n log n); the edges named in the message are then found near the point GEOS reports.
std::string ring_problem(const Ring& ring) {
  // Consecutive repeats of a vertex are drawing noise, not crossings.
  Ring r;
  r.reserve(ring.size());
  for (const auto& v : ring)
    if (r.empty() || v.lat_deg != r.back().lat_deg || v.lon_deg != r.back().lon_deg) r.push_back(v);
  while (r.size() > 1 && r.front().lat_deg == r.back().lat_deg && r.front().lon_deg == r.back().lon_deg) r.pop_back();
  const std::size_t n = r.size();
  if (n < 3) return "ring has fewer than 3 distinct vertices";
  // A ring crossing the antimeridian (consecutive vertices > 180 degrees of longitude apart: edges take
  // the shorter way round) is checked with its western longitudes shifted by +360.
  bool wraps = false;
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) wraps = wraps || std::fabs(r[i].lon_deg - r[j].lon_deg) > 180.0;
  std::vector<double> x(n), y(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (wraps && r[i].lon_deg < 0) r[i].lon_deg += 360.0;
    x[i] = r[i].lon_deg;
    y[i] = r[i].lat_deg;
  }
  const adapters::RingValidity v = adapters::ring_validity(x, y);
  if (v.reason.empty()) return {};
  std::ostringstream os;
  os.precision(9);
  if (!v.has_point) {
    os << "polygon ring is invalid (" << v.reason << ")";
    return os.str();
  }
  const GeoPoint at{v.y, v.x};
  const double shown_lon = at.lon_deg > 180.0 ? at.lon_deg - 360.0 : at.lon_deg;
  const auto near = edges_near(r, at, 1e-9 * std::max(1.0, std::fabs(at.lon_deg)));
  for (std::size_t a = 0; a < near.size(); ++a)
    for (std::size_t b = a + 1; b < near.size(); ++b) {
      const std::size_t i = near[a], j = near[b];
      if (j == i + 1 || (i == 0 && j == n - 1)) continue;  // adjacent edges share a vertex
      if (segments_cross(r[i], r[(i + 1) % n], r[j], r[(j + 1) % n])) {
        os << "polygon ring is self-intersecting (edge " << i << " crosses edge " << j << " near " << at.lat_deg
           << "," << shown_lon << ")";
        return os.str();
      }
    }
  os << "polygon ring is self-intersecting (near " << at.lat_deg << "," << shown_lon << "; GEOS: " << v.reason << ")";
  return os.str();
}

Json geometry_to_json(const SiteGeometry& g) {
  auto pos = [](const GeoPoint& p) { return Json::array({round_to(p.lon_deg, 8), round_to(p.lat_deg, 8)}); };
  auto ring = [&](const Ring& r) {
    Json a = Json::array();
    for (const auto& p : r) a.push_back(pos(p));
    if (!r.empty()) a.push_back(pos(r.front()));
    return a;
  };
  auto poly = [&](const Polygon& p) {
    Json a = Json::array();
    for (const auto& r : p) a.push_back(ring(r));
    return a;
  };
  switch (g.type) {
    case SiteGeometry::Type::none: return Json();
    case SiteGeometry::Type::point: return Json{{"type", "Point"}, {"coordinates", pos(g.point)}};
    case SiteGeometry::Type::polygon: return Json{{"type", "Polygon"}, {"coordinates", poly(g.polygons.at(0))}};
    case SiteGeometry::Type::multipolygon: {
      Json a = Json::array();
      for (const auto& p : g.polygons) a.push_back(poly(p));
      return Json{{"type", "MultiPolygon"}, {"coordinates", a}};
    }
  }
  return Json();
}

}  // namespace

Diagnostics validate_registry(const Registry& r) {
  Diagnostics d;
  std::map<std::string, int> seen;
  for (const auto& c : r.compounds) {
    if (c.id.empty()) d.error("compounds.no_id", "entry without an id", c.name);
    if (++seen[c.id] == 2) d.error("compounds.duplicate_id", "id is used more than once", c.id);
    if (c.name.empty()) d.warn("compounds.no_name", "entry without a name", c.id);
    if (!c.country.empty() && (c.country.size() != 2 || !std::isupper(static_cast<unsigned char>(c.country[0])) ||
                               !std::isupper(static_cast<unsigned char>(c.country[1]))))
      d.warn("compounds.bad_country", "country '" + c.country + "' is not an ISO 3166-1 alpha-2 code", c.id);
    if ((c.kind == SiteKind::compound || c.kind == SiteKind::zone) && c.sources.empty())
      d.warn("compounds.no_sources", "compound has no sources: cite where it was reported before relying on it", c.id);
    auto check_point = [&](const GeoPoint& p) {
      if (!is_valid(p)) {
        std::ostringstream os;
        os << "impossible coordinates lat " << p.lat_deg << ", lon " << p.lon_deg
           << " (latitude must be in [-90, 90], longitude in [-180, 180])";
        d.error("compounds.bad_coordinates", os.str(), c.id);
        return false;
      }
      return true;
    };
    if (c.geometry.type == SiteGeometry::Type::point) check_point(c.geometry.point);
    for (const auto& poly : c.geometry.polygons) {
      bool ok = true;
      for (const auto& ring : poly)
        for (const auto& v : ring) ok = ok && check_point(v);
      if (!ok) break;
      for (const auto& ring : poly) {
        const auto problem = ring_problem(ring);
        if (!problem.empty()) {
          d.error("compounds.invalid_polygon", problem, c.id);
          break;
        }
      }
    }
  }
  return d;
}

Registry load_registry(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(Errc::not_found, "compounds: " + path.string() + ": no such file");
  const std::string ext = to_lower(path.extension().string());
  require_registry_file(path, ext);
  Registry r;
  if (ext == ".geojson" || ext == ".json") r = load_geojson(path);
  else if (ext == ".gpkg" || ext == ".kml" || ext == ".kmz" || ext == ".csv") r = load_ogr(path, ext);
  else throw Error(Errc::unsupported, "compounds: " + path.string() + ": unknown format (use .geojson, .gpkg, .kml, .kmz or .csv)");
  const Diagnostics v = validate_registry(r);
  for (const auto& item : v.items()) {
    if (item.severity == Severity::error)
      throw Error(Errc::invalid_argument,
                  "compounds: " + path.filename().string() + ": feature '" + item.where + "': " + item.message);
    r.diagnostics.add(item);
  }
  r.origins.push_back(path.string());
  r.sha256.push_back(sha256_file(path));
  return r;
}

fs::path shipped_registry_path() {
  if (const char* env = std::getenv("GEOEV_DATA_DIR"); env && *env) {
    const fs::path p = fs::path(env) / "compounds" / "registry.geojson";
    if (fs::exists(p)) return p;
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const fs::path& base : {exe.parent_path().parent_path() / "share" / "geoev" / "data",
                                 exe.parent_path().parent_path().parent_path() / "data"}) {
      const fs::path p = base / "compounds" / "registry.geojson";
      if (fs::exists(p, ec)) return p;
    }
  }
  const fs::path src = fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path() / "data" /
                       "compounds" / "registry.geojson";
  if (fs::exists(src, ec)) return src;
  throw Error(Errc::not_found, "compounds: the shipped registry was not found (set GEOEV_DATA_DIR or pass --compounds FILE)");
}

fs::path shipped_gazetteer_path() {
  return shipped_registry_path().parent_path().parent_path() / "gazetteer" / "geonames_towns.csv";
}

Registry load_selected_registry(const RegistrySelection& sel) {
  Registry r = load_registry(sel.replace.empty() ? shipped_registry_path() : fs::path(sel.replace));
  for (const auto& extra : sel.extend) {
    Registry e = load_registry(extra);
    for (auto& c : e.compounds) {
      auto it = std::find_if(r.compounds.begin(), r.compounds.end(), [&](const Compound& x) { return x.id == c.id; });
      if (it != r.compounds.end()) {
        r.diagnostics.info("compounds.overridden", "entry replaced by " + extra, c.id);
        *it = std::move(c);
      } else {
        r.compounds.push_back(std::move(c));
      }
    }
    r.diagnostics.append(e.diagnostics);
    r.origins.insert(r.origins.end(), e.origins.begin(), e.origins.end());
    r.sha256.insert(r.sha256.end(), e.sha256.begin(), e.sha256.end());
  }
  return r;
}

Json to_json(const Compound& c) {
  Json sources = Json::array();
  for (const auto& s : c.sources)
    sources.push_back(Json{{"title", s.title}, {"url", s.url}, {"date", s.date}, {"licence", s.licence}});
  return Json{{"id", c.id},
              {"name", c.name},
              {"aliases", c.aliases},
              {"kind", to_string(c.kind)},
              {"country", c.country},
              {"admin1", c.admin1},
              {"geometry_type", to_string(c.geometry.type)},
              {"status", to_string(c.status)},
              {"first_seen", c.first_seen},
              {"last_seen", c.last_seen},
              {"sources", sources},
              {"confidence", c.confidence},
              {"notes", c.notes}};
}

Json to_geojson(const Registry& r) {
  Json feats = Json::array();
  for (const auto& c : r.compounds) {
    Json props = to_json(c);
    props.erase("geometry_type");
    feats.push_back(Json{{"type", "Feature"}, {"id", c.id}, {"geometry", geometry_to_json(c.geometry)}, {"properties", props}});
  }
  return Json{{"type", "FeatureCollection"}, {"features", feats}};
}

void write_registry(const Registry& r, const fs::path& out) {
  write_file_atomic(out, geo::dump_json(to_geojson(r), 1) + "\n");
}

SiteGeometry read_geometry_file(const fs::path& path) {
  const std::string ext = to_lower(path.extension().string());
  require_registry_file(path, ext);
  Registry r = ext == ".geojson" || ext == ".json" ? load_geojson(path) : load_ogr(path, ext);
  for (const auto& c : r.compounds)
    if (c.geometry.type != SiteGeometry::Type::none) return c.geometry;
  throw Error(Errc::invalid_argument, "compounds: " + path.string() + ": no point or polygon geometry in the file");
}

void set_compound_geometry(const fs::path& registry_file, const std::string& id, const SiteGeometry& geometry,
                           const SiteSource& source) {
  if (to_lower(registry_file.extension().string()) != ".geojson")
    throw Error(Errc::unsupported, "compounds.set-geometry: " + registry_file.string() + ": only a GeoJSON registry can be edited");
  Registry r = load_registry(registry_file);
  auto it = std::find_if(r.compounds.begin(), r.compounds.end(), [&](const Compound& c) { return c.id == id; });
  if (it == r.compounds.end())
    throw Error(Errc::not_found, "compounds.set-geometry: " + registry_file.filename().string() + ": no entry with id '" + id + "'");
  if (source.title.empty() && source.url.empty())
    throw Error(Errc::invalid_argument, "compounds.set-geometry: a source (title or url) for the new geometry is required");
  it->geometry = geometry;
  it->sources.push_back(source);
  const Diagnostics v = validate_registry(r);
  for (const auto& item : v.items())
    if (item.severity == Severity::error)
      throw Error(Errc::invalid_argument, "compounds.set-geometry: feature '" + item.where + "': " + item.message);
  write_registry(r, registry_file);
}

}  // namespace geo::spatial
