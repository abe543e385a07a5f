// SPDX-License-Identifier: Apache-2.0
// Face detectors on real photographs (scripts/bench-faces.sh): recall, false detections and time of each
// OpenCV cascade that Debian's opencv-data ships, alone and in unions, at several settings, and of
// geoev's own render::detect_faces, on tests/data/faces (ground truth in faces.json). Figures are kept in
// docs/dev/faces.md.
//   bench_faces DATA_DIR [FILTER]         the table (only the detectors whose name holds FILTER, and the
//                                         baseline, when FILTER is given)
//   bench_faces DATA_DIR --draw OUT NAME  each image with truth (green), ignored areas (blue) and the
//                                         detections of configuration NAME (red), as PNG in OUT
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "geo/core/json.hpp"
#include "geo/render/faces.hpp"

namespace fs = std::filesystem;

namespace {

constexpr double kMatchIou = 0.3;       // or the detection's centre inside the face's box
constexpr int kSmallFacePx = 30;        // faces narrower than this are counted apart
constexpr const char* kBaseline = "default+profile (geoev before)";
constexpr int kFrameRuns = 1;           // timed runs on the 1920 x 1080 frame

struct Sample {
  std::string file;
  cv::Mat image;
  std::vector<cv::Rect> faces, ignore;
};

struct Part {
  std::string cascade;   // path under /usr/share/opencv4
  bool mirrored = false; // also run on the mirrored image (profile cascades see one side only)
};

struct Config {
  std::string name;
  std::vector<Part> parts;
  double scale_factor = 1.1;
  int min_neighbours = 3;
  double max_upscale = 1.0;   // the image is scaled by min(max_upscale, work_px / long side)
  int work_px = 1600;
  int min_face_px = 24;       // at the working scale
};

struct Loaded {
  cv::CascadeClassifier cl;
  bool mirrored;
};

using Detector = std::function<std::vector<cv::Rect>(const cv::Mat&)>;

cv::Rect rect_of(const geo::Json& j) {
  return cv::Rect(j.at(0).get<int>(), j.at(1).get<int>(), j.at(2).get<int>(), j.at(3).get<int>());
}

std::vector<Sample> load_set(const fs::path& dir) {
  const geo::Json truth = geo::read_json_file(dir / "faces.json");
  std::vector<Sample> out;
  for (const auto& im : truth.at("images")) {
    Sample s;
    s.file = im.at("file").get<std::string>();
    s.image = cv::imread((dir / s.file).string(), cv::IMREAD_COLOR);
    if (s.image.empty()) throw std::runtime_error("bench_faces: cannot read " + (dir / s.file).string());
    for (const auto& f : im.at("faces")) s.faces.push_back(rect_of(f));
    for (const auto& f : im.at("ignore")) s.ignore.push_back(rect_of(f));
    out.push_back(std::move(s));
  }
  return out;
}

double iou(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  return inter / (a.area() + b.area() - inter);
}

bool matches(const cv::Rect& det, const cv::Rect& truth) {
  const cv::Point c(det.x + det.width / 2, det.y + det.height / 2);
  return iou(det, truth) >= kMatchIou || truth.contains(c);
}

Detector cascade_detector(const Config& cfg) {
  auto loaded = std::make_shared<std::vector<Loaded>>();
  for (const Part& p : cfg.parts) {
    Loaded l{cv::CascadeClassifier(), p.mirrored};
    if (!l.cl.load("/usr/share/opencv4/" + p.cascade))
      throw std::runtime_error("bench_faces: cannot load " + p.cascade + " (install opencv-data)");
    loaded->push_back(std::move(l));
  }
  return [cfg, loaded](const cv::Mat& bgr) {
    cv::Mat grey;
    cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
    const double scale = std::min(cfg.max_upscale, double(cfg.work_px) / std::max(grey.cols, grey.rows));
    if (scale != 1.0) cv::resize(grey, grey, cv::Size(), scale, scale, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    cv::equalizeHist(grey, grey);
    cv::Mat mirrored;
    std::vector<cv::Rect> found, part;
    const cv::Size min_size(cfg.min_face_px, cfg.min_face_px);
    for (Loaded& l : *loaded) {
      l.cl.detectMultiScale(grey, part, cfg.scale_factor, cfg.min_neighbours, 0, min_size);
      found.insert(found.end(), part.begin(), part.end());
      if (!l.mirrored) continue;
      if (mirrored.empty()) cv::flip(grey, mirrored, 1);
      l.cl.detectMultiScale(mirrored, part, cfg.scale_factor, cfg.min_neighbours, 0, min_size);
      for (const cv::Rect& r : part) found.emplace_back(grey.cols - r.x - r.width, r.y, r.width, r.height);
    }
    std::vector<cv::Rect> out;
    for (const cv::Rect& r : found)
      out.emplace_back(int(r.x / scale), int(r.y / scale), int(r.width / scale), int(r.height / scale));
    return out;
  };
}

struct Score {
  int faces = 0, found = 0, small = 0, small_found = 0, false_pos = 0;
  double ms_per_image = 0, ms_frame = 0;
};

Score evaluate(const Detector& detect, const std::vector<Sample>& set, const cv::Mat& frame) {
  Score s;
  double total_ms = 0;
  for (const Sample& smp : set) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::vector<cv::Rect> dets = detect(smp.image);
    total_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    for (const cv::Rect& f : smp.faces) {
      bool hit = false;
      for (const cv::Rect& d : dets) hit = hit || matches(d, f);
      ++s.faces;
      s.found += hit;
      if (f.width < kSmallFacePx) {
        ++s.small;
        s.small_found += hit;
      }
    }
    for (const cv::Rect& d : dets) {
      bool explained = false;
      for (const cv::Rect& f : smp.faces) explained = explained || matches(d, f);
      for (const cv::Rect& g : smp.ignore) explained = explained || matches(d, g);
      s.false_pos += !explained;
    }
  }
  s.ms_per_image = total_ms / set.size();
  double best = 1e9;
  for (int i = 0; i < kFrameRuns; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    (void)detect(frame);
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  s.ms_frame = best;
  return s;
}

const Part kDefault{"haarcascades/haarcascade_frontalface_default.xml"};
const Part kAlt{"haarcascades/haarcascade_frontalface_alt.xml"};
const Part kAlt2{"haarcascades/haarcascade_frontalface_alt2.xml"};
const Part kAltTree{"haarcascades/haarcascade_frontalface_alt_tree.xml"};
const Part kProfile{"haarcascades/haarcascade_profileface.xml", true};
const Part kLbp{"lbpcascades/lbpcascade_frontalface.xml"};
const Part kLbpImproved{"lbpcascades/lbpcascade_frontalface_improved.xml"};
const Part kLbpProfile{"lbpcascades/lbpcascade_profileface.xml", true};

std::vector<Config> configs() {
  std::vector<Config> out;
  const auto add = [&](std::string name, std::vector<Part> parts, int mn = 3, double sf = 1.1, double up = 1.0) {
    Config c;
    c.name = std::move(name);
    c.parts = std::move(parts);
    c.min_neighbours = mn;
    c.scale_factor = sf;
    c.max_upscale = up;
    out.push_back(c);
  };
  add("haar default", {kDefault});
  add("haar alt", {kAlt});
  add("haar alt2", {kAlt2});
  add("haar alt_tree", {kAltTree});
  add("haar profile (+mirror)", {kProfile});
  add("lbp frontal", {kLbp});
  add("lbp frontal improved", {kLbpImproved});
  add("lbp profile (+mirror)", {kLbpProfile});
  add(kBaseline, {kDefault, kProfile});
  add("alt2+profile", {kAlt2, kProfile});
  add("default+alt2+profile", {kDefault, kAlt2, kProfile});
  add("default+alt2+profile+lbp_impr", {kDefault, kAlt2, kProfile, kLbpImproved});
  add("all 8", {kDefault, kAlt, kAlt2, kAltTree, kProfile, kLbp, kLbpImproved, kLbpProfile});
  for (int mn : {1, 2, 5}) add("default+profile mn" + std::to_string(mn), {kDefault, kProfile}, mn);
  add("default+profile sf1.05", {kDefault, kProfile}, 3, 1.05);
  add("default+profile x2", {kDefault, kProfile}, 3, 1.1, 2.0);
  add("default+profile x2 mn2", {kDefault, kProfile}, 2, 1.1, 2.0);
  add("default+alt2+profile mn2", {kDefault, kAlt2, kProfile}, 2);
  add("default+alt2+profile x1.5 mn2", {kDefault, kAlt2, kProfile}, 2, 1.1, 1.5);
  add("default+alt2+profile x2", {kDefault, kAlt2, kProfile}, 3, 1.1, 2.0);
  add("default+alt2+profile x2 mn2", {kDefault, kAlt2, kProfile}, 2, 1.1, 2.0);
  add("default+alt2+profile x2 sf1.05", {kDefault, kAlt2, kProfile}, 3, 1.05, 2.0);
  add("d+a2+p+lbp_impr x2", {kDefault, kAlt2, kProfile, kLbpImproved}, 3, 1.1, 2.0);
  add("d+a2+p+lbp_impr x2 mn2", {kDefault, kAlt2, kProfile, kLbpImproved}, 2, 1.1, 2.0);
  add("all 8 x2", {kDefault, kAlt, kAlt2, kAltTree, kProfile, kLbp, kLbpImproved, kLbpProfile}, 3, 1.1, 2.0);
  return out;
}

void draw(const std::vector<Sample>& set, const Detector& detect, const fs::path& out) {
  fs::create_directories(out);
  for (const Sample& s : set) {
    cv::Mat img = s.image.clone();
    for (const cv::Rect& r : s.faces) cv::rectangle(img, r, {0, 200, 0}, 2);
    for (const cv::Rect& r : s.ignore) cv::rectangle(img, r, {255, 120, 0}, 1);
    for (const cv::Rect& r : detect(s.image)) cv::rectangle(img, r, {0, 0, 255}, 1);
    cv::imwrite((out / (fs::path(s.file).stem().string() + ".png")).string(), img);
  }
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_faces DATA_DIR [--draw OUT NAME]\n");
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  const std::vector<Sample> set = load_set(argv[1]);
  std::map<std::string, Detector> detectors;
  std::vector<std::string> order;
  for (const Config& c : configs()) {
    detectors[c.name] = cascade_detector(c);
    order.push_back(c.name);
  }
  detectors["geoev render::detect_faces"] = [](const cv::Mat& m) { return geo::render::detect_faces(m); };
  order.push_back("geoev render::detect_faces");

  if (argc == 5 && std::string(argv[2]) == "--draw") {
    draw(set, detectors.at(argv[4]), argv[3]);
    return 0;
  }
  // A phone-video-sized frame made from the set (for time only).
  cv::Mat frame;
  cv::resize(set.back().image, frame, cv::Size(1920, 1080));

  int faces = 0, small = 0;
  for (const Sample& s : set) {
    faces += int(s.faces.size());
    for (const cv::Rect& f : s.faces) small += f.width < kSmallFacePx;
  }
  std::printf("%zu images, %d faces (%d narrower than %d px); a face is found at IoU >= %.1f or centre inside\n\n",
              set.size(), faces, small, kSmallFacePx, kMatchIou);
  // Time is also given as a ratio to geoev's detector before this measurement (frontal default + profile),
  // which survives a loaded machine better than milliseconds do.
  std::printf("%-34s %9s %7s %11s %6s %9s %11s %6s\n", "detector", "found", "recall", "small found", "false",
              "ms/image", "ms/1080p", "time");
  double baseline_ms = 0;
  const std::string filter = argc == 3 ? argv[2] : "";
  for (const std::string& name : order) {
    if (name.find(filter) == std::string::npos && name != kBaseline) continue;
    const Score s = evaluate(detectors.at(name), set, frame);
    if (name == kBaseline) baseline_ms = s.ms_per_image;
    std::printf("%-34s %4d/%-4d %6.0f%% %6d/%-4d %6d %9.1f %11.1f", name.c_str(), s.found, s.faces,
                100.0 * s.found / s.faces, s.small_found, s.small, s.false_pos, s.ms_per_image, s.ms_frame);
    if (baseline_ms > 0) std::printf(" %5.1fx", s.ms_per_image / baseline_ms);
    std::printf("\n");
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_faces: %s\n", e.what());
  return 1;
}
