// SPDX-License-Identifier: Apache-2.0
#include "geo/core/provenance.hpp"

#include <filesystem>

#include "geo/core/hash.hpp"
#include "geo/core/version_generated.hpp"

namespace geo {

const char* version() noexcept { return GEO_VERSION_STRING; }

Provenance make_provenance(std::string operation, Json parameters, std::vector<InputRef> inputs) {
  Provenance p;
  p.version = version();
  p.operation = std::move(operation);
  p.parameters = std::move(parameters);
  p.inputs = std::move(inputs);
  p.created = now_utc();
  return p;
}

InputRef input_ref(const std::string& path) {
  InputRef r;
  r.path = path;
  r.sha256 = sha256_file(path);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec) r.size_bytes = size;
  return r;
}

Json to_json(const Provenance& p) {
  Json inputs = Json::array();
  for (const auto& in : p.inputs) {
    Json j{{"path", in.path}, {"sha256", in.sha256}};
    if (in.size_bytes) j["size_bytes"] = *in.size_bytes;
    inputs.push_back(std::move(j));
  }
  return Json{{"tool", p.tool},
              {"version", p.version},
              {"operation", p.operation},
              {"created_utc", format_utc(p.created)},
              {"parameters", p.parameters},
              {"inputs", std::move(inputs)}};
}

}  // namespace geo
