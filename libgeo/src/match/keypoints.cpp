// SPDX-License-Identifier: Apache-2.0
#include "match/keypoints.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/calib3d.hpp>
#include <opencv2/imgproc.hpp>

#include "match/tuning.hpp"

namespace geo::match_detail {

cv::Ptr<cv::Feature2D> make_detector(Detector d, int nfeatures) {
  switch (d) {
    case Detector::sift: return cv::SIFT::create(nfeatures, 3, kSiftContrast);
    case Detector::akaze: return cv::AKAZE::create(cv::AKAZE::DESCRIPTOR_MLDB, 0, 3, kAkazeThreshold);
    case Detector::orb:
      return cv::ORB::create(std::max(nfeatures, kOrbMinFeatures), 1.2f, 8, 31, 0, 2, cv::ORB::HARRIS_SCORE, 31,
                             kOrbFastThreshold);
  }
  return cv::SIFT::create(nfeatures);
}

namespace {

struct Correspondences {
  std::vector<cv::Point2f> src, target;  // corner convention
};

// The ratio test from source to target, then a mutual check: only the target descriptors that won a
// ratio test need their own nearest neighbour (far fewer queries than the whole target set).
Correspondences mutual_matches(const std::vector<cv::KeyPoint>& ks, const cv::Mat& ds,
                               const std::vector<cv::KeyPoint>& kt, const cv::Mat& dt) {
  Correspondences c;
  cv::Ptr<cv::DescriptorMatcher> m;
  if (ds.type() == CV_8U) m = cv::BFMatcher::create(cv::NORM_HAMMING);
  else m = cv::makePtr<cv::FlannBasedMatcher>();
  std::vector<std::vector<cv::DMatch>> fwd, bwd;
  m->knnMatch(ds, dt, fwd, 2);
  auto passes_ratio = [](const std::vector<cv::DMatch>& v) {
    return v.size() >= 2 && v[0].distance <= kRatioTest * v[1].distance;
  };
  std::vector<int> cand;
  for (const auto& v : fwd)
    if (passes_ratio(v)) cand.push_back(v[0].trainIdx);
  std::sort(cand.begin(), cand.end());
  cand.erase(std::unique(cand.begin(), cand.end()), cand.end());
  if (int(cand.size()) < kMinMatches) return c;
  cv::Mat dq(int(cand.size()), dt.cols, dt.type());
  for (int i = 0; i < int(cand.size()); ++i) dt.row(cand[i]).copyTo(dq.row(i));
  m->knnMatch(dq, ds, bwd, 1);
  std::vector<int> back(dt.rows, -1);
  for (int i = 0; i < int(cand.size()); ++i)
    if (!bwd[i].empty()) back[cand[i]] = bwd[i][0].trainIdx;
  for (const auto& v : fwd) {
    if (!passes_ratio(v)) continue;
    const int t = v[0].trainIdx;
    if (back[t] != v[0].queryIdx) continue;
    c.src.push_back(ks[v[0].queryIdx].pt + cv::Point2f(0.5f, 0.5f));
    c.target.push_back(kt[t].pt + cv::Point2f(0.5f, 0.5f));
  }
  return c;
}

// The homography's inliers: pairs, RMS residual and the share of the source area their hull covers.
void measure_inliers(KeypointFit& r, const Correspondences& c, const std::vector<unsigned char>& inl,
                     double src_area) {
  std::vector<cv::Point2f> hull_in;
  double se = 0;
  for (size_t i = 0; i < c.src.size(); ++i) {
    if (!inl[i]) continue;
    const cv::Point2d q = apply(r.target_from_src, c.src[i]);
    se += (q.x - c.target[i].x) * (q.x - c.target[i].x) + (q.y - c.target[i].y) * (q.y - c.target[i].y);
    hull_in.push_back(c.src[i]);
    r.pairs.emplace_back(c.src[i], c.target[i]);
  }
  r.inliers = int(hull_in.size());
  r.ratio = double(r.inliers) / r.matches;
  r.reproj = r.inliers ? std::sqrt(se / r.inliers) : 0;
  if (hull_in.size() >= 3) {
    std::vector<cv::Point2f> hull;
    cv::convexHull(hull_in, hull);
    r.hull_share = cv::contourArea(hull) / std::max(1.0, src_area);
  }
}

// Ratio test + mutual check + MAGSAC homography (affine fallback) between two descriptor sets.
KeypointFit fit_keypoints(const std::vector<cv::KeyPoint>& ks, const cv::Mat& ds,
                          const std::vector<cv::KeyPoint>& kt, const cv::Mat& dt, double src_area,
                          double thresh_px) {
  KeypointFit r;
  const auto too_few = [](size_t n) { return int(n) < kMinMatches; };
  if (too_few(ks.size()) || too_few(kt.size()) || ds.empty() || dt.empty()) return r;
  const Correspondences c = mutual_matches(ks, ds, kt, dt);
  r.matches = int(c.src.size());
  if (too_few(c.src.size())) return r;
  std::vector<unsigned char> inl;
  cv::Mat h;
  try {
    h = cv::findHomography(c.src, c.target, cv::USAC_MAGSAC, thresh_px, inl, kMagsacMaxIters, kRansacConfidence);
  } catch (const cv::Exception&) {
    h.release();
  }
  if (h.empty()) {
    cv::Mat a = cv::estimateAffine2D(c.src, c.target, inl, cv::RANSAC, thresh_px, kAffineMaxIters, kRansacConfidence);
    if (a.empty()) return r;
    h = cv::Mat::eye(3, 3, CV_64F);
    a.copyTo(h.rowRange(0, 2));
    r.affine = true;
  }
  r.target_from_src = cv::Matx33d(h);
  measure_inliers(r, c, inl, src_area);
  r.ok = true;
  return r;
}

cv::Mat to8(const cv::Mat& f32) {
  cv::Mat o;
  f32.convertTo(o, CV_8U);
  return o;
}

}  // namespace

FrameFeatures detect_features(const cv::Mat& work, const cv::Mat& work_mask, const AlignOptions& o) {
  FrameFeatures f;
  make_detector(o.detector, kFrameKeypoints)->detectAndCompute(work, work_mask, f.kp, f.desc);
  return f;
}

KeypointFit keypoints_in(const FrameFeatures& ff, double work_area, const ReferenceIndex& ref,
                         const std::vector<cv::Rect2d>& rois) {
  std::vector<cv::KeyPoint> kr;
  cv::Mat dr;
  const auto& all = ref.keypoints();
  if (!rois.empty()) {
    std::vector<int> idx;
    for (int i = 0; i < int(all.size()); ++i) {
      const cv::Point2d q(all[i].pt.x, all[i].pt.y);
      if (std::any_of(rois.begin(), rois.end(), [&](const cv::Rect2d& roi) { return roi.contains(q); }))
        idx.push_back(i);
    }
    dr.create(int(idx.size()), ref.descriptors().cols, ref.descriptors().type());
    for (int i = 0; i < int(idx.size()); ++i) {
      kr.push_back(all[idx[i]]);
      ref.descriptors().row(idx[i]).copyTo(dr.row(i));
    }
  } else {
    kr = all;
    dr = ref.descriptors();
  }
  const double thr = kKeypointInlierIndexPx * ref.kp_gsd_m() / ref.gsd_m();  // in reference pixels
  return fit_keypoints(ff.kp, ff.desc, kr, dr, work_area, thr);
}

KeypointFit verify_keypoints(const FramePyramid& frame, const ReferenceIndex& ref, const cv::Matx33d& ref_from_frame,
                             double margin_px, const AlignOptions& o, cv::Matx33d& out) {
  const cv::Size fs = frame.full().size();
  const double k = ref.gsd_m() / ref.kp_gsd_m();
  const cv::Matx33d kp_from_frame = scale(k) * ref_from_frame;
  const cv::Rect2d bb = bbox_of(kp_from_frame, fs);
  if (bb.width * bb.height > kVerifyMaxAreaPx || bb.width < kVerifyMinSidePx || bb.height < kVerifyMinSidePx) return {};
  const cv::Matx33d work_from_frame = shift(-bb.x, -bb.y) * kp_from_frame;
  cv::Mat mask;
  cv::Mat work = to8(warp_frame(frame, work_from_frame, cv::Size(int(std::ceil(bb.width)), int(std::ceil(bb.height))),
                                &mask, kVerifyMaskErodePx));
  const cv::Rect2d bref = bbox_of(ref_from_frame, fs);
  const cv::Rect2d roi(bref.x - margin_px, bref.y - margin_px, bref.width + 2 * margin_px, bref.height + 2 * margin_px);
  std::vector<cv::Rect2d> rois;
  if (roi.area() > 0) rois.push_back(roi);
  KeypointFit f = keypoints_in(detect_features(work, mask, o), double(cv::countNonZero(mask)), ref, rois);
  if (!f.ok) return f;
  const cv::Matx33d frame_from_work = work_from_frame.inv();
  for (auto& pr : f.pairs) {
    const cv::Point2d q = apply(frame_from_work, pr.first);
    pr.first = cv::Point2f(float(q.x), float(q.y));
  }
  out = f.target_from_src * work_from_frame;
  return f;
}

}  // namespace geo::match_detail
