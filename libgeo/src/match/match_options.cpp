// SPDX-License-Identifier: Apache-2.0
#include "geo/match/match.hpp"

#include <algorithm>
#include <cmath>

#include "geo/core/error.hpp"
#include "geo/core/time.hpp"
#include "match/match_internal.hpp"
#include "match/tuning.hpp"

namespace geo {

using namespace match_detail;

namespace {
// The instant an imagery date stands for: the start (UTC) of a calendar day, or a time with its zone.
UtcTime imagery_time(const std::string& text) {
  try {
    if (text.size() == 10) return parse_iso8601(text + "T00:00:00Z").utc;
    const ParsedTime t = parse_iso8601(text);
    if (t.has_zone) return t.utc;
  } catch (const Error&) {
  }
  throw Error{Errc::invalid_argument, "match: imagery date '" + text +
                                          "' is not a date or a time with its zone: expected YYYY-MM-DD or an "
                                          "ISO 8601 time with Z or +hh:mm"};
}
}  // namespace

void MatchOptions::validate() const {
  auto bad = [](const std::string& m) { throw Error{Errc::invalid_argument, "match: " + m}; };
  spatial::validate(consistency);
  if (near && bbox) bad("give either a centre with a radius or a bbox, not both");
  if (near) {
    geo::validate(*near, "search centre");
    if (!(radius_m > 0)) bad("--near needs a positive --radius-m");
    if (radius_m > 1e6) bad("--radius-m over 1000 km is not a search area");
  } else if (radius_m != 0) {
    bad("--radius-m needs --near");
  }
  if (bbox) bbox->validate("search bbox");
  if (gsd_m && !(*gsd_m > 0 && *gsd_m < 1000)) bad("gsd_m must be in (0, 1000) m");
  if (altitude_m && !(*altitude_m > 0)) bad("altitude_m must be positive");
  if (altitude_m && !gsd_m && !hfov_deg) bad("--altitude-m needs --hfov-deg (or give --gsd-m)");
  if (hfov_deg && !(*hfov_deg > 1 && *hfov_deg < 170)) bad("hfov_deg must be in (1, 170)");
  if (tilt_deg && !(*tilt_deg >= 0 && *tilt_deg <= kMaxTiltDeg))
    bad("tilt_deg " + std::to_string(*tilt_deg) + " is outside [0, 45] degrees: the search cannot confirm a steeper view");
  if (heading_deg && !(std::abs(*heading_deg) <= 360)) bad("heading_deg must be within [-360, 360] degrees");
  if (ref_gsd_m < 0) bad("ref_gsd_m must be >= 0");
  if (imagery_date) {
    const UtcTime t = imagery_time(*imagery_date);  // throws on a malformed or impossible date
    if (t.unix_us > now_utc().unix_us + 86'400'000'000LL) bad("imagery date " + *imagery_date + " is in the future");
  }
  align.validate();
}

Json MatchOptions::to_json() const {
  Json j = Json::object();
  if (near) j["near"] = geo::to_json(*near), j["radius_m"] = radius_m;
  if (bbox) j["bbox"] = geo::to_json(*bbox);
  auto opt = [&](const char* k, const std::optional<double>& v) {
    if (v) j[k] = *v;
  };
  opt("heading_deg", heading_deg);
  opt("altitude_m", altitude_m);
  opt("hfov_deg", hfov_deg);
  opt("gsd_m", gsd_m);
  opt("tilt_deg", tilt_deg);
  if (imagery_date) j["imagery_date"] = *imagery_date;
  if (!assume_crs.empty()) j["assume_crs"] = assume_crs;
  j["heading_tol_deg"] = heading_tol_deg;
  j["gsd_tol"] = gsd_tol;
  j["ref_gsd_m"] = ref_gsd_m;
  j["detector"] = to_string(align.detector);
  j["dense"] = align.dense;
  j["dense_without_priors"] = align.dense_without_priors;
  j["gsd_range_m"] = Json::array({align.min_gsd_m, align.max_gsd_m});
  j["retrieval"] = align.retrieval;
  j["consistency"] = spatial::to_json(consistency);
  return j;
}

std::vector<FrameRef> frames_from_json(const std::filesystem::path& frames_json) {
  const Json j = read_json_file(frames_json);
  const std::string where = "match: " + frames_json.string();
  if (!j.is_object() || !j.contains("frames") || !j["frames"].is_array())
    throw Error{Errc::corrupt_data, where + ": not a frames.json (no \"frames\" array)"};
  std::vector<FrameRef> out;
  for (const auto& f : j["frames"]) {
    if (!f.is_object() || !f.contains("file") || !f["file"].is_string())
      throw Error{Errc::corrupt_data, where + ": a frame entry has no \"file\""};
    FrameRef r;
    std::filesystem::path p = f["file"].get<std::string>();
    if (p.is_relative()) p = frames_json.parent_path() / p;
    r.path = p.string();
    if (f.contains("pts_s") && f["pts_s"].is_number()) r.pts_s = f["pts_s"].get<double>();
    if (f.contains("camera") && f["camera"].is_object()) {
      const Json& c = f["camera"];
      auto num = [&](const char* k) -> std::optional<double> {
        if (c.contains(k) && c[k].is_number()) return c[k].get<double>();
        return std::nullopt;
      };
      const auto lat = num("lat_deg"), lon = num("lon_deg");
      if (lat && lon && std::abs(*lat) <= 90 && std::abs(*lon) <= 180) {
        CameraPrior cam;
        cam.position = GeoPoint{*lat, *lon, {}};
        cam.rel_alt_m = num("rel_alt_m");
        cam.heading_deg = num("heading_deg");
        cam.tilt_deg = num("tilt_deg");
        cam.hfov_deg = num("hfov_deg");
        if (c.contains("source") && c["source"].is_string()) cam.source = c["source"].get<std::string>();
        r.camera = cam;
      }
    }
    out.push_back(std::move(r));
  }
  if (out.empty()) throw Error{Errc::invalid_argument, where + ": frames.json lists no frames"};
  return out;
}

MatchOptions frame_options(const MatchOptions& opts, const FrameRef& frame, std::vector<std::string>* from_telemetry) {
  MatchOptions o = opts;
  if (!frame.camera) return o;
  const CameraPrior& c = *frame.camera;
  auto took = [&](const char* what) {
    if (from_telemetry) from_telemetry->push_back(what);
  };
  // A tilt at or beyond kTelemetryHorizonTiltDeg looks at the horizon: no use for the reach either. A
  // prior is a tilt the search can confirm.
  const bool tilt_ok = c.tilt_deg && *c.tilt_deg >= 0 && *c.tilt_deg < kTelemetryHorizonTiltDeg;
  if (!o.tilt_deg && tilt_ok && *c.tilt_deg <= kMaxTiltDeg) o.tilt_deg = c.tilt_deg, took("tilt_deg");
  if (!o.heading_deg && c.heading_deg) o.heading_deg = c.heading_deg, took("heading_deg");
  if (!o.gsd_m && !o.altitude_m && c.rel_alt_m && *c.rel_alt_m > kTelemetryMinRelAltM) {
    o.altitude_m = c.rel_alt_m;
    took("altitude_m");
    o.gsd_tol = std::max(o.gsd_tol, kTelemetryMinGsdTol);
    if (!o.hfov_deg && c.hfov_deg) o.hfov_deg = c.hfov_deg, took("hfov_deg");
    if (!o.hfov_deg) o.altitude_m.reset();  // no scale without a field of view
  }
  if (!o.near && !o.bbox) {
    o.near = c.position;
    const double reach = (c.rel_alt_m && tilt_ok) ? std::max(0.0, *c.rel_alt_m) *
                                                        std::tan(std::min(*c.tilt_deg, kTelemetryReachMaxTiltDeg) * M_PI / 180)
                                                  : kTelemetryReachUnknownM;
    o.radius_m = kTelemetryRadiusM + reach;
    took("near");
  }
  return o;
}

namespace match_detail {

ViewPrior view_prior(const MatchOptions& fo, cv::Size frame, const GeoImage& ref) {
  ViewPrior p;
  if (fo.gsd_m) {
    p.gsd_m = fo.gsd_m;
  } else if (fo.altitude_m && fo.hfov_deg) {  // ground metres per frame pixel at the centre
    const double f = (frame.width / 2.0) / std::tan(*fo.hfov_deg * M_PI / 360.0);
    const double t = fo.tilt_deg.value_or(0.0) * M_PI / 180.0;
    p.gsd_m = *fo.altitude_m / (std::cos(t) * f);
  }
  p.gsd_tol = fo.gsd_tol;
  p.heading_deg = fo.heading_deg;
  p.heading_tol_deg = fo.heading_tol_deg;
  p.tilt_deg = fo.tilt_deg;
  if (fo.hfov_deg) p.hfov_deg = *fo.hfov_deg;
  if (fo.near) {
    p.center_px = ref.pixel_from_lat_lon(*fo.near);
    p.radius_px = fo.radius_m / ref.gsd_m;
  }
  return p;
}

Json priors_json(const ViewPrior& p, const MatchOptions& fo, const std::vector<std::string>& from_telemetry) {
  Json j = Json::object();
  if (p.gsd_m) j["gsd_m"] = round_to(*p.gsd_m, 4), j["gsd_tol"] = p.gsd_tol;
  if (p.heading_deg) j["heading_deg"] = round_to(*p.heading_deg, 2), j["heading_tol_deg"] = p.heading_tol_deg;
  if (p.tilt_deg) j["tilt_deg"] = round_to(*p.tilt_deg, 2);
  if (fo.near) j["near"] = to_json(*fo.near), j["radius_m"] = round_to(fo.radius_m, 1);
  j["from_telemetry"] = from_telemetry;
  return j;
}

}  // namespace match_detail

}  // namespace geo
