// SPDX-License-Identifier: Apache-2.0
// Private: label placement without overlaps. Greedy, by priority: each label tries candidate positions
// around its anchor (right, left, above, below, then the diagonals), then farther out with a leader
// line; a box is accepted when it lies inside the frame and touches no placed label and no obstacle
// (symbols, the scale bar, the north arrow, the inset). What cannot be placed is dropped and counted.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace geo::render::detail {

struct Box {
  double x = 0, y = 0, w = 0, h = 0;
  bool intersects(const Box& o) const noexcept {
    return x < o.x + o.w && o.x < x + w && y < o.y + o.h && o.y < y + h;
  }
  bool inside(const Box& o) const noexcept { return x >= o.x && y >= o.y && x + w <= o.x + o.w && y + h <= o.y + o.h; }
};

// Whether the segment (ax, ay)-(bx, by) touches the box (Liang-Barsky clipping).
bool segment_hits_box(double ax, double ay, double bx, double by, const Box& b);

struct Placement {
  Box box;
  bool leader = false;  // drawn away from its anchor, joined to it by a line
};

class LabelPlacer {
 public:
  explicit LabelPlacer(Box frame) : frame_(frame) {}
  void add_obstacle(const Box& b) { obstacles_.push_back(b); }
  // A label of size w x h for a symbol of radius `r` at (ax, ay), `gap` away from it. nullopt when no
  // candidate fits; the accepted box is then reserved.
  std::optional<Placement> place(double ax, double ay, double r, double w, double h, double gap, bool allow_leader);
  const std::vector<Box>& placed() const noexcept { return placed_; }

 private:
  bool free(const Box& b) const;
  Box frame_;
  std::vector<Box> obstacles_;
  std::vector<Box> placed_;
};

}  // namespace geo::render::detail
