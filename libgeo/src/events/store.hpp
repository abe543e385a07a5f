// SPDX-License-Identifier: Apache-2.0
// Private: the locked, transactional access to case.gpkg shared by the events sources.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "adapters/ogr.hpp"
#include "geo/events/case.hpp"

namespace geo::events::detail {

// Holds flock(2) on DIR/.case.lock for its lifetime.
class CaseLock {
 public:
  CaseLock(const fs::path& dir, bool exclusive);
  ~CaseLock();
  CaseLock(const CaseLock&) = delete;
  CaseLock& operator=(const CaseLock&) = delete;

 private:
  int fd_ = -1;
};

// The layers whose rows are bound to the custody chain: each row carries row_hash (of its content) and
// the custody entry of the action that created it lists [layer, fid, row_hash] in its "rows".
const std::vector<const char*>& bound_layers();
struct BoundRow {
  std::string layer;
  std::int64_t fid = 0;
  std::string hash;
};
// sha256 of a row's content: every set field except row_hash, sorted by name, then its geometry.
std::string row_hash(OGRFeatureH f);
// DIR/custody-head.json: the chain's length and last entry hash after the last committed action.
inline constexpr const char* kHeadFile = "custody-head.json";
// Writes DIR/custody-head.json from the custody layer of `ds` (after its transaction committed).
void write_custody_head(GDALDatasetH ds, const fs::path& dir);
// case.json's format_version: 2 binds rows, case.json and the head (1: earlier cases, still read).
inline constexpr int kCaseFormatVersion = 2;

// Runs `body` with the GeoPackage open for update inside one transaction (under the exclusive lock);
// commits when body returns, rolls back when it throws.
void write_action(const CaseInfo& c, const std::function<void(GDALDatasetH)>& body);
// Runs `body` with the GeoPackage open read-only under a shared lock.
void read_action(const CaseInfo& c, const std::function<void(GDALDatasetH)>& body);

OGRLayerH layer(GDALDatasetH ds, const char* name);
// The media layer: is a sha256 recorded; insert one row (inside the current transaction).
bool media_exists(GDALDatasetH ds, const std::string& sha);
void insert_media(GDALDatasetH ds, const MediaRecord& m);
// Fields of the frames layer (name, type), for creating it and for upgrading older cases.
const std::vector<std::pair<const char*, OGRFieldType>>& frame_fields();
// Adds the field to the layer when it lacks it (a case created by an earlier version).
void ensure_field(OGRLayerH l, const char* name, OGRFieldType type);
// Appends a custody entry (hash-chained to the previous one) inside the current transaction; it commits
// to every row created by create_feature since the action began or since the previous entry.
void append_custody(GDALDatasetH ds, const std::string& action, const Json& parameters, const Json& inputs,
                    const Json& outputs);
std::string custody_hash(const std::string& prev, const std::string& action, const std::string& utc,
                         const std::string& version, const std::string& params, const std::string& inputs,
                         const std::string& outputs, const std::string& rows);
void set_str(OGRFeatureH f, const char* name, const std::string& v);
void set_dbl(OGRFeatureH f, const char* name, double v);
void set_i64(OGRFeatureH f, const char* name, std::int64_t v);
void set_point(OGRFeatureH f, const GeoPoint& p);
// Creates the row; inside a write action, on a bound layer, it gets its row_hash and is bound to the
// next custody entry.
void create_feature(OGRLayerH l, OGRFeatureH f, const char* what);
std::string get_str(OGRFeatureH f, const char* name);
double get_dbl(OGRFeatureH f, const char* name, double fallback = 0.0);
std::string opt_time(const std::optional<UtcTime>& t);
std::optional<UtcTime> parse_opt_time(const std::string& s);

}  // namespace geo::events::detail
