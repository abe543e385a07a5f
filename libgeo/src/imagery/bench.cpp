// SPDX-License-Identifier: Apache-2.0
#include "geo/imagery/bench.hpp"

#include <chrono>

#include <opencv2/core.hpp>

#include "geo/imagery/raster.hpp"

namespace geo {

WindowReadBench bench_window_reads(const std::string& source, const std::vector<std::pair<int, int>>& origins,
                                   int size) {
  const auto t0 = std::chrono::steady_clock::now();
  OpenOptions o;
  o.hash = false;  // hashing the file is not part of a read
  Raster r = Raster::open(source, o);
  double sum = 0;
  for (const auto& [c, rr] : origins) {
    GeoImage img = r.read_pixels(c, rr, size, size, BandSelection::rgb);
    sum += cv::mean(img.image)[0];
  }
  WindowReadBench b;
  b.windows = static_cast<int>(origins.size());
  b.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  b.windows_per_s = b.seconds > 0 ? b.windows / b.seconds : 0;
  b.mean_value = b.windows ? sum / b.windows : 0;
  return b;
}

Json to_json(const WindowReadBench& b) {
  return Json{{"windows", b.windows}, {"seconds", b.seconds}, {"windows_per_s", b.windows_per_s},
              {"mean_value", b.mean_value}};
}

}  // namespace geo
