// SPDX-License-Identifier: Apache-2.0
// Coordinates given on the command line: points as people paste them (decimal, DMS, map links: match
// --near, imagery crop --center, compounds set-geometry --point), boxes "MINLON,MINLAT,MAXLON,MAXLAT"
// (--bbox), and the decimal numbers inside them.
#include <cmath>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "geo/core/error.hpp"
#include "geo/core/geopoint.hpp"
#include "geo/core/text.hpp"
#include "geo/imagery/raster.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(geo::fuzz::as_text(data, size));
  try {
    const double v = geo::parse_double(text, "fuzz");
    if (!std::isfinite(v)) __builtin_trap();  // documented: never returns a non-finite number
  } catch (const geo::Error&) {
  }
  try {
    const geo::GeoPoint p = geo::parse_coordinates(text);
    if (!geo::is_valid(p)) __builtin_trap();  // documented: out-of-range coordinates throw
    (void)geo::dump_json(geo::to_json(p));
  } catch (const geo::Error&) {
  }
  try {
    const geo::GeoBox b = geo::parse_geo_box(text);
    b.validate();  // documented: the parsed box is validated
  } catch (const geo::Error&) {
  }
  return 0;
}
