// SPDX-License-Identifier: Apache-2.0
// Times from the command line and from metadata: ISO 8601 / RFC 3339 and EXIF date-times, dates,
// UTC offsets. A parsed time must format and parse back to the same instant.
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "geo/core/error.hpp"
#include "geo/core/time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = geo::fuzz::as_text(data, size);
  try {
    const geo::ParsedTime t = geo::parse_iso8601(text);
    const geo::CivilDate d = geo::utc_date(t.utc);
    // format_utc writes 4-digit years; an offset can move 0000-01-01 into year -1, which it cannot.
    if (d.year >= 1 && d.year <= 9999) {
      const std::string back = geo::format_utc(t.utc, 6);
      if (geo::parse_iso8601(back).utc != t.utc) __builtin_trap();
      if (t.offset_min) (void)geo::format_local(t.utc, *t.offset_min, 3);
    }
  } catch (const geo::Error&) {
  }
  try {
    const geo::CivilDate d = geo::parse_date(text);
    if (!geo::is_valid_date(d.year, d.month, d.day)) __builtin_trap();
    if (geo::format_date(d) != text) __builtin_trap();  // only YYYY-MM-DD is accepted
  } catch (const geo::Error&) {
  }
  try {
    const int off = geo::parse_utc_offset(text);
    if (off < -18 * 60 || off > 18 * 60) __builtin_trap();
    (void)geo::format_utc_offset(off);
  } catch (const geo::Error&) {
  }
  return 0;
}
