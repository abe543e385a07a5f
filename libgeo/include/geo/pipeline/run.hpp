// SPDX-License-Identifier: Apache-2.0
// `geoev run`: the main job in one call. For every video or photo: add it to the case (hash, probe,
// telemetry), extract the frames that follow the camera, choose the imagery, match, combine the fixes
// into one place or a track, compare with telemetry and metadata GPS, date it, and record one event
// (or a `not located` entry with the reasons) associated with the compounds.
//
// Resumable and incremental: every stage's result is kept in the case under run/<video sha256>/,
// named by the hash of what produced it (the input's SHA-256 and the parameters). A stage whose
// result exists is reused, never redone; an event already made by the same key is never made twice.
// Videos run in parallel (`jobs`); case writes are serialised by the case store's lock, and one run
// at a time holds the case (a second is refused with a clear message).
#pragma once
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/diagnostics.hpp"
#include "geo/core/geopoint.hpp"
#include "geo/core/json.hpp"
#include "geo/core/time.hpp"
#include "geo/imagery/raster.hpp"
#include "geo/pipeline/combine.hpp"
#include "geo/spatial/compound.hpp"

namespace geo::pipeline {

namespace fs = std::filesystem;

struct ImageryInput {
  std::string path;
  std::optional<std::string> date;   // as the provider states it ("YYYY-MM-DD"); wins over metadata
};

struct RunOptions {
  std::vector<fs::path> inputs;      // videos, photos, directories (walked; non-media skipped with a note)
  fs::path case_dir;                 // created when missing or empty; refused when it is something else
  std::string case_title;            // when the run makes the case; "" = the case directory's name
  std::vector<ImageryInput> imagery; // georeferenced rasters to match against
  spatial::RegistrySelection compounds;
  // The area to search when a video carries no position of its own (telemetry, container GPS).
  std::optional<GeoPoint> near;
  double radius_m = 0;
  std::optional<GeoBox> bbox;
  std::string tz;                    // the zone of DJI clocks and wall-clock times ("" = zone at the place)
  std::optional<fs::path> telemetry; // a DJI .SRT for the one video given (else <stem>.SRT beside each video)
  int jobs = 0;                      // videos processed at once; 0 = the number of cores
  double every_s = 2.0;              // a moving take gives a frame at least this often (seconds)
  int max_frames = 20;               // per video
  double telemetry_radius_m = 500;   // search radius around a telemetry or GPS position, metres
  double gps_radius_m = 1000;        // around a container GPS position (the camera looks away from it)
  CombineOptions combine;
  // At the end of the run, the maps of the whole case into DIR/maps/: overview.png, site-<compound>.png
  // for every compound with events (on the first --imagery), timeline.png and map.html (interactive,
  // faces in its thumbnails blurred). A map that cannot be drawn is a warning, not a failed run.
  bool maps = true;
  // And the evidence report, DIR/report.html and DIR/report.pdf (faces blurred). Both are drawn again
  // only when something changed or they are missing.
  bool report = true;
  // Throws Error{invalid_argument}: no input, no case, radius without near, near and bbox together,
  // jobs < 0, every_s <= 0, max_frames < 1.
  void validate() const;
  // The parameters that decide results (part of every stage's key), without inputs and case.
  Json to_json() const;
};

// What happened to one input.
struct VideoResult {
  std::string path;                  // as given (or as found in a directory)
  std::string sha256;
  std::string kind;                  // "video" | "image"
  std::string status = "failed";     // "located" | "not_located" | "failed" | "duplicate"
  std::string located_by;            // "telemetry + image match", "image match", "telemetry", "metadata GPS"
  Combined result;                   // the place or track (kind "none" when not located)
  Json shows;                        // union of the frame footprints (GeoJSON geometry) or null
  Corroboration telemetry_check, gps_check;
  // Time: the capture window and where it came from ("telemetry: ...", "container: ...", "none").
  std::optional<UtcTime> time_from, time_to;
  std::string time_source = "none";
  std::string local_zone;            // zone name for local times ("" when unknown)
  Json sun_checks = Json::array();   // sun_shadow observations of this video in the case, with the verdict
  // Imagery used for the fixes.
  std::string imagery, imagery_sha256;
  std::optional<std::string> imagery_date;
  int frames = 0, frames_located = 0;
  std::string confidence = "none";   // "high" | "medium" | "low" | "none"
  double confidence_value = 0;
  // The event (located only) and its compound association.
  std::int64_t event_id = 0;
  std::string compound_id, compound_name, relation;
  double distance_m = -1, p_inside = 0;
  std::vector<std::string> reasons;  // not located / failed: why, and what to give
  std::vector<std::string> warnings; // disagreements, caveats (imagery far in time, outliers)
  std::string duplicate_of;          // status duplicate: the path processed for this content
  bool reused = false;               // nothing was recomputed: every stage's result existed
  std::vector<std::string> reused_stages, done_stages;
  std::string run_key;
  // A video cut from several places: one part per place (shots in time order), each with its own
  // result, event and compound; the video's own result is then kind "none" and status "located".
  std::vector<VideoResult> parts;
  std::vector<int> shots;            // a part: the shots it covers
  Diagnostics diagnostics;
};
Json to_json(const VideoResult& v);

struct RunResult {
  fs::path case_dir;
  std::vector<VideoResult> videos;   // in input order (directories expanded, sorted by name)
  std::vector<std::string> skipped;  // non-media files of walked directories, with the reason
  std::vector<fs::path> maps;        // the maps and the report written into the case
  Diagnostics diagnostics;
  Json provenance;
  double seconds = 0;
  int failed() const;
  int located() const;
};
Json to_json(const RunResult& r);

// Progress of one input: called from worker threads, one call at a time (serialised by the run).
struct RunProgress {
  std::size_t index = 0, total = 0;  // which input, of how many
  std::string name;                  // its file name
  std::string stage;                 // "probing", "frames", "matching", "recording", "done", "failed"
  double fraction = 0;               // of that input's work, [0, 1]
};
using RunProgressFn = std::function<void(const RunProgress&)>;

// Runs the job. Throws Error{invalid_argument} (bad options, a directory with no media, a case
// directory that is not a case), Error{busy}-like Error{io} when another run holds the case, Error for
// imagery that cannot be opened. A video that fails (corrupt, unreadable) is a result with status
// "failed" and the error; the others are processed all the same.
RunResult run_job(const RunOptions& opts, const RunProgressFn& progress = {});

// The summary table for a terminal: one row per input (video, located by, place, error, time window in
// UTC and local, compound and distance, confidence), then the reasons and warnings below it.
std::string summary_table(const RunResult& r);

}  // namespace geo::pipeline
