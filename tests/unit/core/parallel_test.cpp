// SPDX-License-Identifier: Apache-2.0
// geo::parallel_for: every item once, on the threads asked for, and a failure stops the loop and reaches
// the caller.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "geo/core/parallel.hpp"

namespace {

TEST(ParallelFor, EveryItemOnceOnAtMostTheThreadsAsked) {
  std::vector<std::atomic<int>> seen(1000);
  std::mutex m;
  std::set<std::thread::id> threads;
  geo::parallel_for(seen.size(), 3, [&](std::size_t i) {
    ++seen[i];
    std::lock_guard<std::mutex> lock(m);
    threads.insert(std::this_thread::get_id());
  });
  for (const auto& s : seen) ASSERT_EQ(s.load(), 1);
  EXPECT_LE(threads.size(), 3u);
  EXPECT_TRUE(threads.count(std::this_thread::get_id())) << "the caller works too";
}

TEST(ParallelFor, NothingToDoAndZeroThreadsMeaningTheCores) {
  int calls = 0;
  geo::parallel_for(0, 4, [&](std::size_t) { ++calls; });
  EXPECT_EQ(calls, 0);
  std::atomic<int> n{0};
  geo::parallel_for(5, 0, [&](std::size_t) { ++n; });
  EXPECT_EQ(n.load(), 5);
}

TEST(ParallelFor, AFailureStopsNewItemsAndReachesTheCaller) {
  std::atomic<int> started{0};
  EXPECT_THROW(geo::parallel_for(1000000, 2,
                                 [&](std::size_t i) {
                                   ++started;
                                   if (i == 3) throw std::runtime_error("item 3");
                                 }),
               std::runtime_error);
  EXPECT_LT(started.load(), 1000000) << "items after the failure were still started";
}

}  // namespace
