// SPDX-License-Identifier: Apache-2.0
// Tile retrieval: ranks overlapping tiles of a reference by how much their keypoint descriptors look
// like a frame's, before any geometric verification (coarse step of coarse-to-fine matching).
//
// Each tile is summarised by one VLAD vector (vector of locally aggregated descriptors): a codebook of
// `words` centres is learnt by k-means on a seeded subsample of the reference descriptors; a tile's
// vector holds, per centre, the sum of residuals (descriptor - centre) of the tile's descriptors nearest
// to it, then per-centre L2 normalisation (intra-normalisation), signed square root and global L2
// normalisation. A frame gets the same vector from its own descriptors; the score of a tile is the dot
// product (cosine similarity, in [-1, 1], higher is more alike). Binary descriptors (AKAZE MLDB, ORB) are
// unpacked to one float 0/1 per bit and treated like real-valued ones (the codebook is then a k-means in
// bit space, whose centres are bit frequencies).
//
// A ranking is evidence of similarity, never of location: a tile ranked first is only a candidate for
// geometric verification (align_frame), and a frame from an unrelated place still gets a ranking (with
// low scores).
//
// Units and conventions: everything is in reference pixels of the index that produced the keypoints
// (ReferenceIndex::keypoints(): OpenCV convention, pixel centres at integer coordinates). Tile rectangles
// use the corner convention of geo/imagery: a tile covers columns [x, x + width) and rows
// [y, y + height); a keypoint at (u, v) belongs to the tile when floor(u + 0.5) and floor(v + 0.5) fall
// inside. Metres enter only through tile_geometry_for().
//
// Thread safety: a TileRetrieval is immutable after build() or load(); rank() is const, re-entrant and
// may be called from several threads at once. build() seeds and then restores the calling thread's
// cv::theRNG() (OpenCV's k-means draws from it); it touches no other global state.
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

#include <opencv2/core.hpp>

namespace geo {

struct RetrievalOptions {
  int words = 64;              // codebook size k (VLAD dimension = k x descriptor dimension)
  int sample = 20000;          // reference descriptors sampled (seeded) to learn the codebook
  int kmeans_iterations = 15;  // Lloyd iterations of cv::kmeans (one attempt, k-means++ start)
  std::uint32_t seed = 1;      // seed of the subsample and of k-means++; same seed, same codebook
  int min_keypoints = 40;      // a tile with fewer keypoints gets no vector and is never ranked
  void validate() const;       // throws Error{invalid_argument}
};

// One ranked tile.
struct RankedTile {
  cv::Rect rect;       // reference pixels, corner convention, inside the reference
  double score = 0.0;  // cosine similarity of VLAD vectors, [-1, 1]
  int tile = -1;       // index into TileRetrieval::tiles()
};

// The outcome of TileRetrieval::rank().
struct TileRanking {
  std::vector<RankedTile> tiles;  // best first (ties by tile index), at most top_k
  // How far the best score stands out from all other rankable tiles: (best - their mean) / their
  // standard deviation; 0 with fewer than 3 rankable tiles or no frame descriptors. Measured on NAIP
  // views (docs/match-retrieval.md): peak_z >= 3 held for 50 of 60 same-date views, whose best tile was
  // then right in 49, and for none of 60 cross-date and 30 unrelated views; below 3 treat the ranking
  // as uninformative.
  double peak_z = 0.0;
  bool distinct(double min_peak_z = 3.0) const noexcept { return !tiles.empty() && peak_z >= min_peak_z; }
};

// Tile geometry for frames whose ground footprint is about `footprint_m` metres across on a
// reference of `gsd_m` metres per pixel: tile = 1.5 x footprint, stride = footprint / 2 (so that any
// footprint of that size lies wholly inside at least one tile). Throws Error{invalid_argument} when
// either is not positive or the tile would be under 32 pixels.
struct TileGeometry {
  int tile_px = 0;
  int stride_px = 0;
};
TileGeometry tile_geometry_for(double footprint_m, double gsd_m);

class TileRetrieval {
 public:
  // Tiles of tile_px x tile_px every stride_px over a reference of `ref_size` pixels (the last row and
  // column of tiles are moved in to end at the reference's edge; a reference smaller than a tile gets
  // one tile clipped to it). `kp` in reference pixels, `desc` one row per keypoint: CV_32F (SIFT) or
  // CV_8U (binary). Deterministic for given inputs and options.
  // Throws Error{invalid_argument} for empty or mismatched inputs, tile_px < 16, stride_px < 1 or
  // > tile_px, more than a million tiles, a descriptor type other than CV_32F/CV_8U, non-finite
  // descriptors, or fewer descriptors than words;
  // Error{external} when OpenCV fails.
  static TileRetrieval build(const std::vector<cv::KeyPoint>& kp, const cv::Mat& desc, cv::Size ref_size,
                             int tile_px, int stride_px, const RetrievalOptions& opts = {});

  // The tiles with a vector, best first (ties by tile index), at most top_k (top_k <= 0: all), and
  // peak_z over all of them. `frame_desc` must have the reference's descriptor type and width and be
  // finite (else Error{invalid_argument}); a frame with no descriptors gives an empty ranking.
  // Cost: nearest centre for each frame descriptor (N x k) plus one dot product per tile: 1-2 ms for
  // 2,000-4,000 SIFT descriptors and 108 tiles.
  TileRanking rank(const cv::Mat& frame_desc, int top_k) const;

  // The VLAD vector of a descriptor set with this codebook (1 x dimension(), CV_32F, unit length or
  // all zeros when empty). Exposed for diagnostics and tests.
  cv::Mat describe(const cv::Mat& desc) const;

  // Compact binary file (magic "GEOVLAD1", version, sizes, codebook, tile table, vectors stored as
  // float16, SHA-256 of everything before it). save() writes atomically (complete or not at all) and
  // throws Error{io} on failure. load() validates every size, bound and the checksum and throws
  // Error{not_found} for a missing file, Error{corrupt_data} for a truncated, altered or foreign file,
  // Error{unsupported} for another version; it never reads past what the file holds.
  void save(const std::filesystem::path& path) const;
  static TileRetrieval load(const std::filesystem::path& path);

  cv::Size reference_size() const noexcept { return ref_size_; }
  int tile_px() const noexcept { return tile_px_; }
  int stride_px() const noexcept { return stride_px_; }
  int words() const noexcept { return centres_.rows; }
  int descriptor_type() const noexcept { return desc_type_; }   // CV_32F or CV_8U
  int descriptor_cols() const noexcept { return desc_cols_; }   // bytes for CV_8U, floats for CV_32F
  int dimension() const noexcept { return centres_.rows * centres_.cols; }
  // Every tile of the grid (with or without a vector), and the keypoints each holds.
  const std::vector<cv::Rect>& tiles() const noexcept { return tiles_; }
  const std::vector<int>& tile_keypoints() const noexcept { return tile_kp_; }
  // Tiles with a vector (rankable).
  int ranked_tile_count() const noexcept { return vectors_.rows; }

 private:
  cv::Mat as_float(const cv::Mat& desc) const;  // binary -> 0/1 floats; float -> itself
  cv::Mat vlad_rows(const cv::Mat& fdesc, const std::vector<int>& word, const std::vector<int>& rows) const;

  cv::Size ref_size_;
  int tile_px_ = 0;
  int stride_px_ = 0;
  int desc_type_ = CV_32F;
  int desc_cols_ = 0;
  cv::Mat centres_;            // words x D, CV_32F
  std::vector<cv::Rect> tiles_;
  std::vector<int> tile_kp_;
  std::vector<int> vector_tile_;  // row of vectors_ -> tile index
  cv::Mat vectors_;               // rankable tiles x dimension, CV_32F (values exactly float16)
};

}  // namespace geo
