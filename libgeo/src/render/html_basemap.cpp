// SPDX-License-Identifier: Apache-2.0
// The interactive map's offline basemap: Natural Earth country outlines around the map, clipped and
// simplified so that a site map does not carry a whole continent's vertices.
#include <algorithm>
#include <cmath>

#include "adapters/ogr.hpp"
#include "geo/core/error.hpp"
#include "geo/spatial/place_zone.hpp"
#include "html_internal.hpp"

namespace geo::render::html {

namespace {

struct Pt {
  double x, y;  // longitude, latitude in degrees
};
using PtRing = std::vector<Pt>;

// Sutherland-Hodgman against one edge of the box: keeps what lies on the side `inside` accepts. A ring
// that leaves and re-enters the box gains an edge along it; the box is larger than the first view, so
// those edges lie off screen until the reader zooms well out.
template <class Inside, class Cross>
PtRing clip_edge(const PtRing& in, Inside inside, Cross cross) {
  PtRing out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const Pt& a = in[i];
    const Pt& b = in[(i + 1) % in.size()];
    const bool ia = inside(a), ib = inside(b);
    if (ia) out.push_back(a);
    if (ia != ib) out.push_back(cross(a, b));
  }
  return out;
}

PtRing clip_to_box(PtRing r, const GeoBox& b) {
  const auto at_x = [](double x) {
    return [x](const Pt& a, const Pt& c) { return Pt{x, a.y + (c.y - a.y) * (x - a.x) / (c.x - a.x)}; };
  };
  const auto at_y = [](double y) {
    return [y](const Pt& a, const Pt& c) { return Pt{a.x + (c.x - a.x) * (y - a.y) / (c.y - a.y), y}; };
  };
  r = clip_edge(r, [&](const Pt& p) { return p.x >= b.min_lon_deg; }, at_x(b.min_lon_deg));
  r = clip_edge(r, [&](const Pt& p) { return p.x <= b.max_lon_deg; }, at_x(b.max_lon_deg));
  r = clip_edge(r, [&](const Pt& p) { return p.y >= b.min_lat_deg; }, at_y(b.min_lat_deg));
  r = clip_edge(r, [&](const Pt& p) { return p.y <= b.max_lat_deg; }, at_y(b.max_lat_deg));
  return r;
}

double seg_dist(const Pt& p, const Pt& a, const Pt& b) {
  const double dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2 : 0;
  t = std::clamp(t, 0.0, 1.0);
  return std::hypot(p.x - a.x - t * dx, p.y - a.y - t * dy);
}

// Douglas-Peucker, iterative (a coastline has tens of thousands of vertices).
PtRing simplify(const PtRing& r, double tol) {
  if (r.size() < 4 || tol <= 0) return r;
  std::vector<bool> keep(r.size(), false);
  keep.front() = keep.back() = true;
  std::vector<std::pair<std::size_t, std::size_t>> stack{{0, r.size() - 1}};
  while (!stack.empty()) {
    const auto [i, j] = stack.back();
    stack.pop_back();
    double worst = -1;
    std::size_t at = i;
    for (std::size_t k = i + 1; k < j; ++k)
      if (const double d = seg_dist(r[k], r[i], r[j]); d > worst) worst = d, at = k;
    if (worst > tol) {
      keep[at] = true;
      stack.push_back({i, at});
      stack.push_back({at, j});
    }
  }
  PtRing out;
  for (std::size_t k = 0; k < r.size(); ++k)
    if (keep[k]) out.push_back(r[k]);
  return out;
}

double round5(double v) { return std::round(v * 1e5) / 1e5; }  // 5 decimals: about 1 m

Json ring_json(OGRGeometryH ring, const GeoBox& clip, double tol) {
  PtRing r;
  const int n = OGR_G_GetPointCount(ring);
  r.reserve(n);
  for (int i = 0; i < n; ++i) r.push_back({OGR_G_GetX(ring, i), OGR_G_GetY(ring, i)});
  if (r.size() > 1 && r.front().x == r.back().x && r.front().y == r.back().y) r.pop_back();
  r = clip_to_box(std::move(r), clip);
  if (r.size() < 3) return nullptr;
  r.push_back(r.front());
  r = simplify(r, tol);
  if (r.size() < 4) return nullptr;
  Json out = Json::array();
  for (const Pt& p : r) out.push_back({round5(p.x), round5(p.y)});
  return out;
}

void add_polygon(OGRGeometryH poly, const GeoBox& clip, double tol, Json& polygons) {
  Json rings = Json::array();
  for (int i = 0; i < OGR_G_GetGeometryCount(poly); ++i) {
    Json r = ring_json(OGR_G_GetGeometryRef(poly, i), clip, tol);
    if (r.is_null()) {
      if (i == 0) return;  // no outer ring inside the box: the holes do not matter
      continue;
    }
    rings.push_back(std::move(r));
  }
  if (!rings.empty()) polygons.push_back(std::move(rings));
}

}  // namespace

Json basemap_geojson(const GeoBox& clip, double tolerance_deg, int* countries) {
  adapters::ensure_gdal();
  const fs::path path = spatial::shipped_countries_path();
  auto ds = adapters::open_vector(path, false, "map.html: basemap", {"TopoJSON", "GeoJSON"});
  OGRLayerH l = GDALDatasetGetLayerByName(ds.get(), "countries");
  if (!l) throw Error(Errc::corrupt_data, "map.html: " + path.string() + ": no layer 'countries'");
  OGR_L_SetSpatialFilterRect(l, clip.min_lon_deg, clip.min_lat_deg, clip.max_lon_deg, clip.max_lat_deg);
  OGR_L_ResetReading(l);
  Json features = Json::array();
  while (adapters::FeaturePtr f{OGR_L_GetNextFeature(l)}) {
    OGRGeometryH g = OGR_F_GetGeometryRef(f.get());
    if (!g) continue;
    Json polygons = Json::array();
    switch (wkbFlatten(OGR_G_GetGeometryType(g))) {
      case wkbPolygon: add_polygon(g, clip, tolerance_deg, polygons); break;
      case wkbMultiPolygon:
        for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i)
          add_polygon(OGR_G_GetGeometryRef(g, i), clip, tolerance_deg, polygons);
        break;
      default: break;
    }
    if (polygons.empty()) continue;
    features.push_back({{"type", "Feature"},
                        {"properties", {{"name", adapters::field_string(f.get(), "name")}}},
                        {"geometry", {{"type", "MultiPolygon"}, {"coordinates", std::move(polygons)}}}});
  }
  *countries = static_cast<int>(features.size());
  return {{"type", "FeatureCollection"}, {"features", std::move(features)}};
}

}  // namespace geo::render::html
