// SPDX-License-Identifier: Apache-2.0
// From frame fixes to a video's place: one place with an honest error when the camera stayed put, a
// track when it moved, and the comparison with what the telemetry or the metadata GPS says. Pure
// functions on plain values: no case, no files; thread-safe.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "geo/core/geopoint.hpp"
#include "geo/core/json.hpp"
#include "geo/core/time.hpp"
#include "geo/spatial/fix_consistency.hpp"

namespace geo::pipeline {

// One located frame of a video.
struct FixSample {
  std::string frame;                 // file name, for messages
  int shot = 0;                      // the shot it belongs to (a cut starts a new one)
  double t_s = 0;                    // seconds from the video's start
  std::optional<UtcTime> utc;        // the frame's time when the video's clock is known
  GeoPoint center;                   // the ground point at the frame's centre (WGS 84)
  double error_m = 0;                // its estimated error (radius, metres)
  double confidence = 0;             // [0, 1]
  std::vector<GeoPoint> footprint;   // 4 corners on the ground
  // What the telemetry says for this frame's time: the camera's position and, when its height, tilt
  // and heading are known, the ground point the frame's centre should show (camera moved by
  // height x tan(tilt) along the heading), with the tolerance of that prediction.
  std::optional<GeoPoint> camera;
  std::optional<GeoPoint> predicted_center;
  double predicted_tol_m = 0;
};

// One point of a track, in time order.
struct TrackPoint {
  double t_s = 0;
  std::optional<UtcTime> utc;
  GeoPoint point;
  double error_m = 0;
  std::string source;                // "image_match" | "telemetry"
};
Json to_json(const TrackPoint& p);

// How fixes are checked against each other (spatial::FixConsistencyOptions: outlier_sigmas,
// max_speed_mps, static_slack_m, telemetry_error_m), and the error assumed for a phone's container GPS.
struct CombineOptions : spatial::FixConsistencyOptions {
  // Container GPS of phones, metres (the value the case store assumes for metadata_gps).
  double metadata_gps_error_m = 30.0;
};

// The video's place from its located frames (and, without any, from telemetry alone).
struct Combined {
  std::string kind = "none";         // "place" | "track" | "none"
  GeoPoint place;                    // place: the combined point; track: the centroid of its points
  double error_m = 0;                // place: its error; track: a radius covering every point and its error
  std::vector<TrackPoint> track;     // track only, time order
  double track_length_m = 0;
  std::vector<std::string> outliers; // frames flagged, with the reason, never averaged in
  int fixes_used = 0;
  double confidence = 0;             // median confidence of the fixes used
  std::vector<std::string> notes;    // how the error was chosen, in words
};

// Combines located frames. Static when every fix lies within its error (plus static_slack_m) of the
// robust centre: the inverse-variance mean of the inliers, with error the larger of the median single
// error and the inliers' RMS scatter (frames of one video share the imagery's registration error, so
// averaging them does not beat one frame). Otherwise a track through the inliers in time order.
Combined combine_fixes(const std::vector<FixSample>& fixes, const CombineOptions& opts = {});

// The fixes of a video cut from several places, grouped: consecutive shots whose places lie farther
// apart than their errors allow and than the camera could travel between them (max_speed_mps) start a
// new group. One group when nothing is apart (or there is one shot).
std::vector<std::vector<FixSample>> split_by_place(const std::vector<FixSample>& fixes, const CombineOptions& opts = {});

// A track from telemetry alone (camera positions, time order), for a video no frame of which matched.
Combined combine_telemetry(const std::vector<TrackPoint>& camera, const CombineOptions& opts = {});

// Telemetry against the image fixes, frame by frame: agreement when the fix lies within the fix's error
// plus the prediction's tolerance of the predicted centre.
struct Corroboration {
  std::string status = "none";       // "agree" | "disagree" | "none" (nothing to compare)
  int compared = 0, agreeing = 0;
  double median_distance_m = 0;
  std::string statement;             // one sentence for the reader, naming both sources
};
Corroboration compare_telemetry(const std::vector<FixSample>& fixes, const std::vector<std::string>& outliers);
// A single metadata position (container or EXIF GPS) against the combined result: agreement within the
// GPS's assumed error, the result's error and, for a camera that looks at the ground it stands near,
// half the frame's footprint (`view_radius_m`).
Corroboration compare_metadata_gps(const GeoPoint& gps, const std::string& source, const Combined& result,
                                   double view_radius_m, const CombineOptions& opts = {});

// The union of the frame footprints (what the video shows) as a GeoJSON geometry (Polygon or
// MultiPolygon, WGS 84 [lon, lat]); null when there is none.
Json footprints_union(const std::vector<std::vector<GeoPoint>>& footprints);

}  // namespace geo::pipeline
