// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "geo/core/geodesy.hpp"
#include "geo/core/json.hpp"
#include "geo/imagery/raster.hpp"
#include "support/support.hpp"

using geo::test::run_geoev;
namespace fs = std::filesystem;

namespace {
const std::string kNaip = "imagery/opengeos_naip_m_4709963_se_14_1_20200831.tif";

void expect_one_line_failure(const geo::test::CliResult& r, const std::string& needle, const fs::path& dir) {
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(geo::test::list_files(dir).size() <= 2) << "something was written";  // only the inputs
  for (const auto& f : geo::test::list_files(dir))
    EXPECT_EQ(f.filename().string().find("out"), std::string::npos) << f;
}
}  // namespace

TEST(CliImagery, InfoJson) {
  const fs::path naip = geo::test::shared(kNaip);
  if (!fs::exists(naip)) GTEST_SKIP();
  const auto r = run_geoev({"imagery", "info", naip.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = geo::Json::parse(r.out);
  for (const char* k : {"driver", "width", "height", "bands", "crs_wkt", "epsg", "gsd_m", "bbox_wgs84", "overviews",
                        "nodata", "acquired", "sha256"})
    EXPECT_TRUE(j.contains(k)) << k;
  EXPECT_EQ(j["driver"], "GTiff");
  EXPECT_EQ(j["epsg"], 26914);
  EXPECT_EQ(j["bbox_wgs84"].size(), 4u);
  EXPECT_NEAR(j["gsd_m"].get<double>(), 5.0, 0.025);
}

TEST(CliImagery, CropWritesGeoTiffWithProvenance) {
  const fs::path naip = geo::test::shared(kNaip);
  if (!fs::exists(naip)) GTEST_SKIP();
  geo::test::ScratchDir dir;
  const auto r = run_geoev({"imagery", "crop", naip.string(), "--near", "47.02,-99.15", "--radius-m", "300",
                            "--gsd-m", "2", "--crs", "EPSG:32614", "-o", (dir / "out.tif").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = geo::Json::parse(r.out);
  EXPECT_EQ(j["cols"], 300);
  EXPECT_EQ(j["rows"], 300);
  EXPECT_TRUE(fs::exists(dir / "out.tif"));
  const auto side = geo::read_json_file(dir / "out.tif.provenance.json");
  EXPECT_EQ(side["operation"], "imagery.crop");
  EXPECT_EQ(side["inputs"][0]["sha256"].get<std::string>().size(), 64u);
  const auto b = run_geoev({"imagery", "crop", naip.string(), "--bbox", "-99.16,47.01,-99.14,47.02", "-o",
                            (dir / "out2.tif").string()});
  EXPECT_EQ(b.exit_code, 0) << b.err;
  const auto info = run_geoev({"imagery", "info", (dir / "out2.tif").string(), "--json"});
  EXPECT_EQ(geo::Json::parse(info.out)["epsg"], 32614);
}

TEST(CliImagery, TilesBuildsAnIndex) {
  const fs::path naip = geo::test::shared(kNaip);
  if (!fs::exists(naip)) GTEST_SKIP();
  geo::test::ScratchDir dir;
  const auto r = run_geoev({"imagery", "tiles", naip.string(), "--gsd-m", "20", "--tile-px", "128", "--overlap-px", "16",
                            "-o", (dir / "idx").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir / "idx/index.json"));
  EXPECT_GE(geo::Json::parse(r.out)["tile_count"].get<int>(), 4);
}

TEST(CliImagery, AWorldFileWithoutCrsNeedsAssumeCrsAndAWrongOneIsRefused) {
  const fs::path naip = geo::test::shared(kNaip);
  if (!fs::exists(naip)) GTEST_SKIP();
  geo::test::ScratchDir dir;
  // A 200 x 200 px piece of the NAIP tile as a PNG with only a world file (as Google Earth Pro exports).
  const cv::Mat px = cv::imread(naip.string(), cv::IMREAD_COLOR)(cv::Rect(300, 300, 200, 200));
  cv::imwrite((dir / "ge.png").string(), px);
  auto r = run_geoev({"imagery", "info", naip.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const geo::Json ref = geo::Json::parse(r.out);
  const auto gt = ref["geotransform"];
  ASSERT_TRUE(gt.is_array()) << ref.dump();
  const double x0 = gt[0].get<double>() + 300 * gt[1].get<double>(), y0 = gt[3].get<double>() + 300 * gt[5].get<double>();
  geo::test::write_bytes(dir / "ge.pgw", std::to_string(gt[1].get<double>()) + "\n0\n0\n" + std::to_string(gt[5].get<double>()) +
                                            "\n" + std::to_string(x0 + gt[1].get<double>() / 2) + "\n" +
                                            std::to_string(y0 + gt[5].get<double>() / 2) + "\n");
  const std::string ge = (dir / "ge.png").string(), epsg = "EPSG:" + std::to_string(ref["epsg"].get<int>());
  expect_one_line_failure(run_geoev({"imagery", "info", ge}), "--assume-crs", dir.path());
  expect_one_line_failure(run_geoev({"imagery", "info", ge, "--assume-crs", "EPSG:4326"}), "wrong CRS", dir.path());
  r = run_geoev({"imagery", "info", ge, "--assume-crs", epsg, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const geo::Json j = geo::Json::parse(r.out);
  EXPECT_EQ(j["epsg"], ref["epsg"]);
  EXPECT_NEAR(j["gsd_m"].get<double>(), ref["gsd_m"].get<double>(), 1e-6);
  EXPECT_NE(j["diagnostics"].dump().find("imagery.crs_assumed"), std::string::npos);
  // The piece's centre, by the world file, is where the tile says it is.
  const double lat = 0.5 * (j["bbox_wgs84"][1].get<double>() + j["bbox_wgs84"][3].get<double>());
  const double lon = 0.5 * (j["bbox_wgs84"][0].get<double>() + j["bbox_wgs84"][2].get<double>());
  const geo::GeoPoint want = geo::Raster::open(naip).lat_lon_from_pixel(400, 400);
  EXPECT_LT(geo::geodesic_inverse({lat, lon, {}}, want).distance_m, 1.0);
  const std::string out = (dir / "crop.tif").string();
  r = run_geoev({"imagery", "crop", ge, "--assume-crs", epsg, "--near", std::to_string(lat) + "," + std::to_string(lon),
                 "--radius-m", "100", "-o", out, "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(geo::test::read_text(out + ".provenance.json").find(epsg), std::string::npos);
}

TEST(CliImagery, ACropKeepsTheAcquisitionDate) {
  // A crop is the imagery of the same day: a later `match` against it must still say when that was.
  const fs::path naip = geo::test::shared(kNaip);
  if (!fs::exists(naip)) GTEST_SKIP();
  geo::test::ScratchDir dir;
  const std::string vrt = (dir / "dated.vrt").string(), out = (dir / "crop.tif").string();
  geo::test::write_dated_vrt(naip, vrt, "2020-08-31");
  auto r = run_geoev({"imagery", "crop", vrt, "--near", "47.02,-99.15", "--radius-m", "300", "-o", out, "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_geoev({"imagery", "info", out, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(geo::Json::parse(r.out)["acquired"]["value"], "2020-08-31") << r.out;
  // Without a date in the source, none is made up.
  r = run_geoev({"imagery", "crop", naip.string(), "--near", "47.02,-99.15", "--radius-m", "300", "-o",
                 (dir / "undated.tif").string(), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_geoev({"imagery", "info", (dir / "undated.tif").string(), "--json"});
  EXPECT_TRUE(geo::Json::parse(r.out)["acquired"].is_null()) << r.out;
}

TEST(CliImagery, BadInputsFailWithOneLineAndWriteNothing) {
  geo::test::ScratchDir dir;
  const std::string out = (dir / "out.tif").string();
  cv::imwrite((dir / "plain.png").string(), cv::Mat(16, 16, CV_8UC3, cv::Scalar(1, 2, 3)));
  expect_one_line_failure(run_geoev({"imagery", "info", (dir / "plain.png").string()}), "no georeferencing", dir.path());
  expect_one_line_failure(run_geoev({"imagery", "crop", (dir / "plain.png").string(), "--near", "1,1", "--radius-m",
                                     "10", "-o", out}),
                          "no georeferencing", dir.path());
  geo::test::write_bytes(dir / "corrupt.tif", "II*\0" + geo::test::random_bytes(500, 3));
  expect_one_line_failure(run_geoev({"imagery", "info", (dir / "corrupt.tif").string()}), "corrupt.tif", dir.path());
  const fs::path naip = geo::test::shared(kNaip);
  if (!fs::exists(naip)) return;
  expect_one_line_failure(
      run_geoev({"imagery", "crop", naip.string(), "--near", "11.55,104.92", "--radius-m", "500", "-o", out}),
      "outside the raster", dir.path());
  expect_one_line_failure(run_geoev({"imagery", "crop", naip.string(), "--near", "47.02,-99.15", "--radius-m", "500",
                                     "--crs", "EPSG:999999", "-o", out}),
                          "unknown CRS", dir.path());
  expect_one_line_failure(run_geoev({"imagery", "crop", naip.string(), "--near", "47.02,-99.15", "--radius-m", "500",
                                     "--gsd-m", "0", "-o", out}),
                          "gsd", dir.path());
  expect_one_line_failure(run_geoev({"imagery", "crop", naip.string(), "--near", "47.02,-99.15", "--radius-m", "500",
                                     "--gsd-m", "-2", "-o", out}),
                          "gsd", dir.path());
  expect_one_line_failure(
      run_geoev({"imagery", "crop", naip.string(), "--near", "95,-99.15", "--radius-m", "500", "-o", out}), "95",
      dir.path());
  expect_one_line_failure(
      run_geoev({"imagery", "tiles", naip.string(), "--gsd-m", "-1", "-o", (dir / "outdir").string()}), "gsd", dir.path());
}
