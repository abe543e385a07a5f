// SPDX-License-Identifier: Apache-2.0
// render::detect_faces and blur_faces on real photographs: 13 public-domain pictures with 48 faces drawn by
// hand (tests/data/faces: SOURCES.md says where each comes from, faces.json holds the boxes). The figures
// are those of scripts/bench-faces.sh, kept in docs/dev/faces.md.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "geo/core/hash.hpp"
#include "geo/core/json.hpp"
#include "geo/render/faces.hpp"
#include "support/support.hpp"

namespace {

namespace fs = std::filesystem;

// Measured: 37 of 48 faces found (77 %). Two faces of margin (4 points) for another OpenCV build's
// rounding; a change of detector that loses more must be measured and documented again.
constexpr int kFacesMeasured = 37;
constexpr int kMarginFaces = 2;
constexpr double kMatchIou = 0.3;  // the benchmark's rule: IoU >= 0.3, or the detection's centre inside

struct Sample {
  std::string file;
  std::vector<cv::Rect> faces;
};

fs::path data_dir() { return geo::test::source_dir() / "tests" / "data" / "faces"; }

std::vector<Sample> samples() {
  std::vector<Sample> out;
  const geo::Json truth = geo::read_json_file(data_dir() / "faces.json");  // outlives the loop
  for (const auto& im : truth.at("images")) {
    Sample s{im.at("file").get<std::string>(), {}};
    for (const auto& f : im.at("faces"))
      s.faces.emplace_back(f.at(0).get<int>(), f.at(1).get<int>(), f.at(2).get<int>(), f.at(3).get<int>());
    out.push_back(std::move(s));
  }
  return out;
}

bool matches(const cv::Rect& det, const cv::Rect& face) {
  const double inter = (det & face).area();
  const cv::Point centre(det.x + det.width / 2, det.y + det.height / 2);
  return inter / (det.area() + face.area() - inter) >= kMatchIou || face.contains(centre);
}

cv::Mat read(const std::string& file) {
  cv::Mat img = cv::imread((data_dir() / file).string(), cv::IMREAD_COLOR);
  EXPECT_FALSE(img.empty()) << file;
  return img;
}

TEST(FacesReal, TheSetIsWhatTheFiguresWereMeasuredOn) {
  const auto set = samples();
  int faces = 0;
  for (const Sample& s : set) faces += int(s.faces.size());
  EXPECT_EQ(set.size(), 13u);
  EXPECT_EQ(faces, 48);
}

TEST(FacesReal, RecallOnRealPhotographsIsAsMeasured) {
  int faces = 0, found = 0;
  std::string missed;
  for (const Sample& s : samples()) {
    const cv::Mat img = read(s.file);
    if (img.empty()) continue;
    const auto dets = geo::render::detect_faces(img);
    for (const cv::Rect& f : s.faces) {
      bool hit = false;
      for (const cv::Rect& d : dets) hit = hit || matches(d, f);
      ++faces;
      found += hit;
      if (!hit) missed += " " + s.file;
    }
  }
  RecordProperty("faces_found", found);
  EXPECT_GE(found, kFacesMeasured - kMarginFaces) << found << " of " << faces << " found; missed in:" << missed;
}

// The published copy (blur_faces on an in-memory copy, written elsewhere) has no face that the detector,
// run again, still finds; and the original file is byte for byte what it was.
TEST(FacesReal, ThePublishedCopyHasNoFaceTheDetectorStillFindsAndTheOriginalIsUntouched) {
  const geo::test::ScratchDir out;
  for (const Sample& s : samples()) {
    const fs::path original = data_dir() / s.file;
    const std::string before = geo::sha256_file(original);
    cv::Mat img = read(s.file);
    if (img.empty()) continue;
    EXPECT_GT(geo::render::blur_faces(img), 0) << s.file << ": each image of the set has a face the detector finds";
    for (const cv::Rect& d : geo::render::detect_faces(img))
      for (const cv::Rect& f : s.faces)
        EXPECT_FALSE(matches(d, f)) << s.file << ": after blurring, a face is still found at " << d;
    const fs::path published = out / s.file;
    ASSERT_TRUE(cv::imwrite(published.string(), img)) << published;
    EXPECT_EQ(geo::sha256_file(original), before) << s.file << ": the original was altered";
    EXPECT_NE(geo::sha256_file(published), before) << s.file << ": the published copy should differ";
  }
}

}  // namespace
