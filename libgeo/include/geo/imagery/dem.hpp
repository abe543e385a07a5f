// SPDX-License-Identifier: Apache-2.0
// Terrain heights from a DEM (GeoTIFF, SRTM .hgt, DTED, anything GDAL reads) with the vertical datum
// stated. Bilinear interpolation between the four surrounding posts (pixel centres).
#pragma once
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "geo/core/geopoint.hpp"
#include "geo/imagery/raster.hpp"

namespace geo {

enum class VerticalDatum {
  egm96,      // orthometric, above the EGM96 geoid (SRTM, DTED, most global DEMs)
  ellipsoid,  // above the WGS 84 ellipsoid
  unknown,    // the file does not say and the caller did not either
};
const char* to_string(VerticalDatum d) noexcept;

struct DemOptions {
  // What the DEM heights are relative to. std::nullopt = from the file's vertical CRS when it has one,
  // else EGM96 for SRTM/DTED drivers, else unknown.
  std::optional<VerticalDatum> datum;
};

struct HeightSample {
  double h_m = 0.0;                 // height in `datum`
  VerticalDatum datum = VerticalDatum::unknown;
  std::optional<double> ellipsoidal_h_m;  // WGS 84 ellipsoidal height when convertible (EGM96 grid)
};

// Thread safety: like Raster (reads serialised by an internal mutex).
class Dem {
 public:
  // Throws like Raster::open.
  static Dem open(const std::filesystem::path& path, const DemOptions& opts = {});
  Dem(Dem&&) noexcept;
  Dem& operator=(Dem&&) noexcept;
  ~Dem();

  const RasterInfo& info() const noexcept;
  VerticalDatum datum() const noexcept;

  // Bilinear height at `p`; std::nullopt when outside the DEM or any of the 4 posts is nodata.
  // Throws Error{invalid_argument} for an invalid point.
  std::optional<HeightSample> height_at(const GeoPoint& p) const;

  // Heights of a window resampled bilinearly (CV_32FC1 image in metres, `datum()` reference; the
  // valid mask marks nodata). Same request rules as Raster::read_window (bands ignored).
  GeoImage read_window(const WindowRequest& req) const;

 private:
  struct Impl;
  explicit Dem(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace geo
