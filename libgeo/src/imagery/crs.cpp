// SPDX-License-Identifier: Apache-2.0
#include "geo/imagery/crs.hpp"

#include <cmath>
#include <cstdlib>

#include "adapters/proj.hpp"
#include "geo/core/error.hpp"

namespace geo {

namespace {
constexpr const char* kWgs84 = "EPSG:4326";

cv::Point2d run(PJ* op, double x, double y, PJ_DIRECTION dir, const std::string& what) {
  PJ_COORD c = proj_coord(x, y, 0, 0);
  proj_errno_reset(op);
  PJ_COORD r = proj_trans(op, dir, c);
  if (!std::isfinite(r.xy.x) || !std::isfinite(r.xy.y) || r.xy.x == HUGE_VAL)
    throw Error{Errc::external, what + ": PROJ could not transform (" + std::to_string(x) + ", " +
                                    std::to_string(y) + "): " + proj::last_error(),
                "PROJ", proj_errno(op)};
  return {r.xy.x, r.xy.y};
}
}  // namespace

int utm_zone_for(const GeoPoint& p) {
  validate(p, "utm zone");
  if (p.lat_deg < -80.0 || p.lat_deg > 84.0)
    throw Error{Errc::invalid_argument, "utm zone: latitude " + std::to_string(p.lat_deg) +
                                            " is outside UTM's range [-80, 84]"};
  int zone = static_cast<int>(std::floor((p.lon_deg + 180.0) / 6.0)) + 1;
  if (zone > 60) zone = 60;
  if (p.lat_deg >= 56.0 && p.lat_deg < 64.0 && p.lon_deg >= 3.0 && p.lon_deg < 12.0) zone = 32;
  if (p.lat_deg >= 72.0) {
    if (p.lon_deg >= 0.0 && p.lon_deg < 9.0) zone = 31;
    else if (p.lon_deg >= 9.0 && p.lon_deg < 21.0) zone = 33;
    else if (p.lon_deg >= 21.0 && p.lon_deg < 33.0) zone = 35;
    else if (p.lon_deg >= 33.0 && p.lon_deg < 42.0) zone = 37;
  }
  return zone;
}

std::string utm_crs_for(const GeoPoint& p) {
  const int zone = utm_zone_for(p);
  return "EPSG:" + std::to_string((p.lat_deg >= 0 ? 32600 : 32700) + zone);
}

void validate_crs(const std::string& crs) { (void)proj::make_crs(crs, "crs"); }

std::string crs_to_wkt(const std::string& crs) {
  auto p = proj::make_crs(crs, "crs");
  const char* opts[] = {"MULTILINE=NO", nullptr};
  const char* wkt = proj_as_wkt(proj::thread_context(), p.get(), PJ_WKT2_2019, opts);
  if (!wkt) throw Error{Errc::external, "crs: " + crs + ": cannot export WKT", "PROJ"};
  return wkt;
}

int crs_epsg(const std::string& crs) {
  auto p = proj::make_crs(crs, "crs");
  const char* auth = proj_get_id_auth_name(p.get(), 0);
  const char* code = proj_get_id_code(p.get(), 0);
  if (auth && code && std::string(auth) == "EPSG") return std::atoi(code);
  int* confidence = nullptr;
  PJ_OBJ_LIST* list = proj_identify(proj::thread_context(), p.get(), "EPSG", nullptr, &confidence);
  int result = 0;
  if (list && proj_list_get_count(list) > 0 && confidence && confidence[0] == 100) {
    proj::PjPtr best(proj_list_get(proj::thread_context(), list, 0));
    const char* c = best ? proj_get_id_code(best.get(), 0) : nullptr;
    if (c) result = std::atoi(c);
  }
  proj_int_list_destroy(confidence);
  proj_list_destroy(list);
  return result;
}

bool crs_is_geographic(const std::string& crs) {
  auto p = proj::make_crs(crs, "crs");
  PJ* base = p.get();
  proj::PjPtr horiz;
  if (proj_get_type(base) == PJ_TYPE_COMPOUND_CRS) {
    horiz.reset(proj_crs_get_sub_crs(proj::thread_context(), base, 0));
    base = horiz.get();
  }
  if (base && proj_get_type(base) == PJ_TYPE_BOUND_CRS) {
    proj::PjPtr src(proj_get_source_crs(proj::thread_context(), base));
    horiz = std::move(src);
    base = horiz.get();
  }
  if (!base) return false;
  const PJ_TYPE t = proj_get_type(base);
  return t == PJ_TYPE_GEOGRAPHIC_2D_CRS || t == PJ_TYPE_GEOGRAPHIC_3D_CRS || t == PJ_TYPE_GEOGRAPHIC_CRS;
}

cv::Point2d map_from_lat_lon(const std::string& crs, const GeoPoint& p) {
  validate(p, "crs.map_from_lat_lon");
  return run(proj::transformation(kWgs84, crs), p.lon_deg, p.lat_deg, PJ_FWD, "crs.map_from_lat_lon");
}

GeoPoint lat_lon_from_map(const std::string& crs, const cv::Point2d& xy) {
  const cv::Point2d ll =
      run(proj::transformation(kWgs84, crs), xy.x, xy.y, PJ_INV, "crs.lat_lon_from_map");
  return GeoPoint{ll.y, ll.x, std::nullopt};
}

cv::Point2d transform_point(const std::string& src_crs, const std::string& dst_crs,
                            const cv::Point2d& xy) {
  return run(proj::transformation(src_crs, dst_crs), xy.x, xy.y, PJ_FWD, "crs.transform");
}

std::vector<cv::Point2d> map_from_lat_lon(const std::string& crs, const std::vector<GeoPoint>& pts) {
  std::vector<cv::Point2d> out;
  out.reserve(pts.size());
  for (const auto& p : pts) out.push_back(map_from_lat_lon(crs, p));
  return out;
}

std::vector<GeoPoint> lat_lon_from_map(const std::string& crs, const std::vector<cv::Point2d>& xy) {
  std::vector<GeoPoint> out;
  out.reserve(xy.size());
  for (const auto& p : xy) out.push_back(lat_lon_from_map(crs, p));
  return out;
}

namespace {
PJ* egm96_op() {
  // Z_target = Z_source + multiplier * grid: with multiplier 1 and Z_source 0 the output is N.
  for (const char* grid : {"us_nga_egm96_15.tif", "egm96_15.gtx"}) {
    const std::string def = std::string("+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
                                        "+step +proj=vgridshift +grids=") + grid + " +multiplier=1";
    if (PJ* op = proj::cached_operation(def)) return op;
  }
  return nullptr;
}
}  // namespace

bool have_egm96_grid() { return egm96_op() != nullptr; }

double egm96_undulation_m(const GeoPoint& p) {
  validate(p, "geoid");
  PJ* op = egm96_op();
  if (!op) throw Error{Errc::not_found, "geoid: no EGM96 grid (egm96_15.gtx / us_nga_egm96_15.tif) installed for PROJ"};
  PJ_COORD c = proj_coord(p.lon_deg, p.lat_deg, 0.0, 0.0);
  proj_errno_reset(op);
  PJ_COORD r = proj_trans(op, PJ_FWD, c);
  if (!std::isfinite(r.xyz.z) || r.xyz.z == HUGE_VAL)
    throw Error{Errc::external, "geoid: EGM96 lookup failed: " + proj::last_error(), "PROJ"};
  return r.xyz.z;
}

}  // namespace geo
