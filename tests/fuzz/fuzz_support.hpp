// SPDX-License-Identifier: Apache-2.0
// Shared by the libFuzzer targets. A parser that only reads a path gets the input through a scratch
// file in a directory of its own per process (/dev/shm when it exists, so nothing touches the disk).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <system_error>

namespace geo::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

class ScratchFile {
 public:
  // `name` decides how the parser sees the file (load_registry chooses the format by extension).
  explicit ScratchFile(const std::string& name) {
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    std::string templ = (base / "geoev-fuzz-XXXXXX").string();
    if (!::mkdtemp(templ.data())) std::abort();  // the harness itself cannot work: not a finding
    dir_ = templ;
    path_ = dir_ / name;
  }
  ~ScratchFile() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  const std::filesystem::path& write(const std::uint8_t* data, std::size_t size) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) std::abort();
    return path_;
  }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_, path_;
};

}  // namespace geo::fuzz
