// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"
#include "geo/core/text.hpp"
#include "geo/media/telemetry.hpp"

namespace geo {
namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

// A number right after `pos` (skipping spaces); nullopt when there is none.
std::optional<double> number_at(const std::string& s, std::size_t pos, std::size_t* end = nullptr) {
  while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t')) ++pos;
  if (pos >= s.size()) return std::nullopt;
  const char* begin = s.c_str() + pos;
  char* stop = nullptr;
  const double v = std::strtod(begin, &stop);
  if (stop == begin || !std::isfinite(v)) return std::nullopt;
  if (end) *end = pos + static_cast<std::size_t>(stop - begin);
  return v;
}

// "key: value" / "key : value" / "key:value" where key is a whole word.
std::optional<double> keyed_value(const std::string& body, const std::string& key) {
  for (std::size_t at = body.find(key); at != std::string::npos; at = body.find(key, at + 1)) {
    if (at > 0 && is_word_char(body[at - 1])) continue;
    std::size_t p = at + key.size();
    while (p < body.size() && body[p] == ' ') ++p;
    if (p < body.size() && body[p] == ':') return number_at(body, p + 1);
  }
  return std::nullopt;
}

// "KEY (a, b, c)" or "KEY(a,b,c)": the numbers inside the parentheses (units and degree signs ignored).
std::optional<std::vector<double>> tuple_after(const std::string& body, const std::string& key,
                                               bool* spaced = nullptr, bool* m_suffix = nullptr) {
  for (std::size_t at = body.find(key); at != std::string::npos; at = body.find(key, at + 1)) {
    if (at > 0 && is_word_char(body[at - 1])) continue;
    std::size_t p = at + key.size();
    const bool sp = p < body.size() && body[p] == ' ';
    while (p < body.size() && body[p] == ' ') ++p;
    if (p >= body.size() || body[p] != '(') continue;
    const auto close = body.find(')', p);
    if (close == std::string::npos) return std::nullopt;
    std::vector<double> values;
    bool m = false;
    for (const auto& part : split(std::string_view(body).substr(p + 1, close - p - 1), ',')) {
      std::string clean;
      for (char c : part) {
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.') clean += c;
        else if (c == 'M' || c == 'm') m = true;
      }
      char* stop = nullptr;
      const double v = std::strtod(clean.c_str(), &stop);
      if (clean.empty() || *stop != '\0' || !std::isfinite(v)) return std::nullopt;
      values.push_back(v);
    }
    if (spaced) *spaced = sp;
    if (m_suffix) *m_suffix = m;
    return values;
  }
  return std::nullopt;
}

int digits(const std::string& s, std::size_t& p, int max_n) {
  int v = 0, n = 0;
  while (p < s.size() && n < max_n && std::isdigit(static_cast<unsigned char>(s[p]))) {
    v = v * 10 + (s[p] - '0');
    ++p, ++n;
  }
  return n == 0 ? -1 : v;
}

// "YYYY-MM-DD hh:mm:ss[.mmm|,mmm[,uuu]]" or with dots in the date; the drone's naive local clock.
std::optional<UtcTime> wall_clock(const std::string& body) {
  for (std::size_t i = 0; i + 14 < body.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(body[i])) || (i > 0 && std::isdigit(static_cast<unsigned char>(body[i - 1]))))
      continue;
    std::size_t p = i;
    const int y = digits(body, p, 4);
    if (p - i != 4 || p >= body.size() || (body[p] != '-' && body[p] != '.')) continue;
    const char sep = body[p++];
    const int mo = digits(body, p, 2);
    if (mo < 0 || p >= body.size() || body[p++] != sep) continue;
    const int d = digits(body, p, 2);
    if (d < 0 || p >= body.size() || body[p++] != ' ') continue;
    const int h = digits(body, p, 2);
    if (h < 0 || p >= body.size() || body[p++] != ':') continue;
    const int mi = digits(body, p, 2);
    if (mi < 0 || p >= body.size() || body[p++] != ':') continue;
    const int s = digits(body, p, 2);
    if (s < 0 || !is_valid_date(y, mo, d) || h > 23 || mi > 59 || s > 60) continue;
    double frac = 0;
    if (p + 1 < body.size() && (body[p] == '.' || body[p] == ',') && std::isdigit(static_cast<unsigned char>(body[p + 1]))) {
      ++p;
      const std::size_t q = p;
      const int ms = digits(body, p, 9);
      const std::size_t nd = p - q;
      frac = ms / std::pow(10.0, static_cast<double>(nd));
      if (body[q - 1] == ',' && nd == 3 && p + 1 < body.size() && body[p] == ',' &&
          std::isdigit(static_cast<unsigned char>(body[p + 1]))) {
        ++p;  // ",mmm,uuu": milliseconds then microseconds
        const std::size_t r = p;
        const int us = digits(body, p, 3);
        if (p - r == 3) frac += us * 1e-6;
      }
    }
    return utc_from_civil(CivilDate{y, mo, d}, h, mi, s + frac);
  }
  return std::nullopt;
}

// "hh:mm:ss,mmm --> hh:mm:ss,mmm": the start in seconds.
std::optional<double> timecode_start(const std::string& line) {
  if (line.find("-->") == std::string::npos) return std::nullopt;
  std::size_t p = 0;
  while (p < line.size() && line[p] == ' ') ++p;
  const int h = digits(line, p, 3);
  if (h < 0 || p >= line.size() || line[p++] != ':') return std::nullopt;
  const int m = digits(line, p, 2);
  if (m < 0 || p >= line.size() || line[p++] != ':') return std::nullopt;
  const int s = digits(line, p, 2);
  if (s < 0) return std::nullopt;
  double ms = 0;
  if (p < line.size() && (line[p] == ',' || line[p] == '.')) {
    ++p;
    const std::size_t q = p;
    const int v = digits(line, p, 3);
    if (v >= 0) ms = v / std::pow(10.0, static_cast<double>(p - q));
  }
  return h * 3600.0 + m * 60.0 + s + ms;
}

std::string strip_tags(const std::string& s) {
  std::string out;
  bool in_tag = false;
  for (char c : s) {
    if (c == '<') in_tag = true;
    else if (c == '>') in_tag = false;
    else if (!in_tag) out += c;
  }
  return out;
}

struct RawEntry {
  std::optional<double> t_s;
  std::optional<UtcTime> clock;
  std::string body;
  int index = 0;
};

}  // namespace

TelemetryTrack parse_dji_srt(std::string_view text, const std::string& file_label, Diagnostics& diags) {
  // Split into blank-line separated blocks.
  std::vector<std::vector<std::string>> blocks(1);
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string line(trim(text.substr(pos, nl - pos)));
    if (line.size() >= 3 && static_cast<unsigned char>(line[0]) == 0xEF && static_cast<unsigned char>(line[1]) == 0xBB &&
        static_cast<unsigned char>(line[2]) == 0xBF)
      line.erase(0, 3);
    if (line.empty()) {
      if (!blocks.back().empty()) blocks.emplace_back();
    } else {
      blocks.back().push_back(line);
    }
    pos = nl + 1;
  }
  std::vector<RawEntry> entries;
  for (const auto& b : blocks) {
    if (b.empty()) continue;
    RawEntry e;
    std::size_t first = 0;
    if (std::all_of(b[0].begin(), b[0].end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      e.index = std::atoi(b[0].c_str());
      first = 1;
    }
    for (std::size_t i = first; i < b.size(); ++i) {
      if (auto t = timecode_start(b[i]); t && !e.t_s) e.t_s = t;
      else e.body += strip_tags(b[i]) + "\n";
    }
    e.clock = wall_clock(e.body);
    if (!e.t_s && !e.clock) continue;  // not a subtitle entry
    entries.push_back(std::move(e));
  }
  if (entries.empty())
    throw Error(Errc::corrupt_data, "probe.srt: " + file_label + ": not a DJI SRT file (no subtitle entry with a time code or clock)");

  TelemetryTrack track;
  track.source = "dji-srt";
  track.file = file_label;
  track.payloads = entries.size();

  // Decide "GPS(a,b)" axis order once for the file.
  bool lon_first_forced = false, lat_first_forced = false, any_plain = false, m_suffix_seen = false;
  for (const auto& e : entries) {
    bool spaced = false, m = false;
    auto v = tuple_after(e.body, "GPS", &spaced, &m);
    if (!v || v->size() < 2 || spaced) continue;
    any_plain = true;
    m_suffix_seen = m_suffix_seen || m;
    if (std::abs((*v)[0]) > 90) lon_first_forced = true;
    if (std::abs((*v)[1]) > 90) lat_first_forced = true;
  }
  bool plain_lon_first = true;
  if (lon_first_forced && lat_first_forced) {
    diags.warn("srt.axis_order_inconsistent", "GPS(...) values exceed 90 in both positions; read as lon,lat", file_label);
  } else if (lat_first_forced) {
    plain_lon_first = false;
  } else if (!lon_first_forced && any_plain) {
    plain_lon_first = !m_suffix_seen;
    diags.warn("srt.axis_order_assumed",
               std::string("GPS(a,b,alt) order cannot be told from the values; read as ") +
                   (plain_lon_first ? "lon,lat (DJI Mavic/Phantom dialect)" : "lat,lon (Matrice dialect, altitude in 'M')") +
                   ": check against the footage",
               file_label);
  }

  bool no_timecode = false, bad_gps = false, unlocked = false, gps_third_ignored = false;
  const std::optional<UtcTime> first_clock = entries.front().clock;
  for (const auto& e : entries) {
    TelemetrySample s;
    if (e.t_s) {
      s.t_s = *e.t_s;
    } else {
      no_timecode = true;
      s.t_s = (e.clock && first_clock) ? (e.clock->unix_s() - first_clock->unix_s()) : 0.0;
    }
    s.local_clock = e.clock;
    std::optional<double> lat, lon, alt;
    if (auto v = keyed_value(e.body, "latitude")) lat = v;
    if (auto v = keyed_value(e.body, "longitude")) lon = v;
    if (auto v = keyed_value(e.body, "longtitude")) lon = v;
    if (auto v = keyed_value(e.body, "abs_alt")) alt = v;
    else if (auto v2 = keyed_value(e.body, "altitude")) alt = v2;
    if (auto v = keyed_value(e.body, "rel_alt")) s.rel_alt_m = v;
    if (!lat || !lon) {
      bool spaced = false, m = false;
      if (auto v = tuple_after(e.body, "GPS", &spaced, &m)) {
        if (v->size() >= 2) {
          const bool lon_first = spaced || plain_lon_first;
          lon = lon_first ? (*v)[0] : (*v)[1];
          lat = lon_first ? (*v)[1] : (*v)[0];
          // The third value is an altitude only when it carries its unit ("GPS(lat,lon,25M)", Matrice
          // 300). In the plain "GPS(lon,lat,n)" dialects it stays at 14-18 while BAROMETER climbs from 2
          // to 118 m (mavic_pro.SRT): a satellite count, never reported as a height.
          if (v->size() >= 3 && m) alt = (*v)[2];
          else if (v->size() >= 3) gps_third_ignored = true;
        } else {
          bad_gps = true;
        }
      } else if (e.body.find("GPS") != std::string::npos) {
        bad_gps = true;
      }
    }
    if (auto v = keyed_value(e.body, "BAROMETER")) s.rel_alt_m = v;
    else if (auto v2 = keyed_value(e.body, "Hb")) s.rel_alt_m = v2;
    if (auto h = e.body.find(", H "); h != std::string::npos) s.rel_alt_m = number_at(e.body, h + 4);
    if (auto h = e.body.find("H.S "); h != std::string::npos) s.speed_mps = number_at(e.body, h + 4);
    if (auto f = tuple_after(e.body, "F.PRY"); f && f->size() == 3) {
      s.aircraft_pitch_deg = (*f)[0], s.aircraft_roll_deg = (*f)[1], s.aircraft_yaw_deg = (*f)[2];
    }
    if (auto g = tuple_after(e.body, "G.PRY"); g && g->size() == 3) {
      s.gimbal_pitch_deg = (*g)[0], s.gimbal_roll_deg = (*g)[1], s.gimbal_yaw_deg = (*g)[2];
    }
    if (!lat || !lon) continue;
    s.point.lat_deg = *lat;
    s.point.lon_deg = *lon;
    s.point.h_m = alt;
    if (!is_valid(s.point)) {
      bad_gps = true;
      continue;
    }
    if (*lat == 0 && *lon == 0) {
      s.locked = false;
      unlocked = true;
    }
    track.samples.push_back(s);
  }
  if (no_timecode)
    diags.warn("srt.no_timecode", "entries have no subtitle time code; t_s is the drone clock's offset from the first entry", file_label);
  if (gps_third_ignored)
    diags.info("srt.gps_third_value_ignored", "the third GPS(...) value has no unit and is not an altitude in this "
                                              "dialect (it tracks the satellite count); height comes from BAROMETER/H",
               file_label);
  if (bad_gps) diags.warn("srt.bad_gps", "some GPS fields did not parse or were out of range and were skipped", file_label);
  if (unlocked) diags.warn("gps.no_lock", "samples at 0,0 (GPS before lock) are marked locked=false", file_label);
  if (first_clock)
    diags.info("srt.clock_local",
               "the SRT date/time is the drone's own clock, normally local time with no zone: it is reported as "
               "local_clock, not as UTC",
               file_label);
  if (track.samples.empty())
    diags.warn("srt.no_gps", "the SRT has " + std::to_string(entries.size()) + " entries but none carries a position", file_label);
  return track;
}

TelemetryTrack read_dji_srt(const std::filesystem::path& file, Diagnostics& diags) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) throw Error(Errc::not_found, "probe.srt: " + file.string() + ": no such file");
  if (std::filesystem::is_directory(file, ec)) throw Error(Errc::invalid_argument, "probe.srt: " + file.string() + ": is a directory");
  // Bounded and non-blocking: a FIFO, /dev/zero or a multi-gigabyte file is refused, not read.
  return parse_dji_srt(read_file_bounded(file, kMaxTextInputBytes, "probe.srt"), file.string(), diags);
}

}  // namespace geo
