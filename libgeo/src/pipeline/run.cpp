// SPDX-License-Identifier: Apache-2.0
#include "geo/pipeline/run.hpp"

#include <algorithm>
#include <cctype>
#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/parallel.hpp"
#include "geo/core/provenance.hpp"
#include "geo/core/text.hpp"
#include "geo/events/case.hpp"
#include "geo/events/record.hpp"
#include "geo/match/match.hpp"
#include "geo/media/file_name_time.hpp"
#include "geo/media/frames.hpp"
#include "geo/media/probe.hpp"
#include "geo/render/faces.hpp"
#include "geo/render/html_map.hpp"
#include "geo/report/report.hpp"
#include "geo/render/map.hpp"
#include "geo/spatial/place_zone.hpp"
#include "pipeline/inputs.hpp"

namespace geo::pipeline {

namespace {

// Bumped when a stage's output changes meaning: results made under another version are not reused.
// Frames and matches are the expensive stages; the event (how fixes, times and checks become a
// result) changes more often and costs nothing to redo: a new event supersedes the earlier one.
constexpr int kFramesVersion = 1;
constexpr int kMatchVersion = 2;  // 2: a moving camera's fixes checked by speed, not by the neighbours' median
constexpr int kEventVersion = 2;  // 2: capture times from file names
constexpr std::uint64_t kMaxStageFileBytes = 64ull << 20;

std::string key_of(const Json& j) { return sha256_hex(dump_json(j)); }

std::string short_name(const std::string& path) { return fs::path(path).filename().string(); }

// The imagery of a run, opened once.
struct Imagery {
  std::string path, sha256;
  std::optional<std::string> date;       // analyst's date, else the metadata's
  std::string date_source;
  GeoBox box;
  std::optional<UtcTime> when;           // the date as an instant, for ordering
};

std::optional<UtcTime> date_instant(const std::optional<std::string>& d) {
  if (!d || d->size() < 10) return std::nullopt;
  try {
    return parse_iso8601(d->substr(0, 10) + "T12:00:00Z").utc;
  } catch (const Error&) {
    return std::nullopt;
  }
}

bool intersects(const GeoBox& a, const GeoBox& b) {
  return a.min_lon_deg <= b.max_lon_deg && b.min_lon_deg <= a.max_lon_deg && a.min_lat_deg <= b.max_lat_deg &&
         b.min_lat_deg <= a.max_lat_deg;
}

GeoBox box_around(const std::vector<GeoPoint>& pts, double margin_m) {
  GeoBox b{1e9, 1e9, -1e9, -1e9};
  for (const auto& p : pts) {
    b.min_lat_deg = std::min(b.min_lat_deg, p.lat_deg);
    b.max_lat_deg = std::max(b.max_lat_deg, p.lat_deg);
    b.min_lon_deg = std::min(b.min_lon_deg, p.lon_deg);
    b.max_lon_deg = std::max(b.max_lon_deg, p.lon_deg);
  }
  const double dlat = margin_m / 111320.0;
  const double dlon = margin_m / (111320.0 * std::max(0.05, std::cos(0.5 * (b.min_lat_deg + b.max_lat_deg) * M_PI / 180)));
  return GeoBox{std::max(-180.0, b.min_lon_deg - dlon), std::max(-90.0, b.min_lat_deg - dlat),
                std::min(180.0, b.max_lon_deg + dlon), std::min(90.0, b.max_lat_deg + dlat)};
}

std::string box_text(const GeoBox& b) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "%.5f,%.5f,%.5f,%.5f", b.min_lon_deg, b.min_lat_deg, b.max_lon_deg, b.max_lat_deg);
  return buf;
}

// What the run shares between its workers.
struct Context {
  const RunOptions& opts;
  events::CaseInfo the_case;
  std::vector<Imagery> imagery;
  std::vector<std::string> registry_sha256;
  std::optional<TimeZone> tz;
  Json params;                            // opts.to_json() plus the inputs' hashes that decide results
  std::mutex case_mutex;                  // serialises this process's reads of the case with its writes
  std::set<std::string> media_in_case;
  std::vector<events::Event> events;      // events made by earlier runs (details.run_key)
  std::vector<events::Observation> observations;
  std::mutex progress_mutex;
  const RunProgressFn& progress;
};

// Progress of one input as a share of its whole work.
class Stage {
 public:
  Stage(Context& ctx, std::size_t index, std::size_t total, std::string name)
      : ctx_(ctx), index_(index), total_(total), name_(std::move(name)) {}
  void at(const std::string& stage, double lo, double hi, double frac) {
    if (!ctx_.progress) return;
    std::lock_guard<std::mutex> lock(ctx_.progress_mutex);
    ctx_.progress(RunProgress{index_, total_, name_, stage, lo + (hi - lo) * std::clamp(frac, 0.0, 1.0)});
  }
  ProgressFn fn(const std::string& stage, double lo, double hi) {
    return [this, stage, lo, hi](double f, std::string_view) { at(stage, lo, hi, f < 0 ? 0 : f); };
  }

 private:
  Context& ctx_;
  std::size_t index_, total_;
  std::string name_;
};

// ---- frames ---------------------------------------------------------------------------------------

FrameExtractOptions frame_options(const RunOptions& o) {
  FrameExtractOptions fo;
  fo.mode = FrameMode::shots;
  fo.max_subshot_s = o.every_s;
  fo.max_frames = o.max_frames;
  fo.telemetry = o.telemetry;
  fo.find_telemetry_sidecar = true;
  fo.decoder_threads = 1;  // videos run in parallel already
  return fo;
}

// ---- match file: the stage result kept in the case, read back on the next run ------------------

struct Fix {
  std::string frame;
  double pts_s = 0;
  bool located = false;
  GeoPoint center;
  double error_m = 0, confidence = 0;
  std::vector<GeoPoint> footprint;
  std::string method, reason;
  std::int64_t observation_id = 0;
};

struct MatchStage {
  std::string imagery, imagery_sha256;
  std::optional<std::string> imagery_date;
  std::vector<Fix> fixes;
  int located = 0;
};

Json to_json(const MatchStage& m) {
  Json fr = Json::array();
  for (const auto& f : m.fixes) {
    Json j{{"frame", f.frame}, {"pts_s", f.pts_s}, {"located", f.located}, {"observation_id", f.observation_id},
           {"method", f.method}, {"reason", f.reason}};
    if (f.located) {
      j["center"] = Json::array({f.center.lat_deg, f.center.lon_deg});
      j["error_m"] = f.error_m;
      j["confidence"] = f.confidence;
      Json fp = Json::array();
      for (const auto& p : f.footprint) fp.push_back(Json::array({p.lat_deg, p.lon_deg}));
      j["footprint"] = fp;
    }
    fr.push_back(j);
  }
  return Json{{"imagery", m.imagery}, {"imagery_sha256", m.imagery_sha256},
              {"imagery_date", m.imagery_date ? Json(*m.imagery_date) : Json()}, {"located", m.located}, {"frames", fr}};
}

GeoPoint point_of(const Json& a) { return GeoPoint{a.at(0).get<double>(), a.at(1).get<double>()}; }

MatchStage match_stage_from(const Json& j) {
  MatchStage m;
  m.imagery = j.at("imagery").get<std::string>();
  m.imagery_sha256 = j.at("imagery_sha256").get<std::string>();
  if (j.at("imagery_date").is_string()) m.imagery_date = j.at("imagery_date").get<std::string>();
  m.located = j.at("located").get<int>();
  for (const auto& f : j.at("frames")) {
    Fix x;
    x.frame = f.at("frame").get<std::string>();
    x.pts_s = f.at("pts_s").get<double>();
    x.located = f.at("located").get<bool>();
    x.observation_id = f.at("observation_id").get<std::int64_t>();
    x.method = f.at("method").get<std::string>();
    x.reason = f.at("reason").get<std::string>();
    if (x.located) {
      x.center = point_of(f.at("center"));
      x.error_m = f.at("error_m").get<double>();
      x.confidence = f.at("confidence").get<double>();
      for (const auto& p : f.at("footprint")) x.footprint.push_back(point_of(p));
    }
    m.fixes.push_back(std::move(x));
  }
  return m;
}

std::optional<MatchStage> read_match_stage(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  try {
    return match_stage_from(Json::parse(read_file_bounded(p, kMaxStageFileBytes, "run")));
  } catch (const std::exception&) {
    return std::nullopt;  // unreadable or from another version: redone
  }
}

// ---- the work on one input ---------------------------------------------------------------------

struct Probe {
  std::optional<MediaInfo> info;
  std::optional<fs::path> telemetry;
  std::string telemetry_sha256;
};

std::optional<UtcTime> utc_at(const MediaInfo& info, double t_s) {
  if (!info.telemetry) return std::nullopt;
  const TelemetrySample* best = nullptr;
  for (const auto& s : info.telemetry->samples)
    if (s.utc && (!best || std::abs(s.t_s - t_s) < std::abs(best->t_s - t_s))) best = &s;
  if (!best) return std::nullopt;
  return UtcTime{best->utc->unix_us + static_cast<std::int64_t>(std::llround((t_s - best->t_s) * 1e6))};
}

// The ground point the frame centre should show, from the camera's state: the camera position moved
// by height x tan(tilt) along the heading. Tolerance: GPS error, 5 degrees of tilt, 10 % of the height
// (height above take-off stands in for height above the ground).
void predict_center(const CameraPrior& cam, double gps_error_m, FixSample& s) {
  s.camera = GeoPoint{cam.position.lat_deg, cam.position.lon_deg};
  const double tilt = cam.tilt_deg.value_or(0.0);
  if (cam.tilt_deg && *cam.tilt_deg < 1.0) {
    s.predicted_center = *s.camera;
    s.predicted_tol_m = gps_error_m + (cam.rel_alt_m ? *cam.rel_alt_m * std::tan(5 * M_PI / 180) : 30.0);
    return;
  }
  if (!cam.rel_alt_m || !cam.tilt_deg || !cam.heading_deg || tilt > 60) return;
  const double h = std::max(*cam.rel_alt_m, 1.0), t = tilt * M_PI / 180, dt = 5 * M_PI / 180;
  const double reach = h * std::tan(t);
  s.predicted_center = geodesic_direct(*s.camera, *cam.heading_deg, reach);
  s.predicted_tol_m = gps_error_m + h * (std::tan(std::min(t + dt, 1.45)) - std::tan(t)) + 0.1 * reach;
}

class VideoJob {
 public:
  VideoJob(Context& ctx, std::size_t index, std::size_t total, const detail::InputFile& in, std::string sha)
      : ctx_(ctx), in_(in), stage_(ctx, index, total, in.path.filename().string()) {
    v_.path = in.path.string();
    v_.sha256 = std::move(sha);
    v_.kind = detail::media_kind(in.path) == detail::MediaKind::image ? "image" : "video";
    work_ = ctx.the_case.dir / "run" / v_.sha256.substr(0, 16);
  }

  VideoResult run() {
    try {
      probe();
      frames();
      faces();
      locate();
      record();
      stage_.at("done", 0, 1, 1);
    } catch (const std::exception& e) {
      v_.status = "failed";
      v_.reasons.push_back(e.what());
      stage_.at("failed", 0, 1, 1);
    }
    v_.reused = !v_.reused_stages.empty() && v_.done_stages.empty();
    return std::move(v_);
  }

 private:
  void probe() {
    stage_.at("probing", 0, 0.05, 0);
    ProbeOptions po;
    if (ctx_.opts.telemetry) po.srt = ctx_.opts.telemetry;
    po.tz = ctx_.tz;
    po.zone_at = [](const GeoPoint& p) -> std::optional<TimeZone> {
      try {
        if (auto z = spatial::zone_at(p)) return z->zone;
      } catch (const Error&) {
      }
      return std::nullopt;
    };
    po.hash = false;
    MediaInfo info = probe_media(in_.path, po);
    info.sha256 = v_.sha256;
    if (v_.kind == "video" && info.kind == "image") v_.kind = "image";
    if (info.kind == "audio") throw Error(Errc::unsupported, "run: " + v_.path + ": audio only, no picture to locate");
    bool known = false;
    {
      std::lock_guard<std::mutex> lock(ctx_.case_mutex);
      known = ctx_.media_in_case.count(v_.sha256) > 0;
    }
    if (!known) {
      probe_obs_ = events::record_probe(ctx_.the_case, info);
      std::lock_guard<std::mutex> lock(ctx_.case_mutex);
      ctx_.media_in_case.insert(v_.sha256);
      v_.done_stages.push_back("probe");
    } else {
      v_.reused_stages.push_back("probe");
    }
    for (const auto& d : info.diagnostics.items())
      if (d.severity != Severity::info) v_.diagnostics.add(d);
    if (ctx_.opts.telemetry) p_.telemetry = ctx_.opts.telemetry;
    else if (v_.kind == "video") p_.telemetry = detail::find_sidecar(in_.path);
    if (p_.telemetry) p_.telemetry_sha256 = sha256_file(*p_.telemetry);
    p_.info = std::move(info);
  }

  void frames() {
    if (v_.kind == "image") {
      frames_.push_back(FrameRef{fs::absolute(in_.path).string(), std::nullopt, std::nullopt});
      v_.frames = 1;
      return;
    }
    const FrameExtractOptions fo = frame_options(ctx_.opts);
    const std::string fkey = key_of(Json{{"video", v_.sha256}, {"telemetry", p_.telemetry_sha256},
                                         {"options", fo.to_json()}, {"version", kFramesVersion}});
    const fs::path dir = work_ / ("frames-" + fkey.substr(0, 12));
    std::error_code ec;
    if (fs::is_regular_file(dir / "frames.json", ec)) {
      try {
        frames_ = frames_from_json(dir / "frames.json");
        v_.reused_stages.push_back("frames");
      } catch (const Error&) {
        frames_.clear();
      }
    }
    if (frames_.empty()) {
      if (fs::exists(dir, ec)) fs::remove_all(dir, ec);  // an unreadable leftover: made again
      fs::create_directories(work_, ec);
      FrameExtractOptions run_fo = fo;
      run_fo.before_commit = [&](const FrameExtractResult& r) { events::record_frames(ctx_.the_case, r); };
      const FrameExtractResult r = extract_frames(in_.path, dir, run_fo, stage_.fn("frames", 0.05, 0.3));
      for (const auto& d : r.diagnostics.items())
        if (d.severity != Severity::info) v_.diagnostics.add(d);
      frames_ = frames_from_json(dir / "frames.json");
      v_.done_stages.push_back("frames");
    }
    v_.frames = static_cast<int>(frames_.size());
    try {
      const Json fj = Json::parse(read_file_bounded(dir / "frames.json", kMaxStageFileBytes, "run"));
      for (const auto& f : fj.at("frames")) shot_of_[f.at("file").get<std::string>()] = f.value("shot", 0);
    } catch (const std::exception&) {
      // no shots known: the video is taken as one shot
    }
  }

  // The faces to blur in every frame, searched now and kept in the case (render::FaceCache): the maps and
  // the report at the end, and every report made again, then only blur. The search costs seconds of CPU
  // per frame and is work done once per video, like the frames themselves. Only for the report, which
  // shows every frame: the maps show one per event, searched when drawn.
  void faces() {
    if (!ctx_.opts.report) return;
    const render::FaceCache kept = render::FaceCache::in_case(ctx_.the_case.dir);
    std::atomic<std::size_t> done{0};
    stage_.at("faces", 0.3, 0.4, 0);
    try {
      // Frames side by side: one drone pass gives 15 of them, and the other videos may be done already.
      parallel_for(frames_.size(), 0, [&](std::size_t i) {
        const cv::Mat image = cv::imread(frames_[i].path, cv::IMREAD_COLOR);
        if (!image.empty()) kept.faces(frames_[i].path, image);
        stage_.at("faces", 0.3, 0.4, double(++done) / double(frames_.size()));
      });
    } catch (const Error& e) {
      // The maps and the report leave out what they cannot blur, and say so; the video is still located.
      v_.diagnostics.warn("faces_not_searched", std::string("faces were not searched for: ") + e.what());
    }
  }

  // The area to search and where it came from; empty when nothing gives one.
  struct Prior {
    std::string source;                  // "telemetry" | "metadata GPS" | "given area"
    std::optional<GeoPoint> near;
    double radius_m = 0;
    std::optional<GeoBox> bbox;
    GeoBox area;                         // for choosing the imagery
  };
  std::optional<Prior> prior() const {
    const RunOptions& o = ctx_.opts;
    std::vector<GeoPoint> cams;
    for (const auto& f : frames_)
      if (f.camera) cams.push_back(f.camera->position);
    if (!cams.empty()) return Prior{"telemetry", std::nullopt, 0, std::nullopt, box_around(cams, o.telemetry_radius_m + 1000)};
    if (p_.info && p_.info->location) {
      const GeoPoint g{p_.info->location->point.lat_deg, p_.info->location->point.lon_deg};
      return Prior{"metadata GPS (" + p_.info->location->source + ")", g, o.gps_radius_m, std::nullopt, box_around({g}, o.gps_radius_m)};
    }
    if (o.near) return Prior{"the given area (--near)", o.near, o.radius_m, std::nullopt, box_around({*o.near}, o.radius_m)};
    if (o.bbox) return Prior{"the given area (--bbox)", std::nullopt, 0, o.bbox, *o.bbox};
    return std::nullopt;
  }

  // Capture time: telemetry's clock, else the container's, else none.
  void date_it() {
    const MediaInfo& info = *p_.info;
    if (info.telemetry) {
      std::optional<UtcTime> lo, hi;
      for (const auto& s : info.telemetry->samples)
        if (s.utc) {
          lo = lo ? std::min(*lo, *s.utc) : *s.utc;
          hi = hi ? std::max(*hi, *s.utc) : *s.utc;
        }
      if (lo) {
        v_.time_from = lo;
        v_.time_to = hi;
        v_.time_source = "telemetry: " + info.telemetry->utc_source;
        return;
      }
    }
    if (info.created) {
      const double dur = info.duration_s.value_or(0);
      const auto us = static_cast<std::int64_t>(std::llround(dur * 1e6));
      v_.time_from = UtcTime{info.created->utc.unix_us - us};
      v_.time_to = UtcTime{info.created->utc.unix_us + us};
      v_.time_source = info.created->source + (info.created->derived ? " (derived)" : "") +
                       (dur > 0 ? " (devices write it at the start or the end of a recording: window = that time +/- the duration)" : "");
      return;
    }
    name_time_ = time_from_file_name(in_.path.filename().string());
    if (name_time_) {
      date_from_name(ctx_.tz);
      return;
    }
    v_.time_source = "none";
    v_.warnings.push_back("time unknown: the file carries no capture time (a re-uploaded video usually loses it); a "
                          "shadow measured in a frame (geoev sun when) can give a window");
  }

  // The time a file name gives, read in `zone` (the --tz, or the zone at the place once it is known;
  // without either, the window spans every zone on Earth, UTC-12 to UTC+14).
  void date_from_name(const std::optional<TimeZone>& zone) {
    const FileNameTime& t = *name_time_;
    const double dur = p_.info->duration_s.value_or(0);
    const auto dur_us = static_cast<std::int64_t>(std::llround(dur * 1e6));
    constexpr std::int64_t kHour = 3600'000'000;
    auto local = [&](int h, int m, double sec) -> std::pair<UtcTime, UtcTime> {
      const UtcTime naive = utc_from_civil(t.date, h, m, sec);
      if (zone) {
        const UtcTime u = zone->from_wall_clock(naive);
        return {u, u};
      }
      return {UtcTime{naive.unix_us - 14 * kHour}, UtcTime{naive.unix_us + 12 * kHour}};
    };
    const std::string in_zone = zone ? " read in " + zone->name() : " in an unknown zone (the window spans them all)";
    switch (t.kind) {
      case FileNameTime::Kind::received_date: {
        v_.time_from.reset();
        v_.time_to = local(23, 59, 59.999).second;
        v_.time_source = "file name, " + t.pattern + ": the day the messaging app saved the file" + in_zone +
                         "; the capture was that day or earlier";
        break;
      }
      case FileNameTime::Kind::local_start: {
        const auto [lo, hi] = local(t.hour, t.minute, t.second);
        v_.time_from = lo;
        v_.time_to = UtcTime{hi.unix_us + dur_us};
        v_.time_source = "file name, " + t.pattern + ": the device's local clock at the start" + in_zone;
        break;
      }
      case FileNameTime::Kind::utc_start: {
        v_.time_from = utc_from_civil(t.date, t.hour, t.minute, t.second);
        v_.time_to = UtcTime{v_.time_from->unix_us + dur_us};
        v_.time_source = "file name, " + t.pattern;
        break;
      }
    }
  }

  std::vector<const Imagery*> choose_imagery(const Prior& pr) {
    std::vector<const Imagery*> cover;
    for (const auto& im : ctx_.imagery)
      if (intersects(im.box, pr.area)) cover.push_back(&im);
    const std::optional<UtcTime> when = v_.time_from ? v_.time_from : v_.time_to;
    std::stable_sort(cover.begin(), cover.end(), [&](const Imagery* a, const Imagery* b) {
      if (!a->when || !b->when) return a->when.has_value() && !b->when.has_value();
      if (!when) return a->when->unix_us > b->when->unix_us;  // capture date unknown: newest first
      return std::llabs(a->when->unix_us - when->unix_us) < std::llabs(b->when->unix_us - when->unix_us);
    });
    return cover;
  }

  MatchStage match_with(const Imagery& im, const Prior& pr) {
    MatchOptions mo;
    mo.near = pr.near;
    mo.radius_m = pr.radius_m;
    mo.bbox = pr.bbox;
    if (ctx_.opts.telemetry_radius_m > 0 && pr.source == "telemetry") mo.radius_m = 0;
    if (im.date && im.date_source == "analyst") mo.imagery_date = im.date;
    mo.consistency = ctx_.opts.combine;  // the frames' outlier flags by the rule that makes the place
    Json mopts = mo.to_json();
    const std::string mkey = key_of(Json{{"frames", frames_json_key()}, {"imagery", im.sha256},
                                         {"imagery_date", im.date ? Json(*im.date) : Json()}, {"options", mopts},
                                         {"version", kMatchVersion}});
    const fs::path file = work_ / ("match-" + mkey.substr(0, 12) + ".json");
    if (auto m = read_match_stage(file)) {
      v_.reused_stages.push_back("match");
      return *m;
    }
    const MatchResult r = match_frames(frames_, im.path, mo, stage_.fn("matching", 0.4, 0.95));
    stage_.at("recording", 0.95, 1, 0);
    const auto ids = events::record_match(ctx_.the_case, r, v_.sha256, Json{{"run_match_key", mkey}});
    MatchStage m;
    m.imagery = im.path;
    m.imagery_sha256 = r.imagery_sha256;
    m.imagery_date = r.imagery_acquired;
    m.located = r.located;
    for (std::size_t i = 0; i < r.frames.size(); ++i) {
      const auto& f = r.frames[i];
      Fix x;
      x.frame = f.frame;
      x.pts_s = f.pts_s.value_or(0);
      x.located = f.status == FixStatus::located;
      x.center = f.center;
      x.error_m = std::max(f.error_m, r.reference_gsd_m);
      x.confidence = f.outlier ? 0.5 * f.confidence : f.confidence;
      x.footprint = f.footprint;
      x.method = f.method;
      if (!x.located) x.reason = why_not_found(f);
      x.observation_id = i < ids.size() ? ids[i] : 0;
      m.fixes.push_back(std::move(x));
    }
    fs::create_directories(work_);
    write_file_atomic(file, dump_json(to_json(m), 1) + "\n");
    v_.done_stages.push_back("match");
    return m;
  }

  std::string frames_json_key() const {
    Json k = Json::array();
    for (const auto& f : frames_) k.push_back(Json{short_name(f.path), f.pts_s.value_or(-1)});
    return key_of(k);
  }

  void locate() {
    date_it();
    const auto pr = prior();
    const RunOptions& o = ctx_.opts;
    std::optional<MatchStage> used;
    std::vector<std::string> tried;
    if (!pr) {
      v_.reasons.push_back("nothing to search around: the file has no telemetry and no GPS position; give the area to "
                           "search with --near LAT,LON --radius-m R or --bbox MINLON,MINLAT,MAXLON,MAXLAT");
    } else if (ctx_.imagery.empty()) {
      v_.reasons.push_back("no imagery given (--imagery RASTER): frames were not matched");
    } else {
      const auto order = choose_imagery(*pr);
      if (order.empty()) {
        std::string covers;
        for (const auto& im : ctx_.imagery) covers += (covers.empty() ? "" : "; ") + short_name(im.path) + " covers " + box_text(im.box);
        v_.reasons.push_back("no imagery covers the area searched (" + pr->source + ": " + box_text(pr->area) + "): " + covers);
      }
      for (const Imagery* im : order) {
        MatchStage m = match_with(*im, *pr);
        tried.push_back(short_name(im->path) + (im->date ? " (" + *im->date + ")" : " (date unknown)") + ": " +
                        std::to_string(m.located) + " of " + std::to_string(m.fixes.size()) + " frames located");
        used = std::move(m);
        if (used->located > 0) break;
      }
    }
    // The fixes, with what the telemetry predicts for each.
    std::vector<FixSample> samples;
    std::map<std::string, const FrameRef*> by_name;
    for (const auto& f : frames_) by_name[short_name(f.path)] = &f;
    if (used) {
      v_.imagery = used->imagery;
      v_.imagery_sha256 = used->imagery_sha256;
      v_.imagery_date = used->imagery_date;
      for (const auto& f : used->fixes) {
        if (!f.located) continue;
        FixSample s;
        s.frame = short_name(f.frame);
        if (auto sh = shot_of_.find(s.frame); sh != shot_of_.end()) s.shot = sh->second;
        s.t_s = f.pts_s;
        s.utc = utc_at(*p_.info, f.pts_s);
        s.center = f.center;
        s.error_m = f.error_m;
        s.confidence = f.confidence;
        s.footprint = f.footprint;
        auto it = by_name.find(s.frame);
        if (it != by_name.end() && it->second->camera) predict_center(*it->second->camera, o.combine.telemetry_error_m, s);
        obs_of_[s.frame] = f.observation_id;
        if (f.confidence > best_conf_) {  // the frame a map or report shows for this video (relative to the case)
          best_conf_ = f.confidence;
          std::error_code rel_ec;
          best_frame_ = fs::relative(fs::absolute(f.frame), ctx_.the_case.dir, rel_ec).string();
        }
        samples.push_back(std::move(s));
        match_obs_.push_back(f.observation_id);
      }
      v_.frames_located = static_cast<int>(samples.size());
    }
    const bool any_camera = std::any_of(samples.begin(), samples.end(), [](const FixSample& x) { return x.camera.has_value(); });
    if (!any_camera && samples.size() >= 2) {
      const auto groups = split_by_place(samples, o.combine);
      if (groups.size() > 1) {
        split_into_parts(groups);
        return;
      }
    }
    Combined c = combine_fixes(samples, o.combine);
    bool by_image = c.kind != "none", by_telemetry = false;
    if (by_image) {
      v_.telemetry_check = compare_telemetry(samples, c.outliers);
      by_telemetry = v_.telemetry_check.status == "agree";
      std::vector<std::vector<GeoPoint>> fps;
      for (const auto& s : samples) fps.push_back(s.footprint);
      v_.shows = footprints_union(fps);
      if (v_.telemetry_check.status == "disagree") v_.warnings.push_back(v_.telemetry_check.statement);
    } else {
      // No image fix: the telemetry's camera path, else nothing.
      std::vector<TrackPoint> cam;
      for (const auto& f : frames_)
        if (f.camera) {
          TrackPoint t;
          t.t_s = f.pts_s.value_or(0);
          t.utc = utc_at(*p_.info, t.t_s);
          t.point = GeoPoint{f.camera->position.lat_deg, f.camera->position.lon_deg};
          t.error_m = o.combine.telemetry_error_m;
          t.source = "telemetry";
          cam.push_back(t);
        }
      if (!cam.empty()) {
        c = combine_telemetry(cam, o.combine);
        by_telemetry = true;
      }
    }
    if (c.kind != "none" && p_.info->location && p_.info->location->source.rfind("telemetry", 0) != 0) {
      const GeoPoint g{p_.info->location->point.lat_deg, p_.info->location->point.lon_deg};
      double view = 0;
      for (const auto& s : samples)
        for (const auto& q : s.footprint) view = std::max(view, geodesic_inverse(s.center, q).distance_m);
      if (by_image) {
        v_.gps_check = compare_metadata_gps(g, p_.info->location->source, c, view, o.combine);
        if (v_.gps_check.status == "disagree") v_.warnings.push_back(v_.gps_check.statement);
      }
    } else if (c.kind == "none" && p_.info->location) {
      // The metadata position alone: stated, with its caveat.
      c.kind = "place";
      c.place = GeoPoint{p_.info->location->point.lat_deg, p_.info->location->point.lon_deg};
      c.error_m = o.combine.metadata_gps_error_m;
      c.confidence = 0.5;
      c.notes.push_back("the position the file's metadata states (" + p_.info->location->source + ", 30 m assumed), not checked against imagery");
      v_.located_by = "metadata GPS";
      v_.warnings.push_back("located by the metadata GPS alone: a copied or edited tag would go unnoticed; the imagery did not confirm it");
    }
    for (const auto& out : c.outliers) v_.warnings.push_back("fix left out: " + out);
    if (by_image && by_telemetry) v_.located_by = "telemetry + image match";
    else if (by_image) v_.located_by = "image match";
    else if (by_telemetry) v_.located_by = "telemetry";
    v_.result = c;
    if (c.kind == "none") {
      v_.status = "not_located";
      if (used) {
        std::map<std::string, int> why;
        for (const auto& f : used->fixes)
          if (!f.located) ++why[f.reason];
        for (const auto& t : tried) v_.reasons.push_back(t);
        for (const auto& [text, n] : why) v_.reasons.push_back(std::to_string(n) + " frame" + (n > 1 ? "s" : "") + ": " + text);
      }
      return;
    }
    v_.status = "located";
    grade(v_, by_image, by_telemetry);
  }

  // Confidence in words (two methods agreeing, or several consistent image fixes, is high) and the
  // caveats of the imagery's date.
  static void grade(VideoResult& v, bool by_image, bool by_telemetry) {
    const Combined& c = v.result;
    const auto im_when = date_instant(v.imagery_date);
    const auto when = v.time_from ? v.time_from : v.time_to;
    if (by_image && im_when && when) {
      const double years = std::abs(static_cast<double>(when->unix_us - im_when->unix_us)) / (365.25 * 86400e6);
      if (years >= 2)
        v.warnings.push_back("the imagery (" + *v.imagery_date + ") is " + std::to_string(static_cast<int>(years)) +
                             " years from the capture: the ground may have changed; the fixes rest on what did not");
    }
    if (by_image && !v.imagery_date) v.warnings.push_back("the imagery's date is unknown: give it with --imagery-date");
    v.confidence_value = c.confidence;
    if (by_image && by_telemetry && v.telemetry_check.status == "agree") v.confidence = "high";
    else if (by_image && c.fixes_used >= 3 && c.confidence >= 0.6 && c.outliers.empty()) v.confidence = "high";
    else if (by_image || by_telemetry) v.confidence = "medium";
    else v.confidence = "low";
    bool caveat = false;
    for (const auto& w : v.warnings) caveat |= w.rfind("the imagery (", 0) != 0;  // the date gap alone is a caveat, not a doubt
    if (caveat && v.confidence == "high") v.confidence = "medium";
  }

  // A video cut from several places: one part per place, each its own result (image fixes only: a
  // video with telemetry is one flight).
  void split_into_parts(const std::vector<std::vector<FixSample>>& groups) {
    const RunOptions& o = ctx_.opts;
    v_.status = "located";
    v_.located_by = "image match";
    v_.warnings.push_back("cut from " + std::to_string(groups.size()) +
                          " places: its shots lie farther apart than their errors allow and than a camera could move "
                          "between them; one event per place");
    for (const auto& g : groups) {
      VideoResult part;
      part.path = v_.path;
      part.sha256 = v_.sha256;
      part.kind = v_.kind;
      part.status = "located";
      part.located_by = "image match";
      part.imagery = v_.imagery;
      part.imagery_sha256 = v_.imagery_sha256;
      part.imagery_date = v_.imagery_date;
      part.time_source = v_.time_source;
      part.frames_located = static_cast<int>(g.size());
      for (const auto& s : g)
        if (part.shots.empty() || part.shots.back() != s.shot) part.shots.push_back(s.shot);
      part.result = combine_fixes(g, o.combine);
      std::vector<std::vector<GeoPoint>> fps;
      for (const auto& s : g) fps.push_back(s.footprint);
      part.shows = footprints_union(fps);
      // The part's time: the video's window narrowed to its frames when the frames are dated.
      part.time_from = v_.time_from;
      part.time_to = v_.time_to;
      if (v_.time_source.rfind("telemetry", 0) == 0 && g.front().utc && g.back().utc) {
        part.time_from = g.front().utc;
        part.time_to = g.back().utc;
      }
      for (const auto& out : part.result.outliers) part.warnings.push_back("fix left out: " + out);
      grade(part, true, false);
      std::vector<std::int64_t> ids;
      for (const auto& s : g)
        if (auto it = obs_of_.find(s.frame); it != obs_of_.end() && it->second > 0) ids.push_back(it->second);
      part_obs_.push_back(std::move(ids));
      v_.parts.push_back(std::move(part));
    }
    v_.frames_located = 0;
    for (const auto& p : v_.parts) v_.frames_located += p.frames_located;
  }

  void sun_checks() {
    std::lock_guard<std::mutex> lock(ctx_.case_mutex);
    for (const auto& ob : ctx_.observations) {
      if (ob.in.kind != "sun_shadow" || ob.in.media_sha256 != v_.sha256) continue;
      Json j{{"observation_id", ob.id}};
      j["window_from"] = ob.in.time_from ? Json(format_utc(*ob.in.time_from)) : Json();
      j["window_to"] = ob.in.time_to ? Json(format_utc(*ob.in.time_to)) : Json();
      std::string verdict = "no window";
      if (ob.in.time_from && ob.in.time_to && v_.time_from && v_.time_to)
        verdict = (*v_.time_to < *ob.in.time_from || *ob.in.time_to < *v_.time_from) ? "disagrees with the capture time"
                                                                                      : "agrees with the capture time";
      else if (ob.in.time_from)
        verdict = "the only time evidence";
      j["verdict"] = verdict;
      if (verdict == "disagrees with the capture time")
        v_.warnings.push_back("the shadow (observation " + std::to_string(ob.id) + ") does not fit the capture time");
      v_.sun_checks.push_back(j);
    }
  }

  void record() {
    sun_checks();
    const RunOptions& o = ctx_.opts;
    v_.run_key = key_of(Json{{"video", v_.sha256}, {"telemetry", p_.telemetry_sha256}, {"params", ctx_.params},
                             {"frames", frames_json_key()}, {"version", kEventVersion}});
    if (v_.status == "located" || v_.status == "not_located") {
      const auto z = spatial::zone_for(v_.status == "located" && v_.parts.empty() ? std::optional<GeoPoint>(v_.result.place)
                                                                                   : std::nullopt, o.tz);
      if (z) v_.local_zone = z->zone.name();
      // A file name's local time, read in the zone of the place now that it is known.
      if (name_time_ && z && !ctx_.tz && v_.time_source.rfind("file name", 0) == 0) date_from_name(z->zone);
    }
    if (v_.status == "not_located") {
      {
        std::lock_guard<std::mutex> lock(ctx_.case_mutex);
        for (const auto& ob : ctx_.observations)
          if (ob.in.kind == "not_located" && ob.in.parameters.value("run_key", "") == v_.run_key) {
            v_.reused_stages.push_back("not_located");
            return;
          }
      }
      events::ObservationInput ob;
      ob.kind = "not_located";
      ob.media_sha256 = v_.sha256;
      ob.confidence = 0;
      ob.parameters = Json{{"reasons", v_.reasons}, {"run_key", v_.run_key}, {"imagery", v_.imagery}};
      ob.input_sha256 = {v_.sha256};
      const auto id = events::add_observation(ctx_.the_case, ob);
      remember_observation(id, ob);
      v_.done_stages.push_back("not_located");
      return;
    }
    if (v_.parts.empty()) {
      std::vector<std::int64_t> ids;
      for (auto id : match_obs_)
        if (id > 0) ids.push_back(id);
      record_event(v_, v_.run_key, ids, "");
      return;
    }
    for (std::size_t i = 0; i < v_.parts.size(); ++i) {
      VideoResult& part = v_.parts[i];
      part.run_key = v_.run_key + "#" + std::to_string(i + 1);
      if (const auto z = spatial::zone_for(part.result.place, o.tz)) part.local_zone = z->zone.name();
      std::string shots;
      for (int sh : part.shots) shots += (shots.empty() ? "" : ",") + std::to_string(sh);
      record_event(part, part.run_key, part_obs_[i],
                   " (shot" + std::string(part.shots.size() > 1 ? "s " : " ") + shots + ", place " + std::to_string(i + 1) +
                       " of " + std::to_string(v_.parts.size()) + " the video was cut from)");
    }
  }

  // One event for `t` (the video or one part of it), unless the case has one made with `key`.
  void record_event(VideoResult& t, const std::string& key, const std::vector<std::int64_t>& match_ids,
                    const std::string& what) {
    const RunOptions& o = ctx_.opts;
    std::vector<std::int64_t> superseded;
    events::EventInput ei;
    {
      std::lock_guard<std::mutex> lock(ctx_.case_mutex);
      for (const auto& e : ctx_.events) {
        if (!e.details.is_object() || !e.details.contains("run_key")) continue;
        if (e.details["run_key"] == key) {
          fill_from_event(t, e);
          v_.reused_stages.push_back("event");
          return;
        }
        const std::string other = e.details["run_key"].is_string() ? e.details["run_key"].get<std::string>() : "";
        if (other.rfind(v_.run_key, 0) != 0 &&
            std::find(e.media_sha256.begin(), e.media_sha256.end(), v_.sha256) != e.media_sha256.end())
          superseded.push_back(e.id);
      }
      for (const auto& ob : ctx_.observations)
        if (ob.in.media_sha256 == v_.sha256 && (ob.in.kind == "telemetry" || ob.in.kind == "metadata_gps"))
          ei.observation_ids.push_back(ob.id);
    }
    ei.position = t.result.place;
    ei.uncertainty_m = t.result.error_m;
    ei.time_from = t.time_from;
    ei.time_to = t.time_to;
    ei.media_sha256 = {v_.sha256};
    ei.compounds = o.compounds;
    ei.observation_ids.insert(ei.observation_ids.end(), match_ids.begin(), match_ids.end());
    for (auto id : probe_obs_) ei.observation_ids.push_back(id);
    ei.description = short_name(v_.path) + what + ": " + (t.result.kind == "track" ? "track" : "place") + " by " + t.located_by;
    if (t.result.kind == "track") ei.flags.push_back("track");
    if (!t.shots.empty()) ei.flags.push_back("cut_from_several_places");
    if (!t.result.outliers.empty()) ei.flags.push_back("outlying_fixes");
    if (t.telemetry_check.status == "disagree") ei.flags.push_back("telemetry_disagrees");
    if (t.gps_check.status == "disagree") ei.flags.push_back("metadata_gps_disagrees");
    if (!superseded.empty()) ei.notes = "supersedes event(s) made by an earlier run with other parameters";
    t.run_key = key;
    ei.details = details(t);
    if (!t.shots.empty()) ei.details["shots"] = t.shots;
    if (!superseded.empty()) ei.details["supersedes"] = superseded;
    Diagnostics d;
    const events::Event e = events::add_event(ctx_.the_case, ei, d);
    for (const auto& x : d.items())
      if (x.severity != Severity::info) v_.diagnostics.add(x);
    fill_from_event(t, e);
    v_.done_stages.push_back("event");
  }

  Json details(const VideoResult& t) const {
    Json track = Json::array();
    for (const auto& p : t.result.track) track.push_back(to_json(p));
    return Json{{"run_key", t.run_key},
                {"method", t.located_by},
                {"kind", t.result.kind},
                {"track", track},
                {"track_length_m", t.result.track_length_m},
                {"shows", t.shows},
                {"fixes_used", t.result.fixes_used},
                {"frames", v_.frames},
                {"outliers", t.result.outliers},
                {"notes", t.result.notes},
                {"telemetry_check", t.telemetry_check.statement},
                {"gps_check", t.gps_check.statement},
                {"time_source", t.time_source},
                {"imagery", short_name(t.imagery)},
                {"imagery_sha256", t.imagery_sha256},
                {"imagery_date", t.imagery_date ? Json(*t.imagery_date) : Json()},
                {"confidence", t.confidence},
                {"frame", best_frame_},
                {"warnings", t.warnings}};
  }

  static void fill_from_event(VideoResult& t, const events::Event& e) {
    t.event_id = e.id;
    t.compound_id = e.compound_id;
    t.compound_name = e.compound_name;
    t.relation = e.relation;
    t.distance_m = e.distance_m;
    t.p_inside = e.p_inside;
  }

  void remember_observation(std::int64_t id, const events::ObservationInput& in) {
    std::lock_guard<std::mutex> lock(ctx_.case_mutex);
    events::Observation ob;
    ob.id = id;
    ob.in = in;
    ctx_.observations.push_back(ob);
  }

  Context& ctx_;
  const detail::InputFile& in_;
  Stage stage_;
  VideoResult v_;
  fs::path work_;
  Probe p_;
  std::vector<FrameRef> frames_;
  std::vector<std::int64_t> match_obs_, probe_obs_;
  std::map<std::string, int> shot_of_;
  std::map<std::string, std::int64_t> obs_of_;     // located frame -> its image_match observation
  std::vector<std::vector<std::int64_t>> part_obs_;
  std::string best_frame_;
  double best_conf_ = -1;
  std::optional<FileNameTime> name_time_;
};

// The case's maps, written into DIR/maps (each atomically). What cannot be drawn is a warning.
std::vector<fs::path> write_maps(const fs::path& case_dir, const RunOptions& opts, Diagnostics& diag) {
  std::vector<fs::path> written;
  const fs::path dir = case_dir / "maps";
  std::error_code ec;
  fs::create_directories(dir, ec);
  render::MapData d;
  try {
    d = render::load_map_data(case_dir, opts.compounds);
  } catch (const std::exception& e) {
    diag.warn("run.maps", std::string("no maps: ") + e.what());
    return written;
  }
  auto attempt = [&](const fs::path& out, const std::function<void()>& draw) {
    try {
      draw();
      written.push_back(out);
    } catch (const std::exception& e) {
      diag.warn("run.maps", out.filename().string() + ": " + e.what());
    }
  };
  const std::string imagery = opts.imagery.empty() ? std::string() : opts.imagery.front().path;
  const std::string imagery_date = opts.imagery.empty() ? std::string() : opts.imagery.front().date.value_or("");
  attempt(dir / "overview.png", [&] {
    render::MapOptions o;
    o.kind = render::MapKind::overview;
    render::render_map(d, o, dir / "overview.png");
  });
  std::set<std::string> sites;
  for (const auto& e : d.events)
    if (!e.compound_id.empty()) sites.insert(e.compound_id);
  for (const auto& id : sites) {
    std::string safe;
    for (char ch : id) safe += std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' ? ch : '_';
    const fs::path out = dir / ("site-" + safe + ".png");
    attempt(out, [&] {
      render::MapOptions o;
      o.kind = render::MapKind::site;
      o.compound_id = id;
      o.imagery = imagery;
      o.imagery_date = imagery_date;
      render::render_map(d, o, out);
    });
  }
  attempt(dir / "timeline.png", [&] { render::render_timeline(d, render::TimelineOptions{}, dir / "timeline.png"); });
  attempt(dir / "map.html", [&] {
    render::HtmlMapOptions o;
    if (!imagery.empty()) o.imagery = imagery;
    if (!imagery_date.empty()) o.imagery_date = imagery_date;
    render::write_html_map(d, o, dir / "map.html");
  });
  return written;
}

}  // namespace

void RunOptions::validate() const {
  auto bad = [](const std::string& m) { throw Error(Errc::invalid_argument, "run: " + m); };
  if (inputs.empty()) bad("give at least one video, photo or directory");
  if (case_dir.empty()) bad("give the case directory (--case DIR)");
  spatial::validate(combine);
  if (radius_m != 0 && !near) bad("--radius-m needs --near LAT,LON");
  if (near && !(radius_m > 0)) bad("--near needs --radius-m R (metres, > 0)");
  if (near && bbox) bad("give --near with --radius-m, or --bbox, not both");
  if (near) geo::validate(*near, "--near");
  if (bbox) bbox->validate("--bbox");
  if (jobs < 0 || jobs > 256) bad("--jobs must be 0 (one per core) to 256");
  if (!(every_s > 0) || !std::isfinite(every_s)) bad("--every-s must be a positive number of seconds");
  if (max_frames < 1 || max_frames > 1000) bad("--max-frames must be 1..1000");
  if (!(telemetry_radius_m > 0) || !(gps_radius_m > 0)) bad("search radii must be positive");
  for (const auto& im : imagery)
    if (im.path.empty()) bad("an --imagery path is empty");
}

Json RunOptions::to_json() const {
  Json im = Json::array();
  for (const auto& i : imagery) im.push_back(Json{{"path", i.path}, {"date", i.date ? Json(*i.date) : Json()}});
  Json j{{"imagery", im},
         {"compounds", compounds.replace},
         {"compounds_extend", compounds.extend},
         {"tz", tz},
         {"every_s", every_s},
         {"max_frames", max_frames},
         {"telemetry_radius_m", telemetry_radius_m},
         {"gps_radius_m", gps_radius_m},
         {"combine", spatial::to_json(combine)}};
  j["combine"]["metadata_gps_error_m"] = combine.metadata_gps_error_m;
  j["near"] = near ? geo::to_json(*near) : Json();
  j["radius_m"] = radius_m;
  j["bbox"] = bbox ? geo::to_json(*bbox) : Json();
  j["telemetry"] = telemetry ? Json(telemetry->string()) : Json();
  return j;
}

int RunResult::failed() const {
  return static_cast<int>(std::count_if(videos.begin(), videos.end(), [](const VideoResult& v) { return v.status == "failed"; }));
}
int RunResult::located() const {
  return static_cast<int>(std::count_if(videos.begin(), videos.end(), [](const VideoResult& v) { return v.status == "located"; }));
}

RunResult run_job(const RunOptions& opts, const RunProgressFn& progress) {
  opts.validate();
  const auto t0 = std::chrono::steady_clock::now();
  RunResult res;
  res.case_dir = opts.case_dir;
  // The inputs first: a mistake there changes nothing.
  const auto files = detail::expand_inputs(opts.inputs, res.skipped);
  // Nothing that exists: refused before a case is made or touched (one missing input among others is
  // that input's failure, reported after the rest).
  if (!files.empty() && std::none_of(files.begin(), files.end(), [](const detail::InputFile& f) {
        std::error_code e;
        return fs::is_regular_file(f.path, e);
      }))
    throw Error(Errc::not_found, "run: " + files.front().path.string() + (files.size() > 1 ? " and the other inputs do" : " does") +
                                     " not exist or is not a file: nothing to run");
  if (opts.telemetry && files.size() != 1)
    throw Error(Errc::invalid_argument, "run: --telemetry names the sidecar of one video; with several, put each <video>.SRT beside its video");
  std::optional<TimeZone> tz;
  if (!opts.tz.empty()) tz = TimeZone::named(opts.tz);
  std::vector<Imagery> imagery;
  for (const auto& in : opts.imagery) {
    const Raster r = Raster::open(in.path);
    const RasterInfo& info = r.info();
    Imagery im;
    im.path = in.path;
    im.sha256 = info.sha256;
    im.box = info.bbox_wgs84;
    if (in.date) {
      im.date = in.date;
      im.date_source = "analyst";
    } else if (info.acquired) {
      im.date = info.acquired;
      im.date_source = "metadata:" + info.acquired_key;
    }
    im.when = date_instant(im.date);
    if (in.date && !im.when) throw Error(Errc::invalid_argument, "run: --imagery-date " + *in.date + " is not a date (YYYY-MM-DD)");
    imagery.push_back(std::move(im));
  }
  std::vector<std::string> registry_sha;
  {
    const auto reg = spatial::load_selected_registry(opts.compounds);
    registry_sha = reg.sha256;
  }
  // The case: made when the directory is missing or empty, opened otherwise (never anything else).
  std::error_code ec;
  const bool fresh = !fs::exists(opts.case_dir, ec) || (fs::is_directory(opts.case_dir, ec) && fs::is_empty(opts.case_dir, ec));
  events::CaseInfo the_case = fresh ? events::init_case(opts.case_dir, !opts.case_title.empty() ? opts.case_title
                                                                      : fs::weakly_canonical(fs::absolute(opts.case_dir)).filename().string()) : events::open_case(opts.case_dir);
  detail::RunLock lock(the_case.dir);
  {
    std::vector<std::string> removed;
    detail::remove_stale_temporaries(the_case.dir, removed);
    for (const auto& p : removed)
      res.diagnostics.info("run.stale_temporary_removed", "removed what an interrupted run left behind", p);
  }

  Json params = opts.to_json();
  Json im_keys = Json::array();
  for (const auto& im : imagery) im_keys.push_back(Json{im.sha256, im.date ? Json(*im.date) : Json()});
  params["imagery"] = im_keys;  // by content, not by path: a moved raster is the same raster
  params["registry_sha256"] = registry_sha;
  params.erase("telemetry");

  Context ctx{opts, the_case, std::move(imagery), registry_sha, tz, params, {}, {}, {}, {}, {}, progress};
  for (const auto& m : events::list_media(the_case)) ctx.media_in_case.insert(m.sha256);
  ctx.events = events::list_events(the_case);
  ctx.observations = events::list_observations(the_case);

  // Hash every input (in parallel), then one job per distinct content.
  const std::size_t n = files.size();
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t workers = std::min<std::size_t>(n, opts.jobs > 0 ? static_cast<std::size_t>(opts.jobs) : cores);
  std::vector<std::string> sha(n), hash_error(n);
  parallel_for(n, workers, [&](std::size_t i) {
    try {
      require_regular_file(files[i].path, "run");
      sha[i] = sha256_file(files[i].path);
    } catch (const std::exception& e) {
      hash_error[i] = e.what();
    }
  });
  res.videos.resize(n);
  std::map<std::string, std::size_t> first_of;
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < n; ++i) {
    VideoResult& v = res.videos[i];
    v.path = files[i].path.string();
    v.sha256 = sha[i];
    v.kind = detail::media_kind(files[i].path) == detail::MediaKind::image ? "image" : "video";
    if (!hash_error[i].empty()) {
      v.status = "failed";
      v.reasons.push_back(hash_error[i]);
      continue;
    }
    auto [it, inserted] = first_of.emplace(sha[i], i);
    if (!inserted) {
      v.status = "duplicate";
      v.duplicate_of = files[it->second].path.string();
      v.reasons.push_back("the same content (SHA-256) as " + v.duplicate_of + ": processed once");
      continue;
    }
    todo.push_back(i);
  }
  parallel_for(todo.size(), workers, [&](std::size_t j) {  // VideoJob::run catches what its input throws
    const std::size_t i = todo[j];
    VideoJob job(ctx, i, n, files[i], sha[i]);
    res.videos[i] = job.run();
  });
  // Duplicates take their original's result, still marked as duplicates.
  for (auto& v : res.videos)
    if (v.status == "duplicate") {
      const auto& orig = res.videos[first_of[v.sha256]];
      v.event_id = orig.event_id;
    }

  // The run's record: a summary file in the case and one custody entry naming what was done and reused.
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<InputRef> refs;
  for (std::size_t i = 0; i < n; ++i)
    if (!sha[i].empty()) refs.push_back(InputRef{files[i].path.string(), sha[i], std::nullopt});
  for (const auto& im : ctx.imagery) refs.push_back(InputRef{im.path, im.sha256, std::nullopt});
  res.provenance = geo::to_json(make_provenance("run", opts.to_json(), refs));
  Json summary = Json::array(), inputs = Json::array();
  for (const auto& v : res.videos) {
    summary.push_back(Json{{"path", v.path}, {"sha256", v.sha256}, {"status", v.status}, {"event_id", v.event_id},
                           {"reused", v.reused}, {"reused_stages", v.reused_stages}, {"done_stages", v.done_stages}});
    if (!v.sha256.empty()) inputs.push_back(v.sha256);
  }
  for (const auto& im : ctx.imagery) inputs.push_back(im.sha256);
  const bool all_reused = std::all_of(res.videos.begin(), res.videos.end(),
                                      [](const VideoResult& v) { return v.reused || v.status == "duplicate"; });
  // Maps and report: drawn again only when something changed or they are missing (a rerun with
  // nothing new stays within seconds).
  const bool outputs_exist = fs::exists(the_case.dir / "maps" / "overview.png", ec) &&
                             (!opts.report || fs::exists(the_case.dir / "report.html", ec));
  if ((opts.maps || opts.report) && all_reused && outputs_exist) {
    res.diagnostics.info("run.outputs_unchanged", "nothing new: the maps and the report in the case are kept as they are");
  } else {
    if (opts.maps) {
      if (progress) progress(RunProgress{n, n, "maps", "maps", 0.0});
      res.maps = write_maps(the_case.dir, opts, res.diagnostics);
    }
    if (opts.report) {
      if (progress) progress(RunProgress{n, n, "report", "report", 0.0});
      try {
        const reporting::Document d = reporting::build_report(the_case.dir, reporting::ReportOptions{});
        for (const char* name : {"report.html", "report.pdf"}) {
          const fs::path out = the_case.dir / name;
          if (out.extension() == ".pdf") reporting::write_pdf(d, out);
          else reporting::write_html(d, out);
          res.maps.push_back(out);
        }
      } catch (const std::exception& e) {
        res.diagnostics.warn("run.report", std::string("no report: ") + e.what());
      }
    }
  }
  const std::string doc = dump_json(to_json(res), 1) + "\n";
  const fs::path summary_file = the_case.dir / "run" / "last-run.json";
  fs::create_directories(summary_file.parent_path(), ec);
  write_file_atomic(summary_file, doc);
  events::log_action(the_case, all_reused ? "run.reused" : "run",
                     Json{{"videos", summary}, {"options", opts.to_json()},
                          {"note", all_reused ? "nothing new: every result was reused, no matching was done" : ""}},
                     inputs, [&] {
                       Json outs = Json::array({Json{{"path", "run/last-run.json"}, {"sha256", sha256_hex(doc)}}});
                       for (const auto& m : res.maps)
                         outs.push_back(Json{{"path", fs::relative(m, the_case.dir, ec).string()}, {"sha256", sha256_file(m)}});
                       return outs;
                     }());
  return res;
}

}  // namespace geo::pipeline
