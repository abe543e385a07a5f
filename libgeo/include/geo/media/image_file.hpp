// SPDX-License-Identifier: Apache-2.0
// Whether a picture file is whole. Image decoders fill what a truncated JPEG or PNG lacks with grey and
// say nothing to the caller, so a cut-off download would otherwise be read, hashed and matched as if
// it were the picture.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
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

// Picture files are read whole (and decoded) only up to this size: far above any real frame or photo
// (a 400 MP JPEG is about 200 MB), far below what would strain memory.
inline constexpr std::uint64_t kMaxImageFileBytes = 1ull << 30;

// The whole file, read once (so that what is hashed, checked and decoded is the same bytes). Refuses
// anything but a regular file without blocking (a FIFO, /dev/zero: Error{invalid_argument}) and files
// over kMaxImageFileBytes (Error{invalid_argument} naming the size); Error{io} when it cannot be read.
std::vector<unsigned char> read_file_bytes(const std::filesystem::path& file);

// A picture's size in pixels as its header states it, read without decoding.
struct ImageHeaderSize {
  std::string format;  // "jpeg", "png", "tiff", "webp", "bmp", "pnm"
  std::uint64_t width = 0;
  std::uint64_t height = 0;
};
// JPEG (the first SOF marker), PNG (IHDR), TIFF (the first IFD), WebP (VP8, VP8L, VP8X), BMP, PNM
// (P1-P6). nullopt for another format or a header too short or malformed to tell.
std::optional<ImageHeaderSize> image_header_size(std::span<const unsigned char> bytes);

// Why these bytes must not be handed to an image decoder, or "" when they may be: the file is empty,
// its size cannot be read from its header (a format not listed above, or not a picture at all), or
// width x height is over kMaxImagePixels (decoding would take gigabytes). One sentence, no path.
std::string image_bytes_undecodable(std::span<const unsigned char> bytes);

}  // namespace geo
