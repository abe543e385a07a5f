// SPDX-License-Identifier: Apache-2.0
#include "geo/media/file_name_time.hpp"

#include <regex>
#include <vector>

namespace geo {

namespace {

bool valid(const FileNameTime& t) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (t.date.year < 1990 || t.date.year > 2100 || t.date.month < 1 || t.date.month > 12) return false;
  if (t.date.day < 1 || t.date.day > kDays[t.date.month - 1]) return false;
  return t.hour >= 0 && t.hour < 24 && t.minute >= 0 && t.minute < 60 && t.second >= 0 && t.second < 61;
}

int num(const std::ssub_match& m) { return std::stoi(m.str()); }

}  // namespace

std::optional<FileNameTime> time_from_file_name(std::string_view name_view) {
  const std::string name(name_view.substr(0, 256));
  struct Pattern {
    std::regex re;
    FileNameTime::Kind kind;
    const char* what;
    bool has_time;
    bool millis;  // the seconds field carries three more digits (Pixel)
  };
  // Anchored at the start of the name (after an optional prefix the app writes); the digits must not
  // run on into more digits (a hash or a counter is not a date).
  static const std::vector<Pattern> patterns = [] {
    const auto i = std::regex::icase;
    return std::vector<Pattern>{
        {std::regex(R"(^(?:VID|IMG|AUD|PTT)-(\d{4})(\d{2})(\d{2})-WA\d+)", i), FileNameTime::Kind::received_date,
         "WhatsApp (VID-YYYYMMDD-WAnnnn)", false, false},
        {std::regex(R"(^PXL_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})(\d{3}))", i), FileNameTime::Kind::utc_start,
         "Google Pixel (PXL_YYYYMMDD_HHMMSSmmm, UTC)", true, true},
        {std::regex(R"(^(?:VID|IMG|MVIMG|MOV)_(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})(?!\d))", i),
         FileNameTime::Kind::local_start, "Android camera (VID_YYYYMMDD_HHMMSS)", true, false},
        {std::regex(R"(^(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})(?!\d))", i), FileNameTime::Kind::local_start,
         "Samsung camera (YYYYMMDD_HHMMSS)", true, false},
        {std::regex(R"(^Screen Recording (\d{4})-(\d{2})-(\d{2}) at (\d{1,2})\.(\d{2})\.(\d{2}))", i),
         FileNameTime::Kind::local_start, "macOS screen recording", true, false},
    };
  }();
  for (const auto& p : patterns) {
    std::smatch m;
    if (!std::regex_search(name, m, p.re)) continue;
    FileNameTime t;
    t.kind = p.kind;
    t.pattern = p.what;
    t.date = CivilDate{num(m[1]), num(m[2]), num(m[3])};
    if (p.has_time) {
      t.hour = num(m[4]);
      t.minute = num(m[5]);
      t.second = num(m[6]);
      if (p.millis) t.second += num(m[7]) / 1000.0;
    }
    if (valid(t)) return t;
  }
  return std::nullopt;
}

}  // namespace geo
