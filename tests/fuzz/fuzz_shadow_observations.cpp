// SPDX-License-Identifier: Apache-2.0
// Shadow observation files (`geoev sun when|where --observations FILE`), read as the command reads them.
#include <cstdint>

#include "fuzz_support.hpp"
#include "geo/chrono/shadow.hpp"
#include "geo/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static geo::fuzz::ScratchFile scratch("observations.json");
  try {
    const auto obs = geo::chrono::read_observations_file(scratch.write(data, size));
    for (const auto& o : obs) {
      o.validate();  // documented: parse_observations returns only valid observations
      (void)geo::dump_json(geo::chrono::to_json(o));
    }
  } catch (const geo::Error&) {
  }
  return 0;
}
