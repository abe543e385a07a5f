// SPDX-License-Identifier: Apache-2.0
// Time zones from the system's tz database (Debian's tzdata, read through Google's cctz): a witness's
// "9:30 in the morning" in Phnom Penh is 02:30 UTC, in Yangon 03:00 UTC. No offsets are written here.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "geo/core/time.hpp"

namespace geo {

class TimeZone {
 public:
  // An IANA name ("Asia/Phnom_Penh", "Asia/Yangon", "UTC") or a fixed offset ("+07:00", "+0700",
  // "+7", "UTC+6:30", "GMT-3", "Z"). Throws Error{invalid_argument} for an unknown name, saying what
  // is accepted. Thread-safe once made; copies share the loaded zone.
  static TimeZone named(std::string_view name_or_offset);
  static TimeZone utc();

  // The name as given for an IANA zone, "UTC+07:00" for an offset.
  const std::string& name() const noexcept;
  bool is_fixed_offset() const noexcept;
  // Seconds east of UTC at the instant (DST included), and the abbreviation in force ("+07", "CEST").
  int offset_s(UtcTime t) const;
  std::string abbreviation(UtcTime t) const;
  // The instant of a local wall-clock time. A time the clocks skipped (a DST gap) throws
  // Error{invalid_argument} naming the gap; a time that occurred twice (DST end) is the earlier one and
  // *ambiguous (when given) is set.
  UtcTime to_utc(CivilDate date, int hour, int minute, double second, bool* ambiguous = nullptr) const;
  // The same for a wall-clock time held in a UtcTime as if it were UTC (a zoneless ISO 8601 time as
  // parse_iso8601 reads it, a DJI clock): its civil fields read in this zone. Microseconds are kept.
  UtcTime from_wall_clock(UtcTime wall, bool* ambiguous = nullptr) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

// "2025-03-15T16:30:00+07:00 (Asia/Phnom_Penh)": the local time with its offset and zone name.
std::string format_in_zone(UtcTime t, const TimeZone& zone, int frac_digits = 0);

// A time for people: "2025-03-15T02:30:00Z (09:30:00 local on 2025-03-15, +07:00 Asia/Phnom_Penh)";
// the UTC time alone without a zone; a fixed-offset zone is not named twice.
std::string format_utc_and_local(UtcTime t, const TimeZone* zone);

// An ISO 8601 time as a person gives it on the command line. With a zone or offset in the text ("Z",
// "+07:00") it is that instant; without one it is a wall-clock time in `zone` when given, and otherwise
// refused: Error{invalid_argument} "time '2025-03-15T09:30' has no zone: add Z for UTC or an offset such
// as +07:00, or give --tz ZONE (e.g. Asia/Phnom_Penh)". `flag` names the option in that message.
ParsedTime parse_time_with_zone(std::string_view text, const std::optional<TimeZone>& zone,
                                const std::string& flag = "--time");

}  // namespace geo
