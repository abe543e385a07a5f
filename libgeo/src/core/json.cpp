// SPDX-License-Identifier: Apache-2.0
#include "geo/core/json.hpp"

#include <cmath>

#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"
#include "geo/core/text.hpp"

namespace geo {

std::string dump_json(const Json& j, int indent) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

Json read_json_file(const std::filesystem::path& path) {
  const std::string text = read_file_bounded(path, kMaxTextInputBytes, "json.read");
  try {
    return Json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for 1e400
    throw Error(Errc::corrupt_data, "json.read: " + printable(path.string()) + ": not valid JSON (" + e.what() + ")");
  }
}

double round_to(double value, int digits) {
  if (!std::isfinite(value)) return value;
  const double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}

}  // namespace geo
