// SPDX-License-Identifier: Apache-2.0
// Compound registries given with --compounds: GeoJSON FeatureCollection (the shipped format).
// load_registry reads a path and chooses the format by extension, so the bytes go to a scratch file.
#include <cstdint>

#include "fuzz_support.hpp"
#include "geo/core/error.hpp"
#include "geo/spatial/compound.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static geo::fuzz::ScratchFile scratch("registry.geojson");
  try {
    const geo::spatial::Registry r = geo::spatial::load_registry(scratch.write(data, size));
    (void)geo::dump_json(geo::spatial::to_geojson(r));
  } catch (const geo::Error&) {
  }
  return 0;
}
