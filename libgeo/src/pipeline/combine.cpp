// SPDX-License-Identifier: Apache-2.0
#include "geo/pipeline/combine.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <cpl_conv.h>
#include <ogr_api.h>

#include "geo/core/geodesy.hpp"
#include "geo/core/stats.hpp"
#include "geo/core/text.hpp"
#include "geo/spatial/fix_consistency.hpp"

namespace geo::pipeline {
namespace {

// A local east/north plane around `ref`, metres (geodesic distance and azimuth: exact at any scale
// the fixes of one video span).
struct Enu {
  double x = 0, y = 0;
};
Enu to_enu(const GeoPoint& ref, const GeoPoint& p) {
  const auto g = geodesic_inverse(ref, p);
  const double az = g.azimuth1_deg * M_PI / 180.0;
  return {g.distance_m * std::sin(az), g.distance_m * std::cos(az)};
}
GeoPoint from_enu(const GeoPoint& ref, Enu e) {
  const double d = std::hypot(e.x, e.y);
  if (d == 0) return GeoPoint{ref.lat_deg, ref.lon_deg};
  return geodesic_direct(ref, std::atan2(e.x, e.y) * 180.0 / M_PI, d);
}
double distance(const GeoPoint& a, const GeoPoint& b) { return geodesic_inverse(a, b).distance_m; }

std::string metres(double m) { return format_distance(m); }
std::string lat_lon(const GeoPoint& p) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f, %.6f", p.lat_deg, p.lon_deg);
  return buf;
}

}  // namespace

Json to_json(const TrackPoint& p) {
  Json j{{"t_s", std::round(p.t_s * 1000) / 1000}, {"position", to_json(p.point)},
         {"error_m", std::round(p.error_m * 10) / 10}, {"source", p.source}};
  j["utc"] = p.utc ? Json(format_utc(*p.utc, 3)) : Json();
  return j;
}

Combined combine_fixes(const std::vector<FixSample>& given, const CombineOptions& o) {
  Combined c;
  if (given.empty()) return c;
  std::vector<FixSample> f = given;
  std::stable_sort(f.begin(), f.end(), [](const FixSample& a, const FixSample& b) { return a.t_s < b.t_s; });
  const GeoPoint ref = f.front().center;
  std::vector<Enu> p;
  std::vector<double> xs, ys, errs;
  for (const auto& s : f) {
    p.push_back(to_enu(ref, s.center));
    xs.push_back(p.back().x);
    ys.push_back(p.back().y);
    errs.push_back(std::max(s.error_m, 0.5));
  }
  std::vector<spatial::PlacedFix> placed;
  for (const auto& s : f) placed.push_back({s.t_s, s.center, s.error_m, s.camera});
  const spatial::FixConsistency check = spatial::check_fix_consistency(placed, o);
  const bool moving = check.moving;
  const std::vector<bool>& out = check.outlier;
  const std::vector<double>& d = check.from_median_m;
  for (std::size_t i = 0; i < f.size(); ++i)
    if (out[i])
      c.outliers.push_back(f[i].frame + " (at " + lat_lon(f[i].center) + ", " +
                           (moving ? "out of reach of its neighbours in time" : metres(d[i]) + " from the others") +
                           ", beyond its error of " + metres(f[i].error_m) + ")");
  std::vector<std::size_t> in;
  for (std::size_t i = 0; i < f.size(); ++i)
    if (!out[i]) in.push_back(i);
  std::vector<double> conf;
  for (auto i : in) conf.push_back(f[i].confidence);
  c.confidence = median(conf);
  c.fixes_used = static_cast<int>(in.size());
  if (!moving) {
    double wx = 0, wy = 0, ws = 0;
    for (auto i : in) {
      const double w = 1.0 / (errs[i] * errs[i]);
      wx += w * p[i].x;
      wy += w * p[i].y;
      ws += w;
    }
    const Enu m{wx / ws, wy / ws};
    double ss = 0;
    std::vector<double> in_err;
    for (auto i : in) {
      ss += std::pow(p[i].x - m.x, 2) + std::pow(p[i].y - m.y, 2);
      in_err.push_back(errs[i]);
    }
    const double rms = std::sqrt(ss / static_cast<double>(in.size()));
    const double single = median(in_err);
    c.kind = "place";
    c.place = from_enu(ref, m);
    c.error_m = std::max(single, rms);
    if (in.size() > 1)
      c.notes.push_back("error: the larger of the median single-frame error (" + metres(single) +
                        ") and the fixes' scatter (" + metres(rms) + "); the frames share the imagery's own error, so " +
                        std::to_string(in.size()) + " fixes are not " + std::to_string(in.size()) + " independent measurements");
    return c;
  }
  c.kind = "track";
  Enu sum;
  for (auto i : in) {
    TrackPoint t;
    t.t_s = f[i].t_s;
    t.utc = f[i].utc;
    t.point = f[i].center;
    t.error_m = f[i].error_m;
    t.source = "image_match";
    if (!c.track.empty()) c.track_length_m += distance(c.track.back().point, t.point);
    c.track.push_back(t);
    sum.x += p[i].x;
    sum.y += p[i].y;
  }
  const Enu centroid{sum.x / static_cast<double>(in.size()), sum.y / static_cast<double>(in.size())};
  c.place = from_enu(ref, centroid);
  for (const auto& t : c.track) c.error_m = std::max(c.error_m, distance(c.place, t.point) + t.error_m);
  c.notes.push_back("the camera moved " + metres(c.track_length_m) + " along the track; the event's radius covers every fix and its error");
  return c;
}

std::vector<std::vector<FixSample>> split_by_place(const std::vector<FixSample>& given, const CombineOptions& o) {
  std::vector<FixSample> f = given;
  std::stable_sort(f.begin(), f.end(), [](const FixSample& a, const FixSample& b) { return a.t_s < b.t_s; });
  std::vector<std::vector<FixSample>> shots;
  for (const auto& s : f) {
    if (shots.empty() || shots.back().back().shot != s.shot) shots.emplace_back();
    shots.back().push_back(s);
  }
  std::vector<std::vector<FixSample>> groups;
  Combined current;
  double current_end_t = 0;
  for (auto& shot : shots) {
    const Combined c = combine_fixes(shot, o);
    bool apart = false;
    if (!groups.empty() && c.kind != "none" && current.kind != "none") {
      const double d = distance(c.place, current.place);
      const double dt = std::max(shot.front().t_s - current_end_t, 0.5);
      apart = d > current.error_m + c.error_m + 2 * o.static_slack_m && d / dt > o.max_speed_mps;
    }
    if (groups.empty() || apart) {
      groups.push_back(shot);
    } else {
      groups.back().insert(groups.back().end(), shot.begin(), shot.end());
    }
    current = combine_fixes(groups.back(), o);
    current_end_t = shot.back().t_s;
  }
  if (groups.empty()) groups.emplace_back();
  return groups;
}

Combined combine_telemetry(const std::vector<TrackPoint>& camera, const CombineOptions& o) {
  Combined c;
  if (camera.empty()) return c;
  const GeoPoint ref = camera.front().point;
  Enu sum;
  double spread = 0;
  for (const auto& t : camera) {
    const Enu e = to_enu(ref, t.point);
    sum.x += e.x;
    sum.y += e.y;
    spread = std::max(spread, distance(ref, t.point));
  }
  const double n = static_cast<double>(camera.size());
  c.place = from_enu(ref, {sum.x / n, sum.y / n});
  c.fixes_used = static_cast<int>(camera.size());
  c.confidence = 0.8;
  if (spread <= 2 * o.telemetry_error_m + o.static_slack_m) {
    c.kind = "place";
    double ss = 0;
    for (const auto& t : camera) ss += std::pow(distance(c.place, t.point), 2);
    c.error_m = std::max(o.telemetry_error_m, std::sqrt(ss / n));
    c.notes.push_back("the camera's position from its telemetry (GPS error " + metres(o.telemetry_error_m) + " assumed)");
    return c;
  }
  c.kind = "track";
  c.track = camera;
  for (std::size_t i = 1; i < camera.size(); ++i) c.track_length_m += distance(camera[i - 1].point, camera[i].point);
  for (const auto& t : camera) c.error_m = std::max(c.error_m, distance(c.place, t.point) + t.error_m);
  c.notes.push_back("the camera's path from its telemetry: where the camera was, not the ground it filmed");
  return c;
}

Corroboration compare_telemetry(const std::vector<FixSample>& fixes, const std::vector<std::string>& outliers) {
  Corroboration r;
  std::vector<double> dist;
  const FixSample* worst = nullptr;
  double worst_excess = -1e300;
  for (const auto& f : fixes) {
    if (!f.predicted_center) continue;
    const bool is_outlier = std::any_of(outliers.begin(), outliers.end(),
                                        [&](const std::string& o) { return o.rfind(f.frame + " (", 0) == 0; });
    if (is_outlier) continue;
    const double dd = distance(f.center, *f.predicted_center);
    const double tol = f.error_m + f.predicted_tol_m;
    ++r.compared;
    if (dd <= tol) ++r.agreeing;
    dist.push_back(dd);
    if (dd - tol > worst_excess) {
      worst_excess = dd - tol;
      worst = &f;
    }
  }
  if (r.compared == 0) return r;
  r.median_distance_m = median(dist);
  const std::string counts = std::to_string(r.agreeing) + " of " + std::to_string(r.compared) + " frames";
  if (3 * r.agreeing >= 2 * r.compared) {
    r.status = "agree";
    r.statement = "the image fixes corroborate the telemetry: " + counts + " agree within their errors (median " +
                  metres(r.median_distance_m) + " apart)";
  } else {
    r.status = "disagree";
    r.statement = "the telemetry and the image match disagree: only " + counts + " agree within their errors; at " +
                  worst->frame + " the telemetry puts the frame's centre at " + lat_lon(*worst->predicted_center) +
                  ", the imagery at " + lat_lon(worst->center) + ", " +
                  metres(distance(worst->center, *worst->predicted_center)) + " apart";
  }
  return r;
}

Corroboration compare_metadata_gps(const GeoPoint& gps, const std::string& source, const Combined& result,
                                   double view_radius_m, const CombineOptions& o) {
  Corroboration r;
  if (result.kind == "none") return r;
  GeoPoint nearest = result.place;
  double err = result.error_m, best = distance(gps, result.place);
  for (const auto& t : result.track) {
    const double dd = distance(gps, t.point);
    if (dd < best) {
      best = dd;
      nearest = t.point;
      err = t.error_m;
    }
  }
  const double tol = o.metadata_gps_error_m + err + view_radius_m;
  r.compared = 1;
  r.median_distance_m = best;
  if (best <= tol) {
    r.agreeing = 1;
    r.status = "agree";
    r.statement = "the metadata GPS (" + source + ") agrees with the image fixes: " + metres(best) + " apart, within " +
                  metres(tol) + " (its assumed " + metres(o.metadata_gps_error_m) + " error, the fix's error and the view's reach)";
  } else {
    r.status = "disagree";
    r.statement = "the metadata GPS (" + source + ") puts the video at " + lat_lon(gps) + ", the imagery at " + lat_lon(nearest) +
                  ", " + metres(best) + " apart: a GPS tag copied or wrong (common in re-uploaded videos) or a wrong match; check both";
  }
  return r;
}

Json footprints_union(const std::vector<std::vector<GeoPoint>>& footprints) {
  OGRGeometryH multi = OGR_G_CreateGeometry(wkbMultiPolygon);
  for (const auto& fp : footprints) {
    if (fp.size() < 3) continue;
    OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
    for (const auto& p : fp) OGR_G_AddPoint_2D(ring, p.lon_deg, p.lat_deg);
    OGR_G_AddPoint_2D(ring, fp.front().lon_deg, fp.front().lat_deg);
    OGRGeometryH poly = OGR_G_CreateGeometry(wkbPolygon);
    OGR_G_AddGeometryDirectly(poly, ring);
    if (OGR_G_IsValid(poly)) OGR_G_AddGeometryDirectly(multi, poly);
    else OGR_G_DestroyGeometry(poly);
  }
  Json out;
  if (OGR_G_GetGeometryCount(multi) > 0) {
    OGRGeometryH u = OGR_G_UnionCascaded(multi);
    if (u) {
      char* text = OGR_G_ExportToJson(u);
      if (text) {
        out = Json::parse(text, nullptr, false);
        if (out.is_discarded()) out = Json();
        CPLFree(text);
      }
      OGR_G_DestroyGeometry(u);
    }
  }
  OGR_G_DestroyGeometry(multi);
  return out;
}

}  // namespace geo::pipeline
