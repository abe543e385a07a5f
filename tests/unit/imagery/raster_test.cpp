// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <thread>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "fixtures.hpp"
#include "geo/core/error.hpp"
#include "geo/core/json.hpp"
#include "geo/imagery/crs.hpp"
#include "geo/imagery/raster.hpp"
#include "support/image_compare.hpp"
#include "support/support.hpp"

using namespace geo;
namespace fs = std::filesystem;

namespace {
const char* kNaip = "imagery/opengeos_naip_m_4709963_se_14_1_20200831.tif";
const char* kRgb = "imagery/rasterio_RGB.byte.tif";
const char* kLandsat = "imagery/opengeos_landsat_2020.tif";

fs::path sample(const char* rel) { return test::shared(rel); }

Errc error_code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no geo::Error thrown";
  return Errc::external;
}
}  // namespace

// bbox_wgs84 is the min/max of the densified outline: gdaltransform of the same points agrees to 1e-7
// degrees, and it contains gdalinfo's wgs84Extent corners.
TEST(RasterInfo, BboxAgreesWithGdaltransformAndGdalinfo) {
  for (const char* rel : {kNaip, kRgb, kLandsat}) {
    const fs::path p = sample(rel);
    if (!fs::exists(p)) GTEST_SKIP() << p;
    const Raster r = Raster::open(p);
    const auto& info = r.info();
    std::vector<std::array<double, 2>> px;
    for (int i = 0; i <= 20; ++i) {
      const double f = i / 20.0;
      for (auto [c, rr] : {std::pair{f * info.width, 0.0}, {f * info.width, 1.0 * info.height}, {0.0, f * info.height},
                           {1.0 * info.width, f * info.height}})
        px.push_back({c, rr});
    }
    // gdaltransform from pixel/line of the file to WGS 84 (lon, lat).
    std::ostringstream in;
    in.precision(17);
    for (const auto& q : px) in << q[0] << " " << q[1] << "\n";
    const std::string out = test::shell("printf '%s' '" + in.str() + "' | gdaltransform -output_xy -t_srs EPSG:4326 " +
                                        test::q(p.string()));
    std::istringstream is(out);
    double lon, lat, min_lon = 1e9, min_lat = 1e9, max_lon = -1e9, max_lat = -1e9;
    int n = 0;
    while (is >> lon >> lat) {
      ++n;
      min_lon = std::min(min_lon, lon), max_lon = std::max(max_lon, lon);
      min_lat = std::min(min_lat, lat), max_lat = std::max(max_lat, lat);
    }
    ASSERT_EQ(n, static_cast<int>(px.size())) << rel;
    EXPECT_NEAR(info.bbox_wgs84.min_lon_deg, min_lon, 1e-7) << rel;
    EXPECT_NEAR(info.bbox_wgs84.min_lat_deg, min_lat, 1e-7) << rel;
    EXPECT_NEAR(info.bbox_wgs84.max_lon_deg, max_lon, 1e-7) << rel;
    EXPECT_NEAR(info.bbox_wgs84.max_lat_deg, max_lat, 1e-7) << rel;

    const Json gi = Json::parse(test::shell("gdalinfo -json " + test::q(p.string())));
    for (const auto& c : gi["wgs84Extent"]["coordinates"][0]) {
      EXPECT_GE(c[0].get<double>(), info.bbox_wgs84.min_lon_deg - 1e-7) << rel;
      EXPECT_LE(c[0].get<double>(), info.bbox_wgs84.max_lon_deg + 1e-7) << rel;
      EXPECT_GE(c[1].get<double>(), info.bbox_wgs84.min_lat_deg - 1e-7) << rel;
      EXPECT_LE(c[1].get<double>(), info.bbox_wgs84.max_lat_deg + 1e-7) << rel;
    }
    EXPECT_EQ(info.width, gi["size"][0].get<int>());
    EXPECT_EQ(info.height, gi["size"][1].get<int>());
    EXPECT_EQ(info.bands.size(), gi["bands"].size());
    for (int k = 0; k < 6; ++k) {
      const double v = gi["geoTransform"][k].get<double>();  // gdalinfo prints 16 significant digits
      EXPECT_NEAR(info.map_from_pixel.c[static_cast<std::size_t>(k)], v, 1e-12 * std::max(1.0, std::abs(v)));
    }
    EXPECT_EQ(info.sha256.size(), 64u);
  }
}

TEST(RasterInfo, RealSamplesDescribedCorrectly) {
  if (!fs::exists(sample(kNaip))) GTEST_SKIP();
  const Raster naip = Raster::open(sample(kNaip));
  EXPECT_EQ(naip.info().epsg, 26914);
  EXPECT_EQ(naip.info().bands.size(), 4u);
  EXPECT_NEAR(naip.info().gsd_m, 5.0, 0.025);  // 5 m grid; UTM scale factor near the central meridian
  ASSERT_EQ(naip.info().overviews.size(), 1u);
  EXPECT_EQ(naip.info().overviews[0].width, 467);
  const Raster rgb = Raster::open(sample(kRgb));
  EXPECT_EQ(rgb.info().epsg, 32618);
  ASSERT_TRUE(rgb.info().nodata);
  EXPECT_EQ(*rgb.info().nodata, 0.0);
  EXPECT_NEAR(rgb.info().gsd_m, 300.0, 1.0);
  const Raster ls = Raster::open(sample(kLandsat));
  EXPECT_EQ(ls.info().epsg, 4326);
  // 0.000808 deg at 8.4 S: ~89.4 m east-west, ~89.4 m north-south.
  EXPECT_NEAR(ls.info().gsd_m, 0.000808483755708 * 111320.0, 1.0);
}

// A GeoTIFF whose bands hold each pixel centre's own column and row: after warping into another CRS,
// every output pixel must hold the source pixel coordinate of its own centre.
TEST(RasterRead, PositionEncodingFixtureCheckedToAFractionOfAPixel) {
  test::ScratchDir dir;
  const fs::path f = dir / "pos.tif";
  const std::array<double, 6> gt{491000.0, 10.0, 0.0, 1280000.0, 0.0, -10.0};  // UTM 48N, near Phnom Penh
  test::write_fixture(f, 400, 300, 3, GDT_Float32, gt, "EPSG:32648",
                      [](int b, int c, int r) { return b == 1 ? c + 0.5 : b == 2 ? r + 0.5 : 0.0; });
  const Raster raster = Raster::open(f);
  for (const std::string crs : {"EPSG:32648", "EPSG:32647", "EPSG:3857", "EPSG:4326"}) {
    WindowRequest req;
    req.center = raster.lat_lon_from_pixel(200, 150);
    req.radius_m = 1000;
    req.gsd_m = 7.0;
    req.crs = crs;
    const GeoImage img = raster.read_window(req);
    ASSERT_EQ(img.image.type(), CV_32FC3);
    double worst = 0;
    for (int r = 0; r < img.rows(); r += 13)
      for (int c = 0; c < img.cols(); c += 11) {
        // Where is this output pixel centre in the source? Through WGS 84, by our CRS code...
        const GeoPoint ll = img.lat_lon_from_pixel(c + 0.5, r + 0.5);
        const cv::Point2d expect = raster.pixel_from_lat_lon(ll);
        const cv::Vec3f v = img.image.at<cv::Vec3f>(r, c);  // B,G,R = 0, row, col
        worst = std::max({worst, std::abs(v[2] - expect.x), std::abs(v[1] - expect.y)});
      }
    EXPECT_LT(worst, 0.15) << crs;  // GDAL warp's approximate transformer allows 0.125 px
    // Independent reference for the centre: gdaltransform from the output CRS to the fixture's pixels.
    const cv::Point2d m = img.map_from_pixel.map_from_pixel(img.cols() / 2.0, img.rows() / 2.0);
    const auto ref = test::gdaltransform(crs, "EPSG:32648", {{m.x, m.y}});
    ASSERT_EQ(ref.size(), 1u);
    const cv::Point2d src_px{(ref[0][0] - gt[0]) / gt[1], (ref[0][1] - gt[3]) / gt[5]};
    const cv::Point2d ours = raster.pixel_from_lat_lon(img.lat_lon_from_pixel(img.cols() / 2.0, img.rows() / 2.0));
    EXPECT_NEAR(ours.x, src_px.x, 1e-4) << crs;
    EXPECT_NEAR(ours.y, src_px.y, 1e-4) << crs;
    EXPECT_NEAR(ours.x, 200.0, 0.75) << crs;  // the requested centre (half an output pixel of snapping)
    EXPECT_NEAR(ours.y, 150.0, 0.75) << crs;
  }
}

TEST(RasterRead, PixelLatLonRoundTripInNativeGrid) {
  test::ScratchDir dir;
  const fs::path f = dir / "geo.tif";
  test::write_fixture(f, 100, 80, 1, GDT_Byte, {104.9, 0.001, 0, 11.6, 0, -0.001}, "EPSG:4326",
                      [](int, int c, int r) { return (c + r) % 256; });
  const Raster r = Raster::open(f);
  const GeoPoint p = r.lat_lon_from_pixel(10.25, 20.75);
  EXPECT_NEAR(p.lon_deg, 104.9 + 10.25 * 0.001, 1e-12);
  EXPECT_NEAR(p.lat_deg, 11.6 - 20.75 * 0.001, 1e-12);
  const cv::Point2d back = r.pixel_from_lat_lon(p);
  EXPECT_NEAR(back.x, 10.25, 1e-9);
  EXPECT_NEAR(back.y, 20.75, 1e-9);
  const GeoImage px = r.read_pixels(10, 20, 5, 4);
  ASSERT_EQ(px.image.type(), CV_8UC1);
  EXPECT_EQ(px.image.at<uint8_t>(0, 0), 30);
  EXPECT_NEAR(px.map_from_pixel.c[0], 104.91, 1e-12);
  EXPECT_NEAR(px.map_from_pixel.c[3], 11.58, 1e-12);
}

// The same box and GSD through gdalwarp (run now) gives the same georeferencing and the same pixels.
TEST(RasterRead, CropAgreesWithGdalwarp) {
  if (!fs::exists(sample(kNaip))) GTEST_SKIP();
  test::ScratchDir dir;
  const Raster r = Raster::open(sample(kNaip));
  WindowRequest req;
  req.center = GeoPoint{47.02, -99.15};
  req.radius_m = 600;
  req.gsd_m = 3.0;
  const GeoImage img = r.read_window(req);
  EXPECT_EQ(img.crs, "EPSG:32614");
  ASSERT_EQ(img.cols(), 400);
  ASSERT_EQ(img.rows(), 400);
  // Expected extent from gdaltransform of the centre.
  const auto c = test::gdaltransform("EPSG:4326", "EPSG:32614", {{-99.15, 47.02}});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NEAR(img.map_from_pixel.c[0], c[0][0] - 600, 1e-3);
  EXPECT_NEAR(img.map_from_pixel.c[3], c[0][1] + 600, 1e-3);
  EXPECT_DOUBLE_EQ(img.map_from_pixel.c[1], 3.0);
  EXPECT_DOUBLE_EQ(img.map_from_pixel.c[5], -3.0);
  std::ostringstream te;
  te.precision(17);
  te << c[0][0] - 600 << " " << c[0][1] - 600 << " " << c[0][0] + 600 << " " << c[0][1] + 600;
  const fs::path ref = dir / "ref.tif";
  test::shell("gdalwarp -q -t_srs EPSG:32614 -te " + te.str() + " -tr 3 3 -r bilinear " + test::q(sample(kNaip).string()) +
              " " + test::q(ref.string()));
  const Raster rr = Raster::open(ref);
  ASSERT_EQ(rr.info().width, 400);
  ASSERT_EQ(rr.info().height, 400);
  for (int k = 0; k < 6; ++k)
    EXPECT_NEAR(rr.info().map_from_pixel.c[static_cast<std::size_t>(k)], img.map_from_pixel.c[static_cast<std::size_t>(k)], 1e-6);
  const GeoImage refimg = rr.read_pixels(0, 0, 400, 400);
  std::vector<cv::Mat> a, b;
  cv::split(img.image, a);
  cv::split(refimg.image, b);
  const cv::Mat all = cv::Mat(400, 400, CV_8UC1, cv::Scalar(255));
  for (int ch = 0; ch < 3; ++ch) EXPECT_GT(test::masked_correlation(a[static_cast<std::size_t>(ch)], b[static_cast<std::size_t>(ch)], all), 0.99) << ch;
  EXPECT_TRUE(img.diagnostics.has("imagery.bands_assumed_rgb"));
}

// Nodata 0 becomes the valid mask; compared with gdalwarp -dstalpha on the same box.
TEST(RasterRead, NodataBecomesValidMaskLikeGdalwarp) {
  if (!fs::exists(sample(kRgb))) GTEST_SKIP();
  test::ScratchDir dir;
  const Raster r = Raster::open(sample(kRgb));
  WindowRequest req;
  req.bbox = GeoBox{-79.2, 23.4, -76.3, 25.7};  // larger than the raster on every side
  req.gsd_m = 1000;
  req.crs = "EPSG:32618";
  const GeoImage img = r.read_window(req);
  ASSERT_FALSE(img.valid.empty());
  const double vf = img.valid_fraction();
  EXPECT_GT(vf, 0.2);
  EXPECT_LT(vf, 0.9);
  EXPECT_TRUE(img.diagnostics.has("imagery.partial_coverage"));
  const cv::Point2d tl = img.map_from_pixel.map_from_pixel(0, 0);
  const cv::Point2d br = img.map_from_pixel.map_from_pixel(img.cols(), img.rows());
  std::ostringstream te;
  te.precision(17);
  te << tl.x << " " << br.y << " " << br.x << " " << tl.y;
  const fs::path ref = dir / "ref.tif";
  test::shell("gdalwarp -q -t_srs EPSG:32618 -dstalpha -te " + te.str() + " -ts " + std::to_string(img.cols()) + " " +
              std::to_string(img.rows()) + " -r bilinear " + test::q(sample(kRgb).string()) + " " + test::q(ref.string()));
  const Raster rr = Raster::open(ref);
  const GeoImage refimg = rr.read_pixels(0, 0, img.cols(), img.rows());
  ASSERT_FALSE(refimg.valid.empty());
  cv::Mat diff;
  cv::bitwise_xor(img.valid, refimg.valid, diff);
  EXPECT_LT(cv::countNonZero(diff), static_cast<int>(0.002 * diff.total()));
  std::vector<cv::Mat> a, b;
  cv::split(img.image, a);
  cv::split(refimg.image, b);
  for (int ch = 0; ch < 3; ++ch) EXPECT_GT(test::masked_correlation(a[static_cast<std::size_t>(ch)], b[static_cast<std::size_t>(ch)], img.valid), 0.99);
}

TEST(RasterRead, GeographicSampleIntoUtmUsesOverviewsWhenCoarser) {
  if (!fs::exists(sample(kLandsat)) || !fs::exists(sample(kNaip))) GTEST_SKIP();
  const Raster ls = Raster::open(sample(kLandsat));
  WindowRequest req;
  req.center = ls.info().bbox_wgs84.center();
  req.radius_m = 5000;
  req.gsd_m = 100;
  const GeoImage img = ls.read_window(req);
  EXPECT_EQ(img.crs, "EPSG:32718");
  EXPECT_EQ(img.cols(), 100);
  EXPECT_GT(img.valid_fraction(), 0.99);
  const Raster naip = Raster::open(sample(kNaip));
  WindowRequest coarse;
  coarse.center = naip.info().bbox_wgs84.center();
  coarse.radius_m = 1500;
  coarse.gsd_m = 12;  // coarser than the 10 m overview: GDAL warp reads the overview
  const GeoImage c = naip.read_window(coarse);
  EXPECT_EQ(c.cols(), 250);
  EXPECT_GT(c.valid_fraction(), 0.99);
}

TEST(RasterRead, GeoImageWritesAndReadsBackAsGeoTiff) {
  if (!fs::exists(sample(kRgb))) GTEST_SKIP();
  test::ScratchDir dir;
  const Raster r = Raster::open(sample(kRgb));
  WindowRequest req;
  req.bbox = GeoBox{-78.5, 24.0, -77.5, 25.0};
  req.gsd_m = 600;
  const GeoImage img = r.read_window(req);
  write_geotiff(img, dir / "out.tif", Json{{"test", 1}});
  const GeoImage back = read_geotiff(dir / "out.tif");
  EXPECT_EQ(cv::norm(img.image, back.image, cv::NORM_INF), 0.0);
  for (int k = 0; k < 6; ++k) EXPECT_DOUBLE_EQ(back.map_from_pixel.c[static_cast<std::size_t>(k)], img.map_from_pixel.c[static_cast<std::size_t>(k)]);
  EXPECT_EQ(crs_epsg(back.crs), 32618);
  EXPECT_TRUE(fs::exists(dir / "out.tif.provenance.json"));
  EXPECT_NE(test::shell("gdalinfo " + test::q((dir / "out.tif").string())).find("GEOEV_PROVENANCE"), std::string::npos);
}

TEST(RasterBadInput, EachFailsWithItsCategory) {
  test::ScratchDir dir;
  cv::Mat png(32, 32, CV_8UC3, cv::Scalar(10, 20, 30));
  cv::imwrite((dir / "plain.png").string(), png);
  try {
    Raster::open(dir / "plain.png");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::no_georeferencing);
    EXPECT_NE(std::string(e.what()).find("no georeferencing"), std::string::npos);
  }
  // A world file gives a geotransform but no CRS: refused unless the caller states the CRS.
  test::write_bytes(dir / "plain.pgw", "1.0\n0.0\n0.0\n-1.0\n491000.5\n1280000.5\n");
  EXPECT_EQ(error_code_of([&] { Raster::open(dir / "plain.png"); }), Errc::no_georeferencing);
  OpenOptions o;
  o.assume_crs = "EPSG:32648";
  EXPECT_EQ(Raster::open(dir / "plain.png", o).info().epsg, 32648);
  EXPECT_NE(to_json(Raster::open(dir / "plain.png", o).info().diagnostics).dump().find("imagery.crs_assumed"),
            std::string::npos);
  // A wrong CRS: those metres read as degrees, and degrees read as metres (a 1e-5 m pixel).
  o.assume_crs = "EPSG:4326";
  EXPECT_EQ(error_code_of([&] { Raster::open(dir / "plain.png", o); }), Errc::no_georeferencing);
  cv::imwrite((dir / "deg.png").string(), png);
  test::write_bytes(dir / "deg.pgw", "0.00001\n0.0\n0.0\n-0.00001\n104.9\n11.5\n");
  o.assume_crs = "EPSG:32648";
  try {
    Raster::open(dir / "deg.png", o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::no_georeferencing);
    EXPECT_NE(std::string(e.what()).find("wrong CRS"), std::string::npos) << e.what();
  }
  o.assume_crs = "EPSG:4326";
  EXPECT_NEAR(Raster::open(dir / "deg.png", o).info().gsd_m, 1.09, 0.02);  // 1e-5 degree at 11.5 N

  test::write_bytes(dir / "bad.tif", "II*\0" + test::random_bytes(2000, 7));
  EXPECT_EQ(error_code_of([&] { Raster::open(dir / "bad.tif"); }), Errc::corrupt_data);
  EXPECT_EQ(error_code_of([&] { Raster::open(dir / "missing.tif"); }), Errc::not_found);
  if (!fs::exists(sample(kRgb))) return;
  const Raster r = Raster::open(sample(kRgb));
  WindowRequest far;
  far.center = GeoPoint{11.55, 104.92};
  far.radius_m = 500;
  EXPECT_EQ(error_code_of([&] { r.read_window(far); }), Errc::not_found);
  WindowRequest bad = far;
  bad.gsd_m = -1;
  EXPECT_EQ(error_code_of([&] { r.read_window(bad); }), Errc::invalid_argument);
  bad = far;
  bad.center->lat_deg = 95;
  EXPECT_EQ(error_code_of([&] { r.read_window(bad); }), Errc::invalid_argument);
  bad = far;
  bad.crs = "EPSG:999999";
  EXPECT_EQ(error_code_of([&] { r.read_window(bad); }), Errc::invalid_argument);
  bad = far;
  bad.bbox = GeoBox{1, 1, 2, 2};
  EXPECT_EQ(error_code_of([&] { r.read_window(bad); }), Errc::invalid_argument);
}

TEST(RasterRead, SharedBetweenThreads) {
  if (!fs::exists(sample(kNaip))) GTEST_SKIP();
  const Raster r = Raster::open(sample(kNaip));
  const GeoImage ref = r.read_pixels(100, 100, 256, 256);
  std::vector<std::thread> ts;
  std::vector<double> diffs(3, -1);
  for (int i = 0; i < 3; ++i)
    ts.emplace_back([&, i] {
      double worst = 0;
      for (int k = 0; k < 10; ++k) worst = std::max(worst, cv::norm(r.read_pixels(100, 100, 256, 256).image, ref.image, cv::NORM_INF));
      diffs[static_cast<std::size_t>(i)] = worst;
    });
  for (auto& t : ts) t.join();
  for (double d : diffs) EXPECT_EQ(d, 0.0);
}
