// SPDX-License-Identifier: Apache-2.0
// render_map: what frames the map, the layout, the layers in order, and the furniture (title, scale bar,
// north arrow, legend, notes, sources, CRS and date). Everything is drawn once onto a cairo recording
// surface, then replayed onto the PNG, PDF or SVG surface: one drawing path for every format, and the
// drawing's height can follow what the legend and notes turned out to need.
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/core/provenance.hpp"
#include "geo/core/text.hpp"
#include "render/map_draw.hpp"
#include "render/map_furniture.hpp"

namespace geo::render {

using namespace detail;

namespace {

constexpr double kOverviewMinSpan_m = 60'000;  // an overview shows the region round the sites, not a street
constexpr double kSiteMinSpan_m = 300;         // a site map shows at least a block round an event
constexpr double kOverviewPad = 0.3;
constexpr double kEventPad = 0.3;
const GeoBox kDefaultRegion{92.0, 5.0, 110.0, 25.0};  // mainland Southeast Asia: an empty case's map


GeoBox empty_box() { return GeoBox{1e9, 1e9, -1e9, -1e9}; }
bool is_empty(const GeoBox& b) { return b.min_lat_deg > b.max_lat_deg; }

std::pair<double, double> size_m(const GeoBox& b) {
  const GeoPoint c = b.center();
  return {geodesic_inverse({c.lat_deg, b.min_lon_deg}, {c.lat_deg, b.max_lon_deg}).distance_m,
          geodesic_inverse({b.min_lat_deg, c.lon_deg}, {b.max_lat_deg, c.lon_deg}).distance_m};
}

GeoBox padded(GeoBox b, double frac, double min_span_m) {
  const auto [w, h] = size_m(b);
  const GeoPoint c = b.center();
  grow_box(b, c, std::max(min_span_m / 2, 0.0));
  const double pad = frac * std::max(w, h);
  grow_box(b, {b.min_lat_deg, b.min_lon_deg}, pad);
  grow_box(b, {b.max_lat_deg, b.max_lon_deg}, pad);
  b.min_lat_deg = std::max(-85.0, b.min_lat_deg);
  b.max_lat_deg = std::min(85.0, b.max_lat_deg);
  b.min_lon_deg = std::max(-180.0, b.min_lon_deg);
  b.max_lon_deg = std::min(180.0, b.max_lon_deg);
  return b;
}

void add_compound(GeoBox& b, const spatial::Compound& c) {
  if (c.geometry.type == spatial::SiteGeometry::Type::point) grow_box(b, c.geometry.point, 0);
  for (const auto& poly : c.geometry.polygons)
    for (const auto& ring : poly)
      for (const auto& p : ring) grow_box(b, p, 0);
}

struct Framing {
  MapKind kind;
  GeoBox box;
  std::string subject;  // for the default title
};

Framing framing_of(const MapData& d, const MapOptions& o) {
  Framing f{o.kind, empty_box(), ""};
  if (f.kind == MapKind::automatic)
    f.kind = (!o.compound_id.empty() || o.event_id != 0 || !o.imagery.empty()) ? MapKind::site : MapKind::overview;
  if (!o.compound_id.empty()) {
    const auto* c = d.compounds.find(o.compound_id);
    if (!c) throw Error(Errc::invalid_argument, "map: compound '" + o.compound_id + "' is not in the registry");
    f.subject = c->name.empty() ? c->id : c->name;
    add_compound(f.box, *c);
    for (const auto& e : d.events)
      if (e.compound_id == o.compound_id) {
        grow_box(f.box, e.position, e.uncertainty_m);
        for (const auto& t : e.track) grow_box(f.box, t.point, t.error_m);
      }
    if (!is_empty(f.box)) f.box = padded(f.box, 0.15, f.kind == MapKind::site ? kSiteMinSpan_m : kOverviewMinSpan_m);
  } else if (o.event_id != 0) {
    const auto it = std::find_if(d.events.begin(), d.events.end(), [&](const MapEvent& e) { return e.id == o.event_id; });
    if (it == d.events.end()) throw Error(Errc::invalid_argument, "map: event " + std::to_string(o.event_id) + " is not in the case");
    f.subject = "event " + std::to_string(it->id) + " (" + it->label + ")";
    grow_box(f.box, it->position, it->uncertainty_m);
    for (const auto& t : it->track) grow_box(f.box, t.point, t.error_m);
    f.box = padded(f.box, kEventPad, f.kind == MapKind::site ? kSiteMinSpan_m : kOverviewMinSpan_m);
  } else if (o.bbox) {
    f.box = *o.bbox;
    f.subject = "the requested area";
  } else {
    for (const auto& e : d.events) {
      grow_box(f.box, e.position, f.kind == MapKind::site ? e.uncertainty_m : 0);
      for (const auto& t : e.track) grow_box(f.box, t.point, 0);
      if (f.kind == MapKind::overview)
        if (const auto* c = d.compounds.find(e.compound_id)) add_compound(f.box, *c);
    }
    if (is_empty(f.box))
      for (const auto& c : d.compounds.compounds)
        if (c.kind == spatial::SiteKind::compound) add_compound(f.box, c);
    if (is_empty(f.box)) f.box = kDefaultRegion;
    f.box = padded(f.box, f.kind == MapKind::site ? 0.15 : kOverviewPad,
                   f.kind == MapKind::site ? kSiteMinSpan_m : kOverviewMinSpan_m);
    f.subject = "all events";
  }
  if (is_empty(f.box)) f.box = kDefaultRegion;
  return f;
}

std::string default_title(const MapData& d, const Framing& f) {
  const std::string c = d.case_title.empty() ? d.case_dir.filename().string() : d.case_title;
  const std::string what = f.kind == MapKind::overview ? "Overview" : "Site map";
  return what + ": " + f.subject + (c.empty() ? "" : " \u2014 case " + c);
}

Json parameters_of(const MapOptions& o, const std::string& format) {
  Json p = {{"kind", to_string(o.kind)}, {"width_px", o.width_px}, {"page", o.page}, {"format", format},
            {"title", o.title}, {"compound_id", o.compound_id}, {"event_id", o.event_id},
            {"imagery", o.imagery.string()}, {"imagery_date", o.imagery_date}};
  p["bbox"] = o.bbox ? to_json(*o.bbox) : Json();
  return p;
}

}  // namespace

const char* to_string(MapKind k) noexcept {
  switch (k) {
    case MapKind::automatic: return "automatic";
    case MapKind::overview: return "overview";
    case MapKind::site: return "site";
  }
  return "automatic";
}

MapKind parse_map_kind(const std::string& s) {
  if (s == "automatic" || s.empty()) return MapKind::automatic;
  if (s == "overview") return MapKind::overview;
  if (s == "site") return MapKind::site;
  throw Error(Errc::invalid_argument, "map: unknown kind '" + s + "' (overview or site)");
}

void MapOptions::validate() const {
  const int framings = (compound_id.empty() ? 0 : 1) + (event_id != 0 ? 1 : 0) + (bbox ? 1 : 0);
  if (framings > 1)
    throw Error(Errc::invalid_argument, "map: give at most one of a compound, an event or a bbox to frame the map");
  if (bbox) {
    if (bbox->min_lon_deg > bbox->max_lon_deg || bbox->min_lat_deg > bbox->max_lat_deg)
      throw Error(Errc::invalid_argument, "map: bbox: the minimum is above the maximum (give MINLON,MINLAT,MAXLON,MAXLAT)");
    bbox->validate("map: bbox");
  }
  if (event_id < 0) throw Error(Errc::invalid_argument, "map: event id " + std::to_string(event_id) + " is not valid");
  if (page.empty() && (width_px < 400 || width_px > 10000))
    throw Error(Errc::invalid_argument, "map: width " + std::to_string(width_px) + " px is outside 400..10000");
  if (!page.empty() && page != "a4" && page != "letter")
    throw Error(Errc::invalid_argument, "map: unknown page '" + page + "' (a4 or letter)");
  if (!imagery_date.empty()) parse_date(imagery_date);
}

Json to_json(const MapResult& r) {
  Json j = {{"output", r.output.string()}, {"format", r.format}, {"kind", to_string(r.kind)},
            {"width", r.width}, {"height", r.height}, {"extent", to_json(r.extent)}, {"crs", r.crs},
            {"events_drawn", r.events_drawn}, {"notes", r.notes}, {"attributions", r.attributions}};
  j["scale_bar"] = {{"length_m", r.scale_bar.length_m}, {"length_px", r.scale_bar.x1_px - r.scale_bar.x0_px},
                    {"text", r.scale_bar.text}};
  j["legend"] = Json::array();
  for (const auto& l : r.legend) j["legend"].push_back({{"symbol", l.symbol}, {"text", l.text}});
  j["labels"] = static_cast<int>(r.labels.size());
  j["provenance"] = r.provenance;
  return j;
}

MapResult render_map(const MapData& d, const MapOptions& o, const fs::path& out) {
  o.validate();
  const std::string format = format_of(out);
  const Framing f = framing_of(d, o);
  const auto [w_m, h_m] = size_m(f.box);
  const PageLayout lay = page_layout(o.page, o.width_px, h_m / std::max(1.0, w_m), format);

  MapResult r;
  r.output = out;
  r.format = format;
  r.kind = f.kind;
  const double mpp = std::max(w_m / lay.frame.w, h_m / lay.frame.h);
  const GeoPoint centre = f.box.center();
  r.projection = MapProjection(centre, mpp, lay.frame.x + lay.frame.w / 2, lay.frame.y + lay.frame.h / 2);

  const Recording recording;
  cairo_surface_t* rec = recording.surface();
  cairo_t* cr = recording.cr();

  DrawContext c;
  c.cr = cr;
  c.proj = r.projection;
  c.frame = lay.frame;
  c.em = lay.em;
  c.vector_output = !is_raster(format);
  c.extent = frame_extent(r.projection, lay.frame);
  LabelPlacer placer(lay.frame);
  c.placer = &placer;
  for (const auto& e : d.events)
    if (e.time_from) {
      c.t_min_s = std::min(c.t_min_s.value_or(1e300), e.time_from->unix_s());
      c.t_max_s = std::max(c.t_max_s.value_or(-1e300), e.time_from->unix_s());
    }
  const Furniture furn = furniture_boxes(c, f.kind == MapKind::overview);
  for (const auto& b : furn.obstacles()) placer.add_obstacle(b);

  cairo_save(cr);
  cairo_rectangle(cr, lay.frame.x, lay.frame.y, lay.frame.w, lay.frame.h);
  cairo_clip(cr);
  std::string imagery_sha;
  if (f.kind == MapKind::overview) {
    draw_basemap(c, true);
    c.add_legend("border", "international border, coastline (Natural Earth)");
    std::vector<GeoPoint> near;
    for (const auto& e : d.events) near.push_back(e.position);
    draw_towns(c, near);
    if (!o.imagery.empty()) c.notes.push_back("imagery is drawn on site maps only: " + o.imagery.filename().string() + " is not shown");
  } else {
    set(cr, hex(0xf1f0ea));
    cairo_paint(cr);
    if (!o.imagery.empty()) draw_imagery(c, o.imagery, o.imagery_date, &imagery_sha);
    if (draw_basemap(c, false)) c.add_legend("border", "international border (Natural Earth)");
  }
  std::vector<const MapEvent*> events;
  for (const auto& e : d.events) events.push_back(&e);
  if (f.kind == MapKind::site) draw_footprints(c, events);
  draw_compounds(c, d, f.kind == MapKind::site);
  draw_events(c, events, f.kind == MapKind::site);
  r.events_drawn = 0;
  for (const auto& e : d.events)
    if (c.in_frame(r.projection.to_px(e.position))) ++r.events_drawn;
  r.labels = draw_labels(c);
  if (d.events.empty()) {
    draw_message(c, "no events in this case");
    c.notes.push_back("no events in this case");
  }
  cairo_restore(cr);

  for (const auto& a : d.attributions) c.attributions.push_back(a);
  r.crs = "Transverse Mercator on WGS 84, centred " + format_centre(centre) + " (scale true at the centre)";
  const UtcTime made = now_utc();
  const std::string title = o.title.empty() ? default_title(d, f) : o.title;
  const std::string subtitle = std::to_string(r.events_drawn) + " of " + std::to_string(d.events.size()) +
                               " events shown \u00b7 made " + format_utc(made).substr(0, 16) + " UTC with geoev " + version();
  r.scale_bar = draw_furniture(c, furn, lay, title, subtitle, r.crs);
  const double height = draw_panel(c, lay);
  r.legend = c.legend;
  r.notes = c.notes;
  r.attributions = c.attributions;
  r.width = lay.width;
  r.height = lay.page ? lay.height : std::ceil(std::max(height, lay.frame.y + lay.frame.h + lay.strip_h));
  r.map_x = lay.frame.x, r.map_y = lay.frame.y, r.map_w = lay.frame.w, r.map_h = lay.frame.h;
  r.extent = c.extent;

  std::vector<InputRef> inputs;
  std::error_code ec;
  if (fs::is_regular_file(d.case_dir / "case.gpkg", ec)) inputs.push_back(input_ref((d.case_dir / "case.gpkg").string()));
  for (std::size_t i = 0; i < d.compounds.origins.size() && i < d.compounds.sha256.size(); ++i)
    inputs.push_back({d.compounds.origins[i], d.compounds.sha256[i], std::nullopt});
  if (!o.imagery.empty()) inputs.push_back({o.imagery.string(), imagery_sha, std::nullopt});
  Provenance prov = make_provenance("map", parameters_of(o, format), inputs);
  prov.created = made;
  r.provenance = to_json(prov);

  write_recording(rec, out, r.width, r.height);
  return r;
}

}  // namespace geo::render
