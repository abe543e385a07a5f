// SPDX-License-Identifier: Apache-2.0
#include "render/map_labels.hpp"

#include <algorithm>
#include <cmath>

namespace geo::render::detail {

bool segment_hits_box(double ax, double ay, double bx, double by, const Box& box) {
  double t0 = 0, t1 = 1;
  const double dx = bx - ax, dy = by - ay;
  const double p[4] = {-dx, dx, -dy, dy};
  const double q[4] = {ax - box.x, box.x + box.w - ax, ay - box.y, box.y + box.h - ay};
  for (int i = 0; i < 4; ++i) {
    if (p[i] == 0) {
      if (q[i] < 0) return false;
      continue;
    }
    const double t = q[i] / p[i];
    if (p[i] < 0) t0 = std::max(t0, t);
    else t1 = std::min(t1, t);
    if (t0 > t1) return false;
  }
  return true;
}

bool LabelPlacer::free(const Box& b) const {
  if (!b.inside(frame_)) return false;
  for (const auto& o : obstacles_)
    if (b.intersects(o)) return false;
  for (const auto& p : placed_)
    if (b.intersects(p)) return false;
  return true;
}

std::optional<Placement> LabelPlacer::place(double ax, double ay, double r, double w, double h, double gap,
                                            bool allow_leader) {
  // Unit directions in order of preference (cartographic convention: right, then left, above, below).
  static constexpr double dirs[8][2] = {{1, 0}, {-1, 0}, {0, -1}, {0, 1}, {1, -1}, {-1, -1}, {1, 1}, {-1, 1}};
  const int rings = allow_leader ? 3 : 1;
  for (int ring = 0; ring < rings; ++ring) {
    const double d = r + gap + ring * (2.5 * h + r);
    for (const auto& dir : dirs) {
      // The box touches the circle of radius d round the anchor on the side facing it.
      const double px = ax + dir[0] * d, py = ay + dir[1] * d;
      Box b{dir[0] > 0 ? px : dir[0] < 0 ? px - w : px - w / 2, dir[1] > 0 ? py : dir[1] < 0 ? py - h : py - h / 2, w, h};
      // A leader line must not cross another label.
      const double lx = std::clamp(ax, b.x, b.x + b.w), ly = std::clamp(ay, b.y, b.y + b.h);
      bool crosses = false;
      for (const auto& p : placed_)
        if (ring > 0 && segment_hits_box(ax, ay, lx, ly, p)) crosses = true;
      if (!crosses && free(b)) {
        placed_.push_back(b);
        return Placement{b, ring > 0};
      }
    }
  }
  return std::nullopt;
}

}  // namespace geo::render::detail
