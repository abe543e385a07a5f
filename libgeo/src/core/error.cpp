// SPDX-License-Identifier: Apache-2.0
#include "geo/core/error.hpp"

namespace geo {

const char* to_string(Errc code) noexcept {
  switch (code) {
    case Errc::invalid_argument: return "invalid_argument";
    case Errc::not_found: return "not_found";
    case Errc::io: return "io";
    case Errc::corrupt_data: return "corrupt_data";
    case Errc::unsupported: return "unsupported";
    case Errc::no_georeferencing: return "no_georeferencing";
    case Errc::external: return "external";
  }
  return "unknown";
}

}  // namespace geo
