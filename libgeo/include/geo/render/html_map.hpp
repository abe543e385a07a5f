// SPDX-License-Identifier: Apache-2.0
// The interactive map: ONE self-contained HTML file that works offline when opened from disk, for a
// researcher to explore a case or pass it on. Leaflet (JS, CSS, its control images) is inlined, the
// data travels as JSON inside the file, every image (frame thumbnails, the imagery overlay) is a data
// URI, and there is no tile layer: land and borders come from the shipped Natural Earth outlines.
// Nothing is fetched from the network when the file is opened.
//
// Leaflet is read at render time from the npm package that scripts/setup.sh installs (node_modules/
// leaflet/dist, pinned in package.json), not embedded at build time: the build then does not depend on
// npm having run, the file's provenance records the SHA-256 of the leaflet.js it inlined, and updating
// Leaflet is `npm ci` with no rebuild. A missing Leaflet is an error naming scripts/setup.sh.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/json.hpp"
#include "geo/imagery/raster.hpp"
#include "geo/render/map_data.hpp"

namespace geo::render {

struct HtmlMapOptions {
  std::string title;                        // shown above the map and as the page title; "" = the case's title
  std::optional<std::string> imagery;       // a raster (any source imagery reads) drawn under the data
  std::optional<std::string> imagery_date;  // its acquisition date YYYY-MM-DD, when its metadata does not say
  std::optional<GeoBox> bbox;               // the first view; default extent_of(data), else the compounds
  bool embed_thumbnails = true;             // a frame of the video in each event's popup
  bool blur_faces = true;                   // safeguarding: faces in thumbnails blurred (faces.hpp)
  int thumbnail_px = 320;                   // thumbnail's long side, pixels
  int imagery_max_px = 2048;                // overlay's long side at most, pixels (size of the HTML)
  std::filesystem::path leaflet_dir;        // "" = found (leaflet_dist_dir())
  // Throws Error{invalid_argument}: thumbnail_px outside [64, 1024], imagery_max_px outside
  // [256, 8192], an invalid bbox, an imagery_date that is not YYYY-MM-DD, an empty imagery path.
  void validate() const;
};

struct HtmlMapResult {
  std::filesystem::path output;
  int markers = 0;              // events drawn (one marker each)
  int uncertainty_circles = 0;  // events with an uncertainty radius > 0
  int compound_polygons = 0;    // compounds drawn as outlines (one path each, holes and parts included)
  int compound_points = 0;      // compounds with only a position (a circle marker each)
  int tracks = 0;               // moving cameras' paths (a polyline each)
  int footprints = 0;           // footprint paths (one per polygon or multipolygon in `shows`)
  int thumbnails = 0;           // thumbnails embedded
  int faces_blurred = 0;        // faces found and blurred in them
  int basemap_countries = 0;    // country outlines drawn
  bool imagery_overlay = false;
  std::uintmax_t bytes = 0;     // size of the written file
  std::vector<std::string> notes;  // what was left out and why (a thumbnail, imagery not covering the map)
  Json provenance;              // geoev version, parameters, inputs' SHA-256 (registry, Leaflet, imagery, frames)
};
Json to_json(const HtmlMapResult& r);

// Writes the map of `data` to `out` (an .html file), atomically: complete or not at all.
//
// Layers (switchable): compounds (outlines, or circle markers for a position; name and status in a
// popup), events (a pin coloured by date, with its uncertainty circle; a popup with the label, the
// time window in UTC and local time with the zone's name, precision and uncertainty, the compound with
// distance and p_inside, method, confidence, warnings and, when embedded, a frame thumbnail with faces
// blurred), tracks (polylines with the times at their ends), footprints (the ground the frames show),
// the imagery when given. Opening the file with "#event-N" opens event N's popup.
//
// Thumbnails: when blur_faces is set and faces cannot be blurred (no cascades), the thumbnail is left
// out with a note; it is never embedded unblurred. Throws Error{invalid_argument} (options),
// Error{not_found} (Leaflet or the shipped basemap missing), Error{io} (the output cannot be written;
// nothing is left behind). Imagery that cannot be read or does not cover the map is a note, not an
// error. Not thread-safe with respect to the same `out`.
HtmlMapResult write_html_map(const MapData& data, const HtmlMapOptions& opts, const std::filesystem::path& out);

// node_modules/leaflet/dist of the npm package: $GEOEV_LEAFLET_DIR, else beside the shipped data
// ($GEOEV_DATA_DIR/../node_modules/leaflet/dist, an install's share/geoev/leaflet), else the source
// tree's (compile-time). Throws Error{not_found} naming scripts/setup.sh when none has leaflet.js.
std::filesystem::path leaflet_dist_dir();

}  // namespace geo::render
