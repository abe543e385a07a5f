// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "geo/core/json.hpp"

namespace geo {

// A UTC instant, microseconds since 1970-01-01T00:00:00Z (POSIX time: leap seconds are not counted).
struct UtcTime {
  std::int64_t unix_us = 0;

  double unix_s() const noexcept { return static_cast<double>(unix_us) * 1e-6; }
  static UtcTime from_unix_s(double s) noexcept;
  friend bool operator==(UtcTime a, UtcTime b) noexcept { return a.unix_us == b.unix_us; }
  friend auto operator<=>(UtcTime a, UtcTime b) noexcept { return a.unix_us <=> b.unix_us; }
};

// A wall-clock time and where it came from. Reports must say which tag, telemetry stream or person a
// time rests on, and whether it was derived (creation time + PTS) rather than read.
struct SourcedTime {
  UtcTime utc;
  std::string source;                    // e.g. "quicktime:com.apple.quicktime.creationdate"
  std::optional<int> local_offset_min;   // UTC offset the file states for local time, if any
  bool derived = false;                  // computed from other values rather than read directly
};

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// The result of parsing an ISO 8601 / RFC 3339 date-time.
struct ParsedTime {
  UtcTime utc;                      // the instant; when the text had no zone it was read as UTC
  std::optional<int> offset_min;    // the zone offset the text carried ("Z" gives 0)
  bool has_zone = false;
};

// Parses "YYYY-MM-DD[T| ]hh:mm[:ss[.frac]][Z|+hh:mm|+hhmm|+hh]", also "YYYY:MM:DD hh:mm:ss" (EXIF).
// Throws Error{invalid_argument} naming the text on anything else, including impossible dates
// (2023-02-30, hour 25).
ParsedTime parse_iso8601(std::string_view text);

// Parses "YYYY-MM-DD"; throws Error{invalid_argument}.
CivilDate parse_date(std::string_view text);

// Parses "+03:00", "-0530", "+03", "Z"; returns minutes east of UTC; throws Error{invalid_argument}.
int parse_utc_offset(std::string_view text);

// "2019-07-24T08:25:40Z", with `frac_digits` (0..6) decimals of seconds when non-zero.
std::string format_utc(UtcTime t, int frac_digits = 0);
// Local wall-clock time with its offset: "2019-07-24T11:25:40+03:00".
std::string format_local(UtcTime t, int offset_min, int frac_digits = 0);
// "+03:00"
std::string format_utc_offset(int offset_min);
std::string format_date(CivilDate d);

// Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard Hinnant's algorithms).
std::int64_t days_from_civil(int y, int m, int d) noexcept;
CivilDate civil_from_days(std::int64_t days) noexcept;
bool is_valid_date(int y, int m, int d) noexcept;

UtcTime utc_from_civil(CivilDate d, int hour = 0, int minute = 0, double second = 0.0) noexcept;
CivilDate utc_date(UtcTime t) noexcept;

UtcTime now_utc();

// {"utc": "...Z", "source": "...", ["local_offset": "+03:00", "local": "..."], ["derived": true]}
Json to_json(const SourcedTime& t, int frac_digits = 0);

}  // namespace geo
