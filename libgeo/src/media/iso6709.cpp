// SPDX-License-Identifier: Apache-2.0
#include "geo/media/iso6709.hpp"

#include <cctype>
#include <string>
#include <vector>

#include "geo/core/error.hpp"
#include "geo/core/text.hpp"

namespace geo {
namespace {

[[noreturn]] void fail(std::string_view text, const std::string& why) {
  throw Error(Errc::invalid_argument, "iso6709: '" + std::string(text) + "': " + why);
}

struct Token {
  int sign = 1;
  std::string int_digits;
  std::string frac_digits;  // without the point; empty when none
};

// Degrees from a signed token with `deg_digits` integer digits of degrees (2 for latitude, 3 for longitude).
double to_degrees(const Token& t, int deg_digits, std::string_view text) {
  const int n = static_cast<int>(t.int_digits.size());
  const double frac = t.frac_digits.empty() ? 0.0 : parse_double("0." + t.frac_digits, "iso6709");
  double deg = 0;
  if (n == deg_digits) {
    deg = std::stoi(t.int_digits) + frac;
  } else if (n == deg_digits + 2) {
    const double min = std::stoi(t.int_digits.substr(deg_digits, 2)) + frac;
    if (min >= 60) fail(text, "minutes >= 60");
    deg = std::stoi(t.int_digits.substr(0, deg_digits)) + min / 60.0;
  } else if (n == deg_digits + 4) {
    const int min = std::stoi(t.int_digits.substr(deg_digits, 2));
    const double sec = std::stoi(t.int_digits.substr(deg_digits + 2, 2)) + frac;
    if (min >= 60 || sec >= 60) fail(text, "minutes or seconds >= 60");
    deg = std::stoi(t.int_digits.substr(0, deg_digits)) + min / 60.0 + sec / 3600.0;
  } else {
    fail(text, "a coordinate has " + std::to_string(n) + " integer digits (expected " +
                   std::to_string(deg_digits) + ", " + std::to_string(deg_digits + 2) + " or " +
                   std::to_string(deg_digits + 4) + ")");
  }
  return t.sign * deg;
}

}  // namespace

GeoPoint parse_iso6709(std::string_view raw) {
  const std::string_view text = trim(raw);
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < text.size() && (text[i] == '+' || text[i] == '-') && tokens.size() < 3) {
    Token t;
    t.sign = text[i] == '-' ? -1 : 1;
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) t.int_digits += text[i++];
    if (i < text.size() && text[i] == '.') {
      ++i;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) t.frac_digits += text[i++];
      if (t.frac_digits.empty()) fail(text, "a decimal point without digits");
    }
    if (t.int_digits.empty()) fail(text, "a sign without digits");
    tokens.push_back(std::move(t));
  }
  if (tokens.size() < 2) fail(text, "expected a signed latitude and longitude");
  std::string_view rest = text.substr(i);
  if (rest.substr(0, 3) == "CRS") {
    const auto slash = rest.find('/');
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  }
  if (!rest.empty() && rest != "/") fail(text, "unexpected text '" + std::string(rest) + "'");
  GeoPoint p;
  p.lat_deg = to_degrees(tokens[0], 2, text);
  p.lon_deg = to_degrees(tokens[1], 3, text);
  if (tokens.size() == 3) {
    const Token& h = tokens[2];
    p.h_m = h.sign * parse_double(h.int_digits + (h.frac_digits.empty() ? "" : "." + h.frac_digits), "iso6709");
  }
  if (!is_valid(p)) fail(text, "coordinates out of range");
  return p;
}

}  // namespace geo
