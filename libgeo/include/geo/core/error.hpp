// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <stdexcept>
#include <string>

namespace geo {

// What kind of failure. Chosen so that a caller can decide what to do, not to mirror errno.
enum class Errc {
  invalid_argument,  // the caller asked for something impossible (latitude 95, GSD 0, bad option)
  not_found,         // a file, layer, band or record does not exist
  io,                // reading or writing failed
  corrupt_data,      // the input exists but is not what it claims to be (truncated MP4, bad TIFF)
  unsupported,       // a valid input the toolkit does not handle (audio-only file given to frames)
  no_georeferencing, // a raster without a usable geotransform or CRS
  external,          // a third-party library failed in a way not covered above
};

const char* to_string(Errc code) noexcept;

// The one exception type libgeo throws. The message names the operation and the thing that failed,
// e.g. "media.open: clip.mp4: Invalid data found when processing input (libav -1094995529)".
// When a third-party library failed, `library()` names it and `native_code()` is its own error code.
class Error : public std::runtime_error {
 public:
  Error(Errc code, const std::string& message, std::string library = {}, int native_code = 0)
      : std::runtime_error(message), code_(code), library_(std::move(library)),
        native_code_(native_code) {}

  Errc code() const noexcept { return code_; }
  const std::string& library() const noexcept { return library_; }
  int native_code() const noexcept { return native_code_; }

 private:
  Errc code_;
  std::string library_;
  int native_code_;
};

}  // namespace geo
