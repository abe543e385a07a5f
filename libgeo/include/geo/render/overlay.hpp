// SPDX-License-Identifier: Apache-2.0
// The labelled figure of one matched frame (`geoev match --overlay`): the imagery round the frame's
// footprint with the footprint, the fix's centre and its error circle; the same ground with the frame
// warped into its footprint over the imagery; the frame as filmed; and the furniture a reader needs to
// check it place for place (title, the fix's coordinates, error, confidence and method, the imagery and
// its date, scale bar, north arrow, CRS, date made, geoev version). Drawn by cairo (text by pango) like
// the maps, written as PNG, PDF or SVG from one drawing path.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

#include "geo/core/json.hpp"
#include "geo/imagery/raster.hpp"
#include "geo/match/match.hpp"
#include "geo/render/map.hpp"

namespace geo::render {

struct OverlayOptions {
  int width_px = 1600;           // PNG/SVG width in pixels (PDF: points), 600..8000; the height follows
  std::string title;             // empty = the frame's file name
  std::string imagery_name;      // as the figure names the imagery; empty = the raster's file name
  std::string imagery_date;      // as stated (YYYY-MM-DD or an ISO 8601 time); empty = the raster's metadata
  double frame_opacity = 0.7;    // of the frame warped over the imagery, (0, 1]
  // Faces in the frame are blurred (render::blur_faces) before it is drawn, and the blurred areas
  // outlined and counted. false keeps them: for the team's own use, never for publication.
  bool blur_faces = true;
  // The faces to blur (render::find_faces or FaceCache::faces of this frame), when the caller found
  // them already; unset, the renderer searches the frame itself.
  std::optional<std::vector<cv::Rect>> faces;
  // Throws Error{invalid_argument} (one line): width outside 600..8000, opacity outside (0, 1].
  void validate() const;
};

struct OverlayResult {
  fs::path output;
  std::string format;                  // png | pdf | svg
  double width = 0, height = 0;        // pixels (PDF: points)
  bool located = false;
  // Located frames: the two map panels (imagery with the footprint; the frame warped over the imagery)
  // share one scale and extent, each with its own projection (pixel <-> WGS 84 on the whole drawing).
  MapProjection projection;            // the imagery panel
  MapProjection overlay_projection;    // the warped-frame panel
  double map_x = 0, map_y = 0, map_w = 0, map_h = 0;  // the imagery panel inside the drawing
  GeoBox extent;                       // WGS 84 box of a map panel
  ScaleBar scale_bar;                  // the imagery panel's
  double imagery_covered = 0;          // share of a map panel the imagery covers, [0, 1]
  std::string crs;                     // as stated on the figure
  int faces_blurred = 0;               // areas blurred as possible faces
  std::string headline;                // "located at ... ±5.2 m" or "not found: <reason>", as drawn
  std::vector<std::string> notes;      // what the figure does not show or shows partly, in words
  std::vector<std::string> attributions;
  Json provenance;                     // tool, version, parameters, the imagery's SHA-256
};
Json to_json(const OverlayResult& r);

// Draws the overlay of `fix` (as geo::match_frames returned it) for `frame` (the picture that was
// matched: 8-bit BGR or grey, EXIF orientation applied) against `imagery`, into `out` (.png, .pdf or
// .svg from the extension), atomically: nothing is left at `out` when it throws. The imagery is read
// round the footprint in a transverse Mercator projection centred on the map panels (WGS 84; scale bar
// and north arrow true there). A not_found fix gives the frame alone, marked "not found" with its reason
// (geo::why_not_found). Thread-safe for distinct outputs when each thread has its own Raster.
// Throws Error{invalid_argument} (bad options or extension, an empty frame, a located fix without four
// footprint corners), Error{io} (the output cannot be written), Error{not_found} (the face cascades are
// missing while blur_faces is set: a figure that cannot be blurred is not drawn).
OverlayResult render_match_overlay(const FrameFix& fix, const cv::Mat& frame, const Raster& imagery,
                                   const OverlayOptions& opts, const fs::path& out);

}  // namespace geo::render
