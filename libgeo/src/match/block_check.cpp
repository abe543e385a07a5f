// SPDX-License-Identifier: Apache-2.0
#include "match/block_check.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include "match/correlation.hpp"
#include "match/tuning.hpp"

namespace geo::match_detail {

namespace {

struct BlockOffsets {
  std::vector<cv::Point2f> at;       // block centres, level pixels (reference grid)
  std::vector<cv::Point2f> offset;   // where each block's own best placement is, relative to `at`
  double fp_area = 0;                // footprint area, level pixels
};

// The best offset of one block (`tc`, `ts` its fields) within +-kBlockReachPx of its place `win` on
// the level; false when the block is flat, matches nowhere well, or its runner-up is nearly as good
// (flat ground, a single straight edge).
bool block_offset(const ReferenceIndex::Level& lv, const cv::Mat& tc, const cv::Mat& ts, const cv::Rect& win,
                  cv::Point2d& offset) {
  cv::Scalar m1, s1, m2, s2;
  cv::meanStdDev(tc, m1, s1);
  cv::meanStdDev(ts, m2, s2);
  if (s1[0] + s2[0] < kBlockFlatSd) return false;
  cv::Mat rc, rs;
  cv::matchTemplate(lv.fc(win), tc, rc, cv::TM_CCOEFF_NORMED);
  cv::matchTemplate(lv.fs(win), ts, rs, cv::TM_CCOEFF_NORMED);
  cv::Mat sc = (rc + rs) * 0.5;
  cv::patchNaNs(sc, -1);
  cv::Point2d p;
  const double best = peak_of(sc, p);
  if (best < kBlockMinScore) return false;
  const int ex = kBlockPeakExclusionPx;
  const cv::Point loc(int(std::lround(p.x)), int(std::lround(p.y)));
  cv::rectangle(sc, cv::Rect(loc.x - ex, loc.y - ex, 2 * ex + 1, 2 * ex + 1), cv::Scalar(-1), cv::FILLED);
  double second;
  cv::minMaxLoc(sc, nullptr, &second);
  if (second > kBlockAmbiguity * best) return false;
  offset = cv::Point2d(p.x - kBlockReachPx, p.y - kBlockReachPx);
  return true;
}

BlockOffsets block_offsets(const FramePyramid& frame, const ReferenceIndex& ref, const cv::Matx33d& lvl_from_frame,
                           double L) {
  BlockOffsets out;
  const cv::Size fs = frame.full().size();
  const auto& lv = ref.level(L, frame.colour);
  const cv::Rect2d bb = bbox_of(lvl_from_frame, fs);
  const int B = kBlockPx, R = kBlockReachPx;
  if (bb.width < B || bb.height < B || bb.width * bb.height > kBlockMaxAreaPx) return out;
  const cv::Rect box(int(std::floor(bb.x)), int(std::floor(bb.y)), int(std::ceil(bb.width)) + 1,
                     int(std::ceil(bb.height)) + 1);
  const cv::Matx33d tpl_from_frame = shift(-box.x, -box.y) * lvl_from_frame;
  cv::Mat tc, ts, mask;
  warped_fields(frame, tpl_from_frame, box.size(), tc, ts, mask);
  cv::erode(mask, mask, cv::getStructuringElement(cv::MORPH_RECT, {kBlockMaskErodeSize, kBlockMaskErodeSize}));
  out.fp_area = cv::countNonZero(mask);
  const cv::Rect lvr(0, 0, lv.fc.cols, lv.fc.rows);
  for (int y = 0; y + B <= box.height; y += B)
    for (int x = 0; x + B <= box.width; x += B) {
      const cv::Rect b(x, y, B, B);
      if (cv::countNonZero(mask(b)) < B * B) continue;
      const cv::Rect win(box.x + x - R, box.y + y - R, B + 2 * R, B + 2 * R);
      if ((win & lvr) != win) continue;
      cv::Point2d offset;
      if (!block_offset(lv, tc(b), ts(b), win, offset)) continue;
      out.at.emplace_back(float(box.x + x + B / 2.0), float(box.y + y + B / 2.0));
      out.offset.emplace_back(float(offset.x), float(offset.y));
    }
  return out;
}

// The correction the blocks ask for: their median offset, refined by a bounded similarity fitted to
// the blocks near it.
cv::Matx33d block_correction(const BlockOffsets& bo) {
  std::vector<float> xs, ys;
  for (const auto& o : bo.offset) xs.push_back(o.x), ys.push_back(o.y);
  std::nth_element(xs.begin(), xs.begin() + xs.size() / 2, xs.end());
  std::nth_element(ys.begin(), ys.begin() + ys.size() / 2, ys.end());
  const cv::Point2f med(xs[xs.size() / 2], ys[ys.size() / 2]);
  std::vector<cv::Point2f> src, dst;
  for (size_t i = 0; i < bo.at.size(); ++i)
    if (std::hypot(bo.offset[i].x - med.x, bo.offset[i].y - med.y) <= kBlockNearShiftPx) {
      src.push_back(bo.at[i]);
      dst.push_back(bo.at[i] + bo.offset[i]);
    }
  cv::Matx33d corr = shift(med.x, med.y);
  if (int(src.size()) >= kBlockMinForSimilarity) {
    cv::Mat s = cv::estimateAffinePartial2D(src, dst, cv::noArray(), cv::LMEDS);
    if (!s.empty()) {
      const double a = s.at<double>(0, 0), b = s.at<double>(1, 0);
      const double k = std::hypot(a, b), rot = std::atan2(b, a) * 180 / CV_PI;
      if (std::abs(k - 1) < kBlockMaxScaleChange && std::abs(rot) < kBlockMaxRotationDeg)
        corr = cv::Matx33d(s.at<double>(0, 0), s.at<double>(0, 1), s.at<double>(0, 2), s.at<double>(1, 0),
                           s.at<double>(1, 1), s.at<double>(1, 2), 0, 0, 1);
    }
  }
  return corr;
}

}  // namespace

BlockCheck check_blocks(const FramePyramid& frame, const ReferenceIndex& ref, const cv::Matx33d& ref_from_frame,
                        double L) {
  BlockCheck out;
  cv::Matx33d lvl_from_frame = scale(ref.gsd_m() / L) * ref_from_frame;
  BlockOffsets bo;
  for (int iter = 0; iter < kBlockIterations; ++iter) {
    bo = block_offsets(frame, ref, lvl_from_frame, L);
    if (bo.at.size() < 3 || iter == kBlockIterations - 1) break;
    lvl_from_frame = block_correction(bo) * lvl_from_frame;
  }
  out.localized = int(bo.at.size());
  std::vector<cv::Point2f> agree;
  for (size_t i = 0; i < bo.at.size(); ++i)
    if (std::hypot(bo.offset[i].x, bo.offset[i].y) <= kBlockAgreePx) agree.push_back(bo.at[i]);
  out.agree = int(agree.size());
  if (agree.size() >= 3) {
    std::vector<cv::Point2f> hull;
    cv::convexHull(agree, hull);
    out.spread = cv::contourArea(hull) / std::max(1.0, bo.fp_area);
  }
  return out;
}

}  // namespace geo::match_detail
