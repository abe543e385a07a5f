// SPDX-License-Identifier: Apache-2.0
// Work spread over threads: one loop for every place geoev runs independent items side by side.
#pragma once
#include <cstddef>
#include <functional>

namespace geo {

// Calls work(i) for every i in [0, n), on up to `threads` threads (the calling thread is one of them; 0
// means the machine's cores). Items are taken in order as threads free up. When work throws, no further
// item is started, every thread finishes the item it has, and the first exception is rethrown.
void parallel_for(std::size_t n, std::size_t threads, const std::function<void(std::size_t)>& work);

}  // namespace geo
