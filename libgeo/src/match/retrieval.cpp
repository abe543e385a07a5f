// SPDX-License-Identifier: Apache-2.0
#include "geo/match/retrieval.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <string>

#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/hash.hpp"
#include "match/tuning.hpp"

namespace geo {

static_assert(std::endian::native == std::endian::little, "retrieval files are written little-endian");

namespace {

constexpr char kMagic[8] = {'G', 'E', 'O', 'V', 'L', 'A', 'D', '1'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kChecksumBytes = 64;  // SHA-256, lower-case hex

[[noreturn]] void fail(Errc c, const std::string& what) { throw Error{c, "match.retrieval: " + what}; }

// Tile origins along one axis: every `stride` from 0, the last one moved in to end at the edge.
std::vector<int> origins(int extent, int tile, int stride) {
  if (extent <= tile) return {0};
  std::vector<int> o;
  for (int x = 0; x + tile < extent; x += stride) o.push_back(x);
  if (o.back() + tile != extent) o.push_back(extent - tile);
  return o;
}

// How many origins() gives, without making them (load() must not trust sizes before checking them).
std::int64_t origin_count(int extent, int tile, int stride) {
  return extent <= tile ? 1 : (std::int64_t(extent) - tile + stride - 1) / stride + 1;
}

std::vector<cv::Rect> tile_grid(cv::Size ref, int tile, int stride) {
  std::vector<cv::Rect> t;
  const auto xs = origins(ref.width, tile, stride), ys = origins(ref.height, tile, stride);
  for (int y : ys)
    for (int x : xs) t.emplace_back(x, y, std::min(tile, ref.width), std::min(tile, ref.height));
  return t;
}

// Nearest codebook centre of each row (squared L2).
std::vector<int> assign(const cv::Mat& fdesc, const cv::Mat& centres) {
  std::vector<int> w(std::size_t(fdesc.rows), 0);
  if (fdesc.empty()) return w;
  cv::Mat dist, idx;
  cv::batchDistance(fdesc, centres, dist, CV_32F, idx, cv::NORM_L2SQR, 1);
  for (int r = 0; r < fdesc.rows; ++r) w[std::size_t(r)] = idx.at<int>(r, 0);
  return w;
}

// Float32 -> float16 -> float32, so that a built index and its saved copy rank identically.
void round_to_half(cv::Mat& m) {
  cv::Mat h;
  m.convertTo(h, CV_16F);
  h.convertTo(m, CV_32F);
}

template <class T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

class Reader {
 public:
  Reader(const std::string& bytes, const std::string& name) : b_(bytes), name_(name) {}
  template <class T>
  T get() {
    T v;
    need(sizeof v);
    std::memcpy(&v, b_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  void read(void* dst, std::size_t n) {
    need(n);
    std::memcpy(dst, b_.data() + pos_, n);
    pos_ += n;
  }
  std::size_t pos() const { return pos_; }

 private:
  void need(std::size_t n) const {
    if (b_.size() - pos_ < n)
      fail(Errc::corrupt_data, name_ + ": truncated (" + std::to_string(b_.size()) + " bytes)");
  }
  const std::string& b_;
  const std::string& name_;
  std::size_t pos_ = 0;
};

}  // namespace

void RetrievalOptions::validate() const {
  if (words < 2 || words > 1024) fail(Errc::invalid_argument, "words must be in [2, 1024]");
  if (sample < words) fail(Errc::invalid_argument, "sample must be at least words");
  if (kmeans_iterations < 1 || kmeans_iterations > 1000) fail(Errc::invalid_argument, "kmeans_iterations must be in [1, 1000]");
  if (min_keypoints < 1) fail(Errc::invalid_argument, "min_keypoints must be at least 1");
}

TileGeometry tile_geometry_for(double footprint_m, double gsd_m) {
  if (!(footprint_m > 0) || !(gsd_m > 0) || !std::isfinite(footprint_m / gsd_m))
    fail(Errc::invalid_argument, "tile geometry: footprint_m and gsd_m must be positive");
  const double tile = std::round(match_detail::kTileFootprints * footprint_m / gsd_m);
  if (tile < 32 || tile > 1e6) fail(Errc::invalid_argument, "tile geometry: tile of " + std::to_string(tile) + " px is out of range");
  TileGeometry g;
  g.tile_px = int(tile);
  g.stride_px = std::max(1, int(std::floor(match_detail::kTileStrideFootprints * footprint_m / gsd_m)));
  return g;
}

cv::Mat TileRetrieval::as_float(const cv::Mat& desc) const {
  if (desc.type() == CV_32F) return desc.isContinuous() ? desc : desc.clone();
  cv::Mat f(desc.rows, desc.cols * 8, CV_32F);
  for (int r = 0; r < desc.rows; ++r) {
    const std::uint8_t* s = desc.ptr<std::uint8_t>(r);
    float* d = f.ptr<float>(r);
    for (int c = 0; c < desc.cols; ++c)
      for (int j = 0; j < 8; ++j) d[c * 8 + j] = float((s[c] >> (7 - j)) & 1);
  }
  return f;
}

// VLAD of the given rows of `fdesc` (their words in `word`): residual sums per word, per-word L2,
// signed square root, global L2. One row, CV_32F; zeros when `rows` is empty.
cv::Mat TileRetrieval::vlad_rows(const cv::Mat& fdesc, const std::vector<int>& word, const std::vector<int>& rows) const {
  const int k = centres_.rows, d = centres_.cols;
  cv::Mat v(1, k * d, CV_32F, cv::Scalar(0));
  std::vector<int> count(std::size_t(k), 0);
  float* out = v.ptr<float>(0);
  for (int r : rows) {
    const int w = word[std::size_t(r)];
    if (w < 0 || w >= k) continue;  // batchDistance marks a row it could not assign with -1
    const float* x = fdesc.ptr<float>(r);
    float* acc = out + std::size_t(w) * d;
    for (int c = 0; c < d; ++c) acc[c] += x[c];
    ++count[std::size_t(w)];
  }
  for (int w = 0; w < k; ++w) {
    if (!count[std::size_t(w)]) continue;
    float* acc = out + std::size_t(w) * d;
    const float* ctr = centres_.ptr<float>(w);
    const float n = float(count[std::size_t(w)]);
    double ss = 0;
    for (int c = 0; c < d; ++c) {
      acc[c] -= n * ctr[c];
      ss += double(acc[c]) * acc[c];
    }
    const float inv = ss > 0 ? float(1.0 / std::sqrt(ss)) : 0.0f;
    for (int c = 0; c < d; ++c) {
      const float a = acc[c] * inv;
      acc[c] = a < 0 ? -std::sqrt(-a) : std::sqrt(a);
    }
  }
  const double norm = cv::norm(v, cv::NORM_L2);
  if (norm > 0) v /= norm;
  return v;
}

TileRetrieval TileRetrieval::build(const std::vector<cv::KeyPoint>& kp, const cv::Mat& desc, cv::Size ref_size,
                                   int tile_px, int stride_px, const RetrievalOptions& opts) {
  opts.validate();
  if (ref_size.width < 1 || ref_size.height < 1) fail(Errc::invalid_argument, "build: empty reference size");
  if (tile_px < 16 || stride_px < 1 || stride_px > tile_px)
    fail(Errc::invalid_argument, "build: need tile_px >= 16 and 1 <= stride_px <= tile_px");
  if (desc.type() != CV_32F && desc.type() != CV_8U)
    fail(Errc::invalid_argument, "build: descriptors must be CV_32F or CV_8U");
  if (int(kp.size()) != desc.rows || desc.cols < 1 || desc.cols > 4096)
    fail(Errc::invalid_argument, "build: keypoints (" + std::to_string(kp.size()) + ") and descriptor rows (" +
                                     std::to_string(desc.rows) + ") disagree or descriptors are empty");
  if (desc.rows < opts.words)
    fail(Errc::invalid_argument, "build: " + std::to_string(desc.rows) + " descriptors, fewer than " +
                                     std::to_string(opts.words) + " words");
  if (origin_count(ref_size.width, tile_px, stride_px) * origin_count(ref_size.height, tile_px, stride_px) > 1'000'000)
    fail(Errc::invalid_argument, "build: more than a million tiles; use a larger stride");
  TileRetrieval t;
  t.ref_size_ = ref_size;
  t.tile_px_ = tile_px;
  t.stride_px_ = stride_px;
  t.desc_type_ = desc.type();
  t.desc_cols_ = desc.cols;
  if (desc.type() == CV_32F && !cv::checkRange(desc))
    fail(Errc::invalid_argument, "build: descriptors contain non-finite values");
  try {
    const cv::Mat fdesc = t.as_float(desc);
    // Seeded subsample (partial Fisher-Yates on std::mt19937, whose sequence the standard fixes).
    std::vector<int> idx(std::size_t(fdesc.rows));
    for (int i = 0; i < fdesc.rows; ++i) idx[std::size_t(i)] = i;
    const int m = std::min(opts.sample, fdesc.rows);
    std::mt19937 rng(opts.seed);
    for (int i = 0; i < m; ++i) {
      const int j = i + int(rng() % std::uint32_t(fdesc.rows - i));
      std::swap(idx[std::size_t(i)], idx[std::size_t(j)]);
    }
    cv::Mat sample(m, fdesc.cols, CV_32F);
    for (int i = 0; i < m; ++i) fdesc.row(idx[std::size_t(i)]).copyTo(sample.row(i));
    cv::Mat labels;
    {
      // cv::kmeans draws its k-means++ start from this thread's cv::theRNG(): seed it, restore it after.
      struct RngGuard {
        std::uint64_t saved = cv::theRNG().state;
        ~RngGuard() { cv::theRNG().state = saved; }
      } guard;
      cv::theRNG().state = 0x9E3779B97F4A7C15ull ^ opts.seed;
      cv::kmeans(sample, opts.words, labels,
                 cv::TermCriteria(cv::TermCriteria::MAX_ITER + cv::TermCriteria::EPS, opts.kmeans_iterations, 1e-4),
                 1, cv::KMEANS_PP_CENTERS, t.centres_);
    }
    t.centres_.convertTo(t.centres_, CV_32F);
    const std::vector<int> word = assign(fdesc, t.centres_);

    t.tiles_ = tile_grid(ref_size, tile_px, stride_px);
    std::vector<std::vector<int>> members(t.tiles_.size());
    const auto xs = origins(ref_size.width, tile_px, stride_px), ys = origins(ref_size.height, tile_px, stride_px);
    const int tw = std::min(tile_px, ref_size.width), th = std::min(tile_px, ref_size.height);
    for (int i = 0; i < int(kp.size()); ++i) {
      const double u = std::floor(double(kp[std::size_t(i)].pt.x) + 0.5), v = std::floor(double(kp[std::size_t(i)].pt.y) + 0.5);
      if (!(u >= 0 && v >= 0 && u < ref_size.width && v < ref_size.height)) continue;
      for (std::size_t b = 0; b < ys.size(); ++b) {
        if (v < ys[b] || v >= ys[b] + th) continue;
        for (std::size_t a = 0; a < xs.size(); ++a)
          if (u >= xs[a] && u < xs[a] + tw) members[b * xs.size() + a].push_back(i);
      }
    }
    t.tile_kp_.resize(t.tiles_.size());
    std::vector<cv::Mat> rows;
    for (std::size_t i = 0; i < t.tiles_.size(); ++i) {
      t.tile_kp_[i] = int(members[i].size());
      if (t.tile_kp_[i] < opts.min_keypoints) continue;
      rows.push_back(t.vlad_rows(fdesc, word, members[i]));
      t.vector_tile_.push_back(int(i));
    }
    if (!rows.empty()) cv::vconcat(rows, t.vectors_);
    else t.vectors_ = cv::Mat(0, t.dimension(), CV_32F);
    round_to_half(t.vectors_);
  } catch (const cv::Exception& e) {
    throw Error{Errc::external, std::string("match.retrieval: build: OpenCV: ") + e.what(), "opencv", e.code};
  }
  return t;
}

cv::Mat TileRetrieval::describe(const cv::Mat& desc) const {
  if (desc.empty()) return cv::Mat(1, dimension(), CV_32F, cv::Scalar(0));
  if (desc.type() != desc_type_ || desc.cols != desc_cols_)
    fail(Errc::invalid_argument, "rank: frame descriptors (type " + std::to_string(desc.type()) + ", " +
                                     std::to_string(desc.cols) + " columns) differ from the reference's (type " +
                                     std::to_string(desc_type_) + ", " + std::to_string(desc_cols_) + ")");
  if (desc.type() == CV_32F && !cv::checkRange(desc))
    fail(Errc::invalid_argument, "rank: frame descriptors contain non-finite values");
  try {
    const cv::Mat fdesc = as_float(desc);
    const std::vector<int> word = assign(fdesc, centres_);
    std::vector<int> all(std::size_t(fdesc.rows));
    for (int i = 0; i < fdesc.rows; ++i) all[std::size_t(i)] = i;
    return vlad_rows(fdesc, word, all);
  } catch (const cv::Exception& e) {
    throw Error{Errc::external, std::string("match.retrieval: rank: OpenCV: ") + e.what(), "opencv", e.code};
  }
}

TileRanking TileRetrieval::rank(const cv::Mat& frame_desc, int top_k) const {
  TileRanking res;
  const cv::Mat q = describe(frame_desc);
  if (frame_desc.empty() || vectors_.empty()) return res;
  std::vector<RankedTile>& out = res.tiles;
  out.reserve(std::size_t(vectors_.rows));
  for (int r = 0; r < vectors_.rows; ++r) {
    const int ti = vector_tile_[std::size_t(r)];
    out.push_back({tiles_[std::size_t(ti)], vectors_.row(r).dot(q), ti});
  }
  const auto better = [](const RankedTile& a, const RankedTile& b) {
    return a.score != b.score ? a.score > b.score : a.tile < b.tile;
  };
  const auto best = std::min_element(out.begin(), out.end(), better);
  if (out.size() >= 3) {
    double m = 0, q2 = 0;
    for (const auto& t : out) m += t.score;
    m = (m - best->score) / double(out.size() - 1);
    for (const auto& t : out) q2 += (t.score - m) * (t.score - m);
    q2 -= (best->score - m) * (best->score - m);
    const double sd = std::sqrt(std::max(0.0, q2) / double(out.size() - 2));
    res.peak_z = sd > 0 ? (best->score - m) / sd : 0.0;
  }
  const std::size_t n = top_k > 0 ? std::min(out.size(), std::size_t(top_k)) : out.size();
  std::partial_sort(out.begin(), out.begin() + std::ptrdiff_t(n), out.end(), better);
  out.resize(n);
  return res;
}

void TileRetrieval::save(const std::filesystem::path& path) const {
  std::string b;
  b.append(kMagic, 8);
  put(b, kVersion);
  const std::int32_t hdr[10] = {ref_size_.width, ref_size_.height, tile_px_, stride_px_, desc_type_,
                                desc_cols_, centres_.rows, centres_.cols, std::int32_t(tiles_.size()), vectors_.rows};
  b.append(reinterpret_cast<const char*>(hdr), sizeof hdr);
  for (int r = 0; r < centres_.rows; ++r)
    b.append(reinterpret_cast<const char*>(centres_.ptr<float>(r)), std::size_t(centres_.cols) * sizeof(float));
  for (std::size_t i = 0; i < tiles_.size(); ++i) {
    const std::int32_t v[5] = {tiles_[i].x, tiles_[i].y, tiles_[i].width, tiles_[i].height, tile_kp_[i]};
    b.append(reinterpret_cast<const char*>(v), sizeof v);
  }
  for (int ti : vector_tile_) put(b, std::int32_t(ti));
  cv::Mat h;
  vectors_.convertTo(h, CV_16F);
  for (int r = 0; r < h.rows; ++r) b.append(reinterpret_cast<const char*>(h.ptr(r)), std::size_t(h.cols) * 2);
  b += sha256_hex(b);
  try {
    write_file_atomic(path, b);
  } catch (const Error& e) {
    throw Error{Errc::io, std::string("match.retrieval: save: ") + e.what()};
  }
}

TileRetrieval TileRetrieval::load(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) fail(Errc::not_found, name + ": no such file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) fail(Errc::io, name + ": cannot stat: " + ec.message());
  if (size > (std::uintmax_t(1) << 32)) fail(Errc::corrupt_data, name + ": implausibly large (" + std::to_string(size) + " bytes)");
  std::string b(std::size_t(size), '\0');
  {
    std::ifstream f(path, std::ios::binary);
    if (!f.read(b.data(), std::streamsize(b.size()))) fail(Errc::io, name + ": cannot read");
  }
  if (b.size() < 8 || std::memcmp(b.data(), kMagic, 8) != 0)
    fail(Errc::corrupt_data, name + ": not a tile retrieval file (bad magic)");
  Reader rd(b, name);
  rd.get<std::uint64_t>();
  const auto version = rd.get<std::uint32_t>();
  if (version != kVersion)
    fail(Errc::unsupported, name + ": version " + std::to_string(version) + ", this build reads " + std::to_string(kVersion));
  std::int32_t h[10];
  rd.read(h, sizeof h);
  const int w = h[0], ht = h[1], tile = h[2], stride = h[3], type = h[4], cols = h[5], k = h[6], d = h[7], nt = h[8],
            nv = h[9];
  const bool sane = w >= 1 && ht >= 1 && w <= 1'000'000 && ht <= 1'000'000 && tile >= 16 && stride >= 1 &&
                    stride <= tile && (type == CV_32F || type == CV_8U) && cols >= 1 && cols <= 4096 &&
                    d == (type == CV_8U ? cols * 8 : cols) && k >= 2 && k <= 1024 && nt >= 1 && nv >= 0 && nv <= nt;
  if (!sane) fail(Errc::corrupt_data, name + ": header values out of range");
  if (origin_count(w, tile, stride) * origin_count(ht, tile, stride) != nt)
    fail(Errc::corrupt_data, name + ": tile count does not match the tile grid");
  const std::uint64_t expect = rd.pos() + std::uint64_t(k) * d * 4 + std::uint64_t(nt) * 20 + std::uint64_t(nv) * 4 +
                               std::uint64_t(nv) * k * d * 2 + kChecksumBytes;
  if (b.size() < expect)
    fail(Errc::corrupt_data, name + ": truncated (" + std::to_string(b.size()) + " bytes, expected " + std::to_string(expect) + ")");
  if (b.size() > expect)
    fail(Errc::corrupt_data, name + ": " + std::to_string(b.size() - expect) + " unexpected trailing bytes");
  if (sha256_hex(std::string_view(b).substr(0, b.size() - kChecksumBytes)) != b.substr(b.size() - kChecksumBytes))
    fail(Errc::corrupt_data, name + ": checksum mismatch (file damaged or altered)");
  TileRetrieval t;
  t.ref_size_ = cv::Size(w, ht);
  t.tile_px_ = tile;
  t.stride_px_ = stride;
  t.desc_type_ = type;
  t.desc_cols_ = cols;
  t.centres_.create(k, d, CV_32F);
  for (int r = 0; r < k; ++r) rd.read(t.centres_.ptr<float>(r), std::size_t(d) * 4);
  if (!cv::checkRange(t.centres_)) fail(Errc::corrupt_data, name + ": non-finite codebook values");
  const std::vector<cv::Rect> grid = tile_grid(cv::Size(w, ht), tile, stride);  // nt entries, bounded by the file
  t.tiles_.resize(std::size_t(nt));
  t.tile_kp_.resize(std::size_t(nt));
  for (int i = 0; i < nt; ++i) {
    std::int32_t v[5];
    rd.read(v, sizeof v);
    t.tiles_[std::size_t(i)] = cv::Rect(v[0], v[1], v[2], v[3]);
    t.tile_kp_[std::size_t(i)] = v[4];
    if (t.tiles_[std::size_t(i)] != grid[std::size_t(i)] || v[4] < 0)
      fail(Errc::corrupt_data, name + ": tile " + std::to_string(i) + " does not match the tile grid");
  }
  t.vector_tile_.resize(std::size_t(nv));
  for (int i = 0; i < nv; ++i) {
    const int ti = rd.get<std::int32_t>();
    if (ti < 0 || ti >= nt || (i > 0 && ti <= t.vector_tile_[std::size_t(i) - 1]))
      fail(Errc::corrupt_data, name + ": vector table out of order or out of range");
    t.vector_tile_[std::size_t(i)] = ti;
  }
  cv::Mat half(nv, k * d, CV_16F);
  for (int r = 0; r < nv; ++r) rd.read(half.ptr(r), std::size_t(k) * d * 2);
  half.convertTo(t.vectors_, CV_32F);
  if (nv == 0) t.vectors_ = cv::Mat(0, k * d, CV_32F);
  if (!cv::checkRange(t.vectors_)) fail(Errc::corrupt_data, name + ": non-finite tile vectors");
  return t;
}

}  // namespace geo
