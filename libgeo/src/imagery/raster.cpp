// SPDX-License-Identifier: Apache-2.0
#include "geo/imagery/raster.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <mutex>
#include <sstream>

#include <gdal_utils.h>
#include <opencv2/core.hpp>

#include "adapters/gdal.hpp"
#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/text.hpp"
#include "geo/imagery/crs.hpp"
#include "imagery/sources.hpp"

namespace geo {

namespace fs = std::filesystem;

struct Raster::Impl {
  gdal::DatasetPtr ds;
  RasterInfo info;
  std::string crs;                 // definition used for PROJ (WKT of the dataset)
  int alpha_band = 0;              // 1-based, 0 = none
  mutable std::mutex mutex;        // GDAL datasets are not thread-safe
  Diagnostics open_diagnostics;
};

namespace {

const char* color_name(GDALColorInterp c) { return GDALGetColorInterpretationName(c); }

// Band indices (1-based) in B, G, R order for 3 bands, or one band for gray.
struct BandPick {
  std::vector<int> bgr;  // 3 entries (B,G,R) or 1 entry (gray)
  bool assumed = false;  // chosen by position, not by colour interpretation
};

BandPick pick_bands(GDALDatasetH ds, BandSelection sel, const std::string& what) {
  const int n = GDALGetRasterCount(ds);
  int r = 0, g = 0, b = 0, gray = 0;
  for (int i = 1; i <= n; ++i) {
    switch (GDALGetRasterColorInterpretation(GDALGetRasterBand(ds, i))) {
      case GCI_RedBand: if (!r) r = i; break;
      case GCI_GreenBand: if (!g) g = i; break;
      case GCI_BlueBand: if (!b) b = i; break;
      case GCI_GrayIndex: if (!gray) gray = i; break;
      default: break;
    }
  }
  const bool have_rgb = r && g && b;
  if (sel == BandSelection::gray) return {{gray ? gray : 1}, false};
  if (have_rgb) return {{b, g, r}, false};
  // A 3- or 4-band file whose interpretation is Gray/Undefined (NAIP RGBN tiles, many GeoTIFF
  // exports): bands 1,2,3 are taken as R,G,B and the caller is told it was an assumption.
  if (n >= 3) return {{3, 2, 1}, true};
  if (sel == BandSelection::rgb)
    throw Error{Errc::not_found, what + ": no red/green/blue bands (" + std::to_string(n) + " band(s))"};
  return {{gray ? gray : 1}, false};
}

int find_alpha(GDALDatasetH ds) {
  for (int i = 1; i <= GDALGetRasterCount(ds); ++i)
    if (GDALGetRasterColorInterpretation(GDALGetRasterBand(ds, i)) == GCI_AlphaBand) return i;
  return 0;
}

// Densified outline of a pixel rectangle, as map coordinates.
std::vector<cv::Point2d> outline(const GeoTransform& gt, double cols, double rows, int per_edge = 20) {
  std::vector<cv::Point2d> pts;
  for (int i = 0; i <= per_edge; ++i) {
    const double f = static_cast<double>(i) / per_edge;
    pts.push_back(gt.map_from_pixel(f * cols, 0));
    pts.push_back(gt.map_from_pixel(f * cols, rows));
    pts.push_back(gt.map_from_pixel(0, f * rows));
    pts.push_back(gt.map_from_pixel(cols, f * rows));
  }
  return pts;
}

std::optional<std::string> find_acquired(GDALDatasetH ds, std::string& key) {
  static const char* keys[] = {"ACQUISITIONDATETIME", "ACQUISITION_DATE", "ACQUISITIONDATE", "DATE_ACQUIRED",
                               "ACQUISITION_DATETIME", "SENSING_TIME", "DATATAKE_1_DATATAKE_SENSING_START",
                               "PRODUCT_START_TIME", "IMAGE_DATE", "acquisitionDate"};
  for (const char* domain : {"IMAGERY", ""}) {
    for (const char* k : keys) {
      const char* v = GDALGetMetadataItem(ds, k, domain);
      if (v && *v) {
        key = std::string(*domain ? domain : "default") + ":" + k;
        return std::string(v);
      }
    }
  }
  return std::nullopt;
}

// Longitude in [-180, 180] (181 -> -179).
double wrapped_lon(double lon_deg) { return std::remainder(lon_deg, 360.0); }
GeoPoint wrapped(GeoPoint p) {
  p.lon_deg = wrapped_lon(p.lon_deg);
  return p;
}

RasterInfo describe(GDALDatasetH ds, const std::string& source, const std::string& crs,
                    const GeoTransform& gt, bool hash) {
  RasterInfo info;
  info.source = source;
  info.driver = GDALGetDriverShortName(GDALGetDatasetDriver(ds));
  info.width = GDALGetRasterXSize(ds);
  info.height = GDALGetRasterYSize(ds);
  info.crs_wkt = crs;
  info.epsg = crs_epsg(crs);
  info.map_from_pixel = gt;
  for (int i = 1; i <= GDALGetRasterCount(ds); ++i) {
    GDALRasterBandH band = GDALGetRasterBand(ds, i);
    BandInfo b;
    b.color = color_name(GDALGetRasterColorInterpretation(band));
    b.data_type = GDALGetDataTypeName(GDALGetRasterDataType(band));
    int has = 0;
    const double nd = GDALGetRasterNoDataValue(band, &has);
    if (has) b.nodata = nd;
    if (const char* d = GDALGetDescription(band)) b.description = d;
    info.bands.push_back(b);
    if (i == 1) {
      info.nodata = b.nodata;
      for (int o = 0; o < GDALGetOverviewCount(band); ++o) {
        GDALRasterBandH ov = GDALGetOverview(band, o);
        info.overviews.push_back({GDALGetRasterBandXSize(ov), GDALGetRasterBandYSize(ov)});
      }
    }
  }
  // A CRS that does not fit the coordinates: a world file in metres read as degrees (or the reverse).
  const std::string crs_name = info.epsg ? "EPSG:" + std::to_string(info.epsg) : "its CRS";
  if (crs_is_geographic(crs)) {
    for (const auto& m : outline(gt, info.width, info.height))
      if (!(std::abs(m.x) <= 360.5 && std::abs(m.y) <= 90.5))
        throw Error{Errc::no_georeferencing, "imagery.open: " + source + ": wrong CRS: coordinates such as (" +
                                                 std::to_string(m.x) + ", " + std::to_string(m.y) +
                                                 ") are not degrees, so the raster is not in " + crs_name +
                                                 " (give the right one with --assume-crs)"};
  }
  // Native GSD: geodesic length of one pixel step at the raster centre, along columns and rows.
  const double cc = info.width / 2.0, cr = info.height / 2.0;
  const GeoPoint p0 = wrapped(lat_lon_from_map(crs, gt.map_from_pixel(cc, cr)));
  const GeoPoint px = wrapped(lat_lon_from_map(crs, gt.map_from_pixel(cc + 1, cr)));
  const GeoPoint py = wrapped(lat_lon_from_map(crs, gt.map_from_pixel(cc, cr + 1)));
  info.gsd_m = 0.5 * (geodesic_inverse(p0, px).distance_m + geodesic_inverse(p0, py).distance_m);
  if (!(info.gsd_m >= 1e-3))
    throw Error{Errc::no_georeferencing, "imagery.open: " + source + ": wrong CRS: a pixel " +
                                             std::to_string(info.gsd_m) + " m across in " + crs_name +
                                             " (degrees read as metres?; give the right CRS with --assume-crs)"};
  // WGS 84 box of the densified outline (edges can bulge beyond the corners after reprojection).
  bool first = true;
  for (const auto& m : outline(gt, info.width, info.height)) {
    const GeoPoint p = lat_lon_from_map(crs, m);
    if (first) {
      info.bbox_wgs84 = {p.lon_deg, p.lat_deg, p.lon_deg, p.lat_deg};
      first = false;
    }
    info.bbox_wgs84.min_lon_deg = std::min(info.bbox_wgs84.min_lon_deg, p.lon_deg);
    info.bbox_wgs84.max_lon_deg = std::max(info.bbox_wgs84.max_lon_deg, p.lon_deg);
    info.bbox_wgs84.min_lat_deg = std::min(info.bbox_wgs84.min_lat_deg, p.lat_deg);
    info.bbox_wgs84.max_lat_deg = std::max(info.bbox_wgs84.max_lat_deg, p.lat_deg);
  }
  // A geographic raster may legitimately run past +-180 (west edge 179.5, east edge 180.5) or use
  // 0..360 longitudes: the box keeps its width and starts at its western edge wrapped into [-180, 180).
  GeoBox& b = info.bbox_wgs84;
  if (crs_is_geographic(crs) && (b.min_lon_deg < -180.0 || b.max_lon_deg > 180.0)) {
    const double width = b.max_lon_deg - b.min_lon_deg;
    if (width >= 360.0) {
      b.min_lon_deg = -180.0, b.max_lon_deg = 180.0;
    } else {
      b.min_lon_deg = wrapped_lon(b.min_lon_deg);
      if (b.min_lon_deg == 180.0) b.min_lon_deg = -180.0;
      b.max_lon_deg = b.min_lon_deg + width;
      info.crosses_antimeridian = b.max_lon_deg > 180.0;
    }
  }
  info.acquired = find_acquired(ds, info.acquired_key);
  std::error_code ec;
  if (hash && fs::is_regular_file(source, ec)) info.sha256 = sha256_file(source);
  return info;
}

const char* resampling_name(Resampling r) {
  switch (r) {
    case Resampling::nearest: return "near";
    case Resampling::bilinear: return "bilinear";
    case Resampling::cubic: return "cubic";
    case Resampling::average: return "average";
  }
  return "bilinear";
}

struct ProgressBridge {
  const ProgressFn* fn = nullptr;
  std::exception_ptr error;
};

int CPL_STDCALL progress_trampoline(double complete, const char*, void* arg) {
  auto* b = static_cast<ProgressBridge*>(arg);
  try {
    report(*b->fn, complete, "warping");
  } catch (...) {
    b->error = std::current_exception();
    return FALSE;
  }
  return TRUE;
}

bool boxes_intersect(const GeoBox& a, const GeoBox& b) {
  return a.min_lon_deg < b.max_lon_deg && b.min_lon_deg < a.max_lon_deg && a.min_lat_deg < b.max_lat_deg &&
         b.min_lat_deg < a.max_lat_deg;
}

// Reads every band of a dataset into one interleaved Mat in the order given (1-based indices).
cv::Mat read_bands(GDALDatasetH ds, const std::vector<int>& bands, int x0, int y0, int w, int h,
                   const std::string& what) {
  const GDALDataType t = GDALGetRasterDataType(GDALGetRasterBand(ds, bands[0]));
  const bool byte = t == GDT_Byte;
  const int nb = static_cast<int>(bands.size());
  cv::Mat out(h, w, CV_MAKETYPE(byte ? CV_8U : CV_32F, nb));
  const int elem = byte ? 1 : 4;
  std::vector<int> map(bands);
  gdal::ErrorCapture cap;
  const CPLErr err = GDALDatasetRasterIOEx(ds, GF_Read, x0, y0, w, h, out.data, w, h, byte ? GDT_Byte : GDT_Float32,
                                           nb, map.data(), static_cast<GSpacing>(elem) * nb,
                                           static_cast<GSpacing>(out.step[0]), elem, nullptr);
  if (err != CE_None) gdal::fail(Errc::io, what, cap, "reading pixels failed");
  return out;
}

// 255 where any selected band is valid (GDAL's per-band masks; nodata on all bands = invalid).
cv::Mat read_valid(GDALDatasetH ds, const std::vector<int>& bands, int alpha, int x0, int y0, int w, int h,
                   const std::string& what) {
  // GDAL derives each band's mask from an alpha band, a dataset mask or the band's nodata value.
  (void)alpha;
  const std::vector<int>& mask_bands = bands;
  bool all_valid = true;
  for (int b : mask_bands)
    if (!(GDALGetMaskFlags(GDALGetRasterBand(ds, b)) & GMF_ALL_VALID)) all_valid = false;
  if (all_valid) return {};
  cv::Mat valid = cv::Mat::zeros(h, w, CV_8UC1);
  cv::Mat m(h, w, CV_8UC1);
  for (int b : mask_bands) {
    GDALRasterBandH mb = GDALGetMaskBand(GDALGetRasterBand(ds, b));
    gdal::ErrorCapture cap;
    if (GDALRasterIO(mb, GF_Read, x0, y0, w, h, m.data, w, h, GDT_Byte, 0, static_cast<int>(m.step[0])) != CE_None)
      gdal::fail(Errc::io, what, cap, "reading the mask failed");
    cv::bitwise_or(valid, m, valid);
  }
  cv::compare(valid, 0, valid, cv::CMP_GT);
  return valid;
}

}  // namespace

void WindowRequest::validate() const {
  if (bbox.has_value() == center.has_value())
    throw Error{Errc::invalid_argument, "imagery.window: give either a bbox or a centre and radius"};
  if (bbox) bbox->validate();
  if (center) {
    geo::validate(*center, "imagery.window centre");
    if (!(radius_m > 0) || !std::isfinite(radius_m))
      throw Error{Errc::invalid_argument, "imagery.window: radius_m must be > 0 (got " + std::to_string(radius_m) + ")"};
  }
  if (!(gsd_m >= 0) || !std::isfinite(gsd_m))
    throw Error{Errc::invalid_argument, "imagery.window: gsd_m must be > 0 (got " + std::to_string(gsd_m) + ")"};
  if (!crs.empty()) validate_crs(crs);
}

Raster::Raster(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Raster::Raster(Raster&&) noexcept = default;
Raster& Raster::operator=(Raster&&) noexcept = default;
Raster::~Raster() = default;

const RasterInfo& Raster::info() const noexcept { return impl_->info; }

Raster Raster::open(const fs::path& source, const OpenOptions& opts) { return open(source.string(), opts); }

Raster Raster::open(const std::string& source, const OpenOptions& opts) {
  const std::string what = "imagery.open: " + source;
  imagery::ResolvedSource rs = imagery::resolve_source(source, opts, what);
  auto impl = std::make_unique<Impl>();
  impl->ds = gdal::open_raster(rs.gdal_name, what);
  gdal::ErrorCapture open_cap;  // libtiff and driver warnings become diagnostics, not stderr noise
  GDALDatasetH ds = impl->ds.get();
  GeoTransform gt;
  bool has_gt;
  {
    gdal::ErrorCapture cap;
    has_gt = GDALGetGeoTransform(ds, gt.c.data()) == CE_None;
  }
  std::string crs = gdal::dataset_wkt(ds);
  const bool assumed = crs.empty() && !opts.assume_crs.empty() && has_gt;
  if (assumed) crs = crs_to_wkt(opts.assume_crs);
  if (!has_gt && GDALGetGCPCount(ds) > 0)
    throw Error{Errc::no_georeferencing, what + ": no georeferencing (only GCPs; warp it first with gdalwarp)"};
  if (!has_gt) throw Error{Errc::no_georeferencing, what + ": no georeferencing (no geotransform or world file)"};
  if (crs.empty())
    throw Error{Errc::no_georeferencing,
                what + ": no georeferencing (a geotransform or world file but no CRS: give it with --assume-crs, "
                       "e.g. EPSG:4326 for a world file in degrees)"};
  impl->crs = crs;
  impl->alpha_band = find_alpha(ds);
  impl->info = describe(ds, source, crs, gt, opts.hash && rs.hashable);
  if (!rs.note.empty()) impl->open_diagnostics.info("imagery.source", rs.note, source);
  if (assumed)
    impl->open_diagnostics.warn("imagery.crs_assumed",
                                "the imagery states no CRS; its coordinates are read as " + opts.assume_crs + " (as given)",
                                source);
  for (const auto& w : open_cap.warnings()) impl->open_diagnostics.warn("imagery.gdal_warning", w, source);
  impl->info.diagnostics = impl->open_diagnostics;
  return Raster(std::move(impl));
}

Raster Raster::open_mosaic(const std::vector<fs::path>& files, const OpenOptions& opts) {
  if (files.empty()) throw Error{Errc::invalid_argument, "imagery.mosaic: no files given"};
  return open(imagery::mosaic_source_name(files, "imagery.mosaic"), opts);
}

GeoPoint Raster::lat_lon_from_pixel(double col, double row) const {
  return wrapped(lat_lon_from_map(impl_->crs, impl_->info.map_from_pixel.map_from_pixel(col, row)));
}

cv::Point2d Raster::pixel_from_lat_lon(const GeoPoint& p) const {
  const auto& g = impl_->info.map_from_pixel;
  const cv::Point2d m = map_from_lat_lon(impl_->crs, p);
  const cv::Point2d px = g.pixel_from_map(m);
  if (!impl_->info.crosses_antimeridian || (px.x >= 0 && px.x <= impl_->info.width)) return px;
  // Across the antimeridian a geographic raster's own longitudes run past 180 (or below -180).
  for (const double shift_deg : {360.0, -360.0}) {
    const cv::Point2d alt = g.pixel_from_map({m.x + shift_deg, m.y});
    if (alt.x >= 0 && alt.x <= impl_->info.width) return alt;
  }
  return px;
}

GeoImage Raster::read_pixels(int col0, int row0, int cols, int rows, BandSelection bands) const {
  const std::string what = "imagery.read_pixels: " + impl_->info.source;
  if (cols <= 0 || rows <= 0 || col0 < 0 || row0 < 0 || col0 + cols > impl_->info.width ||
      row0 + rows > impl_->info.height)
    throw Error{Errc::invalid_argument, what + ": window " + std::to_string(cols) + "x" + std::to_string(rows) + "+" +
                                            std::to_string(col0) + "+" + std::to_string(row0) +
                                            " is not inside the raster"};
  std::lock_guard lock(impl_->mutex);
  gdal::ErrorCapture quiet;
  GDALDatasetH ds = impl_->ds.get();
  const BandPick pick = pick_bands(ds, bands, what);
  GeoImage out;
  out.image = read_bands(ds, pick.bgr, col0, row0, cols, rows, what);
  out.valid = read_valid(ds, pick.bgr, impl_->alpha_band, col0, row0, cols, rows, what);
  const auto& g = impl_->info.map_from_pixel;
  out.map_from_pixel = g;
  const cv::Point2d o = g.map_from_pixel(col0, row0);
  out.map_from_pixel.c[0] = o.x;
  out.map_from_pixel.c[3] = o.y;
  out.crs = impl_->crs;
  out.gsd_m = impl_->info.gsd_m;
  out.source = impl_->info.source;
  out.acquired = impl_->info.acquired;
  if (pick.assumed)
    out.diagnostics.info("imagery.bands_assumed_rgb", "no red/green/blue colour interpretation: bands 1,2,3 read as R,G,B",
                         impl_->info.source);
  return out;
}

GeoImage Raster::read_window(const WindowRequest& req, const ProgressFn& progress) const {
  const std::string what = "imagery.read_window: " + impl_->info.source;
  req.validate();
  const GeoPoint centre = req.bbox ? req.bbox->center() : *req.center;
  const std::string out_crs = req.crs.empty() ? utm_crs_for(centre) : req.crs;
  const bool geographic = crs_is_geographic(out_crs);
  const double gsd_m = req.gsd_m > 0 ? req.gsd_m : impl_->info.gsd_m;

  // Pixel size in output CRS units (degrees for a geographic CRS: metres converted at the centre).
  double px_x = gsd_m, px_y = gsd_m;
  if (geographic) {
    const GeoPoint e = geodesic_direct(centre, 90.0, gsd_m), n = geodesic_direct(centre, 0.0, gsd_m);
    px_x = std::abs(e.lon_deg - centre.lon_deg);
    px_y = std::abs(n.lat_deg - centre.lat_deg);
  }
  // Output extent in the output CRS.
  double minx, miny, maxx, maxy;
  GeoBox req_box;
  if (req.bbox) {
    req_box = *req.bbox;
    const auto& b = *req.bbox;
    minx = miny = HUGE_VAL;
    maxx = maxy = -HUGE_VAL;
    for (int i = 0; i <= 20; ++i) {
      const double f = i / 20.0;
      for (const GeoPoint& p : {GeoPoint{b.min_lat_deg, b.min_lon_deg + f * (b.max_lon_deg - b.min_lon_deg)},
                                GeoPoint{b.max_lat_deg, b.min_lon_deg + f * (b.max_lon_deg - b.min_lon_deg)},
                                GeoPoint{b.min_lat_deg + f * (b.max_lat_deg - b.min_lat_deg), b.min_lon_deg},
                                GeoPoint{b.min_lat_deg + f * (b.max_lat_deg - b.min_lat_deg), b.max_lon_deg}}) {
        const cv::Point2d m = map_from_lat_lon(out_crs, p);
        minx = std::min(minx, m.x), maxx = std::max(maxx, m.x);
        miny = std::min(miny, m.y), maxy = std::max(maxy, m.y);
      }
    }
  } else {
    const cv::Point2d c = map_from_lat_lon(out_crs, centre);
    const double rx = geographic ? req.radius_m / gsd_m * px_x : req.radius_m;
    const double ry = geographic ? req.radius_m / gsd_m * px_y : req.radius_m;
    minx = c.x - rx, maxx = c.x + rx, miny = c.y - ry, maxy = c.y + ry;
    const GeoPoint s = geodesic_direct(centre, 180.0, req.radius_m * 1.5);
    const GeoPoint n = geodesic_direct(centre, 0.0, req.radius_m * 1.5);
    const GeoPoint w = geodesic_direct(centre, -90.0, req.radius_m * 1.5);
    const GeoPoint e = geodesic_direct(centre, 90.0, req.radius_m * 1.5);
    req_box = {w.lon_deg, s.lat_deg, e.lon_deg, n.lat_deg};
  }
  if (!boxes_intersect(req_box, impl_->info.bbox_wgs84))
    throw Error{Errc::not_found, what + ": window is outside the raster (raster bbox " +
                                     geo::dump_json(to_json(impl_->info.bbox_wgs84)) + ")"};
  const int cols = std::max(1, static_cast<int>(std::lround((maxx - minx) / px_x)));
  const int rows = std::max(1, static_cast<int>(std::lround((maxy - miny) / px_y)));
  if (static_cast<double>(cols) * rows > req.max_pixels)
    throw Error{Errc::invalid_argument, what + ": output of " + std::to_string(cols) + "x" + std::to_string(rows) +
                                            " pixels exceeds max_pixels (raise gsd_m)"};
  maxx = minx + cols * px_x;
  miny = maxy - rows * px_y;

  std::lock_guard lock(impl_->mutex);
  gdal::ErrorCapture quiet;
  GDALDatasetH src = impl_->ds.get();
  const BandPick pick = pick_bands(src, req.bands, what);
  // Source bands in R,G,B (or gray) order, plus alpha when the source has one.
  std::vector<std::string> argv;
  for (auto it = pick.bgr.rbegin(); it != pick.bgr.rend(); ++it) argv.insert(argv.end(), {"-b", std::to_string(*it)});
  if (impl_->alpha_band) argv.insert(argv.end(), {"-b", std::to_string(impl_->alpha_band)});
  argv.insert(argv.end(), {"-of", "VRT"});
  gdal::StringList targs(argv);
  gdal::DatasetPtr subset;
  {
    gdal::ErrorCapture cap;
    GDALTranslateOptions* o = GDALTranslateOptionsNew(targs.get(), nullptr);
    if (!o) gdal::fail(Errc::external, what, cap, "bad band selection");
    int usage = 0;
    subset.reset(GDALTranslate("", src, o, &usage));
    GDALTranslateOptionsFree(o);
    if (!subset) gdal::fail(Errc::external, what, cap, "band selection failed");
  }
  auto num = [](double v) {
    std::ostringstream s;
    s.precision(17);
    s << v;
    return s.str();
  };
  const std::string dst_wkt = crs_to_wkt(out_crs);
  std::vector<std::string> wargs = {"-of", "MEM", "-t_srs", dst_wkt, "-te", num(minx), num(miny), num(maxx), num(maxy),
                                    "-ts", std::to_string(cols), std::to_string(rows), "-r",
                                    resampling_name(req.resampling), "-dstalpha", "-wo", "SAMPLE_GRID=YES"};
  gdal::StringList wl(wargs);
  gdal::DatasetPtr warped;
  ProgressBridge bridge{&progress, nullptr};
  {
    gdal::ErrorCapture cap;
    GDALWarpAppOptions* o = GDALWarpAppOptionsNew(wl.get(), nullptr);
    if (!o) gdal::fail(Errc::external, what, cap, "bad warp options");
    if (progress) GDALWarpAppOptionsSetProgress(o, &progress_trampoline, &bridge);
    GDALDatasetH in = subset.get();
    int usage = 0;
    warped.reset(GDALWarp("", nullptr, 1, &in, o, &usage));
    GDALWarpAppOptionsFree(o);
    if (bridge.error) std::rethrow_exception(bridge.error);
    if (!warped) gdal::fail(Errc::external, what, cap, "warp failed");
  }
  GDALDatasetH w = warped.get();
  const int nb = static_cast<int>(pick.bgr.size());
  std::vector<int> order;
  for (int i = nb; i >= 1; --i) order.push_back(i);  // warped bands are R,G,B: read back as B,G,R
  GeoImage out;
  out.image = read_bands(w, order, 0, 0, cols, rows, what);
  cv::Mat alpha = read_bands(w, {GDALGetRasterCount(w)}, 0, 0, cols, rows, what);
  if (alpha.type() != CV_8UC1) alpha.convertTo(alpha, CV_8U);
  cv::compare(alpha, 0, out.valid, cv::CMP_GT);
  if (cv::countNonZero(out.valid) == static_cast<int>(out.valid.total())) out.valid.release();
  gdal::ErrorCapture cap;
  GDALGetGeoTransform(w, out.map_from_pixel.c.data());
  out.crs = out_crs;
  out.gsd_m = gsd_m;
  out.source = impl_->info.source;
  out.acquired = impl_->info.acquired;
  out.diagnostics.append(impl_->open_diagnostics);
  if (pick.assumed)
    out.diagnostics.info("imagery.bands_assumed_rgb",
                         "no red/green/blue colour interpretation: bands 1,2,3 read as R,G,B", impl_->info.source);
  const double vf = out.valid_fraction();
  if (vf == 0.0)
    out.diagnostics.warn("imagery.no_data", "the window overlaps the raster's box but holds no valid pixels",
                         impl_->info.source);
  else if (vf < 1.0)
    out.diagnostics.info("imagery.partial_coverage",
                         "only " + std::to_string(static_cast<int>(vf * 100)) + "% of the window has data",
                         impl_->info.source);
  report(progress, 1.0, "warping");
  return out;
}

Json to_json(const RasterInfo& info) {
  Json j;
  j["source"] = info.source;
  j["driver"] = info.driver;
  j["width"] = info.width;
  j["height"] = info.height;
  Json bands = Json::array();
  for (const auto& b : info.bands) {
    Json jb{{"color", b.color}, {"data_type", b.data_type}};
    jb["nodata"] = b.nodata ? Json(*b.nodata) : Json(nullptr);
    if (!b.description.empty()) jb["description"] = b.description;
    bands.push_back(jb);
  }
  j["bands"] = bands;
  j["band_count"] = info.bands.size();
  j["crs_wkt"] = info.crs_wkt;
  j["epsg"] = info.epsg ? Json(info.epsg) : Json(nullptr);
  j["geotransform"] = info.map_from_pixel.c;
  j["gsd_m"] = round_to(info.gsd_m, 6);
  j["bbox_wgs84"] = to_json(info.bbox_wgs84);
  if (info.crosses_antimeridian) j["crosses_antimeridian"] = true;
  Json ovs = Json::array();
  for (const auto& o : info.overviews) ovs.push_back(Json::array({o.width, o.height}));
  j["overviews"] = ovs;
  j["nodata"] = info.nodata ? Json(*info.nodata) : Json(nullptr);
  if (info.acquired) j["acquired"] = {{"value", *info.acquired}, {"source", info.acquired_key}};
  else j["acquired"] = nullptr;
  j["sha256"] = info.sha256.empty() ? Json(nullptr) : Json(info.sha256);
  j["diagnostics"] = to_json(info.diagnostics);
  return j;
}

}  // namespace geo
