// SPDX-License-Identifier: Apache-2.0
#include "match/keypoint_stage.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "match/correlation.hpp"
#include "match/gates.hpp"
#include "match/keypoints.hpp"
#include "match/tuning.hpp"

namespace geo::match_detail {

namespace {

// Gates a keypoint fit expressed as ref_from_frame `h`; returns the candidate, found or not.
Alignment judge(const KeypointFit& fit, const cv::Matx33d& h, const ReferenceIndex& ref, const ViewPrior& p,
                const SearchRanges& ranges, const AlignOptions& o, cv::Size fs) {
  Alignment a;
  a.ref_from_frame = h;
  a.method = fit.affine ? AlignMethod::keypoints_affine : AlignMethod::keypoints;
  score_keypoints(a, fit, o, ref.gsd_m(), kKpErrorFloorIndexPx * ref.kp_gsd_m());
  a.inlier_pairs = fit.pairs;
  const std::string why = geometry_problem(p, ranges, ref, h, fs);
  if (!why.empty()) {
    a.diagnostics.info("match.keypoints_rejected", "keypoint candidate rejected: " + why);
    a.confidence = std::min(a.confidence, kImplausibleConfidenceCap);
  }
  a.frame_gsd_m = local_scale(h, fs) * ref.gsd_m();
  a.found = why.empty() && a.confidence >= o.min_confidence;
  return a;
}

// Scale and heading known: the frame rectified by them at the index resolution, matched around the
// search centre (or anywhere without one).
std::optional<Alignment> rectified(const FramePyramid& grey, const ReferenceIndex& ref, const ViewPrior& p,
                                   const SearchRanges& ranges, const AlignOptions& o) {
  const cv::Size fs = grey.full().size();
  const Hyp hyp{*p.gsd_m, p.tilt_deg.value_or(0.0), *p.heading_deg};
  const cv::Matx33d m = level_from_frame(hyp, fs, p.hfov_deg, ref.gsd_m());
  const cv::Point2d c = p.center_px.value_or(cv::Point2d(ref.size().width / 2.0, ref.size().height / 2.0));
  const double margin = p.center_px ? p.radius_px : 1e7;
  cv::Matx33d h;
  const KeypointFit fit = verify_keypoints(grey, ref, shift(c.x, c.y) * m, margin, o, h);
  if (!fit.ok) return std::nullopt;
  return judge(fit, h, ref, p, ranges, o, fs);
}

// Scale or heading unknown: the frame shrunk to at most kKeypointWorkMaxPx, matched around the search
// centre; without one, in the best-ranked tiles first when the ranking is distinct (fewer
// distractors, a smaller matcher), then in the whole index when nothing there passes.
std::optional<Alignment> unrectified(const FramePyramid& grey, const ReferenceIndex& ref, const ViewPrior& p,
                                     const SearchRanges& ranges, const AlignOptions& o) {
  const cv::Size fs = grey.full().size();
  const double k = std::min(1.0, kKeypointWorkMaxPx / std::max(fs.width, fs.height));
  const cv::Matx33d work_from_frame = scale(k);
  cv::Mat mask, work;
  const cv::Size ws(int(std::lround(fs.width * k)), int(std::lround(fs.height * k)));
  warp_frame(grey, work_from_frame, ws, &mask, 0).convertTo(work, CV_8U);
  const FrameFeatures ff = detect_features(work, mask, o);
  const double area = double(cv::countNonZero(mask));
  auto run = [&](const std::vector<cv::Rect2d>& rois) -> std::optional<Alignment> {
    KeypointFit fit = keypoints_in(ff, area, ref, rois);
    if (!fit.ok) return std::nullopt;
    for (auto& pr : fit.pairs) pr.first = cv::Point2f(float(pr.first.x / k), float(pr.first.y / k));
    return judge(fit, fit.target_from_src * work_from_frame, ref, p, ranges, o, fs);
  };
  if (p.center_px) {
    const double r = ranges.keypoint_radius_px;
    return run({cv::Rect2d(p.center_px->x - r, p.center_px->y - r, 2 * r, 2 * r)});
  }
  std::optional<Alignment> cand;
  if (ref.retrieval() && !ff.desc.empty()) {
    const TileRanking rk = ref.retrieval()->rank(ff.desc, kRetrievalTiles);
    if (rk.distinct()) {
      std::vector<cv::Rect2d> rois;
      for (const auto& t : rk.tiles) rois.emplace_back(t.rect);
      cand = run(rois);
      if (cand && cand->found) {
        cand->diagnostics.info("match.retrieval",
                               "keypoints matched in the best-ranked tiles (peak z " + std::to_string(rk.peak_z) + ")");
        return cand;
      }
    }
  }
  if (auto whole = run({}); whole && (!cand || whole->found || whole->confidence > cand->confidence)) cand = whole;
  return cand;
}

}  // namespace

std::optional<Alignment> keypoint_stage(const FramePyramid& grey, const ReferenceIndex& ref, const ViewPrior& p,
                                        const SearchRanges& ranges, const AlignOptions& o) {
  if (p.gsd_m && p.heading_deg) return rectified(grey, ref, p, ranges, o);
  return unrectified(grey, ref, p, ranges, o);
}

}  // namespace geo::match_detail
