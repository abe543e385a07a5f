// SPDX-License-Identifier: Apache-2.0
#include "geo/imagery/dem.hpp"

#include <cmath>

#include <opencv2/core.hpp>

#include "geo/core/error.hpp"
#include "geo/imagery/crs.hpp"

namespace geo {

const char* to_string(VerticalDatum d) noexcept {
  switch (d) {
    case VerticalDatum::egm96: return "EGM96 geoid (orthometric)";
    case VerticalDatum::ellipsoid: return "WGS 84 ellipsoid";
    case VerticalDatum::unknown: return "unknown";
  }
  return "unknown";
}

struct Dem::Impl {
  Raster raster;
  VerticalDatum datum = VerticalDatum::unknown;
};

Dem::Dem(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Dem::Dem(Dem&&) noexcept = default;
Dem& Dem::operator=(Dem&&) noexcept = default;
Dem::~Dem() = default;

Dem Dem::open(const std::filesystem::path& path, const DemOptions& opts) {
  Raster r = Raster::open(path);
  VerticalDatum d = VerticalDatum::unknown;
  if (opts.datum) {
    d = *opts.datum;
  } else {
    const auto& info = r.info();
    if (info.crs_wkt.find("EGM96") != std::string::npos) d = VerticalDatum::egm96;
    else if (info.driver == "SRTMHGT" || info.driver == "DTED") d = VerticalDatum::egm96;  // both products use EGM96
  }
  return Dem(std::make_unique<Impl>(Impl{std::move(r), d}));
}

const RasterInfo& Dem::info() const noexcept { return impl_->raster.info(); }
VerticalDatum Dem::datum() const noexcept { return impl_->datum; }

std::optional<HeightSample> Dem::height_at(const GeoPoint& p) const {
  validate(p, "dem.height_at");
  const cv::Point2d px = impl_->raster.pixel_from_lat_lon(p);
  // Posts are pixel centres: interpolate between the four centres around the point.
  const double fx = px.x - 0.5, fy = px.y - 0.5;
  const auto& info = impl_->raster.info();
  if (!(fx >= 0 && fy >= 0 && fx <= info.width - 1 && fy <= info.height - 1)) return std::nullopt;
  int i0 = static_cast<int>(std::floor(fx)), j0 = static_cast<int>(std::floor(fy));
  i0 = std::min(i0, std::max(0, info.width - 2));
  j0 = std::min(j0, std::max(0, info.height - 2));
  const int w = std::min(2, info.width), h = std::min(2, info.height);
  GeoImage win = impl_->raster.read_pixels(i0, j0, w, h, BandSelection::gray);
  cv::Mat z;
  win.image.convertTo(z, CV_64F);
  if (!win.valid.empty() && cv::countNonZero(win.valid) != w * h) return std::nullopt;
  const double ax = w > 1 ? fx - i0 : 0, ay = h > 1 ? fy - j0 : 0;
  auto at = [&](int r, int c) { return z.at<double>(std::min(r, h - 1), std::min(c, w - 1)); };
  HeightSample s;
  s.h_m = (1 - ay) * ((1 - ax) * at(0, 0) + ax * at(0, 1)) + ay * ((1 - ax) * at(1, 0) + ax * at(1, 1));
  s.datum = impl_->datum;
  if (s.datum == VerticalDatum::ellipsoid) s.ellipsoidal_h_m = s.h_m;
  else if (s.datum == VerticalDatum::egm96 && have_egm96_grid()) s.ellipsoidal_h_m = s.h_m + egm96_undulation_m(p);
  return s;
}

GeoImage Dem::read_window(const WindowRequest& req) const {
  WindowRequest r = req;
  r.bands = BandSelection::gray;
  GeoImage img = impl_->raster.read_window(r);
  if (img.image.depth() != CV_32F) img.image.convertTo(img.image, CV_32F);
  img.diagnostics.info("dem.vertical_datum", std::string("heights are relative to: ") + to_string(impl_->datum),
                       impl_->raster.info().source);
  return img;
}

}  // namespace geo
