// SPDX-License-Identifier: Apache-2.0
// Georeferenced imagery from any raster GDAL can read, resampled on request into a local metric CRS.
//
// Pixel convention (everywhere in this module): (col, row) = (0, 0) is the top-left CORNER of the
// top-left pixel; the centre of pixel (i, j) is (i + 0.5, j + 0.5). This is GDAL's geotransform
// convention. Map coordinates are cv::Point2d{x = easting/longitude, y = northing/latitude} (see crs.hpp).
// No GDAL or PROJ type appears in this header.
#pragma once
#include <array>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>
#include <opencv2/core/types.hpp>

#include "geo/core/diagnostics.hpp"
#include "geo/core/geopoint.hpp"
#include "geo/core/json.hpp"
#include "geo/core/progress.hpp"

namespace geo {

// Pixel <-> map affine transform with GDAL geotransform semantics:
//   map_x = c[0] + col * c[1] + row * c[2]
//   map_y = c[3] + col * c[4] + row * c[5]
// where (col, row) = (0, 0) is the top-left corner of the top-left pixel. For a north-up image c[2] =
// c[4] = 0 and c[5] < 0. Units of map_x/map_y are those of the CRS it goes with.
struct GeoTransform {
  std::array<double, 6> c{0.0, 1.0, 0.0, 0.0, 0.0, 1.0};

  cv::Point2d map_from_pixel(double col, double row) const noexcept;
  cv::Point2d map_from_pixel(const cv::Point2d& px) const noexcept { return map_from_pixel(px.x, px.y); }
  // Throws Error{invalid_argument} when the transform is singular.
  cv::Point2d pixel_from_map(double x, double y) const;
  cv::Point2d pixel_from_map(const cv::Point2d& xy) const { return pixel_from_map(xy.x, xy.y); }
  // The transform mapping map -> pixel, in the same 6-coefficient form. Throws when singular.
  GeoTransform inverse() const;
  // Size of one pixel along columns and rows, in map units (always positive).
  double pixel_width() const noexcept;
  double pixel_height() const noexcept;
};

// A WGS 84 box in degrees. Longitudes must satisfy min_lon_deg < max_lon_deg (no antimeridian wrap).
struct GeoBox {
  double min_lon_deg = 0.0;
  double min_lat_deg = 0.0;
  double max_lon_deg = 0.0;
  double max_lat_deg = 0.0;
  GeoPoint center() const noexcept;
  // Throws Error{invalid_argument} for latitudes outside [-90, 90], longitudes outside [-180, 180],
  // or an empty / inverted box.
  void validate(const std::string& what = "bbox") const;
};
// Parses "MINLON,MINLAT,MAXLON,MAXLAT" (decimal degrees); throws Error{invalid_argument}.
GeoBox parse_geo_box(const std::string& text);
Json to_json(const GeoBox& b);  // [min_lon, min_lat, max_lon, max_lat], 9 decimals

// A window read from imagery, resampled into a metric (or requested) CRS. Owns its pixels.
struct GeoImage {
  cv::Mat image;                 // CV_8UC3 BGR, CV_8UC1, or (DEM / non-byte data) CV_32FC1; rows x cols
  cv::Mat valid;                 // CV_8UC1, 255 where the pixel has data (nodata/alpha/outside -> 0);
                                 // may be empty, meaning every pixel is valid
  GeoTransform map_from_pixel;   // pixel (corner convention) -> map coordinates of `crs`
  std::string crs;               // "EPSG:32647" or WKT
  double gsd_m = 0.0;            // ground sample distance, metres per pixel
  std::string source;            // what it was read from (path / description), for provenance
  std::optional<std::string> acquired;  // the source's acquisition date, when it states one; a written
                                        // GeoTIFF carries it (ACQUISITION_DATE), so crops keep it
  Diagnostics diagnostics;       // e.g. "imagery.partial_coverage"

  int cols() const noexcept { return image.cols; }
  int rows() const noexcept { return image.rows; }
  // Pixel (corner convention, fractional) <-> WGS 84. Throw Error{external} when PROJ fails.
  GeoPoint lat_lon_from_pixel(double col, double row) const;
  cv::Point2d pixel_from_lat_lon(const GeoPoint& p) const;
  cv::Point2d map_from_lat_lon(const GeoPoint& p) const;
  GeoPoint lat_lon_from_map(const cv::Point2d& xy) const;
  // Fraction of pixels that are valid, in [0, 1].
  double valid_fraction() const;
};

struct OverviewInfo {
  int width = 0;
  int height = 0;
};

struct BandInfo {
  std::string color;        // GDAL colour interpretation: "Red", "Green", "Blue", "Alpha", "Gray", "Undefined"...
  std::string data_type;    // "Byte", "UInt16", "Float32"...
  std::optional<double> nodata;
  std::string description;
};

struct RasterInfo {
  std::string source;                 // path or source string as given
  std::string driver;                 // GDAL short name: "GTiff", "VRT", "PNG", "MBTiles", "WMS"...
  int width = 0;
  int height = 0;
  std::vector<BandInfo> bands;
  std::string crs_wkt;                // WKT2 of the raster's CRS
  int epsg = 0;                       // 0 when not identified
  GeoTransform map_from_pixel;
  double gsd_m = 0.0;                 // native pixel size in metres (at the centre for a geographic CRS)
  GeoBox bbox_wgs84;                  // extent of the four corners and edges, transformed to WGS 84
  // The raster spans longitude +-180: bbox_wgs84 then runs continuously eastward from its western edge
  // (in [-180, 180)) and its max_lon_deg is above 180 (180.5 is -179.5).
  bool crosses_antimeridian = false;
  std::vector<OverviewInfo> overviews;
  std::optional<double> nodata;       // of band 1
  std::optional<std::string> acquired;  // acquisition date/time from metadata when present (as written)
  std::string acquired_key;           // the metadata key it came from
  std::string sha256;                 // of the file (empty for a directory, mosaic list or URL)
  Diagnostics diagnostics;            // GDAL warnings while opening, how the source was interpreted
};
Json to_json(const RasterInfo& info);

enum class BandSelection {
  automatic,  // RGB by colour interpretation when present (else bands 1-3 of a >=3 band raster), else gray
  rgb,        // red/green/blue by colour interpretation; throws Error{not_found} when absent
  gray,       // a single band (the first, or Gray by interpretation)
};

enum class Resampling { nearest, bilinear, cubic, average };

// What to read. Exactly one of `bbox` or (`center` + `radius_m`) must be given.
struct WindowRequest {
  std::optional<GeoBox> bbox;
  std::optional<GeoPoint> center;
  double radius_m = 0.0;               // half side of the square window around `center`, metres
  double gsd_m = 0.0;                  // output pixel size in metres; 0 = the raster's native GSD
  std::string crs;                     // output CRS ("EPSG:n" or WKT); empty = UTM zone of the centre
  BandSelection bands = BandSelection::automatic;
  Resampling resampling = Resampling::bilinear;
  int max_pixels = 100'000'000;        // refuse larger outputs (Error{invalid_argument})
  // Throws Error{invalid_argument}: neither/both of bbox and centre, latitude 95, radius <= 0,
  // gsd_m < 0 (or NaN), unknown CRS.
  void validate() const;
};

struct OpenOptions {
  // For online tile templates (https://.../{z}/{x}/{y}): GDAL's disk cache folder. Empty = the
  // GDAL default (~/.cache or $GDAL_DEFAULT_WMS_CACHE_PATH).
  std::filesystem::path tile_cache_dir;
  int tile_max_zoom = 19;  // highest zoom of an XYZ source (directory: detected from the folders)
  bool hash = true;        // compute sha256 of a file source (info().sha256)
  // CRS to use when the source has a geotransform but no CRS (a JPEG/PNG with only a world file).
  // Empty = such a source is refused with Error{no_georeferencing}.
  std::string assume_crs;
};

// An open raster, kept open: repeated reads reuse GDAL's block cache and overviews.
//
// Sources accepted by open(): any file GDAL reads (GeoTIFF/COG, VRT, JPEG/PNG + world file, MBTiles,
// GeoPackage, SRTM .hgt, DTED), a directory of XYZ tiles laid out {z}/{x}/{y}.png|jpg, and a tile URL
// template "https://host/{z}/{x}/{y}.png" (read through GDAL's WMS/TMS driver with a disk cache).
// open_mosaic() treats a list of files as one mosaic (an in-memory VRT).
//
// Thread safety: a Raster may be shared between threads; reads are serialised by an internal mutex
// (GDAL datasets are not thread-safe). For parallel reads, open one Raster per thread.
// Movable, not copyable.
class Raster {
 public:
  // Throws Error{not_found} (missing file), Error{corrupt_data} (GDAL cannot read it),
  // Error{no_georeferencing} ("imagery.open: x.png: no georeferencing (no geotransform or CRS)"),
  // Error{invalid_argument} (a local path that is neither a regular file nor a directory, e.g. a FIFO),
  // Error{unsupported} ("imagery.open: x.vrt: refers to a network source (/vsicurl/http://...); geoev
  // works offline ...") when the raster reads from the network and geo::network_access_allowed forbids
  // it. A source that is itself an http(s) URL is an explicit request: its host is allowed for the
  // process (geo::allow_network_url).
  static Raster open(const std::string& source, const OpenOptions& opts = {});
  static Raster open(const std::filesystem::path& source, const OpenOptions& opts = {});
  static Raster open_mosaic(const std::vector<std::filesystem::path>& files,
                            const OpenOptions& opts = {});

  Raster(Raster&&) noexcept;
  Raster& operator=(Raster&&) noexcept;
  ~Raster();

  const RasterInfo& info() const noexcept;

  // Reads `req` resampled into its CRS at its GSD (GDAL warp into /vsimem/, overviews used when
  // coarser than native). Parts of the window outside the raster are 0 in `image` and 0 in `valid`.
  // Throws Error{invalid_argument} for a bad request, Error{not_found} when the window does not
  // overlap the raster at all ("... window is outside the raster"), Error{external} when GDAL fails.
  GeoImage read_window(const WindowRequest& req, const ProgressFn& progress = {}) const;

  // Native pixels, no resampling: the window [col0, col0+cols) x [row0, row0+rows) of the selected
  // bands, in the raster's own CRS. Throws Error{invalid_argument} when it is not inside the raster.
  GeoImage read_pixels(int col0, int row0, int cols, int rows,
                       BandSelection bands = BandSelection::automatic) const;

  // Pixel (corner convention) <-> WGS 84 for the raster's native grid.
  GeoPoint lat_lon_from_pixel(double col, double row) const;
  cv::Point2d pixel_from_lat_lon(const GeoPoint& p) const;

  struct Impl;

 private:
  explicit Raster(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes a GeoImage as a tiled, deflate-compressed GeoTIFF, atomically (temp + rename). `provenance`
// (JSON) is stored in the TIFF metadata domain "GEOEV" key "provenance", and as a sidecar
// OUT.tif.provenance.json. The valid mask becomes an internal mask band when not all valid.
// Throws Error{io}/Error{external}.
void write_geotiff(const GeoImage& img, const std::filesystem::path& out, const Json& provenance);

// Reads a GeoTIFF written by anything into a GeoImage in its own CRS at native resolution.
GeoImage read_geotiff(const std::filesystem::path& path, BandSelection bands = BandSelection::automatic);

struct CropResult {
  std::filesystem::path output;
  int cols = 0;
  int rows = 0;
  std::string crs;
  double gsd_m = 0.0;
  GeoTransform map_from_pixel;
  double valid_fraction = 0.0;
  Json provenance;
  Diagnostics diagnostics;
};
Json to_json(const CropResult& r);

// The `geoev imagery crop` operation: opens `source`, reads `req`, writes `out` (atomic, with
// provenance). Nothing is written when it throws.
CropResult crop_to_geotiff(const std::string& source, const WindowRequest& req,
                           const std::filesystem::path& out, const ProgressFn& progress = {},
                           const OpenOptions& open = {});

}  // namespace geo
