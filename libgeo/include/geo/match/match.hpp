// SPDX-License-Identifier: Apache-2.0
// Geolocating frames against georeferenced imagery: `geoev match`.
//
// A frame is matched against a reference read from the imagery over the search area (resampled into
// the UTM zone of the area's centre): keypoints first (SIFT by default, ratio test + mutual check,
// MAGSAC++ homography, affine fallback), then, when keypoints fail (typically across dates), a dense
// search of gradient-orientation fields over the heading / scale / tilt hypotheses the priors leave
// open, refined by ECC and confirmed by local keypoints when they exist. Every candidate passes
// verification gates; a frame without a candidate that passes is `not_found`, never a guess.
//
// Positions are WGS 84 (GeoPoint); footprints are the frame's four corners (top-left, top-right,
// bottom-right, bottom-left) on the ground. Not thread-safe per call; separate calls are independent.
#pragma once
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/diagnostics.hpp"
#include "geo/core/geopoint.hpp"
#include "geo/core/json.hpp"
#include "geo/core/progress.hpp"
#include "geo/core/provenance.hpp"
#include "geo/imagery/raster.hpp"
#include "geo/match/align.hpp"
#include "geo/spatial/fix_consistency.hpp"

namespace geo {

struct MatchResult;
struct OverlayRequest;

struct MatchOptions {
  // Search area: near + radius_m, or bbox, or neither (the whole raster).
  std::optional<GeoPoint> near;
  double radius_m = 0.0;
  std::optional<GeoBox> bbox;
  // Camera priors (all optional). gsd_m wins over altitude_m + hfov_deg.
  std::optional<double> heading_deg;   // compass direction of the frame's top, degrees
  double heading_tol_deg = 10.0;
  std::optional<double> altitude_m;    // camera height above the ground, metres
  std::optional<double> hfov_deg;      // horizontal field of view, degrees (default 70 for rectification)
  std::optional<double> gsd_m;         // ground metres per frame pixel at the frame centre
  double gsd_tol = 0.10;               // relative tolerance of gsd_m / altitude_m
  std::optional<double> tilt_deg;      // camera angle from straight down, degrees
  double ref_gsd_m = 0.0;              // reference resolution; 0 = the raster's native GSD (>= 0.5 m)
  // When the imagery was taken, as the analyst knows it (a provider's catalogue, Google Earth's
  // historical imagery date): "YYYY-MM-DD" or an ISO 8601 UTC time. It wins over a date in the
  // raster's metadata; a disagreement between the two is a warning.
  std::optional<std::string> imagery_date;
  // CRS of imagery that has a geotransform but states no CRS (a JPEG or PNG with only a world file,
  // e.g. a Google Earth export): "EPSG:4326". Empty: such imagery is refused.
  std::string assume_crs;
  AlignOptions align;
  std::filesystem::path overlay_dir;   // when set: one overlay PNG per frame (atomic directory)
  // Draws one frame's overlay into the directory's temporary, in place of the built-in one (the
  // footprint on an imagery crop, the frame, the frame warped onto the crop, drawn by OpenCV without
  // labels). `geoev match` passes geo::render's labelled figure here: match cannot reach render. Called
  // once per frame that could be decoded, in order, on the calling thread; what it throws aborts the
  // match and leaves no overlay directory.
  std::function<void(const OverlayRequest&)> draw_overlay;
  // Called with the complete result before the overlay directory is renamed into place: what it throws
  // (a case that cannot be written) leaves no overlay behind.
  std::function<void(const MatchResult&)> before_commit;
  // When set: the reference window and its keypoint index are cached here (one subdirectory per
  // imagery sha256 + search window + detector), so later runs over the same area skip the read and
  // the keypoint detection. Entries record their files' SHA-256 and are rebuilt when altered.
  std::filesystem::path index_dir;
  // How the located frames of one video are checked against each other (MatchResult's outlier flags);
  // `geoev run` passes its own, so that match and the video's place agree.
  spatial::FixConsistencyOptions consistency;
  // Throws Error{invalid_argument}: radius without near, near and bbox together, negative values,
  // tilt outside [0, 45] (the steepest view the search can confirm), hfov outside (1, 170), an imagery
  // date that is not a date or lies in the future.
  void validate() const;
  Json to_json() const;
};

// Whether a frame was located. In JSON (to_json, and Json(status)) its name: "located" | "not_found".
enum class FixStatus { not_found, located };
const char* to_string(FixStatus s) noexcept;
inline void to_json(Json& j, FixStatus s) { j = to_string(s); }

struct FrameFix {
  std::string frame;                   // path as given
  std::optional<double> pts_s;         // from frames.json
  FixStatus status = FixStatus::not_found;
  GeoPoint center;                     // valid when located
  std::vector<GeoPoint> footprint;     // 4 corners when located
  int inliers = 0;
  double confidence = 0.0;             // [0, 1]
  double error_m = 0.0;                // estimated error of the centre, metres
  double gsd_m = 0.0;                  // ground metres per frame pixel at the centre, from the fix
  // From the footprint of a located frame: the compass direction its top faces (bottom-edge midpoint to
  // top-edge midpoint, degrees clockwise from north), and the tilt from nadir that makes its far edge as
  // much wider than its near edge as it is (pinhole camera, `tilt_hfov_deg` assumed: the prior or 70).
  std::optional<double> heading_deg, tilt_deg;
  double tilt_hfov_deg = 70.0;
  std::string method;                  // to_string(AlignMethod) of the fix: how it was found
  bool outlier = false;                // inconsistent with the other frames of the same video
  Json gates = Json::object();         // the gate values (inliers, ratios, NCC, peak ratio, z)
  Json priors = Json::object();        // the priors used for this frame and where each came from
  Diagnostics diagnostics;
};

struct MatchResult {
  std::string imagery;                 // as given
  std::string imagery_sha256;
  std::optional<std::string> imagery_acquired;
  std::string imagery_acquired_source;  // "metadata:<domain>:<key>" or "analyst:--imagery-date"
  double reference_gsd_m = 0.0;
  std::vector<FrameFix> frames;
  // Combination across frames (when >= 2 are located): the median centre of consistent fixes.
  std::optional<GeoPoint> combined_center;
  double combined_spread_m = 0.0;      // median distance of consistent fixes from that centre
  // Whether the camera moved (telemetry or the fixes' spread), known when 3 or more located frames have
  // times; a moving camera's combined centre is the middle of its path, not where it stood.
  std::optional<bool> camera_moved;
  int located = 0;
  Diagnostics diagnostics;
  Json provenance;
};

// One frame's overlay to draw (MatchOptions::draw_overlay). References are valid during the call only.
struct OverlayRequest {
  const FrameFix& fix;          // this frame's result; its `outlier` flag is not known yet (frames are
                                // compared once all are matched)
  const cv::Mat& image;         // the frame as matched: 8-bit BGR, EXIF orientation applied
  const MatchResult& result;    // the imagery (as given, its SHA-256 and date) and the frames before this one
  std::filesystem::path out;    // the PNG to write, inside the overlay directory's temporary
};

// Why a frame is not_found, in words, from its diagnostics: the first warning or error, else the
// match's own "no candidate passed the verification gates ..." with the option that would help.
std::string why_not_found(const FrameFix& f);

// The frames listed in a `geoev frames` frames.json (paths resolved against its directory), with their
// PTS. Throws Error{not_found} / Error{corrupt_data} for a missing or malformed file and
// Error{invalid_argument, "... frames.json lists no frames"} when empty.
// The camera state `geoev frames` took from the video's telemetry for one frame (frames.json
// "camera"; see docs/media-frames.md). Every field but the position is optional.
struct CameraPrior {
  GeoPoint position;                   // where the camera was (WGS 84)
  std::optional<double> rel_alt_m;     // height above the take-off point, metres
  std::optional<double> heading_deg;   // compass direction the camera looks
  std::optional<double> tilt_deg;      // from straight down
  std::optional<double> hfov_deg;      // horizontal field of view
  std::string source;                  // "dji-srt" | "gopro-gpmf"
};
struct FrameRef {
  std::string path;
  std::optional<double> pts_s;
  std::optional<CameraPrior> camera;   // from frames.json; options given explicitly win over it
};

// The priors one frame is matched with: the options, with what `camera` adds where an option is not
// given. The search centre becomes the camera position with a radius of 500 m plus the ground
// distance the tilt can put the frame centre from the camera (rel_alt x tan(tilt), or 1000 m when
// either is unknown); the scale comes from rel_alt_m and hfov_deg (height above take-off stands in
// for height above the ground, so the scale tolerance widens to at least 20 %); a camera tilt over
// 45 degrees is not used (the search cannot confirm such a view). `from_telemetry` lists the fields
// taken from the camera.
MatchOptions frame_options(const MatchOptions& opts, const FrameRef& frame, std::vector<std::string>* from_telemetry = nullptr);
std::vector<FrameRef> frames_from_json(const std::filesystem::path& frames_json);

// Matches every frame against the imagery. Throws Error{no_georeferencing} (imagery without
// georeferencing), Error{invalid_argument} (bad options, a search area that does not intersect the
// imagery, no frames), Error{not_found} (missing imagery). A frame that cannot be read, is blank or
// too small is `not_found` with a diagnostic.
MatchResult match_frames(const std::vector<FrameRef>& frames, const std::string& imagery,
                         const MatchOptions& opts, const ProgressFn& progress = {});

Json to_json(const FrameFix& f);
Json to_json(const MatchResult& r);
// A GeoJSON FeatureCollection: one Polygon feature (footprint) per located frame and one Point
// feature for the combined centre; properties carry status, confidence, error_m and provenance.
Json to_geojson(const MatchResult& r);

}  // namespace geo
