// SPDX-License-Identifier: Apache-2.0
// Whole or cut off: JPEG (baseline, progressive, with a trailer), PNG, and the shared camera photos.
#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "geo/core/error.hpp"
#include "geo/media/image_file.hpp"
#include "support/support.hpp"

namespace {

// A picture with detail everywhere, so that its entropy-coded data fills most of the file.
cv::Mat textured() {
  cv::Mat m(240, 320, CV_8UC3);
  cv::randu(m, cv::Scalar::all(0), cv::Scalar::all(255));
  return m;
}

std::string encoded(const std::string& ext, const std::vector<int>& params = {}) {
  std::vector<unsigned char> b;
  cv::imencode(ext, textured(), b, params);
  return std::string(b.begin(), b.end());
}

// The file's verdict, which must be the same as the verdict on its bytes in memory.
std::string verdict(const geo::test::ScratchDir& dir, const std::string& name, const std::string& bytes) {
  geo::test::write_bytes(dir / name, bytes);
  const std::string why = geo::image_file_incomplete(dir / name);
  const std::vector<unsigned char> b(bytes.begin(), bytes.end());
  EXPECT_EQ(geo::image_bytes_incomplete(b), why) << name;
  return why;
}

}  // namespace

TEST(ImageFile, AWholeJpegIsWholeAndEveryCutOfItIsNot) {
  geo::test::ScratchDir dir;
  for (const auto& params : {std::vector<int>{}, std::vector<int>{cv::IMWRITE_JPEG_PROGRESSIVE, 1},
                             std::vector<int>{cv::IMWRITE_JPEG_RST_INTERVAL, 4}}) {
    const std::string jpg = encoded(".jpg", params);
    ASSERT_GT(jpg.size(), 20000u);
    EXPECT_EQ(verdict(dir, "whole.jpg", jpg), "");
    // Cut in the headers, in the scan data and just before the end-of-image marker.
    for (size_t keep : {size_t(100), jpg.size() / 3, jpg.size() / 2, jpg.size() - 2, jpg.size() - 1}) {
      const std::string why = verdict(dir, "cut.jpg", jpg.substr(0, keep));
      EXPECT_NE(why.find("truncated"), std::string::npos) << "kept " << keep << " of " << jpg.size() << ": " << why;
    }
  }
}

TEST(ImageFile, DataAfterTheJpegEndIsAllowed) {
  // A motion photo carries its video after the JPEG's end-of-image marker.
  geo::test::ScratchDir dir;
  EXPECT_EQ(verdict(dir, "motion.jpg", encoded(".jpg") + std::string(5000, '\x42')), "");
}

TEST(ImageFile, GarbageInsideAJpegIsCorrupt) {
  geo::test::ScratchDir dir;
  std::string jpg = encoded(".jpg");
  ASSERT_EQ(jpg.substr(6, 4), "JFIF");
  jpg[20] = 'x';  // where the marker after the 16-byte JFIF segment should be
  EXPECT_NE(verdict(dir, "bad.jpg", jpg).find("corrupt"), std::string::npos);
}

TEST(ImageFile, PngChunksUpToIend) {
  geo::test::ScratchDir dir;
  const std::string png = encoded(".png");
  EXPECT_EQ(verdict(dir, "whole.png", png), "");
  for (size_t keep : {size_t(20), png.size() / 2, png.size() - 12, png.size() - 1})
    EXPECT_NE(verdict(dir, "cut.png", png.substr(0, keep)).find("truncated"), std::string::npos) << keep;
}

TEST(ImageFile, OtherFormatsAreNotChecked) {
  geo::test::ScratchDir dir;
  EXPECT_EQ(verdict(dir, "x.bmp", encoded(".bmp").substr(0, 1000)), "");
  EXPECT_THROW(geo::image_file_incomplete(dir / "missing.jpg"), geo::Error);
}

TEST(ImageFile, TheSharedCameraPhotosAreWhole) {
  for (const char* rel : {"media/gps-photo/exiftool_GPS.jpg", "media/gps-photo/exiftool_GoPro.jpg"}) {
    if (!std::filesystem::exists(geo::test::shared(rel))) GTEST_SKIP();
    EXPECT_EQ(geo::image_file_incomplete(geo::test::shared(rel)), "") << rel;
  }
}

TEST(ImageFile, ReadsTheWholeFileOnce) {
  geo::test::ScratchDir dir;
  const std::string jpg = encoded(".jpg");
  geo::test::write_bytes(dir / "a.jpg", jpg);
  const std::vector<unsigned char> b = geo::read_file_bytes(dir / "a.jpg");
  EXPECT_EQ(std::string(b.begin(), b.end()), jpg);
  geo::test::write_bytes(dir / "empty.jpg", "");
  EXPECT_TRUE(geo::read_file_bytes(dir / "empty.jpg").empty());
  EXPECT_EQ(geo::image_bytes_incomplete({}), "");
  EXPECT_THROW(geo::read_file_bytes(dir / "missing.jpg"), geo::Error);
}
