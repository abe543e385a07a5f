// SPDX-License-Identifier: Apache-2.0
// Coordinates as people paste them: decimal pairs, degrees-minutes-seconds with or without symbols
// and hemisphere letters, and map links. Every command that takes a point parses it here.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "geo/core/error.hpp"
#include "geo/core/geopoint.hpp"
#include "geo/core/text.hpp"

namespace geo {
namespace {

[[noreturn]] void bad(std::string_view text, const std::string& why) {
  throw Error(Errc::invalid_argument, "coordinates '" + printable(text) + "': " + why);
}

std::string number_text(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

// The LAT,LON part of a map link: Google's /@LAT,LON,ZOOMz, ?q= / &ll= / &query= / &center= query
// values, OpenStreetMap's #map=ZOOM/LAT/LON. Empty when `s` is not a link.
std::string link_part(std::string_view s) {
  if (s.find("://") == std::string_view::npos && s.find("maps") == std::string_view::npos && s.find('@') == std::string_view::npos)
    return {};
  if (const auto at = s.rfind('@'); at != std::string_view::npos) {
    // @LAT,LON,15z or @LAT,LON,500m: keep the first two values.
    const auto rest = s.substr(at + 1);
    const auto c1 = rest.find(',');
    if (c1 == std::string_view::npos) return std::string(rest);
    const auto c2 = rest.find_first_of(",/?&", c1 + 1);
    return std::string(rest.substr(0, c2));
  }
  if (const auto m = s.find("#map="); m != std::string_view::npos) {
    const auto parts = split(s.substr(m + 5), '/');
    if (parts.size() >= 3) return parts[1] + "," + parts[2].substr(0, parts[2].find_first_of("&?#"));
  }
  for (const char* key : {"q=", "ll=", "query=", "center=", "destination="}) {
    const auto k = s.find(key);
    if (k == std::string_view::npos || (k > 0 && s[k - 1] != '?' && s[k - 1] != '&')) continue;
    auto v = std::string(s.substr(k + std::string_view(key).size()));
    v = v.substr(0, v.find_first_of("&#"));
    for (std::size_t p; (p = v.find("%2C")) != std::string::npos || (p = v.find("%2c")) != std::string::npos;) v.replace(p, 3, ",");
    for (std::size_t p; (p = v.find("%20")) != std::string::npos;) v.replace(p, 3, " ");
    for (auto& c : v)
      if (c == '+') c = ' ';
    return v;
  }
  return {};
}

// Replaces the symbols people type for degrees, minutes and seconds with ASCII markers d, m, s.
std::string ascii_markers(std::string_view s) {
  struct Sym {
    const char* utf8;
    char marker;
  };
  static const Sym syms[] = {{"\xc2\xb0", 'd'}, {"\xc2\xba", 'd'}, {"\xcb\x9a", 'd'},  // degree, ordinal, ring
                             {"\xe2\x80\xb2", 'm'}, {"\xe2\x80\x99", 'm'}, {"\xe2\x80\x98", 'm'},  // prime, quotes
                             {"\xe2\x80\xb3", 's'}, {"\xe2\x80\x9d", 's'}, {"\xe2\x80\x9c", 's'}};
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    bool hit = false;
    for (const auto& sym : syms) {
      const std::string_view u(sym.utf8);
      if (s.substr(i, u.size()) == u) {
        out += ' ';
        out += sym.marker;
        out += ' ';
        i += u.size();
        hit = true;
        break;
      }
    }
    if (hit) continue;
    if (s.substr(i, 2) == "''") {
      out += " s ";
      i += 2;
      continue;
    }
    const char c = s[i];
    if (c == '\'') out += " m ";
    else if (c == '"') out += " s ";
    else out += c;
    ++i;
  }
  return out;
}

struct Token {
  enum Kind { number, marker, hemisphere, separator } kind;
  double value = 0;
  bool negative = false, fractional = false;
  char ch = 0;
};

std::vector<Token> tokens_of(std::string_view text, const std::string& s) {
  std::vector<Token> out;
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (c == ' ' || c == '\t') {
      ++i;
      continue;
    }
    if (c == ',' || c == ';') {
      out.push_back({Token::separator, 0, false, false, c});
      ++i;
      continue;
    }
    if ((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+') {
      std::size_t j = i + ((c == '-' || c == '+') ? 1 : 0);
      const std::size_t digits_from = j;
      while (j < s.size() && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.')) ++j;
      const std::string num = s.substr(digits_from, j - digits_from);
      if (num.empty() || num == "." || std::count(num.begin(), num.end(), '.') > 1) bad(text, "'" + s.substr(i, j - i + 1) + "' is not a number");
      Token t{Token::number, std::strtod(num.c_str(), nullptr), c == '-', num.find('.') != std::string::npos, 0};
      out.push_back(t);
      i = j;
      continue;
    }
    const char u = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const bool next_is_letter = i + 1 < s.size() && std::isalpha(static_cast<unsigned char>(s[i + 1]));
    if ((u == 'N' || u == 'S' || u == 'E' || u == 'W') && !next_is_letter) {
      // "s" right after a number with a minutes marker before it is seconds, not south: only the
      // ASCII markers d/m/s we wrote are lower case, a hemisphere letter a person types may be either.
      if (c == 's' && !out.empty() && out.back().kind == Token::number) {
        out.push_back({Token::marker, 0, false, false, 's'});
      } else {
        out.push_back({Token::hemisphere, 0, false, false, u});
      }
      ++i;
      continue;
    }
    if ((c == 'd' || c == 'm') && !next_is_letter) {
      out.push_back({Token::marker, 0, false, false, c});
      ++i;
      continue;
    }
    bad(text, "unexpected '" + printable(s.substr(i, 1)) + "' (expected LAT,LON, degrees-minutes-seconds or a map link)");
  }
  return out;
}

struct Part {
  std::vector<Token> numbers;  // degrees, minutes, seconds
  char hemisphere = 0;
  bool closed = false;
};

double value_of(std::string_view text, const Part& p) {
  if (p.numbers.empty()) bad(text, "a coordinate has no number");
  const Token& d = p.numbers[0];
  double v = d.value;
  if (p.numbers.size() >= 2) {
    if (d.fractional) bad(text, "degrees with a fraction cannot be followed by minutes");
    const Token& m = p.numbers[1];
    if (m.negative) bad(text, "minutes cannot be negative");
    if (m.value >= 60) bad(text, "minutes " + number_text(m.value) + " must be under 60");
    v += m.value / 60.0;
    if (p.numbers.size() == 3) {
      if (m.fractional) bad(text, "minutes with a fraction cannot be followed by seconds");
      const Token& s = p.numbers[2];
      if (s.negative) bad(text, "seconds cannot be negative");
      if (s.value >= 60) bad(text, "seconds " + number_text(s.value) + " must be under 60");
      v += s.value / 3600.0;
    }
  }
  if (p.hemisphere == 'S' || p.hemisphere == 'W') {
    if (d.negative) bad(text, "a minus sign and the hemisphere letter " + std::string(1, p.hemisphere) + " together");
    return -v;
  }
  return d.negative ? -v : v;
}

void check_range(std::string_view text, const GeoPoint& p) {
  if (std::abs(p.lat_deg) > 90.0) {
    if (std::abs(p.lon_deg) <= 90.0 && std::abs(p.lat_deg) <= 180.0)
      bad(text, "latitude " + number_text(p.lat_deg) + " is outside -90..90 while longitude " + number_text(p.lon_deg) +
                    " would be a valid latitude: the pair looks swapped (give latitude first: LAT,LON)");
    bad(text, "latitude " + number_text(p.lat_deg) + " is outside -90..90");
  }
  if (std::abs(p.lon_deg) > 180.0) bad(text, "longitude " + number_text(p.lon_deg) + " is outside -180..180");
}

}  // namespace

GeoPoint parse_coordinates(std::string_view input) {
  const std::string_view text = trim(input);
  if (text.empty()) bad(input, "empty (give LAT,LON, e.g. 11.5601,104.9170)");
  if (text.size() > 2000) bad(text.substr(0, 40), "too long for coordinates");
  std::string s(text);
  if (const std::string link = link_part(text); !link.empty()) s = link;
  const std::vector<Token> toks = tokens_of(text, ascii_markers(s));
  bool symbolic = false;
  std::size_t numbers = 0, separators = 0;
  for (const auto& t : toks) {
    symbolic |= t.kind == Token::marker || t.kind == Token::hemisphere;
    numbers += t.kind == Token::number;
    separators += t.kind == Token::separator;
  }
  if (!symbolic) {
    // Decimal degrees: two numbers (or LAT,LON,H), separated by a comma, a semicolon or spaces.
    std::vector<Token> nums;
    for (const auto& t : toks)
      if (t.kind == Token::number) nums.push_back(t);
    if (numbers == 1) bad(text, "only one number: give both latitude and longitude (LAT,LON)");
    if (numbers == 0) bad(text, "no numbers (give LAT,LON, e.g. 11.5601,104.9170)");
    if (numbers > 3 || (numbers == 3 && separators != 2))
      bad(text, std::to_string(numbers) + " numbers: give LAT,LON (decimal degrees with a point, not a comma)");
    if (separators > numbers - 1) bad(text, "empty value between separators");
    GeoPoint p{(nums[0].negative ? -1 : 1) * nums[0].value, (nums[1].negative ? -1 : 1) * nums[1].value, std::nullopt};
    if (numbers == 3) p.h_m = (nums[2].negative ? -1 : 1) * nums[2].value;
    check_range(text, p);
    return p;
  }
  // Degrees, minutes, seconds: group the numbers into two coordinates.
  if (numbers == 0) bad(text, "no numbers (give LAT,LON, e.g. 11.5601,104.9170)");
  std::vector<Part> parts(1);
  char last_marker = 0;
  for (const auto& t : toks) {
    Part* cur = &parts.back();
    switch (t.kind) {
      case Token::separator:
        if (!cur->numbers.empty()) {
          parts.emplace_back();
          last_marker = 0;
        }
        break;
      case Token::hemisphere:
        if (cur->numbers.empty() && !cur->hemisphere) {
          cur->hemisphere = t.ch;  // prefix: N11 33 36
        } else if (!cur->numbers.empty() && !cur->hemisphere) {
          cur->hemisphere = t.ch;  // suffix: 11 33 36 N
          cur->closed = true;
        } else if (cur->closed || !cur->numbers.empty()) {
          parts.emplace_back();
          parts.back().hemisphere = t.ch;
        } else {
          bad(text, "two hemisphere letters for one coordinate");
        }
        last_marker = 0;
        break;
      case Token::marker: {
        if (cur->numbers.empty()) bad(text, "a degree, minute or second symbol without a number");
        const std::size_t slot = t.ch == 'd' ? 1 : t.ch == 'm' ? 2 : 3;
        if (cur->numbers.size() != slot)
          bad(text, std::string(t.ch == 'd' ? "degrees" : t.ch == 'm' ? "minutes" : "seconds") + " out of place");
        last_marker = t.ch;
        break;
      }
      case Token::number:
        if (cur->closed || cur->numbers.size() == 3 || (last_marker == 's' && !cur->numbers.empty())) {
          parts.emplace_back();
          cur = &parts.back();
        }
        cur->numbers.push_back(t);
        last_marker = 0;
        break;
    }
  }
  if (parts.back().numbers.empty() && parts.size() > 1 && !parts.back().hemisphere) parts.pop_back();
  if (parts.size() == 1) bad(text, "only one coordinate: give both latitude and longitude");
  if (parts.size() != 2) bad(text, std::to_string(parts.size()) + " coordinates found, expected latitude and longitude");
  const char h0 = parts[0].hemisphere, h1 = parts[1].hemisphere;
  auto is_lat = [](char h) { return h == 'N' || h == 'S'; };
  auto is_lon = [](char h) { return h == 'E' || h == 'W'; };
  if ((is_lat(h0) && is_lat(h1)) || (is_lon(h0) && is_lon(h1))) bad(text, "two latitudes or two longitudes");
  const bool swapped = is_lon(h0) || is_lat(h1);  // E/W first or N/S second: the letters say which is which
  GeoPoint p;
  p.lat_deg = value_of(text, parts[swapped ? 1 : 0]);
  p.lon_deg = value_of(text, parts[swapped ? 0 : 1]);
  check_range(text, p);
  return p;
}

}  // namespace geo
