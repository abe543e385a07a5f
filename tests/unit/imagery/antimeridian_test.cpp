// SPDX-License-Identifier: Apache-2.0
// Geographic rasters that run across the antimeridian (west edge 179.5, east edge 180.5, or -180.5 to
// -179.5) are real imagery (Fiji, Chukotka, the Aleutians), not impossible coordinates. Local paths that
// are not regular files are refused before GDAL could block on them.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cmath>

#include "fixtures.hpp"
#include "geo/core/error.hpp"
#include "geo/imagery/raster.hpp"
#include "support/support.hpp"

using namespace geo;

namespace {
constexpr double kPixelDeg = 0.01;  // 100 x 50 pixels of 0.01 degree: 1 degree by 0.5 degree

void write_strip(const std::filesystem::path& tif, double west_deg) {
  test::write_fixture(tif, 100, 50, 1, GDT_Byte, {west_deg, kPixelDeg, 0, -16.0, 0, -kPixelDeg}, "EPSG:4326",
                      [](int, int c, int r) { return (c + r) % 200; });
}
}  // namespace

TEST(Antimeridian, RasterFrom179p5To180p5OpensWithAContinuousBox) {
  test::ScratchDir d;
  for (const double west : {179.5, -180.5}) {
    SCOPED_TRACE(west);
    write_strip(d / "strip.tif", west);
    const Raster r = Raster::open(d / "strip.tif");
    const RasterInfo& i = r.info();
    EXPECT_TRUE(i.crosses_antimeridian);
    EXPECT_NEAR(i.bbox_wgs84.min_lon_deg, 179.5, 1e-9);
    EXPECT_NEAR(i.bbox_wgs84.max_lon_deg, 180.5, 1e-9);
    EXPECT_NEAR(i.bbox_wgs84.min_lat_deg, -16.5, 1e-9);
    EXPECT_NEAR(i.bbox_wgs84.max_lat_deg, -16.0, 1e-9);
    // 0.01 degree at latitude 16.25 S: about 1069 m east-west, 1106 m north-south.
    EXPECT_NEAR(i.gsd_m, 1087.5, 5.0);
    // Positions come back as ordinary longitudes, and a point east of the line finds its pixel.
    const GeoPoint east_edge = r.lat_lon_from_pixel(100, 0);
    EXPECT_NEAR(east_edge.lon_deg, -179.5, 1e-9);
    EXPECT_TRUE(is_valid(east_edge));
    const cv::Point2d px = r.pixel_from_lat_lon(GeoPoint{-16.25, -179.8});
    EXPECT_NEAR(px.x, 70.0, 1e-6);
    EXPECT_NEAR(px.y, 25.0, 1e-6);
    const cv::Point2d west_px = r.pixel_from_lat_lon(GeoPoint{-16.25, 179.8});
    EXPECT_NEAR(west_px.x, 30.0, 1e-6);
    std::filesystem::remove(d / "strip.tif");
  }
}

TEST(Antimeridian, RasterWithin180IsUnchanged) {
  test::ScratchDir d;
  write_strip(d / "strip.tif", 178.5);  // 178.5 .. 179.5
  const Raster r = Raster::open(d / "strip.tif");
  EXPECT_FALSE(r.info().crosses_antimeridian);
  EXPECT_NEAR(r.info().bbox_wgs84.min_lon_deg, 178.5, 1e-9);
  EXPECT_NEAR(r.info().bbox_wgs84.max_lon_deg, 179.5, 1e-9);
}

TEST(ImageryInput, FifoIsRefusedNotOpened) {
  test::ScratchDir d;
  const auto fifo = d / "imagery.tif";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto t0 = std::chrono::steady_clock::now();
  try {
    Raster::open(fifo);
    ADD_FAILURE() << "a FIFO was opened as a raster";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
}
