// SPDX-License-Identifier: Apache-2.0
// Support for scripts/bench-imagery.sh: timed native-resolution window reads through one open Raster.
#pragma once
#include <string>
#include <vector>

#include "geo/core/json.hpp"

namespace geo {

struct WindowReadBench {
  int windows = 0;
  double seconds = 0.0;
  double windows_per_s = 0.0;
  double mean_value = 0.0;  // mean pixel value over all windows (proves the pixels were read)
};

// Opens `source` once and reads `size` x `size` windows at the given top-left pixel origins (cols, rows)
// with Raster::read_pixels (RGB selection). Timing includes opening. Throws like Raster::open/read_pixels.
WindowReadBench bench_window_reads(const std::string& source, const std::vector<std::pair<int, int>>& origins,
                                   int size);
Json to_json(const WindowReadBench& b);

}  // namespace geo
