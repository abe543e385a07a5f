// SPDX-License-Identifier: Apache-2.0
#include "geo/core/error.hpp"
#include "geo/report/report.hpp"

namespace geo::reporting {

void write_pdf(const Document&, const std::filesystem::path& out) {
  throw Error(Errc::unsupported, "report: " + out.string() + ": PDF output is not available yet");
}

}  // namespace geo::reporting
