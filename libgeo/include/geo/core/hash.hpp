// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "geo/core/progress.hpp"

namespace geo {

// Incremental SHA-256 (OpenSSL EVP). Not thread-safe; one object per stream.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t size);
  // Lower-case hex digest; the object may not be updated afterwards.
  std::string hex_digest();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string sha256_hex(std::string_view data);

// SHA-256 of a whole file, streamed (reading overlaps hashing). Opens the file read-only and never
// writes to it. Throws Error{not_found} when missing, Error{invalid_argument} for a directory,
// Error{io} on a read failure. Progress reports the fraction of bytes hashed.
std::string sha256_file(const std::filesystem::path& path, const ProgressFn& progress = {});

}  // namespace geo
