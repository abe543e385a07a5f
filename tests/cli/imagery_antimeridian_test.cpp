// SPDX-License-Identifier: Apache-2.0
// `geoev imagery info` on a raster across the antimeridian, and on a FIFO: an answer, not an error or a hang.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <gdal.h>
#include <ogr_srs_api.h>

#include "geo/core/json.hpp"
#include "support/support.hpp"

using geo::test::run_geoev;

namespace {
// A 100 x 50 GeoTIFF of 0.01-degree pixels in EPSG:4326 whose west edge is `west_deg`.
void write_strip(const std::filesystem::path& tif, double west_deg) {
  GDALAllRegister();
  GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), tif.c_str(), 100, 50, 1, GDT_Byte, nullptr);
  ASSERT_NE(ds, nullptr);
  double gt[6] = {west_deg, 0.01, 0, -16.0, 0, -0.01};
  GDALSetGeoTransform(ds, gt);
  OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
  OSRSetFromUserInput(srs, "EPSG:4326");
  GDALSetSpatialRef(ds, srs);
  OSRDestroySpatialReference(srs);
  std::vector<unsigned char> px(100 * 50, 90);
  ASSERT_EQ(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, 100, 50, px.data(), 100, 50, GDT_Byte, 0, 0), CE_None);
  GDALClose(ds);
}
}  // namespace

TEST(CliImagery, InfoAcrossTheAntimeridian) {
  geo::test::ScratchDir d;
  for (const double west : {179.5, -180.5}) {
    SCOPED_TRACE(west);
    write_strip(d / "strip.tif", west);
    const auto r = run_geoev({"imagery", "info", (d / "strip.tif").string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto j = geo::Json::parse(r.out);
    const auto& b = j.at("bbox_wgs84");
    EXPECT_NEAR(b.at(0).get<double>(), 179.5, 1e-9);
    EXPECT_NEAR(b.at(1).get<double>(), -16.5, 1e-9);
    EXPECT_NEAR(b.at(2).get<double>(), 180.5, 1e-9);
    EXPECT_NEAR(b.at(3).get<double>(), -16.0, 1e-9);
    EXPECT_EQ(j.value("crosses_antimeridian", false), true);
    EXPECT_NEAR(j.at("gsd_m").get<double>(), 1087.5, 5.0);
    std::filesystem::remove(d / "strip.tif");
  }
}

TEST(CliImagery, InfoOnAFifoIsRefusedAtOnce) {
  geo::test::ScratchDir d;
  ASSERT_EQ(::mkfifo((d / "pipe.tif").c_str(), 0600), 0);
  const auto r = run_geoev({"imagery", "info", (d / "pipe.tif").string()}, 20);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("not a regular file (a FIFO)"), std::string::npos) << r.err;
}
