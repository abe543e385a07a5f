// SPDX-License-Identifier: Apache-2.0
// Static maps and the timeline, drawn once through cairo (text by pango) and written as PNG, PDF or SVG
// from that one drawing path. A map is in a transverse Mercator projection centred on the map's centre
// (true scale and north up there); the scale bar is true at the centre.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/geopoint.hpp"
#include "geo/core/json.hpp"
#include "geo/imagery/raster.hpp"
#include "geo/render/map_data.hpp"

namespace geo::render {

namespace fs = std::filesystem;

enum class MapKind {
  automatic,  // site when a compound or an event frames the map or imagery is given, overview otherwise
  overview,   // a region: borders, coastline, towns, compounds and events as symbols, a locator inset
  site,       // one compound, one event or a box: imagery, outlines, uncertainty, tracks, footprints
};
const char* to_string(MapKind k) noexcept;
MapKind parse_map_kind(const std::string& s);  // throws Error{invalid_argument}

struct MapOptions {
  MapKind kind = MapKind::automatic;
  // What frames the map: at most one of them; none = every event (site) or every event and the
  // compounds they are at (overview).
  std::string compound_id;
  std::int64_t event_id = 0;              // 0 = none
  std::optional<GeoBox> bbox;             // WGS 84 degrees
  fs::path imagery;                       // the site map's base (any raster geo::Raster reads); empty = none
  std::string imagery_date;               // YYYY-MM-DD; empty = the raster's metadata date, if any
  std::string title;                      // empty = made from the case and what frames the map
  int width_px = 1600;                    // PNG/SVG width in pixels (SVG: 1 px = 1 pt)
  std::string page;                       // "a4" | "letter" (landscape, sizes in points); empty = width_px
  // Throws Error{invalid_argument} (one line): several framings, bbox min > max or outside the
  // world, width_px outside [400, 10000], an unknown page, a bad imagery date.
  void validate() const;
};

// The map's projection: pixel (x right, y down; (0,0) the top-left corner of the drawing) <-> WGS 84.
// Transverse Mercator on WGS 84 with its origin at the map's centre, scale factor 1. Copyable;
// thread-safe (PROJ state is per thread).
class MapProjection {
 public:
  MapProjection() = default;
  // `centre_px`: where `centre` is drawn; `metres_per_px`: ground metres per pixel at the centre.
  MapProjection(const GeoPoint& centre, double metres_per_px, double centre_x_px, double centre_y_px);
  struct Px {
    double x = 0, y = 0;
  };
  // NaN coordinates when the point cannot be projected (more than about 90 degrees from the centre).
  Px to_px(const GeoPoint& p) const;
  GeoPoint from_px(double x, double y) const;
  const GeoPoint& centre() const noexcept { return centre_; }
  double metres_per_px() const noexcept { return metres_per_px_; }
  // The CRS as a PROJ string ("+proj=tmerc +lat_0=... +type=crs"), as the map states it.
  std::string proj_string() const;

 private:
  GeoPoint centre_;
  double metres_per_px_ = 1;
  double cx_ = 0, cy_ = 0;
};

struct MapLabel {
  double x = 0, y = 0, w = 0, h = 0;  // box, pixels (PDF: points), top-left corner and size
  std::string text;
};

struct ScaleBar {
  double x0_px = 0, x1_px = 0, y_px = 0;  // its two ends
  double length_m = 0;                    // the ground distance it states
  std::string text;                       // "500 m", "2 km"
};

struct LegendEntry {
  std::string symbol;  // what is drawn: "event-exact", "track", "compound-outline", "imagery", ...
  std::string text;
};

struct MapResult {
  fs::path output;
  std::string format;                  // png | pdf | svg
  MapKind kind = MapKind::overview;
  double width = 0, height = 0;        // pixels (PDF: points)
  double map_x = 0, map_y = 0, map_w = 0, map_h = 0;  // the map frame inside the drawing
  MapProjection projection;
  GeoBox extent;                       // WGS 84 box of the map frame
  ScaleBar scale_bar;
  std::vector<MapLabel> labels;        // every label placed on the map frame (pairwise disjoint)
  std::vector<LegendEntry> legend;
  std::vector<std::string> notes;      // what was left out or is incomplete, in words
  std::vector<std::string> attributions;
  std::string crs;                     // as stated on the map
  int events_drawn = 0;
  Json provenance;                     // tool, version, parameters, inputs' SHA-256
};
Json to_json(const MapResult& r);

// Draws the map of `d` described by `opts` into `out` (.png, .pdf or .svg, from the extension),
// atomically: nothing is left at `out` when it throws. A case without events gives a map that says so.
// Throws Error{invalid_argument} (bad options, an unknown extension, an unknown compound or event id),
// Error{io} (the output cannot be written), Error{not_found} (imagery file missing).
MapResult render_map(const MapData& d, const MapOptions& opts, const fs::path& out);

struct TimelineOptions {
  std::string title;           // empty = made from the case
  int width_px = 1600;
  std::string page;            // "a4" | "letter" | empty
  void validate() const;       // throws Error{invalid_argument}
};

struct TimelineResult {
  fs::path output;
  std::string format;
  double width = 0, height = 0;
  int rows = 0;                             // compounds (and "no compound") drawn as rows
  int events_dated = 0, events_undated = 0;
  std::vector<std::string> notes;
  Json provenance;
};
Json to_json(const TimelineResult& r);

// Events per compound over time: one row per compound, each event a mark over its time window,
// coloured by compound, a date axis; undated events listed below. Written atomically like render_map.
TimelineResult render_timeline(const MapData& d, const TimelineOptions& opts, const fs::path& out);

}  // namespace geo::render
