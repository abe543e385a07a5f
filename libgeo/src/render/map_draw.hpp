// SPDX-License-Identifier: Apache-2.0
// Private: what the map's layers share while one map is drawn (the cairo context, the projection, the
// label placer, and what the legend, notes and attribution collect), and the layers themselves.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "geo/render/map.hpp"
#include "render/map_canvas.hpp"
#include "render/map_labels.hpp"

namespace geo::render::detail {

// Colours, chosen to stay apart in greyscale print (lightness given).
inline constexpr unsigned kWater = 0xdde8f0;      // L 91
inline constexpr unsigned kLand = 0xf7f5ef;       // L 97
inline constexpr unsigned kBorder = 0x8c8c8c;
inline constexpr unsigned kCoast = 0x6f8aa3;
inline constexpr unsigned kCompound = 0xc0262d;   // dark red, L 44, drawn over a white casing
inline constexpr unsigned kTrack = 0x111111;
inline constexpr unsigned kFootprint = 0x0a7fb5;  // dashed: stays apart from the outline without colour
inline constexpr unsigned kText = 0x1a1a1a;
inline constexpr unsigned kUndated = 0xffffff;    // hollow symbol with a cross
inline constexpr unsigned kTopEdge = 0xd7191c;    // a match overlay's frame top edge: solid, beside the dashed outline
inline constexpr unsigned kFixCentre = 0xffd400;  // a match overlay's fix centre: yellow, ringed black and white

struct LabelRequest {
  double ax = 0, ay = 0, r = 0;  // anchor and the radius of its symbol
  std::string text;
  TextStyle style;
  int priority = 0;              // lower first
  bool allow_leader = true;
  std::string what;              // for the note when dropped: "event 3", "town Mae Sot", ...
};

struct DrawContext {
  cairo_t* cr = nullptr;
  MapProjection proj;
  Box frame;                     // the map frame on the drawing
  GeoBox extent;                 // its WGS 84 box
  double em = 13;                // base text size
  bool vector_output = false;
  std::vector<LabelRequest> labels;
  LabelPlacer* placer = nullptr;
  std::vector<LegendEntry> legend;
  std::vector<std::string> notes;
  std::vector<std::string> attributions;
  std::optional<double> t_min_s, t_max_s;  // dated events' span (unix seconds), for the colour scale

  void add_legend(const std::string& symbol, const std::string& text);
  bool in_frame(const MapProjection::Px& p, double margin = 0) const;
};

// The colour of an event's time on the sequential scale (viridis: lightness rises with time, so dates
// stay ordered in greyscale); undated events are white.
Rgb date_colour(const DrawContext& c, const MapEvent& e);
Rgb date_ramp(double t);  // t in [0, 1]
// The event's symbol: circle (exact), square (vicinity), diamond (locality), triangle (region).
void draw_event_symbol(cairo_t* cr, double x, double y, double size, const std::string& precision, const Rgb& fill,
                       bool undated);
// The projected ring as a cairo path (not closed when `close` is false). Points that cannot be
// projected are skipped. True when some segment crosses the frame (the ring is visible).
bool ring_path(const DrawContext& c, const std::vector<GeoPoint>& ring, bool close);

// A geodesic circle of `radius_m` round `centre` as a closed cairo path (72 points).
void circle_path(const DrawContext& c, const GeoPoint& centre, double radius_m);
// An 8-bit BGR image (CV_8UC3) as a cairo ARGB32 surface (premultiplied), opaque where `alpha` (CV_8UC1,
// the same size; empty = opaque everywhere) is 255. The caller destroys it.
cairo_surface_t* surface_from_bgr(const cv::Mat& bgr, const cv::Mat& alpha = {});

// Whether the segment a-b touches the box.
bool segment_hits(const MapProjection::Px& a, const MapProjection::Px& b, const Box& box);

// Layers, in drawing order.
bool draw_basemap(DrawContext& c, bool fill_land);
void draw_towns(DrawContext& c, const std::vector<GeoPoint>& near);
void draw_imagery(DrawContext& c, const fs::path& imagery, const std::string& date, std::string* sha256);
// The same with a raster already open (`name` as the map states it). Returns the share of the frame
// it covers, in [0, 1] (0 when it does not cover the frame or is not RGB).
double draw_imagery(DrawContext& c, const Raster& raster, const std::string& name, const std::string& date);
void draw_compounds(DrawContext& c, const MapData& d, bool site);
void draw_footprints(DrawContext& c, const std::vector<const MapEvent*>& events);
void draw_events(DrawContext& c, const std::vector<const MapEvent*>& events, bool site);
void draw_inset(DrawContext& c, const Box& inset);
// Places and draws every requested label (by priority), adding what was dropped to the notes.
std::vector<MapLabel> draw_labels(DrawContext& c);

// Local time of an event for labels: "2020-09-02 09:41:12-09:41:42 (UTC-05:00)", "time unknown".
std::string event_time_text(const MapEvent& e);
std::string clock_text(UtcTime t, const std::string& zone);  // "09:41:20" (local when zone given, else UTC)

}  // namespace geo::render::detail
