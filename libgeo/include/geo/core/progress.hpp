// SPDX-License-Identifier: Apache-2.0
#pragma once
#include <functional>
#include <string_view>

namespace geo {

// Progress callback for long operations. `fraction` is in [0,1] (negative when the total is unknown);
// `stage` names what is being done ("hashing", "decoding"). Called from the calling thread only; may be
// empty. Returning normally continues; throw to cancel.
using ProgressFn = std::function<void(double fraction, std::string_view stage)>;

inline void report(const ProgressFn& fn, double fraction, std::string_view stage) {
  if (fn) fn(fraction, stage);
}

}  // namespace geo
