// SPDX-License-Identifier: Apache-2.0
// GeoTransform, GeoBox and GeoImage: pure arithmetic plus CRS conversions.
#include <cmath>
#include <string>

#include <opencv2/core.hpp>

#include "geo/core/error.hpp"
#include "geo/core/text.hpp"
#include "geo/imagery/crs.hpp"
#include "geo/imagery/raster.hpp"

namespace geo {

cv::Point2d GeoTransform::map_from_pixel(double col, double row) const noexcept {
  return {c[0] + col * c[1] + row * c[2], c[3] + col * c[4] + row * c[5]};
}

GeoTransform GeoTransform::inverse() const {
  const double det = c[1] * c[5] - c[2] * c[4];
  if (!std::isfinite(det) || std::abs(det) < 1e-300)
    throw Error{Errc::invalid_argument, "geotransform: singular transform cannot be inverted"};
  GeoTransform inv;
  inv.c[1] = c[5] / det;
  inv.c[2] = -c[2] / det;
  inv.c[4] = -c[4] / det;
  inv.c[5] = c[1] / det;
  inv.c[0] = -(inv.c[1] * c[0] + inv.c[2] * c[3]);
  inv.c[3] = -(inv.c[4] * c[0] + inv.c[5] * c[3]);
  return inv;
}

cv::Point2d GeoTransform::pixel_from_map(double x, double y) const {
  return inverse().map_from_pixel(x, y);
}

double GeoTransform::pixel_width() const noexcept { return std::hypot(c[1], c[4]); }
double GeoTransform::pixel_height() const noexcept { return std::hypot(c[2], c[5]); }

GeoPoint GeoBox::center() const noexcept {
  return GeoPoint{(min_lat_deg + max_lat_deg) / 2, (min_lon_deg + max_lon_deg) / 2, std::nullopt};
}

void GeoBox::validate(const std::string& what) const {
  const double v[4] = {min_lon_deg, min_lat_deg, max_lon_deg, max_lat_deg};
  for (double x : v)
    if (!std::isfinite(x)) throw Error{Errc::invalid_argument, what + ": coordinates must be finite"};
  for (double lat : {min_lat_deg, max_lat_deg})
    if (lat < -90 || lat > 90)
      throw Error{Errc::invalid_argument, what + ": latitude " + std::to_string(lat) + " is outside [-90, 90]"};
  for (double lon : {min_lon_deg, max_lon_deg})
    if (lon < -180 || lon > 180)
      throw Error{Errc::invalid_argument, what + ": longitude " + std::to_string(lon) + " is outside [-180, 180]"};
  if (!(min_lon_deg < max_lon_deg) || !(min_lat_deg < max_lat_deg))
    throw Error{Errc::invalid_argument, what + ": empty or inverted box (need MINLON < MAXLON and MINLAT < MAXLAT)"};
}

GeoBox parse_geo_box(const std::string& text) {
  const auto parts = split(text, ',');
  if (parts.size() != 4)
    throw Error{Errc::invalid_argument, "bbox: '" + text + "': expected MINLON,MINLAT,MAXLON,MAXLAT"};
  GeoBox b{parse_double(parts[0], "bbox min_lon"), parse_double(parts[1], "bbox min_lat"),
           parse_double(parts[2], "bbox max_lon"), parse_double(parts[3], "bbox max_lat")};
  b.validate();
  return b;
}

Json to_json(const GeoBox& b) {
  return Json::array({round_to(b.min_lon_deg, 9), round_to(b.min_lat_deg, 9), round_to(b.max_lon_deg, 9),
                      round_to(b.max_lat_deg, 9)});
}

GeoPoint GeoImage::lat_lon_from_pixel(double col, double row) const {
  return geo::lat_lon_from_map(crs, map_from_pixel.map_from_pixel(col, row));
}

cv::Point2d GeoImage::pixel_from_lat_lon(const GeoPoint& p) const {
  return map_from_pixel.pixel_from_map(geo::map_from_lat_lon(crs, p));
}

cv::Point2d GeoImage::map_from_lat_lon(const GeoPoint& p) const { return geo::map_from_lat_lon(crs, p); }

GeoPoint GeoImage::lat_lon_from_map(const cv::Point2d& xy) const { return geo::lat_lon_from_map(crs, xy); }

double GeoImage::valid_fraction() const {
  if (image.empty()) return 0.0;
  if (valid.empty()) return 1.0;
  return static_cast<double>(cv::countNonZero(valid)) / static_cast<double>(valid.total());
}

}  // namespace geo
