// SPDX-License-Identifier: Apache-2.0
// Private pieces of the interactive map (html_map.cpp): inlined assets, safe embedding, the offline
// basemap, images as data URIs.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/core/json.hpp"
#include "geo/core/provenance.hpp"
#include "geo/imagery/raster.hpp"
#include "geo/render/faces.hpp"

namespace geo::render::html {

namespace fs = std::filesystem;

std::string base64(std::string_view bytes);
// Text for HTML element content and attribute values: & < > " ' escaped.
std::string escape_html(std::string_view s);
// JSON for a <script type="application/json"> block: ill-formed UTF-8 replaced, and every < > &
// written as \u003c \u003e \u0026 so no string can close the script or open a comment. JSON.parse reads
// it back unchanged.
std::string json_for_script(const Json& j);
// Text for inside an HTML comment: "--" cannot occur in one, so it becomes "- -".
std::string comment_safe(std::string_view s);

struct LeafletAssets {
  std::string js, css;     // css with its control images inlined as data URIs
  std::string licence;     // the package's LICENSE text
  std::string version;     // from its package.json ("" when unreadable)
  std::vector<InputRef> inputs;  // leaflet.js, leaflet.css with their SHA-256
};
// Reads Leaflet from `dist` (node_modules/leaflet/dist). Throws Error{not_found} naming scripts/setup.sh,
// Error{corrupt_data} when the code holds a sequence that would end its <script> or <style> element.
LeafletAssets read_leaflet(const fs::path& dist);

// The countries of data/basemap/countries-10m.topojson that meet `clip`, clipped to it and simplified
// to `tolerance_deg`, as a GeoJSON FeatureCollection (properties: name). Throws Error{not_found}.
Json basemap_geojson(const GeoBox& clip, double tolerance_deg, int* countries);

struct Thumbnail {
  std::string data_uri;  // JPEG
  int width = 0, height = 0;
  int blurred = 0;       // areas blurred as possible faces (each outlined in the thumbnail)
};
// A frame as a JPEG data URI, its long side scaled to `long_side_px`, faces blurred when `blur` (on the
// full-resolution frame, before scaling) and each blurred area outlined, so that a reader does not take
// a blurred patch for what was filmed. nullopt with a note when it cannot be read or blurred.
std::optional<Thumbnail> thumbnail(const fs::path& frame, int long_side_px, bool blur, const FaceCache& faces,
                                   std::vector<std::string>& notes);

struct ImageryOverlay {
  std::string data_uri;   // JPEG when every pixel has data, else PNG with transparency where none
  GeoBox bounds;          // of the image's outer pixel corners
  std::string name, date;
  InputRef input;
};
// The part of `source` inside `view`, in Web Mercator (EPSG:3857, Leaflet's own projection, so the image
// fits its bounds exactly at every latitude), at most `max_px` on its long side and never finer than
// the imagery. nullopt with a note when it cannot be read or does not meet the view.
std::optional<ImageryOverlay> imagery_overlay(const std::string& source, const std::optional<std::string>& date,
                                              const GeoBox& view, int max_px, std::vector<std::string>& notes);

}  // namespace geo::render::html
