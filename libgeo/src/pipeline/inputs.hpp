// SPDX-License-Identifier: Apache-2.0
// What a run works on: the media files among the inputs (directories walked), their telemetry
// sidecars, and the lock that keeps one run per case. Private to the pipeline module.
#pragma once
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace geo::pipeline::detail {

namespace fs = std::filesystem;

enum class MediaKind { video, image, other };
// By the file name's extension (case-insensitive): video containers, photos, or anything else.
MediaKind media_kind(const fs::path& p);

struct InputFile {
  fs::path path;
  bool explicit_input = false;  // named on the command line (not found in a directory)
};
// Files named directly are kept whatever their extension (the probe decides); directories are walked
// recursively in name order, keeping videos and photos; other files go to `skipped` with the reason
// (telemetry sidecars are named as such). Throws Error{invalid_argument} when nothing is left.
std::vector<InputFile> expand_inputs(const std::vector<fs::path>& inputs, std::vector<std::string>& skipped);

// <stem>.SRT / .srt (any case) beside a video, when there is one.
std::optional<fs::path> find_sidecar(const fs::path& video);

// Removes what killed commands left in a case directory (hidden temporaries of dead processes), naming each in
// `removed`. Call with the run lock held.
void remove_stale_temporaries(const fs::path& run_dir, std::vector<std::string>& removed);

// An exclusive advisory lock on DIR/.run.lock, held while the object lives. Throws Error{io}
// "... is in use by another geoev run" when another process holds it.
class RunLock {
 public:
  explicit RunLock(const fs::path& case_dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace geo::pipeline::detail
