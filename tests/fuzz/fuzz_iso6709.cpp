// SPDX-License-Identifier: Apache-2.0
// ISO 6709 location strings from QuickTime/MP4 metadata (com.apple.quicktime.location.ISO6709, ©xyz).
#include <cstdint>

#include "fuzz_support.hpp"
#include "geo/core/error.hpp"
#include "geo/media/iso6709.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const geo::GeoPoint p = geo::parse_iso6709(geo::fuzz::as_text(data, size));
    if (!geo::is_valid(p)) __builtin_trap();  // documented: out-of-range coordinates throw
  } catch (const geo::Error&) {
  }
  return 0;
}
