// SPDX-License-Identifier: Apache-2.0
// Coordinates given on the command line: "LAT,LON[,H]" (match --near, imagery crop --center,
// compounds set-geometry --point) and the decimal numbers inside them.
#include <cmath>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "geo/core/error.hpp"
#include "geo/core/geopoint.hpp"
#include "geo/core/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(geo::fuzz::as_text(data, size));
  try {
    const double v = geo::parse_double(text, "fuzz");
    if (!std::isfinite(v)) __builtin_trap();  // documented: never returns a non-finite number
  } catch (const geo::Error&) {
  }
  try {
    const geo::GeoPoint p = geo::parse_lat_lon(text);
    if (!geo::is_valid(p)) __builtin_trap();  // documented: the result is validated
    (void)geo::dump_json(geo::to_json(p));
  } catch (const geo::Error&) {
  }
  return 0;
}
