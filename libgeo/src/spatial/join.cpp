// SPDX-License-Identifier: Apache-2.0
#include "geo/spatial/join.hpp"

#include <geodesic.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <queue>

#include "geo/core/error.hpp"

namespace geo::spatial {
namespace {

constexpr double kDeg = std::numbers::pi / 180.0;

const geod_geodesic& wgs84() {
  static const geod_geodesic g = [] {
    geod_geodesic t{};
    geod_init(&t, 6378137.0, 1.0 / 298.257223563);
    return t;
  }();
  return g;
}

double inv_dist(double lat1, double lon1, double lat2, double lon2, double* azi1 = nullptr) {
  double s = 0, a1 = 0, a2 = 0;
  geod_inverse(&wgs84(), lat1, lon1, lat2, lon2, &s, &a1, &a2);
  if (azi1) *azi1 = a1;
  return s;
}

// A local plane around a point: metres east/north by the meridional and prime-vertical radii there.
// Accurate to ~0.1 % within tens of km: used only to rank and prune, never for a reported distance.
struct LocalFrame {
  double lat0, lon0, kx, ky;
  explicit LocalFrame(const GeoPoint& p) : lat0(p.lat_deg), lon0(p.lon_deg) {
    const double a = 6378137.0, f = 1.0 / 298.257223563, e2 = f * (2 - f);
    const double s = std::sin(lat0 * kDeg), w = std::sqrt(1 - e2 * s * s);
    const double n = a / w, m = a * (1 - e2) / (w * w * w);
    kx = n * std::cos(lat0 * kDeg) * kDeg;
    ky = m * kDeg;
  }
  double x(const GeoPoint& q) const {
    double d = q.lon_deg - lon0;
    if (d > 180.0 || d < -180.0) d = std::remainder(d, 360.0);
    return d * kx;
  }
  double y(const GeoPoint& q) const { return (q.lat_deg - lat0) * ky; }
};

double seg_dist_plane(double px, double py, double ax, double ay, double bx, double by) {
  const double dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
  double t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  const double ex = ax + t * dx - px, ey = ay + t * dy - py;
  return std::sqrt(ex * ex + ey * ey);  // glibc hypot is slow, and these magnitudes cannot overflow
}

bool ring_contains(const Ring& r, double lat, double lon, bool& on_edge) {
  bool in = false;
  const std::size_t n = r.size();
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const double yi = r[i].lat_deg, xi = r[i].lon_deg, yj = r[j].lat_deg, xj = r[j].lon_deg;
    // on-edge test (collinear and within the segment's box)
    const double cross = (xj - xi) * (lat - yi) - (yj - yi) * (lon - xi);
    if (std::fabs(cross) <= 1e-15 && lon >= std::min(xi, xj) && lon <= std::max(xi, xj) &&
        lat >= std::min(yi, yj) && lat <= std::max(yi, yj))
      on_edge = true;
    if ((yi > lat) != (yj > lat)) {
      const double xcross = xi + (lat - yi) * (xj - xi) / (yj - yi);
      if (lon < xcross) in = !in;
    }
  }
  return in;
}

struct Box {
  double lat0 = 90, lat1 = -90, lon0 = 180, lon1 = -180;
  void add(const GeoPoint& p) {
    lat0 = std::min(lat0, p.lat_deg); lat1 = std::max(lat1, p.lat_deg);
    lon0 = std::min(lon0, p.lon_deg); lon1 = std::max(lon1, p.lon_deg);
  }
  void add(const Box& b) {
    lat0 = std::min(lat0, b.lat0); lat1 = std::max(lat1, b.lat1);
    lon0 = std::min(lon0, b.lon0); lon1 = std::max(lon1, b.lon1);
  }
  double clat() const { return 0.5 * (lat0 + lat1); }
  double clon() const { return 0.5 * (lon0 + lon1); }
};

Box box_of(const SiteGeometry& g) {
  Box b;
  if (g.type == SiteGeometry::Type::point) b.add(g.point);
  for (const auto& poly : g.polygons)
    for (const auto& v : poly.empty() ? Ring{} : poly[0]) b.add(v);
  return b;
}

// Lower bound (with margin) of the distance from the frame's origin to a box, metres.
double box_lower_bound(const LocalFrame& f, const Box& b) {
  const double dlat = f.lat0 < b.lat0 ? b.lat0 - f.lat0 : (f.lat0 > b.lat1 ? f.lat0 - b.lat1 : 0.0);
  double dlon = 0.0;
  if (f.lon0 < b.lon0) dlon = b.lon0 - f.lon0;
  else if (f.lon0 > b.lon1) dlon = f.lon0 - b.lon1;
  // use the smaller cos(lat) over the box and the point so the bound stays a bound
  const double maxlat = std::max({std::fabs(f.lat0), std::fabs(b.lat0), std::fabs(b.lat1)});
  const double kx = 6378137.0 * std::cos(std::min(89.9, maxlat) * kDeg) * kDeg;
  const double ky = 6335439.0 * kDeg;  // smallest meridional radius (equator)
  return 0.97 * std::hypot(dlat * ky, dlon * kx);
}

bool contains_geom(const SiteGeometry& g, const GeoPoint& p) {
  for (const auto& poly : g.polygons)
    if (polygon_contains(poly, p)) return true;
  return false;
}

// Planar approximate distance (0 inside) used to rank candidates.
double approx_distance(const SiteGeometry& g, const GeoPoint& p, const LocalFrame& f) {
  if (g.type == SiteGeometry::Type::point) return std::hypot(f.x(g.point), f.y(g.point));
  if (contains_geom(g, p)) return 0.0;
  double best = std::numeric_limits<double>::infinity();
  for (const auto& poly : g.polygons)
    for (const auto& ring : poly)
      for (std::size_t i = 0; i < ring.size(); ++i) {
        const auto& a = ring[i];
        const auto& b = ring[(i + 1) % ring.size()];
        best = std::min(best, seg_dist_plane(0, 0, f.x(a), f.y(a), f.x(b), f.y(b)));
      }
  return best;
}

// Exact geodesic distance to the outline: refine only edges that can be nearest.
double exact_outline(const SiteGeometry& g, const GeoPoint& p, const LocalFrame& f) {
  std::vector<std::pair<double, std::pair<const GeoPoint*, const GeoPoint*>>> edges;
  double min_a = std::numeric_limits<double>::infinity();
  for (const auto& poly : g.polygons)
    for (const auto& ring : poly)
      for (std::size_t i = 0; i < ring.size(); ++i) {
        const auto& a = ring[i];
        const auto& b = ring[(i + 1) % ring.size()];
        const double d = seg_dist_plane(0, 0, f.x(a), f.y(a), f.x(b), f.y(b));
        edges.push_back({d, {&a, &b}});
        min_a = std::min(min_a, d);
      }
  double best = std::numeric_limits<double>::infinity();
  for (const auto& [d, e] : edges)
    if (d <= min_a * 1.03 + 5.0) best = std::min(best, geodesic_distance_to_segment_m(p, *e.first, *e.second));
  return best;
}

struct Exact {
  bool inside = false;
  double distance_m = 0, outline_m = 0;
};

Exact exact_distance(const SiteGeometry& g, const GeoPoint& p, const LocalFrame& f, bool need_outline) {
  Exact e;
  if (g.type == SiteGeometry::Type::point) {
    e.distance_m = e.outline_m = inv_dist(p.lat_deg, p.lon_deg, g.point.lat_deg, g.point.lon_deg);
    return e;
  }
  e.inside = contains_geom(g, p);
  if (!e.inside || need_outline) e.outline_m = exact_outline(g, p, f);
  e.distance_m = e.inside ? 0.0 : e.outline_m;
  return e;
}

JoinHit make_hit(const Compound& c, const GeoPoint& p, const LocalFrame& f, const JoinOptions& opt) {
  const Exact e = exact_distance(c.geometry, p, f, opt.uncertainty_m > 0);
  JoinHit h;
  h.compound_id = c.id;
  h.name = c.name;
  h.kind = c.kind;
  h.distance_m = e.distance_m;
  h.relation = e.inside ? Relation::inside
                        : (e.distance_m <= std::max(opt.within_m, opt.uncertainty_m) ? Relation::within
                                                                                     : Relation::nearest);
  if (c.geometry.type != SiteGeometry::Type::point) {
    if (opt.uncertainty_m <= 0) h.p_inside = e.inside ? 1.0 : 0.0;
    else if (e.inside && e.outline_m >= opt.uncertainty_m) h.p_inside = 1.0;
    else if (!e.inside && e.outline_m >= opt.uncertainty_m) h.p_inside = 0.0;
    else {
      double s = 0;
      for (const auto& poly : c.geometry.polygons) s += disc_fraction_inside(poly, p, opt.uncertainty_m);
      h.p_inside = std::min(1.0, s);
    }
  }
  return h;
}

void finish(std::vector<JoinHit>& hits, const JoinOptions& opt) {
  std::sort(hits.begin(), hits.end(), [](const JoinHit& a, const JoinHit& b) {
    if (a.distance_m != b.distance_m) return a.distance_m < b.distance_m;
    if (a.p_inside != b.p_inside) return a.p_inside > b.p_inside;
    return a.compound_id < b.compound_id;
  });
  std::vector<JoinHit> out;
  for (auto& h : hits)
    if (h.relation != Relation::nearest || static_cast<int>(out.size()) < opt.max_results) out.push_back(std::move(h));
  hits = std::move(out);
}

}  // namespace

bool polygon_contains(const Polygon& poly, const GeoPoint& p) {
  if (poly.empty()) return false;
  bool on_edge = false;
  const bool in_outer = ring_contains(poly[0], p.lat_deg, p.lon_deg, on_edge);
  if (on_edge) return true;
  if (!in_outer) return false;
  for (std::size_t h = 1; h < poly.size(); ++h) {
    bool on_hole_edge = false;
    if (ring_contains(poly[h], p.lat_deg, p.lon_deg, on_hole_edge) && !on_hole_edge) return false;
  }
  return true;
}

double geodesic_distance_to_segment_m(const GeoPoint& p, const GeoPoint& a, const GeoPoint& b) {
  double az_ab = 0;
  const double s12 = inv_dist(a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg, &az_ab);
  double az_ap = 0;
  const double d_ap = inv_dist(a.lat_deg, a.lon_deg, p.lat_deg, p.lon_deg, &az_ap);
  const double d_bp = inv_dist(b.lat_deg, b.lon_deg, p.lat_deg, p.lon_deg);
  double best = std::min(d_ap, d_bp);
  if (s12 < 1e-6) return best;
  geod_geodesicline line{};
  geod_inverseline(&line, &wgs84(), a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg,
                   GEOD_LATITUDE | GEOD_LONGITUDE | GEOD_AZIMUTH | GEOD_DISTANCE_IN);
  // Move along the line until p is abeam (azimuth to p perpendicular to the line): Newton-like steps
  // on the along-track offset, which converge in a few iterations for segments this short.
  double s = std::clamp(d_ap * std::cos((az_ap - az_ab) * kDeg), 0.0, s12);
  for (int it = 0; it < 30; ++it) {
    double lat = 0, lon = 0, azi = 0;
    geod_position(&line, s, &lat, &lon, &azi);
    double az_xp = 0;
    const double d = inv_dist(lat, lon, p.lat_deg, p.lon_deg, &az_xp);
    best = std::min(best, d);
    const double step = d * std::cos((az_xp - azi) * kDeg);
    const double next = std::clamp(s + step, 0.0, s12);
    if (std::fabs(next - s) < 1e-5) break;
    s = next;
  }
  return best;
}

double geodesic_distance_to_outline_m(const Polygon& poly, const GeoPoint& p) {
  double best = std::numeric_limits<double>::infinity();
  for (const auto& ring : poly)
    for (std::size_t i = 0; i < ring.size(); ++i)
      best = std::min(best, geodesic_distance_to_segment_m(p, ring[i], ring[(i + 1) % ring.size()]));
  return best;
}

double disc_fraction_inside(const Polygon& poly, const GeoPoint& c, double radius_m) {
  if (poly.empty()) return 0.0;
  if (radius_m <= 0) return polygon_contains(poly, c) ? 1.0 : 0.0;
  // Vertices in the azimuthal-equidistant plane around c (exact distances and azimuths).
  std::vector<std::vector<std::pair<double, double>>> rings;
  for (const auto& r : poly) {
    std::vector<std::pair<double, double>> v;
    for (const auto& q : r) {
      double az = 0;
      const double d = inv_dist(c.lat_deg, c.lon_deg, q.lat_deg, q.lon_deg, &az);
      v.emplace_back(d * std::sin(az * kDeg), d * std::cos(az * kDeg));
    }
    rings.push_back(std::move(v));
  }
  constexpr int kRays = 720;
  const double dth = 2 * std::numbers::pi / kRays;
  double area = 0;
  std::vector<double> ts;
  for (int k = 0; k < kRays; ++k) {
    const double th = (k + 0.5) * dth, ux = std::sin(th), uy = std::cos(th);
    ts.clear();
    for (const auto& v : rings)
      for (std::size_t i = 0; i < v.size(); ++i) {
        const auto [ax, ay] = v[i];
        const auto [bx, by] = v[(i + 1) % v.size()];
        const double ex = bx - ax, ey = by - ay;
        const double den = ux * ey - uy * ex;
        if (std::fabs(den) < 1e-12) continue;
        const double t = (ax * ey - ay * ex) / den;       // along the ray
        const double s = (ax * uy - ay * ux) / den;       // along the edge
        if (t > 0 && s >= 0 && s < 1) ts.push_back(t);
      }
    std::sort(ts.begin(), ts.end());
    // State just off the origin along this ray (the origin itself may lie on an edge or vertex).
    const double eps = 1e-7 * radius_m, qx = eps * ux, qy = eps * uy;
    bool in = false;
    for (const auto& v : rings)
      for (std::size_t i = 0, j = v.size() - 1; i < v.size(); j = i++)
        if ((v[i].second > qy) != (v[j].second > qy) &&
            qx < v[i].first + (qy - v[i].second) * (v[j].first - v[i].first) / (v[j].second - v[i].second))
          in = !in;
    ts.erase(ts.begin(), std::upper_bound(ts.begin(), ts.end(), eps));
    double prev = 0, sum = 0;
    for (double t : ts) {
      const double tt = std::min(t, radius_m);
      if (in) sum += (tt * tt - prev * prev) / 2;
      prev = tt;
      in = !in;
      if (t >= radius_m) break;
    }
    if (in && prev < radius_m) sum += (radius_m * radius_m - prev * prev) / 2;
    area += sum * dth;
  }
  return std::clamp(area / (std::numbers::pi * radius_m * radius_m), 0.0, 1.0);
}

const char* to_string(Relation r) noexcept {
  switch (r) {
    case Relation::inside: return "inside";
    case Relation::within: return "within";
    case Relation::nearest: return "nearest";
  }
  return "?";
}

Json to_json(const JoinHit& h) {
  return Json{{"compound_id", h.compound_id}, {"name", h.name}, {"kind", to_string(h.kind)},
              {"relation", to_string(h.relation)}, {"distance_m", round_to(h.distance_m, 3)},
              {"p_inside", round_to(h.p_inside, 4)}};
}

void JoinOptions::validate() const {
  if (!std::isfinite(uncertainty_m) || uncertainty_m < 0)
    throw Error(Errc::invalid_argument, "join: uncertainty must be a finite number of metres >= 0");
  if (!std::isfinite(within_m) || within_m < 0)
    throw Error(Errc::invalid_argument, "join: within distance must be a finite number of metres >= 0");
  if (max_results < 0) throw Error(Errc::invalid_argument, "join: max results must be >= 0");
}

struct CompoundIndex::Impl {
  struct Node {
    Box box;
    bool leaf = false;
    std::vector<std::size_t> children;  // node indices, or compound indices for leaves
  };
  const Registry* reg = nullptr;
  std::vector<std::size_t> items;  // compound indices with a geometry
  std::vector<Box> item_boxes;     // by compound index
  std::vector<Node> nodes;
  std::size_t root = 0;
  static constexpr std::size_t kFan = 16;

  // Sort-tile-recursive packing of one level.
  std::vector<std::size_t> pack(std::vector<std::pair<Box, std::size_t>> entries, bool leaf) {
    const std::size_t n = entries.size();
    const std::size_t pages = (n + kFan - 1) / kFan;
    const std::size_t slices = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(pages))));
    std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.first.clon() < b.first.clon(); });
    const std::size_t per_slice = slices * kFan;
    std::vector<std::size_t> out;
    for (std::size_t s = 0; s < n; s += per_slice) {
      const auto end = entries.begin() + static_cast<std::ptrdiff_t>(std::min(n, s + per_slice));
      std::sort(entries.begin() + static_cast<std::ptrdiff_t>(s), end,
                [](auto& a, auto& b) { return a.first.clat() < b.first.clat(); });
      for (std::size_t i = s; i < std::min(n, s + per_slice); i += kFan) {
        Node node;
        node.leaf = leaf;
        for (std::size_t j = i; j < std::min({n, i + kFan, s + per_slice}); ++j) {
          node.box.add(entries[j].first);
          node.children.push_back(entries[j].second);
        }
        nodes.push_back(std::move(node));
        out.push_back(nodes.size() - 1);
      }
    }
    return out;
  }
};

CompoundIndex::CompoundIndex(const Registry& reg) : impl_(std::make_unique<Impl>()) {
  impl_->reg = &reg;
  impl_->item_boxes.resize(reg.compounds.size());
  std::vector<std::pair<Box, std::size_t>> entries;
  for (std::size_t i = 0; i < reg.compounds.size(); ++i) {
    if (reg.compounds[i].geometry.type == SiteGeometry::Type::none) continue;
    impl_->items.push_back(i);
    impl_->item_boxes[i] = box_of(reg.compounds[i].geometry);
    entries.emplace_back(impl_->item_boxes[i], i);
  }
  if (entries.empty()) return;
  auto level = impl_->pack(std::move(entries), true);
  while (level.size() > 1) {
    std::vector<std::pair<Box, std::size_t>> up;
    for (auto n : level) up.emplace_back(impl_->nodes[n].box, n);
    level = impl_->pack(std::move(up), false);
  }
  impl_->root = level[0];
}

CompoundIndex::~CompoundIndex() = default;
CompoundIndex::CompoundIndex(CompoundIndex&&) noexcept = default;
std::size_t CompoundIndex::size() const noexcept { return impl_->items.size(); }

std::vector<JoinHit> CompoundIndex::query(const GeoPoint& p, const JoinOptions& opt) const {
  validate(p, "join: event position");
  opt.validate();
  std::vector<JoinHit> hits;
  if (impl_->nodes.empty()) return hits;
  const LocalFrame f(p);
  const double radius = std::max(opt.within_m, opt.uncertainty_m);
  const auto k = static_cast<std::size_t>(std::max(1, opt.max_results));
  // Best-first traversal on lower bounds; collect candidates by planar distance.
  using Entry = std::pair<double, std::pair<bool, std::size_t>>;  // key, (is_item, index)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> pq;
  pq.push({box_lower_bound(f, impl_->nodes[impl_->root].box), {false, impl_->root}});
  std::vector<std::pair<double, std::size_t>> cands;  // approx distance, compound index
  std::vector<double> kbest;                           // k smallest approx distances (sorted)
  auto threshold = [&] {
    const double kth = kbest.size() >= k ? kbest[k - 1] : std::numeric_limits<double>::infinity();
    return std::max(radius, std::isinf(kth) ? kth : kth * 1.03 + 5.0);
  };
  while (!pq.empty() && pq.top().first <= threshold()) {
    const auto [key, what] = pq.top();
    pq.pop();
    if (what.first) {
      const auto& c = impl_->reg->compounds[what.second];
      const double d = approx_distance(c.geometry, p, f);
      cands.emplace_back(d, what.second);
      kbest.insert(std::upper_bound(kbest.begin(), kbest.end(), d), d);
      if (kbest.size() > k) kbest.pop_back();
      continue;
    }
    const auto& node = impl_->nodes[what.second];
    for (auto ch : node.children) {
      if (node.leaf) pq.push({box_lower_bound(f, impl_->item_boxes[ch]), {true, ch}});
      else pq.push({box_lower_bound(f, impl_->nodes[ch].box), {false, ch}});
    }
  }
  const double t = threshold();
  for (const auto& [d, i] : cands)
    if (d <= t) hits.push_back(make_hit(impl_->reg->compounds[i], p, f, opt));
  finish(hits, opt);
  return hits;
}

std::vector<JoinHit> join_brute_force(const Registry& reg, const GeoPoint& p, const JoinOptions& opt) {
  validate(p, "join: event position");
  opt.validate();
  const LocalFrame f(p);
  std::vector<JoinHit> hits;
  for (const auto& c : reg.compounds)
    if (c.geometry.type != SiteGeometry::Type::none) hits.push_back(make_hit(c, p, f, opt));
  finish(hits, opt);
  return hits;
}

}  // namespace geo::spatial
