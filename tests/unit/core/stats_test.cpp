// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "geo/core/stats.hpp"

TEST(Median, OddEvenAndNone) {
  EXPECT_DOUBLE_EQ(geo::median({3, 1, 2}), 2.0);
  EXPECT_DOUBLE_EQ(geo::median({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(geo::median({-7.5}), -7.5);
  EXPECT_DOUBLE_EQ(geo::median({}), 0.0);
}
