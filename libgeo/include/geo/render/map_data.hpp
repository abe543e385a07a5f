// SPDX-License-Identifier: Apache-2.0
// What a map shows, gathered once from a case: the events (with their tracks and footprints from
// `geoev run`), the compounds of the registry, and the sources to attribute. Every renderer (static
// maps, the timeline, the interactive map, the report) draws from this one model.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/geopoint.hpp"
#include "geo/core/json.hpp"
#include "geo/core/time.hpp"
#include "geo/events/case.hpp"
#include "geo/imagery/raster.hpp"
#include "geo/spatial/compound.hpp"

namespace geo::render {

namespace fs = std::filesystem;

struct MapTrackPoint {
  double t_s = 0;                     // seconds from the video's start
  std::optional<UtcTime> utc;
  GeoPoint point;
  double error_m = 0;
};

struct MapEvent {
  std::int64_t id = 0;
  GeoPoint position;
  double uncertainty_m = 0;
  std::string precision;              // exact | vicinity | locality | region
  std::optional<UtcTime> time_from, time_to;
  std::string local_zone;             // IANA zone at the place ("" when unknown)
  std::string compound_id, compound_name, relation;  // relation: inside | within | nearest | none
  double distance_m = -1, p_inside = 0;
  std::string method;                 // "telemetry + image match", "image match", ... ("" for a hand-made event)
  std::string confidence;             // high | medium | low | "" (hand-made events)
  std::string label;                  // short name for the map: the video's file name, else "event N"
  std::string description;
  std::vector<std::string> media_sha256;
  std::vector<MapTrackPoint> track;   // a moving camera's path (time order); empty for a place
  Json shows;                         // union of the frame footprints (GeoJSON geometry) or null
  std::string imagery, imagery_date;  // imagery the fixes rest on (file name, date) when known
  fs::path thumbnail;                 // a located frame of the video (absolute path), empty when none
  std::vector<std::string> warnings;
};

struct MapData {
  fs::path case_dir;
  std::string case_title;
  std::vector<MapEvent> events;       // in id order
  spatial::Registry compounds;        // the registry the events were associated against
  // Every source a map made from this data must attribute (registry files, the basemap, the
  // gazetteer, imagery added by the renderer).
  std::vector<std::string> attributions;
  std::vector<std::string> notes;     // what could not be read (a missing thumbnail, ...)
};

// Reads the case (read-only) and the registry. Events made by `geoev run` bring their track,
// footprints, method and a thumbnail; events made by hand only their place, time and compound.
// Throws like events::open_case and spatial::load_selected_registry.
MapData load_map_data(const fs::path& case_dir, const spatial::RegistrySelection& compounds = {});

// Grows `b` to hold a disc of `radius_m` around `p` (degrees per metre at p's latitude; fine at map scale).
void grow_box(GeoBox& b, const GeoPoint& p, double radius_m);

// The box holding every event (with its uncertainty circle and track) and, when `compound_id` is
// given, that compound; expanded by `margin` (a fraction of its size, at least 200 m). nullopt when
// there is nothing to hold.
std::optional<GeoBox> extent_of(const MapData& d, const std::string& compound_id = {}, double margin = 0.15);

}  // namespace geo::render
