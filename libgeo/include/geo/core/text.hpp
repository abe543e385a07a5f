// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace geo {

// Splits on `sep`, trimming each part; "a,,b" gives {"a","","b"}.
std::vector<std::string> split(std::string_view text, char sep);
// Removes ASCII spaces, tabs, CR and LF from both ends.
std::string_view trim(std::string_view s);
// Whole-string decimal number (locale-independent "C" syntax); throws Error{invalid_argument} naming
// `what` when the text is empty, has trailing garbage, or is not finite.
double parse_double(std::string_view text, const std::string& what);
// Lower-cases ASCII.
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

}  // namespace geo
