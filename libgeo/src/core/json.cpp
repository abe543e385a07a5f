// SPDX-License-Identifier: Apache-2.0
#include "geo/core/json.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include "geo/core/error.hpp"

namespace geo {

Json read_json_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw Error(Errc::not_found, "json.read: " + path.string() + ": no such file");
  if (std::filesystem::is_directory(path, ec))
    throw Error(Errc::invalid_argument, "json.read: " + path.string() + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io, "json.read: " + path.string() + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return Json::parse(ss.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(Errc::corrupt_data, "json.read: " + path.string() + ": not valid JSON (" + e.what() + ")");
  }
}

double round_to(double value, int digits) {
  if (!std::isfinite(value)) return value;
  const double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}

}  // namespace geo
