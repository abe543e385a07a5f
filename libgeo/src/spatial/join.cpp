// SPDX-License-Identifier: Apache-2.0
#include "geo/spatial/join.hpp"

#include <geodesic.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <tuple>

#include "geo/core/error.hpp"

namespace geo::spatial {
namespace {

constexpr double kDeg = std::numbers::pi / 180.0;
constexpr double kInf = std::numeric_limits<double>::infinity();
// Extreme principal radii of curvature of WGS 84 (meridional at the equator, both at the poles), metres.
// Mapping the ellipsoid to the unit sphere by (geodetic latitude, longitude) scales every length by a
// factor between these two, so a unit-sphere angle theta bounds the geodesic distance d:
// kMinRadius * theta <= d <= kMaxRadius * theta.
constexpr double kMinRadius = 6335439.0;
constexpr double kMaxRadius = 6399594.0;

const geod_geodesic& wgs84() {
  static const geod_geodesic g = [] {
    geod_geodesic t{};
    geod_init(&t, 6378137.0, 1.0 / 298.257223563);
    return t;
  }();
  return g;
}

double inv_dist(double lat1, double lon1, double lat2, double lon2, double* azi1 = nullptr, double* azi2 = nullptr) {
  double s = 0, a1 = 0, a2 = 0;
  geod_inverse(&wgs84(), lat1, lon1, lat2, lon2, &s, &a1, &a2);
  if (azi1) *azi1 = a1;
  if (azi2) *azi2 = a2;
  return s;
}

// ---- unit-sphere vectors -------------------------------------------------------------------------------
struct V3 {
  double x = 0, y = 0, z = 0;
};
V3 unit(const GeoPoint& p) {
  const double cl = std::cos(p.lat_deg * kDeg);
  return {cl * std::cos(p.lon_deg * kDeg), cl * std::sin(p.lon_deg * kDeg), std::sin(p.lat_deg * kDeg)};
}
double dot(const V3& a, const V3& b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
V3 cross(const V3& a, const V3& b) { return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x}; }
double norm(const V3& a) { return std::sqrt(dot(a, a)); }
// Angle between unit vectors (radians), accurate for tiny angles (chord formula).
double angle(const V3& a, const V3& b) {
  const double dx = a.x - b.x, dy = a.y - b.y, dz = a.z - b.z;
  return 2.0 * std::asin(std::min(1.0, 0.5 * std::sqrt(dx * dx + dy * dy + dz * dz)));
}

// One polygon edge, prepared at index build: its great-circle arc and its exact geodesic.
struct Edge {
  V3 a, b, n, na, bn;  // endpoints, unit normal of the arc's plane, n x a, b x n
  double arc = 0;      // arc length on the unit sphere, radians
  double dev = 0;      // bound (radians) on the separation of the arc and the ellipsoidal geodesic
  bool degenerate = false;
  const GeoPoint* pa = nullptr;
  const GeoPoint* pb = nullptr;
  double az1 = 0, az2 = 0, s12 = 0;  // geodesic a->b: forward azimuths at a and b (deg), length (m)
};

Edge make_edge(const GeoPoint& pa, const GeoPoint& pb) {
  Edge e;
  e.pa = &pa;
  e.pb = &pb;
  e.a = unit(pa);
  e.b = unit(pb);
  e.arc = angle(e.a, e.b);
  const V3 c = cross(e.a, e.b);
  const double cn = norm(c);
  e.degenerate = cn < 1e-15;
  if (!e.degenerate) {
    e.n = {c.x / cn, c.y / cn, c.z / cn};
    e.na = cross(e.n, e.a);
    e.bn = cross(e.b, e.n);
  }
  // The geodesic and the great circle through the same endpoints (in geodetic latitude) separate by
  // about f * arc^2 / 8 radians; 0.01 * arc^2 (25x that) plus 1e-9 rad (6 mm) covers it and rounding.
  e.dev = 0.01 * e.arc * e.arc + 1e-9;
  e.s12 = inv_dist(pa.lat_deg, pa.lon_deg, pb.lat_deg, pb.lon_deg, &e.az1, &e.az2);
  return e;
}

// Angle from p to the arc (radians) and the fraction along it of the nearest point.
double arc_angle(const Edge& e, const V3& p, double& t) {
  if (!e.degenerate) {
    const double ua = dot(e.na, p), ub = dot(e.bn, p);
    if (ua >= 0 && ub >= 0) {
      t = std::clamp(std::atan2(ua, dot(e.a, p)) / e.arc, 0.0, 1.0);
      return std::asin(std::min(1.0, std::fabs(dot(e.n, p))));
    }
  }
  const double da = angle(p, e.a), db = angle(p, e.b);
  t = da <= db ? 0.0 : 1.0;
  return std::min(da, db);
}

// ---- longitude wrapping ----------------------------------------------------------------------------------
// A ring crosses the antimeridian when two consecutive vertices are more than 180 degrees of longitude
// apart (edges take the shorter way round); its western longitudes are then shifted by +360.
bool ring_wraps(const Ring& r) {
  for (std::size_t i = 0, j = r.size() - 1; i < r.size(); j = i++)
    if (std::fabs(r[i].lon_deg - r[j].lon_deg) > 180.0) return true;
  return false;
}
bool polygon_wraps(const Polygon& poly) {
  for (const auto& r : poly)
    if (!r.empty() && ring_wraps(r)) return true;
  return false;
}
double unwrap(double lon, bool wrapped) { return wrapped && lon < 0 ? lon + 360.0 : lon; }

bool ring_contains(const Ring& r, double lat, double lon, bool wrapped, bool& on_edge) {
  bool in = false;
  const std::size_t n = r.size();
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const double yi = r[i].lat_deg, xi = unwrap(r[i].lon_deg, wrapped);
    const double yj = r[j].lat_deg, xj = unwrap(r[j].lon_deg, wrapped);
    // on-edge test (collinear and within the segment's box)
    const double cross2 = (xj - xi) * (lat - yi) - (yj - yi) * (lon - xi);
    if (std::fabs(cross2) <= 1e-15 && lon >= std::min(xi, xj) && lon <= std::max(xi, xj) &&
        lat >= std::min(yi, yj) && lat <= std::max(yi, yj))
      on_edge = true;
    if ((yi > lat) != (yj > lat)) {
      const double xcross = xi + (lat - yi) * (xj - xi) / (yj - yi);
      if (lon < xcross) in = !in;
    }
  }
  return in;
}

// A latitude/longitude box; longitudes may run past 180 for a box that crosses the antimeridian.
struct Box {
  double lat0 = 90, lat1 = -90, lon0 = 1e9, lon1 = -1e9;
  void add(double lat, double lon) {
    lat0 = std::min(lat0, lat); lat1 = std::max(lat1, lat);
    lon0 = std::min(lon0, lon); lon1 = std::max(lon1, lon);
  }
  void add(const Box& b) {
    lat0 = std::min(lat0, b.lat0); lat1 = std::max(lat1, b.lat1);
    lon0 = std::min(lon0, b.lon0); lon1 = std::max(lon1, b.lon1);
  }
  double clat() const { return 0.5 * (lat0 + lat1); }
  double clon() const { return 0.5 * (lon0 + lon1); }
};

// Lower bound of the geodesic distance (metres) from p to anything in the box. On the unit sphere the
// box lies in a latitude band (angle >= the latitude gap) and in a longitude lune, whose nearest
// bounding meridian is asin(cos(lat) * sin(min(dlon, 90 deg))) away; asin(y) >= y and
// sin(x) >= x - x^3/6 keep it cheap and still a bound. cos_lat = cos(p's latitude).
double box_lower_bound(const GeoPoint& p, double cos_lat, const Box& b) {
  const double dlat = p.lat_deg < b.lat0 ? b.lat0 - p.lat_deg : (p.lat_deg > b.lat1 ? p.lat_deg - b.lat1 : 0.0);
  const double lon = p.lon_deg;
  double dlon = lon < b.lon0 ? b.lon0 - lon : (lon > b.lon1 ? lon - b.lon1 : 0.0);
  if (dlon > 90.0 || b.lon1 > 180.0 || b.lon0 < -180.0) {  // the other way round may be shorter
    if (b.lon1 - b.lon0 >= 360.0) dlon = 0.0;
    for (double k : {-360.0, 360.0}) {
      const double x = lon + k;
      dlon = std::min(dlon, x < b.lon0 ? b.lon0 - x : (x > b.lon1 ? x - b.lon1 : 0.0));
    }
  }
  const double x = std::min(dlon, 90.0) * kDeg;
  const double th_lon = cos_lat * (x - x * x * x / 6.0);
  return kMinRadius * std::max(dlat * kDeg, th_lon) * (1.0 - 1e-12);
}

bool contains_geom(const SiteGeometry& g, const GeoPoint& p) {
  for (const auto& poly : g.polygons)
    if (polygon_contains(poly, p)) return true;
  return false;
}

bool kind_wanted(const JoinOptions& opt, SiteKind k) {
  return opt.kinds.empty() || std::find(opt.kinds.begin(), opt.kinds.end(), k) != opt.kinds.end();
}

// ---- the plain loop (baseline): exact geodesics, planar pruning of edges ---------------------------
// A local plane around a point: metres east/north by the meridional and prime-vertical radii there.
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
  return std::sqrt(ex * ex + ey * ey);
}

double brute_outline(const SiteGeometry& g, const GeoPoint& p) {
  const LocalFrame f(p);
  std::vector<std::pair<double, std::pair<const GeoPoint*, const GeoPoint*>>> edges;
  double min_a = kInf;
  for (const auto& poly : g.polygons)
    for (const auto& ring : poly)
      for (std::size_t i = 0; i < ring.size(); ++i) {
        const auto& a = ring[i];
        const auto& b = ring[(i + 1) % ring.size()];
        const double d = seg_dist_plane(0, 0, f.x(a), f.y(a), f.x(b), f.y(b));
        edges.push_back({d, {&a, &b}});
        min_a = std::min(min_a, d);
      }
  double best = kInf;
  for (const auto& [d, e] : edges)
    if (d <= min_a * 1.03 + 5.0) best = std::min(best, geodesic_distance_to_segment_m(p, *e.first, *e.second));
  return best;
}

double p_inside_of(const SiteGeometry& g, const GeoPoint& p, double unc, bool inside, double outline_m) {
  if (g.type == SiteGeometry::Type::point) return 0.0;
  if (unc <= 0) return inside ? 1.0 : 0.0;
  if (outline_m >= unc) return inside ? 1.0 : 0.0;
  double s = 0;
  for (const auto& poly : g.polygons) s += disc_fraction_inside(poly, p, unc);
  return std::min(1.0, s);
}

JoinHit hit_of(const Compound& c, double distance_m, double p_inside, bool inside, const JoinOptions& opt) {
  JoinHit h;
  h.compound_id = c.id;
  h.name = c.name;
  h.kind = c.kind;
  h.distance_m = distance_m;
  h.p_inside = p_inside;
  h.relation = inside ? Relation::inside
                      : (distance_m <= std::max(opt.within_m, opt.uncertainty_m) ? Relation::within : Relation::nearest);
  return h;
}

JoinHit brute_hit(const Compound& c, const GeoPoint& p, const JoinOptions& opt) {
  const auto& g = c.geometry;
  if (g.type == SiteGeometry::Type::point) {
    const double d = inv_dist(p.lat_deg, p.lon_deg, g.point.lat_deg, g.point.lon_deg);
    return hit_of(c, d, 0.0, false, opt);
  }
  const bool inside = contains_geom(g, p);
  const double outline = (!inside || opt.uncertainty_m > 0) ? brute_outline(g, p) : 0.0;
  return hit_of(c, inside ? 0.0 : outline, p_inside_of(g, p, opt.uncertainty_m, inside, outline), inside, opt);
}

void finish(std::vector<JoinHit>& hits, const JoinOptions& opt) {
  std::sort(hits.begin(), hits.end(), [](const JoinHit& a, const JoinHit& b) {
    if (a.distance_m != b.distance_m) return a.distance_m < b.distance_m;
    if (a.p_inside != b.p_inside) return a.p_inside > b.p_inside;
    return a.compound_id < b.compound_id;
  });
  std::vector<JoinHit> out;
  for (auto& h : hits)
    if (h.distance_m <= opt.max_distance_m &&
        (h.relation != Relation::nearest || static_cast<int>(out.size()) < opt.max_results))
      out.push_back(std::move(h));
  hits = std::move(out);
}

}  // namespace

bool polygon_contains(const Polygon& poly, const GeoPoint& p) {
  if (poly.empty() || poly[0].empty()) return false;
  const bool wrapped = polygon_wraps(poly);
  const double lon = unwrap(p.lon_deg, wrapped);
  bool on_edge = false;
  const bool in_outer = ring_contains(poly[0], p.lat_deg, lon, wrapped, on_edge);
  if (on_edge) return true;
  if (!in_outer) return false;
  for (std::size_t h = 1; h < poly.size(); ++h) {
    if (poly[h].empty()) continue;
    bool on_hole_edge = false;
    if (ring_contains(poly[h], p.lat_deg, lon, wrapped, on_hole_edge) && !on_hole_edge) return false;
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
  if (std::isnan(max_distance_m) || max_distance_m <= 0)
    throw Error(Errc::invalid_argument, "join: maximum distance must be a number of metres > 0");
}

struct CompoundIndex::Impl {
  struct Node {
    Box box;
    bool leaf = false;
    std::vector<std::size_t> children;  // node indices, or compound indices for leaves
  };
  struct Item {
    std::size_t first_edge = 0, n_edges = 0;
    double max_dev = 0;  // largest arc/geodesic separation bound of its edges, radians
    V3 point;            // for a point entry
  };
  const Registry* reg = nullptr;
  std::vector<std::size_t> items;  // compound indices with a geometry
  std::vector<Box> item_boxes;     // by compound index
  std::vector<Item> item_data;     // by compound index
  std::vector<Edge> edges;
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

  // Per-query scratch: exact geodesics from the query point to vertices already evaluated.
  struct VertexMemo {
    std::vector<std::pair<const GeoPoint*, std::pair<double, double>>> v;  // vertex, (distance, azimuth at vertex)
    std::pair<double, double> get(const GeoPoint* q, const GeoPoint& p) {
      for (const auto& [k, val] : v)
        if (k == q) return val;
      double az = 0;
      const double d = inv_dist(q->lat_deg, q->lon_deg, p.lat_deg, p.lon_deg, &az);
      v.push_back({q, {d, az}});
      return {d, az};
    }
  };

  // Exact geodesic distance from p to the edge's geodesic, starting at the fraction t_guess: Newton steps
  // on the along-track position until p is abeam (the azimuth to p perpendicular to the edge). Stops when
  // the step is below 0.01 mm or when its effect on the distance (step^2 / 2d) is below 1 micrometre; at
  // an end whose outward step is clamped the end is the minimum (the distance along a geodesic segment
  // shorter than a quarter meridian has one minimum).
  static double exact_edge(const Edge& e, const GeoPoint& p, double t_guess, VertexMemo& memo) {
    if (e.s12 < 1e-6) return memo.get(e.pa, p).first;
    geod_geodesicline line{};
    bool line_ready = false;
    double s = std::clamp(t_guess, 0.0, 1.0) * e.s12, best = kInf;
    for (int it = 0; it < 30; ++it) {
      double d = 0, az_xp = 0, azi = 0;
      if (s <= 0.0) {
        std::tie(d, az_xp) = memo.get(e.pa, p);
        azi = e.az1;
      } else if (s >= e.s12) {
        std::tie(d, az_xp) = memo.get(e.pb, p);
        azi = e.az2;
      } else {
        if (!line_ready) {
          geod_lineinit(&line, &wgs84(), e.pa->lat_deg, e.pa->lon_deg, e.az1,
                        GEOD_LATITUDE | GEOD_LONGITUDE | GEOD_AZIMUTH | GEOD_DISTANCE_IN);
          line_ready = true;
        }
        double lat = 0, lon = 0;
        geod_position(&line, s, &lat, &lon, &azi);
        d = inv_dist(lat, lon, p.lat_deg, p.lon_deg, &az_xp);
      }
      if (!std::isfinite(d)) break;
      best = std::min(best, d);
      const double next = std::clamp(s + d * std::cos((az_xp - azi) * kDeg), 0.0, e.s12);
      const double step = next - s;
      if (std::fabs(step) < 1e-5 || step * step < 2e-6 * d) break;
      s = next;
    }
    return best;
  }

  // Squared chord (unit sphere) from p to the nearest point of the edge's arc: monotone in the angle,
  // so edges compare without trigonometry; angle = 2 asin(chord / 2).
  static double chord2(const Edge& e, const V3& p) {
    if (!e.degenerate && dot(e.na, p) >= 0 && dot(e.bn, p) >= 0) {
      const double sn = std::min(1.0, std::fabs(dot(e.n, p)));  // sin of the angle to the great circle
      return 2.0 * sn * sn / (1.0 + std::sqrt(1.0 - sn * sn));   // 2 - 2 cos, without cancellation
    }
    const double ax = p.x - e.a.x, ay = p.y - e.a.y, az = p.z - e.a.z;
    const double bx = p.x - e.b.x, by = p.y - e.b.y, bz = p.z - e.b.z;
    return std::min(ax * ax + ay * ay + az * az, bx * bx + by * by + bz * bz);
  }
  static double chord_angle(double c2) { return 2.0 * std::asin(std::min(1.0, 0.5 * std::sqrt(c2))); }

  // Sphere bounds of the distance from p to the outline of an item (metres).
  struct Bounds {
    double lb = kInf, ub = kInf;
  };
  Bounds outline_bounds(const Item& it, const V3& pv) const {
    double c2 = kInf;
    for (std::size_t i = it.first_edge; i < it.first_edge + it.n_edges; ++i) c2 = std::min(c2, chord2(edges[i], pv));
    const double th = chord_angle(c2);
    return {kMinRadius * std::max(0.0, th - it.max_dev), kMaxRadius * (th + it.max_dev)};
  }

  // Exact outline distance, refining only the edges whose lower bound is below the best so far.
  double exact_outline(const Item& it, const GeoPoint& p, const V3& pv) const {
    const Bounds b = outline_bounds(it, pv);
    // Edges that can hold the minimum: angle <= ub / kMinRadius + dev.
    const double th_lim = std::min(std::numbers::pi, b.ub / kMinRadius + it.max_dev);
    const double c_lim = 2.0 * std::sin(0.5 * th_lim);
    const double c2_lim = c_lim * c_lim * (1.0 + 1e-12);
    struct Cand {
      double lb, t;
      const Edge* e;
    };
    thread_local std::vector<Cand> cands;  // per-thread scratch: queries stay allocation-free
    cands.clear();
    for (std::size_t i = it.first_edge; i < it.first_edge + it.n_edges; ++i) {
      const Edge& e = edges[i];
      if (chord2(e, pv) > c2_lim) continue;
      double t = 0;
      const double th = arc_angle(e, pv, t);
      cands.push_back({kMinRadius * std::max(0.0, th - e.dev), t, &e});
    }
    std::sort(cands.begin(), cands.end(), [](const Cand& x, const Cand& y) { return x.lb < y.lb; });
    thread_local VertexMemo memo;
    memo.v.clear();
    double best = kInf;
    for (const auto& c : cands) {
      if (c.lb > std::min(best, b.ub)) break;
      best = std::min(best, exact_edge(*c.e, p, c.t, memo));
    }
    return best;
  }

  // Point in the item's polygons, with a box test first.
  bool contains(std::size_t idx, const GeoPoint& p) const {
    const Box& bx = item_boxes[idx];
    if (p.lat_deg < bx.lat0 || p.lat_deg > bx.lat1) return false;
    const bool lon_in = (p.lon_deg >= bx.lon0 && p.lon_deg <= bx.lon1) ||
                        (p.lon_deg + 360.0 >= bx.lon0 && p.lon_deg + 360.0 <= bx.lon1);
    return lon_in && contains_geom(reg->compounds[idx].geometry, p);
  }
};

CompoundIndex::CompoundIndex(const Registry& reg) : impl_(std::make_unique<Impl>()) {
  impl_->reg = &reg;
  impl_->item_boxes.resize(reg.compounds.size());
  impl_->item_data.resize(reg.compounds.size());
  std::vector<std::pair<Box, std::size_t>> entries;
  for (std::size_t i = 0; i < reg.compounds.size(); ++i) {
    const auto& g = reg.compounds[i].geometry;
    if (g.type == SiteGeometry::Type::none) continue;
    Box box;
    auto& it = impl_->item_data[i];
    it.first_edge = impl_->edges.size();
    if (g.type == SiteGeometry::Type::point) {
      box.add(g.point.lat_deg, g.point.lon_deg);
      it.point = unit(g.point);
    } else {
      double margin_deg = 0;
      for (const auto& poly : g.polygons) {
        const bool wrapped = polygon_wraps(poly);
        for (const auto& ring : poly)
          for (std::size_t k = 0; k < ring.size(); ++k) {
            box.add(ring[k].lat_deg, unwrap(ring[k].lon_deg, wrapped));
            impl_->edges.push_back(make_edge(ring[k], ring[(k + 1) % ring.size()]));
            const Edge& e = impl_->edges.back();
            // a great-circle arc bulges poleward by about arc^2 tan(lat) / 8
            const double tlat = std::tan(std::min(89.0, std::max(std::fabs(ring[k].lat_deg), 1.0)) * kDeg);
            margin_deg = std::max(margin_deg, (e.arc * e.arc * (tlat + 1.0) / 4.0 + e.dev) / kDeg);
          }
      }
      box.lat0 = std::max(-90.0, box.lat0 - margin_deg);
      box.lat1 = std::min(90.0, box.lat1 + margin_deg);
    }
    it.n_edges = impl_->edges.size() - it.first_edge;
    for (std::size_t e = it.first_edge; e < impl_->edges.size(); ++e) it.max_dev = std::max(it.max_dev, impl_->edges[e].dev);
    impl_->items.push_back(i);
    impl_->item_boxes[i] = box;
    entries.emplace_back(box, i);
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
  const Impl& im = *impl_;
  const V3 pv = unit(p);
  const double radius = std::max(opt.within_m, opt.uncertainty_m);
  const auto k = static_cast<std::size_t>(std::max(1, opt.max_results));
  struct Cand {
    std::size_t idx;
    bool inside;
    double lb, ub;         // bounds of the distance (0 inside)
    double exact = -1.0;   // exact distance once refined
  };
  thread_local std::vector<Cand> cands;  // per-thread scratch: queries stay allocation-free
  cands.clear();
  thread_local std::vector<double> kbest;  // the k smallest upper bounds seen (max-heap)
  kbest.clear();
  auto threshold = [&] {
    const double kth = kbest.size() >= k ? kbest.front() : kInf;
    return std::min(opt.max_distance_m, std::max(radius, kth));
  };
  // Best-first traversal on lower bounds.
  using Entry = std::pair<double, std::size_t>;  // key, node index
  thread_local std::vector<Entry> heap;  // min-heap on the key
  heap.clear();
  const auto push = [&](const Entry& e) {
    heap.push_back(e);
    std::push_heap(heap.begin(), heap.end(), std::greater<>{});
  };
  const double cos_lat = std::cos(p.lat_deg * kDeg);
  push({box_lower_bound(p, cos_lat, im.nodes[im.root].box), im.root});
  std::array<std::pair<double, std::size_t>, Impl::kFan> leaf_items{};
  while (!heap.empty() && heap.front().first <= threshold()) {
    const auto [key, node_idx] = heap.front();
    std::pop_heap(heap.begin(), heap.end(), std::greater<>{});
    heap.pop_back();
    const auto& node = im.nodes[node_idx];
    const double t = threshold();  // children beyond it can never be needed
    if (!node.leaf) {
      for (auto ch : node.children) {
        const double lb = box_lower_bound(p, cos_lat, im.nodes[ch].box);
        if (lb <= t) push({lb, ch});
      }
      continue;
    }
    // A leaf: its entries in order of their box bound, each bounded on the sphere.
    std::size_t n = 0;
    for (auto ch : node.children) {
      if (!kind_wanted(opt, im.reg->compounds[ch].kind)) continue;
      const double lb = box_lower_bound(p, cos_lat, im.item_boxes[ch]);
      if (lb <= t) leaf_items[n++] = {lb, ch};
    }
    std::sort(leaf_items.begin(), leaf_items.begin() + static_cast<std::ptrdiff_t>(n));
    for (std::size_t j = 0; j < n; ++j) {
      if (leaf_items[j].first > threshold()) break;
      const std::size_t idx = leaf_items[j].second;
      const auto& c = im.reg->compounds[idx];
      const auto& it = im.item_data[idx];
      Cand cd{idx, false, 0.0, 0.0};
      if (c.geometry.type == SiteGeometry::Type::point) {
        const double th = angle(pv, it.point);
        cd.lb = kMinRadius * th;
        cd.ub = kMaxRadius * th;
      } else {
        cd.inside = im.contains(idx, p);
        if (!cd.inside) {
          const auto b = im.outline_bounds(it, pv);
          cd.lb = b.lb;
          cd.ub = b.ub;
        }
      }
      if (cd.lb > opt.max_distance_m) continue;
      cands.push_back(cd);
      kbest.push_back(cd.ub);
      std::push_heap(kbest.begin(), kbest.end());
      if (kbest.size() > k) {
        std::pop_heap(kbest.begin(), kbest.end());
        kbest.pop_back();
      }
    }
  }
  // Refine in order of lower bound while a candidate can still be within the radius or among the k
  // nearest; the k-th best bound tightens as exact distances come in.
  std::sort(cands.begin(), cands.end(), [](const Cand& a, const Cand& b) { return a.lb < b.lb; });
  thread_local std::vector<double> best;
  auto refined_threshold = [&] {
    double kth = kInf;
    if (k == 1) {
      for (const auto& c : cands) kth = std::min(kth, c.exact >= 0 ? c.exact : c.ub);
      return std::min(opt.max_distance_m, std::max(radius, kth));
    }
    best.clear();
    for (const auto& c : cands) best.push_back(c.exact >= 0 ? c.exact : c.ub);
    if (best.size() >= k) {
      std::nth_element(best.begin(), best.begin() + static_cast<std::ptrdiff_t>(k - 1), best.end());
      kth = best[k - 1];
    }
    return std::min(opt.max_distance_m, std::max(radius, kth));
  };
  for (auto& cd : cands) {
    if (cd.lb > refined_threshold()) break;
    const auto& c = im.reg->compounds[cd.idx];
    const auto& it = im.item_data[cd.idx];
    if (c.geometry.type == SiteGeometry::Type::point) {
      cd.exact = inv_dist(p.lat_deg, p.lon_deg, c.geometry.point.lat_deg, c.geometry.point.lon_deg);
      hits.push_back(hit_of(c, cd.exact, 0.0, false, opt));
      continue;
    }
    double outline = -1.0;
    if (!cd.inside) outline = im.exact_outline(it, p, pv);
    cd.exact = cd.inside ? 0.0 : outline;
    double p_in = cd.inside ? 1.0 : 0.0;
    if (opt.uncertainty_m > 0) {
      if (cd.inside && outline < 0) {
        const auto b = im.outline_bounds(it, pv);
        if (b.lb >= opt.uncertainty_m) outline = b.lb;  // disc wholly inside: p_inside 1 without refining
        else outline = im.exact_outline(it, p, pv);
      }
      p_in = p_inside_of(c.geometry, p, opt.uncertainty_m, cd.inside, outline);
    }
    hits.push_back(hit_of(c, cd.exact, p_in, cd.inside, opt));
  }
  finish(hits, opt);
  return hits;
}

std::vector<JoinHit> join_brute_force(const Registry& reg, const GeoPoint& p, const JoinOptions& opt) {
  validate(p, "join: event position");
  opt.validate();
  std::vector<JoinHit> hits;
  for (const auto& c : reg.compounds)
    if (c.geometry.type != SiteGeometry::Type::none && kind_wanted(opt, c.kind)) hits.push_back(brute_hit(c, p, opt));
  finish(hits, opt);
  return hits;
}

}  // namespace geo::spatial
