// SPDX-License-Identifier: Apache-2.0
// geoev imagery info | crop | tiles | bench-read
#include <fstream>
#include <iostream>

#include "common/cli.hpp"
#include "geo/core/error.hpp"
#include "geo/core/geopoint.hpp"
#include "geo/core/text.hpp"
#include "geo/imagery/bench.hpp"
#include "geo/imagery/crs.hpp"
#include "geo/imagery/raster.hpp"
#include "geo/imagery/tile_index.hpp"

namespace {

using namespace geoev;

int run_info(const Args& args) {
  return run_guarded("imagery info", [&] {
    CommonOptions common;
    std::string raster;
    geo::OpenOptions oo;
    po::options_description desc("imagery info options");
    add_common_options(desc, common);
    desc.add_options()("raster", po::value(&raster)->required(), "raster file, XYZ tile folder or tile URL")(
        "assume-crs", po::value(&oo.assume_crs), "CRS of a raster with a world file but no CRS, e.g. EPSG:4326");
    po::positional_options_description pos;
    pos.add("raster", 1);
    po::variables_map vm;
    if (!parse_args(args, "imagery info RASTER [--json]", desc, pos, vm)) return kExitOk;
    const geo::Raster r = geo::Raster::open(raster, oo);
    const geo::Json j = geo::to_json(r.info());
    if (common.json) {
      print_json(j);
      return kExitOk;
    }
    const auto& i = r.info();
    std::cout << i.source << "\n  driver      " << i.driver << "\n  size        " << i.width << " x " << i.height
              << ", " << i.bands.size() << " band(s)\n  crs         " << (i.epsg ? "EPSG:" + std::to_string(i.epsg) : "(no EPSG code)")
              << "\n  gsd_m       " << j["gsd_m"] << "\n  bbox_wgs84  " << j["bbox_wgs84"] << "\n  overviews   "
              << j["overviews"] << "\n  nodata      " << j["nodata"] << "\n  acquired    " << j["acquired"]
              << "\n  sha256      " << j["sha256"] << "\n";
    return kExitOk;
  });
}

int run_crop(const Args& args) {
  return run_guarded("imagery crop", [&] {
    CommonOptions common;
    std::string raster, bbox, center, crs, out;
    double radius_m = 0, gsd_m = 0;
    geo::OpenOptions oo;
    po::options_description desc("imagery crop options");
    add_common_options(desc, common);
    desc.add_options()
        ("raster", po::value(&raster)->required(), "input raster")
        ("bbox", po::value(&bbox), "MINLON,MINLAT,MAXLON,MAXLAT (degrees, WGS 84)")
        ("near", po::value(&center), "the window's centre, LAT,LON (any form: docs/cli.md)")
        ("radius-m", po::value(&radius_m), "half side of the square window around --near, metres")
        ("gsd-m", po::value(&gsd_m), "output ground sample distance, metres (default: native)")
        ("crs", po::value(&crs), "output CRS, e.g. EPSG:32647 (default: UTM zone of the centre)")
        ("assume-crs", po::value(&oo.assume_crs), "CRS of an input with a world file but no CRS, e.g. EPSG:4326")
        ("output,o", po::value(&out)->required(), "output GeoTIFF");
    bool force = false;
    add_force_option(desc, force);
    po::positional_options_description pos;
    pos.add("raster", 1);
    po::variables_map vm;
    if (!parse_args(args, "imagery crop RASTER (--bbox B | --near LAT,LON --radius-m R) [--gsd-m M] [--crs EPSG:n] -o OUT.tif",
                    desc, pos, vm))
      return kExitOk;
    if (vm.count("bbox") == vm.count("near")) throw UsageError("give either --bbox or --near with --radius-m");
    guard_output(out, force, {raster});
    if (vm.count("near") && !vm.count("radius-m")) throw UsageError("--near needs --radius-m");
    geo::WindowRequest req;
    if (vm.count("bbox")) req.bbox = geo::parse_geo_box(bbox);
    if (vm.count("near")) {
      req.center = geo::parse_lat_lon(center);
      req.radius_m = radius_m;
    }
    if (vm.count("gsd-m") && !(gsd_m > 0))
      throw geo::Error{geo::Errc::invalid_argument, "imagery crop: --gsd-m must be > 0 (got " + geoev::shortest(gsd_m) + ")"};
    req.gsd_m = gsd_m;
    req.crs = crs;
    const auto r = geo::crop_to_geotiff(raster, req, out, make_progress(common.quiet), oo);
    end_progress();
    if (common.json) print_json(geo::to_json(r));
    else
      std::cout << "wrote " << r.output.string() << ": " << r.cols << " x " << r.rows << " px, " << r.crs << ", "
                << r.gsd_m << " m/px, " << static_cast<int>(r.valid_fraction * 100) << "% with data\n";
    print_diagnostics(r.diagnostics, geo::Severity::warning);
    return kExitOk;
  });
}

int run_tiles(const Args& args) {
  return run_guarded("imagery tiles", [&] {
    CommonOptions common;
    std::string raster, out, bbox;
    geo::TileIndexOptions opts;
    po::options_description desc("imagery tiles options");
    add_common_options(desc, common);
    desc.add_options()
        ("raster", po::value(&raster)->required(), "input raster or mosaic")
        ("gsd-m", po::value(&opts.gsd_m)->required(), "tile ground sample distance, metres")
        ("tile-px", po::value(&opts.tile_px)->default_value(1024), "tile side, pixels")
        ("overlap-px", po::value(&opts.overlap_px)->default_value(128), "overlap between tiles, pixels")
        ("crs", po::value(&opts.crs), "tile CRS (default: UTM zone of the centre)")
        ("bbox", po::value(&bbox), "restrict to MINLON,MINLAT,MAXLON,MAXLAT")
        ("output,o", po::value(&out)->required(), "output directory (index.json + tiles/)");
    po::positional_options_description pos;
    pos.add("raster", 1);
    po::variables_map vm;
    if (!parse_args(args, "imagery tiles RASTER --gsd-m M -o DIR", desc, pos, vm)) return kExitOk;
    guard_output(out, false, {raster}, true);
    if (vm.count("bbox")) opts.bbox = geo::parse_geo_box(bbox);
    const auto idx = geo::build_tile_index(raster, out, opts, make_progress(common.quiet));
    end_progress();
    if (common.json) print_json(geo::to_json(idx));
    else
      std::cout << "tile index " << out << ": " << idx.tiles.size() << " tile(s) of " << idx.tile_px << " px at "
                << idx.gsd_m << " m/px in " << idx.crs << "\n";
    return kExitOk;
  });
}

int run_bench_read(const Args& args) {
  return run_guarded("imagery bench-read", [&] {
    CommonOptions common;
    std::string raster, windows;
    int size = 1024;
    po::options_description desc("imagery bench-read options");
    add_common_options(desc, common);
    desc.add_options()
        ("raster", po::value(&raster)->required(), "raster")
        ("windows", po::value(&windows)->required(), "text file, one 'COL ROW' origin per line")
        ("size", po::value(&size)->default_value(1024), "window side, pixels");
    po::positional_options_description pos;
    pos.add("raster", 1);
    po::variables_map vm;
    if (!parse_args(args, "imagery bench-read RASTER --windows FILE [--size N]", desc, pos, vm)) return kExitOk;
    std::ifstream in(windows);
    if (!in) throw geo::Error{geo::Errc::not_found, "imagery bench-read: " + windows + ": cannot open"};
    std::vector<std::pair<int, int>> origins;
    int c = 0, r = 0;
    while (in >> c >> r) origins.emplace_back(c, r);
    print_json(geo::to_json(geo::bench_window_reads(raster, origins, size)));
    return kExitOk;
  });
}

const Registrar reg{{"imagery", "read georeferenced imagery: info, crop, tiles", [](const Args& args) {
                       return dispatch_verbs("imagery", args,
                                             {{"info", "describe a raster (driver, CRS, GSD, WGS 84 box)", run_info},
                                              {"crop", "cut a window into a georeferenced GeoTIFF", run_crop},
                                              {"tiles", "split a raster into a cached tile index", run_tiles},
                                              {"bench-read", "(benchmark) time native window reads", run_bench_read}});
                     }}};

}  // namespace
