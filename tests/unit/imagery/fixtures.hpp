// SPDX-License-Identifier: Apache-2.0
// Imagery test fixtures: GeoTIFFs written through GDAL with a known geotransform, and running the GDAL/
// PROJ command-line tools as independent references.
#pragma once
#include <array>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <gdal.h>
#include <gtest/gtest.h>
#include <ogr_srs_api.h>

namespace geo::test {

// Runs a shell command, returns stdout (stderr discarded). Arguments must be quoted by the caller.
inline std::string shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

inline std::string q(const std::string& s) { return "'" + s + "'"; }

// Transforms (x y) pairs with gdaltransform between two CRSs, returns the output (x y) pairs.
inline std::vector<std::array<double, 2>> gdaltransform(const std::string& s_srs, const std::string& t_srs,
                                                        const std::vector<std::array<double, 2>>& pts) {
  std::ostringstream in;
  in.precision(17);
  for (const auto& p : pts) in << p[0] << " " << p[1] << "\n";
  const std::string out = shell("printf '%s' '" + in.str() + "' | gdaltransform -output_xy -s_srs " + q(s_srs) +
                                " -t_srs " + q(t_srs));
  std::istringstream is(out);
  std::vector<std::array<double, 2>> r;
  double x, y;
  while (is >> x >> y) r.push_back({x, y});
  return r;
}

// Writes a GeoTIFF of `bands` bands of type `type` (GDT_Byte or GDT_Float32), filling each band with
// value(band, col, row). Colour interpretation R,G,B for 3 bands.
inline void write_fixture(const std::filesystem::path& path, int cols, int rows, int bands, GDALDataType type,
                          const std::array<double, 6>& gt, const std::string& crs,
                          const std::function<double(int, int, int)>& value,
                          std::optional<double> nodata = std::nullopt) {
  GDALAllRegister();
  GDALDriverH drv = GDALGetDriverByName("GTiff");
  const char* co[] = {"TILED=YES", nullptr};
  GDALDatasetH ds = GDALCreate(drv, path.c_str(), cols, rows, bands, type, const_cast<char**>(co));
  ASSERT_NE(ds, nullptr);
  std::array<double, 6> g = gt;
  GDALSetGeoTransform(ds, g.data());
  OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
  OSRSetFromUserInput(srs, crs.c_str());
  GDALSetSpatialRef(ds, srs);
  OSRDestroySpatialReference(srs);
  std::vector<double> buf(static_cast<std::size_t>(cols) * rows);
  for (int b = 1; b <= bands; ++b) {
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) buf[static_cast<std::size_t>(r) * cols + c] = value(b, c, r);
    GDALRasterBandH band = GDALGetRasterBand(ds, b);
    if (bands == 3) GDALSetRasterColorInterpretation(band, static_cast<GDALColorInterp>(GCI_RedBand + b - 1));
    if (nodata) GDALSetRasterNoDataValue(band, *nodata);
    ASSERT_EQ(GDALRasterIO(band, GF_Write, 0, 0, cols, rows, buf.data(), cols, rows, GDT_Float64, 0, 0), CE_None);
  }
  GDALClose(ds);
}

}  // namespace geo::test
