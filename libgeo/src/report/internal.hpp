// SPDX-License-Identifier: Apache-2.0
// Private pieces of the report: what is read from the case (gather.cpp), images made from it
// (images.cpp), the sections built from both (front.cpp, sections.cpp, appendix.cpp), shared wording
// (words.cpp).
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/json.hpp"
#include "geo/events/case.hpp"
#include "geo/render/faces.hpp"
#include "geo/render/map_data.hpp"
#include "geo/report/report.hpp"

namespace geo::reporting::detail {

namespace fs = std::filesystem;

// One frame geoev run extracted, with its fix when it was matched.
struct FrameInfo {
  fs::path path;               // absolute
  double pts_s = 0;
  std::string utc;             // "" when unknown
  bool matched = false, located = false, outlier = false;
  std::optional<GeoPoint> centre;
  std::vector<GeoPoint> footprint;  // the ground the frame shows (4 corners) when located
  double error_m = 0, confidence = 0;
  std::string method, reason;  // match method (dense, keypoints), why it was not located
};

// One video (or photo) of the case, with what geoev run recorded about it.
struct VideoInfo {
  events::MediaRecord media;
  bool present = false;        // the original is where the case recorded it
  Json run;                    // its entry in run/last-run.json, or null when the last run did not list it
  std::vector<FrameInfo> frames;
  std::string frames_dir;      // where its frames were found ("" when none)
  std::string imagery_name, imagery_date;  // what its frames were matched against (file name, date)
  std::vector<std::int64_t> event_ids;
};

struct CaseData {
  events::CaseInfo info;
  render::MapData map;                     // events as the maps draw them (same ids as `events`)
  std::vector<events::Event> events;       // in id order
  std::vector<VideoInfo> videos;           // in media id order
  std::vector<events::CustodyEntry> custody;
  events::VerifyReport verify;
  Json last_run;                           // run/last-run.json or null
  std::map<std::string, fs::path> imagery; // file name -> a path where the imagery was found
  std::vector<std::string> notes;          // what could not be read
};

// Reads everything the report shows, read-only. Throws like events::open_case.
CaseData gather(const fs::path& case_dir, const ReportOptions& opts, const ProgressFn& progress);

// The event's time window in words: "2020-09-02 14:41:12 to 14:41:42 UTC", "not after ...", "unknown".
std::string utc_window(const std::optional<UtcTime>& from, const std::optional<UtcTime>& to);
// The same in local time with the zone ("09:41:12 to 09:41:42 local, UTC-05:00 America/..."), "" when
// the zone is unknown or there is no time.
std::string local_window(const std::optional<UtcTime>& from, const std::optional<UtcTime>& to, const std::string& zone);
std::string format_coord(const GeoPoint& p);          // "47.024564, -99.160167"
std::string format_bytes(std::uintmax_t n);           // "720,643 bytes (704 KiB)"
std::string format_fixed(double v, int decimals);
std::string file_name(const std::string& path);
// A code word as words: "image_match" -> "image match".
std::string words_of(std::string code);
std::string join(const std::vector<std::string>& parts, const std::string& sep);

// Images. Each frame is read, its faces blurred when `blur` (render::blur_faces, on this in-memory
// copy), scaled and encoded as JPEG. Throws Error when blurring is asked for and cannot be done.
// One blurring serves both sizes: the contact sheet's (`small_px` wide) and, when `large_px` > 0, the
// match overlay's.
struct PreparedFrame {
  Image small, large;
  bool match_overlay = false;  // `large` is a labelled match overlay (render_match_overlay)
  int faces = 0;
  bool ok = false;
  std::string problem;  // why it could not be read
};
// A frame of the case, decoded once for every figure made from it, with the faces to blur (kept in the
// case by render::FaceCache, so a report made again does not search again) when blurring. `image` is
// empty and `problem` says why when it cannot be read. Throws like render::detect_faces when the
// detector cannot run.
struct FrameRead {
  fs::path path;
  cv::Mat image;                               // as decoded; never blurred in place
  std::optional<std::vector<cv::Rect>> faces;  // set when faces are to be blurred
  std::string problem;
};
FrameRead read_frame(const fs::path& frame, bool blur, const render::FaceCache& kept);
// The frame scaled for the contact sheet (`small_px` wide) and, when `large_px` > 0, larger; faces
// blurred and outlined.
PreparedFrame prepare_frame(const FrameRead& frame, int small_px, const std::string& small_label, int large_px,
                            const std::string& large_label);
// A labelled match overlay (render::render_match_overlay: the imagery with the footprint, the frame
// warped over it, the frame as filmed; faces blurred by the renderer when `blur`), as a JPEG Image.
// nullopt with `problem` set when it cannot be drawn.
std::optional<Image> match_overlay(const FrameInfo& f, const FrameRead& frame, const fs::path& imagery,
                                   const std::string& imagery_name, const std::string& imagery_date,
                                   const fs::path& scratch_png, const std::string& label, std::string& problem);
// A PNG file read as an Image (maps, the timeline). nullopt when it cannot be read.
std::optional<Image> read_png(const fs::path& p, const std::string& alt);

// Sections.
// The first page: what the report is, how it was made, whether the case verified, the events table
// and the figures given (overview map, timeline).
Section front_page(const CaseData& d, const ReportOptions& opts, const std::string& title, std::vector<Figure> figures,
                   const std::string& made_utc);
// One event: place, how it was found, time and sources, compound, caveats, its site map.
Section event_section(const CaseData& d, const events::Event& e, std::optional<Figure> site_map);
// One video: file facts, metadata with sources, result of the run, `figures` (contact sheet,
// overlays), track, diagnostics.
Section video_section(const CaseData& d, const VideoInfo& v, std::vector<Figure> figures);
Section appendix(const CaseData& d, const std::string& made_utc);
// The custody log as a table, as `geoev case log` lists it.
Table custody_table(const std::vector<events::CustodyEntry>& log);
// "verified: ..." or "FAILED: ..." in one paragraph, naming every problem.
Paragraph verification_paragraph(const CaseData& d);
// The name of a video by its SHA-256 ("" when the case has no such media).
std::string video_name(const CaseData& d, const std::string& sha256);

}  // namespace geo::reporting::detail
