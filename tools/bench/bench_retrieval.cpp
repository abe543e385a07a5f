// SPDX-License-Identifier: Apache-2.0
// Benchmark of geo::TileRetrieval (see scripts/bench-retrieval.sh): how often the tile holding a view's
// true centre is ranked in the top 1/3/5, per view date x reference date and tile geometry; build and
// rank time, file size; and (with "align") whether restricting align_frame's keypoint matching to the
// keypoints of the top tiles changes its success. Views are rendered as in bench_match.
//   bench_retrieval DIR N SEED [align]   DIR holds ref_<date>.tif (1 m, same grid); files are written there
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <opencv2/features2d.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/match/align.hpp"
#include "geo/match/retrieval.hpp"
#include "support/match_views.hpp"

namespace {

using geo::test::views::apply;
const cv::Size kFrame = geo::test::views::kBenchFrame;
using geo::test::views::bench_view;
using geo::test::views::shift;
using geo::test::views::View;

using Clock = std::chrono::steady_clock;
double secs(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }


// Frame descriptors as align_frame computes them without priors: grey, shrunk to <= 900 px, SIFT
// (4000 features, 3 layers, contrast 0.02). `k` overrides the shrink factor (e.g. to the index GSD).
cv::Mat frame_sift(const cv::Mat& bgr, double k = 0) {
  cv::Mat g, w;
  cv::cvtColor(bgr, g, cv::COLOR_BGR2GRAY);
  if (k <= 0) k = std::min(1.0, 900.0 / std::max(g.cols, g.rows));
  cv::resize(g, w, cv::Size(), k, k, cv::INTER_AREA);
  std::vector<cv::KeyPoint> kp;
  cv::Mat d;
  cv::SIFT::create(4000, 3, 0.02)->detectAndCompute(w, cv::noArray(), kp, d);
  return d;
}

bool contains(const cv::Rect& r, cv::Point2d p) { return p.x >= r.x && p.y >= r.y && p.x < r.br().x && p.y < r.br().y; }

int hit_rank(const std::vector<geo::RankedTile>& ranked, cv::Point2d p) {
  for (std::size_t i = 0; i < ranked.size(); ++i)
    if (contains(ranked[i].rect, p)) return int(i) + 1;
  return 0;
}

struct Geometry {
  int tile, stride;
};

struct Hits {
  int n = 0, top1 = 0, top3 = 0, top5 = 0;
  std::vector<std::pair<double, int>> z_rank;  // peak_z and hit rank per view
  double chance1 = 0, chance3 = 0, rank_s = 0;
  void add(int r) {
    ++n;
    top1 += r == 1;
    top3 += r >= 1 && r <= 3;
    top5 += r >= 1 && r <= 5;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: bench_retrieval DIR N SEED [align]\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const int n = std::stoi(argv[2]);
  const unsigned seed = unsigned(std::stoul(argv[3]));
  const bool with_align = argc > 4 && std::string(argv[4]) == "align";
  const double ref_gsd = 1.0;
  std::map<std::string, cv::Mat> img;
  for (const char* d : {"2009", "2014", "2020"}) {
    img[d] = cv::imread((dir / ("ref_" + std::string(d) + ".tif")).string());
    if (img[d].empty()) {
      std::fprintf(stderr, "missing ref_%s.tif\n", d);
      return 1;
    }
  }
  // Unrelated imagery (Landsat, Bahamas and Peru) for views that have no true tile.
  std::vector<cv::Mat> unrelated;
  for (const char* f : {"landsat_a.png", "landsat_b.png"}) {
    cv::Mat u = cv::imread((dir / f).string());
    if (u.empty()) continue;
    cv::resize(u, u, cv::Size(), 4, 4, cv::INTER_CUBIC);
    unrelated.push_back(u);
  }
  const std::vector<Geometry> geoms = {{700, 350}, {1050, 350}, {1050, 525}, {1400, 700}};
  geo::AlignOptions opts;
  std::map<std::string, geo::ReferenceIndex> index;
  std::map<std::string, std::vector<geo::TileRetrieval>> ret;
  std::printf("%-5s %10s %8s %6s %8s %9s %9s %10s\n", "ref", "keypoints", "index_s", "tile", "stride", "tiles", "build_s",
              "file_kB");
  for (auto& [d, m] : img) {
    auto t0 = Clock::now();
    index.emplace(d, geo::ReferenceIndex::build(m, cv::Mat(), ref_gsd, opts));
    const double ti = secs(t0);
    const auto& ix = index.at(d);
    for (const Geometry& g : geoms) {
      t0 = Clock::now();
      auto r = geo::TileRetrieval::build(ix.keypoints(), ix.descriptors(), ix.size(), g.tile, g.stride);
      const double tb = secs(t0);
      const auto file = dir / ("vlad_" + d + "_" + std::to_string(g.tile) + "_" + std::to_string(g.stride) + ".bin");
      r.save(file);
      auto loaded = geo::TileRetrieval::load(file);
      std::printf("%-5s %10zu %8.1f %6d %8d %5d/%-3zu %9.2f %10.0f\n", d.c_str(), ix.keypoint_count(), ti, g.tile,
                  g.stride, loaded.ranked_tile_count(), loaded.tiles().size(), tb,
                  double(std::filesystem::file_size(file)) / 1024);
      ret[d].push_back(std::move(loaded));
    }
  }
  const std::vector<std::pair<std::string, std::string>> pairings = {
      {"2020", "2020"}, {"2014", "2014"}, {"2020", "2014"}, {"2020", "2009"}, {"landsat", "2020"}};
  struct Align {
    int n = 0, ok_full = 0, ff_full = 0, ok_top = 0, ff_top = 0, both = 0;
    double t_full = 0, t_top = 0;
    // Policies: "fallback" tries the top 3 tiles and searches everything when nothing passes the gates;
    // "gated" does that only when the ranking is distinct (peak_z >= 3), else searches everything.
    int ok_fb = 0, ff_fb = 0, ok_gated = 0, ff_gated = 0, distinct = 0;
    double t_fb = 0, t_gated = 0;
  };
  std::map<std::string, Align> align;
  // hits[pairing][geometry][frame scale variant]
  std::map<std::string, std::vector<std::array<Hits, 2>>> hits;
  for (const auto& [vd, rd] : pairings) {
    const std::string key = vd + "->" + rd;
    hits[key].resize(geoms.size());
    std::mt19937 rng(seed + std::hash<std::string>{}(vd + rd) % 1000);
    if (vd == "landsat" && unrelated.empty()) continue;
    for (int i = 0; i < n; ++i) {
      cv::theRNG().state = 1000003ull * seed + std::uint64_t(i);  // render's noise; align_frame also draws
      View v = bench_view(vd == "landsat" ? unrelated[std::size_t(i) % unrelated.size()] : img.at(vd), rng, ref_gsd);
      if (vd == "landsat") v.truth_px = {-1e6, -1e6};  // no tile holds it: every hit rate must be 0
      // Variant 0: the frame shrunk to <= 900 px (align_frame without priors); variant 1: the frame
      // shrunk to the index resolution (what a known GSD allows).
      const cv::Mat desc[2] = {frame_sift(v.img), frame_sift(v.img, v.gsd_m / index.at(rd).kp_gsd_m())};
      for (std::size_t g = 0; g < geoms.size(); ++g) {
        const auto& r = ret.at(rd)[g];
        for (int s = 0; s < 2; ++s) {
          auto t0 = Clock::now();
          const geo::TileRanking ranking = r.rank(desc[s], 0);
          const auto& ranked = ranking.tiles;
          Hits& h = hits[key][g][std::size_t(s)];
          h.rank_s += secs(t0);
          h.add(hit_rank(ranked, v.truth_px));
          h.z_rank.emplace_back(ranking.peak_z, hit_rank(ranked, v.truth_px));
          int holding = 0;
          for (const auto& t : ranked) holding += contains(t.rect, v.truth_px);
          h.chance1 += double(holding) / std::max<std::size_t>(1, ranked.size());
          h.chance3 += std::min(1.0, 3.0 * holding / std::max<std::size_t>(1, ranked.size()));
        }
      }
      if (!with_align) continue;
      // align_frame without priors on the whole index vs on the keypoints of the top 3 tiles only
      // (geometry 1: 1050/350), same frame.
      Align& a = align[key];
      const auto& ix = index.at(rd);
      auto t0 = Clock::now();
      const geo::Alignment full = geo::align_frame(v.img, ix, geo::ViewPrior{}, opts);
      const double tf = secs(t0);
      a.t_full += tf;
      t0 = Clock::now();
      const geo::TileRanking ranking = ret.at(rd)[1].rank(desc[0], 3);
      const auto& top = ranking.tiles;
      std::vector<cv::KeyPoint> kp;
      cv::Mat dsub;
      std::vector<int> keep;
      for (int k = 0; k < int(ix.keypoint_count()); ++k) {
        const cv::Point2d p(std::floor(ix.keypoints()[std::size_t(k)].pt.x + 0.5), std::floor(ix.keypoints()[std::size_t(k)].pt.y + 0.5));
        for (const auto& t : top)
          if (contains(t.rect, p)) {
            keep.push_back(k);
            break;
          }
      }
      dsub.create(int(keep.size()), ix.descriptors().cols, ix.descriptors().type());
      for (std::size_t k = 0; k < keep.size(); ++k) {
        kp.push_back(ix.keypoints()[std::size_t(keep[k])]);
        ix.descriptors().row(keep[k]).copyTo(dsub.row(int(k)));
      }
      const auto sub = geo::ReferenceIndex::from_keypoints(img.at(rd), cv::Mat(), ref_gsd, opts, kp, dsub, ix.kp_gsd_m());
      const geo::Alignment restricted = geo::align_frame(v.img, sub, geo::ViewPrior{}, opts);
      const double tt = secs(t0);
      a.t_top += tt;
      const auto err = [&](const geo::Alignment& al) {
        const cv::Point2d e = apply(al.ref_from_frame, {640, 360});
        return std::hypot(e.x - v.truth_px.x, e.y - v.truth_px.y) * ref_gsd;
      };
      ++a.n;
      const bool okf = full.found && err(full) <= 10, okt = restricted.found && err(restricted) <= 10;
      a.ok_full += okf;
      a.ok_top += okt;
      a.both += okf && okt;
      a.ff_full += full.found && err(full) > 50;
      a.ff_top += restricted.found && err(restricted) > 50;
      const geo::Alignment& fb = restricted.found ? restricted : full;
      const bool okfb = fb.found && err(fb) <= 10, fffb = fb.found && err(fb) > 50;
      const double tfb = tt + (restricted.found ? 0.0 : tf);
      a.ok_fb += okfb;
      a.ff_fb += fffb;
      a.t_fb += tfb;
      const bool d = ranking.distinct();
      a.distinct += d;
      a.ok_gated += d ? okfb : okf;
      a.ff_gated += d ? fffb : full.found && err(full) > 50;
      a.t_gated += d ? tfb : tf;
    }
  }
  std::printf("\nhit = a ranked tile contains the view's true centre; chance = expected rate of a random ranking\n");
  std::printf("%-11s %-9s %-11s %4s %6s %6s %6s %9s %9s %8s\n", "view->ref", "tile/str", "frame", "n", "top1", "top3",
              "top5", "chance1", "chance3", "rank_ms");
  for (const auto& [vd, rd] : pairings) {
    const std::string key = vd + "->" + rd;
    if (hits[key].empty() || hits[key][0][0].n == 0) continue;
    for (std::size_t g = 0; g < geoms.size(); ++g)
      for (int s = 0; s < 2; ++s) {
        const Hits& h = hits[key][g][std::size_t(s)];
        const std::string gs = std::to_string(geoms[g].tile) + "/" + std::to_string(geoms[g].stride);
        std::printf("%-11s %-9s %-11s %4d %5.0f%% %5.0f%% %5.0f%% %8.0f%% %8.0f%% %8.2f\n", key.c_str(), gs.c_str(),
                    s == 0 ? "<=900px" : "index-gsd", h.n, 100.0 * h.top1 / h.n, 100.0 * h.top3 / h.n,
                    100.0 * h.top5 / h.n, 100.0 * h.chance1 / h.n, 100.0 * h.chance3 / h.n, 1000 * h.rank_s / h.n);
      }
  }
  // Is a peaked ranking a trustworthy one? Views whose best tile stands out by peak_z >= Z, and how
  // often that best tile is right (geometry 1050/350, frames <= 900 px).
  std::printf("\npeak_z of the ranking (1050/350, <=900px): views with z >= Z and their top-1 hit rate\n");
  std::printf("%-11s %8s", "view->ref", "median_z");
  for (double z : {2.0, 3.0, 4.0, 5.0}) std::printf("    z>=%.0f(n,top1)", z);
  std::printf("\n");
  for (const auto& [vd, rd] : pairings) {
    const std::string key = vd + "->" + rd;
    if (hits[key].empty() || hits[key][0][0].n == 0) continue;
    auto zr = hits[key][1][0].z_rank;
    std::vector<double> zs;
    for (auto& [z, r] : zr) zs.push_back(z);
    std::sort(zs.begin(), zs.end());
    std::printf("%-11s %8.2f", key.c_str(), zs.empty() ? 0.0 : zs[zs.size() / 2]);
    for (double z0 : {2.0, 3.0, 4.0, 5.0}) {
      int m = 0, ok = 0;
      for (auto& [z, r] : zr)
        if (z >= z0) {
          ++m;
          ok += r == 1;
        }
      std::printf("    %4d %5.0f%%    ", m, m ? 100.0 * ok / m : 0.0);
    }
    std::printf("\n");
  }
  if (with_align) {
    std::printf("\nalign_frame without priors: whole index vs keypoints of the top 3 tiles (1050/350)\n");
    std::printf("%-11s %4s %9s %8s %8s | %9s %8s %8s | %5s\n", "view->ref", "n", "ok_full", "ff_full", "s_full",
                "ok_top3", "ff_top3", "s_top3", "both");
    for (const auto& [key, a] : align)
      std::printf("%-11s %4d %8.0f%% %8d %8.2f | %8.0f%% %8d %8.2f | %5d\n", key.c_str(), a.n, 100.0 * a.ok_full / a.n,
                  a.ff_full, a.t_full / a.n, 100.0 * a.ok_top / a.n, a.ff_top, a.t_top / a.n, a.both);
    std::printf("\npolicies: fallback = top 3 tiles, then everything if nothing passed; gated = fallback only when\n"
                "the ranking is distinct (peak_z >= 3), else everything. Times include rank() but not the frame SIFT\n"
                "it ranks with (align_frame computes the same descriptors; integrated, they are computed once)\n");
    std::printf("%-11s %4s %8s | %8s %8s %8s | %8s %8s %8s\n", "view->ref", "n", "distinct", "ok_fb", "ff_fb", "s_fb",
                "ok_gate", "ff_gate", "s_gate");
    for (const auto& [key, a] : align)
      std::printf("%-11s %4d %8d | %7.0f%% %8d %8.2f | %7.0f%% %8d %8.2f\n", key.c_str(), a.n, a.distinct,
                  100.0 * a.ok_fb / a.n, a.ff_fb, a.t_fb / a.n, 100.0 * a.ok_gated / a.n, a.ff_gated, a.t_gated / a.n);
  }
  return 0;
}
