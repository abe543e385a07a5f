// SPDX-License-Identifier: Apache-2.0
#include "match/refinement.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace geo::match_detail {

namespace {

// The refinement's state: the best hypothesis and placement so far, and the bounds it keeps to.
class Descent {
 public:
  Descent(const FramePyramid& frame, const ReferenceIndex& ref, const ViewPrior& p, const SearchRanges& ranges,
          const Peak& pk)
      : frame_(frame), ref_(ref), p_(p), ranges_(ranges), best_(pk.hyp), centre_(pk.center_ref) {}

  // Tries every combination of the steps around the best hypothesis at level `L`, each placed within
  // `win` level pixels of the best centre; keeps the one whose peak beats `best_score`. True when any did.
  bool search(double L, const std::vector<double>& scales, const std::vector<double>& headings_deg,
              const std::vector<double>& tilts_deg, double win, double& best_score) {
    const Hyp base = best_;
    const cv::Point2d c0 = centre_;
    bool any = false;
    for (double f : scales)
      for (double d : headings_deg)
        for (double t : tilts_deg) {
          const Hyp h{base.gsd_m * f, base.tilt_deg + t, base.heading_deg + d, base.px_across};
          if (!allowed(h)) continue;
          const HypScore hs = correlate(Correlation::template_match, frame_, ref_, h, p_.hfov_deg, L,
                                        c0 * (ref_.gsd_m() / L), win);
          if (!hs.ok) continue;
          cv::Point2d at;
          const double mx = peak_of(hs.score, at);
          if (mx > best_score) {
            best_score = mx;
            best_ = h;
            ref_from_frame_ = ref_from_placement(hs, at, ref_.gsd_m());
            centre_ = apply(ref_from_frame_, frame_centre(frame_.full().size()));
            any = true;
          }
        }
    return any;
  }

  const Hyp& best() const { return best_; }
  cv::Point2d centre() const { return centre_; }
  const cv::Matx33d& ref_from_frame() const { return ref_from_frame_; }

 private:
  bool allowed(const Hyp& h) const {
    if (h.gsd_m < ranges_.refine_gsd_min_m || h.gsd_m > ranges_.refine_gsd_max_m) return false;
    if (p_.heading_deg && !heading_within(h.heading_deg, *p_.heading_deg, ranges_.refine_heading_tol_deg)) return false;
    return h.tilt_deg >= 0 && h.tilt_deg <= ranges_.max_tilt_deg;
  }

  const FramePyramid& frame_;
  const ReferenceIndex& ref_;
  const ViewPrior& p_;
  const SearchRanges& ranges_;
  Hyp best_;
  cv::Point2d centre_;
  cv::Matx33d ref_from_frame_ = cv::Matx33d::eye();
};

const std::vector<double> kNone{0};
const std::vector<double> kOne{1.0};

}  // namespace

LocalFit refine_dense(const FramePyramid& frame, const ReferenceIndex& ref, const ViewPrior& p,
                      const SearchRanges& ranges, const Peak& pk) {
  LocalFit out;
  const cv::Size fs = frame.full().size();
  const double L = level_gsd(pk.hyp, fs, ref.gsd_m());
  Descent descent(frame, ref, p, ranges, pk);
  // Coordinate descent: scale at the peak's heading, then heading at the best scale (and tilt when it
  // is unknown). Without a scale prior the coarse grid was wider, so the steps are too.
  const bool free = !ranges.scale_known;
  double s1 = -1;
  if (!descent.search(L, free ? kRefineScalesFree : kRefineScalesPrior, kNone, kNone, kRefineWindowPx, s1)) return out;
  if (!ranges.heading_known) descent.search(L, kOne, kRefineHeadingsWideDeg, kNone, kRefineWindowPx, s1);
  descent.search(L, kOne, kRefineHeadingsDeg, kNone, kRefineWindowPx, s1);
  if (!ranges.tilt_known) descent.search(L, kOne, kNone, kRefineTiltsDeg, kRefineWindowPx, s1);
  if (free) descent.search(L, kRefineScalesFine, kNone, kNone, kRefineWindowPx, s1);
  // With the tilt unknown, a second, finer pass: tilt and centre trade off (a tilted footprint's
  // centre moves with the tilt), and one pass left true places short of the true tilt.
  if (!ranges.tilt_known) {
    descent.search(L, kOne, kNone, kRefineTiltsSecondDeg, kRefineWindowPx, s1);
    descent.search(L, kOne, kRefineHeadingsDeg, kNone, kRefineWindowPx, s1);
    descent.search(L, kRefineScalesFine, kNone, kNone, kRefineWindowPx, s1);
    descent.search(L, kOne, kNone, kRefineTiltsSecondDeg, kRefineWindowPx, s1);
  }
  out.ncc_coarse = s1;
  const cv::Point2d coarse_centre = descent.centre();
  const double Lf = std::max(ref.gsd_m(), L / 2);
  double s2 = -1;
  if (!descent.search(Lf, kFineScales, kNone, kNone, kFineWindowPx, s2)) return out;
  descent.search(Lf, kOne, kFineHeadingsDeg, kNone, kFineWindowPx, s2);
  if (!ranges.tilt_known) descent.search(Lf, kOne, kNone, kFineTiltsDeg, kFineWindowPx, s2);
  out.ncc_fine = s2;
  out.L_fine = Lf;
  out.hyp = descent.best();
  out.ref_from_frame = descent.ref_from_frame();
  out.drift_coarse_px = distance_px(descent.centre(), coarse_centre) * ref.gsd_m() / L;
  out.ok = true;
  return out;
}

}  // namespace geo::match_detail
