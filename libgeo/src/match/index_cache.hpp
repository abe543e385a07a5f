// SPDX-License-Identifier: Apache-2.0
// On-disk cache of a match reference: the reference window read from the imagery (GeoTIFF) and its
// keypoint index, so that matching more frames against the same area skips the read and the
// keypoint detection. Private to the match module.
#pragma once
#include <filesystem>
#include <optional>

#include "geo/core/diagnostics.hpp"
#include "geo/core/json.hpp"
#include "geo/imagery/raster.hpp"
#include "geo/match/align.hpp"

namespace geo::match_detail {

struct CachedReference {
  GeoImage image;
  ReferenceIndex index;
};

// The cache entry directory for `key` (a JSON object naming everything the entry depends on).
std::filesystem::path cache_entry(const std::filesystem::path& dir, const Json& key);

// Loads an entry; nullopt when absent. A damaged or altered entry (its files' SHA-256 differ from
// those it recorded) is reported as a warning and treated as absent.
std::optional<CachedReference> load_cached(const std::filesystem::path& entry, const Json& key,
                                           const AlignOptions& opts, Diagnostics& diags);

// Stores an entry atomically (complete or not at all). A concurrent writer that got there first wins;
// failures to write are a warning, never an error (the cache is an optimisation).
void store_cached(const std::filesystem::path& entry, const Json& key, const GeoImage& image,
                  const ReferenceIndex& index, Diagnostics& diags);

}  // namespace geo::match_detail
