// SPDX-License-Identifier: Apache-2.0
#include "render/map_furniture.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/core/text.hpp"

namespace geo::render::detail {

namespace {

constexpr double kScaleBarFraction = 0.2;  // the scale bar takes at most a fifth of the frame's width
constexpr double kBaseEmAt1600 = 14;       // text size at the default width (legible at 100 % on screen)
constexpr double kPageEm = 8;              // points: the smallest size a printed figure stays legible at

std::string length_text(double m) {
  char buf[32];
  if (m >= 1000) std::snprintf(buf, sizeof buf, "%g km", m / 1000);
  else std::snprintf(buf, sizeof buf, "%g m", m);
  return buf;
}

}  // namespace

double nice_length_m(double max_m) {
  const double p = std::pow(10.0, std::floor(std::log10(max_m)));
  for (double k : {5.0, 2.0, 1.0})
    if (k * p <= max_m) return k * p;
  return p;
}

std::string format_centre(const GeoPoint& p) {
  char buf[80];
  std::snprintf(buf, sizeof buf, "%.5f\u00b0 %c, %.5f\u00b0 %c", std::abs(p.lat_deg), p.lat_deg >= 0 ? 'N' : 'S',
                std::abs(p.lon_deg), p.lon_deg >= 0 ? 'E' : 'W');
  return buf;
}

PageLayout page_layout(const std::string& page, int width_px, double aspect, const std::string& format) {
  (void)format;
  PageLayout l;
  if (!page.empty()) {
    l.page = true;
    l.width = page == "a4" ? 841.89 : 792;  // landscape, points
    l.height = page == "a4" ? 595.28 : 612;
    l.em = kPageEm;
  } else {
    l.width = width_px;
    l.em = std::clamp(kBaseEmAt1600 * width_px / 1600.0, 9.0, 60.0);
  }
  const double em = l.em;
  l.margin = 1.4 * em;
  const double title_h = 3.6 * em;
  l.strip_h = 2.6 * em;
  const double panel_w = std::max(0.26 * l.width, 17 * em);
  l.frame.x = l.margin;
  l.frame.y = l.margin + title_h;
  l.frame.w = l.width - panel_w - 3 * l.margin;
  l.frame.h = l.page ? l.height - l.frame.y - l.strip_h - l.margin * 0.5 : l.frame.w * std::clamp(aspect, 0.62, 0.85);
  l.panel = {l.frame.x + l.frame.w + l.margin, l.frame.y, panel_w, 0};
  return l;
}

GeoBox frame_extent(const MapProjection& p, const Box& f) {
  GeoBox b{1e9, 1e9, -1e9, -1e9};
  for (double fx : {0.0, 0.5, 1.0})
    for (double fy : {0.0, 0.5, 1.0}) {
      const GeoPoint g = p.from_px(f.x + fx * f.w, f.y + fy * f.h);
      b.min_lat_deg = std::min(b.min_lat_deg, g.lat_deg);
      b.max_lat_deg = std::max(b.max_lat_deg, g.lat_deg);
      b.min_lon_deg = std::min(b.min_lon_deg, g.lon_deg);
      b.max_lon_deg = std::max(b.max_lon_deg, g.lon_deg);
    }
  b.min_lat_deg = std::max(-89.9, b.min_lat_deg);
  b.max_lat_deg = std::min(89.9, b.max_lat_deg);
  b.min_lon_deg = std::max(-180.0, b.min_lon_deg);
  b.max_lon_deg = std::min(180.0, b.max_lon_deg);
  return b;
}

std::vector<Box> Furniture::obstacles() const {
  std::vector<Box> v{scale, north};
  if (has_inset) v.push_back(inset);
  return v;
}

Furniture furniture_boxes(const DrawContext& c, bool with_inset) {
  Furniture f;
  const double em = c.em, pad = 0.8 * em;
  const Box& fr = c.frame;
  f.scale = {fr.x + pad, fr.y + fr.h - pad - 3.2 * em, kScaleBarFraction * fr.w + 2 * em, 3.2 * em};
  f.north = {fr.x + fr.w - pad - 2.8 * em, fr.y + pad, 2.8 * em, 4.2 * em};
  if (with_inset) {
    f.has_inset = true;
    const double w = std::max(0.24 * fr.w, 9 * em), h = 0.75 * w;
    f.inset = {fr.x + fr.w - pad - w, fr.y + fr.h - pad - h, w, h};
  }
  return f;
}

ScaleBar draw_scale_bar(DrawContext& c, const Box& s) {
  cairo_t* cr = c.cr;
  const double em = c.em, lw = em / 13;
  // Scale bar: true at the map's centre, where the projection's scale factor is 1.
  ScaleBar sb;
  sb.length_m = nice_length_m(kScaleBarFraction * c.frame.w * c.proj.metres_per_px());
  const double len = sb.length_m / c.proj.metres_per_px();
  sb.text = length_text(sb.length_m);
  cairo_rectangle(cr, s.x, s.y, len + 2 * em, s.h);
  set(cr, hex(0xffffff), 0.85);
  cairo_fill(cr);
  sb.x0_px = s.x + em;
  sb.x1_px = sb.x0_px + len;
  sb.y_px = s.y + s.h - 1.0 * em;
  const int segments = len > 8 * em ? 4 : 2;
  const double bh = 0.45 * em;
  for (int i = 0; i < segments; ++i) {
    cairo_rectangle(cr, sb.x0_px + i * len / segments, sb.y_px - bh, len / segments, bh);
    set(cr, hex(i % 2 ? 0xffffff : 0x111111));
    cairo_fill(cr);
  }
  cairo_rectangle(cr, sb.x0_px, sb.y_px - bh, len, bh);
  set(cr, hex(0x111111));
  cairo_set_line_width(cr, lw);
  cairo_stroke(cr);
  TextStyle st{0.95 * em};
  const TextSize t0 = measure(cr, "0", st), t1 = measure(cr, sb.text, st);
  draw_text(cr, sb.x0_px - t0.w / 2, sb.y_px - bh - 0.2 * em - t0.h, "0", st);
  draw_text(cr, std::min(sb.x1_px - t1.w / 2, s.x + len + 2 * em - t1.w - 0.2 * em), sb.y_px - bh - 0.2 * em - t1.h, sb.text, st);
  return sb;
}

void draw_north_arrow(DrawContext& c, const Box& n) {
  cairo_t* cr = c.cr;
  const double em = c.em, lw = em / 13;
  // North arrow, pointing to true north where it stands.
  cairo_rectangle(cr, n.x, n.y, n.w, n.h);
  set(cr, hex(0xffffff), 0.85);
  cairo_fill(cr);
  const double ax = n.x + n.w / 2, ay = n.y + n.h * 0.58;
  const GeoPoint at = c.proj.from_px(ax, ay);
  const auto q = c.proj.to_px(geodesic_direct(at, 0, 50 * c.proj.metres_per_px()));
  const double ang = std::atan2(q.x - ax, ay - q.y);  // clockwise from up
  const double L = 1.4 * em, W = 0.6 * em;
  cairo_save(cr);
  cairo_translate(cr, ax, ay);
  cairo_rotate(cr, ang);
  cairo_move_to(cr, 0, -L);
  cairo_line_to(cr, W, L * 0.8);
  cairo_line_to(cr, 0, L * 0.4);
  cairo_close_path(cr);
  set(cr, hex(0xffffff));
  cairo_fill_preserve(cr);
  set(cr, hex(0x111111));
  cairo_set_line_width(cr, lw);
  cairo_stroke(cr);
  cairo_move_to(cr, 0, -L);
  cairo_line_to(cr, -W, L * 0.8);
  cairo_line_to(cr, 0, L * 0.4);
  cairo_close_path(cr);
  cairo_fill_preserve(cr);
  cairo_stroke(cr);
  cairo_restore(cr);
  TextStyle nt{1.0 * em, true};
  const TextSize ns = measure(cr, "N", nt);
  draw_text(cr, ax - ns.w / 2, n.y + 0.1 * em, "N", nt);
}

ScaleBar draw_furniture(DrawContext& c, const Furniture& f, const PageLayout& lay, const std::string& title,
                        const std::string& subtitle, const std::string& crs) {
  cairo_t* cr = c.cr;
  const double em = c.em, lw = em / 13;
  TextStyle ts{1.6 * em, true};
  ts.max_width = lay.width - 2 * lay.margin;
  draw_text(cr, lay.margin, lay.margin * 0.8, to_valid_utf8(title), ts);
  TextStyle ss{0.95 * em};
  ss.colour = hex(0x444444);
  draw_text(cr, lay.margin, lay.margin * 0.8 + 2.1 * em, subtitle, ss);
  if (f.has_inset) draw_inset(c, f.inset);
  const ScaleBar sb = draw_scale_bar(c, f.scale);
  draw_north_arrow(c, f.north);
  // The frame and the CRS under it.
  cairo_rectangle(cr, c.frame.x, c.frame.y, c.frame.w, c.frame.h);
  set(cr, hex(0x333333));
  cairo_set_line_width(cr, lw);
  cairo_stroke(cr);
  TextStyle cs{0.8 * em};
  cs.colour = hex(0x444444);
  cs.max_width = c.frame.w;
  draw_text(cr, c.frame.x, c.frame.y + c.frame.h + 0.4 * em,
            "CRS: " + crs + "; north arrow to true north; scale bar true at the centre", cs);
  return sb;
}

void draw_fix_centre(cairo_t* cr, double x, double y, double em) {
  const double r = 0.38 * em, lw = em / 13;
  cairo_new_path(cr);
  cairo_arc(cr, x, y, r, 0, 2 * M_PI);
  set(cr, hex(kFixCentre));
  cairo_fill_preserve(cr);
  set(cr, hex(0x111111));
  cairo_set_line_width(cr, 1.6 * lw);
  cairo_stroke(cr);
  cairo_new_path(cr);
  cairo_arc(cr, x, y, r + 1.6 * lw, 0, 2 * M_PI);
  set(cr, hex(0xffffff));
  cairo_set_line_width(cr, 1.4 * lw);
  cairo_stroke(cr);
}

void draw_legend_symbol(DrawContext& c, const std::string& sym, const Box& b) {
  cairo_t* cr = c.cr;
  const double cx = b.x + b.w / 2, cy = b.y + b.h / 2, em = c.em, lw = em / 13;
  cairo_new_path(cr);
  if (sym.rfind("event-", 0) == 0) {
    const bool undated = sym == "event-undated";
    draw_event_symbol(cr, cx, cy, 0.95 * em, undated ? "exact" : sym.substr(6), undated ? hex(kUndated) : hex(0xb0b0b0),
                      undated);
  } else if (sym == "date-ramp") {
    const int n = 24;
    for (int i = 0; i < n; ++i) {
      const double x = b.x + i * b.w / n;
      set(cr, date_ramp(0.9 * i / (n - 1)));
      cairo_rectangle(cr, x, cy - 0.35 * em, b.w / n + 0.5, 0.7 * em);
      cairo_fill(cr);
    }
    cairo_rectangle(cr, b.x, cy - 0.35 * em, b.w, 0.7 * em);
    set(cr, hex(0x111111));
    cairo_set_line_width(cr, lw * 0.8);
    cairo_stroke(cr);
  } else if (sym == "uncertainty") {
    cairo_arc(cr, cx, cy, 0.55 * em, 0, 2 * M_PI);
    set(cr, hex(0x21918c), 0.12);
    cairo_fill_preserve(cr);
    set(cr, hex(0x21918c));
    cairo_set_line_width(cr, 1.6 * lw);
    cairo_stroke(cr);
  } else if (sym == "track") {
    cairo_move_to(cr, b.x, cy);
    cairo_line_to(cr, b.x + b.w - 0.5 * em, cy);
    set(cr, hex(kTrack));
    cairo_set_line_width(cr, 2.2 * lw);
    cairo_stroke(cr);
    cairo_move_to(cr, cx - 0.2 * em, cy - 0.5 * em);
    cairo_line_to(cr, cx - 0.2 * em, cy + 0.5 * em);
    cairo_set_line_width(cr, 1.8 * lw);
    cairo_stroke(cr);
    cairo_move_to(cr, b.x + b.w, cy);
    cairo_line_to(cr, b.x + b.w - 0.7 * em, cy - 0.4 * em);
    cairo_line_to(cr, b.x + b.w - 0.7 * em, cy + 0.4 * em);
    cairo_close_path(cr);
    cairo_fill(cr);
  } else if (sym == "footprint") {
    cairo_rectangle(cr, b.x + 0.2 * em, b.y + 0.15 * em, b.w - 0.4 * em, b.h - 0.3 * em);
    set(cr, hex(kFootprint), 0.12);
    cairo_fill_preserve(cr);
    const double dash[] = {5 * lw, 3 * lw};
    cairo_set_dash(cr, dash, 2, 0);
    set(cr, hex(kFootprint));
    cairo_set_line_width(cr, 1.6 * lw);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
  } else if (sym == "compound-outline" || sym == "inset") {
    cairo_rectangle(cr, b.x + 0.2 * em, b.y + 0.15 * em, b.w - 0.4 * em, b.h - 0.3 * em);
    if (sym == "compound-outline") {
      set(cr, hex(kCompound), 0.12);
      cairo_fill_preserve(cr);
    }
    set(cr, hex(kCompound));
    cairo_set_line_width(cr, 2 * lw);
    cairo_stroke(cr);
  } else if (sym == "compound-point") {
    const double s = 0.8 * em;
    cairo_rectangle(cr, cx - s / 2, cy - s / 2, s, s);
    set(cr, hex(kCompound));
    cairo_set_line_width(cr, 2 * lw);
    cairo_stroke(cr);
  } else if (sym == "town") {
    const double s = 0.45 * em;
    cairo_rectangle(cr, cx - s / 2, cy - s / 2, s, s);
    set(cr, hex(0x333333));
    cairo_fill(cr);
  } else if (sym == "border") {
    cairo_move_to(cr, b.x, cy - 0.2 * em);
    cairo_line_to(cr, b.x + b.w, cy - 0.2 * em);
    set(cr, hex(kBorder));
    cairo_set_line_width(cr, 1.2 * lw);
    cairo_stroke(cr);
    cairo_move_to(cr, b.x, cy + 0.25 * em);
    cairo_line_to(cr, b.x + b.w, cy + 0.25 * em);
    set(cr, hex(kCoast));
    cairo_stroke(cr);
  } else if (sym == "top-edge") {
    cairo_move_to(cr, b.x + 0.2 * em, cy);
    cairo_line_to(cr, b.x + b.w - 0.2 * em, cy);
    set(cr, hex(kTopEdge));
    cairo_set_line_width(cr, 3.2 * lw);
    cairo_stroke(cr);
  } else if (sym == "blurred") {
    cairo_rectangle(cr, b.x + 0.5 * em, b.y + 0.1 * em, b.w - 1.0 * em, b.h - 0.2 * em);
    set(cr, hex(0x8a8a6a));
    cairo_fill_preserve(cr);
    set(cr, hex(0x000000));
    cairo_set_line_width(cr, 3 * lw);
    cairo_stroke_preserve(cr);
    set(cr, hex(0xffffff));
    cairo_set_line_width(cr, 1.2 * lw);
    cairo_stroke(cr);
  } else if (sym == "fix-centre") {
    draw_fix_centre(cr, cx, cy, em);
  } else if (sym == "imagery") {
    cairo_rectangle(cr, b.x + 0.2 * em, b.y + 0.15 * em, b.w - 0.4 * em, b.h - 0.3 * em);
    set(cr, hex(0x7d8a5c));
    cairo_fill(cr);
  }
}

double draw_panel(DrawContext& c, const PageLayout& lay) {
  cairo_t* cr = c.cr;
  const double em = c.em;
  const Box& p = lay.panel;
  double y = p.y;
  const double limit = lay.page ? lay.height - lay.margin * 0.5 : 1e12;
  TextStyle head{1.1 * em, true};
  TextStyle item{0.9 * em};
  item.max_width = p.w - 3.2 * em;
  if (!c.legend.empty()) y += draw_text(cr, p.x, y, "Legend", head).h + 0.4 * em;
  for (const auto& l : c.legend) {
    const TextSize s = measure(cr, l.text, item);
    if (y + s.h > limit) break;
    draw_legend_symbol(c, l.symbol, {p.x, y + std::max(0.0, s.h / 2 - 0.65 * em), 2.6 * em, 1.3 * em});
    draw_text(cr, p.x + 3.2 * em, y, l.text, item);
    y += std::max(s.h, 1.3 * em) + 0.35 * em;
  }
  TextStyle small{0.8 * em};
  small.max_width = p.w;
  small.colour = hex(0x333333);
  auto section = [&](const std::string& name, const std::vector<std::string>& lines) {
    if (lines.empty()) return;
    y += 0.6 * em;
    if (y + 2 * em > limit) return;
    y += draw_text(cr, p.x, y, name, head).h + 0.3 * em;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::string text = to_valid_utf8("\u2022 " + lines[i]);
      const TextSize s = measure(cr, text, small);
      if (y + s.h > limit) {
        draw_text(cr, p.x, y, "\u2026 " + std::to_string(lines.size() - i) + " more (in the map's JSON)", small);
        y += s.h;
        break;
      }
      draw_text(cr, p.x, y, text, small);
      y += s.h + 0.2 * em;
    }
  };
  section("Notes", c.notes);
  section("Sources", c.attributions);
  return y + lay.margin;
}

void draw_message(DrawContext& c, const std::string& text) {
  TextStyle t{1.8 * c.em, true};
  const TextSize s = measure(c.cr, text, t);
  const double x = c.frame.x + (c.frame.w - s.w) / 2, y = c.frame.y + (c.frame.h - s.h) / 2;
  cairo_rectangle(c.cr, x - c.em, y - 0.6 * c.em, s.w + 2 * c.em, s.h + 1.2 * c.em);
  set(c.cr, hex(0xffffff), 0.92);
  cairo_fill_preserve(c.cr);
  set(c.cr, hex(0x333333));
  cairo_set_line_width(c.cr, c.em / 13);
  cairo_stroke(c.cr);
  draw_text(c.cr, x, y, text, t);
}

}  // namespace geo::render::detail
