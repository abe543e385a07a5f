// SPDX-License-Identifier: Apache-2.0
// Test videos encoded in-process through libav: deterministic, seeded, and every frame carries its own
// index as a binary code in a band of blocks along its (upright) top edge, so a test can tell exactly
// which frame was extracted. The generator returns the ground truth it produced: each frame's index,
// presentation time, shot and whether the encoder made it a keyframe.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace geo::test {

struct VideoFixtureOptions {
  int width = 320;             // upright (display) size in pixels; both even
  int height = 240;
  double fps = 25.0;           // nominal rate; frame i is shown at start_s + i / fps unless vfr
  double duration_s = 4.0;
  int gop = 25;                // keyframe interval in frames (fixed: scene-cut keyframes are disabled)
  int max_b_frames = 2;        // B-frames make decode order differ from presentation order
  double start_s = 0.0;        // PTS of the first frame (a non-zero start time)
  bool vfr = false;            // irregular frame durations, seeded, between 0.5 and 2 nominal periods
  int rotation_cw_deg = 0;     // 0/90/180/270: the display matrix tells players to rotate the stored
                               // picture this much clockwise; the stored picture is the upright one
                               // rotated the other way, so a correct reader gets upright frames
  std::vector<double> cuts_s;  // times (relative to start_s) where a new shot with distinct content begins
  int pan_shot = -1;           // index of the shot (0 = before the first cut) that pans over a wide scene
  double pan_px_per_s = 200;   // pan speed in upright pixels per second
  bool sharp_peak = false;     // blur each shot's content except around its middle frame
  std::string codec = "libx264";  // or "mpeg4"
  std::string creation_time;   // container creation_time tag (ISO 8601), empty for none
  bool faststart = false;      // MP4: moov atom before the media data (a truncated file still opens)
  bool audio = false;          // also an AAC audio track
  unsigned seed = 1;
};

struct FixtureFrame {
  int index = 0;
  double pts_s = 0;   // exact presentation time written
  bool key = false;   // the encoder flagged the packet as a keyframe
  int shot = 0;
};

struct VideoFixture {
  std::filesystem::path path;
  std::vector<FixtureFrame> frames;  // in presentation order
  std::vector<double> cut_pts_s;     // PTS of the first frame of each shot after the first
};

// Encodes a video at `path` (container chosen by extension: .mp4, .mov, .mkv, .ts). Throws on failure.
VideoFixture make_video(const std::filesystem::path& path, const VideoFixtureOptions& opts);

// The upright picture of frame `index` as make_video draws it (before encoding), BGR.
cv::Mat fixture_picture(const VideoFixtureOptions& opts, int index, double t_s, int shot);

// An audio-only file (AAC in MP4/M4A), `duration_s` long.
void make_audio_only(const std::filesystem::path& path, double duration_s = 2.0, unsigned seed = 1);

// A still JPEG photo (what a user might wrongly give to `frames`).
void make_still_jpeg(const std::filesystem::path& path, int width = 320, int height = 240, unsigned seed = 1);

// Reads the frame index from the code band of an upright BGR (or gray) picture; -1 when the band does
// not decode (wrong orientation, not a fixture frame).
int read_frame_index(const cv::Mat& picture);

// A 1 s 320x240 fixture video in `dir` named "x\xe9.mp4": a Latin-1 file name, not UTF-8.
std::filesystem::path make_latin1_named_video(const std::filesystem::path& dir);

// Copies the first `fraction` of a file's bytes to `dst` (a truncated file).
void truncate_copy(const std::filesystem::path& src, const std::filesystem::path& dst, double fraction);

}  // namespace geo::test
