// SPDX-License-Identifier: Apache-2.0
#include "match/index_cache.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <memory>

#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/provenance.hpp"

namespace geo::match_detail {

namespace {

constexpr char kMagic[8] = {'G', 'E', 'O', 'K', 'P', 'T', 'S', '1'};

// keypoints.bin: magic, count, descriptor cols and OpenCV type, kp_gsd_m; then per keypoint x, y,
// size, angle, response (float32) and octave (int32); then the descriptor rows. Little-endian as the
// machine writes it (a cache, not an exchange format).
void write_keypoints(const std::filesystem::path& file, const ReferenceIndex& idx) {
  std::ofstream f(file, std::ios::binary);
  const auto& kp = idx.keypoints();
  const cv::Mat& d = idx.descriptors();
  const std::int64_t n = std::int64_t(kp.size());
  const std::int32_t cols = d.cols, type = d.type();
  const double kg = idx.kp_gsd_m();
  f.write(kMagic, 8);
  f.write(reinterpret_cast<const char*>(&n), sizeof n);
  f.write(reinterpret_cast<const char*>(&cols), sizeof cols);
  f.write(reinterpret_cast<const char*>(&type), sizeof type);
  f.write(reinterpret_cast<const char*>(&kg), sizeof kg);
  for (const auto& k : kp) {
    const float v[5] = {k.pt.x, k.pt.y, k.size, k.angle, k.response};
    const std::int32_t oct = k.octave;
    f.write(reinterpret_cast<const char*>(v), sizeof v);
    f.write(reinterpret_cast<const char*>(&oct), sizeof oct);
  }
  for (int r = 0; r < d.rows; ++r) f.write(reinterpret_cast<const char*>(d.ptr(r)), std::streamsize(d.cols * d.elemSize()));
  if (!f) throw Error{Errc::io, "match.index: " + file.string() + ": cannot write"};
}

bool read_keypoints(const std::filesystem::path& file, std::vector<cv::KeyPoint>& kp, cv::Mat& d, double& kg) {
  std::ifstream f(file, std::ios::binary);
  char magic[8];
  std::int64_t n = 0;
  std::int32_t cols = 0, type = 0;
  if (!f.read(magic, 8) || std::memcmp(magic, kMagic, 8) != 0) return false;
  f.read(reinterpret_cast<char*>(&n), sizeof n);
  f.read(reinterpret_cast<char*>(&cols), sizeof cols);
  f.read(reinterpret_cast<char*>(&type), sizeof type);
  f.read(reinterpret_cast<char*>(&kg), sizeof kg);
  if (!f || n < 0 || n > 50'000'000 || cols <= 0 || cols > 4096 || (type != CV_32F && type != CV_8U)) return false;
  kp.resize(std::size_t(n));
  for (auto& k : kp) {
    float v[5];
    std::int32_t oct = 0;
    f.read(reinterpret_cast<char*>(v), sizeof v);
    f.read(reinterpret_cast<char*>(&oct), sizeof oct);
    k = cv::KeyPoint(v[0], v[1], v[2], v[3], v[4], oct);
  }
  d.create(int(n), cols, type);
  for (int r = 0; r < d.rows; ++r) f.read(reinterpret_cast<char*>(d.ptr(r)), std::streamsize(d.cols * d.elemSize()));
  return bool(f) && f.peek() == std::char_traits<char>::eof();
}

}  // namespace

std::filesystem::path cache_entry(const std::filesystem::path& dir, const Json& key) {
  return dir / sha256_hex(geo::dump_json(key)).substr(0, 24);
}

std::optional<CachedReference> load_cached(const std::filesystem::path& entry, const Json& key,
                                           const AlignOptions& opts, Diagnostics& diags) {
  const auto meta_file = entry / "index.json";
  if (!std::filesystem::exists(meta_file)) return std::nullopt;
  try {
    const Json meta = read_json_file(meta_file);
    if (meta.value("key", Json()) != key) {
      diags.warn("match.index_mismatch", "index cache entry " + entry.string() + " was made for other inputs; rebuilding");
      return std::nullopt;
    }
    const bool has_retrieval = meta["sha256"].contains("retrieval.bin");
    for (const char* f : {"reference.tif", "keypoints.bin", "retrieval.bin"}) {
      if (std::string(f) == "retrieval.bin" && !has_retrieval) continue;
      if (sha256_file(entry / f) != meta["sha256"].value(f, std::string())) {
        diags.warn("match.index_altered", "index cache file " + (entry / f).string() +
                                              " differs from what was recorded; not used, rebuilding");
        return std::nullopt;
      }
    }
    GeoImage img = read_geotiff(entry / "reference.tif");
    img.gsd_m = meta.at("gsd_m").get<double>();
    std::vector<cv::KeyPoint> kp;
    cv::Mat desc;
    double kg = 0;
    if (!read_keypoints(entry / "keypoints.bin", kp, desc, kg)) {
      diags.warn("match.index_corrupt", "index cache entry " + entry.string() + " is unreadable; rebuilding");
      return std::nullopt;
    }
    ReferenceIndex idx = ReferenceIndex::from_keypoints(img.image, img.valid, img.gsd_m, opts, std::move(kp),
                                                        std::move(desc), kg);
    if (has_retrieval && opts.retrieval) idx.set_retrieval(std::make_shared<const TileRetrieval>(TileRetrieval::load(entry / "retrieval.bin")));
    else idx.build_retrieval(opts);
    diags.info("match.index_cached", "reference and keypoint index read from the cache " + entry.string());
    return CachedReference{std::move(img), std::move(idx)};
  } catch (const Error& e) {
    diags.warn("match.index_corrupt", "index cache entry " + entry.string() + ": " + e.what() + "; rebuilding");
    return std::nullopt;
  }
}

void store_cached(const std::filesystem::path& entry, const Json& key, const GeoImage& image,
                  const ReferenceIndex& index, Diagnostics& diags) {
  try {
    std::filesystem::create_directories(entry.parent_path());
    if (std::filesystem::exists(entry)) return;  // another process stored it meanwhile
    AtomicDir out(entry);
    const Json prov = to_json(make_provenance("match.index", key, {}));
    write_geotiff(image, out.temp_dir() / "reference.tif", prov);
    std::filesystem::remove(out.temp_dir() / "reference.tif.provenance.json");
    write_keypoints(out.temp_dir() / "keypoints.bin", index);
    Json sums = {{"reference.tif", sha256_file(out.temp_dir() / "reference.tif")},
                 {"keypoints.bin", sha256_file(out.temp_dir() / "keypoints.bin")}};
    if (index.retrieval()) {
      index.retrieval()->save(out.temp_dir() / "retrieval.bin");
      sums["retrieval.bin"] = sha256_file(out.temp_dir() / "retrieval.bin");
    }
    Json meta = {{"format", "geoev-match-index"},
                 {"key", key},
                 {"gsd_m", image.gsd_m},
                 {"keypoints", index.keypoint_count()},
                 {"sha256", sums},
                 {"provenance", prov}};
    write_file_atomic(out.temp_dir() / "index.json", geo::dump_json(meta, 2) + "\n");
    out.commit();
    diags.info("match.index_stored", "reference and keypoint index cached in " + entry.string());
  } catch (const std::exception& e) {
    diags.warn("match.index_not_stored", std::string("could not cache the index: ") + e.what());
  }
}

}  // namespace geo::match_detail
