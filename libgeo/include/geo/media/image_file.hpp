// SPDX-License-Identifier: Apache-2.0
// Whether a picture file is whole. Image decoders fill what a truncated JPEG or PNG lacks with grey and
// say nothing to the caller, so a cut-off download would otherwise be read, hashed and matched as if
// it were the picture.
#pragma once
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace geo {

// Why the picture file ends before its own structure does, or "" when it is whole or of a format not
// checked. JPEG: the marker segments, and every entropy-coded scan (baseline or progressive) up to the
// EOI marker; data after EOI (a motion photo's video, a maker's trailer) is allowed. PNG: the chunks up
// to IEND. Other formats (TIFF, WebP, BMP, ...) return "". Reads the file only; throws Error{io} when
// it cannot be opened.
std::string image_file_incomplete(const std::filesystem::path& file);

// The same check on a picture already in memory (the whole file's bytes).
std::string image_bytes_incomplete(std::span<const unsigned char> bytes);

// The whole file, read once (so that what is hashed, checked and decoded is the same bytes). Throws
// Error{io} when it cannot be opened or read.
std::vector<unsigned char> read_file_bytes(const std::filesystem::path& file);

}  // namespace geo
