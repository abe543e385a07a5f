// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "fixtures.hpp"
#include "geo/core/error.hpp"
#include "geo/imagery/raster.hpp"
#include "support/support.hpp"

using namespace geo;
namespace fs = std::filesystem;

namespace {
constexpr double kHalf = 20037508.342789244;

cv::Mat random_bgr(int rows, int cols, unsigned seed) {
  cv::Mat m(rows, cols, CV_8UC3);
  std::mt19937 rng(seed);
  for (auto it = m.begin<cv::Vec3b>(); it != m.end<cv::Vec3b>(); ++it)
    *it = cv::Vec3b(static_cast<uint8_t>(rng()), static_cast<uint8_t>(rng()), static_cast<uint8_t>(rng()));
  return m;
}

// A Web Mercator GeoTIFF covering tiles x0..x0+nx-1, y0..y0+ny-1 at zoom z, and the same pixels cut into
// an XYZ folder {z}/{x}/{y}.png.
struct XyzFixture {
  cv::Mat bgr;
  std::array<double, 6> gt;
};

XyzFixture make_xyz(const fs::path& root, int z, int x0, int y0, int nx, int ny, unsigned seed) {
  XyzFixture f;
  f.bgr = random_bgr(ny * 256, nx * 256, seed);
  const double res = 2 * kHalf / std::pow(2.0, z) / 256;
  f.gt = {-kHalf + x0 * 256 * res, res, 0, kHalf - y0 * 256 * res, 0, -res};
  for (int ty = 0; ty < ny; ++ty)
    for (int tx = 0; tx < nx; ++tx) {
      const fs::path d = root / std::to_string(z) / std::to_string(x0 + tx);
      fs::create_directories(d);
      cv::imwrite((d / (std::to_string(y0 + ty) + ".png")).string(), f.bgr(cv::Rect(tx * 256, ty * 256, 256, 256)));
    }
  return f;
}
}  // namespace

TEST(Sources, XyzTileFolderReadsBackTheSamePixels) {
  test::ScratchDir dir;
  // Zoom 14 tiles over Phnom Penh: x 13158..13160, y 7663..7664.
  const XyzFixture f = make_xyz(dir / "xyz", 14, 13158, 7663, 3, 2, 42);
  // A lower zoom level is present too: the highest one is used.
  fs::create_directories(dir / "xyz" / "13" / "6579");
  cv::imwrite((dir / "xyz/13/6579/3831.png").string(), random_bgr(256, 256, 1));
  test::write_fixture(dir / "ref.tif", f.bgr.cols, f.bgr.rows, 3, GDT_Byte, f.gt, "EPSG:3857",
                      [&](int b, int c, int r) { return f.bgr.at<cv::Vec3b>(r, c)[3 - b]; });

  const Raster xyz = Raster::open((dir / "xyz").string());
  ASSERT_EQ(xyz.info().width, 768);
  ASSERT_EQ(xyz.info().height, 512);
  EXPECT_EQ(xyz.info().epsg, 3857);
  for (int k = 0; k < 6; ++k)
    EXPECT_NEAR(xyz.info().map_from_pixel.c[static_cast<std::size_t>(k)], f.gt[static_cast<std::size_t>(k)], 1e-6);
  const GeoImage px = xyz.read_pixels(0, 0, 768, 512);
  EXPECT_EQ(cv::norm(px.image, f.bgr, cv::NORM_INF), 0.0);
  EXPECT_TRUE(px.valid.empty() || cv::countNonZero(px.valid) == 768 * 512);

  // Resampled windows from the folder and from the GeoTIFF it was cut from are identical.
  const Raster ref = Raster::open(dir / "ref.tif");
  WindowRequest req;
  req.center = ref.lat_lon_from_pixel(384, 256);
  req.radius_m = 800;
  req.gsd_m = 4;
  const GeoImage a = xyz.read_window(req), b = ref.read_window(req);
  ASSERT_EQ(a.image.size(), b.image.size());
  EXPECT_LE(cv::norm(a.image, b.image, cv::NORM_INF), 1.0);
  EXPECT_EQ(a.map_from_pixel.c, b.map_from_pixel.c);
}

TEST(Sources, MissingXyzTilesAreInvalidNotBlackData) {
  test::ScratchDir dir;
  make_xyz(dir / "xyz", 12, 3289, 1915, 2, 2, 3);
  fs::remove(dir / "xyz/12/3290/1916.png");
  const Raster xyz = Raster::open((dir / "xyz").string());
  const GeoImage px = xyz.read_pixels(0, 0, 512, 512);
  ASSERT_FALSE(px.valid.empty());
  EXPECT_EQ(cv::countNonZero(px.valid(cv::Rect(256, 256, 256, 256))), 0);
  EXPECT_EQ(cv::countNonZero(px.valid(cv::Rect(0, 0, 256, 256))), 256 * 256);
}

TEST(Sources, ListOfFilesIsOneMosaic) {
  test::ScratchDir dir;
  const cv::Mat all = random_bgr(200, 300, 9);
  const std::array<double, 6> gt{491000.0, 2.0, 0, 1280000.0, 0, -2.0};
  auto part = [&](const fs::path& p, int c0, int w) {
    std::array<double, 6> g = gt;
    g[0] += c0 * 2.0;
    test::write_fixture(p, w, 200, 3, GDT_Byte, g, "EPSG:32648",
                        [&](int b, int c, int r) { return all.at<cv::Vec3b>(r, c0 + c)[3 - b]; });
  };
  part(dir / "west.tif", 0, 150);
  part(dir / "east.tif", 150, 150);
  const Raster m = Raster::open_mosaic({dir / "west.tif", dir / "east.tif"});
  ASSERT_EQ(m.info().width, 300);
  ASSERT_EQ(m.info().height, 200);
  EXPECT_EQ(m.info().driver, "VRT");
  const GeoImage px = m.read_pixels(0, 0, 300, 200);
  EXPECT_EQ(cv::norm(px.image, all, cv::NORM_INF), 0.0);
  EXPECT_THROW(Raster::open_mosaic({dir / "west.tif", dir / "nope.tif"}), Error);
}

TEST(Sources, EmptyFolderIsNotFound) {
  test::ScratchDir dir;
  fs::create_directories(dir / "empty");
  try {
    Raster::open((dir / "empty").string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::not_found);
  }
}
