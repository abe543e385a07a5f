// SPDX-License-Identifier: Apache-2.0
// Private: a grid of frame thumbnails with a caption under each, for a quick look at what was extracted.
#pragma once
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace geo::decode {

struct SheetTile {
  cv::Mat thumb;         // BGR, any size (scaled to the tile width)
  std::string caption;   // one short line, ASCII
};

// Tiles laid out row by row, `tile_width` pixels wide, at most `columns` per row; dark background.
// Throws Error{invalid_argument} when there is no tile.
cv::Mat make_contact_sheet(const std::vector<SheetTile>& tiles, int tile_width = 320, int columns = 5);

// Keeps an evenly spaced subset of at most `cap` items of a sequence of unknown length: every item is
// offered in order; when the kept set would exceed the cap, every other one is dropped and the stride
// doubles.
class EvenSampler {
 public:
  explicit EvenSampler(std::size_t cap) : cap_(cap) {}
  bool wants(std::size_t seq) const noexcept { return seq % stride_ == 0; }
  void add(std::size_t seq, SheetTile tile);
  const std::vector<SheetTile>& tiles() const noexcept { return tiles_; }
  std::size_t stride() const noexcept { return stride_; }

 private:
  std::size_t cap_;
  std::size_t stride_ = 1;
  std::vector<std::size_t> seqs_;
  std::vector<SheetTile> tiles_;
};

}  // namespace geo::decode
