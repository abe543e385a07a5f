// SPDX-License-Identifier: Apache-2.0
#include "geo/events/case.hpp"

#include <ogr_srs_api.h>
#include <signal.h>

#include <cerrno>
#include <cstdlib>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "events/store.hpp"
#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/file_read.hpp"
#include "geo/core/provenance.hpp"
#include "geo/core/text.hpp"
#include "geo/spatial/join.hpp"

namespace geo::events {

using namespace detail;

PrecisionClass precision_class(double u) noexcept {
  if (u <= 10.0) return PrecisionClass::exact;
  if (u <= 100.0) return PrecisionClass::vicinity;
  if (u <= 1000.0) return PrecisionClass::locality;
  return PrecisionClass::region;
}
const char* to_string(PrecisionClass c) noexcept {
  switch (c) {
    case PrecisionClass::exact: return "exact";
    case PrecisionClass::vicinity: return "vicinity";
    case PrecisionClass::locality: return "locality";
    case PrecisionClass::region: return "region";
  }
  return "?";
}

namespace {

struct FieldSpec {
  const char* name;
  OGRFieldType type;
};

void add_layer(GDALDatasetH ds, const char* name, bool point, const std::vector<FieldSpec>& fields) {
  OGRSpatialReferenceH srs = nullptr;
  if (point) {
    srs = OSRNewSpatialReference(nullptr);
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
  }
  adapters::GdalErrorCapture cap;
  OGRLayerH l = GDALDatasetCreateLayer(ds, name, srs, point ? wkbPoint : wkbNone, nullptr);
  if (srs) OSRRelease(srs);
  if (!l) throw Error(Errc::io, std::string("case.init: cannot create layer ") + name + " (GDAL: " + cap.message() + ")", "GDAL");
  for (const auto& f : fields) {
    OGRFieldDefnH fd = OGR_Fld_Create(f.name, f.type);
    OGR_L_CreateField(l, fd, TRUE);
    OGR_Fld_Destroy(fd);
  }
}

void add_layer_pairs(GDALDatasetH ds, const char* name, bool point,
                     const std::vector<std::pair<const char*, OGRFieldType>>& fields) {
  std::vector<FieldSpec> specs;
  for (const auto& [n, t] : fields) specs.push_back({n, t});
  add_layer(ds, name, point, specs);
}

const std::vector<FieldSpec>& event_fields() {
  static const std::vector<FieldSpec> f = {
      {"lat", OFTReal}, {"lon", OFTReal}, {"uncertainty_m", OFTReal}, {"precision_class", OFTString},
      {"time_from", OFTString}, {"time_to", OFTString}, {"observation_ids", OFTString}, {"media_sha256", OFTString},
      {"compound_id", OFTString}, {"compound_name", OFTString}, {"relation", OFTString}, {"distance_m", OFTReal},
      {"p_inside", OFTReal}, {"compounds", OFTString}, {"description", OFTString}, {"notes", OFTString},
      {"flags", OFTString}, {"created_utc", OFTString}, {"tool_version", OFTString},
      {"association_note", OFTString}, {"context", OFTString}, {"details", OFTString}};
  return f;
}

}  // namespace

namespace detail {
const std::vector<std::pair<const char*, OGRFieldType>>& frame_fields() {
  static const std::vector<std::pair<const char*, OGRFieldType>> f = {
      {"media_sha256", OFTString}, {"stream_index", OFTInteger}, {"pts_s", OFTReal},   {"frame_sha256", OFTString},
      {"path", OFTString},         {"added_utc", OFTString},     {"utc", OFTString},   {"utc_source", OFTString},
      {"offset_s", OFTReal},       {"shot", OFTInteger},         {"subshot", OFTInteger}, {"phash", OFTString},
      {"keyframe", OFTInteger},    {"width", OFTInteger},        {"height", OFTInteger}};
  return f;
}
}  // namespace detail

namespace {

fs::path absolute_of(const fs::path& p) {
  std::error_code ec;
  auto a = fs::absolute(p, ec);
  return ec ? p : a.lexically_normal();
}

Json ids_json(const std::vector<std::int64_t>& v) { return Json(v); }

}  // namespace

CaseInfo init_case(const fs::path& dir, const std::string& title) {
  std::error_code ec;
  if (fs::exists(dir, ec) && (!fs::is_directory(dir, ec) || !fs::is_empty(dir, ec)))
    throw Error(Errc::invalid_argument, "case.init: " + dir.string() + ": exists and is not an empty directory");
  fs::create_directories(dir, ec);
  if (ec) throw Error(Errc::io, "case.init: " + dir.string() + ": cannot create: " + ec.message());
  CaseInfo info{absolute_of(dir), title, format_utc(now_utc()), version()};
  const fs::path tmp = info.dir / ".case.tmp.gpkg";
  const std::string case_json =
      dump_json(Json{{"format", "geoev-case"}, {"format_version", kCaseFormatVersion}, {"title", to_valid_utf8(title)},
                     {"created_utc", info.created_utc}, {"tool_version", info.tool_version}},
                2) +
      "\n";
  try {
    {
      auto ds = adapters::create_vector(tmp, "GPKG", "case.init");
      add_layer(ds.get(), "media", false,
                {{"sha256", OFTString}, {"path", OFTString}, {"size_bytes", OFTInteger64}, {"added_utc", OFTString},
                 {"copy_path", OFTString}, {"probe_json", OFTString}, {"row_hash", OFTString},
                 {"path_hex", OFTString}});
      auto frames = frame_fields();
      frames.emplace_back("row_hash", OFTString);
      add_layer_pairs(ds.get(), "frames", false, frames);
      add_layer(ds.get(), "observations", true,
                {{"kind", OFTString}, {"lat", OFTReal}, {"lon", OFTReal}, {"uncertainty_m", OFTReal},
                 {"time_from", OFTString}, {"time_to", OFTString}, {"confidence", OFTReal},
                 {"media_sha256", OFTString}, {"parameters", OFTString}, {"tool_version", OFTString},
                 {"input_hashes", OFTString}, {"created_utc", OFTString}, {"row_hash", OFTString}});
      auto events = event_fields();
      events.push_back({"row_hash", OFTString});
      add_layer(ds.get(), "events", true, events);
      add_layer(ds.get(), "custody", false,
                {{"action", OFTString}, {"utc", OFTString}, {"tool_version", OFTString}, {"parameters", OFTString},
                 {"input_hashes", OFTString}, {"output_hashes", OFTString}, {"prev_hash", OFTString},
                 {"entry_hash", OFTString}, {"rows", OFTString}});
      GDALDatasetStartTransaction(ds.get(), FALSE);
      // The marker is bound to the chain: a rewritten case.json is reported by verify.
      append_custody(ds.get(), "case.init", Json{{"title", title}}, Json::array(),
                     Json::array({Json{{"path", "case.json"}, {"sha256", sha256_hex(case_json)}}}));
      if (GDALDatasetCommitTransaction(ds.get()) != OGRERR_NONE) throw Error(Errc::io, "case.init: commit failed");
      write_custody_head(ds.get(), info.dir);  // later actions rewrite it (write_action)
      adapters::close_dataset(ds, "case.init");
    }
    write_file_atomic(info.dir / "case.json", case_json);
    fs::rename(tmp, info.dir / "case.gpkg");
  } catch (...) {
    fs::remove(tmp, ec);
    fs::remove(info.dir / "case.json", ec);
    fs::remove(info.dir / kHeadFile, ec);
    throw;
  }
  return info;
}

CaseInfo open_case(const fs::path& dir) {
  std::error_code ec;
  const std::string hint = " (create one with: geoev case init --case DIR)";
  if (!fs::is_directory(dir, ec)) throw Error(Errc::not_found, "case: " + dir.string() + ": no such directory" + hint);
  if (!fs::exists(dir / "case.json", ec) || !fs::exists(dir / "case.gpkg", ec))
    throw Error(Errc::not_found, "case: " + dir.string() + ": is not a geoev case (no case.json/case.gpkg)" + hint);
  Json j;
  try {
    j = read_json_file(dir / "case.json");
  } catch (const Error&) {
    throw Error(Errc::corrupt_data, "case: " + dir.string() + ": case.json is not valid JSON: is this a geoev case?");
  }
  if (!j.is_object() || j.value("format", "") != "geoev-case")
    throw Error(Errc::not_found, "case: " + dir.string() + ": case.json is not a geoev case marker" + hint);
  return CaseInfo{absolute_of(dir), j.value("title", ""), j.value("created_utc", ""), j.value("tool_version", "")};
}

Json to_json(const MediaRecord& m) {
  Json j{{"id", m.id}, {"sha256", m.sha256}, {"path", m.path}, {"size_bytes", m.size_bytes},
         {"added_utc", m.added_utc}, {"copy_path", m.copy_path}, {"probe", m.probe}};
  if (!is_valid_utf8(m.path)) j["path_hex"] = hex_bytes(m.path);
  return j;
}

namespace detail {

bool media_exists(GDALDatasetH ds, const std::string& sha) {
  const std::string sql = "SELECT fid FROM media WHERE sha256 = '" + sha + "'";  // sha is hex: no quoting issue
  OGRLayerH res = GDALDatasetExecuteSQL(ds, sql.c_str(), nullptr, nullptr);
  bool found = false;
  if (res) {
    adapters::FeaturePtr f{OGR_L_GetNextFeature(res)};
    found = static_cast<bool>(f);
    GDALDatasetReleaseResultSet(ds, res);
  }
  return found;
}

void insert_media(GDALDatasetH ds, const MediaRecord& m) {
  OGRLayerH l = layer(ds, "media");
  adapters::FeaturePtr f{OGR_F_Create(OGR_L_GetLayerDefn(l))};
  set_str(f.get(), "sha256", m.sha256);
  set_str(f.get(), "path", m.path);
  // A path that is not UTF-8 (a Latin-1 name) is stored for display with U+FFFD and exactly as hex.
  if (!is_valid_utf8(m.path)) set_str(f.get(), "path_hex", hex_bytes(m.path));
  set_i64(f.get(), "size_bytes", static_cast<std::int64_t>(m.size_bytes));
  set_str(f.get(), "added_utc", m.added_utc);
  set_str(f.get(), "copy_path", m.copy_path);
  if (!m.probe.is_null()) set_str(f.get(), "probe_json", dump_json(m.probe));
  create_feature(l, f.get(), "media row");
}

}  // namespace detail

namespace {

MediaRecord media_from(OGRFeatureH f) {
  MediaRecord m;
  m.id = OGR_F_GetFID(f);
  m.sha256 = get_str(f, "sha256");
  m.path = get_str(f, "path");
  if (const auto hex = get_str(f, "path_hex"); !hex.empty()) {
    try {
      m.path = bytes_from_hex(hex);
    } catch (const Error&) {
      // an edited row: verify reports it by its content hash
    }
  }
  m.size_bytes = static_cast<std::uint64_t>(get_dbl(f, "size_bytes"));
  m.added_utc = get_str(f, "added_utc");
  m.copy_path = get_str(f, "copy_path");
  const auto pj = get_str(f, "probe_json");
  if (!pj.empty()) m.probe = Json::parse(pj, nullptr, false);
  return m;
}

// Temporaries in originals/ left by a copy whose process is gone (killed mid-copy): removed under the
// case's write lock, each named in a diagnostic. A temporary of a live process is left alone.
void remove_stale_copies(const CaseInfo& c, Diagnostics& diag) {
  std::error_code ec;
  for (fs::directory_iterator it(c.dir / "originals", ec), end; !ec && it != end; it.increment(ec)) {
    if (is_stale_temporary(it->path())) {
      std::error_code rm;
      const auto size = fs::file_size(it->path(), rm);
      if (fs::remove(it->path(), rm))
        diag.info("case.stale_temporary_removed",
                  "removed a temporary of an interrupted copy (" + std::to_string(rm ? 0 : size) + " bytes)", it->path().string());
    }
  }
}

// Copies into originals/ (atomically, then read-only). Returns the relative path.
std::string keep_copy(const CaseInfo& c, const fs::path& src, const std::string& sha) {
  const fs::path rel = fs::path("originals") / (sha + src.extension().string());
  const fs::path dst = c.dir / rel;
  std::error_code ec;
  fs::create_directories(dst.parent_path(), ec);
  if (fs::exists(dst, ec)) return rel.string();
  AtomicFile out(dst);
  fs::copy_file(src, out.temp_path(), fs::copy_options::overwrite_existing, ec);
  if (ec) throw Error(Errc::io, "case.add: cannot copy " + src.string() + ": " + ec.message());
  if (sha256_file(out.temp_path()) != sha)
    throw Error(Errc::io, "case.add: " + src.string() + ": changed while being copied");
  fs::permissions(out.temp_path(), fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read,
                  fs::perm_options::replace, ec);
  out.commit();
  return rel.string();
}

std::int64_t insert_observation(GDALDatasetH ds, const ObservationInput& o, const std::string& created) {
  OGRLayerH l = layer(ds, "observations");
  adapters::FeaturePtr f{OGR_F_Create(OGR_L_GetLayerDefn(l))};
  set_str(f.get(), "kind", o.kind);
  if (o.position) {
    set_point(f.get(), *o.position);
    set_dbl(f.get(), "lat", o.position->lat_deg);
    set_dbl(f.get(), "lon", o.position->lon_deg);
    set_dbl(f.get(), "uncertainty_m", o.uncertainty_m);
  }
  set_str(f.get(), "time_from", opt_time(o.time_from));
  set_str(f.get(), "time_to", opt_time(o.time_to));
  set_dbl(f.get(), "confidence", o.confidence);
  set_str(f.get(), "media_sha256", o.media_sha256);
  set_str(f.get(), "parameters", dump_json(o.parameters));
  set_str(f.get(), "tool_version", o.tool_version.empty() ? std::string(version()) : o.tool_version);
  set_str(f.get(), "input_hashes", dump_json(Json(o.input_sha256)));
  set_str(f.get(), "created_utc", created);
  create_feature(l, f.get(), "observation");
  return OGR_F_GetFID(f.get());
}

}  // namespace

std::vector<MediaRecord> add_media(const CaseInfo& c, const std::vector<fs::path>& files, const AddMediaOptions& opts,
                                   Diagnostics& diag, const ProgressFn& progress) {
  std::vector<MediaRecord> recs;
  std::vector<std::optional<MediaInfo>> infos;
  std::error_code ec;
  for (const auto& f : files) {
    if (!fs::exists(f, ec)) throw Error(Errc::not_found, "case.add: " + f.string() + ": no such file");
    if (!fs::is_regular_file(f, ec)) throw Error(Errc::invalid_argument, "case.add: " + f.string() + ": not a regular file");
  }
  std::size_t i = 0;
  for (const auto& f : files) {
    MediaRecord m;
    m.path = absolute_of(f).string();
    const ProgressFn per_file = [&](double frac, std::string_view stage) {
      report(progress, (static_cast<double>(i) + frac) / static_cast<double>(files.size()), stage);
    };
    std::optional<MediaInfo> info;
    if (opts.probe) {
      try {
        info = probe_media(f, ProbeOptions{}, per_file);
        m.sha256 = info->sha256;
        m.probe = to_json(*info);
      } catch (const Error& e) {
        diag.warn("case.probe_failed", std::string("recorded by hash only: ") + e.what(), m.path);
      }
    }
    if (m.sha256.empty()) m.sha256 = sha256_file(f, per_file);
    m.size_bytes = fs::file_size(f);
    infos.push_back(std::move(info));
    m.added_utc = format_utc(now_utc());
    recs.push_back(std::move(m));
    ++i;
  }
  std::vector<MediaRecord> added;
  write_action(c, [&](GDALDatasetH ds) {
    Json inputs = Json::array(), outputs = Json::array();
    if (opts.copy) remove_stale_copies(c, diag);
    for (auto& m : recs) {
      if (media_exists(ds, m.sha256)) {
        diag.info("case.duplicate_media", "already in the case (same sha256); not added again", m.path);
        continue;
      }
      if (opts.copy) m.copy_path = keep_copy(c, m.path, m.sha256);
      insert_media(ds, m);
      inputs.push_back(Json{{"path", m.path}, {"sha256", m.sha256}, {"size_bytes", m.size_bytes}});
      if (!m.copy_path.empty()) outputs.push_back(Json{{"path", m.copy_path}, {"sha256", m.sha256}});
      added.push_back(m);
    }
    append_custody(ds, "case.add", Json{{"copy", opts.copy}, {"files", recs.size()}, {"added", added.size()}}, inputs, outputs);
  });
  // Metadata GPS and telemetry of newly added media become observations (one more custody entry each).
  for (std::size_t k = 0; k < recs.size(); ++k) {
    const bool is_new = std::any_of(added.begin(), added.end(), [&](const MediaRecord& a) { return a.sha256 == recs[k].sha256; });
    if (is_new && infos[k]) record_probe(c, *infos[k]);
  }
  return added;
}

void ObservationInput::validate() const {
  if (kind.empty()) throw Error(Errc::invalid_argument, "observation: kind is required");
  if (position) {
    geo::validate(*position, "observation position");
    if (!std::isfinite(uncertainty_m) || uncertainty_m < 0)
      throw Error(Errc::invalid_argument, "observation: uncertainty must be >= 0 metres");
  }
  if (!(confidence >= 0 && confidence <= 1)) throw Error(Errc::invalid_argument, "observation: confidence must be in [0,1]");
  if (time_from && time_to && *time_to < *time_from)
    throw Error(Errc::invalid_argument, "observation: time window ends before it starts");
}

Json to_json(const Observation& o) {
  Json j{{"id", o.id}, {"kind", o.in.kind}};
  j["position"] = o.in.position ? to_json(*o.in.position) : Json();
  j["uncertainty_m"] = o.in.position ? Json(o.in.uncertainty_m) : Json();
  if (o.in.position) j["precision_class"] = to_string(precision_class(o.in.uncertainty_m));
  j["time_from"] = o.in.time_from ? Json(format_utc(*o.in.time_from, 3)) : Json();
  j["time_to"] = o.in.time_to ? Json(format_utc(*o.in.time_to, 3)) : Json();
  j["confidence"] = o.in.confidence;
  j["media_sha256"] = o.in.media_sha256;
  j["parameters"] = o.in.parameters;
  j["tool_version"] = o.in.tool_version;
  j["input_sha256"] = o.in.input_sha256;
  j["created_utc"] = o.created_utc;
  return j;
}

std::int64_t add_observation(const CaseInfo& c, const ObservationInput& obs) {
  obs.validate();
  std::int64_t id = 0;
  write_action(c, [&](GDALDatasetH ds) {
    id = insert_observation(ds, obs, format_utc(now_utc()));
    append_custody(ds, "observation.add", Json{{"kind", obs.kind}, {"observation_id", id}, {"parameters", obs.parameters}},
                   Json(obs.input_sha256), Json::array());
  });
  return id;
}

std::vector<std::int64_t> record_probe(const CaseInfo& c, const MediaInfo& info) {
  MediaRecord m;
  m.path = absolute_of(info.path).string();
  m.sha256 = info.sha256.empty() ? sha256_file(info.path) : info.sha256;
  m.size_bytes = info.size_bytes ? info.size_bytes : fs::file_size(info.path);
  m.added_utc = format_utc(now_utc());
  m.probe = to_json(info);
  std::optional<UtcTime> created;
  if (info.created) created = info.created->utc;
  std::vector<ObservationInput> obs;
  // A location probe took from the telemetry track is recorded once, as the telemetry observation.
  const bool location_is_telemetry = info.location && info.location->source.rfind("telemetry", 0) == 0;
  if (info.location && !location_is_telemetry) {
    ObservationInput o;
    o.kind = "metadata_gps";
    o.position = GeoPoint{info.location->point.lat_deg, info.location->point.lon_deg};
    // Phone and camera metadata positions carry no error estimate: 30 m assumed, and said so.
    o.uncertainty_m = 30.0;
    o.time_from = o.time_to = created;
    o.media_sha256 = m.sha256;
    o.confidence = 0.7;
    o.parameters = Json{{"source", info.location->source}, {"uncertainty_assumed", true},
                        {"time_source", info.created ? info.created->source : std::string()}};
    o.input_sha256 = {m.sha256};
    obs.push_back(o);
  }
  if (info.telemetry) {
    std::vector<const TelemetrySample*> locked;
    for (const auto& s : info.telemetry->samples)
      if (s.locked && is_valid(s.point)) locked.push_back(&s);
    if (!locked.empty()) {
      ObservationInput o;
      o.kind = "telemetry";
      o.position = GeoPoint{locked.front()->point.lat_deg, locked.front()->point.lon_deg};
      double extent = 0;
      for (const auto* s : locked) extent = std::max(extent, geodesic_inverse(*o.position, s->point).distance_m);
      o.uncertainty_m = std::max(10.0, extent);  // the camera moved within this radius of its first fix
      if (locked.front()->utc && locked.back()->utc) {
        o.time_from = locked.front()->utc;
        o.time_to = locked.back()->utc;
      } else {
        o.time_from = o.time_to = created;
      }
      o.media_sha256 = m.sha256;
      o.confidence = 0.8;
      o.parameters = Json{{"samples", locked.size()}, {"track_extent_m", extent},
                          {"source", info.telemetry->source}, {"file", info.telemetry->file}};
      o.input_sha256 = {m.sha256};
      obs.push_back(o);
    }
  }
  std::vector<std::int64_t> ids;
  write_action(c, [&](GDALDatasetH ds) {
    if (!media_exists(ds, m.sha256)) insert_media(ds, m);
    const std::string now = format_utc(now_utc());
    for (const auto& o : obs) ids.push_back(insert_observation(ds, o, now));
    append_custody(ds, "probe", Json{{"observations", ids}}, Json::array({Json{{"path", m.path}, {"sha256", m.sha256}}}),
                   Json::array());
  });
  return ids;
}

namespace {
// Every feature of a layer, converted by `from`, inside an already open read action.
template <class T, class From>
std::vector<T> read_layer(GDALDatasetH ds, const char* name, From from) {
  std::vector<T> out;
  OGRLayerH l = layer(ds, name);
  OGR_L_ResetReading(l);
  while (adapters::FeaturePtr f{OGR_L_GetNextFeature(l)}) out.push_back(from(f.get()));
  return out;
}
}  // namespace

std::vector<MediaRecord> list_media(const CaseInfo& c) {
  std::vector<MediaRecord> out;
  read_action(c, [&](GDALDatasetH ds) { out = read_layer<MediaRecord>(ds, "media", media_from); });
  return out;
}

std::vector<Observation> list_observations(const CaseInfo& c) {
  std::vector<Observation> out;
  read_action(c, [&](GDALDatasetH ds) {
    OGRLayerH l = layer(ds, "observations");
    OGR_L_ResetReading(l);
    while (adapters::FeaturePtr f{OGR_L_GetNextFeature(l)}) {
      Observation o;
      o.id = OGR_F_GetFID(f.get());
      o.in.kind = get_str(f.get(), "kind");
      if (!get_str(f.get(), "lat").empty())
        o.in.position = GeoPoint{get_dbl(f.get(), "lat"), get_dbl(f.get(), "lon")};
      o.in.uncertainty_m = get_dbl(f.get(), "uncertainty_m");
      o.in.time_from = parse_opt_time(get_str(f.get(), "time_from"));
      o.in.time_to = parse_opt_time(get_str(f.get(), "time_to"));
      o.in.confidence = get_dbl(f.get(), "confidence", 1.0);
      o.in.media_sha256 = get_str(f.get(), "media_sha256");
      o.in.parameters = Json::parse(get_str(f.get(), "parameters"), nullptr, false);
      o.in.tool_version = get_str(f.get(), "tool_version");
      const Json ih = Json::parse(get_str(f.get(), "input_hashes"), nullptr, false);
      if (ih.is_array())
        for (const auto& h : ih) o.in.input_sha256.push_back(h.get<std::string>());
      o.created_utc = get_str(f.get(), "created_utc");
      out.push_back(std::move(o));
    }
  });
  return out;
}

void EventInput::validate() const {
  if (!position && observation_ids.empty())
    throw Error(Errc::invalid_argument, "events.add: give a position (--at LAT,LON --uncertainty-m M) or observations");
  if (position) {
    geo::validate(*position, "events.add: position");
    if (!uncertainty_m) throw Error(Errc::invalid_argument, "events.add: a position needs its uncertainty in metres");
  }
  if (uncertainty_m && (!std::isfinite(*uncertainty_m) || *uncertainty_m < 0))
    throw Error(Errc::invalid_argument, "events.add: uncertainty must be a finite number of metres >= 0");
  if (time_from && time_to && *time_to < *time_from)
    throw Error(Errc::invalid_argument, "events.add: time window ends before it starts (--to before --from)");
  if (std::isnan(max_distance_m) || max_distance_m <= 0)
    throw Error(Errc::invalid_argument, "events.add: --max-distance-m must be a number of metres > 0");
  if (!std::isfinite(within_m) || within_m < 0)
    throw Error(Errc::invalid_argument, "events.add: --within-m must be a finite number of metres >= 0");
  if (!details.is_object()) throw Error(Errc::invalid_argument, "events.add: details must be a JSON object");
}

Json to_json(const Event& e) {
  Json j{{"id", e.id}, {"position", to_json(e.position)}, {"uncertainty_m", round_to(e.uncertainty_m, 3)},
         {"precision_class", to_string(e.precision)}};
  j["time_from"] = e.time_from ? Json(format_utc(*e.time_from, 3)) : Json();
  j["time_to"] = e.time_to ? Json(format_utc(*e.time_to, 3)) : Json();
  j["observation_ids"] = e.observation_ids;
  j["media_sha256"] = e.media_sha256;
  j["compound"] = e.compound_id.empty()
                      ? Json()
                      : Json{{"compound_id", e.compound_id}, {"name", e.compound_name}, {"relation", e.relation},
                             {"distance_m", round_to(e.distance_m, 3)}, {"p_inside", round_to(e.p_inside, 4)}};
  j["relation"] = e.relation;
  j["compounds"] = e.compounds;
  j["association_note"] = e.association_note;
  j["context"] = e.context;
  j["description"] = e.description;
  j["notes"] = e.notes;
  j["flags"] = e.flags;
  if (!e.details.empty()) j["details"] = e.details;
  j["created_utc"] = e.created_utc;
  j["tool_version"] = e.tool_version;
  return j;
}

namespace {

Event event_from(OGRFeatureH f) {
  Event e;
  e.id = OGR_F_GetFID(f);
  e.position = GeoPoint{get_dbl(f, "lat"), get_dbl(f, "lon")};
  e.uncertainty_m = get_dbl(f, "uncertainty_m");
  e.precision = precision_class(e.uncertainty_m);
  e.time_from = parse_opt_time(get_str(f, "time_from"));
  e.time_to = parse_opt_time(get_str(f, "time_to"));
  const Json ids = Json::parse(get_str(f, "observation_ids"), nullptr, false);
  if (ids.is_array()) e.observation_ids = ids.get<std::vector<std::int64_t>>();
  const Json med = Json::parse(get_str(f, "media_sha256"), nullptr, false);
  if (med.is_array()) e.media_sha256 = med.get<std::vector<std::string>>();
  e.compound_id = get_str(f, "compound_id");
  e.compound_name = get_str(f, "compound_name");
  e.relation = get_str(f, "relation");
  e.distance_m = get_dbl(f, "distance_m", -1.0);
  e.p_inside = get_dbl(f, "p_inside");
  e.compounds = Json::parse(get_str(f, "compounds"), nullptr, false);
  if (e.compounds.is_discarded()) e.compounds = Json::array();
  e.association_note = get_str(f, "association_note");
  const auto ctx = get_str(f, "context");
  if (!ctx.empty()) e.context = Json::parse(ctx, nullptr, false);
  if (e.context.is_discarded()) e.context = Json::object();
  if (e.relation.empty()) e.relation = "none";
  e.description = get_str(f, "description");
  e.notes = get_str(f, "notes");
  const Json fl = Json::parse(get_str(f, "flags"), nullptr, false);
  if (fl.is_array()) e.flags = fl.get<std::vector<std::string>>();
  const auto details = get_str(f, "details");
  if (!details.empty()) e.details = Json::parse(details, nullptr, false);
  if (e.details.is_discarded()) e.details = Json::object();
  e.created_utc = get_str(f, "created_utc");
  e.tool_version = get_str(f, "tool_version");
  return e;
}

// Place from positioned observations: inverse-variance mean (sigma_i = radius_i) on a local plane;
// any pair farther apart than the sum of radii is inconsistent: flag it and widen to cover all discs.
void combine_place(const std::vector<Observation>& obs, Event& e, Diagnostics& diag) {
  std::vector<const Observation*> pos;
  for (const auto& o : obs)
    if (o.in.position) pos.push_back(&o);
  if (pos.empty()) throw Error(Errc::invalid_argument, "events.add: none of the observations has a position; give --at LAT,LON");
  const GeoPoint ref = *pos[0]->in.position;
  double wsum = 0, x = 0, y = 0;
  for (const auto* o : pos) {
    const double s = std::max(o->in.uncertainty_m, 0.5);
    const auto g = geodesic_inverse(ref, *o->in.position);
    const double w = 1.0 / (s * s), az = g.azimuth1_deg * M_PI / 180.0;
    x += w * g.distance_m * std::sin(az);
    y += w * g.distance_m * std::cos(az);
    wsum += w;
  }
  x /= wsum;
  y /= wsum;
  const double az = std::atan2(x, y) * 180.0 / M_PI;
  e.position = geodesic_direct(ref, az, std::hypot(x, y));
  e.uncertainty_m = 1.0 / std::sqrt(wsum);
  bool consistent = true;
  for (std::size_t i = 0; i < pos.size(); ++i)
    for (std::size_t j = i + 1; j < pos.size(); ++j) {
      const double d = geodesic_inverse(*pos[i]->in.position, *pos[j]->in.position).distance_m;
      if (d > pos[i]->in.uncertainty_m + pos[j]->in.uncertainty_m) {
        consistent = false;
        diag.warn("events.inconsistent_observations",
                  "observations " + std::to_string(pos[i]->id) + " and " + std::to_string(pos[j]->id) + " are " +
                      std::to_string(static_cast<long>(std::lround(d))) +
                      " m apart, more than their uncertainties allow; the event covers both",
                  "event");
      }
    }
  if (!consistent) {
    e.flags.push_back("inconsistent_observations");
    double cover = 0;
    for (const auto* o : pos)
      cover = std::max(cover, geodesic_inverse(e.position, *o->in.position).distance_m + o->in.uncertainty_m);
    e.uncertainty_m = cover;
  }
}

// Time window: intersection of the observations' windows; empty intersection -> flag and use the union.
void combine_time(const std::vector<Observation>& obs, Event& e, Diagnostics& diag) {
  std::optional<UtcTime> lo, hi, ulo, uhi;
  for (const auto& o : obs) {
    const auto a = o.in.time_from ? o.in.time_from : o.in.time_to;
    const auto b = o.in.time_to ? o.in.time_to : o.in.time_from;
    if (!a) continue;
    lo = lo ? std::max(*lo, *a) : *a;
    hi = hi ? std::min(*hi, *b) : *b;
    ulo = ulo ? std::min(*ulo, *a) : *a;
    uhi = uhi ? std::max(*uhi, *b) : *b;
  }
  if (!lo) return;
  if (*hi < *lo) {
    e.flags.push_back("inconsistent_times");
    diag.warn("events.inconsistent_times", "the observations' time windows do not overlap; the event spans all of them", "event");
    e.time_from = ulo;
    e.time_to = uhi;
  } else {
    e.time_from = lo;
    e.time_to = hi;
  }
}

}  // namespace

Event add_event(const CaseInfo& c, const EventInput& in, Diagnostics& diag) {
  in.validate();
  Event e;
  if (!in.observation_ids.empty()) {
    const auto all = list_observations(c);
    std::vector<Observation> chosen;
    for (auto id : in.observation_ids) {
      auto it = std::find_if(all.begin(), all.end(), [&](const Observation& o) { return o.id == id; });
      if (it == all.end()) throw Error(Errc::not_found, "events.add: no observation " + std::to_string(id) + " in the case");
      chosen.push_back(*it);
    }
    if (!in.position) combine_place(chosen, e, diag);
    combine_time(chosen, e, diag);
    for (const auto& o : chosen)
      if (!o.in.media_sha256.empty() &&
          std::find(e.media_sha256.begin(), e.media_sha256.end(), o.in.media_sha256) == e.media_sha256.end())
        e.media_sha256.push_back(o.in.media_sha256);
  }
  if (in.position) {
    e.position = *in.position;
    e.uncertainty_m = *in.uncertainty_m;
  } else if (in.uncertainty_m) {
    e.uncertainty_m = std::max(e.uncertainty_m, *in.uncertainty_m);
  }
  if (in.time_from) e.time_from = in.time_from;
  if (in.time_to) e.time_to = in.time_to;
  if (e.time_from && e.time_to && *e.time_to < *e.time_from)
    throw Error(Errc::invalid_argument, "events.add: time window ends before it starts");
  for (const auto& m : in.media_sha256)
    if (std::find(e.media_sha256.begin(), e.media_sha256.end(), m) == e.media_sha256.end()) e.media_sha256.push_back(m);
  e.observation_ids = in.observation_ids;
  e.precision = precision_class(e.uncertainty_m);
  e.description = in.description;
  e.notes = in.notes;
  e.details = in.details;
  for (const auto& fl : in.flags)
    if (std::find(e.flags.begin(), e.flags.end(), fl) == e.flags.end()) e.flags.push_back(fl);
  e.tool_version = version();
  e.created_utc = format_utc(now_utc());
  // Compound association: compounds and zones only, within the cap; the rest is context.
  std::vector<std::string> registry_hashes;
  e.relation = "none";
  try {
    const auto reg = spatial::load_selected_registry(in.compounds);
    registry_hashes = reg.sha256;
    const spatial::CompoundIndex index(reg);
    spatial::AssociationOptions ao;
    ao.join.uncertainty_m = e.uncertainty_m;
    ao.join.within_m = in.within_m;
    ao.join.max_results = 3;
    ao.join.max_distance_m = in.max_distance_m;
    std::optional<spatial::Gazetteer> gaz;
    if (in.town_context) {
      try {
        gaz.emplace(spatial::shipped_gazetteer_path());
        ao.gazetteer = &*gaz;
        registry_hashes.push_back(gaz->sha256());
      } catch (const Error& err) {
        diag.warn("events.no_gazetteer", std::string("no town context: ") + err.what(), "event");
      }
    }
    const auto a = spatial::associate(index, e.position, ao);
    for (const auto& h : a.sites) e.compounds.push_back(to_json(h));
    Json reg_ctx = Json::array();
    for (const auto& h : a.context) reg_ctx.push_back(to_json(h));
    e.context = Json{{"registry", reg_ctx}, {"town", a.town ? to_json(*a.town) : Json()},
                     {"max_distance_m", std::isfinite(in.max_distance_m) ? Json(in.max_distance_m) : Json()}};
    if (a.nearest_site_beyond_cap) e.context["nearest_site_beyond_cap"] = to_json(*a.nearest_site_beyond_cap);
    e.relation = a.relation;
    e.association_note = a.note;
    if (!a.sites.empty()) {
      e.compound_id = a.sites[0].compound_id;
      e.compound_name = a.sites[0].name;
      e.distance_m = a.sites[0].distance_m;
      e.p_inside = a.sites[0].p_inside;
    } else {
      diag.info("events.no_compound", a.note, "event");
    }
  } catch (const Error& err) {
    if (!in.compounds.replace.empty() || !in.compounds.extend.empty()) throw;
    diag.warn("events.no_registry", std::string("no compound association: ") + err.what(), "event");
  }
  write_action(c, [&](GDALDatasetH ds) {
    // Media must be in the case.
    for (const auto& m : e.media_sha256)
      if (!media_exists(ds, m)) throw Error(Errc::not_found, "events.add: media " + m + " is not in the case (add it with geoev case add)");
    OGRLayerH l = layer(ds, "events");
    for (const auto& spec : event_fields()) ensure_field(l, spec.name, spec.type);  // cases made before a field existed
    adapters::FeaturePtr f{OGR_F_Create(OGR_L_GetLayerDefn(l))};
    set_point(f.get(), e.position);
    set_dbl(f.get(), "lat", e.position.lat_deg);
    set_dbl(f.get(), "lon", e.position.lon_deg);
    set_dbl(f.get(), "uncertainty_m", e.uncertainty_m);
    set_str(f.get(), "precision_class", to_string(e.precision));
    set_str(f.get(), "time_from", opt_time(e.time_from));
    set_str(f.get(), "time_to", opt_time(e.time_to));
    set_str(f.get(), "observation_ids", dump_json(ids_json(e.observation_ids)));
    set_str(f.get(), "media_sha256", dump_json(Json(e.media_sha256)));
    set_str(f.get(), "compound_id", e.compound_id);
    set_str(f.get(), "compound_name", e.compound_name);
    set_str(f.get(), "relation", e.relation);
    if (!e.compound_id.empty()) {
      set_dbl(f.get(), "distance_m", e.distance_m);
      set_dbl(f.get(), "p_inside", e.p_inside);
    }
    set_str(f.get(), "compounds", dump_json(e.compounds));
    set_str(f.get(), "association_note", e.association_note);
    set_str(f.get(), "context", dump_json(e.context));
    set_str(f.get(), "description", e.description);
    set_str(f.get(), "notes", e.notes);
    set_str(f.get(), "flags", dump_json(Json(e.flags)));
    if (!e.details.empty()) set_str(f.get(), "details", dump_json(e.details));
    set_str(f.get(), "created_utc", e.created_utc);
    set_str(f.get(), "tool_version", e.tool_version);
    create_feature(l, f.get(), "event");
    e.id = OGR_F_GetFID(f.get());
    Json inputs = Json(e.media_sha256);
    for (const auto& h : registry_hashes) inputs.push_back(h);
    append_custody(ds, "events.add",
                   Json{{"event_id", e.id}, {"observation_ids", e.observation_ids}, {"compounds", in.compounds.replace},
                        {"compounds_extend", in.compounds.extend}, {"within_m", in.within_m},
                        {"max_distance_m", std::isfinite(in.max_distance_m) ? Json(in.max_distance_m) : Json()}},
                   inputs, Json::array({sha256_hex(dump_json(to_json(e)))}));
  });
  return e;
}

void log_action(const CaseInfo& c, const std::string& action, const Json& parameters, const Json& inputs,
                const Json& outputs) {
  if (action.empty()) throw Error(Errc::invalid_argument, "case.log: an action needs a name");
  write_action(c, [&](GDALDatasetH ds) { append_custody(ds, action, parameters, inputs, outputs); });
}

std::vector<Event> list_events(const CaseInfo& c) {
  std::vector<Event> out;
  read_action(c, [&](GDALDatasetH ds) { out = read_layer<Event>(ds, "events", event_from); });
  return out;
}

Json to_json(const CustodyEntry& e) {
  return Json{{"id", e.id}, {"action", e.action}, {"utc", e.utc}, {"tool_version", e.tool_version},
              {"parameters", e.parameters}, {"input_hashes", e.input_hashes}, {"output_hashes", e.output_hashes},
              {"rows", e.rows}, {"prev_hash", e.prev_hash}, {"entry_hash", e.entry_hash}};
}

namespace {

// The log in order; with `problems`, the chain is checked entry by entry.
std::vector<CustodyEntry> read_custody(GDALDatasetH ds, std::vector<VerifyProblem>* problems) {
  std::vector<CustodyEntry> out;
  OGRLayerH l = layer(ds, "custody");
  OGR_L_ResetReading(l);
  std::string prev;
  bool broken = false;
  while (adapters::FeaturePtr f{OGR_L_GetNextFeature(l)}) {
    CustodyEntry e;
    e.id = OGR_F_GetFID(f.get());
    e.action = get_str(f.get(), "action");
    e.utc = get_str(f.get(), "utc");
    e.tool_version = get_str(f.get(), "tool_version");
    const auto p = get_str(f.get(), "parameters"), i = get_str(f.get(), "input_hashes"), o = get_str(f.get(), "output_hashes");
    const auto rows = get_str(f.get(), "rows");
    e.parameters = Json::parse(p, nullptr, false);
    e.input_hashes = Json::parse(i, nullptr, false);
    e.output_hashes = Json::parse(o, nullptr, false);
    e.rows = rows.empty() ? Json::array() : Json::parse(rows, nullptr, false);
    e.prev_hash = get_str(f.get(), "prev_hash");
    e.entry_hash = get_str(f.get(), "entry_hash");
    if (problems && !broken) {
      const std::string at = "custody entry " + std::to_string(e.id) + " (" + printable(e.action) + ")";
      if (e.prev_hash != prev) {
        problems->push_back({"custody_broken", at, "does not follow the previous entry: an entry was removed, inserted or reordered"});
        broken = true;
      } else if (custody_hash(prev, e.action, e.utc, e.tool_version, p, i, o, rows) != e.entry_hash) {
        problems->push_back({"custody_altered", at, "was altered: its content no longer gives its hash"});
        broken = true;
      }
    }
    prev = e.entry_hash;
    out.push_back(std::move(e));
  }
  return out;
}

struct RowState {
  std::string stored, actual;
};

// Every row of the bound layers: fid -> stored row_hash and the hash of its content now.
std::map<std::string, std::map<std::int64_t, RowState>> read_rows(GDALDatasetH ds) {
  std::map<std::string, std::map<std::int64_t, RowState>> out;
  for (const char* name : bound_layers()) {
    OGRLayerH l = layer(ds, name);
    auto& rows = out[name];
    OGR_L_ResetReading(l);
    while (adapters::FeaturePtr f{OGR_L_GetNextFeature(l)})
      rows[OGR_F_GetFID(f.get())] = RowState{get_str(f.get(), "row_hash"), row_hash(f.get())};
  }
  return out;
}

// Hidden temporaries an interrupted command left in the case (atomic writes, copies into originals/).
std::vector<fs::path> leftover_temporaries(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const fs::path& d : {dir, dir / "originals"}) {
    std::error_code ec;
    for (fs::directory_iterator it(d, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string n = it->path().filename().string();
      if (!n.empty() && n[0] == '.' && (n.find(".tmp-") != std::string::npos || n.rfind(".case.tmp", 0) == 0))
        out.push_back(it->path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string short_hash(const std::string& h) { return h.substr(0, 16); }

// bound_case: made by a geoev that binds rows from case init on, so every row must be bound.
void check_rows(const std::vector<CustodyEntry>& log, const std::map<std::string, std::map<std::int64_t, RowState>>& rows,
                bool bound_case, VerifyReport& rep) {
  // What the log committed to: the latest entry naming each row.
  std::map<std::string, std::map<std::int64_t, std::pair<std::string, std::int64_t>>> committed;
  for (const auto& e : log) {
    if (!e.rows.is_array()) continue;
    for (const auto& r : e.rows)
      if (r.is_array() && r.size() == 3 && r[0].is_string() && r[1].is_number_integer() && r[2].is_string())
        committed[r[0].get<std::string>()][r[1].get<std::int64_t>()] = {r[2].get<std::string>(), e.id};
  }
  for (const auto& [name, layer_rows] : rows) {
    const auto& com = committed[name];
    const std::int64_t first_bound = com.empty() ? std::numeric_limits<std::int64_t>::max() : com.begin()->first;
    std::size_t legacy = 0;
    for (const auto& [fid, st] : layer_rows) {
      const std::string what = name + " row " + std::to_string(fid);
      const auto it = com.find(fid);
      if (it == com.end()) {
        // Rows older than the first bound one were made before rows were bound (geoev < 0.2): counted.
        if (!bound_case && fid < first_bound && st.stored.empty()) ++legacy;
        else rep.problems.push_back({"row_inserted", what, "is not recorded by any custody entry (added outside geoev)"});
        continue;
      }
      if (st.actual != it->second.first)
        rep.problems.push_back({"row_edited", what,
                                "differs from what custody entry " + std::to_string(it->second.second) + " recorded (content hash " +
                                    short_hash(st.actual) + ", recorded " + short_hash(it->second.first) + ")"});
    }
    for (const auto& [fid, h] : com)
      if (!layer_rows.count(fid))
        rep.problems.push_back({"row_deleted", name + " row " + std::to_string(fid),
                                "recorded by custody entry " + std::to_string(h.second) + " is missing"});
    if (legacy) rep.notes.push_back(std::to_string(legacy) + " " + name + " rows predate row binding (made by an earlier geoev): their content is not checked");
  }
}

void check_head(const CaseInfo& c, const std::vector<CustodyEntry>& log, const VerifyOptions& opts, bool bound_case,
                VerifyReport& rep) {
  auto position = [&](const std::string& h) -> std::ptrdiff_t {
    for (std::size_t k = 0; k < log.size(); ++k)
      if (log[k].entry_hash == h) return static_cast<std::ptrdiff_t>(k);
    return -1;
  };
  rep.entries = log.size();
  rep.head = log.empty() ? std::string() : log.back().entry_hash;
  const fs::path head_file = c.dir / kHeadFile;
  std::error_code ec;
  if (!fs::exists(head_file, ec)) {
    if (bound_case) rep.problems.push_back({"head_missing", kHeadFile, "is missing: whether the log was cut short cannot be checked"});
    else rep.notes.push_back(std::string(kHeadFile) + " absent (case made by an earlier geoev): the log's end is not checked");
  } else {
    Json h;
    try {
      h = Json::parse(read_file_bounded(head_file, kMaxSmallInputBytes, "case.verify"));
    } catch (const std::exception&) {
      h = Json();
    }
    if (!h.is_object() || !h.contains("head") || !h["head"].is_string() || !h.contains("entries") || !h["entries"].is_number_unsigned()) {
      rep.problems.push_back({"head_unreadable", kHeadFile, "is not a custody head record"});
    } else {
      const std::string recorded = h["head"].get<std::string>();
      const auto n = h["entries"].get<std::size_t>();
      const auto at = position(recorded);
      if (at < 0 || n > log.size())
        rep.problems.push_back({"custody_truncated", "custody log",
                                "ends at entry " + std::to_string(log.size()) + " but the last action recorded " + std::to_string(n) +
                                    " entries ending in " + short_hash(recorded) + ": entries were removed or the log rewritten"});
      else if (static_cast<std::size_t>(at) + 1 < log.size())
        rep.notes.push_back(std::to_string(log.size() - 1 - at) + " custody entries follow the recorded head (an action was interrupted after it committed)");
    }
  }
  if (opts.expected_head) {
    const auto at = position(*opts.expected_head);
    if (at < 0)
      rep.problems.push_back({"head_mismatch", "custody log",
                              "does not contain the given head " + printable(*opts.expected_head) +
                                  ": entries up to it were removed or the log was rewritten"});
    else if (static_cast<std::size_t>(at) + 1 < log.size())
      rep.notes.push_back("the given head is entry " + std::to_string(at + 1) + "; " + std::to_string(log.size() - 1 - at) +
                          " entries were added after it");
  }
}

void check_case_json(const CaseInfo& c, const std::vector<CustodyEntry>& log, VerifyReport& rep, bool& bound_case) {
  bound_case = false;
  if (log.empty() || log.front().action != "case.init" || !log.front().output_hashes.is_array()) return;
  for (const auto& o : log.front().output_hashes)
    if (o.is_object() && o.value("path", "") == "case.json") {
      bound_case = true;
      std::string actual;
      try {
        actual = sha256_hex(read_file_bounded(c.dir / "case.json", kMaxSmallInputBytes, "case.verify"));
      } catch (const Error&) {
      }
      if (actual != o.value("sha256", ""))
        rep.problems.push_back({"case_json_rewritten", "case.json", "differs from the one case init recorded"});
    }
  if (!bound_case) rep.notes.push_back("case.json is not bound to the log (case made by an earlier geoev)");
}

}  // namespace

std::vector<CustodyEntry> custody_log(const CaseInfo& c) {
  std::vector<CustodyEntry> out;
  read_action(c, [&](GDALDatasetH ds) { out = read_custody(ds, nullptr); });
  return out;
}

bool VerifyReport::ok() const {
  if (!custody_chain_ok || !problems.empty()) return false;
  for (const auto& i : items)
    if (i.status != "ok") return false;
  return true;
}

Json to_json(const VerifyReport& r) {
  Json items = Json::array();
  for (const auto& i : r.items) {
    Json j{{"sha256", i.sha256}, {"path", i.path}, {"status", i.status}};
    if (!is_valid_utf8(i.path)) j["path_hex"] = hex_bytes(i.path);
    if (!i.actual_sha256.empty()) j["actual_sha256"] = i.actual_sha256;
    items.push_back(j);
  }
  Json problems = Json::array();
  for (const auto& p : r.problems) problems.push_back(Json{{"kind", p.kind}, {"what", p.what}, {"detail", p.detail}});
  return Json{{"ok", r.ok()},
              {"files", items},
              {"custody_chain_ok", r.custody_chain_ok},
              {"custody_problem", r.custody_problem},
              {"problems", problems},
              {"notes", r.notes},
              {"custody_entries", r.entries},
              {"head", r.head}};
}

VerifyReport verify_case(const CaseInfo& c, const VerifyOptions& opts, const ProgressFn& progress) {
  VerifyReport rep;
  std::vector<MediaRecord> media;
  std::vector<CustodyEntry> log;
  std::vector<VerifyProblem> chain;
  std::map<std::string, std::map<std::int64_t, RowState>> rows;
  read_action(c, [&](GDALDatasetH ds) {
    media = read_layer<MediaRecord>(ds, "media", media_from);
    log = read_custody(ds, &chain);
    rows = read_rows(ds);
  });
  rep.custody_chain_ok = chain.empty();
  if (!chain.empty()) rep.custody_problem = chain.front().what + " " + chain.front().detail;
  rep.problems = chain;
  bool bound_case = false;
  check_case_json(c, log, rep, bound_case);
  check_rows(log, rows, bound_case, rep);
  check_head(c, log, opts, bound_case, rep);
  for (const auto& t : leftover_temporaries(c.dir)) {
    std::error_code ec;
    const auto size = fs::is_regular_file(t, ec) ? fs::file_size(t, ec) : 0;
    rep.problems.push_back({"leftover_temporary", fs::relative(t, c.dir, ec).string(),
                            "left by an interrupted command (" + std::to_string(size) + " bytes); not evidence: remove it"});
  }
  std::size_t n = 0;
  auto check = [&](const std::string& sha, const fs::path& p) {
    VerifyItem it{sha, p.string(), "ok", {}};
    std::error_code ec;
    if (!fs::exists(p, ec)) it.status = "missing";
    else {
      try {
        it.actual_sha256 = sha256_file(p);
        if (it.actual_sha256 != sha) it.status = "changed";
        else it.actual_sha256.clear();
      } catch (const Error&) {
        it.status = "missing";
      }
    }
    rep.items.push_back(it);
  };
  for (const auto& m : media) {
    report(progress, static_cast<double>(n++) / static_cast<double>(std::max<std::size_t>(1, media.size())), "verifying");
    check(m.sha256, m.path);
    if (!m.copy_path.empty()) check(m.sha256, c.dir / m.copy_path);
  }
  return rep;
}

}  // namespace geo::events
