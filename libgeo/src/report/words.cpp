// SPDX-License-Identifier: Apache-2.0
// Wording shared by every section: times, places, sizes, as the terminal summary of geoev run says them.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "geo/core/error.hpp"
#include "geo/core/timezone.hpp"
#include "internal.hpp"

namespace geo::reporting::detail {

namespace {

// "2020-09-02 14:41:12" from "2020-09-02T14:41:12Z" (seconds: the events' windows are whole seconds).
std::string date_time(UtcTime t) {
  const std::string s = format_utc(t);
  return s.substr(0, 10) + " " + s.substr(11, 8);
}

std::string local_of(UtcTime t, const TimeZone& z) {
  const std::string s = format_in_zone(t, z);  // 2020-09-02T09:41:12-05:00 (zone)
  return s.substr(0, 10) + " " + s.substr(11, 8);
}

}  // namespace

std::string utc_window(const std::optional<UtcTime>& from, const std::optional<UtcTime>& to) {
  if (!from && !to) return "unknown";
  if (!from) return "not after " + date_time(*to) + " UTC";
  if (!to) return "not before " + date_time(*from) + " UTC";
  const std::string a = date_time(*from), b = date_time(*to);
  if (a == b) return a + " UTC";
  return a + " to " + (a.substr(0, 10) == b.substr(0, 10) ? b.substr(11) : b) + " UTC";
}

std::string local_window(const std::optional<UtcTime>& from, const std::optional<UtcTime>& to, const std::string& zone) {
  if (zone.empty() || (!from && !to)) return {};
  try {
    const TimeZone z = TimeZone::named(zone);
    const UtcTime ref = from ? *from : *to;
    const std::string off = "UTC" + format_utc_offset(z.offset_s(ref) / 60) + " " + zone;
    if (!from) return "not after " + local_of(*to, z) + " local, " + off;
    if (!to) return "not before " + local_of(*from, z) + " local, " + off;
    const std::string a = local_of(*from, z), b = local_of(*to, z);
    if (a == b) return a + " local, " + off;
    return a + " to " + (a.substr(0, 10) == b.substr(0, 10) ? b.substr(11) : b) + " local, " + off;
  } catch (const Error&) {
    return {};
  }
}

std::string format_coord(const GeoPoint& p) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f, %.6f", p.lat_deg, p.lon_deg);
  return buf;
}

std::string format_fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string format_bytes(std::uintmax_t n) {
  std::string digits = std::to_string(n), grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  std::string s = grouped + " bytes";
  if (n >= (1u << 20)) s += " (" + format_fixed(static_cast<double>(n) / (1 << 20), 1) + " MiB)";
  else if (n >= 1024) s += " (" + format_fixed(static_cast<double>(n) / 1024, 0) + " KiB)";
  return s;
}

std::string file_name(const std::string& path) {
  return fs::path(path).filename().string();
}

std::string words_of(std::string code) {
  std::replace(code.begin(), code.end(), '_', ' ');
  return code;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

}  // namespace geo::reporting::detail
