// SPDX-License-Identifier: Apache-2.0
// `geoev frames`: pull the frames worth looking at out of a video, upright, each with its presentation
// time, derived UTC time, sharpness, SHA-256 and perceptual hash.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "geo/core/diagnostics.hpp"
#include "geo/core/json.hpp"
#include "geo/core/progress.hpp"
#include "geo/core/time.hpp"
#include "geo/media/probe.hpp"

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

struct FrameExtractResult;

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
  double max_subshot_s = 0.0;      // a sub-shot also ends after this many seconds (0 = by drift only):
                                   // a steadily moving camera yields a frame at least this often
  int thumb_width = 160;           // analysis thumbnail width in pixels (32..640)
  int sharpness_width = 480;       // width at which sharpness (variance of the Laplacian) is measured
  // Telemetry for the per-frame camera state (FrameRecord::camera). A DJI .SRT file named here is read
  // (an unreadable or malformed file is an error: nothing is written). Without it: the video's own GoPro
  // GPMF track, else (when find_telemetry_sidecar) a file <video stem>.SRT/.srt beside the video.
  std::optional<std::filesystem::path> telemetry;
  bool find_telemetry_sidecar = true;
  // Called with the complete result after every file is written and before the output directory and
  // contact sheet are renamed into place: what it throws (a case that cannot be written) leaves no
  // output behind. Paths in the result are already the final ones.
  std::function<void(const FrameExtractResult&)> before_commit;
  // Throws Error{invalid_argument} naming the option and its value.
  void validate() const;
  Json to_json() const;
};

// The camera's state at one frame's time, from the video's telemetry (see docs/media-frames.md).
// Positions on WGS 84 in degrees; angles in degrees; heights in metres.
struct FrameCamera {
  double lat_deg = 0, lon_deg = 0;
  std::optional<double> altitude_m;      // as the source states it, reference in altitude_ref
  std::string altitude_ref = "unknown";  // "takeoff" | "ellipsoid" | "msl" | "unknown"
  std::optional<double> rel_alt_m;       // height above the take-off point
  std::optional<double> heading_deg;     // compass direction the camera looks, [0, 360): gimbal yaw, else aircraft yaw
  std::optional<double> tilt_deg;        // from straight down: 0 = nadir, 90 = horizon (90 + gimbal pitch)
  std::optional<double> hfov_deg;        // horizontal field of view of the written frame
  std::string source;                    // "dji-srt" | "gopro-gpmf"
  double t_s = 0;                        // telemetry time used (seconds from the video's start)
  bool interpolated = false;             // true: between two samples; false: one sample's values
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
  std::optional<FrameCamera> camera;  // absent when no telemetry covers the frame's time
};

// Shots mode: where each shot and sub-shot begins (the first frame's PTS).
struct ShotSegment {
  int shot = 0, subshot = 0;
  double start_pts_s = 0;
  bool cut = false;  // true: a new shot (cut); false: a sub-shot of a moving take, or the first segment
};

// The telemetry a run used, prepared for lookups by time.
struct CameraTrack {
  std::string source;  // "dji-srt" | "gopro-gpmf"
  std::string file;    // the SRT file, or the video for GPMF
  std::string sha256;  // of `file`
  std::size_t samples = 0;               // samples with a position in the track (locked or not)
  double end_t_s = 0;                    // t_s of the track's last sample (locked or not)
  std::vector<TelemetrySample> locked;   // samples with locked=true, sorted by t_s
  bool altitude_usable = false;          // TelemetrySample::point.h_m is a real altitude
  std::string altitude_ref = "unknown";  // its reference
  std::vector<std::pair<double, double>> focal_35mm_mm;  // (t_s, 35 mm-equivalent focal length), sorted
};

// Builds a CameraTrack from a parsed track. `srt_text` is the SRT's text for a "dji-srt" track (read for
// focal lengths and to tell which dialects state a real altitude), empty for GPMF. Adds diagnostics
// ("frames.focal_ambiguous", "frames.telemetry_altitude_unused") to `diags`. Pure; thread-safe.
CameraTrack make_camera_track(const TelemetryTrack& track, std::string_view srt_text, std::string sha256,
                              Diagnostics& diags);

// The camera state at `t_s` seconds from the video's start, for a frame `width` x `height` pixels
// (upright): linear interpolation between the two locked samples around t_s (angles along the shorter
// arc), or the nearest sample within 1 s of a track end; nullopt when no locked sample lies within 1 s.
std::optional<FrameCamera> camera_at(const CameraTrack& track, double t_s, int width, int height);

// Horizontal field of view (degrees) of a width x height picture from a 35 mm-equivalent focal length
// (mm), by the diagonal convention: the picture's diagonal spans the 43.27 mm diagonal of a 36x24 mm
// frame. Throws Error{invalid_argument} for a non-positive focal length or size.
double hfov_from_focal_35mm(double focal_mm, int width, int height);

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
  std::optional<CameraTrack> telemetry;  // the telemetry used for FrameRecord::camera, if any
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
Json to_json(const FrameCamera& c);

}  // namespace geo
