// SPDX-License-Identifier: Apache-2.0
// Where an output may go. Evidence is never overwritten by an output: not an input of the same
// command, not a file inside a geoev case directory (case.gpkg, originals/), not an existing file
// unless the analyst says so.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace geo {

struct OutputPolicy {
  bool force = false;                             // an existing output file may be replaced
  std::vector<std::filesystem::path> inputs;      // the command's inputs: never an output
};

// The geoev case directory (holding case.json and case.gpkg) that contains `path`, or "" when none
// does. `path` need not exist; symbolic links in its existing part are resolved.
std::filesystem::path enclosing_case_dir(const std::filesystem::path& path);

// Throws Error{invalid_argument} naming `what` and the path when the output would be one of the
// inputs, lies inside a geoev case directory, or (a file output) already exists and !policy.force.
// Directory outputs (is_dir) are checked for the first two only: their writers refuse a non-empty one.
void check_output_path(const std::filesystem::path& out, const OutputPolicy& policy, const std::string& what,
                       bool is_dir = false);

}  // namespace geo
