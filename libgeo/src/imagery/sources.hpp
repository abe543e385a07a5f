// SPDX-License-Identifier: Apache-2.0
// Private: turns what the user gave (a file, an XYZ tile folder, a tile URL template, a list of files)
// into a name GDAL can open.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "geo/imagery/raster.hpp"

namespace geo::imagery {

struct ResolvedSource {
  std::string gdal_name;   // a path, or an XML description (VRT / GDAL_WMS) GDAL opens from memory
  bool hashable = false;   // a single regular file whose sha256 identifies the content
  std::string note;        // how the source was interpreted, for diagnostics
};

ResolvedSource resolve_source(const std::string& source, const OpenOptions& opts, const std::string& what);

// An in-memory VRT (XML text) mosaicking the files. Throws Error{not_found} / Error{external}.
std::string mosaic_source_name(const std::vector<std::filesystem::path>& files, const std::string& what);

// A VRT (XML text) for a directory laid out {z}/{x}/{y}.png|jpg (XYZ scheme, y = 0 at the north, Web
// Mercator EPSG:3857), at its highest zoom level. Throws Error{not_found} when no tiles are found.
std::string xyz_directory_vrt(const std::filesystem::path& dir, const std::string& what);

}  // namespace geo::imagery
