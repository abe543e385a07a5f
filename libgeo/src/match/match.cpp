// SPDX-License-Identifier: Apache-2.0
// match_frames: the reference read (or taken from the cache) and indexed once, every frame read,
// checked and aligned, the results combined. The priors of a frame are in match_options.cpp, the
// results in fixes.cpp.
#include "geo/match/match.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/core/hash.hpp"
#include "geo/media/image_file.hpp"
#include "match/align_util.hpp"
#include "match/index_cache.hpp"
#include "match/match_internal.hpp"
#include "match/tuning.hpp"

namespace geo {

using namespace match_detail;

namespace {

bool boxes_intersect(const GeoBox& a, const GeoBox& b) {
  return a.min_lon_deg < b.max_lon_deg && b.min_lon_deg < a.max_lon_deg && a.min_lat_deg < b.max_lat_deg &&
         b.min_lat_deg < a.max_lat_deg;
}

GeoBox box_around(const GeoPoint& c, double r_m) {
  const GeoPoint n = geodesic_direct(c, 0, r_m), s = geodesic_direct(c, 180, r_m);
  const GeoPoint e = geodesic_direct(c, 90, r_m), w = geodesic_direct(c, 270, r_m);
  return {w.lon_deg, s.lat_deg, e.lon_deg, n.lat_deg};
}

GeoBox union_of(const GeoBox& a, const GeoBox& b) {
  return GeoBox{std::min(a.min_lon_deg, b.min_lon_deg), std::min(a.min_lat_deg, b.min_lat_deg),
                std::max(a.max_lon_deg, b.max_lon_deg), std::max(a.max_lat_deg, b.max_lat_deg)};
}

// Why a frame cannot be matched at all ("" when it can): unreadable, too small, or blank.
std::string unusable_frame(const cv::Mat& img, const std::string& path) {
  if (img.empty()) return std::filesystem::exists(path) ? "cannot read the frame as an image" : "no such file";
  if (img.cols < kMinFrameSidePx || img.rows < kMinFrameSidePx)
    return "frame is smaller than " + std::to_string(kMinFrameSidePx) + " pixels";
  cv::Mat g;
  cv::cvtColor(img, g, cv::COLOR_BGR2GRAY);
  cv::Scalar m, sd;
  cv::meanStdDev(g, m, sd);
  return sd[0] < kMinFrameGreySd ? "frame is blank or a single colour" : "";
}

// Each frame's options (the command line's, completed by its telemetry), and the reference window
// they need: the search area plus room for a footprint that sticks out of it.
struct Plan {
  std::vector<MatchOptions> per_frame;
  std::vector<std::vector<std::string>> from_telemetry;
  bool all_near = true;  // every frame has a search centre
  WindowRequest window;
};

Plan plan(const std::vector<FrameRef>& frames, const std::string& imagery, const MatchOptions& opts,
          const RasterInfo& info) {
  Plan pl;
  pl.window.gsd_m = opts.ref_gsd_m > 0 ? opts.ref_gsd_m : std::max(kMinReferenceGsdM, info.gsd_m);
  pl.window.bands = BandSelection::automatic;
  const GeoBox& area = info.bbox_wgs84;
  pl.per_frame.resize(frames.size());
  pl.from_telemetry.resize(frames.size());
  std::optional<GeoBox> tel_area;
  for (size_t i = 0; i < frames.size(); ++i) {
    pl.per_frame[i] = frame_options(opts, frames[i], &pl.from_telemetry[i]);
    const MatchOptions& fo = pl.per_frame[i];
    if (!fo.near) {
      pl.all_near = false;
      continue;
    }
    const GeoBox b = box_around(*fo.near, fo.radius_m);
    tel_area = tel_area ? union_of(*tel_area, b) : b;
  }
  auto grown_clipped = [&](const GeoBox& b) {
    const GeoBox grow = box_around(b.center(), kReferenceMarginM);
    const double dlat = (grow.max_lat_deg - grow.min_lat_deg) / 2, dlon = (grow.max_lon_deg - grow.min_lon_deg) / 2;
    return GeoBox{std::max(b.min_lon_deg - dlon, area.min_lon_deg), std::max(b.min_lat_deg - dlat, area.min_lat_deg),
                  std::min(b.max_lon_deg + dlon, area.max_lon_deg), std::min(b.max_lat_deg + dlat, area.max_lat_deg)};
  };
  WindowRequest& req = pl.window;
  if (opts.near) {
    const GeoBox want = box_around(*opts.near, opts.radius_m);
    if (!boxes_intersect(want, area))
      throw Error{Errc::invalid_argument, "match: search area (" + std::to_string(opts.radius_m) +
                                              " m around the given centre) does not intersect the imagery " + imagery};
    if (want.min_lon_deg >= area.min_lon_deg && want.max_lon_deg <= area.max_lon_deg &&
        want.min_lat_deg >= area.min_lat_deg && want.max_lat_deg <= area.max_lat_deg) {
      req.center = *opts.near;
      req.radius_m = opts.radius_m + kReferenceMarginM;
    } else {
      // A circle wider than the imagery (a rough location against one scene): only the part with
      // imagery is read; the search still keeps to the circle.
      req.bbox = grown_clipped(want);
    }
  } else if (opts.bbox) {
    if (!boxes_intersect(*opts.bbox, area))
      throw Error{Errc::invalid_argument, "match: search bbox does not intersect the imagery " + imagery};
    req.bbox = grown_clipped(*opts.bbox);
  } else if (pl.all_near && tel_area) {
    if (!boxes_intersect(*tel_area, area))
      throw Error{Errc::invalid_argument, "match: the telemetry positions in frames.json (and the ground their camera can "
                                          "see) do not intersect the imagery " + imagery};
    req.bbox = grown_clipped(*tel_area);
  } else {
    req.bbox = area;
  }
  return pl;
}

GeoImage read_reference(Raster& raster, const WindowRequest& req) {
  try {
    return raster.read_window(req);
  } catch (const Error& e) {
    // The reader's own advice names its parameter; say what to do on the command line.
    std::string msg = e.what();
    const auto at = msg.find(" (raise gsd_m)");
    if (msg.find("max_pixels") == std::string::npos || at == std::string::npos) throw;
    msg.erase(at);
    char gsd[32];
    std::snprintf(gsd, sizeof gsd, "%.2f", req.gsd_m);
    throw Error{Errc::invalid_argument, msg + ": the search area is too large to read at " + gsd +
                                            " m/px; narrow it (--near with --radius-m, or --bbox) or coarsen the "
                                            "reference (--ref-gsd-m)"};
  }
}

// The reference image and its index, from the cache when one is given and holds them.
struct Reference {
  GeoImage image;
  ReferenceIndex index;
};

Reference load_reference(Raster& raster, const RasterInfo& info, const WindowRequest& req, AlignOptions& ao,
                         const MatchOptions& opts, MatchResult& r, const ProgressFn& progress) {
  // What the reference and its keypoint index depend on: the cache key.
  const Json key = {{"format", 1},
                    {"imagery_sha256", info.sha256},
                    {"gsd_m", req.gsd_m},
                    {"center", req.center ? to_json(*req.center) : Json(nullptr)},
                    {"radius_m", req.radius_m},
                    {"bbox", req.bbox ? to_json(*req.bbox) : Json(nullptr)},
                    {"detector", to_string(ao.detector)},
                    {"index_gsd_m", ao.index_gsd_m},
                    {"retrieval_footprint_m", ao.retrieval ? Json(ao.retrieval_footprint_m) : Json(nullptr)}};
  std::optional<CachedReference> cached;
  std::filesystem::path entry;
  if (!opts.index_dir.empty()) {
    entry = cache_entry(opts.index_dir, key);
    AlignOptions co = ao;
    co.index_gsd_m = std::max(co.index_gsd_m, req.gsd_m);
    cached = load_cached(entry, key, co, r.diagnostics);
  }
  report(progress, 0.0, "reading imagery");
  GeoImage ref = cached ? std::move(cached->image) : read_reference(raster, req);
  r.reference_gsd_m = ref.gsd_m;
  r.diagnostics.append(ref.diagnostics);
  if (ref.valid_fraction() < kMinValidShare)
    throw Error{Errc::invalid_argument, "match: the search area holds no imagery data in " + r.imagery};
  report(progress, 0.0, "indexing reference");
  ao.index_gsd_m = std::max(ao.index_gsd_m, ref.gsd_m);
  ReferenceIndex index = cached ? std::move(cached->index) : ReferenceIndex::build(ref.image, ref.valid, ref.gsd_m, ao);
  if (!cached && !entry.empty()) store_cached(entry, key, ref, index, r.diagnostics);
  return {std::move(ref), std::move(index)};
}

// One frame file, read once: the bytes hashed into the provenance are the bytes checked and decoded.
// The decoder fills what a truncated file lacks with grey, without a word: such a frame is not the
// picture, so it is not matched (nor decoded). imdecode applies the EXIF orientation as imread does
// (OpenCV 4.6). Nothing reaches the decoder that it could choke on or blow up in memory with: a FIFO
// or device (refused unopened), an empty file, a picture whose header size is over kMaxImagePixels.
struct FrameRead {
  cv::Mat img;
  std::string incomplete, refused;  // why it was not decoded
};

FrameRead read_frame(const std::string& path, std::vector<InputRef>& hashed) {
  FrameRead f;
  if (!std::filesystem::exists(path)) return f;
  try {
    const std::vector<unsigned char> bytes = read_file_bytes(path);
    hashed.push_back({path, sha256_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())),
                      std::uint64_t(bytes.size())});
    f.incomplete = image_bytes_incomplete(bytes);
    if (f.incomplete.empty()) f.refused = image_bytes_undecodable(bytes);
    if (f.incomplete.empty() && f.refused.empty()) f.img = cv::imdecode(bytes, cv::IMREAD_COLOR);
  } catch (const Error& e) {
    f.refused = e.what();
  } catch (const cv::Exception& e) {
    f.refused = "OpenCV cannot decode it (" + e.err + ")";
  }
  return f;
}

// The fix's numbers from the alignment; a located frame's centre and footprint on the ground.
void fill_fix(FrameFix& fx, const Alignment& a, const ViewPrior& p, const GeoImage& ref, cv::Size img,
              double min_confidence, double hfov_deg) {
  fx.diagnostics.append(a.diagnostics);
  fx.gates = to_json(a);
  fx.method = to_string(a.method);
  fx.inliers = a.inliers;
  fx.confidence = a.found ? a.confidence : std::min(a.confidence, min_confidence);
  if (!a.found) {
    fx.confidence = 0.0;
    if (!fx.diagnostics.has("frame.too_small") && !fx.diagnostics.has("frame.uniform"))
      fx.diagnostics.info("match.not_found", "no candidate passed the verification gates" + missing_priors_hint(p));
    return;
  }
  fx.status = FixStatus::located;
  const cv::Point2d c = apply(a.ref_from_frame, frame_centre(img));
  fx.center = ref.lat_lon_from_pixel(c.x, c.y);
  for (cv::Point2d q : corners(img)) {
    const cv::Point2d m = apply(a.ref_from_frame, q);
    fx.footprint.push_back(ref.lat_lon_from_pixel(m.x, m.y));
  }
  fx.error_m = a.error_m;
  fx.gsd_m = a.frame_gsd_m;
  orientation_from_footprint(fx, img, hfov_deg);
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
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
  const Plan pl = plan(frames, imagery, opts, info);
  AlignOptions ao = opts.align;
  // Every frame has a search centre: keypoints are matched around it, the tile ranking would never be
  // asked (and costs about a second to build over a 5 km reference).
  if (opts.near || pl.all_near) ao.retrieval = false;
  const Reference reference = load_reference(raster, info, pl.window, ao, opts, r, progress);
  const GeoImage& ref = reference.image;

  std::unique_ptr<AtomicDir> overlay;
  if (!opts.overlay_dir.empty()) overlay = std::make_unique<AtomicDir>(opts.overlay_dir);
  std::string first_problem;
  int hopeless = 0;
  std::vector<InputRef> inputs;  // each frame file read, hashed as read; then the imagery
  for (size_t i = 0; i < frames.size(); ++i) {
    report(progress, double(i) / frames.size(), "matching");
    FrameFix fx;
    fx.frame = frames[i].path;
    fx.pts_s = frames[i].pts_s;
    const FrameRead fr = read_frame(frames[i].path, inputs);
    const cv::Mat& img = fr.img;
    const std::string problem = fr.incomplete.empty() ? fr.refused : fr.incomplete;
    // A frame that cannot be matched at all; when every frame is hopeless nothing can be done.
    if (const std::string why = problem.empty() ? unusable_frame(img, frames[i].path) : problem; !why.empty()) {
      if (first_problem.empty()) first_problem = frames[i].path + ": " + why;
      ++hopeless;
    }
    if (img.empty()) {
      if (!fr.incomplete.empty()) fx.diagnostics.error("frame.truncated", fr.incomplete + "; not matched", frames[i].path);
      else if (!fr.refused.empty()) fx.diagnostics.error("frame.refused", fr.refused + "; not matched", frames[i].path);
      else fx.diagnostics.error("frame.unreadable", "cannot read the frame as an image", frames[i].path);
      r.frames.push_back(std::move(fx));
      continue;
    }
    const MatchOptions& fo = pl.per_frame[i];
    const ViewPrior p = view_prior(fo, img.size(), ref);
    fx.priors = priors_json(p, fo, pl.from_telemetry[i]);
    if (!pl.from_telemetry[i].empty())
      fx.diagnostics.info("match.priors_from_telemetry", "priors taken from the frame's telemetry (" +
                                                           frames[i].camera->source + "): " + joined(pl.from_telemetry[i]));
    const Alignment a = align_frame(img, reference.index, p, ao);
    fill_fix(fx, a, p, ref, img.size(), ao.min_confidence, opts.hfov_deg.value_or(70.0));
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
  std::vector<std::optional<GeoPoint>> cameras;
  for (const auto& f : frames) cameras.push_back(f.camera ? std::optional<GeoPoint>(f.camera->position) : std::nullopt);
  combine(r, cameras, opts.consistency);
  inputs.push_back(InputRef{imagery, info.sha256, {}});
  r.provenance = to_json(make_provenance("match", opts.to_json(), inputs));
  if (opts.before_commit) opts.before_commit(r);
  if (overlay) overlay->commit();
  report(progress, 1.0, "matching");
  return r;
}

}  // namespace geo
