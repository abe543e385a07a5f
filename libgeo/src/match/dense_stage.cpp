// SPDX-License-Identifier: Apache-2.0
#include "match/dense_stage.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "match/block_check.hpp"
#include "match/dense_search.hpp"
#include "match/gates.hpp"
#include "match/keypoints.hpp"
#include "match/refinement.hpp"
#include "match/tuning.hpp"

namespace geo::match_detail {

namespace {

struct Candidate {
  int place = 0;  // the peak that stands for the place (its score and z)
  int start = 0;  // the peak the refinement starts from
  LocalFit fit;
};

// What to refine. With a scale prior: the best place, started from its best peak and from the best
// peaks of up to three other hypotheses there (the coarse grid can leave one hypothesis' peak a few
// pixels off the optimum), and the next kPriorPlaces - 1 distinct places (one peak each), the field
// the best refined place must stand out of. Without: every distinct place stage B kept.
std::vector<Candidate> choose_candidates(const std::vector<Peak>& peaks, const std::vector<int>& order, bool free,
                                         cv::Size fs, double ref_gsd_m) {
  std::vector<Candidate> cands;
  auto is_new_place = [&](int idx) {
    return std::none_of(cands.begin(), cands.end(),
                        [&](const Candidate& c) { return same_place(peaks[c.place], peaks[idx], fs, ref_gsd_m); });
  };
  int starts = 1, places = 1;  // with a scale prior: starts at the best place, distinct places
  for (int idx : order) {
    if (free) {
      if (is_new_place(idx)) cands.push_back({idx, idx, {}});
    } else if (cands.empty()) {
      cands.push_back({idx, idx, {}});
    } else if (same_place(peaks[cands[0].place], peaks[idx], fs, ref_gsd_m)) {
      const Hyp &a = peaks[idx].hyp, &b = peaks[cands[0].place].hyp;
      if (starts < kPriorStartsAtBest && (a.gsd_m != b.gsd_m || a.heading_deg != b.heading_deg || a.tilt_deg != b.tilt_deg)) {
        cands.push_back({cands[0].place, idx, {}});
        ++starts;
      }
    } else if (places < kPriorPlaces && is_new_place(idx)) {
      cands.push_back({idx, idx, {}});
      ++places;
    }
  }
  return cands;
}

// How far refined place i stands above the other places: its refined correlation over the best
// refined at a clearly different place (`ratio`), and in standard deviations above the mean of all
// those others (`z`). Under chance every place is a chance peak and the best stands a few sd above
// the rest. Both mean something only against many other places: with fewer than kStandingMinPlaces
// they are not computed.
struct Standing {
  double ratio = 0, z = 0;
};
Standing standing_of(const std::vector<Candidate>& cands, size_t i, cv::Size fs, double ref_gsd_m) {
  Standing st;
  if (int(cands.size()) < kStandingMinPlaces || !cands[i].fit.ok) return st;
  const cv::Point2d ci = apply(cands[i].fit.ref_from_frame, frame_centre(fs));
  const double apart_px = kSamePlaceShare * cands[i].fit.hyp.gsd_m * fs.width / ref_gsd_m;
  std::vector<double> others;
  for (size_t j = 0; j < cands.size(); ++j) {
    if (j == i || !cands[j].fit.ok) continue;
    if (distance_px(apply(cands[j].fit.ref_from_frame, frame_centre(fs)), ci) > apart_px)
      others.push_back(cands[j].fit.ncc_fine);
  }
  if (int(others.size()) < kStandingMinPlaces - 1) return st;
  const double top = *std::max_element(others.begin(), others.end());
  cv::Scalar mean, sd;
  cv::meanStdDev(others, mean, sd);
  st.ratio = top > 0 ? cands[i].fit.ncc_fine / std::max(kStandingTopFloor, top) : 0.0;
  st.z = (cands[i].fit.ncc_fine - mean[0]) / std::max(kStandingSdFloor, sd[0]);
  return st;
}

// Other refinements of the same place that the refined correlation can hardly tell from place i's:
// the fix is uncertain by at least their distance (metres).
double rival_spread_m(const std::vector<Candidate>& cands, size_t i, cv::Size fs, double ref_gsd_m) {
  double spread = 0;
  if (!cands[i].fit.ok) return spread;
  const cv::Point2d ci = apply(cands[i].fit.ref_from_frame, frame_centre(fs));
  const double same_px = kSamePlaceShare * cands[i].fit.hyp.gsd_m * fs.width / ref_gsd_m;
  for (size_t j = 0; j < cands.size(); ++j) {
    if (j == i || !cands[j].fit.ok || cands[j].fit.ncc_fine < kRivalShare * cands[i].fit.ncc_fine) continue;
    const cv::Point2d cj = apply(cands[j].fit.ref_from_frame, frame_centre(fs));
    const double d = std::hypot(cj.x - ci.x, cj.y - ci.y);
    if (d < same_px) spread = std::max(spread, d * ref_gsd_m);
  }
  return spread;
}

// Local keypoints confirm and sharpen a dense fix: when enough of them agree with it, the fix becomes
// theirs ("dense+keypoints"), at the higher of the two confidences.
void confirm_with_keypoints(Alignment& a, const FramePyramid& grey, const ReferenceIndex& ref, const AlignOptions& o,
                            double L) {
  const cv::Size fs = grey.full().size();
  cv::Matx33d hk;
  const KeypointFit kf = verify_keypoints(grey, ref, a.ref_from_frame, kConfirmMarginCoarsePx * L / ref.gsd_m(), o, hk);
  if (!kf.ok || kf.inliers < o.min_inliers || kf.hull_share < o.min_hull_share) return;
  const double moved = distance_px(apply(hk, frame_centre(fs)), apply(a.ref_from_frame, frame_centre(fs)));
  if (moved >= kConfirmAgreeCoarsePx * L / ref.gsd_m() || !footprint_problem(hk, fs).empty()) return;
  Alignment b = a;
  b.method = AlignMethod::dense_keypoints;
  score_keypoints(b, kf, o, ref.gsd_m(), kKpErrorFloorIndexPx * ref.kp_gsd_m());
  b.confidence = std::max(b.confidence, a.confidence);
  b.ref_from_frame = hk;
  b.inlier_pairs = kf.pairs;
  b.frame_gsd_m = local_scale(hk, fs) * ref.gsd_m();
  a = b;
}

// What a gated candidate is judged with besides its own refinement.
struct Context {
  const DenseFrames& frames;
  const ReferenceIndex& ref;
  const ViewPrior& p;
  const SearchRanges& ranges;
  const AlignOptions& o;
  const std::vector<Peak>& peaks;
  const std::vector<int>& order;  // peaks by score, best first
  bool wide_area;
};

Alignment judge(const Context& cx, const Candidate& cand, const Standing& standing, double rival_m) {
  const cv::Size fs = cx.frames.dense.full().size();
  const double ref_gsd = cx.ref.gsd_m();
  const Peak& pk = cx.peaks[cand.place];
  double second = 0;  // the highest peak at a clearly different place
  for (int j : cx.order)
    if (!same_place(pk, cx.peaks[j], fs, ref_gsd)) {
      second = std::max(0.0, cx.peaks[j].score);
      break;
    }
  Alignment a;
  a.method = AlignMethod::dense;
  a.ncc = pk.score;
  a.peak_ratio = second > 1e-6 ? pk.score / second : kNoRivalPeakRatio;
  const Peak& start = cx.peaks[cand.start];
  const double L = level_gsd(start.hyp, fs, ref_gsd);
  const LocalFit& lf = cand.fit;
  a.ref_from_frame = lf.ok ? lf.ref_from_frame : start.ref_from_frame;
  a.ncc_fine = lf.ok ? lf.ncc_fine : 0.0;
  a.drift_px = lf.ok ? lf.drift_coarse_px : 0.0;
  a.frame_gsd_m = local_scale(a.ref_from_frame, fs) * ref_gsd;
  a.peak_z = pk.z;
  if (lf.ok) {
    const BlockCheck bc = check_blocks(cx.frames.dense, cx.ref, a.ref_from_frame, lf.L_fine);
    a.blocks_localized = bc.localized;
    a.blocks_agree = bc.agree;
    a.blocks_spread = bc.spread;
  }
  a.fine_ratio = standing.ratio;
  a.fine_z = standing.z;
  const DenseGateInput gi{.peak_ratio = a.peak_ratio,
                          .peak_z = a.peak_z,
                          .refined = lf.ok,
                          .ncc_fine = a.ncc_fine,
                          .drift_coarse_px = a.drift_px,
                          .blocks_agree = a.blocks_agree,
                          .blocks_localized = a.blocks_localized,
                          .fine_ratio = a.fine_ratio,
                          .fine_z = a.fine_z};
  const bool free = !cx.ranges.scale_known;
  const DenseSearchKind kind{.free = free,
                             .heading_prior = cx.ranges.heading_known,
                             .wide = !free && cx.wide_area,
                             .colour = cx.frames.dense.colour};
  const DenseDecision dd = dense_confidence(gi, kind, cx.o.min_confidence);
  a.confidence = dd.confidence;
  if (dd.unconfirmed)
    a.diagnostics.info("match.dense_unconfirmed",
                       "the dense fix passed on its peak evidence or its refined standing alone; with these "
                       "priors (not both scale and heading, or a search area over 1.6 km) it needs the blocks "
                       "or both");
  // About a 90 % bound, at least the refinement's move and the rival refinements' spread.
  a.rival_spread_m = rival_m;
  a.error_m = std::max({(lf.ok ? lf.L_fine : L) * kDenseErrorFinePx, kDenseErrorPerDrift * a.drift_px * L,
                        kDenseErrorPerRival * a.rival_spread_m});
  confirm_with_keypoints(a, cx.frames.grey, cx.ref, cx.o, L);
  const std::string why = geometry_problem(cx.p, cx.ranges, cx.ref, a.ref_from_frame, fs);
  if (!why.empty()) {
    a.diagnostics.info("match.dense_rejected", "dense candidate rejected: " + why);
    a.confidence = std::min(a.confidence, kImplausibleConfidenceCap);
  }
  a.found = why.empty() && a.confidence >= cx.o.min_confidence;
  return a;
}

}  // namespace

Alignment dense_stage(const DenseFrames& frames, const ReferenceIndex& ref, const ViewPrior& p,
                      const SearchRanges& ranges, const AlignOptions& o, Alignment best) {
  const cv::Size fs = frames.dense.full().size();
  const bool free = !ranges.scale_known;
  // A search area wider than the one the scale-prior gates were calibrated on (no centre, or a
  // circle over kCalibratedRadiusM): searched by FFT, and gated as uncalibrated.
  const bool wide_area = !p.center_px || p.radius_px * ref.gsd_m() > kCalibratedRadiusM;
  const std::vector<Peak> peaks =
      free ? search_free(frames.dense, ref, p, ranges) : search_with_scale(frames.dense, ref, p, ranges, wide_area);
  if (peaks.empty()) {
    best.diagnostics.info("match.dense_none", "no dense hypothesis fits in the search area");
    return best;
  }
  std::vector<int> order(peaks.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int a, int b) { return peaks[a].score > peaks[b].score; });
  std::vector<Candidate> cands = choose_candidates(peaks, order, free, fs, ref.gsd_m());
  for (const auto& c : cands) {  // the levels are made first, with every core
    const double L = level_gsd(peaks[c.start].hyp, fs, ref.gsd_m());
    ref.level(L, frames.dense.colour);
    ref.level(std::max(ref.gsd_m(), L / 2), frames.dense.colour);
  }
  cv::parallel_for_(cv::Range(0, int(cands.size())), [&](const cv::Range& r) {
    for (int i = r.start; i < r.end; ++i) cands[i].fit = refine_dense(frames.dense, ref, p, ranges, peaks[cands[i].start]);
  });
  // Gated in order of the refined correlation, which ranks the true place first far more often than
  // the search score does. With a scale prior only the best candidate is gated (a place other than
  // the best peak's has a peak ratio under 1, so only the refined standing can accept it).
  std::stable_sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
    return (a.fit.ok ? a.fit.ncc_fine : -2.0) > (b.fit.ok ? b.fit.ncc_fine : -2.0);
  });
  // Standing and rivals are measured over all the refined places, so before the others are dropped.
  const size_t gated = std::min(cands.size(), size_t(free ? kGatedFree : kGatedPrior));
  std::vector<Standing> standing(gated);
  std::vector<double> rival_m(gated, 0.0);
  for (size_t i = 0; i < gated; ++i) {
    standing[i] = standing_of(cands, i, fs, ref.gsd_m());
    rival_m[i] = rival_spread_m(cands, i, fs, ref.gsd_m());
  }
  const Context cx{frames, ref, p, ranges, o, peaks, order, wide_area};
  for (size_t i = 0; i < gated; ++i) {
    Alignment a = judge(cx, cands[i], standing[i], rival_m[i]);
    if (a.found) return a;
    // The best rejected candidate is reported: a dense one over a keypoint one of equal confidence,
    // and among dense ones on a tie the better refined (the earlier).
    if (is_dense(best.method) ? a.confidence > best.confidence : a.confidence >= best.confidence) {
      Diagnostics keep = best.diagnostics;
      best = a;
      keep.append(a.diagnostics);
      best.diagnostics = keep;
    }
  }
  best.found = false;
  return best;
}

}  // namespace geo::match_detail
