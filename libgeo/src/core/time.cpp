// SPDX-License-Identifier: Apache-2.0
#include "geo/core/time.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "geo/core/error.hpp"

namespace geo {
namespace {

[[noreturn]] void bad_time(std::string_view text, const char* why) {
  throw Error(Errc::invalid_argument,
              "time: cannot parse '" + std::string(text) + "' as ISO 8601 UTC time (" + why + ")");
}

bool read_digits(std::string_view s, std::size_t& pos, int count, int& value) {
  if (pos + static_cast<std::size_t>(count) > s.size()) return false;
  value = 0;
  for (int i = 0; i < count; ++i) {
    const char c = s[pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(count);
  return true;
}

// Parses an offset at s[pos..]: "Z", "+hh:mm", "+hhmm", "+hh". Returns false when malformed.
bool read_offset(std::string_view s, std::size_t& pos, int& offset_min) {
  if (pos >= s.size()) return false;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
    offset_min = 0;
    return true;
  }
  if (s[pos] != '+' && s[pos] != '-') return false;
  const int sign = s[pos] == '-' ? -1 : 1;
  ++pos;
  int hh = 0, mm = 0;
  if (!read_digits(s, pos, 2, hh)) return false;
  if (pos < s.size() && s[pos] == ':') ++pos;
  if (pos < s.size() && !read_digits(s, pos, 2, mm)) return false;
  if (hh > 18 || mm > 59 || hh * 60 + mm > 18 * 60) return false;  // zones span -18:00..+18:00
  offset_min = sign * (hh * 60 + mm);
  return true;
}

}  // namespace

UtcTime UtcTime::from_unix_s(double s) noexcept {
  return UtcTime{static_cast<std::int64_t>(std::llround(s * 1e6))};
}

std::int64_t days_from_civil(int y, int m, int d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153u * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2u) / 5u + static_cast<unsigned>(d) - 1u;
  const unsigned doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

bool is_valid_date(int y, int m, int d) noexcept {
  if (y < -9999 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

UtcTime utc_from_civil(CivilDate d, int hour, int minute, double second) noexcept {
  const std::int64_t days = days_from_civil(d.year, d.month, d.day);
  const std::int64_t whole_us = (days * 86400 + hour * 3600 + minute * 60) * 1000000;
  return UtcTime{whole_us + static_cast<std::int64_t>(std::llround(second * 1e6))};
}

CivilDate utc_date(UtcTime t) noexcept {
  std::int64_t days = t.unix_us / 86400000000LL;
  if (t.unix_us % 86400000000LL < 0) --days;
  return civil_from_days(days);
}

ParsedTime parse_iso8601(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0' || s.back() == '\n')) s.remove_suffix(1);
  std::size_t pos = 0;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!read_digits(s, pos, 4, y)) bad_time(text, "expected a 4-digit year");
  if (y == 0) bad_time(text, "year 0000 is no date (a camera whose clock was never set writes it)");
  const bool exif = pos < s.size() && s[pos] == ':';
  const char dsep = exif ? ':' : '-';
  if (pos >= s.size() || s[pos] != dsep) bad_time(text, "expected YYYY-MM-DD");
  ++pos;
  if (!read_digits(s, pos, 2, mo) || pos >= s.size() || s[pos] != dsep) bad_time(text, "expected a month");
  ++pos;
  if (!read_digits(s, pos, 2, d)) bad_time(text, "expected a day");
  if (!is_valid_date(y, mo, d)) bad_time(text, "no such date");
  double frac = 0.0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') bad_time(text, "expected 'T' before the time");
    ++pos;
    if (!read_digits(s, pos, 2, h) || pos >= s.size() || s[pos] != ':') bad_time(text, "expected hh:mm");
    ++pos;
    if (!read_digits(s, pos, 2, mi)) bad_time(text, "expected minutes");
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!read_digits(s, pos, 2, sec)) bad_time(text, "expected seconds");
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        double scale = 0.1;
        const std::size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
          frac += (s[pos] - '0') * scale;
          scale *= 0.1;
          ++pos;
        }
        if (pos == start) bad_time(text, "expected digits after the decimal point");
      }
    }
    if (h > 23 || mi > 59 || sec > 60) bad_time(text, "hour, minute or second out of range");
  }
  ParsedTime out;
  int offset = 0;
  if (pos < s.size()) {
    if (!read_offset(s, pos, offset) || pos != s.size()) bad_time(text, "unexpected text after the time");
    out.offset_min = offset;
    out.has_zone = true;
  }
  out.utc = utc_from_civil({y, mo, d}, h, mi, sec + frac);
  out.utc.unix_us -= static_cast<std::int64_t>(offset) * 60 * 1000000;
  return out;
}

CivilDate parse_date(std::string_view text) {
  std::size_t pos = 0;
  int y = 0, m = 0, d = 0;
  if (!read_digits(text, pos, 4, y) || pos >= text.size() || text[pos++] != '-' ||
      !read_digits(text, pos, 2, m) || pos >= text.size() || text[pos++] != '-' ||
      !read_digits(text, pos, 2, d) || pos != text.size())
    throw Error(Errc::invalid_argument, "date: expected YYYY-MM-DD, got '" + std::string(text) + "'");
  if (!is_valid_date(y, m, d))
    throw Error(Errc::invalid_argument, "date: no such date '" + std::string(text) + "'");
  return {y, m, d};
}

int parse_utc_offset(std::string_view text) {
  std::size_t pos = 0;
  int offset = 0;
  if (!read_offset(text, pos, offset) || pos != text.size())
    throw Error(Errc::invalid_argument, "utc offset: expected +hh:mm, got '" + std::string(text) + "'");
  return offset;
}

namespace {
std::string format_parts(UtcTime t, int frac_digits) {
  std::int64_t days = t.unix_us / 86400000000LL;
  std::int64_t rem = t.unix_us % 86400000000LL;
  if (rem < 0) {
    rem += 86400000000LL;
    --days;
  }
  const CivilDate d = civil_from_days(days);
  const std::int64_t secs = rem / 1000000;
  const std::int64_t us = rem % 1000000;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", d.year, d.month, d.day,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60));
  std::string out(buf);
  if (frac_digits > 0) {
    frac_digits = frac_digits > 6 ? 6 : frac_digits;
    char fb[16];
    std::snprintf(fb, sizeof fb, "%06lld", static_cast<long long>(us));
    out += '.';
    out.append(fb, static_cast<std::size_t>(frac_digits));
  }
  return out;
}
}  // namespace

std::string format_utc(UtcTime t, int frac_digits) { return format_parts(t, frac_digits) + "Z"; }

std::string format_local(UtcTime t, int offset_min, int frac_digits) {
  UtcTime local{t.unix_us + static_cast<std::int64_t>(offset_min) * 60 * 1000000};
  return format_parts(local, frac_digits) + format_utc_offset(offset_min);
}

std::string format_utc_offset(int offset_min) {
  char buf[16];
  const int a = offset_min < 0 ? -offset_min : offset_min;
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset_min < 0 ? '-' : '+', a / 60, a % 60);
  return buf;
}

std::string format_date(CivilDate d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

UtcTime now_utc() {
  using namespace std::chrono;
  return UtcTime{duration_cast<microseconds>(system_clock::now().time_since_epoch()).count()};
}

Json to_json(const SourcedTime& t, int frac_digits) {
  Json j{{"utc", format_utc(t.utc, frac_digits)}, {"source", t.source}};
  if (t.local_offset_min) {
    j["local_offset"] = format_utc_offset(*t.local_offset_min);
    j["local"] = format_local(t.utc, *t.local_offset_min, frac_digits);
  }
  if (t.derived) j["derived"] = true;
  return j;
}

}  // namespace geo
