// SPDX-License-Identifier: Apache-2.0
#include "geo/imagery/tile_index.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/provenance.hpp"
#include "geo/imagery/crs.hpp"

namespace geo {

namespace fs = std::filesystem;

namespace {
constexpr const char* kFormat = "geoev.tile_index/1";

Json params_json(const TileIndexOptions& o, const std::string& crs) {
  Json p;
  p["gsd_m"] = o.gsd_m;
  p["tile_px"] = o.tile_px;
  p["overlap_px"] = o.overlap_px;
  p["crs"] = crs;
  p["bbox"] = o.bbox ? to_json(*o.bbox) : Json(nullptr);
  p["min_valid_fraction"] = o.min_valid_fraction;
  return p;
}

GeoBox box_from_json(const Json& j) {
  return GeoBox{j.at(0).get<double>(), j.at(1).get<double>(), j.at(2).get<double>(), j.at(3).get<double>()};
}

bool contains(const GeoBox& b, const GeoPoint& p) {
  return p.lon_deg >= b.min_lon_deg && p.lon_deg <= b.max_lon_deg && p.lat_deg >= b.min_lat_deg &&
         p.lat_deg <= b.max_lat_deg;
}
}  // namespace

void TileIndexOptions::validate() const {
  if (!(gsd_m > 0) || !std::isfinite(gsd_m))
    throw Error{Errc::invalid_argument, "imagery.tiles: gsd_m must be > 0 (got " + std::to_string(gsd_m) + ")"};
  if (tile_px < 64 || tile_px > 8192)
    throw Error{Errc::invalid_argument, "imagery.tiles: tile_px must be in [64, 8192]"};
  if (overlap_px < 0 || overlap_px * 2 >= tile_px)
    throw Error{Errc::invalid_argument, "imagery.tiles: overlap_px must be in [0, tile_px/2)"};
  if (!crs.empty()) validate_crs(crs);
  if (bbox) bbox->validate();
}

std::vector<const TileEntry*> TileIndex::tiles_intersecting(const GeoBox& b) const {
  std::vector<const TileEntry*> out;
  for (const auto& t : tiles)
    if (t.bbox_wgs84.min_lon_deg < b.max_lon_deg && b.min_lon_deg < t.bbox_wgs84.max_lon_deg &&
        t.bbox_wgs84.min_lat_deg < b.max_lat_deg && b.min_lat_deg < t.bbox_wgs84.max_lat_deg)
      out.push_back(&t);
  return out;
}

const TileEntry* TileIndex::best_tile_for(const GeoPoint& p) const {
  const TileEntry* best = nullptr;
  double best_margin = -1;
  const cv::Point2d m = map_from_lat_lon(crs, p);
  for (const auto& t : tiles) {
    if (!contains(t.bbox_wgs84, p)) continue;
    const cv::Point2d px = t.map_from_pixel.pixel_from_map(m);
    const double margin = std::min({px.x, px.y, t.cols - px.x, t.rows - px.y});
    if (margin > best_margin) best_margin = margin, best = &t;
  }
  return best_margin >= 0 ? best : nullptr;
}

GeoImage TileIndex::load(const TileEntry& t) const {
  GeoImage img = read_geotiff(dir / t.file);
  img.gsd_m = gsd_m;
  img.crs = crs;
  return img;
}

Json to_json(const TileIndex& idx) {
  Json j;
  j["format"] = kFormat;
  j["source"] = idx.source;
  j["source_sha256"] = idx.source_sha256;
  j["crs"] = idx.crs;
  j["gsd_m"] = idx.gsd_m;
  j["tile_px"] = idx.tile_px;
  j["overlap_px"] = idx.overlap_px;
  Json tiles = Json::array();
  for (const auto& t : idx.tiles)
    tiles.push_back({{"file", t.file}, {"row", t.row}, {"col", t.col}, {"cols", t.cols}, {"rows", t.rows},
                     {"geotransform", t.map_from_pixel.c}, {"bbox_wgs84", to_json(t.bbox_wgs84)},
                     {"valid_fraction", round_to(t.valid_fraction, 6)}});
  j["tile_count"] = idx.tiles.size();
  j["tiles"] = tiles;
  j["diagnostics"] = to_json(idx.diagnostics);
  return j;
}

TileIndex TileIndex::load_dir(const fs::path& dir) {
  const Json j = read_json_file(dir / "index.json");
  try {
    if (j.at("format").get<std::string>() != kFormat)
      throw Error{Errc::corrupt_data, "imagery.tiles: " + dir.string() + ": not a geoev tile index"};
    TileIndex idx;
    idx.dir = dir;
    idx.source = j.at("source").get<std::string>();
    idx.source_sha256 = j.at("source_sha256").get<std::string>();
    idx.crs = j.at("crs").get<std::string>();
    idx.gsd_m = j.at("gsd_m").get<double>();
    idx.tile_px = j.at("tile_px").get<int>();
    idx.overlap_px = j.at("overlap_px").get<int>();
    for (const auto& t : j.at("tiles")) {
      TileEntry e;
      e.file = t.at("file").get<std::string>();
      e.row = t.at("row").get<int>();
      e.col = t.at("col").get<int>();
      e.cols = t.at("cols").get<int>();
      e.rows = t.at("rows").get<int>();
      for (int i = 0; i < 6; ++i) e.map_from_pixel.c[static_cast<std::size_t>(i)] = t.at("geotransform").at(i).get<double>();
      e.bbox_wgs84 = box_from_json(t.at("bbox_wgs84"));
      e.valid_fraction = t.at("valid_fraction").get<double>();
      idx.tiles.push_back(e);
    }
    return idx;
  } catch (const Json::exception& e) {
    throw Error{Errc::corrupt_data, "imagery.tiles: " + (dir / "index.json").string() + ": " + e.what()};
  }
}

TileIndex build_tile_index(const std::string& source, const fs::path& out_dir, const TileIndexOptions& opts_in,
                           const ProgressFn& progress) {
  opts_in.validate();
  TileIndexOptions opts = opts_in;
  Raster raster = Raster::open(source);
  const RasterInfo& info = raster.info();
  GeoBox area = info.bbox_wgs84;
  if (opts.bbox) {
    area.min_lon_deg = std::max(area.min_lon_deg, opts.bbox->min_lon_deg);
    area.min_lat_deg = std::max(area.min_lat_deg, opts.bbox->min_lat_deg);
    area.max_lon_deg = std::min(area.max_lon_deg, opts.bbox->max_lon_deg);
    area.max_lat_deg = std::min(area.max_lat_deg, opts.bbox->max_lat_deg);
    if (!(area.min_lon_deg < area.max_lon_deg && area.min_lat_deg < area.max_lat_deg))
      throw Error{Errc::not_found, "imagery.tiles: " + source + ": bbox is outside the raster"};
  }
  const std::string crs = opts.crs.empty() ? utm_crs_for(area.center()) : opts.crs;
  const Json params = params_json(opts, crs);

  // Cache hit: same source content and parameters.
  std::error_code ec;
  if (fs::exists(out_dir / "index.json", ec)) {
    const Json old = read_json_file(out_dir / "index.json");
    if (old.value("source_sha256", "") == info.sha256 && !info.sha256.empty() && old.value("parameters", Json()) == params) {
      TileIndex idx = TileIndex::load_dir(out_dir);
      idx.diagnostics.info("tiles.cache_hit", "tile index already built for this source and parameters", out_dir.string());
      return idx;
    }
    throw Error{Errc::invalid_argument, "imagery.tiles: " + out_dir.string() +
                                            ": holds a tile index for another source or other parameters"};
  }
  if (crs_is_geographic(crs))
    throw Error{Errc::invalid_argument, "imagery.tiles: the tile CRS must be projected (metres)"};

  // Extent in the tile CRS from the densified WGS 84 box of the area.
  double minx = HUGE_VAL, miny = HUGE_VAL, maxx = -HUGE_VAL, maxy = -HUGE_VAL;
  for (int i = 0; i <= 20; ++i) {
    const double f = i / 20.0;
    const double lon = area.min_lon_deg + f * (area.max_lon_deg - area.min_lon_deg);
    const double lat = area.min_lat_deg + f * (area.max_lat_deg - area.min_lat_deg);
    for (const GeoPoint& p : {GeoPoint{area.min_lat_deg, lon}, GeoPoint{area.max_lat_deg, lon},
                              GeoPoint{lat, area.min_lon_deg}, GeoPoint{lat, area.max_lon_deg}}) {
      const cv::Point2d m = map_from_lat_lon(crs, p);
      minx = std::min(minx, m.x), maxx = std::max(maxx, m.x), miny = std::min(miny, m.y), maxy = std::max(maxy, m.y);
    }
  }
  const double side = opts.tile_px * opts.gsd_m;
  const double step = (opts.tile_px - opts.overlap_px) * opts.gsd_m;
  const int ncols = std::max(1, static_cast<int>(std::ceil((maxx - minx - opts.overlap_px * opts.gsd_m) / step)));
  const int nrows = std::max(1, static_cast<int>(std::ceil((maxy - miny - opts.overlap_px * opts.gsd_m) / step)));
  if (static_cast<long>(ncols) * nrows > 100000)
    throw Error{Errc::invalid_argument, "imagery.tiles: more than 100000 tiles: raise gsd_m or tile_px"};

  AtomicDir dir(out_dir);
  fs::create_directories(dir.temp_dir() / "tiles");
  TileIndex idx;
  idx.dir = out_dir;
  idx.crs = crs;
  idx.gsd_m = opts.gsd_m;
  idx.tile_px = opts.tile_px;
  idx.overlap_px = opts.overlap_px;
  idx.source = source;
  idx.source_sha256 = info.sha256;
  std::vector<InputRef> inputs;
  if (!info.sha256.empty()) inputs.push_back(InputRef{source, info.sha256, std::nullopt});
  const Json prov = to_json(make_provenance("imagery.tiles", params, inputs));
  int skipped = 0;
  for (int r = 0; r < nrows; ++r) {
    for (int c = 0; c < ncols; ++c) {
      report(progress, static_cast<double>(r * ncols + c) / (static_cast<double>(nrows) * ncols), "tiling");
      const cv::Point2d centre{minx + c * step + side / 2, maxy - r * step - side / 2};
      WindowRequest req;
      req.center = lat_lon_from_map(crs, centre);
      req.radius_m = side / 2;
      req.gsd_m = opts.gsd_m;
      req.crs = crs;
      GeoImage img;
      try {
        img = raster.read_window(req);
      } catch (const Error& e) {
        if (e.code() != Errc::not_found) throw;
        ++skipped;
        continue;
      }
      const double vf = img.valid_fraction();
      if (vf == 0.0 || vf < opts.min_valid_fraction) {
        ++skipped;
        continue;
      }
      char name[64];
      std::snprintf(name, sizeof name, "tiles/r%04d_c%04d.tif", r, c);
      Json tprov = prov;
      tprov["parameters"]["tile"] = {{"row", r}, {"col", c}};
      write_geotiff(img, dir.temp_dir() / name, tprov);
      fs::remove(dir.temp_dir() / (std::string(name) + ".provenance.json"));  // the index carries it
      TileEntry e;
      e.file = name;
      e.row = r;
      e.col = c;
      e.cols = img.cols();
      e.rows = img.rows();
      e.map_from_pixel = img.map_from_pixel;
      e.valid_fraction = vf;
      bool first = true;
      for (const auto& [px, py] : {std::pair{0.0, 0.0}, {1.0 * e.cols, 0.0}, {0.0, 1.0 * e.rows}, {1.0 * e.cols, 1.0 * e.rows}}) {
        const GeoPoint p = img.lat_lon_from_pixel(px, py);
        if (first) e.bbox_wgs84 = {p.lon_deg, p.lat_deg, p.lon_deg, p.lat_deg}, first = false;
        e.bbox_wgs84.min_lon_deg = std::min(e.bbox_wgs84.min_lon_deg, p.lon_deg);
        e.bbox_wgs84.max_lon_deg = std::max(e.bbox_wgs84.max_lon_deg, p.lon_deg);
        e.bbox_wgs84.min_lat_deg = std::min(e.bbox_wgs84.min_lat_deg, p.lat_deg);
        e.bbox_wgs84.max_lat_deg = std::max(e.bbox_wgs84.max_lat_deg, p.lat_deg);
      }
      idx.tiles.push_back(e);
    }
  }
  if (skipped)
    idx.diagnostics.info("tiles.skipped_empty", std::to_string(skipped) + " tile(s) without data were not written", source);
  if (idx.tiles.empty()) throw Error{Errc::not_found, "imagery.tiles: " + source + ": no tile holds any data"};
  Json j = to_json(idx);
  j["parameters"] = params;
  j["provenance"] = prov;
  write_file_atomic(dir.temp_dir() / "index.json", geo::dump_json(j, 2) + "\n");
  dir.commit();
  report(progress, 1.0, "tiling");
  return idx;
}

}  // namespace geo
