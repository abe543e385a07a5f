// SPDX-License-Identifier: Apache-2.0
#include "geo/events/record.hpp"

#include <algorithm>
#include <cctype>

#include "events/store.hpp"
#include "geo/core/error.hpp"
#include "geo/core/hash.hpp"

namespace geo::events {

std::vector<std::int64_t> record_match(const CaseInfo& c, const MatchResult& r, const std::string& media_sha256,
                                       const Json& extra) {
  std::vector<std::int64_t> ids;
  for (const auto& f : r.frames) {
    ObservationInput o;
    o.kind = "image_match";
    o.media_sha256 = media_sha256;
    o.parameters = Json{{"frame", f.frame}, {"status", f.status}, {"method", f.method},
                        {"imagery", r.imagery}, {"imagery_acquired", r.imagery_acquired ? Json(*r.imagery_acquired) : Json()},
                        {"imagery_acquired_source", r.imagery_acquired ? Json(r.imagery_acquired_source) : Json()},
                        {"inliers", f.inliers}, {"gates", f.gates}, {"outlier", f.outlier},
                        {"diagnostics", to_json(f.diagnostics)}};
    if (f.pts_s) o.parameters["pts_s"] = *f.pts_s;
    if (extra.is_object()) o.parameters.update(extra);
    if (f.status == FixStatus::located) {
      o.position = GeoPoint{f.center.lat_deg, f.center.lon_deg};
      o.uncertainty_m = std::max(f.error_m, r.reference_gsd_m);
      o.confidence = f.outlier ? f.confidence * 0.5 : f.confidence;
    } else {
      o.confidence = 0.0;
    }
    o.input_sha256 = {r.imagery_sha256};
    std::error_code ec;
    if (std::filesystem::is_regular_file(f.frame, ec)) o.input_sha256.push_back(sha256_file(f.frame));
    ids.push_back(add_observation(c, o));
  }
  return ids;
}

namespace {
Json observations_json(const std::vector<chrono::ShadowObservation>& obs) {
  Json arr = Json::array();
  for (const auto& ob : obs) arr.push_back(chrono::to_json(ob));
  return arr;
}

bool is_sha256_hex(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](unsigned char ch) { return std::isxdigit(ch) != 0; });
}

// `what`: how the user named it (a file name, or empty for the hash itself).
void require_media_in_case(const CaseInfo& c, const std::string& sha256, const std::string& what = {}) {
  for (const auto& m : list_media(c))
    if (m.sha256 == sha256) return;
  throw Error(Errc::not_found, "media " + (what.empty() ? sha256 : what + " (sha256 " + sha256 + ")") +
                                   " is not in the case " + c.dir.string() +
                                   ": add it first with geoev case add, or process it with geoev run");
}

// The measurement's media: its media_sha256 and an input hash (checked to be in the case).
void link_media(const CaseInfo& c, ObservationInput& o, const std::string& media_sha256) {
  if (media_sha256.empty()) return;
  require_media_in_case(c, media_sha256);
  o.media_sha256 = media_sha256;
  o.input_sha256.push_back(media_sha256);
}
}  // namespace

std::string case_media_sha256(const CaseInfo& c, const std::string& file_or_sha256) {
  std::error_code ec;
  std::string sha;
  if (fs::is_regular_file(file_or_sha256, ec)) {
    sha = sha256_file(file_or_sha256);
    require_media_in_case(c, sha, file_or_sha256);
    return sha;
  }
  if (!is_sha256_hex(file_or_sha256))
    throw Error(Errc::invalid_argument, "media " + file_or_sha256 +
                                            ": no such file, and not a SHA-256 (64 hexadecimal digits)");
  sha = file_or_sha256;
  std::transform(sha.begin(), sha.end(), sha.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  require_media_in_case(c, sha);
  return sha;
}

std::int64_t record_sun_when(const CaseInfo& c, const chrono::WhenOptions& opts, const chrono::WhenResult& r,
                             const std::string& media_sha256) {
  ObservationInput o;
  o.kind = "sun_shadow";
  link_media(c, o, media_sha256);
  o.parameters = chrono::to_json(r, opts.utc_offset_min);
  o.parameters["lat_deg"] = opts.lat_deg;
  o.parameters["lon_deg"] = opts.lon_deg;
  o.parameters["from_date"] = format_date(opts.from);
  o.parameters["to_date"] = format_date(opts.to);
  o.parameters["observations"] = observations_json(opts.observations);
  if (!r.windows.empty()) {
    o.time_from = r.windows.front().start;
    o.time_to = r.windows.back().end;
  }
  o.confidence = r.windows.empty() ? 0.0 : 1.0;
  return add_observation(c, o);
}

std::int64_t record_sun_where(const CaseInfo& c, const chrono::WhereOptions& opts, const chrono::WhereResult& r,
                              const std::string& band_path, const std::string& band_sha256,
                              const std::string& media_sha256) {
  ObservationInput o;
  o.kind = "sun_shadow_region";
  link_media(c, o, media_sha256);
  const auto tol_us = static_cast<std::int64_t>(opts.time_tol_min * 60e6);
  o.time_from = UtcTime{opts.time.unix_us - tol_us};
  o.time_to = UtcTime{opts.time.unix_us + tol_us};
  const std::string band_sha = band_sha256.empty() ? sha256_file(band_path) : band_sha256;
  o.parameters = Json{{"band_geojson", band_path}, {"band_sha256", band_sha}, {"area_km2", r.area_km2},
                      {"cell_count", r.cell_count}, {"resolution_deg", opts.resolution_deg},
                      {"empty_reason", r.empty_reason}, {"observations", observations_json(opts.observations)}};
  o.confidence = r.cell_count ? 1.0 : 0.0;
  return add_observation(c, o);
}

std::size_t record_frames(const CaseInfo& c, const FrameExtractResult& r) {
  using namespace detail;
  if (r.video_sha256.empty()) throw Error(Errc::invalid_argument, "frames: the result has no video sha256 to record");
  std::error_code ec;
  MediaRecord m;
  m.sha256 = r.video_sha256;
  const fs::path video_abs = fs::absolute(r.video, ec).lexically_normal();
  m.path = (ec ? fs::path(r.video) : video_abs).string();
  m.size_bytes = fs::file_size(r.video, ec);
  if (ec) m.size_bytes = 0;
  m.added_utc = format_utc(now_utc());
  const fs::path dir = fs::absolute(r.out_dir, ec).lexically_normal();
  std::size_t n = 0;
  write_action(c, [&](GDALDatasetH ds) {
    const bool new_media = !media_exists(ds, m.sha256);
    if (new_media) insert_media(ds, m);
    OGRLayerH l = layer(ds, "frames");
    for (const auto& [name, type] : frame_fields()) ensure_field(l, name, type);
    Json outputs = Json::array();
    for (const auto& f : r.frames) {
      adapters::FeaturePtr row{OGR_F_Create(OGR_L_GetLayerDefn(l))};
      const std::string path = (dir / f.file).string();
      set_str(row.get(), "media_sha256", r.video_sha256);
      set_i64(row.get(), "stream_index", r.stream_index);
      set_dbl(row.get(), "pts_s", f.pts_s);
      set_dbl(row.get(), "offset_s", f.offset_s);
      set_str(row.get(), "frame_sha256", f.sha256);
      set_str(row.get(), "path", path);
      set_str(row.get(), "added_utc", m.added_utc);
      if (f.utc) {
        set_str(row.get(), "utc", format_utc(f.utc->utc, 6));
        set_str(row.get(), "utc_source", f.utc->source);
      }
      set_i64(row.get(), "shot", f.shot);
      set_i64(row.get(), "subshot", f.subshot);
      set_str(row.get(), "phash", f.phash);
      set_i64(row.get(), "keyframe", f.keyframe ? 1 : 0);
      set_i64(row.get(), "width", f.width);
      set_i64(row.get(), "height", f.height);
      create_feature(l, row.get(), "frame row");
      outputs.push_back(Json{{"path", path}, {"sha256", f.sha256}});
      ++n;
    }
    append_custody(ds, "frames.extract",
                   Json{{"video", m.path}, {"out_dir", dir.string()}, {"frames", r.frames.size()},
                        {"media_added", new_media}, {"provenance", r.provenance}},
                   Json::array({Json{{"path", m.path}, {"sha256", r.video_sha256}}}), outputs);
  });
  return n;
}

}  // namespace geo::events
