// SPDX-License-Identifier: Apache-2.0
// Private: the page layout and the map's furniture (title, scale bar, north arrow, inset, legend, notes,
// sources, the CRS line).
#pragma once
#include <string>
#include <vector>

#include "render/map_draw.hpp"

namespace geo::render::detail {

struct PageLayout {
  bool page = false;          // a fixed page (points) rather than a width in pixels
  double width = 0, height = 0;  // height only for a page; otherwise it follows the content
  double em = 13;             // base text size
  double margin = 18;
  Box frame;                  // the map
  Box panel;                  // legend, notes and sources (its height is what remains)
  double strip_h = 0;         // the CRS line under the frame
};
// `aspect`: the framed area's height over its width (the frame follows it within limits).
PageLayout page_layout(const std::string& page, int width_px, double aspect, const std::string& format);

// The WGS 84 box of the frame (its corners and edge midpoints).
GeoBox frame_extent(const MapProjection& p, const Box& frame);

struct Furniture {
  Box scale, north, inset;
  bool has_inset = false;
  std::vector<Box> obstacles() const;
};
Furniture furniture_boxes(const DrawContext& c, bool with_inset);

// A scale bar of a round length (at most a fifth of c.frame's width), true at the centre of c.proj,
// drawn in the box `s` (its height 3.2 em; the bar's width follows the length).
ScaleBar draw_scale_bar(DrawContext& c, const Box& s);
// A north arrow in the box `n`, pointing to true north where it stands.
void draw_north_arrow(DrawContext& c, const Box& n);
// Title, frame, inset, scale bar, north arrow, CRS line. Returns the scale bar drawn.
ScaleBar draw_furniture(DrawContext& c, const Furniture& f, const PageLayout& lay, const std::string& title,
                        const std::string& subtitle, const std::string& crs);
// Legend, notes and sources in the side panel; returns the y where the drawing may end.
double draw_panel(DrawContext& c, const PageLayout& lay);
// A message in the middle of the frame ("no events in this case").
void draw_message(DrawContext& c, const std::string& text);
// A match overlay's fix centre at (x, y): a yellow dot ringed black, then white.
void draw_fix_centre(cairo_t* cr, double x, double y, double em);
// Draws the legend's symbol `symbol` centred in the box.
void draw_legend_symbol(DrawContext& c, const std::string& symbol, const Box& b);
// "47.02410° N, 99.15790° W"
std::string format_centre(const GeoPoint& p);
// A round length (1, 2 or 5 times a power of ten) no longer than `max_m`.
double nice_length_m(double max_m);

}  // namespace geo::render::detail
