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

// A distance for people to read, rounded to what it means: "0.4 m", "8.4 m", "412 m", "2.4 km", "25 km".
std::string format_distance(double metres);
// A duration for people: "12.3 s", "45 min", "5.2 h", "1012 days".
std::string format_duration(double seconds);

// Untrusted bytes (file names, metadata tags, analyst text) in outputs that must stay readable.
// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points over U+10FFFF).
bool is_valid_utf8(std::string_view s) noexcept;
// `s` with every ill-formed byte replaced by U+FFFD; valid UTF-8 comes back unchanged.
std::string to_valid_utf8(std::string_view s);
// Lower-case hex of the bytes, e.g. "78e92e6d7034" for "x\xe9.mp4": the exact bytes beside a display form.
std::string hex_bytes(std::string_view s);
// The bytes back from hex_bytes' text; throws Error{invalid_argument} on an odd length or a non-hex digit.
std::string bytes_from_hex(std::string_view hex);
// For a terminal: valid UTF-8 with C0/C1 control characters and DEL written as \xNN (and a backslash
// as \\), so a file name cannot forge a line or move the cursor; invalid bytes become \xNN as well.
std::string printable(std::string_view s);

}  // namespace geo
