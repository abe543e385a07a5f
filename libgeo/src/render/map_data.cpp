// SPDX-License-Identifier: Apache-2.0
#include "geo/render/map_data.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/core/text.hpp"
#include "geo/spatial/place_zone.hpp"

namespace geo::render {

namespace {

std::string str(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::vector<MapTrackPoint> track_of(const Json& details) {
  std::vector<MapTrackPoint> out;
  if (!details.is_object() || !details.contains("track") || !details["track"].is_array()) return out;
  for (const auto& p : details["track"]) {
    try {
      MapTrackPoint t;
      t.t_s = p.at("t_s").get<double>();
      t.point = GeoPoint{p.at("position").at("lat_deg").get<double>(), p.at("position").at("lon_deg").get<double>()};
      t.error_m = p.value("error_m", 0.0);
      if (p.contains("utc") && p["utc"].is_string()) t.utc = parse_iso8601(p["utc"].get<std::string>()).utc;
      if (is_valid(t.point)) out.push_back(t);
    } catch (const std::exception&) {
      // a malformed point is left out; the event's place still stands
    }
  }
  return out;
}


}  // namespace

void grow_box(GeoBox& b, const GeoPoint& p, double radius_m) {
  const double dlat = radius_m / 111320.0;
  const double dlon = radius_m / (111320.0 * std::max(0.05, std::cos(p.lat_deg * M_PI / 180)));
  b.min_lat_deg = std::min(b.min_lat_deg, p.lat_deg - dlat);
  b.max_lat_deg = std::max(b.max_lat_deg, p.lat_deg + dlat);
  b.min_lon_deg = std::min(b.min_lon_deg, p.lon_deg - dlon);
  b.max_lon_deg = std::max(b.max_lon_deg, p.lon_deg + dlon);
}

MapData load_map_data(const fs::path& case_dir, const spatial::RegistrySelection& compounds) {
  MapData d;
  const events::CaseInfo c = events::open_case(case_dir);
  d.case_dir = c.dir;
  d.case_title = c.title;
  d.compounds = spatial::load_selected_registry(compounds);
  for (std::size_t i = 0; i < d.compounds.origins.size(); ++i)
    d.attributions.push_back("compounds: " + fs::path(d.compounds.origins[i]).filename().string() + " (sha256 " +
                             d.compounds.sha256[i].substr(0, 12) + "), sources cited per site");
  d.attributions.push_back("borders: Natural Earth 1:10m (public domain), via world-atlas");
  std::map<std::string, std::string> file_of;
  for (const auto& m : events::list_media(c)) file_of[m.sha256] = fs::path(m.path).filename().string();
  const auto all = events::list_events(c);
  for (const auto& e : all) {
    MapEvent m;
    m.id = e.id;
    m.position = e.position;
    m.uncertainty_m = e.uncertainty_m;
    m.precision = events::to_string(e.precision);
    m.time_from = e.time_from;
    m.time_to = e.time_to;
    m.compound_id = e.compound_id;
    m.compound_name = e.compound_name;
    m.relation = e.relation;
    m.distance_m = e.distance_m;
    m.p_inside = e.p_inside;
    m.description = e.description;
    m.media_sha256 = e.media_sha256;
    m.method = str(e.details, "method");
    m.confidence = str(e.details, "confidence");
    m.track = track_of(e.details);
    if (e.details.is_object() && e.details.contains("shows")) m.shows = e.details["shows"];
    m.imagery = str(e.details, "imagery");
    m.imagery_date = str(e.details, "imagery_date");
    if (e.details.is_object() && e.details.contains("warnings") && e.details["warnings"].is_array())
      for (const auto& w : e.details["warnings"])
        if (w.is_string()) m.warnings.push_back(w.get<std::string>());
    if (const std::string f = str(e.details, "frame"); !f.empty()) {
      std::error_code ec;
      const fs::path p = fs::path(f).is_absolute() ? fs::path(f) : c.dir / f;
      if (fs::is_regular_file(p, ec)) m.thumbnail = p;
      else d.notes.push_back("event " + std::to_string(e.id) + ": its frame " + f + " is missing");
    }
    m.label = !e.media_sha256.empty() && file_of.count(e.media_sha256[0]) ? file_of[e.media_sha256[0]]
                                                                           : "event " + std::to_string(e.id);
    try {
      if (auto z = spatial::zone_at(e.position)) m.local_zone = z->zone.name();
    } catch (const Error&) {
      // no shipped outlines: UTC only
    }
    d.events.push_back(std::move(m));
  }
  std::sort(d.events.begin(), d.events.end(), [](const MapEvent& a, const MapEvent& b) { return a.id < b.id; });
  // An event a later run superseded (same video, other parameters) stays in the case as evidence of
  // what was concluded then, but is not drawn again beside its successor.
  std::set<std::int64_t> superseded;
  for (const auto& e : all)
    if (e.details.is_object() && e.details.contains("supersedes") && e.details["supersedes"].is_array())
      for (const auto& id : e.details["supersedes"])
        if (id.is_number_integer()) superseded.insert(id.get<std::int64_t>());
  if (!superseded.empty()) {
    std::erase_if(d.events, [&](const MapEvent& e) { return superseded.count(e.id) > 0; });
    d.notes.push_back(std::to_string(superseded.size()) + " event(s) superseded by a later run are not drawn");
  }
  return d;
}

std::optional<GeoBox> extent_of(const MapData& d, const std::string& compound_id, double margin) {
  GeoBox b{1e9, 1e9, -1e9, -1e9};
  bool any = false;
  for (const auto& e : d.events) {
    if (!compound_id.empty() && e.compound_id != compound_id) continue;
    grow_box(b, e.position, e.uncertainty_m);
    for (const auto& t : e.track) grow_box(b, t.point, t.error_m);
    any = true;
  }
  if (!compound_id.empty())
    if (const auto* site = d.compounds.find(compound_id)) {
      if (site->geometry.type == spatial::SiteGeometry::Type::point) {
        grow_box(b, site->geometry.point, 300);
        any = true;
      }
      for (const auto& poly : site->geometry.polygons)
        for (const auto& p : poly.empty() ? spatial::Ring{} : poly[0]) {
          grow_box(b, p, 0);
          any = true;
        }
    }
  if (!any) return std::nullopt;
  const GeoPoint centre{(b.min_lat_deg + b.max_lat_deg) / 2, (b.min_lon_deg + b.max_lon_deg) / 2};
  const double h = geodesic_inverse({b.min_lat_deg, centre.lon_deg}, {b.max_lat_deg, centre.lon_deg}).distance_m;
  const double w = geodesic_inverse({centre.lat_deg, b.min_lon_deg}, {centre.lat_deg, b.max_lon_deg}).distance_m;
  const double pad = std::max(200.0, margin * std::max(h, w));
  grow_box(b, {b.min_lat_deg, b.min_lon_deg}, pad);
  grow_box(b, {b.max_lat_deg, b.max_lon_deg}, pad);
  b.min_lat_deg = std::max(-89.9, b.min_lat_deg);
  b.max_lat_deg = std::min(89.9, b.max_lat_deg);
  b.min_lon_deg = std::max(-180.0, b.min_lon_deg);
  b.max_lon_deg = std::min(180.0, b.max_lon_deg);
  return b;
}

}  // namespace geo::render
