// SPDX-License-Identifier: Apache-2.0
// Images for the report: frames read from the case's stage files, faces blurred on an in-memory copy
// (the files in the case are only read), scaled and encoded as JPEG; maps read back as PNG.
#include <algorithm>

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

PreparedFrame prepare_frame(const fs::path& frame, bool blur, int small_px, const std::string& small_label, int large_px,
                            const std::string& large_label) {
  PreparedFrame p;
  cv::Mat img;
  try {
    require_regular_file(frame, "report: frame");
    img = cv::imread(frame.string(), cv::IMREAD_COLOR);
  } catch (const std::exception& e) {
    p.problem = e.what();
    return p;
  }
  if (img.empty()) {
    p.problem = frame.filename().string() + " could not be decoded";
    return p;
  }
  std::vector<cv::Rect> areas;
  if (blur) {
    const cv::Mat original = img.clone();
    p.faces = render::blur_faces(img);  // throws when it cannot blur: the frame is then not published
    if (p.faces > 0) areas = changed_areas(original, img);
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
    return encode_jpeg(out, join({label, note}, "; "), "frame " + frame.filename().string());
  };
  p.small = scaled(small_px, small_label);
  if (large_px > 0) p.large = scaled(large_px, large_label);
  p.ok = true;
  return p;
}

std::optional<Image> match_overlay(const FrameInfo& f, const fs::path& imagery, const std::string& imagery_name,
                                   const std::string& imagery_date, bool blur, const fs::path& scratch_png,
                                   const std::string& label, std::string& problem) {
  try {
    cv::Mat frame = cv::imread(f.path.string(), cv::IMREAD_COLOR);
    if (frame.empty()) throw Error(Errc::corrupt_data, f.path.filename().string() + " could not be decoded");
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
    o.blur_faces = blur;  // the renderer blurs the frame on every view of it and outlines what it blurred
    const Raster raster = Raster::open(imagery);
    render::render_match_overlay(fix, frame, raster, o, scratch_png);
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
