// SPDX-License-Identifier: Apache-2.0
// Private to extract_frames: finding and reading the telemetry that gives each frame its camera state.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "geo/core/diagnostics.hpp"
#include "geo/media/frames.hpp"

namespace geo::frame_camera {

// Reads and parses a DJI SRT file for `frames`. `role` names it in errors ("--telemetry", "sidecar").
// Throws Error{not_found} (missing), Error{invalid_argument} (a directory), Error{io} (unreadable),
// Error{corrupt_data} (not a DJI SRT file, or larger than 256 MiB). Never writes to the file.
CameraTrack read_srt(const std::filesystem::path& srt, const std::string& role, Diagnostics& diags);

// <stem>.SRT or <stem>.srt beside the video, when it is a regular file; empty otherwise.
std::filesystem::path find_sidecar(const std::filesystem::path& video);

// Sets FrameRecord::camera for each frame from `track` and adds coverage diagnostics (frames without a
// camera, no frame covered, telemetry span unlike the video's duration).
void annotate(std::vector<FrameRecord>& frames, const CameraTrack& track, std::optional<double> video_duration_s,
              Diagnostics& diags);

}  // namespace geo::frame_camera
