// SPDX-License-Identifier: Apache-2.0
#include "geo/render/html_map.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/text.hpp"
#include "geo/core/timezone.hpp"
#include "geo/spatial/place_zone.hpp"
#include "html_internal.hpp"

namespace geo::render {

namespace html {
extern const char* const kPageCss;
extern const char* const kPageScript;
}  // namespace html

namespace {

// Sequential colours for dates, dark (earliest) to light (latest): monotonic in lightness, so the order
// survives greyscale print. Undated events are grey.
constexpr const char* kDateRamp[] = {"#3b0f70", "#1f5f8b", "#1f9e89", "#6cce59", "#e3d821"};
constexpr const char* kUndated = "#8a8a8a";
// The basemap reaches this far beyond the first view (a multiple of its size, at least 1 degree), and
// is simplified to this fraction of its own size: about 100 m for a site map, where Natural Earth's
// own generalisation is about 3 km anyway.
constexpr double kBasemapReach = 3.0;
constexpr double kBasemapMinReachDeg = 1.0;
constexpr double kBasemapTolerance = 1.0 / 1500;
// Event labels are drawn beside every pin up to this many events; beyond, on hover only.
constexpr int kMaxPermanentLabels = 30;

std::string hex_mix(const char* a, const char* b, double f) {
  const auto ch = [](const char* h, int i) { return std::stoi(std::string(h + 1 + 2 * i, 2), nullptr, 16); };
  char out[8];
  std::snprintf(out, sizeof out, "#%02x%02x%02x", int(std::lround(ch(a, 0) + f * (ch(b, 0) - ch(a, 0)))),
                int(std::lround(ch(a, 1) + f * (ch(b, 1) - ch(a, 1)))), int(std::lround(ch(a, 2) + f * (ch(b, 2) - ch(a, 2)))));
  return out;
}

std::string ramp(double f) {
  constexpr int n = std::size(kDateRamp) - 1;
  f = std::clamp(f, 0.0, 1.0) * n;
  const int i = std::min(n - 1, int(f));
  return hex_mix(kDateRamp[i], kDateRamp[i + 1], f - i);
}

std::string human_utc(UtcTime t) {
  std::string s = format_utc(t);  // 2020-09-02T14:41:12Z
  return s.substr(0, 10) + " " + s.substr(11, 8);
}

// "2020-09-02 14:41:12 to 14:41:42 UTC", and the same in the zone where the event is.
std::pair<std::string, std::string> window_text(const MapEvent& e) {
  if (!e.time_from && e.time_to) {  // a bound only (a messaging app's save date)
    std::string local;
    if (!e.local_zone.empty()) try {
        const TimeZone z = TimeZone::named(e.local_zone);
        const std::string l = format_local(*e.time_to, z.offset_s(*e.time_to) / 60);
        local = "not after " + l.substr(0, 10) + " " + l.substr(11, 8) + " local (UTC" + l.substr(19) + ", " + e.local_zone + ")";
      } catch (const Error&) {
      }
    return {"not after " + human_utc(*e.time_to) + " UTC", local};
  }
  if (!e.time_from) return {"unknown", ""};
  const UtcTime a = *e.time_from, b = e.time_to.value_or(a);
  const std::string ua = human_utc(a), ub = human_utc(b);
  std::string utc = ua + (b == a ? "" : " to " + (ub.substr(0, 10) == ua.substr(0, 10) ? ub.substr(11) : ub)) + " UTC";
  std::string local;
  if (!e.local_zone.empty()) {
    try {
      const TimeZone z = TimeZone::named(e.local_zone);
      const std::string la = format_local(a, z.offset_s(a) / 60), lb = format_local(b, z.offset_s(b) / 60);
      local = la.substr(0, 10) + " " + la.substr(11, 8);
      if (b != a) local += " to " + (lb.substr(0, 10) == la.substr(0, 10) ? lb.substr(11, 8) : lb.substr(0, 10) + " " + lb.substr(11, 8));
      local += " local (UTC" + la.substr(19) + ", " + e.local_zone + ")";
    } catch (const Error&) {
      local = "";
    }
  }
  return {utc, local};
}

std::string clock_label(const std::optional<UtcTime>& t, const std::string& zone) {
  if (!t) return "";
  std::string s = human_utc(*t).substr(11) + " UTC";
  if (!zone.empty()) {
    try {
      const TimeZone z = TimeZone::named(zone);
      s = format_local(*t, z.offset_s(*t) / 60).substr(11, 8) + " local · " + s;
    } catch (const Error&) {
    }
  }
  return s;
}

std::string fixed(double v, int digits) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(digits);
  o << v;
  return o.str();
}

Json latlon(const GeoPoint& p) { return Json::array({std::round(p.lat_deg * 1e7) / 1e7, std::round(p.lon_deg * 1e7) / 1e7}); }

Json bounds_json(const GeoBox& b) { return Json::array({{b.min_lat_deg, b.min_lon_deg}, {b.max_lat_deg, b.max_lon_deg}}); }

// Polygon and MultiPolygon parts of a footprint geometry (GeometryCollections flattened), each one path.
void footprint_parts(const Json& g, std::vector<Json>& out) {
  if (!g.is_object() || !g.contains("type")) return;
  const std::string t = g.value("type", "");
  if ((t == "Polygon" || t == "MultiPolygon") && g.contains("coordinates")) out.push_back(g);
  if (t == "GeometryCollection" && g.contains("geometries"))
    for (const auto& m : g["geometries"]) footprint_parts(m, out);
}

Json compound_json(const spatial::Compound& c, HtmlMapResult& r) {
  Json j{{"id", c.id}, {"name", c.name}, {"kind", spatial::to_string(c.kind)},
         {"status", spatial::to_string(c.status)}, {"country", c.country}, {"confidence", c.confidence}};
  Json sources = Json::array();
  for (const auto& s : c.sources)
    sources.push_back(s.title + (s.date.empty() ? "" : " (" + s.date + ")") + (s.url.empty() ? "" : " " + s.url));
  j["sources"] = sources;
  if (c.geometry.type == spatial::SiteGeometry::Type::point) {
    j["point"] = latlon(c.geometry.point);
    ++r.compound_points;
  } else if (!c.geometry.polygons.empty()) {
    Json polys = Json::array();
    for (const auto& poly : c.geometry.polygons) {
      Json rings = Json::array();
      for (const auto& ring : poly) {
        Json pts = Json::array();
        for (const auto& p : ring) pts.push_back(latlon(p));
        rings.push_back(std::move(pts));
      }
      polys.push_back(std::move(rings));
    }
    j["polygons"] = std::move(polys);
    ++r.compound_polygons;
  } else {
    return nullptr;
  }
  return j;
}

std::optional<GeoBox> compounds_extent(const spatial::Registry& reg) {
  GeoBox b{180, 90, -180, -90};
  bool any = false;
  const auto grow = [&](const GeoPoint& p) {
    b.min_lon_deg = std::min(b.min_lon_deg, p.lon_deg), b.max_lon_deg = std::max(b.max_lon_deg, p.lon_deg);
    b.min_lat_deg = std::min(b.min_lat_deg, p.lat_deg), b.max_lat_deg = std::max(b.max_lat_deg, p.lat_deg);
    any = true;
  };
  for (const auto& c : reg.compounds) {
    if (c.geometry.type == spatial::SiteGeometry::Type::point) grow(c.geometry.point);
    for (const auto& poly : c.geometry.polygons)
      for (const auto& p : poly.empty() ? spatial::Ring{} : poly[0]) grow(p);
  }
  if (!any) return std::nullopt;
  const double pad = std::max(0.02, 0.1 * std::max(b.max_lon_deg - b.min_lon_deg, b.max_lat_deg - b.min_lat_deg));
  return GeoBox{std::max(-180.0, b.min_lon_deg - pad), std::max(-85.0, b.min_lat_deg - pad),
                std::min(180.0, b.max_lon_deg + pad), std::min(85.0, b.max_lat_deg + pad)};
}

}  // namespace

void HtmlMapOptions::validate() const {
  if (thumbnail_px < 64 || thumbnail_px > 1024)
    throw Error(Errc::invalid_argument, "map.html: thumbnail_px must be in [64, 1024] (got " + std::to_string(thumbnail_px) + ")");
  if (imagery_max_px < 256 || imagery_max_px > 8192)
    throw Error(Errc::invalid_argument,
                "map.html: imagery_max_px must be in [256, 8192] (got " + std::to_string(imagery_max_px) + ")");
  if (bbox) bbox->validate("map.html: bbox");
  if (imagery && imagery->empty()) throw Error(Errc::invalid_argument, "map.html: imagery: empty path");
  if (imagery_date) parse_date(*imagery_date);
}

Json to_json(const HtmlMapResult& r) {
  return Json{{"output", r.output.string()},      {"markers", r.markers},
              {"uncertainty_circles", r.uncertainty_circles},
              {"compound_polygons", r.compound_polygons}, {"compound_points", r.compound_points},
              {"tracks", r.tracks},                {"footprints", r.footprints},
              {"thumbnails", r.thumbnails},        {"faces_blurred", r.faces_blurred},
              {"basemap_countries", r.basemap_countries}, {"imagery_overlay", r.imagery_overlay},
              {"bytes", r.bytes},                  {"notes", r.notes},
              {"provenance", r.provenance}};
}

HtmlMapResult write_html_map(const MapData& data, const HtmlMapOptions& opts, const fs::path& out) {
  opts.validate();
  HtmlMapResult r;
  r.output = out;
  r.notes = data.notes;
  const html::LeafletAssets leaflet = html::read_leaflet(opts.leaflet_dir.empty() ? leaflet_dist_dir() : opts.leaflet_dir);
  std::vector<InputRef> inputs = leaflet.inputs;
  for (std::size_t i = 0; i < data.compounds.origins.size() && i < data.compounds.sha256.size(); ++i)
    inputs.push_back({data.compounds.origins[i], data.compounds.sha256[i], std::nullopt});

  // The first view: the events, else the compounds, else the world.
  GeoBox view{-180, -60, 180, 75};
  if (opts.bbox) view = *opts.bbox;
  else if (auto e = extent_of(data)) view = *e;
  else if (auto c = compounds_extent(data.compounds)) view = *c;
  const double span = std::max(view.max_lon_deg - view.min_lon_deg, view.max_lat_deg - view.min_lat_deg);
  const double reach = std::max(kBasemapMinReachDeg, kBasemapReach * span);
  const GeoBox clip{std::max(-180.0, view.min_lon_deg - reach), std::max(-90.0, view.min_lat_deg - reach),
                    std::min(180.0, view.max_lon_deg + reach), std::min(90.0, view.max_lat_deg + reach)};
  Json basemap = html::basemap_geojson(
      clip, kBasemapTolerance * std::max(clip.max_lon_deg - clip.min_lon_deg, clip.max_lat_deg - clip.min_lat_deg),
      &r.basemap_countries);
  const fs::path countries = spatial::shipped_countries_path();
  inputs.push_back({countries.string(), sha256_file(countries), std::nullopt});

  // Date colours over the dated events.
  std::optional<UtcTime> first, last;
  for (const auto& e : data.events)
    if (e.time_from) {
      if (!first || *e.time_from < *first) first = e.time_from;
      if (!last || *e.time_from > *last) last = e.time_from;
    }
  const auto colour_of = [&](const MapEvent& e) -> std::string {
    if (!e.time_from) return kUndated;
    if (*last == *first) return ramp(0.5);
    return ramp(double(e.time_from->unix_us - first->unix_us) / double(last->unix_us - first->unix_us));
  };

  Json events = Json::array(), footprints = Json::array();
  // Faces found in a thumbnail's frame are kept in the case, so drawing the map again does not search again.
  const FaceCache faces_kept = data.case_dir.empty() ? FaceCache() : FaceCache::in_case(data.case_dir);
  for (const auto& e : data.events) {
    const auto [utc, local] = window_text(e);
    Json j{{"id", e.id},
           {"label", e.label},
           {"at", latlon(e.position)},
           {"position", fixed(e.position.lat_deg, 6) + ", " + fixed(e.position.lon_deg, 6)},
           {"uncertainty_m", e.uncertainty_m},
           {"uncertainty", e.uncertainty_m > 0 ? "±" + format_distance(e.uncertainty_m) : ""},
           {"precision", e.precision},
           {"color", colour_of(e)},
           {"time_utc", utc},
           {"time_local", local},
           {"method", e.method},
           {"confidence", e.confidence},
           {"description", e.description},
           {"warnings", e.warnings}};
    if (!e.compound_name.empty() || !e.compound_id.empty()) {
      std::string c = e.compound_name.empty() ? e.compound_id : e.compound_name;
      if (!e.relation.empty()) c += " (" + e.relation;
      if (e.distance_m > 0) c += ", " + format_distance(e.distance_m) + " away";
      if (!e.relation.empty()) c += ", p_inside " + fixed(e.p_inside, 2) + ")";
      j["compound"] = c;
    } else {
      j["compound"] = "none within reach";
    }
    if (!e.imagery.empty()) j["imagery"] = e.imagery + (e.imagery_date.empty() ? "" : " (" + e.imagery_date + ")");
    if (e.uncertainty_m > 0) ++r.uncertainty_circles;
    if (e.track.size() >= 2) {
      Json pts = Json::array();
      for (const auto& t : e.track) pts.push_back(latlon(t.point));
      j["track"] = std::move(pts);
      j["track_start"] = clock_label(e.track.front().utc, e.local_zone);
      j["track_end"] = clock_label(e.track.back().utc, e.local_zone);
      ++r.tracks;
    }
    std::vector<Json> parts;
    footprint_parts(e.shows, parts);
    for (auto& g : parts) footprints.push_back({{"event", e.id}, {"label", e.label}, {"geometry", std::move(g)}});
    r.footprints += static_cast<int>(parts.size());
    if (opts.embed_thumbnails && !e.thumbnail.empty()) {
      const std::size_t before = r.notes.size();
      if (auto t = html::thumbnail(e.thumbnail, opts.thumbnail_px, opts.blur_faces, faces_kept, r.notes)) {
        j["thumbnail"] = {{"url", t->data_uri}, {"width", t->width}, {"height", t->height}};
        const std::string frame = "frame " + e.thumbnail.filename().string() + "; ";
        j["thumbnail_note"] =
            !opts.blur_faces ? frame + "faces NOT blurred"
            : t->blurred > 0 ? frame + std::to_string(t->blurred) + (t->blurred == 1 ? " area" : " areas") +
                                   " blurred as a possible face (outlined; detection also finds patterns that are not faces)"
                             : frame + "no face detected (faces from above, small or turned away can be missed: look "
                                       "before sharing)";
        r.faces_blurred += t->blurred;
        ++r.thumbnails;
        try {
          inputs.push_back({e.thumbnail.string(), sha256_file(e.thumbnail), std::nullopt});
        } catch (const Error&) {
        }
      }
      for (std::size_t i = before; i < r.notes.size(); ++i) r.notes[i] = "event " + std::to_string(e.id) + ": " + r.notes[i];
    }
    events.push_back(std::move(j));
    ++r.markers;
  }

  Json compounds = Json::array();
  int without_geometry = 0;
  for (const auto& c : data.compounds.compounds) {
    Json j = compound_json(c, r);
    if (j.is_null()) ++without_geometry;
    else compounds.push_back(std::move(j));
  }
  if (without_geometry)
    r.notes.push_back(std::to_string(without_geometry) + " registry entries have no position and are not drawn");

  Json imagery = nullptr;
  std::vector<std::string> attributions = data.attributions;
  if (std::find_if(attributions.begin(), attributions.end(), [](const std::string& a) {
        return a.find("Natural Earth") != std::string::npos;
      }) == attributions.end())
    attributions.push_back("borders: Natural Earth 1:10m (public domain), via world-atlas");
  if (opts.imagery) {
    if (auto o = html::imagery_overlay(*opts.imagery, opts.imagery_date, view, opts.imagery_max_px, r.notes)) {
      imagery = {{"url", o->data_uri}, {"bounds", bounds_json(o->bounds)}, {"name", o->name}, {"date", o->date}};
      attributions.push_back("imagery: " + o->name + (o->date.empty() ? " (date unknown)" : " (" + o->date + ")"));
      if (!o->input.sha256.empty()) inputs.push_back(o->input);
      r.imagery_overlay = true;
    }
  }
  attributions.push_back("Leaflet " + leaflet.version + " (BSD-2-Clause), inlined");

  const std::string title = !opts.title.empty() ? opts.title : !data.case_title.empty() ? data.case_title : "geoev map";
  Json params{{"title", title},
              {"case", data.case_dir.string()},
              {"imagery", opts.imagery ? Json(*opts.imagery) : Json(nullptr)},
              {"imagery_date", opts.imagery_date ? Json(*opts.imagery_date) : Json(nullptr)},
              {"bbox", opts.bbox ? to_json(*opts.bbox) : Json(nullptr)},
              {"embed_thumbnails", opts.embed_thumbnails},
              {"blur_faces", opts.blur_faces},
              {"thumbnail_px", opts.thumbnail_px},
              {"imagery_max_px", opts.imagery_max_px},
              {"leaflet_version", leaflet.version}};
  const Provenance prov = make_provenance("map.html", params, inputs);
  r.provenance = to_json(prov);

  Json page{{"title", title},
            {"subtitle", std::to_string(r.markers) + (r.markers == 1 ? " event" : " events") + " · " +
                             std::to_string(compounds.size()) + " registry sites · made " +
                             format_utc(prov.created).substr(0, 10) + " by geoev " + version() +
                             " · works offline, nothing is loaded from the network"},
            {"view", bounds_json(view)},
            {"empty", data.events.empty()},
            {"labels", int(data.events.size()) <= kMaxPermanentLabels},
            {"legend", {{"from", first ? human_utc(*first).substr(0, 16) + " UTC" : ""},
                        {"to", last ? human_utc(*last).substr(0, 16) + " UTC" : ""},
                        {"ramp", Json::array({ramp(0), ramp(0.25), ramp(0.5), ramp(0.75), ramp(1)})},
                        {"undated", kUndated}}},
            {"attributions", attributions},
            {"notes", r.notes},
            {"basemap", std::move(basemap)},
            {"compounds", std::move(compounds)},
            {"events", std::move(events)},
            {"footprints", std::move(footprints)},
            {"imagery", std::move(imagery)},
            {"expected", {{"markers", r.markers},
                          {"paths", r.compound_polygons + r.compound_points + r.tracks + r.footprints}}}};

  std::string doc;
  doc.reserve(leaflet.js.size() + leaflet.css.size() + (std::size_t{1} << 16));
  doc += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  doc += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  // No request may leave the page: only inline code and data: images, whatever a string in the data says.
  doc += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; "
         "style-src 'unsafe-inline'; img-src data:\">\n";
  doc += "<title>" + html::escape_html(title) + "</title>\n";
  doc += "<!-- Made by geoev " + std::string(version()) + ". Leaflet " + html::comment_safe(leaflet.version) +
         " is inlined below under its licence:\n" + html::comment_safe(leaflet.licence) + "-->\n";
  doc += "<style>\n" + leaflet.css + "\n</style>\n<style>\n" + html::kPageCss + "\n</style>\n</head>\n<body>\n";
  doc += "<header id=\"geoev-header\"><h1>" + html::escape_html(title) + "</h1><p id=\"geoev-subtitle\"></p></header>\n";
  doc += "<div id=\"geoev-map\"></div>\n";
  doc += "<script type=\"application/json\" id=\"geoev-data\">" + html::json_for_script(page) + "</script>\n";
  doc += "<script type=\"application/json\" id=\"geoev-provenance\">" + html::json_for_script(r.provenance) + "</script>\n";
  doc += "<script>\n" + leaflet.js + "\n</script>\n";
  doc += "<script>\n" + std::string(html::kPageScript) + "\n</script>\n</body>\n</html>\n";

  write_file_atomic(out, doc);
  r.bytes = doc.size();
  return r;
}

}  // namespace geo::render
