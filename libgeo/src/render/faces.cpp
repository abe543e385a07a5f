// SPDX-License-Identifier: Apache-2.0
#include "geo/render/faces.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <optional>

#include <opencv2/core/version.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/json.hpp"

namespace geo::render {

namespace {

// The detector, chosen on 13 real photographs with 48 faces (tests/data/faces, docs/dev/faces.md): the
// union of three of opencv-data's cascades finds 37 (77 %), where frontal default + profile at OpenCV's
// default neighbour count found 29 (60 %). Every setting below errs towards blurring more.
// Detection scale: frames are searched at up to 1600 px on the long side (a face 2 % of a 4K frame's
// width stays 32 px there) and small images are enlarged up to 2x, so that the cascades' 24 px window
// reaches faces of 12 px (+6 faces, 3 of them under 30 px, on the set).
constexpr int kDetectMaxSidePx = 1600;
constexpr double kMaxUpscale = 2.0;
constexpr int kMinFacePx = 24;           // at the detection scale: the cascades' own window (24, 20 profile)
// Two neighbours instead of OpenCV's 3: +3 faces on the set for 75 false detections in 13 photographs
// instead of 45 (at 3, the demo's 22 aerial frames, with no one in them, had 36). A missed face costs
// more than a blurred patch, and callers outline what was blurred.
constexpr int kMinNeighbours = 2;
constexpr double kScaleStep = 1.1;       // 1.05 found no more faces, with 35 % more false ones, at 2x the time
constexpr double kEnlarge = 0.5;         // of the box's size, on every side
// Detection passes of blur_faces. Blurring a face changes what the cascades see around it: on
// lego_execs.jpg a face missed at first is found once its neighbour is blurred, hence a second pass.
// Passes after that find mostly the blurred patches' own edges (cameraman.jpg: 2, 1, 3, 5, 4 more boxes
// in passes 2 to 6) and no face of the set, at the cost of a whole detection each.
constexpr int kMaxBlurPasses = 2;

struct Cascades {
  // frontal_alt2 finds faces that the default one misses (smaller, lower contrast) and the reverse.
  cv::CascadeClassifier frontal, frontal_alt2, profile;
};

Cascades& cascades() {
  thread_local std::unique_ptr<Cascades> c;
  if (!c) {
    auto fresh = std::make_unique<Cascades>();
    const std::filesystem::path dir = haarcascades_dir();
    const auto load = [&](cv::CascadeClassifier& cl, const char* name) {
      const std::filesystem::path p = dir / name;
      std::error_code ec;
      if (!std::filesystem::is_regular_file(p, ec) || !cl.load(p.string()))
        throw Error(Errc::not_found, "faces: " + p.string() +
                                         " is missing or unreadable: install Debian's opencv-data (scripts/setup.sh) "
                                         "or set GEOEV_HAARCASCADES_DIR; images are not published unblurred");
    };
    load(fresh->frontal, "haarcascade_frontalface_default.xml");
    load(fresh->frontal_alt2, "haarcascade_frontalface_alt2.xml");
    load(fresh->profile, "haarcascade_profileface.xml");
    c = std::move(fresh);
  }
  return *c;
}

}  // namespace

std::filesystem::path haarcascades_dir() {
  if (const char* env = std::getenv("GEOEV_HAARCASCADES_DIR"); env && *env) return env;
  std::error_code ec;
  for (const char* d : {"/usr/share/opencv4/haarcascades", "/usr/share/opencv/haarcascades"})
    if (std::filesystem::is_directory(d, ec)) return d;
  return "/usr/share/opencv4/haarcascades";
}

std::vector<cv::Rect> detect_faces(const cv::Mat& image) {
  if (image.empty() || image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3))
    throw Error(Errc::invalid_argument, "faces: need an 8-bit grey or BGR image");
  Cascades& c = cascades();
  cv::Mat grey;
  if (image.channels() == 3) cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
  else grey = image.clone();  // equalizeHist below works in place: never on the caller's pixels
  const double scale = std::min(kMaxUpscale, double(kDetectMaxSidePx) / std::max(image.cols, image.rows));
  if (scale < 1.0) cv::resize(grey, grey, cv::Size(), scale, scale, cv::INTER_AREA);
  else if (scale > 1.0) cv::resize(grey, grey, cv::Size(), scale, scale, cv::INTER_LINEAR);
  cv::equalizeHist(grey, grey);

  std::vector<cv::Rect> found, part;
  const cv::Size min_size(kMinFacePx, kMinFacePx);
  for (cv::CascadeClassifier* frontal : {&c.frontal, &c.frontal_alt2}) {
    frontal->detectMultiScale(grey, part, kScaleStep, kMinNeighbours, 0, min_size);
    found.insert(found.end(), part.begin(), part.end());
  }
  // The profile cascade was trained on faces turned one way; the mirrored image finds the other.
  c.profile.detectMultiScale(grey, part, kScaleStep, kMinNeighbours, 0, min_size);
  found.insert(found.end(), part.begin(), part.end());
  cv::Mat mirrored;
  cv::flip(grey, mirrored, 1);
  c.profile.detectMultiScale(mirrored, part, kScaleStep, kMinNeighbours, 0, min_size);
  for (const cv::Rect& r : part) found.emplace_back(grey.cols - r.x - r.width, r.y, r.width, r.height);

  std::vector<cv::Rect> out;
  for (const cv::Rect& r : found)
    out.emplace_back(int(r.x / scale), int(r.y / scale), int(std::ceil(r.width / scale)),
                     int(std::ceil(r.height / scale)));
  return out;
}

cv::Rect blur_area(const cv::Rect& r, const cv::Size& size) {
  const int dx = int(r.width * kEnlarge), dy = int(r.height * kEnlarge);
  return cv::Rect(r.x - dx, r.y - dy, r.width + 2 * dx, r.height + 2 * dy) & cv::Rect(0, 0, size.width, size.height);
}

void blur_regions(cv::Mat& image, const std::vector<cv::Rect>& boxes) {
  for (const cv::Rect& r : boxes) {
    const cv::Rect big = blur_area(r, image.size());
    if (big.empty()) continue;
    cv::Mat roi = image(big);
    // Downscale first: what is thrown away cannot be recovered by deconvolution, and the blur is cheap.
    cv::Mat small;
    cv::resize(roi, small, cv::Size(std::max(1, big.width / 8), std::max(1, big.height / 8)), 0, 0, cv::INTER_AREA);
    const double sigma = std::max(small.cols, small.rows) / 4.0 + 1.0;
    cv::GaussianBlur(small, small, cv::Size(), sigma, sigma, cv::BORDER_REPLICATE);
    cv::resize(small, roi, big.size(), 0, 0, cv::INTER_LINEAR);
  }
}

std::vector<cv::Rect> find_faces(const cv::Mat& image) {
  // An image with no face costs one pass; one with faces is searched once more after blurring.
  std::vector<cv::Rect> all = detect_faces(image);
  if (all.empty()) return all;
  cv::Mat blurred = image.clone();
  for (int pass = 1; pass < kMaxBlurPasses; ++pass) {
    blur_regions(blurred, all);
    const std::vector<cv::Rect> more = detect_faces(blurred);
    if (more.empty()) break;
    all.insert(all.end(), more.begin(), more.end());
  }
  return all;
}

int blur_faces(cv::Mat& bgr) {
  const std::vector<cv::Rect> faces = find_faces(bgr);
  blur_regions(bgr, faces);
  return static_cast<int>(faces.size());
}

const std::string& face_detector_id() {
  static const std::string id = "haar default+alt2+profile(mirrored too) max" + std::to_string(kDetectMaxSidePx) + "px up" +
                                std::to_string(kMaxUpscale) + " min" + std::to_string(kMinFacePx) + "px n" +
                                std::to_string(kMinNeighbours) + " step" + std::to_string(kScaleStep) + " passes" +
                                std::to_string(kMaxBlurPasses) + " opencv " CV_VERSION;
  return id;
}

namespace {

constexpr std::uint64_t kMaxKeptBytes = 1 << 20;  // a kept entry is a few hundred bytes

Json boxes_json(const std::vector<cv::Rect>& boxes) {
  Json a = Json::array();
  for (const cv::Rect& r : boxes) a.push_back({r.x, r.y, r.width, r.height});
  return a;
}

// The kept boxes, when the entry is this detector's for a picture of this size; nullopt otherwise
// (missing, unreadable, another detector, malformed: all mean search again).
std::optional<std::vector<cv::Rect>> read_kept(const std::filesystem::path& entry, const cv::Size& size) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(entry, ec)) return std::nullopt;
  try {
    const Json j = Json::parse(read_file_bounded(entry, kMaxKeptBytes, "faces"));
    if (j.at("detector").get<std::string>() != face_detector_id() || j.at("width").get<int>() != size.width ||
        j.at("height").get<int>() != size.height)
      return std::nullopt;
    std::vector<cv::Rect> boxes;
    for (const Json& b : j.at("boxes")) boxes.emplace_back(b.at(0).get<int>(), b.at(1).get<int>(), b.at(2).get<int>(), b.at(3).get<int>());
    return boxes;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

FaceCache::FaceCache(std::filesystem::path dir) : dir_(std::move(dir)) {}

FaceCache FaceCache::in_case(const std::filesystem::path& case_dir) { return FaceCache(case_dir / "run" / "faces"); }

std::vector<cv::Rect> FaceCache::faces(const std::filesystem::path& file, const cv::Mat& decoded) const {
  if (dir_.empty()) return find_faces(decoded);
  std::string sha;
  try {
    sha = sha256_file(file);
  } catch (const Error&) {
    return find_faces(decoded);  // the picture is decoded already: only keeping is lost
  }
  const std::filesystem::path entry = dir_ / (sha + ".json");
  if (auto kept = read_kept(entry, decoded.size())) return *kept;
  std::vector<cv::Rect> boxes = find_faces(decoded);
  try {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    const Json j{{"detector", face_detector_id()}, {"sha256", sha}, {"width", decoded.cols}, {"height", decoded.rows},
                 {"boxes", boxes_json(boxes)}};
    write_file_atomic(entry, dump_json(j) + "\n");
  } catch (const std::exception&) {
    // a read-only case: the boxes are used, only not kept
  }
  return boxes;
}

}  // namespace geo::render
