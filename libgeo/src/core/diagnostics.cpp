// SPDX-License-Identifier: Apache-2.0
#include "geo/core/diagnostics.hpp"

#include <algorithm>

namespace geo {

void Diagnostics::info(std::string code, std::string message, std::string where) {
  items_.push_back({Severity::info, std::move(code), std::move(message), std::move(where)});
}
void Diagnostics::warn(std::string code, std::string message, std::string where) {
  items_.push_back({Severity::warning, std::move(code), std::move(message), std::move(where)});
}
void Diagnostics::error(std::string code, std::string message, std::string where) {
  items_.push_back({Severity::error, std::move(code), std::move(message), std::move(where)});
}
void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}
bool Diagnostics::has(const std::string& code) const {
  return std::any_of(items_.begin(), items_.end(), [&](const Diagnostic& d) { return d.code == code; });
}
std::size_t Diagnostics::count(Severity at_least) const {
  return static_cast<std::size_t>(std::count_if(items_.begin(), items_.end(), [&](const Diagnostic& d) {
    return static_cast<int>(d.severity) >= static_cast<int>(at_least);
  }));
}

const char* to_string(Severity s) noexcept {
  switch (s) {
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "warning";
}

Json to_json(const Diagnostic& d) {
  Json j{{"severity", to_string(d.severity)}, {"code", d.code}, {"message", d.message}};
  if (!d.where.empty()) j["where"] = d.where;
  return j;
}

Json to_json(const Diagnostics& d) {
  Json arr = Json::array();
  for (const auto& item : d.items()) arr.push_back(to_json(item));
  return arr;
}

}  // namespace geo
