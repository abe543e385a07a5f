// SPDX-License-Identifier: Apache-2.0
// Pieces of probe_media shared between its implementation files (private).
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "geo/media/probe.hpp"

namespace geo::detail {

// JPEG / HEIF magic bytes: read through exiv2 rather than libav.
bool looks_like_photo(const std::filesystem::path& file);
// Fills kind, format, created_candidates, location_candidates, device, tags from EXIF. Throws
// Error{corrupt_data} when exiv2 cannot read the file.
void probe_photo(const std::filesystem::path& file, MediaInfo& info);
// The 3GPP 'loci' box from moov/udta or moov/trak/udta of an MP4/MOV, if any (raw text for the record).
std::optional<Location> read_3gpp_loci(const std::filesystem::path& file, Diagnostics& diags);

}  // namespace geo::detail
