// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/json.hpp"
#include "geo/core/time.hpp"

namespace geo {

// The version of libgeo and the geoev tool, e.g. "0.1.0".
const char* version() noexcept;

// One input an output was derived from, identified by content.
struct InputRef {
  std::string path;     // as given by the user
  std::string sha256;   // lower-case hex
  std::optional<std::uint64_t> size_bytes;
};

// Every output records what produced it: tool, version, operation, parameters and the inputs' hashes.
struct Provenance {
  std::string tool = "geoev";
  std::string version;
  std::string operation;   // e.g. "frames", "imagery.crop"
  Json parameters = Json::object();
  std::vector<InputRef> inputs;
  UtcTime created;
};

// Fills tool, version and creation time (now).
Provenance make_provenance(std::string operation, Json parameters, std::vector<InputRef> inputs = {});

// Hashes the file and records its path and size. Throws like sha256_file().
InputRef input_ref(const std::string& path);

Json to_json(const Provenance& p);

}  // namespace geo
