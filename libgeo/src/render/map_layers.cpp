// SPDX-License-Identifier: Apache-2.0
// The base layers: land, borders and coastline; towns; imagery; compounds; the locator inset.
#include <algorithm>
#include <cmath>

#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/core/hash.hpp"
#include "render/map_basemap.hpp"
#include "render/map_draw.hpp"

namespace geo::render::detail {

namespace {

constexpr int kMaxTowns = 10;            // a locator's worth: more crowds the compounds' labels
constexpr double kCoverageNote = 0.995;  // imagery covering less of the frame than this is noted

using Px = MapProjection::Px;

// Sutherland-Hodgman: the polygon clipped to the box (pixel space). Keeps cairo's fixed-point
// coordinates in range when a country's outline runs far outside a site map.
std::vector<Px> clip(std::vector<Px> poly, const Box& b) {
  auto clip_edge = [](const std::vector<Px>& in, auto inside, auto cross) {
    std::vector<Px> out;
    if (in.empty()) return out;
    Px prev = in.back();
    for (const Px& cur : in) {
      const bool ci = inside(cur), pi = inside(prev);
      if (ci) {
        if (!pi) out.push_back(cross(prev, cur));
        out.push_back(cur);
      } else if (pi) {
        out.push_back(cross(prev, cur));
      }
      prev = cur;
    }
    return out;
  };
  auto at_x = [](double x) {
    return [x](const Px& a, const Px& c) { return Px{x, a.y + (c.y - a.y) * (x - a.x) / (c.x - a.x)}; };
  };
  auto at_y = [](double y) {
    return [y](const Px& a, const Px& c) { return Px{a.x + (c.x - a.x) * (y - a.y) / (c.y - a.y), y}; };
  };
  const double x0 = b.x, x1 = b.x + b.w, y0 = b.y, y1 = b.y + b.h;
  poly = clip_edge(poly, [&](const Px& p) { return p.x >= x0; }, at_x(x0));
  poly = clip_edge(poly, [&](const Px& p) { return p.x <= x1; }, at_x(x1));
  poly = clip_edge(poly, [&](const Px& p) { return p.y >= y0; }, at_y(y0));
  poly = clip_edge(poly, [&](const Px& p) { return p.y <= y1; }, at_y(y1));
  return poly;
}

}  // namespace

void DrawContext::add_legend(const std::string& symbol, const std::string& text) {
  for (const auto& l : legend)
    if (l.symbol == symbol && l.text == text) return;
  legend.push_back({symbol, text});
}

bool DrawContext::in_frame(const Px& p, double margin) const {
  return std::isfinite(p.x) && p.x >= frame.x - margin && p.x <= frame.x + frame.w + margin && p.y >= frame.y - margin &&
         p.y <= frame.y + frame.h + margin;
}

bool segment_hits(const Px& a, const Px& b, const Box& box) { return segment_hits_box(a.x, a.y, b.x, b.y, box); }

bool ring_path(const DrawContext& c, const std::vector<GeoPoint>& ring, bool close) {
  std::vector<Px> px;
  px.reserve(ring.size());
  for (const auto& g : ring) {
    const Px p = c.proj.to_px(g);
    if (std::isfinite(p.x)) px.push_back(p);
  }
  if (px.size() < 2) return false;
  bool visible = false;
  for (std::size_t i = 1; i < px.size() && !visible; ++i) visible = segment_hits(px[i - 1], px[i], c.frame);
  const double pad = 20;
  const Box outer{c.frame.x - pad, c.frame.y - pad, c.frame.w + 2 * pad, c.frame.h + 2 * pad};
  if (close) {
    px = clip(std::move(px), outer);
    if (px.size() < 3) return false;
  } else {
    for (auto& p : px) {  // open lines are short (tracks): clamping keeps them in cairo's range
      p.x = std::clamp(p.x, outer.x - 1e5, outer.x + outer.w + 1e5);
      p.y = std::clamp(p.y, outer.y - 1e5, outer.y + outer.h + 1e5);
    }
  }
  cairo_move_to(c.cr, px[0].x, px[0].y);
  for (std::size_t i = 1; i < px.size(); ++i) cairo_line_to(c.cr, px[i].x, px[i].y);
  if (close) cairo_close_path(c.cr);
  return visible;
}

bool draw_basemap(DrawContext& c, bool fill_land) {
  const Basemap& b = basemap();
  const GeoBox& e = c.extent;
  const double mx = (e.max_lon_deg - e.min_lon_deg) * 0.5 + 0.05, my = (e.max_lat_deg - e.min_lat_deg) * 0.5 + 0.05;
  const double w = e.min_lon_deg - mx, s = e.min_lat_deg - my, east = e.max_lon_deg + mx, n = e.max_lat_deg + my;
  cairo_t* cr = c.cr;
  const double lw = c.em / 13.0;
  bool any_land = false, any_border = false;
  if (fill_land) {
    set(cr, hex(kWater));
    cairo_rectangle(cr, c.frame.x, c.frame.y, c.frame.w, c.frame.h);
    cairo_fill(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    for (const auto& r : b.land)
      if (r.overlaps(w, s, east, n)) any_land = ring_path(c, r.points, true) || any_land;
    set(cr, hex(kLand));
    cairo_fill(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
  }
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  for (const auto& r : b.countries)
    if (r.overlaps(w, s, east, n)) any_border = ring_path(c, r.points, true) || any_border;
  set(cr, hex(kBorder));
  cairo_set_line_width(cr, 0.9 * lw);
  cairo_stroke(cr);
  if (fill_land) {
    for (const auto& r : b.land)
      if (r.overlaps(w, s, east, n)) ring_path(c, r.points, true);
    set(cr, hex(kCoast));
    cairo_set_line_width(cr, 0.9 * lw);
    cairo_stroke(cr);
  }
  return any_border || (fill_land && any_land);
}

void draw_towns(DrawContext& c, const std::vector<GeoPoint>& near) {
  struct Candidate {
    const Town* town;
    double key;
    Px px;
  };
  std::vector<Candidate> cand;
  for (const auto& t : towns()) {
    const Px p = c.proj.to_px(t.at);
    if (!c.in_frame(p, -c.em)) continue;
    double d = 1e12;
    for (const auto& q : near) d = std::min(d, std::hypot(q.lat_deg - t.at.lat_deg, q.lon_deg - t.at.lon_deg));
    cand.push_back({&t, (t.seat ? 0 : 1e6) + d, p});
  }
  std::sort(cand.begin(), cand.end(), [](const Candidate& a, const Candidate& b) { return a.key < b.key; });
  if (cand.size() > kMaxTowns) cand.resize(kMaxTowns);
  const double s = 0.45 * c.em;
  for (const auto& t : cand) {
    cairo_rectangle(c.cr, t.px.x - s / 2, t.px.y - s / 2, s, s);
    set(c.cr, hex(0x333333));
    cairo_fill(c.cr);
    c.placer->add_obstacle({t.px.x - s / 2, t.px.y - s / 2, s, s});
    LabelRequest l{t.px.x, t.px.y, s / 2, t.town->name, {}, 3, false, "town " + t.town->name};
    l.style.size = 0.92 * c.em;
    l.style.colour = hex(0x333333);
    l.style.halo = 0.15 * c.em;
    c.labels.push_back(l);
  }
  if (!cand.empty()) {
    c.add_legend("town", "town (GeoNames)");
    c.attributions.push_back("towns: GeoNames (geonames.org), CC BY 4.0");
  }
}

cairo_surface_t* surface_from_bgr(const cv::Mat& bgr, const cv::Mat& alpha) {
  const int cols = bgr.cols, rows = bgr.rows;
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, cols, rows);
  unsigned char* data = cairo_image_surface_get_data(s);
  const int stride = cairo_image_surface_get_stride(s);
  cairo_surface_flush(s);
  for (int y = 0; y < rows; ++y) {
    const unsigned char* src = bgr.ptr<unsigned char>(y);
    const unsigned char* v = alpha.empty() ? nullptr : alpha.ptr<unsigned char>(y);
    auto* dst = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
    for (int x = 0; x < cols; ++x) {
      const std::uint32_t a = v ? v[x] : 255u;
      auto pm = [a](unsigned char ch) { return (std::uint32_t(ch) * a + 127) / 255; };  // premultiplied
      dst[x] = (a << 24) | (pm(src[3 * x + 2]) << 16) | (pm(src[3 * x + 1]) << 8) | pm(src[3 * x]);
    }
  }
  cairo_surface_mark_dirty(s);
  return s;
}

void draw_imagery(DrawContext& c, const fs::path& imagery, const std::string& date, std::string* sha256) {
  const Raster raster = Raster::open(imagery);
  if (sha256) *sha256 = raster.info().sha256;
  draw_imagery(c, raster, imagery.filename().string(), date);
}

double draw_imagery(DrawContext& c, const Raster& raster, const std::string& name, const std::string& date) {
  const std::string stated = !date.empty() ? date : raster.info().acquired.value_or("");
  c.attributions.push_back("imagery: " + name + (stated.empty() ? " (date not stated)" : " (" + stated + ")") +
                           (raster.info().sha256.empty() ? "" : ", sha256 " + raster.info().sha256.substr(0, 12)));
  WindowRequest req;
  req.bbox = c.extent;
  // Vector outputs are printed: twice the screen resolution keeps the imagery sharp on paper.
  req.gsd_m = c.proj.metres_per_px() / (c.vector_output ? 2.0 : 1.0);
  req.crs = c.proj.proj_string();
  req.resampling = Resampling::bilinear;
  GeoImage img;
  try {
    img = raster.read_window(req);
  } catch (const Error& e) {
    if (e.code() != Errc::not_found) throw;
    c.notes.push_back("the imagery " + name + " does not cover this map: drawn without it");
    return 0;
  }
  if (img.image.empty() || img.image.type() != CV_8UC3) {
    c.notes.push_back("the imagery " + name + " could not be drawn (not an RGB image)");
    return 0;
  }
  const int cols = img.cols(), rows = img.rows();
  cairo_surface_t* s = surface_from_bgr(img.image, img.valid);
  // Image pixel -> map metres (its geotransform, in the map's own CRS) -> drawing units.
  const auto& g = img.map_from_pixel.c;
  const double k = 1.0 / c.proj.metres_per_px();
  const MapProjection::Px origin = c.proj.to_px(c.proj.centre());
  cairo_matrix_t m;
  cairo_matrix_init(&m, g[1] * k, -g[4] * k, g[2] * k, -g[5] * k, origin.x + g[0] * k, origin.y - g[3] * k);
  cairo_save(c.cr);
  cairo_rectangle(c.cr, c.frame.x, c.frame.y, c.frame.w, c.frame.h);
  cairo_clip(c.cr);
  cairo_transform(c.cr, &m);
  cairo_set_source_surface(c.cr, s, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(c.cr), CAIRO_FILTER_GOOD);
  cairo_paint(c.cr);
  cairo_restore(c.cr);
  cairo_surface_destroy(s);
  // How much of the frame it covers, on a grid of the frame's points.
  int inside = 0, total = 0;
  for (int j = 0; j < 40; ++j)
    for (int i = 0; i < 60; ++i) {
      const double x = c.frame.x + (i + 0.5) * c.frame.w / 60, y = c.frame.y + (j + 0.5) * c.frame.h / 40;
      const double e = (x - origin.x) / k, n = (origin.y - y) / k;
      const cv::Point2d p = img.map_from_pixel.pixel_from_map(e, n);
      const int col = static_cast<int>(std::floor(p.x)), row = static_cast<int>(std::floor(p.y));
      ++total;
      if (col >= 0 && row >= 0 && col < cols && row < rows && (img.valid.empty() || img.valid.at<unsigned char>(row, col)))
        ++inside;
    }
  const double covered = static_cast<double>(inside) / total;
  if (covered < kCoverageNote)
    c.notes.push_back("the imagery " + name + " covers " + std::to_string(static_cast<int>(std::round(covered * 100))) +
                      " % of the map; the rest is left blank");
  c.add_legend("imagery", "imagery: " + name + (stated.empty() ? "" : ", " + stated));
  return covered;
}

void draw_compounds(DrawContext& c, const MapData& d, bool site) {
  cairo_t* cr = c.cr;
  const double lw = (site ? 2.2 : 1.6) * c.em / 13.0;
  int drawn_polygons = 0, drawn_points = 0;
  std::vector<std::string> sourced;
  for (const auto& cp : d.compounds.compounds) {
    if (cp.kind != spatial::SiteKind::compound && cp.kind != spatial::SiteKind::zone) continue;
    const auto& g = cp.geometry;
    Px anchor{NAN, NAN};
    double r = 0;
    if (g.type == spatial::SiteGeometry::Type::point) {
      const Px p = c.proj.to_px(g.point);
      if (!c.in_frame(p)) continue;
      const double s = 0.8 * c.em;
      cairo_rectangle(cr, p.x - s / 2, p.y - s / 2, s, s);
      set(cr, hex(0xffffff));
      cairo_set_line_width(cr, lw * 3);
      cairo_stroke_preserve(cr);
      set(cr, hex(kCompound));
      cairo_set_line_width(cr, lw * 1.3);
      cairo_stroke(cr);
      c.placer->add_obstacle({p.x - s / 2 - lw, p.y - s / 2 - lw, s + 2 * lw, s + 2 * lw});
      anchor = p;
      r = s / 2 + lw;
      ++drawn_points;
    } else if (!g.polygons.empty()) {
      double minx = 1e18, miny = 1e18, maxx = -1e18, maxy = -1e18;
      for (const auto& poly : g.polygons)
        for (const auto& ring : poly)
          for (const auto& p : ring) {
            const Px q = c.proj.to_px(p);
            if (!std::isfinite(q.x)) continue;
            minx = std::min(minx, q.x), maxx = std::max(maxx, q.x), miny = std::min(miny, q.y), maxy = std::max(maxy, q.y);
          }
      if (maxx < c.frame.x || minx > c.frame.x + c.frame.w || maxy < c.frame.y || miny > c.frame.y + c.frame.h) continue;
      for (const auto& poly : g.polygons)
        for (const auto& ring : poly) ring_path(c, ring, true);
      set(cr, hex(kCompound), site ? 0.06 : 0.15);
      cairo_fill_preserve(cr);
      set(cr, hex(0xffffff));
      cairo_set_line_width(cr, lw * 2.6);
      cairo_stroke_preserve(cr);
      set(cr, hex(kCompound));
      cairo_set_line_width(cr, lw);
      if (cp.kind == spatial::SiteKind::zone) {
        const double dash[] = {4 * lw, 2 * lw};
        cairo_set_dash(cr, dash, 2, 0);
      }
      cairo_stroke(cr);
      cairo_set_dash(cr, nullptr, 0, 0);
      // The label goes at the outline's top edge, inside the frame.
      anchor = Px{std::clamp((minx + maxx) / 2, c.frame.x, c.frame.x + c.frame.w),
                  std::clamp(miny, c.frame.y + c.em, c.frame.y + c.frame.h)};
      r = lw;
      ++drawn_polygons;
    } else {
      continue;
    }
    LabelRequest l{anchor.x, anchor.y, r, cp.name.empty() ? cp.id : cp.name, {}, 0, true, "compound " + cp.id};
    l.style.size = 1.0 * c.em;
    l.style.bold = true;
    l.style.colour = hex(kCompound);
    l.style.halo = 0.2 * c.em;
    c.labels.push_back(l);
    if (!cp.sources.empty()) {
      std::string s = (cp.name.empty() ? cp.id : cp.name) + ": ";
      for (std::size_t i = 0; i < cp.sources.size() && i < 2; ++i)
        s += (i ? "; " : "") + cp.sources[i].title + (cp.sources[i].date.empty() ? "" : " (" + cp.sources[i].date + ")");
      sourced.push_back(s);
    }
  }
  if (drawn_polygons) c.add_legend("compound-outline", "compound (outline from the registry)");
  if (drawn_points) c.add_legend("compound-point", "compound (point from the registry)");
  if (sourced.size() <= 3)
    for (const auto& s : sourced) c.attributions.push_back("compound sources: " + s);
  else if (!sourced.empty())
    c.attributions.push_back("compound sources: " + std::to_string(sourced.size()) +
                             " sites, each cited in the registry (geoev compounds show ID)");
}

void draw_inset(DrawContext& c, const Box& inset) {
  // The region in its continental context: 30 degrees of latitude (or 6 times the map) around the centre.
  const GeoPoint centre = c.proj.centre();
  const double map_span_deg = std::max(c.extent.max_lat_deg - c.extent.min_lat_deg,
                                       (c.extent.max_lon_deg - c.extent.min_lon_deg) * std::cos(centre.lat_deg * M_PI / 180));
  const double span_deg = std::clamp(6 * map_span_deg, 30.0, 90.0);
  const double mpp = span_deg * 111320.0 / inset.h;
  DrawContext ic;
  ic.cr = c.cr;
  ic.proj = MapProjection(centre, mpp, inset.x + inset.w / 2, inset.y + inset.h / 2);
  ic.frame = inset;
  const double half_lat = span_deg / 2, half_lon = std::min(179.0, span_deg * inset.w / inset.h / 2 /
                                                                      std::max(0.2, std::cos(centre.lat_deg * M_PI / 180)));
  ic.extent = GeoBox{std::max(-180.0, centre.lon_deg - half_lon), std::max(-89.0, centre.lat_deg - half_lat),
                     std::min(180.0, centre.lon_deg + half_lon), std::min(89.0, centre.lat_deg + half_lat)};
  ic.em = c.em * 0.45;
  cairo_save(c.cr);
  cairo_rectangle(c.cr, inset.x, inset.y, inset.w, inset.h);
  cairo_clip(c.cr);
  draw_basemap(ic, true);
  // The map's extent: its frame's corners, at least a visible square.
  double minx = 1e18, miny = 1e18, maxx = -1e18, maxy = -1e18;
  for (const auto& p : {GeoPoint{c.extent.min_lat_deg, c.extent.min_lon_deg}, GeoPoint{c.extent.max_lat_deg, c.extent.max_lon_deg},
                        GeoPoint{c.extent.min_lat_deg, c.extent.max_lon_deg}, GeoPoint{c.extent.max_lat_deg, c.extent.min_lon_deg}}) {
    const Px q = ic.proj.to_px(p);
    minx = std::min(minx, q.x), maxx = std::max(maxx, q.x), miny = std::min(miny, q.y), maxy = std::max(maxy, q.y);
  }
  const double min_side = 0.7 * c.em;
  if (maxx - minx < min_side) minx = (minx + maxx - min_side) / 2, maxx = minx + min_side;
  if (maxy - miny < min_side) miny = (miny + maxy - min_side) / 2, maxy = miny + min_side;
  cairo_rectangle(c.cr, minx, miny, maxx - minx, maxy - miny);
  set(c.cr, hex(0xffffff));
  cairo_set_line_width(c.cr, 0.35 * c.em);
  cairo_stroke_preserve(c.cr);
  set(c.cr, hex(kCompound));
  cairo_set_line_width(c.cr, 0.18 * c.em);
  cairo_stroke(c.cr);
  cairo_restore(c.cr);
  cairo_rectangle(c.cr, inset.x, inset.y, inset.w, inset.h);
  set(c.cr, hex(0x444444));
  cairo_set_line_width(c.cr, 0.08 * c.em);
  cairo_stroke(c.cr);
  c.add_legend("inset", "inset: where the map lies (red box)");
}

}  // namespace geo::render::detail
