// SPDX-License-Identifier: Apache-2.0
// `geoev frames`: pull the frames worth looking at out of a video, upright, each with its presentation
// time, derived UTC time, sharpness, SHA-256 and perceptual hash.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/diagnostics.hpp"
#include "geo/core/json.hpp"
#include "geo/core/progress.hpp"
#include "geo/core/time.hpp"

namespace geo {

enum class FrameMode {
  keyframes,  // the coded keyframes only; the other frames are never decoded
  interval,   // one frame every `every_s` seconds of presentation time
  shots,      // the sharpest frame of each shot and of each sub-shot of a long moving take
};
enum class ImageFormat { jpg, png };

const char* to_string(FrameMode m) noexcept;
const char* to_string(ImageFormat f) noexcept;
// "keyframes" | "interval" | "shots"; throws Error{invalid_argument}.
FrameMode parse_frame_mode(const std::string& text);
// "jpg" | "jpeg" | "png"; throws Error{invalid_argument}.
ImageFormat parse_image_format(const std::string& text);

struct FrameExtractOptions {
  FrameMode mode = FrameMode::shots;
  double every_s = 1.0;        // interval mode: sampling step in presentation time, seconds (> 0)
  int max_frames = 0;          // stop after this many frames are written; 0 = no limit
  ImageFormat format = ImageFormat::jpg;
  int jpeg_quality = 92;       // 1..100
  std::optional<std::filesystem::path> contact_sheet;  // also write a grid of the frames (JPEG/PNG)
  int decoder_threads = 0;     // 0 = libav's choice (one per core)
  // shots mode. Scores are computed on a small luma thumbnail (thumb_width pixels wide).
  double cut_threshold = 0.35;     // luma-histogram distance (0..1, half the L1 norm) that starts a shot
  double subshot_drift = 0.5;      // accumulated camera translation, as a fraction of the frame's
                                   // larger side, that starts a sub-shot inside a moving take
  double min_shot_s = 0.2;         // a cut closer than this to the previous one is ignored (flashes)
  int thumb_width = 160;           // analysis thumbnail width in pixels (32..640)
  int sharpness_width = 480;       // width at which sharpness (variance of the Laplacian) is measured
  // Throws Error{invalid_argument} naming the option and its value.
  void validate() const;
  Json to_json() const;
};

struct FrameRecord {
  std::string file;             // file name inside the output directory
  double pts_s = 0;             // presentation time as stored in the stream (stream PTS x time base)
  double offset_s = 0;          // pts_s minus the PTS of the video's first frame
  std::int64_t pts = 0;         // raw PTS in the stream's time base
  int time_base_num = 1, time_base_den = 1;
  std::optional<SourcedTime> utc;  // creation time + offset_s (derived; source names the tag)
  bool keyframe = false;        // the decoder flagged the frame as a keyframe
  int shot = 0;                 // shots mode: shot number from 0; other modes: 0
  int subshot = 0;              // shots mode: sub-shot number within the shot, from 0
  double sharpness = 0;         // variance of the Laplacian of the luma at `sharpness_width`
  std::string sha256;           // of the written image file
  std::string phash;            // 64-bit DCT perceptual hash of the upright picture, 16 hex digits
  int width = 0, height = 0;    // written (upright) size in pixels
};

// Shots mode: where each shot and sub-shot begins (the first frame's PTS).
struct ShotSegment {
  int shot = 0, subshot = 0;
  double start_pts_s = 0;
  bool cut = false;  // true: a new shot (cut); false: a sub-shot of a moving take, or the first segment
};

struct FrameExtractResult {
  std::string video;            // path as given
  std::string video_sha256;
  std::optional<SourcedTime> created;  // the video's creation time (from probe_media)
  int stream_index = -1;
  double rotation_cw_deg = 0;   // applied to make frames upright
  int coded_width = 0, coded_height = 0;
  std::int64_t frames_decoded = 0;   // frames the decoder produced (keyframes mode: keyframes only)
  std::optional<double> first_pts_s, last_pts_s;
  std::vector<FrameRecord> frames;
  std::vector<ShotSegment> segments;  // shots mode only
  std::filesystem::path out_dir;
  std::optional<std::filesystem::path> contact_sheet;
  Json provenance;
  Diagnostics diagnostics;
};

// Extracts frames of the first (best) video stream of `video` into the new directory `out_dir`, with
// `out_dir/frames.json` (see to_json). `out_dir` must not exist or be empty; it appears complete or not
// at all, and so does the contact sheet. Frames are rotated upright by the display matrix. Positions
// are PTS in the stream's time base, never frame numbers; container frame counts are not used.
// Interval mode takes, for each target time first_pts + k * every_s, the first frame whose PTS is at or
// after it (within 1 microsecond); a frame that covers several targets is written once.
// A file that decodes only partly gives the frames it can and a diagnostic.
// Throws Error{not_found} (missing file), Error{invalid_argument} (directory, bad options, out_dir not
// empty), Error{corrupt_data} (empty, unreadable, nothing decodes), Error{unsupported} (no video stream:
// audio only; a still image), Error{io} (writing failed). Reads the video only; never writes to it.
// Thread-safe for distinct calls. Progress: fraction of the stream's duration decoded.
FrameExtractResult extract_frames(const std::filesystem::path& video, const std::filesystem::path& out_dir,
                                  const FrameExtractOptions& opts, const ProgressFn& progress = {});

// The frames.json object: {video:{path,sha256,...}, provenance, options, frames:[...], diagnostics}.
Json to_json(const FrameExtractResult& r);
Json to_json(const FrameRecord& f);

}  // namespace geo
