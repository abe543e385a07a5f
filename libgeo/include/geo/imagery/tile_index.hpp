// SPDX-License-Identifier: Apache-2.0
// A tile index for large areas: a raster or mosaic split once into overlapping GeoTIFF tiles at a
// chosen GSD in one metric CRS, cached on disk with an index.json (bounds, source sha256, parameters),
// so a 10 km x 10 km area at 0.5 m is read once, not per frame.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/diagnostics.hpp"
#include "geo/core/json.hpp"
#include "geo/core/progress.hpp"
#include "geo/imagery/raster.hpp"

namespace geo {

struct TileIndexOptions {
  double gsd_m = 0.0;          // output pixel size in metres (> 0)
  int tile_px = 1024;          // tile side in pixels
  int overlap_px = 128;        // overlap between neighbouring tiles, pixels (< tile_px / 2)
  std::string crs;             // output CRS; empty = UTM zone of the raster's centre
  std::optional<GeoBox> bbox;  // restrict to this box (default: the whole raster)
  double min_valid_fraction = 0.0;  // tiles with less valid data are not written (still listed in diagnostics)
  void validate() const;       // throws Error{invalid_argument}
};

struct TileEntry {
  std::string file;            // relative to the index directory, e.g. "tiles/r0003_c0007.tif"
  int row = 0;                 // tile grid position
  int col = 0;
  int cols = 0;                // size in pixels
  int rows = 0;
  GeoTransform map_from_pixel; // in the index CRS
  GeoBox bbox_wgs84;
  double valid_fraction = 0.0;
};

struct TileIndex {
  std::filesystem::path dir;   // where index.json and tiles/ live
  std::string crs;
  double gsd_m = 0.0;
  int tile_px = 0;
  int overlap_px = 0;
  std::string source;
  std::string source_sha256;
  std::vector<TileEntry> tiles;
  Diagnostics diagnostics;

  // Tiles whose WGS 84 box intersects `box`.
  std::vector<const TileEntry*> tiles_intersecting(const GeoBox& box) const;
  // The tile containing `p` farthest from its edges (best for windows around p), or nullptr.
  const TileEntry* best_tile_for(const GeoPoint& p) const;
  // Loads one tile's pixels (GeoTIFF) as a GeoImage.
  GeoImage load(const TileEntry& t) const;

  // Reads dir/index.json. Throws Error{not_found} / Error{corrupt_data}.
  static TileIndex load_dir(const std::filesystem::path& dir);
};
Json to_json(const TileIndex& idx);

// Builds the index into `out_dir` (atomic: the directory appears complete or not at all). When
// `out_dir` already holds an index for the same source sha256 and parameters it is returned as is
// (cache hit, no reads). Throws Error{invalid_argument} when out_dir holds something else.
TileIndex build_tile_index(const std::string& source, const std::filesystem::path& out_dir,
                           const TileIndexOptions& opts, const ProgressFn& progress = {});

}  // namespace geo
