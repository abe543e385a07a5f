// SPDX-License-Identifier: Apache-2.0
// Map rendering benchmark (scripts/bench-map.sh): a site map with 1,000 events over a 4096 x 4096
// imagery base, as PNG and as PDF, and the overview map; each timed against the 2 s target.
//   bench_map OUTDIR                     the benchmark
//   bench_map --case DIR --imagery TIF OUTDIR   the demo case's maps (overview, site, timeline)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include <opencv2/imgproc.hpp>

#include "geo/core/geodesy.hpp"
#include "geo/imagery/raster.hpp"
#include "geo/render/map.hpp"

namespace fs = std::filesystem;
using namespace geo;
using namespace geo::render;

namespace {

constexpr double kTarget_s = 2.0;
constexpr int kEvents = 1000;
constexpr int kImagePx = 4096;

// A textured 4096 x 4096 GeoTIFF (UTM 47N, 0.5 m) near Myawaddy: fields, roads and noise, so that
// compression and resampling do real work.
fs::path make_imagery(const fs::path& dir) {
  const fs::path out = dir / "bench_base.tif";
  if (fs::exists(out)) return out;
  GeoImage img;
  img.image = cv::Mat(kImagePx, kImagePx, CV_8UC3);
  cv::randu(img.image, cv::Scalar(40, 60, 40), cv::Scalar(120, 150, 110));
  for (int i = 0; i < 60; ++i) {
    const int x = (i * 977) % kImagePx, y = (i * 613) % kImagePx;
    cv::rectangle(img.image, {x, y, 300, 200}, cv::Scalar(60 + i, 120, 90 + i), cv::FILLED);
    cv::line(img.image, {0, y}, {kImagePx, (y + 1500) % kImagePx}, cv::Scalar(200, 200, 200), 6);
  }
  img.crs = "EPSG:32647";
  img.gsd_m = 0.5;
  img.map_from_pixel.c = {452000.0, 0.5, 0.0, 1840000.0, 0.0, -0.5};
  write_geotiff(img, out, Json::object());
  return out;
}

MapData make_data(const GeoPoint& centre) {
  MapData d;
  d.case_title = "benchmark";
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> az(0, 360), dist(0, 900), unc(5, 60);
  spatial::Compound c;
  c.id = "bench-compound";
  c.name = "Benchmark compound";
  c.geometry.type = spatial::SiteGeometry::Type::polygon;
  spatial::Ring ring;
  for (int i = 0; i < 6; ++i) ring.push_back(geodesic_direct(centre, i * 60.0, 700));
  c.geometry.polygons = {{ring}};
  d.compounds.compounds.push_back(c);
  for (int i = 0; i < kEvents; ++i) {
    MapEvent e;
    e.id = i + 1;
    e.position = geodesic_direct(centre, az(rng), dist(rng));
    e.uncertainty_m = unc(rng);
    e.precision = i % 3 ? "vicinity" : "exact";
    e.time_from = UtcTime::from_unix_s(1.7e9 + i * 3600.0);
    e.time_to = UtcTime::from_unix_s(1.7e9 + i * 3600.0 + 30);
    e.local_zone = "Asia/Yangon";
    e.compound_id = c.id;
    e.label = "clip_" + std::to_string(i + 1) + ".mp4";
    if (i % 100 == 0)
      for (int k = 0; k < 30; ++k)
        e.track.push_back({k * 1.0, UtcTime::from_unix_s(1.7e9 + i * 3600.0 + k), geodesic_direct(e.position, 45, k * 8.0), 5});
    d.events.push_back(std::move(e));
  }
  d.attributions.push_back("borders: Natural Earth 1:10m (public domain), via world-atlas");
  return d;
}

double timed(const char* what, const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%-34s %6.2f s   target < %.1f s   %s\n", what, s, kTarget_s, s < kTarget_s ? "ok" : "SLOW");
  return s;
}

int demo(const fs::path& case_dir, const fs::path& imagery, const fs::path& out, const std::string& compounds) {
  spatial::RegistrySelection sel;
  sel.replace = compounds;
  const MapData d = load_map_data(case_dir, sel);
  fs::create_directories(out);
  for (const char* ext : {".png", ".pdf"}) {
    MapOptions o;
    auto r = render_map(d, o, out / (std::string("overview") + ext));
    std::printf("%s\n", to_json(r).dump(1).c_str());
    MapOptions s;
    s.kind = MapKind::site;
    s.imagery = imagery;
    if (std::string(ext) == ".pdf") s.page = "a4";
    r = render_map(d, s, out / (std::string("site") + ext));
    std::printf("%s\n", to_json(r).dump(1).c_str());
    render_timeline(d, {}, out / (std::string("timeline") + ext));
  }
  render_map(d, MapOptions{}, out / "overview.svg");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 6 && std::string(argv[1]) == "--case") return demo(argv[2], argv[3], argv[4], argv[5]);
    if (argc != 2) {
      std::fprintf(stderr, "usage: bench_map OUTDIR | bench_map --case DIR IMAGERY OUTDIR COMPOUNDS\n");
      return 2;
    }
    const fs::path dir = argv[1];
    fs::create_directories(dir);
    const fs::path base = make_imagery(dir);
    const Raster r = Raster::open(base);
    const GeoPoint centre = r.info().bbox_wgs84.center();
    const MapData d = make_data(centre);
    std::printf("site map: %d events over a %d x %d imagery base; overview of the same case\n", kEvents, kImagePx, kImagePx);
    MapOptions site;
    site.kind = MapKind::site;
    site.imagery = base;
    site.bbox = r.info().bbox_wgs84;
    double worst = 0;
    worst = std::max(worst, timed("site map, PNG 1600 px", [&] { render_map(d, site, dir / "site.png"); }));
    worst = std::max(worst, timed("site map, PDF 1600 pt", [&] { render_map(d, site, dir / "site.pdf"); }));
    MapOptions a4 = site;
    a4.page = "a4";
    worst = std::max(worst, timed("site map, PDF A4", [&] { render_map(d, a4, dir / "site_a4.pdf"); }));
    MapOptions ov;
    ov.kind = MapKind::overview;
    worst = std::max(worst, timed("overview map, PNG 1600 px", [&] { render_map(d, ov, dir / "overview.png"); }));
    worst = std::max(worst, timed("overview map, PNG (basemap cached)", [&] { render_map(d, ov, dir / "overview2.png"); }));
    worst = std::max(worst, timed("timeline, PNG", [&] { render_timeline(d, {}, dir / "timeline.png"); }));
    std::printf("slowest %.2f s against %.1f s: %s\n", worst, kTarget_s, worst < kTarget_s ? "ok" : "SLOW");
    return worst < kTarget_s ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_map: %s\n", e.what());
    return 1;
  }
}
