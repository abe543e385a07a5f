// SPDX-License-Identifier: Apache-2.0
// Images for the report: frames read from the case's stage files, faces blurred on an in-memory copy
// (the files in the case are only read), scaled and encoded as JPEG; maps read back as PNG.
#include <algorithm>
#include <map>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"
#include "geo/imagery/raster.hpp"
#include "geo/match/match.hpp"
#include "geo/render/faces.hpp"
#include "geo/render/overlay.hpp"
#include "internal.hpp"

namespace geo::reporting::detail {

namespace {

// Where blur_faces changed the image, as boxes: the areas are outlined in the published copy, so that
// a reader does not take a blurred patch (the detector also fires on roofs and trees seen from above)
// for something that was filmed. Found from the difference rather than from the detector's boxes so
// that whatever blur_faces does is what is outlined.
std::vector<cv::Rect> changed_areas(const cv::Mat& before, const cv::Mat& after) {
  cv::Mat diff, grey, mask;
  cv::absdiff(before, after, diff);
  if (diff.channels() == 3) cv::cvtColor(diff, grey, cv::COLOR_BGR2GRAY);
  else grey = diff;
  cv::threshold(grey, mask, 0, 255, cv::THRESH_BINARY);
  cv::dilate(mask, mask, cv::Mat(), cv::Point(-1, -1), 4);
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  std::vector<cv::Rect> out;
  for (const auto& c : contours) out.push_back(cv::boundingRect(c));
  return out;
}

// The imagery of a match overlay, opened once per thread: opening hashes the file (the overlay names
// its SHA-256), which for real imagery (hundreds of MB) costs seconds, and one GDAL dataset must not be
// read from two threads at once. Keyed by path, size and modification time, so a file replaced under
// the same name is opened (and hashed) again.
const Raster& imagery_of_thread(const fs::path& path) {
  thread_local std::map<std::string, Raster> opened;
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  const auto mtime = fs::last_write_time(path, ec).time_since_epoch().count();
  const std::string key = path.string() + "|" + std::to_string(size) + "|" + std::to_string(mtime);
  auto it = opened.find(key);
  if (it == opened.end()) {
    if (opened.size() >= 8) opened.clear();  // a handful of imagery files per case: bound what stays open
    it = opened.emplace(key, Raster::open(path)).first;
  }
  return it->second;
}

Image encode_jpeg(const cv::Mat& img, const std::string& label, const std::string& alt) {
  std::vector<uchar> jpg;
  cv::imencode(".jpg", img, jpg, {cv::IMWRITE_JPEG_QUALITY, kJpegQuality});
  Image out;
  out.bytes.assign(reinterpret_cast<const char*>(jpg.data()), jpg.size());
  out.mime = "image/jpeg";
  out.width_px = img.cols;
  out.height_px = img.rows;
  out.label = label;
  out.alt = alt;
  return out;
}

}  // namespace

FrameRead read_frame(const fs::path& frame, bool blur, const render::FaceCache& kept) {
  FrameRead f;
  f.path = frame;
  try {
    require_regular_file(frame, "report: frame");
    f.image = cv::imread(frame.string(), cv::IMREAD_COLOR);
    if (f.image.empty()) {
      f.problem = frame.filename().string() + " could not be decoded";
      return f;
    }
  } catch (const std::exception& e) {
    f.image.release();
    f.problem = e.what();
    return f;
  }
  // Throws when the detector cannot run (opencv-data missing): the report is refused, never published
  // with frames it could not search.
  if (blur) f.faces = kept.faces(frame, f.image);
  return f;
}

PreparedFrame prepare_frame(const FrameRead& frame, int small_px, const std::string& small_label, int large_px,
                            const std::string& large_label) {
  PreparedFrame p;
  if (frame.image.empty()) {
    p.problem = frame.problem;
    return p;
  }
  cv::Mat img = frame.image.clone();
  std::vector<cv::Rect> areas;
  if (frame.faces) {
    render::blur_regions(img, *frame.faces);
    p.faces = static_cast<int>(frame.faces->size());
    if (p.faces > 0) areas = changed_areas(frame.image, img);
  }
  std::string note;
  if (p.faces > 0)
    note = std::to_string(p.faces) + (p.faces == 1 ? " area" : " areas") + " blurred as a possible face (outlined)";
  const auto scaled = [&](int width_px, const std::string& label) {
    cv::Mat out;
    const double s = std::min(1.0, static_cast<double>(width_px) / img.cols);
    if (s < 1) cv::resize(img, out, cv::Size(), s, s, cv::INTER_AREA);
    else out = img.clone();
    for (const cv::Rect& a : areas) {
      const cv::Rect r(static_cast<int>(a.x * s), static_cast<int>(a.y * s), std::max(2, static_cast<int>(a.width * s)),
                       std::max(2, static_cast<int>(a.height * s)));
      cv::rectangle(out, r, cv::Scalar(0, 0, 0), 3);
      cv::rectangle(out, r, cv::Scalar(255, 255, 255), 1);
    }
    return encode_jpeg(out, join({label, note}, "; "), "frame " + frame.path.filename().string());
  };
  p.small = scaled(small_px, small_label);
  if (large_px > 0) p.large = scaled(large_px, large_label);
  p.ok = true;
  return p;
}

std::optional<Image> match_overlay(const FrameInfo& f, const FrameRead& frame, const fs::path& imagery,
                                   const std::string& imagery_name, const std::string& imagery_date,
                                   const fs::path& scratch_png, const std::string& label, std::string& problem) {
  try {
    if (frame.image.empty()) throw Error(Errc::corrupt_data, frame.problem);
    FrameFix fix;
    fix.frame = f.path.string();
    fix.pts_s = f.pts_s;
    fix.status = FixStatus::located;
    fix.center = *f.centre;
    fix.footprint = f.footprint;
    fix.error_m = f.error_m;
    fix.confidence = f.confidence;
    fix.method = f.method;
    render::OverlayOptions o;
    o.width_px = kMatchOverlayPx;
    o.imagery_name = imagery_name;
    o.imagery_date = imagery_date;
    o.blur_faces = frame.faces.has_value();  // the renderer blurs every view of the frame, outlining what it blurred
    o.faces = frame.faces;
    render::render_match_overlay(fix, frame.image, imagery_of_thread(imagery), o, scratch_png);
    const cv::Mat drawn = cv::imread(scratch_png.string(), cv::IMREAD_COLOR);
    if (drawn.empty()) throw Error(Errc::io, scratch_png.string() + " could not be read back");
    return encode_jpeg(drawn, label, "match overlay of frame " + f.path.filename().string());
  } catch (const std::exception& e) {
    problem = e.what();
    return std::nullopt;
  }
}

std::optional<Image> read_png(const fs::path& p, const std::string& alt) {
  try {
    Image im;
    im.bytes = read_file_bounded(p, 256ull << 20, "report: map");
    im.mime = "image/png";
    // Width and height from the IHDR chunk (bytes 16-23, big-endian).
    if (im.bytes.size() < 24 || im.bytes.compare(1, 3, "PNG") != 0) return std::nullopt;
    auto be32 = [&](std::size_t o) {
      return (static_cast<unsigned char>(im.bytes[o]) << 24) | (static_cast<unsigned char>(im.bytes[o + 1]) << 16) |
             (static_cast<unsigned char>(im.bytes[o + 2]) << 8) | static_cast<unsigned char>(im.bytes[o + 3]);
    };
    im.width_px = static_cast<int>(be32(16));
    im.height_px = static_cast<int>(be32(20));
    im.alt = alt;
    return im;
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace geo::reporting::detail
