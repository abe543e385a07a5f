// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace geo {

// Key order is kept as written so that outputs read in a stable, meaningful order.
using Json = nlohmann::ordered_json;

// Parses a JSON file; throws Error{corrupt_data} naming the file and the parser's position on failure,
// Error{not_found} when it does not exist.
Json read_json_file(const std::filesystem::path& path);

// A number rounded to `digits` decimals, for outputs where float noise would mislead (1e-9 deg etc.).
double round_to(double value, int digits);

}  // namespace geo
