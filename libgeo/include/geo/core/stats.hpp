// SPDX-License-Identifier: Apache-2.0
// Small statistics on plain values.
#pragma once
#include <vector>

namespace geo {

// The median (the mean of the two middle values for an even count); 0 for none.
double median(std::vector<double> values);

}  // namespace geo
