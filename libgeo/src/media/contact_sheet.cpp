// SPDX-License-Identifier: Apache-2.0
#include "media/contact_sheet.hpp"

#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "geo/core/error.hpp"

namespace geo::decode {

cv::Mat make_contact_sheet(const std::vector<SheetTile>& tiles, int tile_width, int columns) {
  if (tiles.empty()) throw Error(Errc::invalid_argument, "contact sheet: no frames");
  constexpr int kGap = 6, kCaption = 22;
  int tile_height = 0;
  std::vector<cv::Mat> scaled;
  for (const auto& t : tiles) {
    cv::Mat s;
    const int h = std::max(1, t.thumb.rows * tile_width / std::max(1, t.thumb.cols));
    cv::resize(t.thumb, s, cv::Size(tile_width, h), 0, 0, cv::INTER_AREA);
    tile_height = std::max(tile_height, h);
    scaled.push_back(std::move(s));
  }
  const int cols = std::min<int>(columns, static_cast<int>(tiles.size()));
  const int rows = (static_cast<int>(tiles.size()) + cols - 1) / cols;
  const int cell_w = tile_width + kGap, cell_h = tile_height + kCaption + kGap;
  cv::Mat sheet(rows * cell_h + kGap, cols * cell_w + kGap, CV_8UC3, cv::Scalar(32, 32, 32));
  for (std::size_t i = 0; i < scaled.size(); ++i) {
    const int r = static_cast<int>(i) / cols, c = static_cast<int>(i) % cols;
    const int x = kGap + c * cell_w, y = kGap + r * cell_h;
    scaled[i].copyTo(sheet(cv::Rect(x, y, scaled[i].cols, scaled[i].rows)));
    cv::putText(sheet, tiles[i].caption, cv::Point(x + 2, y + tile_height + 16), cv::FONT_HERSHEY_SIMPLEX, 0.45,
                cv::Scalar(235, 235, 235), 1, cv::LINE_AA);
  }
  return sheet;
}

void EvenSampler::add(std::size_t seq, SheetTile tile) {
  seqs_.push_back(seq);
  tiles_.push_back(std::move(tile));
  if (tiles_.size() <= cap_) return;
  stride_ *= 2;
  std::vector<std::size_t> seqs;
  std::vector<SheetTile> tiles;
  for (std::size_t i = 0; i < seqs_.size(); ++i)
    if (seqs_[i] % stride_ == 0) {
      seqs.push_back(seqs_[i]);
      tiles.push_back(std::move(tiles_[i]));
    }
  seqs_ = std::move(seqs);
  tiles_ = std::move(tiles);
}

}  // namespace geo::decode
