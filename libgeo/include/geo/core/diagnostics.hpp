// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <string>
#include <vector>

#include "geo/core/json.hpp"

namespace geo {

// A problem with one item (a tag that did not parse, a corrupt frame, GPS before lock) is data, not an
// exception: results carry a Diagnostics list that goes on into outputs and reports unchanged.
enum class Severity { info, warning, error };

struct Diagnostic {
  Severity severity = Severity::warning;
  std::string code;     // stable machine-readable key, e.g. "gps.no_lock", "frame.decode_failed"
  std::string message;  // one human-readable sentence
  std::string where;    // what it is about: a file, a tag, a PTS ("pts 12.345 s")
};

class Diagnostics {
 public:
  void info(std::string code, std::string message, std::string where = {});
  void warn(std::string code, std::string message, std::string where = {});
  void error(std::string code, std::string message, std::string where = {});
  void add(Diagnostic d) { items_.push_back(std::move(d)); }
  void append(const Diagnostics& other);

  const std::vector<Diagnostic>& items() const noexcept { return items_; }
  bool empty() const noexcept { return items_.empty(); }
  std::size_t size() const noexcept { return items_.size(); }
  bool has(const std::string& code) const;
  std::size_t count(Severity at_least) const;

 private:
  std::vector<Diagnostic> items_;
};

const char* to_string(Severity s) noexcept;
Json to_json(const Diagnostic& d);
Json to_json(const Diagnostics& d);  // always an array, possibly empty

}  // namespace geo
