// SPDX-License-Identifier: Apache-2.0
// Writing GeoImages as GeoTIFFs (atomic, with provenance) and the crop operation.
#include <cmath>
#include <system_error>

#include <opencv2/core.hpp>

#include "adapters/gdal.hpp"
#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/provenance.hpp"
#include "geo/imagery/crs.hpp"
#include "geo/imagery/raster.hpp"

namespace geo {

namespace fs = std::filesystem;

void write_geotiff(const GeoImage& img, const fs::path& out, const Json& provenance) {
  const std::string what = "imagery.write: " + out.string();
  if (img.image.empty()) throw Error{Errc::invalid_argument, what + ": empty image"};
  const int depth = img.image.depth();
  if (depth != CV_8U && depth != CV_32F)
    throw Error{Errc::invalid_argument, what + ": only 8-bit or 32-bit float images can be written"};
  const int nc = img.image.channels();
  const bool with_alpha = !img.valid.empty();
  const int nbands = nc + (with_alpha ? 1 : 0);
  const GDALDataType type = depth == CV_8U ? GDT_Byte : GDT_Float32;
  gdal::ensure_registered();
  GDALDriverH drv = GDALGetDriverByName("GTiff");
  if (!drv) throw Error{Errc::external, what + ": GDAL has no GTiff driver", "GDAL"};

  AtomicFile file(out);
  gdal::StringList co({"TILED=YES", "COMPRESS=DEFLATE", "BIGTIFF=IF_SAFER"});
  if (nc == 3 && depth == CV_8U) co.add("PHOTOMETRIC=RGB");
  if (with_alpha) co.add("ALPHA=UNASSOCIATED");
  gdal::DatasetPtr ds;
  {
    gdal::ErrorCapture cap;
    ds.reset(GDALCreate(drv, file.temp_path().c_str(), img.cols(), img.rows(), nbands, type, co.get()));
    if (!ds) gdal::fail(Errc::io, what, cap, "cannot create the GeoTIFF");
    std::array<double, 6> gt = img.map_from_pixel.c;
    if (GDALSetGeoTransform(ds.get(), gt.data()) != CE_None) gdal::fail(Errc::external, what, cap, "geotransform");
    const std::string wkt = crs_to_wkt(img.crs);
    if (GDALSetProjection(ds.get(), wkt.c_str()) != CE_None) gdal::fail(Errc::external, what, cap, "CRS");
    // BGR in memory -> bands R, G, B in the file.
    std::vector<cv::Mat> planes;
    cv::split(img.image, planes);
    static const GDALColorInterp rgb[] = {GCI_RedBand, GCI_GreenBand, GCI_BlueBand};
    for (int b = 0; b < nc; ++b) {
      const cv::Mat& p = planes[nc == 3 ? 2 - b : b];
      GDALRasterBandH band = GDALGetRasterBand(ds.get(), b + 1);
      GDALSetRasterColorInterpretation(band, nc == 3 ? rgb[b] : GCI_GrayIndex);
      cv::Mat cont = p.isContinuous() ? p : p.clone();
      if (GDALRasterIO(band, GF_Write, 0, 0, img.cols(), img.rows(), cont.data, img.cols(), img.rows(), type, 0, 0) !=
          CE_None)
        gdal::fail(Errc::io, what, cap, "writing pixels failed");
    }
    if (with_alpha) {
      GDALRasterBandH band = GDALGetRasterBand(ds.get(), nbands);
      GDALSetRasterColorInterpretation(band, GCI_AlphaBand);
      cv::Mat a;
      img.valid.convertTo(a, depth == CV_8U ? CV_8U : CV_32F);
      if (GDALRasterIO(band, GF_Write, 0, 0, img.cols(), img.rows(), a.data, img.cols(), img.rows(), type, 0, 0) != CE_None)
        gdal::fail(Errc::io, what, cap, "writing the alpha band failed");
    }
    // Stored in the TIFF's GDAL_METADATA tag (default domain), so it travels with the file.
    const std::string prov = geo::dump_json(provenance);
    GDALSetMetadataItem(ds.get(), "GEOEV_PROVENANCE", prov.c_str(), nullptr);
    GDALSetMetadataItem(ds.get(), "TIFFTAG_SOFTWARE", (std::string("geoev ") + version()).c_str(), nullptr);
    if (img.acquired) GDALSetMetadataItem(ds.get(), "ACQUISITION_DATE", img.acquired->c_str(), nullptr);
    if (cap.failed()) gdal::fail(Errc::io, what, cap);
  }
  gdal::close(ds, what);
  // Sidecar first; if the image cannot be committed the sidecar is removed again.
  const fs::path sidecar = out.string() + ".provenance.json";
  write_file_atomic(sidecar, geo::dump_json(provenance, 2) + "\n");
  try {
    file.commit();
  } catch (...) {
    std::error_code ec;
    fs::remove(sidecar, ec);
    throw;
  }
}

GeoImage read_geotiff(const fs::path& path, BandSelection bands) {
  OpenOptions o;
  o.hash = false;
  Raster r = Raster::open(path, o);
  return r.read_pixels(0, 0, r.info().width, r.info().height, bands);
}

Json to_json(const CropResult& r) {
  Json j;
  j["output"] = r.output.string();
  j["cols"] = r.cols;
  j["rows"] = r.rows;
  j["crs"] = r.crs;
  j["gsd_m"] = r.gsd_m;
  j["geotransform"] = r.map_from_pixel.c;
  j["valid_fraction"] = round_to(r.valid_fraction, 6);
  j["diagnostics"] = to_json(r.diagnostics);
  j["provenance"] = r.provenance;
  return j;
}

CropResult crop_to_geotiff(const std::string& source, const WindowRequest& req, const fs::path& out,
                           const ProgressFn& progress, const OpenOptions& open) {
  req.validate();
  std::error_code ec;
  if (fs::exists(out, ec) && fs::exists(source, ec) && fs::equivalent(out, source, ec))
    throw Error{Errc::invalid_argument, "imagery.crop: " + out.string() + ": refusing to overwrite the input"};
  if (out.empty()) throw Error{Errc::invalid_argument, "imagery.crop: no output path"};
  Raster raster = Raster::open(source, open);
  GeoImage img = raster.read_window(req, progress);
  Json params;
  if (!open.assume_crs.empty()) params["assume_crs"] = open.assume_crs;
  if (req.bbox) params["bbox"] = to_json(*req.bbox);
  if (req.center) {
    params["center"] = to_json(*req.center);
    params["radius_m"] = req.radius_m;
  }
  params["gsd_m"] = img.gsd_m;
  params["crs"] = img.crs;
  std::vector<InputRef> inputs;
  if (!raster.info().sha256.empty()) {
    InputRef ref;
    ref.path = source;
    ref.sha256 = raster.info().sha256;
    ref.size_bytes = fs::file_size(source, ec);
    inputs.push_back(ref);
  }
  CropResult r;
  r.provenance = to_json(make_provenance("imagery.crop", params, inputs));
  write_geotiff(img, out, r.provenance);
  r.output = out;
  r.cols = img.cols();
  r.rows = img.rows();
  r.crs = img.crs;
  r.gsd_m = img.gsd_m;
  r.map_from_pixel = img.map_from_pixel;
  r.valid_fraction = img.valid_fraction();
  r.diagnostics = img.diagnostics;
  return r;
}

}  // namespace geo
