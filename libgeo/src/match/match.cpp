// SPDX-License-Identifier: Apache-2.0
#include "geo/match/match.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/time.hpp"
#include "geo/media/image_file.hpp"
#include "match/align_util.hpp"
#include "match/index_cache.hpp"

namespace geo {

using match_detail::apply;

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
  if (tilt_deg && !(*tilt_deg >= 0 && *tilt_deg < 80)) bad("tilt_deg must be in [0, 80)");
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
  // A tilt at or beyond 80 degrees looks at the horizon: no use as a prior for matching.
  const bool tilt_ok = c.tilt_deg && *c.tilt_deg >= 0 && *c.tilt_deg < 80;
  if (!o.tilt_deg && tilt_ok) o.tilt_deg = c.tilt_deg, took("tilt_deg");
  if (!o.heading_deg && c.heading_deg) o.heading_deg = c.heading_deg, took("heading_deg");
  if (!o.gsd_m && !o.altitude_m && c.rel_alt_m && *c.rel_alt_m > 1) {
    o.altitude_m = c.rel_alt_m;
    took("altitude_m");
    o.gsd_tol = std::max(o.gsd_tol, 0.2);
    if (!o.hfov_deg && c.hfov_deg) o.hfov_deg = c.hfov_deg, took("hfov_deg");
    if (!o.hfov_deg) o.altitude_m.reset();  // no scale without a field of view
  }
  if (!o.near && !o.bbox) {
    o.near = c.position;
    const double reach = (c.rel_alt_m && tilt_ok) ? std::max(0.0, *c.rel_alt_m) * std::tan(std::min(*c.tilt_deg, 75.0) * M_PI / 180)
                                                  : 1000.0;
    o.radius_m = 500.0 + reach;
    took("near");
  }
  return o;
}

namespace {

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
// heading and a search centre (bench 2020 views, seeds 2 and 3: on 2009 imagery 23 % with none of
// them and 72 % with all three, on 2014 imagery 40 % and 85 %; docs/match.md).
std::string missing_priors_hint(const ViewPrior& p) {
  std::vector<std::string> miss;
  if (!p.gsd_m) miss.push_back("scale (--gsd-m, or --altitude-m with --hfov-deg)");
  if (!p.heading_deg) miss.push_back("heading (--heading-deg)");
  if (!p.center_px) miss.push_back("search centre (--near with --radius-m)");
  if (miss.empty()) return "";
  std::string s = "; no ";
  for (size_t i = 0; i < miss.size(); ++i) s += (i ? (i + 1 == miss.size() ? " or " : ", ") : "") + miss[i];
  return s + " was known (with scale, heading and centre known, 2-3 times as many views across dates are located; "
             "docs/match.md)";
}

bool boxes_intersect(const GeoBox& a, const GeoBox& b) {
  return a.min_lon_deg < b.max_lon_deg && b.min_lon_deg < a.max_lon_deg && a.min_lat_deg < b.max_lat_deg &&
         b.min_lat_deg < a.max_lat_deg;
}

GeoBox box_around(const GeoPoint& c, double r_m) {
  const GeoPoint n = geodesic_direct(c, 0, r_m), s = geodesic_direct(c, 180, r_m);
  const GeoPoint e = geodesic_direct(c, 90, r_m), w = geodesic_direct(c, 270, r_m);
  return {w.lon_deg, s.lat_deg, e.lon_deg, n.lat_deg};
}

// Ground metres per frame pixel at the centre implied by the priors (nullopt when unknown).
std::optional<double> prior_gsd(const MatchOptions& o, int frame_width) {
  if (o.gsd_m) return o.gsd_m;
  if (o.altitude_m && o.hfov_deg) {
    const double f = (frame_width / 2.0) / std::tan(*o.hfov_deg * M_PI / 360.0);
    const double t = o.tilt_deg.value_or(0.0) * M_PI / 180.0;
    return *o.altitude_m / (std::cos(t) * f);
  }
  return std::nullopt;
}

void write_overlay(const std::filesystem::path& file, const cv::Mat& frame, const GeoImage& ref,
                   const Alignment& a, bool located) {
  const cv::Size fs = frame.size();
  std::vector<cv::Point2d> q;
  for (cv::Point2d c : {cv::Point2d(0, 0), cv::Point2d(fs.width, 0), cv::Point2d(fs.width, fs.height),
                        cv::Point2d(0, fs.height)})
    q.push_back(apply(a.ref_from_frame, c));
  cv::Rect2d bb = cv::boundingRect(std::vector<cv::Point2f>(q.begin(), q.end()));
  const double mg = 0.25 * std::max(bb.width, bb.height) + 20;
  cv::Rect roi(int(bb.x - mg), int(bb.y - mg), int(bb.width + 2 * mg), int(bb.height + 2 * mg));
  roi &= cv::Rect(0, 0, ref.image.cols, ref.image.rows);
  if (!located || roi.width < 8 || roi.height < 8) roi = cv::Rect(0, 0, ref.image.cols, ref.image.rows);
  cv::Mat left;
  cv::Mat src = ref.image(roi);
  if (src.channels() == 1) cv::cvtColor(src, left, cv::COLOR_GRAY2BGR);
  else left = src.clone();
  const int H = 720;
  const double kl = double(H) / left.rows, kr = double(H) / fs.height;
  cv::resize(left, left, cv::Size(std::max(1, int(left.cols * kl)), H));
  cv::Mat right;
  cv::Mat fr = frame.channels() == 1 ? cv::Mat() : frame;
  if (frame.channels() == 1) cv::cvtColor(frame, fr, cv::COLOR_GRAY2BGR);
  cv::resize(fr, right, cv::Size(std::max(1, int(fs.width * kr)), H));
  // When located, a third panel: the frame warped onto the reference crop's grid by the fix, so that a
  // reader can compare it with the imagery beside it at the same place, scale and orientation.
  cv::Mat warped;
  if (located) {
    const cv::Matx33d left_from_frame = cv::Matx33d(kl, 0, -roi.x * kl, 0, kl, -roi.y * kl, 0, 0, 1) * a.ref_from_frame;
    cv::warpPerspective(fr, warped, cv::Mat(left_from_frame), left.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                        cv::Scalar(40, 40, 40));
  }
  cv::Mat canvas(H, left.cols + right.cols + warped.cols, CV_8UC3);
  left.copyTo(canvas(cv::Rect(0, 0, left.cols, H)));
  right.copyTo(canvas(cv::Rect(left.cols, 0, right.cols, H)));
  if (!warped.empty()) warped.copyTo(canvas(cv::Rect(left.cols + right.cols, 0, warped.cols, H)));
  auto to_left = [&](cv::Point2d p) { return cv::Point(int((p.x - roi.x) * kl), int((p.y - roi.y) * kl)); };
  if (located) {
    std::vector<cv::Point> poly;
    for (const auto& p : q) poly.push_back(to_left(p));
    cv::polylines(canvas, poly, true, cv::Scalar(0, 255, 255), 2);
    cv::line(canvas, poly[0], poly[1], cv::Scalar(0, 0, 255), 3);  // the frame's top edge
    std::vector<cv::Point> poly3;
    for (const auto& p : poly) poly3.push_back(p + cv::Point(left.cols + right.cols, 0));
    cv::polylines(canvas, poly3, true, cv::Scalar(0, 255, 255), 1);
    // At most about 60 lines, spread over all the inliers (detectors return keypoints sorted by
    // position, so the first 60 would all lie along the frame's left edge).
    const size_t stride = std::max<size_t>(1, (a.inlier_pairs.size() + 59) / 60);
    for (size_t i = 0; i < a.inlier_pairs.size(); i += stride) {
      const auto& pr = a.inlier_pairs[i];
      cv::line(canvas, to_left(pr.second),
               cv::Point(left.cols + int(pr.first.x * kr), int(pr.first.y * kr)), cv::Scalar(0, 255, 0), 1, cv::LINE_AA);
    }
  }
  const std::string label = located ? "located (" + a.method + ", confidence " +
                                          std::to_string(int(std::lround(a.confidence * 100))) + "%)"
                                    : "not found";
  cv::putText(canvas, label, {10, 30}, cv::FONT_HERSHEY_SIMPLEX, 0.9, cv::Scalar(0, 0, 0), 4);
  cv::putText(canvas, label, {10, 30}, cv::FONT_HERSHEY_SIMPLEX, 0.9, cv::Scalar(255, 255, 255), 2);
  if (!cv::imwrite(file.string(), canvas))
    throw Error{Errc::io, "match.overlay: " + file.string() + ": cannot write"};
}

// Why a frame cannot be matched at all ("" when it can): unreadable, smaller than 64 px, or blank.
std::string unusable_frame(const cv::Mat& img, const std::string& path) {
  if (img.empty()) return std::filesystem::exists(path) ? "cannot read the frame as an image" : "no such file";
  if (img.cols < 64 || img.rows < 64) return "frame is smaller than 64 pixels";
  cv::Mat g;
  cv::cvtColor(img, g, cv::COLOR_BGR2GRAY);
  cv::Scalar m, sd;
  cv::meanStdDev(g, m, sd);
  return sd[0] < 2.0 ? "frame is blank or a single colour" : "";
}

// Flags fixes far from their neighbours in frame order (a video is filmed from one place or along one
// path), then takes the median centre of the others.
void combine(MatchResult& r) {
  std::vector<int> idx;
  for (int i = 0; i < int(r.frames.size()); ++i)
    if (r.frames[i].status == "located") idx.push_back(i);
  r.located = int(idx.size());
  if (idx.size() < 3) {
    if (idx.size() == 2) {
      const auto& a = r.frames[idx[0]];
      const auto& b = r.frames[idx[1]];
      const double d = geodesic_inverse(a.center, b.center).distance_m;
      if (d > std::max(50.0, 4 * (a.error_m + b.error_m)))
        r.diagnostics.warn("match.inconsistent", "the two located frames are " + std::to_string(int(d)) +
                                                     " m apart; cannot tell which is right");
    }
  } else {
    for (int k = 0; k < int(idx.size()); ++k) {
      std::vector<double> lat, lon;
      for (int m = std::max(0, k - 3); m <= std::min(int(idx.size()) - 1, k + 3); ++m)
        if (m != k) lat.push_back(r.frames[idx[m]].center.lat_deg), lon.push_back(r.frames[idx[m]].center.lon_deg);
      std::nth_element(lat.begin(), lat.begin() + lat.size() / 2, lat.end());
      std::nth_element(lon.begin(), lon.begin() + lon.size() / 2, lon.end());
      const GeoPoint med{lat[lat.size() / 2], lon[lon.size() / 2], {}};
      auto& f = r.frames[idx[k]];
      const double d = geodesic_inverse(f.center, med).distance_m;
      if (d > std::max(50.0, 5 * f.error_m)) {
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

}  // namespace

MatchResult match_frames(const std::vector<FrameRef>& frames, const std::string& imagery, const MatchOptions& opts,
                         const ProgressFn& progress) {
  opts.validate();
  if (frames.empty()) throw Error{Errc::invalid_argument, "match: no frames given"};
  MatchResult r;
  r.imagery = imagery;
  OpenOptions oo;
  oo.assume_crs = opts.assume_crs;
  Raster raster = Raster::open(imagery, oo);
  const RasterInfo& info = raster.info();
  r.imagery_sha256 = info.sha256;
  r.imagery_acquired = info.acquired;
  if (info.acquired) r.imagery_acquired_source = "metadata:" + info.acquired_key;
  if (opts.imagery_date) {
    // Different calendar days (a metadata time may carry a clock; the analyst's date may not).
    if (info.acquired && info.acquired->substr(0, 10) != opts.imagery_date->substr(0, 10))
      r.diagnostics.warn("imagery.date_disagrees", "--imagery-date " + *opts.imagery_date +
                                                       " differs from the date in the imagery's metadata (" +
                                                       *info.acquired + ", " + info.acquired_key + "); using the given date",
                         imagery);
    r.imagery_acquired = *opts.imagery_date;
    r.imagery_acquired_source = "analyst:--imagery-date";
  }
  // The reference window: the search area plus room for a footprint that sticks out of it.
  const double ref_gsd = opts.ref_gsd_m > 0 ? opts.ref_gsd_m : std::max(0.5, info.gsd_m);
  const double margin_m = 700.0;
  WindowRequest req;
  req.gsd_m = ref_gsd;
  req.bands = BandSelection::automatic;
  GeoBox area = info.bbox_wgs84;
  // Per-frame priors: the options, completed by each frame's telemetry camera state.
  std::vector<MatchOptions> per(frames.size());
  std::vector<std::vector<std::string>> from_tel(frames.size());
  bool all_near = true;
  std::optional<GeoBox> tel_area;
  for (size_t i = 0; i < frames.size(); ++i) {
    per[i] = frame_options(opts, frames[i], &from_tel[i]);
    if (!per[i].near) {
      all_near = false;
      continue;
    }
    const GeoBox b = box_around(*per[i].near, per[i].radius_m);
    if (!tel_area) tel_area = b;
    else
      tel_area = GeoBox{std::min(tel_area->min_lon_deg, b.min_lon_deg), std::min(tel_area->min_lat_deg, b.min_lat_deg),
                        std::max(tel_area->max_lon_deg, b.max_lon_deg), std::max(tel_area->max_lat_deg, b.max_lat_deg)};
  }
  auto grown_clipped = [&](const GeoBox& b) {
    const GeoBox grow = box_around(b.center(), margin_m);
    const double dlat = (grow.max_lat_deg - grow.min_lat_deg) / 2, dlon = (grow.max_lon_deg - grow.min_lon_deg) / 2;
    return GeoBox{std::max(b.min_lon_deg - dlon, area.min_lon_deg), std::max(b.min_lat_deg - dlat, area.min_lat_deg),
                  std::min(b.max_lon_deg + dlon, area.max_lon_deg), std::min(b.max_lat_deg + dlat, area.max_lat_deg)};
  };
  if (opts.near) {
    const GeoBox want = box_around(*opts.near, opts.radius_m);
    if (!boxes_intersect(want, info.bbox_wgs84))
      throw Error{Errc::invalid_argument, "match: search area (" + std::to_string(opts.radius_m) +
                                              " m around the given centre) does not intersect the imagery " + imagery};
    const GeoBox& im = info.bbox_wgs84;
    if (want.min_lon_deg >= im.min_lon_deg && want.max_lon_deg <= im.max_lon_deg && want.min_lat_deg >= im.min_lat_deg &&
        want.max_lat_deg <= im.max_lat_deg) {
      req.center = *opts.near;
      req.radius_m = opts.radius_m + margin_m;
    } else {
      // A circle wider than the imagery (a rough location against one scene): only the part with
      // imagery is read; the search still keeps to the circle.
      req.bbox = grown_clipped(want);
    }
  } else if (opts.bbox) {
    if (!boxes_intersect(*opts.bbox, info.bbox_wgs84))
      throw Error{Errc::invalid_argument, "match: search bbox does not intersect the imagery " + imagery};
    req.bbox = grown_clipped(*opts.bbox);
  } else if (all_near && tel_area) {
    if (!boxes_intersect(*tel_area, info.bbox_wgs84))
      throw Error{Errc::invalid_argument, "match: the telemetry positions in frames.json (and the ground their camera can "
                                          "see) do not intersect the imagery " + imagery};
    req.bbox = grown_clipped(*tel_area);
  } else {
    req.bbox = area;
  }
  AlignOptions ao = opts.align;
  // Every frame has a search centre: keypoints are matched around it, the tile ranking would never be
  // asked (and costs about a second to build over a 5 km reference).
  if (opts.near || all_near) ao.retrieval = false;
  // What the reference and its keypoint index depend on: the cache key.
  Json key = {{"format", 1},
              {"imagery_sha256", info.sha256},
              {"gsd_m", req.gsd_m},
              {"center", req.center ? to_json(*req.center) : Json(nullptr)},
              {"radius_m", req.radius_m},
              {"bbox", req.bbox ? to_json(*req.bbox) : Json(nullptr)},
              {"detector", to_string(ao.detector)},
              {"index_gsd_m", ao.index_gsd_m},
              {"retrieval_footprint_m", ao.retrieval ? Json(ao.retrieval_footprint_m) : Json(nullptr)}};
  std::optional<match_detail::CachedReference> cached;
  std::filesystem::path entry;
  if (!opts.index_dir.empty()) {
    entry = match_detail::cache_entry(opts.index_dir, key);
    AlignOptions co = ao;
    co.index_gsd_m = std::max(co.index_gsd_m, req.gsd_m);
    cached = match_detail::load_cached(entry, key, co, r.diagnostics);
  }
  report(progress, 0.0, "reading imagery");
  const GeoImage ref = cached ? std::move(cached->image) : [&] {
    try {
      return raster.read_window(req);
    } catch (const Error& e) {
      // The reader's own advice names its parameter; say what to do on the command line.
      std::string msg = e.what();
      const auto at = msg.find(" (raise gsd_m)");
      if (msg.find("max_pixels") == std::string::npos || at == std::string::npos) throw;
      msg.erase(at);
      throw Error{Errc::invalid_argument, msg + ": the search area is too large to read at " +
                                              [&] {
                                                char b[32];
                                                std::snprintf(b, sizeof b, "%.2f", req.gsd_m);
                                                return std::string(b);
                                              }() +
                                              " m/px; narrow it (--near with --radius-m, or --bbox) or coarsen "
                                              "the reference (--ref-gsd-m)"};
    }
  }();
  r.reference_gsd_m = ref.gsd_m;
  r.diagnostics.append(ref.diagnostics);
  if (ref.valid_fraction() < 0.01)
    throw Error{Errc::invalid_argument, "match: the search area holds no imagery data in " + imagery};
  report(progress, 0.0, "indexing reference");
  ao.index_gsd_m = std::max(ao.index_gsd_m, ref.gsd_m);
  const ReferenceIndex index = cached ? std::move(cached->index) : ReferenceIndex::build(ref.image, ref.valid, ref.gsd_m, ao);
  if (!cached && !entry.empty()) match_detail::store_cached(entry, key, ref, index, r.diagnostics);

  std::unique_ptr<AtomicDir> overlay;
  if (!opts.overlay_dir.empty()) overlay = std::make_unique<AtomicDir>(opts.overlay_dir);

  std::string first_problem;
  int hopeless = 0;
  std::vector<InputRef> frame_refs;  // each frame file read, hashed as read
  for (size_t i = 0; i < frames.size(); ++i) {
    report(progress, double(i) / frames.size(), "matching");
    FrameFix fx;
    fx.frame = frames[i].path;
    fx.pts_s = frames[i].pts_s;
    // The file is read once: the bytes hashed into the provenance are the bytes checked and decoded.
    // The decoder fills what a truncated file lacks with grey, without a word: such a frame is not
    // the picture, so it is not matched (nor decoded). imdecode applies the EXIF orientation as
    // imread does (OpenCV 4.6).
    // Nothing reaches the decoder that it could choke on or blow up in memory with: a FIFO or device
    // (refused unopened), an empty file, a picture whose header size is over kMaxImagePixels.
    std::string incomplete, refused;
    cv::Mat img;
    if (std::filesystem::exists(frames[i].path)) {
      try {
        const std::vector<unsigned char> bytes = read_file_bytes(frames[i].path);
        frame_refs.push_back({frames[i].path,
                              sha256_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())),
                              std::uint64_t(bytes.size())});
        incomplete = image_bytes_incomplete(bytes);
        if (incomplete.empty()) refused = image_bytes_undecodable(bytes);
        if (incomplete.empty() && refused.empty()) img = cv::imdecode(bytes, cv::IMREAD_COLOR);
      } catch (const Error& e) {
        refused = e.what();
      } catch (const cv::Exception& e) {
        refused = "OpenCV cannot decode it (" + e.err + ")";
      }
    }
    const std::string problem = incomplete.empty() ? refused : incomplete;
    // A frame that cannot be matched at all; when every frame is hopeless nothing can be done.
    if (const std::string why = problem.empty() ? unusable_frame(img, frames[i].path) : problem; !why.empty()) {
      if (first_problem.empty()) first_problem = frames[i].path + ": " + why;
      ++hopeless;
    }
    if (img.empty()) {
      if (!incomplete.empty()) fx.diagnostics.error("frame.truncated", incomplete + "; not matched", frames[i].path);
      else if (!refused.empty()) fx.diagnostics.error("frame.refused", refused + "; not matched", frames[i].path);
      else fx.diagnostics.error("frame.unreadable", "cannot read the frame as an image", frames[i].path);
      r.frames.push_back(std::move(fx));
      continue;
    }
    const MatchOptions& fo = per[i];
    ViewPrior p;
    p.gsd_m = prior_gsd(fo, img.cols);
    p.gsd_tol = fo.gsd_tol;
    p.heading_deg = fo.heading_deg;
    p.heading_tol_deg = fo.heading_tol_deg;
    p.tilt_deg = fo.tilt_deg;
    if (fo.hfov_deg) p.hfov_deg = *fo.hfov_deg;
    if (fo.near) {
      const cv::Point2d c = ref.pixel_from_lat_lon(*fo.near);
      p.center_px = c;
      p.radius_px = fo.radius_m / ref.gsd_m;
    }
    fx.priors = Json::object();
    if (p.gsd_m) fx.priors["gsd_m"] = round_to(*p.gsd_m, 4), fx.priors["gsd_tol"] = p.gsd_tol;
    if (p.heading_deg) fx.priors["heading_deg"] = round_to(*p.heading_deg, 2), fx.priors["heading_tol_deg"] = p.heading_tol_deg;
    if (p.tilt_deg) fx.priors["tilt_deg"] = round_to(*p.tilt_deg, 2);
    if (fo.near) fx.priors["near"] = to_json(*fo.near), fx.priors["radius_m"] = round_to(fo.radius_m, 1);
    fx.priors["from_telemetry"] = from_tel[i];
    if (!from_tel[i].empty())
      fx.diagnostics.info("match.priors_from_telemetry", "priors taken from the frame's telemetry (" +
                                                           frames[i].camera->source + "): " + [&] {
                                                             std::string s;
                                                             for (const auto& x : from_tel[i]) s += (s.empty() ? "" : ", ") + x;
                                                             return s;
                                                           }());
    const Alignment a = align_frame(img, index, p, ao);
    fx.diagnostics.append(a.diagnostics);
    fx.gates = to_json(a);
    fx.method = a.method;
    fx.inliers = a.inliers;
    fx.confidence = a.found ? a.confidence : std::min(a.confidence, ao.min_confidence);
    if (a.found) {
      fx.status = "located";
      const cv::Point2d c = apply(a.ref_from_frame, {img.cols / 2.0, img.rows / 2.0});
      fx.center = ref.lat_lon_from_pixel(c.x, c.y);
      for (cv::Point2d q : {cv::Point2d(0, 0), cv::Point2d(img.cols, 0), cv::Point2d(img.cols, img.rows),
                            cv::Point2d(0, img.rows)}) {
        const cv::Point2d m = apply(a.ref_from_frame, q);
        fx.footprint.push_back(ref.lat_lon_from_pixel(m.x, m.y));
      }
      fx.error_m = a.error_m;
      fx.gsd_m = a.frame_gsd_m;
      orientation_from_footprint(fx, img.size(), opts.hfov_deg.value_or(70.0));
    } else {
      fx.confidence = 0.0;
      if (!fx.diagnostics.has("frame.too_small") && !fx.diagnostics.has("frame.uniform"))
        fx.diagnostics.info("match.not_found", "no candidate passed the verification gates" + missing_priors_hint(p));
    }
    if (overlay) {
      const std::string name = std::to_string(i) + "_" + std::filesystem::path(frames[i].path).stem().string() + ".png";
      if (opts.draw_overlay) opts.draw_overlay(OverlayRequest{fx, img, r, overlay->temp_dir() / name});
      else write_overlay(overlay->temp_dir() / name, img, ref, a, a.found);
    }
    r.frames.push_back(std::move(fx));
  }
  if (hopeless == int(frames.size()))
    throw Error{Errc::invalid_argument, "match: " + first_problem +
                                            (frames.size() > 1 ? " (and every other frame is unusable too)" : "")};
  combine(r);
  std::vector<InputRef> inputs = std::move(frame_refs);
  InputRef img_ref{imagery, info.sha256, {}};
  inputs.push_back(img_ref);
  r.provenance = to_json(make_provenance("match", opts.to_json(), inputs));
  if (opts.before_commit) opts.before_commit(r);
  if (overlay) overlay->commit();
  report(progress, 1.0, "matching");
  return r;
}

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
  j["status"] = f.status;
  if (f.status == "located") {
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
    j["combined"] = {{"center", to_json(*r.combined_center)}, {"spread_m", round_to(r.combined_spread_m, 1)}};
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
    if (f.status != "located") continue;
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
    if (f.status != "located") not_found.push_back(f.frame);
  return {{"type", "FeatureCollection"},
          {"features", feats},
          {"not_found", not_found},
          {"imagery", {{"path", r.imagery}, {"sha256", r.imagery_sha256}}},
          {"provenance", r.provenance}};
}

}  // namespace geo
