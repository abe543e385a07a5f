// SPDX-License-Identifier: Apache-2.0
// The evidence case: a directory holding case.json (marker) and case.gpkg (GeoPackage written through
// GDAL/OGR, layers media, frames, observations, events, custody; QGIS and any SQLite client open it).
//
// Concurrency: every action takes an exclusive flock(2) on DIR/.case.lock (readers a shared one), opens
// the GeoPackage, writes inside ONE SQLite transaction, commits and closes. Two geoev processes on one
// case therefore serialise action by action; a crash mid-action rolls back through SQLite's journal and
// loses at most that action. Positions are WGS 84 lat/lon degrees; times UTC.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/diagnostics.hpp"
#include "geo/core/geopoint.hpp"
#include "geo/core/json.hpp"
#include "geo/core/progress.hpp"
#include "geo/media/probe.hpp"
#include "geo/core/time.hpp"
#include "geo/spatial/compound.hpp"
#include "geo/spatial/join.hpp"

namespace geo::events {

namespace fs = std::filesystem;

// Precision classes as investigators use them: exact (<= 10 m), vicinity (<= 100 m), locality (<= 1 km),
// region (beyond). By the uncertainty radius in metres.
enum class PrecisionClass { exact, vicinity, locality, region };
PrecisionClass precision_class(double uncertainty_m) noexcept;
const char* to_string(PrecisionClass c) noexcept;

struct CaseInfo {
  fs::path dir;
  std::string title;
  std::string created_utc;
  std::string tool_version;
};

// Creates a case in `dir` (must not exist or be empty). Throws Error{invalid_argument} otherwise.
CaseInfo init_case(const fs::path& dir, const std::string& title);
// Opens an existing case; throws Error{not_found} "... is not a geoev case" when case.json/case.gpkg are
// missing or not ours. Never modifies anything.
CaseInfo open_case(const fs::path& dir);

struct MediaRecord {
  std::int64_t id = 0;
  std::string sha256;
  std::string path;         // absolute path of the original as added
  std::uint64_t size_bytes = 0;
  std::string added_utc;
  std::string copy_path;    // relative to the case dir (originals/<sha256><ext>) when copied
  Json probe;               // probe JSON when known, else null
};
Json to_json(const MediaRecord& m);

struct AddMediaOptions {
  bool copy = false;  // keep a read-only copy in DIR/originals/<sha256><ext>
  bool probe = true;  // read metadata (geo::probe_media) and record its GPS/telemetry as observations
};
// Hashes each file (never writes to it) and records it, with one custody entry, in one transaction.
// A file already in the case (same sha256) is not added twice (a diagnostic says so). Throws
// Error{not_found} for a missing file before anything is written.
std::vector<MediaRecord> add_media(const CaseInfo& c, const std::vector<fs::path>& files,
                                   const AddMediaOptions& opts, Diagnostics& diag, const ProgressFn& progress = {});

// One method's evidence about place and/or time.
struct ObservationInput {
  std::string kind;                  // metadata_gps, telemetry, image_match, resection, sun, manual, ...
  std::optional<GeoPoint> position;  // none for a time-only observation
  double uncertainty_m = 0.0;        // radius, metres (>= 0) when position is set
  std::optional<UtcTime> time_from, time_to;
  double confidence = 1.0;           // [0,1]
  std::string media_sha256;          // the media it came from, if any
  Json parameters = Json::object();  // method parameters / result details
  std::string tool_version;          // empty: this libgeo's version
  std::vector<std::string> input_sha256;
  void validate() const;             // throws Error{invalid_argument}
};
struct Observation {
  std::int64_t id = 0;
  ObservationInput in;
  std::string created_utc;
};
Json to_json(const Observation& o);

// Adds one observation with its custody entry. Returns its id. For sun/match results: call with the
// result's position/uncertainty/time window and its parameters.
std::int64_t add_observation(const CaseInfo& c, const ObservationInput& obs);

// Records a probe result: the media row (with its probe JSON) and, when present, observations
// "metadata_gps" (from the container/EXIF location, 30 m assumed) and "telemetry" (first locked sample,
// the track's extent as uncertainty, the telemetry's UTC span as time), plus one custody entry, in one
// transaction. Returns the observation ids added.
std::vector<std::int64_t> record_probe(const CaseInfo& c, const MediaInfo& info);

std::vector<MediaRecord> list_media(const CaseInfo& c);
std::vector<Observation> list_observations(const CaseInfo& c);

struct EventInput {
  std::optional<GeoPoint> position;
  std::optional<double> uncertainty_m;
  std::vector<std::int64_t> observation_ids;  // place/time taken from these when position is not given
  std::optional<UtcTime> time_from, time_to;
  std::vector<std::string> media_sha256;
  std::string description, notes;
  spatial::RegistrySelection compounds;       // registry to join against (default: shipped)
  double within_m = 1000.0;
  // Association cap, metres (> 0): beyond it the event has no compound (relation "none") and a note
  // names the nearest compound/zone and its distance. Only compounds and zones are associated; towns,
  // landmarks and operators of the registry are context.
  double max_distance_m = spatial::kDefaultAssociationCapM;
  bool town_context = true;                   // add the nearest town of the shipped gazetteer as context
  // Added to the event as given: flags (e.g. "track", "disagreeing_fixes") and details, a JSON object
  // of how the event was found (geoev run: the run key, method, track, footprints, time sources).
  std::vector<std::string> flags;
  Json details = Json::object();
  void validate() const;
};

struct Event {
  std::int64_t id = 0;
  GeoPoint position;
  double uncertainty_m = 0.0;
  PrecisionClass precision = PrecisionClass::region;
  std::optional<UtcTime> time_from, time_to;
  std::vector<std::int64_t> observation_ids;
  std::vector<std::string> media_sha256;
  std::string compound_id, compound_name;  // the associated compound or zone (empty when none)
  std::string relation;             // inside | within | nearest | none (nothing within the cap)
  double distance_m = -1.0, p_inside = 0.0;
  Json compounds = Json::array();   // compound/zone hits within the cap
  std::string association_note;     // why there is no association (names the nearest site), else empty
  Json context = Json::object();    // {registry: [town/landmark/operator hits], town: nearest gazetteer town}
  std::string description, notes;
  std::vector<std::string> flags;   // e.g. "inconsistent_observations"
  Json details = Json::object();    // how it was found, when the maker recorded it (geoev run)
  std::string created_utc, tool_version;
};
Json to_json(const Event& e);

// Builds the event (combining observations by inverse-variance weighting with sigma = uncertainty;
// inconsistent ones, farther apart than the sum of their radii, are flagged and the uncertainty widened
// to a circle covering all of them), joins it to the compounds, stores it with a custody entry.
Event add_event(const CaseInfo& c, const EventInput& in, Diagnostics& diag);
std::vector<Event> list_events(const CaseInfo& c);

// Appends one custody entry for an action done outside the case's own calls (geoev run's summary of a
// run: what was processed, reused, failed), in its own transaction.
void log_action(const CaseInfo& c, const std::string& action, const Json& parameters, const Json& inputs,
                const Json& outputs);

struct CustodyEntry {
  std::int64_t id = 0;
  std::string action, utc, tool_version;
  Json parameters, input_hashes, output_hashes;
  std::string prev_hash, entry_hash;  // hash chain: entry_hash = sha256(prev_hash + the entry)
  // The rows this action created, [layer, fid, row_hash] each: the entry commits to their content.
  Json rows = Json::array();
};
Json to_json(const CustodyEntry& e);
std::vector<CustodyEntry> custody_log(const CaseInfo& c);

struct VerifyItem {
  std::string sha256, path, status;  // status: ok, changed, missing
  std::string actual_sha256;
};
// One thing verify found wrong, by name. kind: custody_broken, custody_altered, custody_truncated,
// head_missing, head_unreadable, head_mismatch, row_edited, row_deleted, row_inserted,
// case_json_rewritten, leftover_temporary.
struct VerifyProblem {
  std::string kind, what, detail;
};
struct VerifyReport {
  std::vector<VerifyItem> items;
  bool custody_chain_ok = true;
  std::string custody_problem;        // the first chain problem, as one line
  std::vector<VerifyProblem> problems;
  std::vector<std::string> notes;     // what could not be checked and why (older cases), not failures
  std::size_t entries = 0;
  std::string head;                   // the last entry's hash: record it elsewhere, check with expected_head
  bool ok() const;
};
Json to_json(const VerifyReport& r);
struct VerifyOptions {
  std::optional<std::string> expected_head;  // a head recorded elsewhere (a report, a message): must be in the log
};
// Checks the case against itself: re-hashes every original (and kept copy); checks the custody chain
// entry by entry; recomputes every media, frames, observations and events row's content hash against
// the custody entry that recorded it (edited, deleted and inserted rows by name); case.json against the
// hash case init recorded; the log's end against DIR/custody-head.json and opts.expected_head; and
// reports temporaries left by interrupted commands. Read-only.
//
// What it detects: accidental corruption, edits by other tools (sqlite, QGIS, ogrinfo), deleted or
// inserted rows, a truncated log. What it cannot detect without an outside anchor: someone who rewrites
// rows, recomputes every hash after them and rewrites the head file; recording `head` outside the case
// (in the report, a message, a notebook) and checking with expected_head closes that gap up to that head.
VerifyReport verify_case(const CaseInfo& c, const VerifyOptions& opts = {}, const ProgressFn& progress = {});

enum class ExportFormat { geojson, kml, csv, gpkg };
ExportFormat parse_export_format(const std::string& s);  // throws Error{invalid_argument}
// Writes all events atomically, with provenance (GeoJSON member "provenance", KML Document
// ExtendedData, GeoPackage table "provenance", CSV sidecar OUT.provenance.json). Returns the count.
std::size_t export_events(const CaseInfo& c, ExportFormat format, const fs::path& out);

}  // namespace geo::events
