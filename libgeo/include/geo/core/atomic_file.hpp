// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <filesystem>
#include <fstream>
#include <string_view>

namespace geo {

// An output file that appears complete or not at all. Everything is written to a hidden temporary
// beside the target (same directory, same extension, so writers that pick a format by extension still
// work); commit() flushes and renames it over the target. Destroyed without commit(), the temporary is
// removed. Not thread-safe.
class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // A stream on the temporary (opened on first use, binary).
  std::ofstream& stream();
  // For writers that need a path (GDAL, OpenCV): write here, then commit().
  const std::filesystem::path& temp_path() const noexcept { return temp_; }
  const std::filesystem::path& target() const noexcept { return target_; }
  // Throws Error{io} when flushing or renaming fails (the temporary is then removed).
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  std::ofstream out_;
  bool committed_ = false;
  int slot_ = -1;  // its entry among the temporaries removed on interrupt
};

// Writes `content` to `target` atomically. Throws Error{io}.
void write_file_atomic(const std::filesystem::path& target, std::string_view content);

// An output directory that appears complete or not at all: files go into a hidden sibling temporary
// directory, commit() renames it to the target. The target must not exist, or be an empty directory.
class AtomicDir {
 public:
  // Throws Error{invalid_argument} when the target exists and is not an empty directory, Error{io}
  // when the temporary cannot be made.
  explicit AtomicDir(std::filesystem::path target);
  ~AtomicDir();
  AtomicDir(const AtomicDir&) = delete;
  AtomicDir& operator=(const AtomicDir&) = delete;

  const std::filesystem::path& temp_dir() const noexcept { return temp_; }
  const std::filesystem::path& target() const noexcept { return target_; }
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  bool committed_ = false;
  int slot_ = -1;
};

// Removes the temporaries of every live AtomicFile and AtomicDir when the process is interrupted
// (SIGINT, SIGTERM, SIGHUP), then dies of the same signal: an interrupted run leaves nothing behind.
// Temporaries are tracked from construction to commit or destruction. For programs (geoev's main), not
// for libraries embedding libgeo, which keep their own handlers. SIGKILL cannot be caught: what it
// leaves is a hidden ".NAME.tmp-PID-..." sibling, which `case verify` reports inside a case.
void remove_temporaries_on_interrupt();

// True for a hidden ".NAME.tmp-PID-..." temporary (file or directory) whose process no longer exists:
// what a killed writer left behind, safe to remove. A live process's temporary is false.
bool is_stale_temporary(const std::filesystem::path& p);

}  // namespace geo
