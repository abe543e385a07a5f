// SPDX-License-Identifier: Apache-2.0
#include "events/store.hpp"

#include <cpl_conv.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/text.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/provenance.hpp"

namespace geo::events::detail {

CaseLock::CaseLock(const fs::path& dir, bool exclusive) {
  const fs::path p = dir / ".case.lock";
  fd_ = ::open(p.c_str(), (exclusive ? O_RDWR | O_CREAT : O_RDONLY | O_CREAT) | O_CLOEXEC, 0644);
  if (fd_ < 0 && !exclusive) fd_ = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw Error(Errc::io, "case: " + p.string() + ": cannot open lock file: " + std::strerror(errno));
  while (::flock(fd_, exclusive ? LOCK_EX : LOCK_SH) != 0) {
    if (errno == EINTR) continue;
    const int e = errno;
    ::close(fd_);
    throw Error(Errc::io, "case: " + p.string() + ": cannot lock: " + std::strerror(e));
  }
}

CaseLock::~CaseLock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

namespace {

// The rows created inside the running write action on this thread, bound into its next custody entry.
thread_local std::vector<BoundRow>* t_pending_rows = nullptr;

struct PendingScope {
  std::vector<BoundRow> rows;
  PendingScope() { t_pending_rows = &rows; }
  ~PendingScope() { t_pending_rows = nullptr; }
};

}  // namespace

// The head file: the chain's length and last hash, rewritten after every committed action, so that
// deleting the last entries (which leaves a consistent but shorter chain) is seen by verify.
void write_custody_head(GDALDatasetH ds, const fs::path& dir) {
  std::int64_t n = 0;
  std::string head;
  OGRLayerH res = GDALDatasetExecuteSQL(ds, "SELECT COUNT(*) AS n, (SELECT entry_hash FROM custody ORDER BY fid DESC LIMIT 1) AS h FROM custody",
                                        nullptr, nullptr);
  if (res) {
    if (adapters::FeaturePtr f{OGR_L_GetNextFeature(res)}) {
      n = static_cast<std::int64_t>(get_dbl(f.get(), "n"));
      head = get_str(f.get(), "h");
    }
    GDALDatasetReleaseResultSet(ds, res);
  }
  write_file_atomic(dir / kHeadFile,
                    dump_json(Json{{"format", "geoev-custody-head"}, {"entries", n}, {"head", head},
                                   {"utc", format_utc(now_utc(), 6)}},
                              2) +
                        "\n");
}

const std::vector<const char*>& bound_layers() {
  static const std::vector<const char*> l = {"media", "frames", "observations", "events"};
  return l;
}

void write_action(const CaseInfo& c, const std::function<void(GDALDatasetH)>& body) {
  CaseLock lock(c.dir, true);
  auto ds = adapters::open_vector(c.dir / "case.gpkg", true, "case", {"GPKG"});
  adapters::GdalErrorCapture cap;
  // Cases made before rows were bound to the chain get the fields (outside the transaction: schema).
  for (const char* name : bound_layers()) ensure_field(layer(ds.get(), name), "row_hash", OFTString);
  ensure_field(layer(ds.get(), "custody"), "rows", OFTString);
  ensure_field(layer(ds.get(), "media"), "path_hex", OFTString);
  if (GDALDatasetStartTransaction(ds.get(), FALSE) != OGRERR_NONE)
    throw Error(Errc::io, "case: cannot start a transaction (GDAL: " + cap.message() + ")", "GDAL");
  PendingScope pending;
  try {
    body(ds.get());
    if (!pending.rows.empty())
      throw Error(Errc::io, "case: internal: rows written without a custody entry");  // a programming error
  } catch (...) {
    GDALDatasetRollbackTransaction(ds.get());
    throw;
  }
  if (GDALDatasetCommitTransaction(ds.get()) != OGRERR_NONE)
    throw Error(Errc::io, "case: commit failed (GDAL: " + cap.message() + ")", "GDAL");
  write_custody_head(ds.get(), c.dir);
  adapters::close_dataset(ds, "case");
}

std::string row_hash(OGRFeatureH f) {
  // Every set field but row_hash, sorted by name (so a field added by a later version, unset in old
  // rows, changes no old row's hash), then the geometry as WKT.
  OGRFeatureDefnH defn = OGR_F_GetDefnRef(f);
  std::vector<std::pair<std::string, std::string>> fields;
  for (int i = 0; i < OGR_FD_GetFieldCount(defn); ++i) {
    const std::string name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
    if (name == "row_hash" || !OGR_F_IsFieldSetAndNotNull(f, i)) continue;
    fields.emplace_back(name, OGR_F_GetFieldAsString(f, i));
  }
  std::sort(fields.begin(), fields.end());
  std::string text;
  for (const auto& [n, v] : fields) text += n + "=" + hex_bytes(v) + "\n";
  if (OGRGeometryH g = OGR_F_GetGeometryRef(f)) {
    char* wkt = nullptr;
    if (OGR_G_ExportToWkt(g, &wkt) == OGRERR_NONE && wkt) text += std::string("geometry=") + wkt;
    CPLFree(wkt);
  }
  return sha256_hex(text);
}

void read_action(const CaseInfo& c, const std::function<void(GDALDatasetH)>& body) {
  CaseLock lock(c.dir, false);
  auto ds = adapters::open_vector(c.dir / "case.gpkg", false, "case", {"GPKG"});
  body(ds.get());
}

OGRLayerH layer(GDALDatasetH ds, const char* name) {
  OGRLayerH l = GDALDatasetGetLayerByName(ds, name);
  if (!l) throw Error(Errc::corrupt_data, std::string("case: case.gpkg has no layer '") + name + "'");
  return l;
}

std::string custody_hash(const std::string& prev, const std::string& action, const std::string& utc,
                         const std::string& version, const std::string& params, const std::string& inputs,
                         const std::string& outputs, const std::string& rows) {
  std::string text = prev + "\n" + action + "\n" + utc + "\n" + version + "\n" + params + "\n" + inputs + "\n" + outputs;
  if (!rows.empty()) text += "\n" + rows;  // entries made before rows were bound hash as they did
  return sha256_hex(text);
}

void append_custody(GDALDatasetH ds, const std::string& action, const Json& parameters, const Json& inputs,
                    const Json& outputs) {
  std::string prev;
  {
    OGRLayerH res = GDALDatasetExecuteSQL(ds, "SELECT entry_hash FROM custody ORDER BY fid DESC LIMIT 1", nullptr, nullptr);
    if (res) {
      if (adapters::FeaturePtr f{OGR_L_GetNextFeature(res)}) prev = get_str(f.get(), "entry_hash");
      GDALDatasetReleaseResultSet(ds, res);
    }
  }
  OGRLayerH l = layer(ds, "custody");
  adapters::FeaturePtr f{OGR_F_Create(OGR_L_GetLayerDefn(l))};
  const std::string utc = format_utc(now_utc(), 6);
  const std::string p = dump_json(parameters), i = dump_json(inputs), o = dump_json(outputs);
  Json bound = Json::array();
  if (t_pending_rows) {
    for (const auto& r : *t_pending_rows) bound.push_back(Json::array({r.layer, r.fid, r.hash}));
    t_pending_rows->clear();
  }
  const std::string rows = bound.empty() ? std::string() : dump_json(bound);
  set_str(f.get(), "action", action);
  set_str(f.get(), "utc", utc);
  set_str(f.get(), "tool_version", version());
  set_str(f.get(), "parameters", p);
  set_str(f.get(), "input_hashes", i);
  set_str(f.get(), "output_hashes", o);
  set_str(f.get(), "prev_hash", prev);
  set_str(f.get(), "rows", rows);
  set_str(f.get(), "entry_hash", custody_hash(prev, action, utc, version(), p, i, o, rows));
  create_feature(l, f.get(), "custody entry");
}

void ensure_field(OGRLayerH l, const char* name, OGRFieldType type) {
  if (OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(l), name) >= 0) return;
  OGRFieldDefnH fd = OGR_Fld_Create(name, type);
  const OGRErr err = OGR_L_CreateField(l, fd, TRUE);
  OGR_Fld_Destroy(fd);
  if (err != OGRERR_NONE) throw Error(Errc::io, std::string("case: cannot add field ") + name + " to layer " + OGR_L_GetName(l), "GDAL");
}

void set_str(OGRFeatureH f, const char* name, const std::string& v) {
  const int i = OGR_F_GetFieldIndex(f, name);
  if (i >= 0) OGR_F_SetFieldString(f, i, to_valid_utf8(v).c_str());  // GeoPackage text is UTF-8
}
void set_dbl(OGRFeatureH f, const char* name, double v) {
  const int i = OGR_F_GetFieldIndex(f, name);
  if (i >= 0) OGR_F_SetFieldDouble(f, i, v);
}
void set_i64(OGRFeatureH f, const char* name, std::int64_t v) {
  const int i = OGR_F_GetFieldIndex(f, name);
  if (i >= 0) OGR_F_SetFieldInteger64(f, i, v);
}
void set_point(OGRFeatureH f, const GeoPoint& p) {
  OGRGeometryH g = OGR_G_CreateGeometry(wkbPoint);
  OGR_G_SetPoint_2D(g, 0, p.lon_deg, p.lat_deg);
  OGR_F_SetGeometryDirectly(f, g);
}
void create_feature(OGRLayerH l, OGRFeatureH f, const char* what) {
  const bool bind = t_pending_rows && OGR_F_GetFieldIndex(f, "row_hash") >= 0;
  if (bind) set_str(f, "row_hash", row_hash(f));
  adapters::GdalErrorCapture cap;
  if (OGR_L_CreateFeature(l, f) != OGRERR_NONE)
    throw Error(Errc::io, std::string("case: cannot write ") + what + " (GDAL: " + cap.message() + ")", "GDAL");
  if (bind) t_pending_rows->push_back({OGR_L_GetName(l), OGR_F_GetFID(f), get_str(f, "row_hash")});
}
std::string get_str(OGRFeatureH f, const char* name) { return adapters::field_string(f, name); }
double get_dbl(OGRFeatureH f, const char* name, double fallback) {
  const int i = OGR_F_GetFieldIndex(f, name);
  if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i)) return fallback;
  return OGR_F_GetFieldAsDouble(f, i);
}
std::string opt_time(const std::optional<UtcTime>& t) { return t ? format_utc(*t, 3) : std::string(); }
std::optional<UtcTime> parse_opt_time(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return parse_iso8601(s).utc;
}

}  // namespace geo::events::detail
