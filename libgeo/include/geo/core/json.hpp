// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace geo {

// Key order is kept as written so that outputs read in a stable, meaningful order.
using Json = nlohmann::ordered_json;

// Serialises for output: invalid UTF-8 in any string (a Latin-1 file name, a corrupt tag) becomes
// U+FFFD instead of an exception, so any bytes in the input give valid JSON. indent -1: one line.
// Every JSON geoev writes goes through this.
std::string dump_json(const Json& j, int indent = -1);

// Parses a JSON file (at most kMaxTextInputBytes, a regular file); throws Error{corrupt_data} naming the file and the parser's position on failure,
// Error{not_found} when it does not exist.
Json read_json_file(const std::filesystem::path& path);

// A number rounded to `digits` decimals, for outputs where float noise would mislead (1e-9 deg etc.).
double round_to(double value, int digits);

}  // namespace geo
