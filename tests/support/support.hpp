// SPDX-License-Identifier: Apache-2.0
// Test helpers: where the shared samples are, scratch directories, running the real geoev binary.
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace geo::test {

namespace fs = std::filesystem;

// ../shared/data (override with GEO_SHARED_DATA_DIR).
fs::path shared_data();
// shared_data() / rel; the test is skipped (GTEST_SKIP by the caller) when missing: see have_shared().
fs::path shared(const std::string& rel);

// The source tree's root (its data/ holds what the product ships, e.g. the demo).
inline fs::path source_dir() { return fs::path(GEO_SOURCE_DIR); }

// A fresh, empty directory unique to the running test, removed when the object dies.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the real geoev binary with `args` (no shell: each argument is passed as is), stdin from
// /dev/null, capturing stdout and stderr. Fails the test after `timeout_s` seconds.
CliResult run_geoev(const std::vector<std::string>& args, int timeout_s = 120);

// Writes bytes to a file (for corrupt-input fixtures).
void write_bytes(const fs::path& p, const std::string& bytes);
std::string read_text(const fs::path& p);
// `n` deterministic pseudo-random bytes.
std::string random_bytes(std::size_t n, unsigned seed = 1);
// The standard output of a shell command (a reference tool: ogrinfo, sqlite3, xmllint).
std::string shell_output(const std::string& command);
// The message of the geo::Error `f` throws, or "" when it throws none.
std::string error_message_of(const std::function<void()>& f);

// Runs a Python 3 script (e.g. a GeographicLib reference) and returns the numbers it prints, in order.
std::vector<double> run_python_numbers(const std::string& script);
// A VRT of `src` whose metadata states an acquisition date (ACQUISITION_DATE): dated imagery without
// writing to the shared samples. Fails the test (ADD_FAILURE) when GDAL cannot.
void write_dated_vrt(const fs::path& src, const fs::path& vrt, const std::string& date);
// All files (recursively) below dir, for "nothing was written" checks.
std::vector<fs::path> list_files(const fs::path& dir);

}  // namespace geo::test
