// SPDX-License-Identifier: Apache-2.0
// Bounded, non-blocking reads of files whose size and kind geoev does not control. A FIFO, a device
// (/dev/zero), a socket or a directory given where a file is expected is refused in one line instead of
// blocking or growing without bound; a file over its cap is refused before it is read.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>

namespace geo {

// Size caps by kind of input, bytes. Each is far above any real input of that kind and far below what
// would strain memory: an hour of 60 fps DJI SRT is about 60 MB; a compound registry a few MB.
inline constexpr std::uint64_t kMaxTextInputBytes = 256ull << 20;   // SRT, CSV, GeoJSON, KML, frames.json
inline constexpr std::uint64_t kMaxSmallInputBytes = 16ull << 20;   // observation files, case.json
// Decoded-image cap, pixels: 400 MP (a 20000 x 20000 frame); a 30000 x 30000 PNG is refused.
inline constexpr std::uint64_t kMaxImagePixels = 400ull * 1000 * 1000;

// Throws Error{not_found} when the path does not exist, Error{invalid_argument} "WHAT: PATH: not a
// regular file (a FIFO)" for anything but a regular file (symbolic links are followed). Never opens the
// file for reading, so never blocks.
void require_regular_file(const std::filesystem::path& path, const std::string& what);

// The whole file, at most `max_bytes`: refuses non-regular files (opened with O_NONBLOCK and checked
// with fstat, so a FIFO cannot block it) and files larger than the cap (Error{invalid_argument} naming
// the size and the cap). Error{io} when reading fails.
std::string read_file_bounded(const std::filesystem::path& path, std::uint64_t max_bytes, const std::string& what);

}  // namespace geo
