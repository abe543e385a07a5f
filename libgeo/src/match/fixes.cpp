// SPDX-License-Identifier: Apache-2.0
// What match_frames returns, and how it reads: each frame's orientation from its footprint, the
// frames of one video checked against each other and combined, why a frame was not found, the JSON.
#include <algorithm>
#include <cmath>

#include "geo/core/geodesy.hpp"
#include "geo/core/text.hpp"
#include "geo/match/match.hpp"
#include "geo/spatial/fix_consistency.hpp"
#include "match/align_util.hpp"
#include "match/match_internal.hpp"
#include "match/tuning.hpp"

namespace geo {

const char* to_string(FixStatus s) noexcept { return s == FixStatus::located ? "located" : "not_found"; }

namespace match_detail {

// Heading and tilt a located frame's footprint (corners top-left, top-right, bottom-right, bottom-left)
// implies. The far edge of a camera tilted t from nadir with vertical field v is wider than the near
// edge by cos(t - v/2) / cos(t + v/2): solved for t by bisection.
void orientation_from_footprint(FrameFix& fx, cv::Size frame, double hfov_deg) {
  if (fx.footprint.size() != 4) return;
  const auto mid = [](const GeoPoint& a, const GeoPoint& b) {
    return GeoPoint{(a.lat_deg + b.lat_deg) / 2, (a.lon_deg + b.lon_deg) / 2};
  };
  const auto& q = fx.footprint;
  const auto up = geodesic_inverse(mid(q[3], q[2]), mid(q[0], q[1]));
  if (up.distance_m <= 0) return;
  fx.heading_deg = std::fmod(up.azimuth1_deg + 360.0, 360.0);
  const double top = geodesic_inverse(q[0], q[1]).distance_m, bottom = geodesic_inverse(q[3], q[2]).distance_m;
  if (top <= 0 || bottom <= 0) return;
  const double ratio = top / bottom;
  const double rad = M_PI / 180.0;
  const double v = 2.0 * std::atan(std::tan(hfov_deg * rad / 2) * frame.height / std::max(1, frame.width)) / rad;
  fx.tilt_hfov_deg = hfov_deg;
  if (ratio <= 1.0) {
    fx.tilt_deg = 0.0;  // nadir (a ratio under 1 is noise of a nadir view, or a frame upside down)
    return;
  }
  auto widening = [&](double t) { return std::cos((t - v / 2) * rad) / std::cos((t + v / 2) * rad); };
  double lo = 0.0, hi = 89.9 - v / 2;
  if (hi <= 0 || widening(hi) < ratio) return;
  for (int i = 0; i < 60; ++i) {
    const double m = (lo + hi) / 2;
    (widening(m) < ratio ? lo : hi) = m;
  }
  fx.tilt_deg = (lo + hi) / 2;
}

// What a not_found frame lacked: across dates a view is located far more often with its scale,
// heading and a search centre (docs/match.md).
std::string missing_priors_hint(const ViewPrior& p) {
  std::vector<std::string> miss;
  if (!p.gsd_m) miss.push_back("scale (--gsd-m, or --altitude-m with --hfov-deg)");
  if (!p.heading_deg) miss.push_back("heading (--heading-deg)");
  if (!p.center_px) miss.push_back("search centre (--near with --radius-m)");
  if (miss.empty()) return "";
  std::string s = "; no ";
  for (size_t i = 0; i < miss.size(); ++i) s += (i ? (i + 1 == miss.size() ? " or " : ", ") : "") + miss[i];
  return s + " was known (with scale, heading and tilt known, 1.4-2 times as many views across dates are located; "
             "docs/match.md)";
}

// Flags located fixes that disagree with the video's others, then takes the median centre of the rest.
// With every located frame's time known, the rule `geoev run` applies (spatial::check_fix_consistency):
// a camera that stayed put, a fix far beyond its error from the others; a camera that moved, a fix it
// could only reach and leave too fast. Without times (pictures given one by one), a fix far from the
// median of its neighbours in the order given.
void combine(MatchResult& r, const std::vector<std::optional<GeoPoint>>& cameras,
             const spatial::FixConsistencyOptions& o) {
  std::vector<int> idx;
  for (int i = 0; i < int(r.frames.size()); ++i)
    if (r.frames[i].status == FixStatus::located) idx.push_back(i);
  r.located = int(idx.size());
  const bool timed = std::all_of(idx.begin(), idx.end(), [&](int i) { return r.frames[i].pts_s.has_value(); });
  if (idx.size() == 2) {
    const auto& a = r.frames[idx[0]];
    const auto& b = r.frames[idx[1]];
    const double d = geodesic_inverse(a.center, b.center).distance_m;
    if (d > std::max(kOutlierMinM, kPairDisagreeErrors * (a.error_m + b.error_m)))
      r.diagnostics.warn("match.inconsistent", "the two located frames are " + std::to_string(int(d)) +
                                                   " m apart; cannot tell which is right");
  } else if (idx.size() >= 3 && timed) {
    std::vector<int> by_time = idx;
    std::stable_sort(by_time.begin(), by_time.end(), [&](int a, int b) { return *r.frames[a].pts_s < *r.frames[b].pts_s; });
    std::vector<spatial::PlacedFix> placed;
    for (int i : by_time) {
      const auto& f = r.frames[i];
      placed.push_back({*f.pts_s, f.center, f.error_m, i < int(cameras.size()) ? cameras[i] : std::nullopt});
    }
    const spatial::FixConsistency c = spatial::check_fix_consistency(placed, o);
    r.camera_moved = c.moving;
    for (std::size_t k = 0; k < by_time.size(); ++k) {
      if (!c.outlier[k]) continue;
      auto& f = r.frames[by_time[k]];
      f.outlier = true;
      f.diagnostics.warn("match.outlier",
                         c.moving ? "the camera moved, and reaching this fix from the frames before it and leaving it for "
                                    "those after would take more than " + std::to_string(int(o.max_speed_mps)) + " m/s"
                                  : "fix is " + format_distance(c.from_median_m[k]) + " from the median of the video's "
                                    "fixes, beyond " + std::to_string(int(o.outlier_sigmas)) +
                                    " times its error; the camera stayed put");
    }
  } else if (idx.size() >= 3) {
    for (int k = 0; k < int(idx.size()); ++k) {
      std::vector<double> lat, lon;
      for (int m = std::max(0, k - kOutlierNeighbours); m <= std::min(int(idx.size()) - 1, k + kOutlierNeighbours); ++m)
        if (m != k) lat.push_back(r.frames[idx[m]].center.lat_deg), lon.push_back(r.frames[idx[m]].center.lon_deg);
      std::nth_element(lat.begin(), lat.begin() + lat.size() / 2, lat.end());
      std::nth_element(lon.begin(), lon.begin() + lon.size() / 2, lon.end());
      const GeoPoint med{lat[lat.size() / 2], lon[lon.size() / 2], {}};
      auto& f = r.frames[idx[k]];
      const double d = geodesic_inverse(f.center, med).distance_m;
      if (d > std::max(kOutlierMinM, kOutlierErrors * f.error_m)) {
        f.outlier = true;
        f.diagnostics.warn("match.outlier", "fix is " + std::to_string(int(d)) +
                                                " m from the median of its neighbouring frames");
      }
    }
  }
  std::vector<double> lat, lon;
  for (int i : idx)
    if (!r.frames[i].outlier) lat.push_back(r.frames[i].center.lat_deg), lon.push_back(r.frames[i].center.lon_deg);
  if (lat.size() >= 2) {
    std::vector<double> la = lat, lo = lon;
    std::nth_element(la.begin(), la.begin() + la.size() / 2, la.end());
    std::nth_element(lo.begin(), lo.begin() + lo.size() / 2, lo.end());
    r.combined_center = GeoPoint{la[la.size() / 2], lo[lo.size() / 2], {}};
    std::vector<double> d;
    for (size_t i = 0; i < lat.size(); ++i)
      d.push_back(geodesic_inverse(*r.combined_center, GeoPoint{lat[i], lon[i], {}}).distance_m);
    std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
    r.combined_spread_m = d[d.size() / 2];
  }
}


}  // namespace match_detail

std::string why_not_found(const FrameFix& f) {
  std::string why = "no candidate passed the verification gates";
  for (const auto& d : f.diagnostics.items())
    if (d.severity != Severity::info || d.code == "match.not_found") {
      why = d.message;
      if (d.severity != Severity::info) break;
    }
  return why;
}

Json to_json(const FrameFix& f) {
  Json j = Json::object();
  j["frame"] = f.frame;
  if (f.pts_s) j["pts_s"] = round_to(*f.pts_s, 6);
  j["status"] = to_string(f.status);
  if (f.status == FixStatus::located) {
    j["center"] = to_json(f.center);
    Json ring = Json::array();
    for (const auto& p : f.footprint) ring.push_back({round_to(p.lon_deg, 7), round_to(p.lat_deg, 7)});
    if (!f.footprint.empty()) ring.push_back({round_to(f.footprint[0].lon_deg, 7), round_to(f.footprint[0].lat_deg, 7)});
    j["footprint"] = {{"type", "Polygon"}, {"coordinates", Json::array({ring})}};
    j["gsd_m"] = round_to(f.gsd_m, 3);
    j["heading_deg"] = f.heading_deg ? Json(round_to(*f.heading_deg, 1)) : Json();
    j["tilt_deg"] = f.tilt_deg ? Json(round_to(*f.tilt_deg, 1)) : Json();
    j["error_m"] = round_to(f.error_m, 1);
    j["outlier"] = f.outlier;
  } else {
    j["center"] = nullptr;
    j["footprint"] = nullptr;
  }
  j["inliers"] = f.inliers;
  j["confidence"] = round_to(f.confidence, 3);
  j["priors"] = f.priors;
  j["method"] = f.method;
  j["gates"] = f.gates;
  j["diagnostics"] = to_json(f.diagnostics);
  return j;
}

Json to_json(const MatchResult& r) {
  Json j = Json::object();
  j["imagery"] = {{"path", r.imagery},
                  {"sha256", r.imagery_sha256},
                  {"acquired", r.imagery_acquired ? Json(*r.imagery_acquired) : Json(nullptr)},
                  {"acquired_source", r.imagery_acquired ? Json(r.imagery_acquired_source) : Json(nullptr)},
                  {"reference_gsd_m", round_to(r.reference_gsd_m, 3)}};
  j["located"] = r.located;
  j["frame_count"] = r.frames.size();
  if (r.combined_center) {
    j["combined"] = {{"center", to_json(*r.combined_center)},
                     {"spread_m", round_to(r.combined_spread_m, 1)},
                     {"camera_moved", r.camera_moved ? Json(*r.camera_moved) : Json(nullptr)}};
  } else {
    j["combined"] = nullptr;
  }
  Json fr = Json::array();
  for (const auto& f : r.frames) fr.push_back(to_json(f));
  j["frames"] = std::move(fr);
  j["diagnostics"] = to_json(r.diagnostics);
  j["provenance"] = r.provenance;
  return j;
}

Json to_geojson(const MatchResult& r) {
  Json feats = Json::array();
  for (const auto& f : r.frames) {
    if (f.status != FixStatus::located) continue;
    Json props = to_json(f);
    Json geom = props["footprint"];
    props.erase("footprint");
    props["imagery_sha256"] = r.imagery_sha256;
    if (r.imagery_acquired) {
      props["imagery_acquired"] = *r.imagery_acquired;
      props["imagery_acquired_source"] = r.imagery_acquired_source;
    }
    feats.push_back({{"type", "Feature"}, {"geometry", geom}, {"properties", props}});
  }
  if (r.combined_center)
    feats.push_back({{"type", "Feature"},
                     {"geometry", {{"type", "Point"}, {"coordinates", {round_to(r.combined_center->lon_deg, 7),
                                                                          round_to(r.combined_center->lat_deg, 7)}}}},
                     {"properties", {{"kind", "combined_center"}, {"spread_m", round_to(r.combined_spread_m, 1)},
                                     {"located_frames", r.located}}}});
  Json not_found = Json::array();
  for (const auto& f : r.frames)
    if (f.status != FixStatus::located) not_found.push_back(f.frame);
  return {{"type", "FeatureCollection"},
          {"features", feats},
          {"not_found", not_found},
          {"imagery", {{"path", r.imagery}, {"sha256", r.imagery_sha256}}},
          {"provenance", r.provenance}};
}

}  // namespace geo
