// SPDX-License-Identifier: Apache-2.0
#include "match/gates.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "match/tuning.hpp"

namespace geo {

std::string footprint_problem(const cv::Matx33d& h, cv::Size frame) {
  using namespace match_detail;
  std::vector<cv::Point2f> q;
  for (const auto& c : corners(frame)) {
    const cv::Vec3d v = h * cv::Vec3d(c.x, c.y, 1);
    if (!(v[2] > 1e-9) || !std::isfinite(v[0] / v[2]) || !std::isfinite(v[1] / v[2]))
      return "a frame corner maps beyond the horizon";
    q.emplace_back(float(v[0] / v[2]), float(v[1] / v[2]));
  }
  if (!cv::isContourConvex(q)) return "footprint is not convex";
  auto len = [](cv::Point2f a, cv::Point2f b) { return std::hypot(double(a.x - b.x), double(a.y - b.y)); };
  const double top = len(q[0], q[1]), bottom = len(q[3], q[2]), left = len(q[0], q[3]), right = len(q[1], q[2]);
  if (std::min({top, bottom, left, right}) <= 0) return "footprint is degenerate";
  // A camera without roll: far edge longer than near edge by a bounded factor; sides similar.
  const double tb = top / bottom, lr = left / right;
  if (tb < kMinEdgeRatio || tb > kMaxEdgeRatio)
    return "extreme perspective (top/bottom edge ratio " + std::to_string(tb) + ")";
  if (lr < kMinSideRatio || lr > 1.0 / kMinSideRatio)
    return "footprint sides differ too much (ratio " + std::to_string(lr) + ")";
  // Aspect of the footprint against the frame: a tilt stretches it along the view, never squeezes much.
  const double fw = (top + bottom) / 2, fh = (left + right) / 2;
  const double aspect = (fh / fw) / (double(frame.height) / frame.width);
  if (aspect < kMinAspectRatio || aspect > kMaxAspectRatio)
    return "footprint aspect implausible (" + std::to_string(aspect) + ")";
  return {};
}

}  // namespace geo

namespace geo::match_detail {

namespace {
double clamp01(double v) { return std::clamp(v, 0.0, 1.0); }
double weighted(const ConfidenceWeight& w, double c) { return w.base + w.weight * c; }
}  // namespace

void score_keypoints(Alignment& a, const KeypointFit& f, const AlignOptions& o, double kp_px_m, double floor_m) {
  a.inliers = f.inliers;
  a.inlier_ratio = f.ratio;
  a.hull_share = f.hull_share;
  a.reproj_px = f.reproj;
  const double c_n = clamp01((f.inliers - o.min_inliers + kKpInlierSlack) / kKpInlierSpan);
  const double c_r = clamp01((f.ratio - o.min_inlier_ratio * kKpRatioFloorShare) / kKpRatioSpan);
  const double c_h = clamp01(f.hull_share / (o.min_hull_share * kKpHullFullShare));
  const double c_e = clamp01((o.max_reproj_px * kKpReprojSlack - f.reproj) / o.max_reproj_px);
  a.confidence = c_n * weighted(kKpRatioWeight, c_r) * weighted(kKpHullWeight, c_h) * weighted(kKpReprojWeight, c_e);
  // The RMS residual shrinks with the square root of well-spread inliers; the floor is half a pixel
  // of the index the keypoints were detected at.
  a.error_m = floor_m + kp_px_m * kKpErrorReprojFactor * f.reproj /
                            std::sqrt(std::max(1.0, f.inliers / kKpErrorInliersPerSample));
  std::vector<std::string> fails;
  if (f.inliers < o.min_inliers) fails.push_back("inliers " + std::to_string(f.inliers));
  if (f.ratio < o.min_inlier_ratio) fails.push_back("inlier ratio " + std::to_string(f.ratio));
  if (f.hull_share < o.min_hull_share) fails.push_back("inlier spread " + std::to_string(f.hull_share));
  if (f.reproj > o.max_reproj_px) fails.push_back("reprojection " + std::to_string(f.reproj) + " px");
  if (!fails.empty()) {
    std::string s;
    for (const auto& x : fails) s += (s.empty() ? "" : ", ") + x;
    a.diagnostics.info("match.keypoints_rejected", "keypoint candidate failed gates: " + s);
    a.confidence = std::min(a.confidence, kFailedGateConfidenceCap);
  }
}

std::string geometry_problem(const ViewPrior& p, const SearchRanges& ranges, const ReferenceIndex& ref,
                             const cv::Matx33d& h, cv::Size fs) {
  std::string why = footprint_problem(h, fs);
  if (!why.empty()) return why;
  const double gsd = local_scale(h, fs) * ref.gsd_m();
  const double scale = p.gsd_m ? gsd / *p.gsd_m : gsd;  // against the prior, or metres per pixel
  if (scale < ranges.gate_scale_min || scale > ranges.gate_scale_max)
    return "ground resolution " + std::to_string(gsd) + " m/px " +
           (p.gsd_m ? "contradicts the prior" : "outside the plausible range");
  const cv::Point2d c = apply(h, frame_centre(fs));
  if (p.heading_deg) {
    const cv::Point2d u = apply(h, {fs.width / 2.0, fs.height / 2.0 - fs.height / 4.0});
    const double hd = std::atan2(u.x - c.x, -(u.y - c.y)) * 180 / CV_PI;
    if (!heading_within(hd, *p.heading_deg, ranges.gate_heading_tol_deg))
      return "heading " + std::to_string(hd) + " deg contradicts the prior";
  }
  if (p.center_px && distance_px(c, *p.center_px) > ranges.gate_radius_px) return "centre outside the search area";
  if (c.x < 0 || c.y < 0 || c.x >= ref.size().width || c.y >= ref.size().height) return "centre outside the reference";
  return {};
}

namespace {

// The peak evidence: how far the peak stands above the best peak elsewhere (over every hypothesis)
// and above its own score map; without a scale prior the maps hold many more hypotheses and places,
// so chance peaks stand higher and the z term starts later.
double evidence_confidence(const DenseGateInput& in, const DenseSearchKind& kind) {
  const double z_start = kind.free ? kEvidenceZStartFree : kEvidenceZStartPrior;
  const double evidence = (in.peak_ratio - kEvidenceRatioStart) / kEvidenceRatioScale + (in.peak_z - z_start) / kEvidenceZScale;
  return std::clamp(kEvidenceBaseConfidence + (evidence - kEvidenceAtLocated) / kEvidencePerConfidence, 0.0, 1.0);
}

// Independent evidence: footprint blocks that, matched on their own, land where the fix puts them.
// A coarse reference or a small footprint leaves few blocks, hence the second route.
bool blocks_pass(const DenseGateInput& in) {
  return (in.blocks_agree >= kBlocksAgreeMin && 4 * in.blocks_agree >= in.blocks_localized) ||
         (in.blocks_agree >= kBlocksAgreeFew && in.blocks_localized <= kBlocksFewLocalized);
}

double blocks_confidence(const DenseGateInput& in) {
  return std::min(kBlocksConfidenceMax, kBlocksConfidenceBase + kBlocksConfidenceStep * (in.blocks_agree - kBlocksAgreeFew));
}

// The refined standing: a place whose refined correlation stands well above every other refined
// place's (`fine_ratio` over the best of them, `fine_z` over their mean), with some fine structure.
bool standing_passes(const DenseGateInput& in, const StandingGate& sg) {
  return in.refined && in.fine_ratio >= sg.ratio && in.fine_z >= sg.z && in.ncc_fine >= sg.ncc &&
         in.blocks_localized >= kStandingMinLocalized;
}

double standing_confidence(const DenseGateInput& in, const StandingGate& sg) {
  return std::min(kStandingConfidenceMax, kStandingConfidenceBase + kStandingConfidencePerZ * (in.fine_z - sg.z) +
                                              kStandingConfidencePerRatio * (in.fine_ratio - sg.ratio));
}

}  // namespace

DenseDecision dense_confidence(const DenseGateInput& in, const DenseSearchKind& kind, double min_confidence) {
  DenseDecision d;
  const double by_evidence = evidence_confidence(in, kind);
  double conf = by_evidence;
  const bool by_blocks = blocks_pass(in);
  if (by_blocks) conf = std::max(conf, blocks_confidence(in));
  const bool drift_ok = in.refined && in.drift_coarse_px <= kMaxDriftCoarsePx;
  const bool conf_floor_ok = drift_ok && in.ncc_fine >= kMinNccFine;
  if (!conf_floor_ok) conf = std::min(conf, kUnconfirmedConfidenceCap);
  const StandingGate sg = kind.free ? kStandingFree : kStandingPrior;
  const bool standing = standing_passes(in, sg);
  const double by_standing_conf = standing_confidence(in, sg);
  // With a scale prior and colour channels the standing alone is not enough: it needs the peak
  // evidence or the blocks beside it.
  const bool standing_alone_ok = kind.free || !kind.colour;
  const bool by_standing = drift_ok && standing && (standing_alone_ok || by_evidence >= min_confidence || by_blocks);
  if (by_standing) conf = std::max(conf, by_standing_conf);
  // A refinement that moved the fix further (the coarse grid's steps left the peak that far off) is
  // accepted when the peak evidence and the refined standing both pass, at the lower of the two.
  const bool drift_far = in.refined && in.drift_coarse_px > kMaxDriftCoarsePx && in.drift_coarse_px <= kMaxDriftFarCoarsePx;
  const bool both_far = drift_far && in.ncc_fine >= kMinNccFine && by_evidence >= min_confidence && standing;
  if (both_far) conf = std::min(by_evidence, by_standing_conf);
  // The evidence and the standing measure the best place against the other places searched, so
  // their chance levels depend on the search; the blocks check the fix against itself. In a search
  // the thresholds were not calibrated on, a fix needs the blocks, or the evidence and the standing
  // together.
  const bool calibrated = kind.free ? !kind.heading_prior : (kind.heading_prior && !kind.wide);
  const bool confirmed = both_far || (conf_floor_ok && (by_blocks || (by_evidence >= min_confidence && by_standing)));
  if (!calibrated && !confirmed && conf >= min_confidence) {
    conf = std::min(conf, kUnconfirmedConfidenceCap);
    d.unconfirmed = true;
  }
  d.confidence = conf;
  return d;
}

}  // namespace geo::match_detail
