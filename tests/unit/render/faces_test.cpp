// SPDX-License-Identifier: Apache-2.0
// render::blur_faces: faces found by the Haar cascades are blurred beyond recognition, and nothing else
// is touched. No photo of a face with a free licence is installed by any Debian package geoev uses (none
// is downloaded either), so the face is drawn: an oval with hair, eye sockets, eyes, brows, nose and
// mouth, softened like a photo; the frontal cascade finds it at every size tried (40-160 px).
#include <gtest/gtest.h>

#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/json.hpp"
#include "geo/render/faces.hpp"
#include "support/support.hpp"

namespace {

// A drawn face of about `size` px across, centred at `c` in `img`.
void draw_face(cv::Mat& img, cv::Point c, int size) {
  const double s = size / 100.0;
  const auto P = [&](double x, double y) { return cv::Point(int(c.x + x * s), int(c.y + y * s)); };
  const auto S = [&](double w, double h) { return cv::Size(int(w * s), int(h * s)); };
  cv::Mat layer = img.clone();
  cv::ellipse(layer, P(0, -10), S(62, 80), 0, 0, 360, cv::Scalar(40, 50, 60), -1);  // hair
  cv::ellipse(layer, P(0, 5), S(52, 70), 0, 0, 360, cv::Scalar(140, 170, 210), -1);  // skin
  for (int side : {-1, 1}) {
    cv::ellipse(layer, P(side * 22, -12), S(16, 9), 0, 0, 360, cv::Scalar(95, 115, 150), -1);  // socket
    cv::ellipse(layer, P(side * 22, -12), S(10, 5), 0, 0, 360, cv::Scalar(235, 235, 235), -1);
    cv::circle(layer, P(side * 22, -12), int(4 * s), cv::Scalar(30, 30, 30), -1);
    cv::line(layer, P(side * 10, -27), P(side * 36, -27), cv::Scalar(40, 50, 60), std::max(1, int(4 * s)));
  }
  cv::ellipse(layer, P(0, 18), S(7, 4), 0, 0, 360, cv::Scalar(100, 125, 165), -1);
  cv::ellipse(layer, P(0, 40), S(18, 6), 0, 0, 360, cv::Scalar(80, 80, 150), -1);
  const cv::Rect box = cv::Rect(P(-70, -95), P(70, 85)) & cv::Rect(0, 0, img.cols, img.rows);
  cv::GaussianBlur(layer(box), layer(box), cv::Size(), 2 * s);
  layer(box).copyTo(img(box));
}

// A street-like scene: gradient sky, textured ground, a few boxes (no face).
cv::Mat scene(int w, int h) {
  cv::Mat img(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      img.at<cv::Vec3b>(y, x) = y < h / 2 ? cv::Vec3b(230 - y / 4, 200 - y / 5, 170)
                                          : cv::Vec3b(90 + (x * 7 + y * 3) % 23, 100 + (x * 5) % 19, 110);
  cv::rectangle(img, {40, h / 2 - 120}, {200, h / 2}, cv::Scalar(120, 120, 130), -1);
  cv::rectangle(img, {w - 260, h / 2 - 90}, {w - 60, h / 2}, cv::Scalar(60, 90, 140), -1);
  return img;
}

double sharpness(const cv::Mat& bgr) {
  cv::Mat g, lap;
  cv::cvtColor(bgr, g, cv::COLOR_BGR2GRAY);
  cv::Laplacian(g, lap, CV_64F);
  cv::Scalar mean, sd;
  cv::meanStdDev(lap, mean, sd);
  return sd[0] * sd[0];
}

TEST(Faces, AFaceIsFoundBlurredAndNoLongerFoundNothingElseChanges) {
  cv::Mat img = scene(960, 540);
  const cv::Point centre(600, 300);
  draw_face(img, centre, 90);
  const cv::Mat before = img.clone();

  const auto boxes = geo::render::detect_faces(img);
  ASSERT_GE(boxes.size(), 1u);
  bool on_face = false;
  for (const auto& b : boxes) on_face = on_face || b.contains(centre);
  EXPECT_TRUE(on_face) << "the box should hold the face's centre";

  const int n = geo::render::blur_faces(img);
  EXPECT_EQ(n, int(boxes.size()));
  const cv::Rect face(centre.x - 45, centre.y - 55, 90, 110);
  EXPECT_LT(sharpness(img(face)), 0.05 * sharpness(before(face))) << "the face keeps its detail";
  EXPECT_TRUE(geo::render::detect_faces(img).empty()) << "the blurred face is still found";
  // Far from the face (beyond the enlarged box) every pixel is as it was.
  const cv::Rect far(0, 0, 300, 540);
  EXPECT_EQ(cv::norm(img(far), before(far), cv::NORM_INF), 0.0);
}

TEST(Faces, ASceneWithoutFacesIsLeftAsItIs) {
  cv::Mat img = scene(1280, 720);
  const cv::Mat before = img.clone();
  EXPECT_EQ(geo::render::blur_faces(img), 0);
  EXPECT_EQ(cv::norm(img, before, cv::NORM_INF), 0.0);
}

TEST(Faces, ALargeFrameIsSearchedAtReducedScaleAndBlurredAtFullScale) {
  cv::Mat img = scene(2560, 1440);
  const cv::Point centre(1600, 760);
  draw_face(img, centre, 160);  // 6 % of the frame's width
  const cv::Mat before = img.clone();
  EXPECT_GE(geo::render::blur_faces(img), 1);
  const cv::Rect face(centre.x - 80, centre.y - 96, 160, 192);
  EXPECT_LT(sharpness(img(face)), 0.15 * sharpness(before(face)));  // the drawing is soft to begin with
  EXPECT_TRUE(geo::render::detect_faces(img).empty()) << "the blurred face is still found";
}

TEST(Faces, MissingCascadesAreAnErrorNamingTheirPackage) {
  const geo::test::ScratchDir d;
  std::string message;
  // Cascades are loaded once per thread: a fresh thread sees the changed directory.
  ::setenv("GEOEV_HAARCASCADES_DIR", (d / "none").c_str(), 1);
  std::thread([&] {
    cv::Mat img = scene(320, 240);
    message = geo::test::error_message_of([&] { geo::render::blur_faces(img); });
  }).join();
  ::unsetenv("GEOEV_HAARCASCADES_DIR");
  EXPECT_NE(message.find("opencv-data"), std::string::npos) << message;
  EXPECT_NE(message.find("scripts/setup.sh"), std::string::npos) << message;
}

TEST(Faces, RefusesWhatIsNotAnEightBitImage) {
  cv::Mat f(10, 10, CV_32FC1, cv::Scalar(0));
  EXPECT_THROW(geo::render::blur_faces(f), geo::Error);
}

TEST(Faces, FindFacesGivesTheBoxesBlurFacesBlursAndLeavesTheImageAsItIs) {
  cv::Mat img = scene(480, 270);  // small: searched at 2x, so 3x faster than 960 x 540
  draw_face(img, {300, 150}, 70);
  const cv::Mat before = img.clone();
  const auto boxes = geo::render::find_faces(img);
  ASSERT_GE(boxes.size(), 1u);
  EXPECT_EQ(cv::norm(img, before, cv::NORM_INF), 0.0);
  cv::Mat blurred = img.clone();
  geo::render::blur_regions(blurred, boxes);
  cv::Mat by_blur_faces = img.clone();
  EXPECT_EQ(geo::render::blur_faces(by_blur_faces), int(boxes.size()));
  EXPECT_EQ(cv::norm(blurred, by_blur_faces, cv::NORM_INF), 0.0);
}

// What a FaceCache keeps for a picture: its entry, named by the file's SHA-256.
geo::Json kept_entry(const std::filesystem::path& dir, const std::filesystem::path& picture) {
  return geo::read_json_file(dir / (geo::sha256_file(picture) + ".json"));
}

// A small picture with a face written to `file` (small: searched at 2x, 3x faster than 960 x 540).
cv::Mat write_picture_with_face(const std::filesystem::path& file) {
  cv::Mat img = scene(480, 270);
  draw_face(img, {300, 150}, 70);
  EXPECT_TRUE(cv::imwrite(file.string(), img));
  return img;
}

TEST(Faces, KeptFacesAreFoundOnceAndServedOnlyForTheSameBytesAndDetector) {
  const geo::test::ScratchDir d;
  const std::filesystem::path picture = d / "frame.jpg";
  write_picture_with_face(picture);
  const cv::Mat decoded = cv::imread(picture.string());
  const geo::render::FaceCache kept(d / "kept");

  const auto found = geo::render::find_faces(decoded);
  ASSERT_GE(found.size(), 1u);
  EXPECT_EQ(kept.faces(picture, decoded), found);
  geo::Json entry = kept_entry(d / "kept", picture);
  EXPECT_EQ(entry.at("detector").get<std::string>(), geo::render::face_detector_id());
  EXPECT_EQ(entry.at("boxes").size(), found.size());

  // Served from the entry: an entry edited to hold one known box gives that box back, unsearched.
  entry["boxes"] = geo::Json::array({geo::Json::array({1, 2, 3, 4})});
  geo::write_file_atomic(d / "kept" / (geo::sha256_file(picture) + ".json"), geo::dump_json(entry));
  EXPECT_EQ(kept.faces(picture, decoded), std::vector<cv::Rect>{cv::Rect(1, 2, 3, 4)});

  // Another detector's entry, or one for a picture of another size, is searched again and replaced.
  entry["detector"] = "an older detector";
  geo::write_file_atomic(d / "kept" / (geo::sha256_file(picture) + ".json"), geo::dump_json(entry));
  EXPECT_EQ(kept.faces(picture, decoded), found);
  EXPECT_EQ(kept_entry(d / "kept", picture).at("detector").get<std::string>(), geo::render::face_detector_id());
  cv::Mat half;
  cv::resize(decoded, half, cv::Size(), 0.5, 0.5);
  EXPECT_EQ(kept.faces(picture, half), geo::render::find_faces(half));

  // Other bytes are another entry.
  const std::filesystem::path other = d / "other.jpg";
  ASSERT_TRUE(cv::imwrite(other.string(), scene(640, 360)));
  EXPECT_TRUE(kept.faces(other, cv::imread(other.string())).empty());
  EXPECT_TRUE(std::filesystem::is_regular_file(d / "kept" / (geo::sha256_file(other) + ".json")));
}

TEST(Faces, AFaceCacheThatCannotKeepStillFinds) {
  const geo::test::ScratchDir d;
  const std::filesystem::path picture = d / "frame.png";
  const cv::Mat img = write_picture_with_face(picture);
  geo::write_file_atomic(d / "a-file", "not a directory");
  const geo::render::FaceCache unwritable(d / "a-file" / "kept");
  const geo::render::FaceCache none;
  EXPECT_EQ(unwritable.faces(picture, img), geo::render::find_faces(img));
  EXPECT_EQ(none.faces(picture, img), geo::render::find_faces(img));
  EXPECT_TRUE(std::filesystem::is_regular_file(d / "a-file"));
}

}  // namespace
