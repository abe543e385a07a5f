// SPDX-License-Identifier: Apache-2.0
// The event layers: footprints, uncertainty circles, tracks with time ticks, symbols; then the labels.
#include <algorithm>
#include <cmath>
#include <map>

#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/core/text.hpp"
#include "geo/core/timezone.hpp"
#include "render/map_draw.hpp"

namespace geo::render::detail {

namespace {

using Px = MapProjection::Px;

constexpr int kCirclePoints = 72;            // 5 degree steps: smooth at any size a map draws
constexpr double kMinTickSpacingEm = 6.5;    // time ticks at least this far apart along a track
constexpr double kTickSteps_s[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400};
constexpr int kMaxDroppedNamed = 8;          // dropped labels named in the note; the rest counted

// Viridis, sampled at 9 points (its lightness rises monotonically: dates stay ordered in greyscale).
constexpr unsigned kViridis[] = {0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21918c, 0x28ae80, 0x5ec962, 0xaadc32, 0xfde725};

}  // namespace

Rgb date_ramp(double t) {
  t = std::clamp(t, 0.0, 1.0) * 8;
  const int i = std::min(7, static_cast<int>(t));
  const double f = t - i;
  const Rgb a = hex(kViridis[i]), b = hex(kViridis[i + 1]);
  return {a.r + (b.r - a.r) * f, a.g + (b.g - a.g) * f, a.b + (b.b - a.b) * f};
}

void circle_path(const DrawContext& c, const GeoPoint& centre, double radius_m) {
  std::vector<GeoPoint> ring;
  ring.reserve(kCirclePoints);
  for (int i = 0; i < kCirclePoints; ++i) ring.push_back(geodesic_direct(centre, i * 360.0 / kCirclePoints, radius_m));
  ring_path(c, ring, true);
}

namespace {

std::optional<TimeZone> zone_of(const std::string& name) {
  if (name.empty()) return std::nullopt;
  try {
    return TimeZone::named(name);
  } catch (const Error&) {
    return std::nullopt;
  }
}

// "2020-09-02" and "09:41:12" of an instant in a zone (UTC without one).
std::pair<std::string, std::string> civil(UtcTime t, const std::optional<TimeZone>& z) {
  const std::string s = format_local(t, z ? z->offset_s(t) / 60 : 0);
  return {s.substr(0, 10), s.substr(11, 8)};
}

std::string zone_suffix(UtcTime t, const std::optional<TimeZone>& z) {
  return z ? "(UTC" + format_utc_offset(z->offset_s(t) / 60) + ")" : "UTC";
}

void draw_geojson_polygons(const DrawContext& c, const Json& g) {
  if (!g.is_object() || !g.contains("type") || !g.contains("coordinates")) return;
  auto ring_of = [](const Json& r) {
    std::vector<GeoPoint> out;
    for (const auto& p : r)
      if (p.is_array() && p.size() >= 2 && p[0].is_number() && p[1].is_number())
        out.push_back({p[1].get<double>(), p[0].get<double>()});
    return out;
  };
  const std::string type = g["type"].is_string() ? g["type"].get<std::string>() : "";
  const Json& co = g["coordinates"];
  if (type == "Polygon") {
    for (const auto& r : co) ring_path(c, ring_of(r), true);
  } else if (type == "MultiPolygon") {
    for (const auto& poly : co)
      for (const auto& r : poly) ring_path(c, ring_of(r), true);
  }
}

Px along(const DrawContext& c, const std::vector<MapTrackPoint>& tr, double t_s, double* angle) {
  std::size_t i = 1;
  while (i + 1 < tr.size() && tr[i].t_s < t_s) ++i;
  const Px a = c.proj.to_px(tr[i - 1].point), b = c.proj.to_px(tr[i].point);
  const double span = tr[i].t_s - tr[i - 1].t_s;
  const double f = span > 0 ? std::clamp((t_s - tr[i - 1].t_s) / span, 0.0, 1.0) : 0.0;
  *angle = std::atan2(b.y - a.y, b.x - a.x);
  return {a.x + (b.x - a.x) * f, a.y + (b.y - a.y) * f};
}

void draw_track(DrawContext& c, const MapEvent& e) {
  cairo_t* cr = c.cr;
  const auto& tr = e.track;
  const double lw = c.em / 13.0;
  cairo_new_path(cr);
  std::vector<GeoPoint> line;
  for (const auto& p : tr) line.push_back(p.point);
  ring_path(c, line, false);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  set(cr, hex(0xffffff));
  cairo_set_line_width(cr, 5.5 * lw);
  cairo_stroke_preserve(cr);
  set(cr, hex(kTrack));
  cairo_set_line_width(cr, 2.2 * lw);
  cairo_stroke(cr);
  // Labels keep off the line: boxes along it every em are obstacles.
  for (std::size_t i = 1; i < tr.size(); ++i) {
    const Px p = c.proj.to_px(tr[i - 1].point), q = c.proj.to_px(tr[i].point);
    const double len = std::hypot(q.x - p.x, q.y - p.y);
    const int n = std::min(2000, static_cast<int>(len / c.em) + 1);
    for (int k = 0; k <= n; ++k) {
      const double x = p.x + (q.x - p.x) * k / n, y = p.y + (q.y - p.y) * k / n;
      if (c.in_frame({x, y})) c.placer->add_obstacle({x - 0.3 * c.em, y - 0.3 * c.em, 0.6 * c.em, 0.6 * c.em});
    }
  }
  // Arrow head at the end: the direction of travel.
  double ang = 0;
  const Px end = along(c, tr, tr.back().t_s, &ang);
  const double a = 0.9 * c.em;
  cairo_move_to(cr, end.x + std::cos(ang) * a * 0.6, end.y + std::sin(ang) * a * 0.6);
  cairo_line_to(cr, end.x + std::cos(ang + 2.6) * a, end.y + std::sin(ang + 2.6) * a);
  cairo_line_to(cr, end.x + std::cos(ang - 2.6) * a, end.y + std::sin(ang - 2.6) * a);
  cairo_close_path(cr);
  set(cr, hex(0xffffff));
  cairo_set_line_width(cr, 2 * lw);
  cairo_stroke_preserve(cr);
  set(cr, hex(kTrack));
  cairo_fill(cr);
  // Time ticks at round times, far enough apart to label.
  const double dur = tr.back().t_s - tr.front().t_s;
  if (dur <= 0) return;
  double len_px = 0;
  for (std::size_t i = 1; i < tr.size(); ++i) {
    const Px p = c.proj.to_px(tr[i - 1].point), q = c.proj.to_px(tr[i].point);
    len_px += std::hypot(q.x - p.x, q.y - p.y);
  }
  double step = 0;
  for (double s : kTickSteps_s)
    if (len_px * s / dur >= kMinTickSpacingEm * c.em) {
      step = s;
      break;
    }
  if (step == 0) return;
  const auto zone = zone_of(e.local_zone);
  const bool have_utc = tr.front().utc.has_value();
  // Ticks at round wall-clock times when the clock is known, else at round offsets from the start.
  const double t0_unix = have_utc ? tr.front().utc->unix_s() - tr.front().t_s : 0;
  const double offset_s = have_utc && zone ? zone->offset_s(*tr.front().utc) : 0;
  const double first = std::ceil((t0_unix + offset_s + tr.front().t_s) / step) * step - t0_unix - offset_s;
  for (double t = first; t <= tr.back().t_s + 1e-6; t += step) {
    double angle = 0;
    const Px p = along(c, tr, t, &angle);
    if (!c.in_frame(p)) continue;
    const double nx = -std::sin(angle), ny = std::cos(angle), h = 0.55 * c.em;
    cairo_move_to(cr, p.x - nx * h, p.y - ny * h);
    cairo_line_to(cr, p.x + nx * h, p.y + ny * h);
    set(cr, hex(0xffffff));
    cairo_set_line_width(cr, 4 * lw);
    cairo_stroke_preserve(cr);
    set(cr, hex(kTrack));
    cairo_set_line_width(cr, 1.8 * lw);
    cairo_stroke(cr);
    const std::string text = have_utc ? civil(UtcTime::from_unix_s(t0_unix + t), zone).second
                                      : "+" + std::to_string(static_cast<long long>(std::lround(t))) + " s";
    LabelRequest l{p.x, p.y, h, text, {}, 2, false, "time tick"};
    l.style.size = 0.85 * c.em;
    l.style.halo = 0.18 * c.em;
    c.labels.push_back(l);
  }
  c.add_legend("track", std::string("camera track, ticks at ") +
                            (have_utc ? (zone ? "local time" : "UTC") : "seconds from the start") + ", arrow: direction");
}

}  // namespace

Rgb date_colour(const DrawContext& c, const MapEvent& e) {
  if (!e.time_from) return hex(kUndated);
  if (!c.t_min_s || !c.t_max_s || *c.t_max_s - *c.t_min_s < 1) return date_ramp(0.35);
  return date_ramp(0.9 * (e.time_from->unix_s() - *c.t_min_s) / (*c.t_max_s - *c.t_min_s));
}

void draw_event_symbol(cairo_t* cr, double x, double y, double size, const std::string& p, const Rgb& fill, bool undated) {
  const double r = size / 2;
  cairo_new_path(cr);
  if (p == "vicinity") {
    cairo_rectangle(cr, x - r * 0.9, y - r * 0.9, 1.8 * r, 1.8 * r);
  } else if (p == "locality") {
    cairo_move_to(cr, x, y - r * 1.2);
    cairo_line_to(cr, x + r * 1.2, y);
    cairo_line_to(cr, x, y + r * 1.2);
    cairo_line_to(cr, x - r * 1.2, y);
    cairo_close_path(cr);
  } else if (p == "region") {
    cairo_move_to(cr, x, y - r * 1.2);
    cairo_line_to(cr, x + r * 1.1, y + r * 0.8);
    cairo_line_to(cr, x - r * 1.1, y + r * 0.8);
    cairo_close_path(cr);
  } else {
    cairo_arc(cr, x, y, r, 0, 2 * M_PI);
  }
  set(cr, fill);
  cairo_fill_preserve(cr);
  set(cr, hex(0x000000));
  cairo_set_line_width(cr, std::max(1.0, size / 9));
  cairo_stroke(cr);
  if (undated) {  // a cross: tells an undated event from the lightest dated one without colour
    const double s = r * 0.5;
    cairo_move_to(cr, x - s, y - s);
    cairo_line_to(cr, x + s, y + s);
    cairo_move_to(cr, x + s, y - s);
    cairo_line_to(cr, x - s, y + s);
    cairo_set_line_width(cr, std::max(1.0, size / 10));
    cairo_stroke(cr);
  }
}

std::string clock_text(UtcTime t, const std::string& zone) { return civil(t, zone_of(zone)).second; }

std::string event_time_text(const MapEvent& e) {
  if (!e.time_from && e.time_to) {  // only an upper bound (a messaging app's save date)
    const auto z = zone_of(e.local_zone);
    const auto [d1, t1] = civil(*e.time_to, z);
    return "not after " + d1 + " " + t1.substr(0, 5) + " " + zone_suffix(*e.time_to, z);
  }
  if (!e.time_from) return "time unknown";
  const auto z = zone_of(e.local_zone);
  const auto [d0, t0] = civil(*e.time_from, z);
  if (!e.time_to || *e.time_to == *e.time_from) return d0 + " " + t0 + " " + zone_suffix(*e.time_from, z);
  const auto [d1, t1] = civil(*e.time_to, z);
  if (d1 == d0) return d0 + " " + t0 + "\u2013" + t1 + " " + zone_suffix(*e.time_from, z);
  return d0 + " " + t0.substr(0, 5) + " \u2013 " + d1 + " " + t1.substr(0, 5) + " " + zone_suffix(*e.time_from, z);
}

void draw_footprints(DrawContext& c, const std::vector<const MapEvent*>& events) {
  bool any = false;
  const double lw = c.em / 13.0;
  for (const MapEvent* e : events) {
    if (e->shows.is_null()) continue;
    cairo_new_path(c.cr);
    draw_geojson_polygons(c, e->shows);
    if (!cairo_has_current_point(c.cr)) continue;
    set(c.cr, hex(kFootprint), 0.12);
    cairo_fill_preserve(c.cr);
    // A white casing under the dashes: they stay visible over dark imagery and in greyscale print.
    set(c.cr, hex(0xffffff), 0.8);
    cairo_set_line_width(c.cr, 3.4 * lw);
    cairo_stroke_preserve(c.cr);
    const double dash[] = {5 * lw, 3 * lw};
    cairo_set_dash(c.cr, dash, 2, 0);
    set(c.cr, hex(kFootprint));
    cairo_set_line_width(c.cr, 1.8 * lw);
    cairo_stroke(c.cr);
    cairo_set_dash(c.cr, nullptr, 0, 0);
    any = true;
  }
  if (any) c.add_legend("footprint", "ground the located frames show");
}

void draw_events(DrawContext& c, const std::vector<const MapEvent*>& all, bool site) {
  std::vector<const MapEvent*> events;
  std::vector<std::int64_t> outside;
  for (const MapEvent* e : all) {
    const Px p = c.proj.to_px(e->position);
    if (c.in_frame(p)) events.push_back(e);
    else outside.push_back(e->id);
  }
  if (!outside.empty()) {
    std::string ids;
    for (std::size_t i = 0; i < outside.size() && i < kMaxDroppedNamed; ++i) ids += (i ? ", " : "") + std::to_string(outside[i]);
    if (outside.size() > kMaxDroppedNamed) ids += " and " + std::to_string(outside.size() - kMaxDroppedNamed) + " more";
    c.notes.push_back(std::to_string(outside.size()) + (outside.size() == 1 ? " event lies" : " events lie") +
                      " outside the map area and " + (outside.size() == 1 ? "is" : "are") + " left out (event " + ids + ")");
  }
  cairo_t* cr = c.cr;
  const double lw = c.em / 13.0;
  if (site) {
    bool circles = false;
    for (const MapEvent* e : events) {
      if (e->uncertainty_m / c.proj.metres_per_px() < 3) continue;
      cairo_new_path(cr);
      circle_path(c, e->position, e->uncertainty_m);
      const Rgb col = date_colour(c, *e);
      set(cr, e->time_from ? col : hex(0x555555), 0.10);
      cairo_fill_preserve(cr);
      set(cr, hex(0xffffff), 0.9);
      cairo_set_line_width(cr, 3.2 * lw);
      cairo_stroke_preserve(cr);
      set(cr, e->time_from ? col : hex(0x333333));
      cairo_set_line_width(cr, 1.6 * lw);
      cairo_stroke(cr);
      circles = true;
    }
    if (circles) c.add_legend("uncertainty", "uncertainty: the event is within the circle");
    for (const MapEvent* e : events)
      if (e->track.size() >= 2) draw_track(c, *e);
  }
  const double size = (site ? 1.25 : 1.0) * c.em;
  std::map<std::string, int> precisions;
  bool undated = false;
  for (const MapEvent* e : events) {
    const Px p = c.proj.to_px(e->position);
    draw_event_symbol(cr, p.x, p.y, size, e->precision, date_colour(c, *e), !e->time_from);
    c.placer->add_obstacle({p.x - size * 0.65, p.y - size * 0.65, size * 1.3, size * 1.3});
    ++precisions[e->precision.empty() ? "exact" : e->precision];
    undated = undated || !e->time_from;
    LabelRequest l{p.x, p.y, size * 0.65, "#" + std::to_string(e->id) + " " + e->label + "\n" + event_time_text(*e), {}, 1,
                   true, "event " + std::to_string(e->id)};
    l.style.size = 0.95 * c.em;
    l.style.halo = 0.2 * c.em;
    c.labels.push_back(l);
  }
  static const char* kOrder[] = {"exact", "vicinity", "locality", "region"};
  for (const char* p : kOrder)
    if (precisions.count(p)) c.add_legend(std::string("event-") + p, std::string("event, precision: ") + p);
  if (c.t_min_s && !events.empty()) {
    const auto d0 = format_utc(UtcTime::from_unix_s(*c.t_min_s)).substr(0, 10);
    const auto d1 = format_utc(UtcTime::from_unix_s(*c.t_max_s)).substr(0, 10);
    c.add_legend("date-ramp", d0 == d1 ? "date: " + d0 + " (all events)" : "date (UTC): " + d0 + " \u2192 " + d1);
  }
  if (undated) c.add_legend("event-undated", "event without a known time");
}

std::vector<MapLabel> draw_labels(DrawContext& c) {
  std::stable_sort(c.labels.begin(), c.labels.end(),
                   [](const LabelRequest& a, const LabelRequest& b) { return a.priority < b.priority; });
  std::vector<MapLabel> out;
  std::vector<std::string> dropped;
  int dropped_ticks = 0;
  const double gap = 0.3 * c.em;
  for (const auto& l : c.labels) {
    const std::string text = to_valid_utf8(l.text);
    const TextSize s = measure(c.cr, text, l.style);
    const auto p = c.placer->place(l.ax, l.ay, l.r, s.w, s.h, gap, l.allow_leader);
    if (!p) {
      if (l.what == "time tick") ++dropped_ticks;
      else dropped.push_back(l.what);
      continue;
    }
    if (p->leader) {
      const double x = std::clamp(l.ax, p->box.x, p->box.x + p->box.w), y = std::clamp(l.ay, p->box.y, p->box.y + p->box.h);
      cairo_move_to(c.cr, l.ax, l.ay);
      cairo_line_to(c.cr, x, y);
      set(c.cr, hex(0xffffff));
      cairo_set_line_width(c.cr, 2.5 * c.em / 13);
      cairo_stroke_preserve(c.cr);
      set(c.cr, hex(0x333333));
      cairo_set_line_width(c.cr, 1.0 * c.em / 13);
      cairo_stroke(c.cr);
    }
    draw_text(c.cr, p->box.x, p->box.y, text, l.style);
    out.push_back({p->box.x, p->box.y, p->box.w, p->box.h, text});
  }
  if (!dropped.empty()) {
    std::string names;
    for (std::size_t i = 0; i < dropped.size() && i < kMaxDroppedNamed; ++i) names += (i ? ", " : "") + dropped[i];
    if (dropped.size() > kMaxDroppedNamed) names += " and " + std::to_string(dropped.size() - kMaxDroppedNamed) + " more";
    c.notes.push_back(std::to_string(dropped.size()) + " label" + (dropped.size() == 1 ? "" : "s") +
                      " left out where no free place was found: " + names);
  }
  if (dropped_ticks)
    c.notes.push_back(std::to_string(dropped_ticks) + " time tick label" + (dropped_ticks == 1 ? "" : "s") +
                      " left out where they would overlap");
  return out;
}

}  // namespace geo::render::detail
