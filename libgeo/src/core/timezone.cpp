// SPDX-License-Identifier: Apache-2.0
#include "geo/core/timezone.hpp"

#include <cctz/civil_time.h>
#include <cctz/time_zone.h>

#include <chrono>
#include <cmath>
#include <cstdio>

#include "geo/core/error.hpp"
#include "geo/core/text.hpp"

namespace geo {

struct TimeZone::Impl {
  cctz::time_zone tz;
  std::string name;
  bool fixed = false;
};

namespace {

using Seconds = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

Seconds seconds_of(UtcTime t) {
  std::int64_t s = t.unix_us / 1000000;
  if (t.unix_us % 1000000 < 0) --s;
  return Seconds(std::chrono::seconds(s));
}

// "+07:00", "+0700", "+7", "-3:30", with an optional UTC/GMT prefix; minutes east, or nullopt.
std::optional<int> fixed_offset_min(std::string_view s) {
  if (iequals(s, "Z") || iequals(s, "UTC") || iequals(s, "GMT")) return 0;
  if (s.size() > 3 && (iequals(s.substr(0, 3), "UTC") || iequals(s.substr(0, 3), "GMT"))) s.remove_prefix(3);
  if (s.empty() || (s[0] != '+' && s[0] != '-')) return std::nullopt;
  const int sign = s[0] == '-' ? -1 : 1;
  s.remove_prefix(1);
  int h = 0, m = 0;
  std::size_t i = 0, digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && digits < 2) h = h * 10 + (s[i++] - '0'), ++digits;
  if (digits == 0) return std::nullopt;
  if (i < s.size() && s[i] == ':') ++i;
  std::size_t md = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && md < 2) m = m * 10 + (s[i++] - '0'), ++md;
  if (i != s.size() || (md != 0 && md != 2) || h > 14 || m > 59) return std::nullopt;
  return sign * (h * 60 + m);
}

}  // namespace

TimeZone TimeZone::named(std::string_view name_or_offset) {
  const std::string_view s = trim(name_or_offset);
  auto impl = std::make_shared<Impl>();
  if (const auto off = fixed_offset_min(s)) {
    impl->tz = cctz::fixed_time_zone(std::chrono::seconds(*off * 60));
    impl->name = *off == 0 ? "UTC" : "UTC" + format_utc_offset(*off);
    impl->fixed = true;
  } else {
    // cctz falls back to UTC for a name it cannot load; refuse instead of guessing.
    if (s.empty() || s.size() > 100 || s.find("..") != std::string_view::npos || s.front() == '/' ||
        !cctz::load_time_zone(std::string(s), &impl->tz))
      throw Error(Errc::invalid_argument,
                  "time zone '" + printable(s) +
                      "' is unknown: give an IANA name such as Asia/Phnom_Penh or Asia/Yangon, or an offset such as +07:00");
    impl->name = std::string(s);
  }
  TimeZone z;
  z.impl_ = std::move(impl);
  return z;
}

TimeZone TimeZone::utc() { return named("UTC"); }

const std::string& TimeZone::name() const noexcept { return impl_->name; }
bool TimeZone::is_fixed_offset() const noexcept { return impl_->fixed; }

int TimeZone::offset_s(UtcTime t) const { return impl_->tz.lookup(seconds_of(t)).offset; }

std::string TimeZone::abbreviation(UtcTime t) const { return impl_->tz.lookup(seconds_of(t)).abbr; }

UtcTime TimeZone::to_utc(CivilDate date, int hour, int minute, double second, bool* ambiguous) const {
  const double whole = std::floor(second);
  const cctz::civil_second cs(date.year, date.month, date.day, hour, minute, static_cast<int>(whole));
  const auto lookup = impl_->tz.lookup(cs);
  if (ambiguous) *ambiguous = lookup.kind == cctz::time_zone::civil_lookup::REPEATED;
  if (lookup.kind == cctz::time_zone::civil_lookup::SKIPPED) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d", date.year, date.month, date.day, hour, minute);
    throw Error(Errc::invalid_argument, std::string("local time ") + buf + " does not exist in " + impl_->name +
                                            ": the clocks skipped it (a daylight-saving gap); give the time with its offset");
  }
  const auto tp = lookup.pre;  // the earlier instant when the time repeats; the only one otherwise
  const std::int64_t s = std::chrono::duration_cast<std::chrono::seconds>(tp.time_since_epoch()).count();
  return UtcTime{s * 1000000 + static_cast<std::int64_t>(std::llround((second - whole) * 1e6))};
}

UtcTime TimeZone::from_wall_clock(UtcTime wall, bool* ambiguous) const {
  std::int64_t days = wall.unix_us / 86400000000LL, rem = wall.unix_us % 86400000000LL;
  if (rem < 0) rem += 86400000000LL, --days;
  const std::int64_t whole_s = rem / 1000000;
  UtcTime t = to_utc(civil_from_days(days), static_cast<int>(whole_s / 3600), static_cast<int>(whole_s / 60 % 60),
                     static_cast<double>(whole_s % 60), ambiguous);
  t.unix_us += rem % 1000000;
  return t;
}

std::string format_utc_and_local(UtcTime t, const TimeZone* zone) {
  std::string s = format_utc(t);
  if (!zone) return s;
  const std::string local = format_local(t, zone->offset_s(t) / 60);  // 2025-03-15T09:30:00+07:00
  return s + " (" + local.substr(11, 8) + " local on " + local.substr(0, 10) + ", " + local.substr(19) +
         (zone->is_fixed_offset() ? std::string() : " " + zone->name()) + ")";
}

std::string format_in_zone(UtcTime t, const TimeZone& zone, int frac_digits) {
  return format_local(t, zone.offset_s(t) / 60, frac_digits) + " (" + zone.name() + ")";
}

ParsedTime parse_time_with_zone(std::string_view text, const std::optional<TimeZone>& zone, const std::string& flag) {
  ParsedTime p = parse_iso8601(text);
  if (p.has_zone) return p;
  if (!zone)
    throw Error(Errc::invalid_argument, flag + " '" + printable(trim(text)) +
                                            "' has no zone: add Z for UTC or an offset such as +07:00, or give --tz ZONE "
                                            "(e.g. Asia/Phnom_Penh)");
  // Without a zone parse_iso8601 read the wall-clock fields as UTC: place them in the zone.
  p.utc = zone->from_wall_clock(p.utc);
  p.offset_min = zone->offset_s(p.utc) / 60;
  p.has_zone = true;
  return p;
}

}  // namespace geo
