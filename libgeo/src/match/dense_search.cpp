// SPDX-License-Identifier: Apache-2.0
#include "match/dense_search.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace geo::match_detail {

bool same_place(const Peak& a, const Peak& b, cv::Size frame, double ref_gsd_m) {
  return distance_px(a.center_ref, b.center_ref) < kSamePlaceShare * a.hyp.gsd_m * frame.width / ref_gsd_m;
}

namespace {

// The best `per_hyp` peaks of one hypothesis' score map; each suppresses a quarter of the template
// around it before the next is taken.
void take_peaks(HypScore& h, const Hyp& hyp, cv::Size fs, double ref_gsd_m, int per_hyp, std::vector<Peak>& out) {
  cv::Scalar mu, sd;
  cv::meanStdDev(h.score, mu, sd);
  const double chance_z = chance_peak_z(double(h.score.total()));
  for (int k = 0; k < per_hyp; ++k) {
    cv::Point2d at;
    const double mx = peak_of(h.score, at);
    const cv::Matx33d rf = ref_from_placement(h, at, ref_gsd_m);
    const int ex = std::max(kPeakSuppressMinPx, int(h.ts.width * kPeakSuppressShare));
    const int ey = std::max(kPeakSuppressMinPx, int(h.ts.height * kPeakSuppressShare));
    const cv::Point loc(int(std::lround(at.x)), int(std::lround(at.y)));
    out.push_back({mx, apply(rf, frame_centre(fs)), hyp, rf, (mx - mu[0]) / std::max(1e-6, sd[0]), chance_z, sd[0]});
    cv::rectangle(h.score, cv::Rect(loc.x - ex, loc.y - ey, 2 * ex + 1, 2 * ey + 1), cv::Scalar(-1), cv::FILLED);
  }
}

// Correlates the orientation field of the frame warped by each hypothesis with the reference's, over
// the search area. Returns every hypothesis' `per_hyp` best peaks.
std::vector<Peak> correlate_all(const FramePyramid& frame, const ReferenceIndex& ref, const ViewPrior& p,
                                const std::vector<Hyp>& hyps, Correlation how, int per_hyp) {
  const cv::Size fs = frame.full().size();
  // The levels are made first, with every core (inside the parallel loop each would be made on one).
  for (const Hyp& hyp : hyps) {
    const double L = level_gsd(hyp, fs, ref.gsd_m());
    ref.level(L, frame.colour);
    if (how != Correlation::template_match) ref.spectra(L, frame.colour);
  }
  std::vector<std::vector<Peak>> per(hyps.size());
  cv::parallel_for_(cv::Range(0, int(hyps.size())), [&](const cv::Range& range) {
    for (int i = range.start; i < range.end; ++i) {
      const Hyp& hyp = hyps[i];
      const double L = level_gsd(hyp, fs, ref.gsd_m());
      std::optional<cv::Point2d> c;
      if (p.center_px) c = *p.center_px * (ref.gsd_m() / L);
      const double r = p.radius_px * ref.gsd_m() / L + kSearchMarginLevelPx;
      HypScore h = correlate(how, frame, ref, hyp, p.hfov_deg, L, c, r);
      if (h.ok) take_peaks(h, hyp, fs, ref.gsd_m(), per_hyp, per[i]);
    }
  });
  std::vector<Peak> peaks;
  for (auto& v : per) peaks.insert(peaks.end(), v.begin(), v.end());
  return peaks;
}

std::vector<Hyp> hypotheses(const std::vector<double>& gsds, const std::vector<double>& tilts,
                            const std::vector<double>& headings, double px_across) {
  std::vector<Hyp> hyps;
  for (double g : gsds)
    for (double t : tilts)
      for (double hd : headings) hyps.push_back({g, t, hd, px_across});
  return hyps;
}

// Stage A's best distinct places inside the search area: half of them by correlation, the rest by z
// (how far a peak stands above its own hypothesis' map), both measured above the height the map's
// highest chance peak is expected to reach (chance_peak_z): the two rank true places differently, and
// a small scale's map, over a finer level, holds more placements and so higher chance peaks.
std::vector<Peak> distinct_places(std::vector<Peak> a, const ViewPrior& p, cv::Size fs, double ref_gsd_m, int keep) {
  std::vector<Peak> top;
  auto take = [&](auto better, int upto) {
    std::sort(a.begin(), a.end(), better);
    for (const Peak& pk : a) {
      if (int(top.size()) >= upto) break;
      // The FFT scores the whole level: keep only places inside the search area.
      if (p.center_px && distance_px(pk.center_ref, *p.center_px) > p.radius_px) continue;
      const double fp_px = pk.hyp.gsd_m * fs.width / ref_gsd_m;
      bool dup = false;
      for (const auto& t : top) dup |= distance_px(t.center_ref, pk.center_ref) < kSamePlaceShare * fp_px;
      if (!dup) top.push_back(pk);
    }
  };
  take([](const Peak& x, const Peak& y) { return x.score - x.map_sd * x.chance_z > y.score - y.map_sd * y.chance_z; },
       keep / 2);
  take([](const Peak& x, const Peak& y) { return x.z - x.chance_z > y.z - y.chance_z; }, keep);
  return top;
}

// Stage B: each place re-scored at the usual level in a small window, over the neighbouring scales,
// headings (half a step either side) and, when the tilt is unknown, tilts; the best hypothesis per
// place, which keeps its stage-A z.
std::vector<Peak> rescore_places(const FramePyramid& frame, const ReferenceIndex& ref, const ViewPrior& p,
                                 const SearchRanges& ranges, const std::vector<Peak>& top) {
  const cv::Size fs = frame.full().size();
  struct Job {
    Hyp hyp;
    int parent;
    double L;
  };
  std::vector<Job> jobs;
  const double gsd_step = kFreeScaleStep, heading_step = ranges.heading_step_deg;
  for (int i = 0; i < int(top.size()); ++i)
    for (double gf : {1 / std::sqrt(gsd_step), 1.0, std::sqrt(gsd_step)})
      for (double dh : {-heading_step / 2, 0.0, heading_step / 2})
        for (double dt : {-kStageBTiltStepDeg, 0.0, kStageBTiltStepDeg}) {
          const Hyp& h0 = top[i].hyp;
          if (ranges.tilt_known && dt != 0) continue;
          if (h0.tilt_deg + dt < 0) continue;
          const Hyp h{h0.gsd_m * gf, h0.tilt_deg + dt, h0.heading_deg + dh, kFootprintPx};
          jobs.push_back({h, i, level_gsd(h, fs, ref.gsd_m())});
        }
  for (const Job& j : jobs) ref.level(j.L, frame.colour);  // made first, as in correlate_all
  std::vector<Peak> out(jobs.size(), Peak{-2, {}, {}, cv::Matx33d::eye(), 0});
  cv::parallel_for_(cv::Range(0, int(jobs.size())), [&](const cv::Range& range) {
    for (int k = range.start; k < range.end; ++k) {
      const Job& j = jobs[k];
      const Peak& parent = top[j.parent];
      const double La = level_gsd(parent.hyp, fs, ref.gsd_m());
      const HypScore h = correlate(Correlation::template_match, frame, ref, j.hyp, p.hfov_deg, j.L,
                                   parent.center_ref * (ref.gsd_m() / j.L),
                                   kStageBWindowCoarsePx * La / j.L + kSearchMarginLevelPx);
      if (!h.ok) continue;
      cv::Point2d at;
      const double mx = peak_of(h.score, at);
      const cv::Matx33d rf = ref_from_placement(h, at, ref.gsd_m());
      out[k] = {mx, apply(rf, frame_centre(fs)), j.hyp, rf, parent.z};
    }
  });
  std::vector<Peak> best(top.size(), Peak{-2, {}, {}, cv::Matx33d::eye(), 0});
  for (size_t k = 0; k < jobs.size(); ++k)
    if (out[k].score > best[jobs[k].parent].score) best[jobs[k].parent] = out[k];
  std::vector<Peak> res;
  for (const auto& b : best)
    if (b.score > -1) res.push_back(b);
  return res;
}

}  // namespace

std::vector<Peak> search_with_scale(const FramePyramid& frame, const ReferenceIndex& ref, const ViewPrior& p,
                                    const SearchRanges& ranges, bool wide_area) {
  const auto hyps = hypotheses(ranges.gsds_m, ranges.tilts_deg, ranges.headings_deg, kFootprintPx);
  return correlate_all(frame, ref, p, hyps, wide_area ? Correlation::fft_mean : Correlation::template_match,
                       kPriorPeaksPerHyp);
}

std::vector<Peak> search_free(const FramePyramid& frame, const ReferenceIndex& ref, const ViewPrior& p,
                              const SearchRanges& ranges) {
  const auto coarse = hypotheses(ranges.gsds_m, ranges.stage_a_tilts_deg, ranges.headings_deg, kStageAFootprintPx);
  const cv::Size fs = frame.full().size();
  auto a = correlate_all(frame, ref, p, coarse, Correlation::fft_joint, kPeaksPerHyp);
  return rescore_places(frame, ref, p, ranges, distinct_places(std::move(a), p, fs, ref.gsd_m(), kFreePlaces));
}

}  // namespace geo::match_detail
