// SPDX-License-Identifier: Apache-2.0
#include <cmath>
#include <cstdio>
#include <limits>

#include "adapters/proj.hpp"
#include "geo/render/map.hpp"

namespace geo::render {

namespace {

std::string tmerc_params(const GeoPoint& c) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "+proj=tmerc +lat_0=%.9f +lon_0=%.9f +k=1 +x_0=0 +y_0=0 +ellps=WGS84", c.lat_deg,
                c.lon_deg);
  return buf;
}

// Degrees in, metres out: the same definition for every point of one map, cached per thread by PROJ.
PJ* operation(const GeoPoint& c) {
  const std::string def =
      "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step " + tmerc_params(c);
  PJ* op = proj::cached_operation(def);
  if (!op) throw Error(Errc::external, "map: cannot make the projection " + def + " (" + proj::last_error() + ")", "PROJ");
  return op;
}

}  // namespace

MapProjection::MapProjection(const GeoPoint& centre, double metres_per_px, double centre_x_px, double centre_y_px)
    : centre_(centre), metres_per_px_(metres_per_px), cx_(centre_x_px), cy_(centre_y_px) {
  operation(centre_);  // fails here, not at the first point
}

MapProjection::Px MapProjection::to_px(const GeoPoint& p) const {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  // Transverse Mercator diverges towards 90 degrees from its central meridian.
  double dlon = std::remainder(p.lon_deg - centre_.lon_deg, 360.0);
  if (std::abs(dlon) > 80) return {nan, nan};
  PJ_COORD c = proj_coord(centre_.lon_deg + dlon, p.lat_deg, 0, 0);
  const PJ_COORD r = proj_trans(operation(centre_), PJ_FWD, c);
  if (!std::isfinite(r.xy.x) || !std::isfinite(r.xy.y) || std::abs(r.xy.x) > 1e30) return {nan, nan};
  return {cx_ + r.xy.x / metres_per_px_, cy_ - r.xy.y / metres_per_px_};
}

GeoPoint MapProjection::from_px(double x, double y) const {
  PJ_COORD c = proj_coord((x - cx_) * metres_per_px_, (cy_ - y) * metres_per_px_, 0, 0);
  const PJ_COORD r = proj_trans(operation(centre_), PJ_INV, c);
  GeoPoint g{r.xy.y, r.xy.x};
  if (g.lon_deg > 180) g.lon_deg -= 360;
  if (g.lon_deg < -180) g.lon_deg += 360;
  return g;
}

std::string MapProjection::proj_string() const {
  return tmerc_params(centre_) + " +units=m +no_defs +type=crs";
}

}  // namespace geo::render
