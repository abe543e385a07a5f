// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cmath>

#include <opencv2/core.hpp>

#include "fixtures.hpp"
#include "geo/core/error.hpp"
#include "geo/imagery/crs.hpp"
#include "geo/imagery/dem.hpp"
#include "geo/imagery/tile_index.hpp"
#include "support/support.hpp"

using namespace geo;
namespace fs = std::filesystem;

namespace {
// Heights on a plane h = 100 + 0.5 * easting_km + 2 * northing_km (metres), sampled at pixel centres: a
// bilinear interpolation of a plane is exact, so any pixel-convention error shows as a height error.
double plane(double e, double n) { return 100.0 + 0.5 * (e - 491000.0) / 1000.0 + 2.0 * (n - 1270000.0) / 1000.0; }
const std::array<double, 6> kGt{491000.0, 30.0, 0, 1280000.0, 0, -30.0};
}  // namespace

TEST(Dem, BilinearHeightsOnAPlaneAreExactAndDatumIsStated) {
  test::ScratchDir dir;
  test::write_fixture(dir / "dem.tif", 200, 150, 1, GDT_Float32, kGt, "EPSG:32648", [](int, int c, int r) {
    return plane(kGt[0] + (c + 0.5) * kGt[1], kGt[3] + (r + 0.5) * kGt[5]);
  }, -9999.0);
  const Dem dem = Dem::open(dir / "dem.tif", DemOptions{VerticalDatum::egm96});
  EXPECT_EQ(dem.datum(), VerticalDatum::egm96);
  for (const auto& [e, n] : {std::pair{492345.6, 1277777.7}, {494000.0, 1276000.0}, {491020.0, 1279980.0}}) {
    const GeoPoint p = lat_lon_from_map("EPSG:32648", {e, n});
    const auto h = dem.height_at(p);
    ASSERT_TRUE(h) << e << " " << n;
    EXPECT_NEAR(h->h_m, plane(e, n), 1e-3);
    if (have_egm96_grid()) {
      ASSERT_TRUE(h->ellipsoidal_h_m);
      EXPECT_NEAR(*h->ellipsoidal_h_m - h->h_m, egm96_undulation_m(p), 1e-9);
    }
  }
  EXPECT_FALSE(dem.height_at(lat_lon_from_map("EPSG:32648", {480000.0, 1270000.0})));  // outside
  const Dem unknown = Dem::open(dir / "dem.tif");
  EXPECT_EQ(unknown.datum(), VerticalDatum::unknown);  // a plain GeoTIFF does not say
  WindowRequest req;
  req.center = lat_lon_from_map("EPSG:32648", {494000.0, 1276000.0});
  req.radius_m = 600;
  req.gsd_m = 30;
  const GeoImage w = dem.read_window(req);
  ASSERT_EQ(w.image.type(), CV_32FC1);
  const cv::Point2d m = w.map_from_pixel.map_from_pixel(20.5, 20.5);
  EXPECT_NEAR(w.image.at<float>(20, 20), plane(m.x, m.y), 0.05);
}

TEST(Dem, NodataPostGivesNoHeight) {
  test::ScratchDir dir;
  test::write_fixture(dir / "dem.tif", 20, 20, 1, GDT_Float32, kGt, "EPSG:32648",
                      [](int, int c, int r) { return c == 10 && r == 10 ? -9999.0 : 50.0; }, -9999.0);
  const Dem dem = Dem::open(dir / "dem.tif");
  EXPECT_FALSE(dem.height_at(lat_lon_from_map("EPSG:32648", {kGt[0] + 10.2 * 30, kGt[3] - 10.2 * 30})));
  const auto ok = dem.height_at(lat_lon_from_map("EPSG:32648", {kGt[0] + 3.2 * 30, kGt[3] - 3.2 * 30}));
  ASSERT_TRUE(ok);
  EXPECT_NEAR(ok->h_m, 50.0, 1e-9);
}

TEST(TileIndex, BuildsOverlappingTilesOnceAndReusesThem) {
  const fs::path src = test::shared("imagery/opengeos_naip_m_4709963_se_14_1_20200831.tif");
  if (!fs::exists(src)) GTEST_SKIP();
  test::ScratchDir dir;
  TileIndexOptions o;
  o.gsd_m = 10;
  o.tile_px = 256;
  o.overlap_px = 32;
  const TileIndex idx = build_tile_index(src.string(), dir / "idx", o);
  EXPECT_EQ(idx.crs, "EPSG:32614");
  // The raster is ~4.67 x 3.6 km: at 10 m, tiles of 2.56 km stepping 2.24 km -> 2 or 3 per axis.
  ASSERT_GE(idx.tiles.size(), 4u);
  EXPECT_TRUE(fs::exists(dir / "idx/index.json"));
  for (const auto& t : idx.tiles) EXPECT_TRUE(fs::exists(dir / "idx" / t.file)) << t.file;
  // Neighbours share exactly overlap_px columns of identical pixels.
  const TileEntry* a = nullptr;
  const TileEntry* b = nullptr;
  for (const auto& t : idx.tiles) {
    if (t.row == 0 && t.col == 0) a = &t;
    if (t.row == 0 && t.col == 1) b = &t;
  }
  ASSERT_TRUE(a && b);
  EXPECT_NEAR(b->map_from_pixel.c[0] - a->map_from_pixel.c[0], (256 - 32) * 10.0, 1e-6);
  const GeoImage ia = idx.load(*a), ib = idx.load(*b);
  EXPECT_EQ(cv::norm(ia.image(cv::Rect(224, 0, 32, 256)), ib.image(cv::Rect(0, 0, 32, 256)), cv::NORM_INF), 0.0);
  // A tile equals a direct read of the same window.
  const Raster r = Raster::open(src);
  WindowRequest req;
  req.center = ia.lat_lon_from_pixel(128, 128);
  req.radius_m = 1280;
  req.gsd_m = 10;
  req.crs = idx.crs;
  const GeoImage direct = r.read_window(req);
  EXPECT_LE(cv::norm(direct.image, ia.image, cv::NORM_INF), 1.0);
  EXPECT_EQ(idx.best_tile_for(req.center.value()), a);
  // Second build with the same source and parameters: a cache hit, nothing rewritten.
  const auto mtime = fs::last_write_time(dir / "idx/index.json");
  const TileIndex again = build_tile_index(src.string(), dir / "idx", o);
  EXPECT_TRUE(again.diagnostics.has("tiles.cache_hit"));
  EXPECT_EQ(again.tiles.size(), idx.tiles.size());
  EXPECT_EQ(fs::last_write_time(dir / "idx/index.json"), mtime);
  // Other parameters into the same directory are refused.
  o.gsd_m = 20;
  EXPECT_THROW(build_tile_index(src.string(), dir / "idx", o), Error);
  o.gsd_m = 0;
  EXPECT_THROW(build_tile_index(src.string(), dir / "idx2", o), Error);
  EXPECT_FALSE(fs::exists(dir / "idx2"));
}
