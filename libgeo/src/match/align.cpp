// SPDX-License-Identifier: Apache-2.0
#include "geo/match/align.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

#include <opencv2/calib3d.hpp>
#include <opencv2/features2d.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/core/error.hpp"
#include "geo/core/text.hpp"
#include "match/align_util.hpp"

namespace geo {

using namespace match_detail;

namespace {

constexpr double kPi = 3.14159265358979323846;
double rad(double deg) { return deg * kPi / 180.0; }
double clamp01(double v) { return std::clamp(v, 0.0, 1.0); }

cv::Ptr<cv::Feature2D> make_detector(Detector d, int nfeatures) {
  switch (d) {
    case Detector::sift: return cv::SIFT::create(nfeatures, 3, 0.02);
    case Detector::akaze: return cv::AKAZE::create(cv::AKAZE::DESCRIPTOR_MLDB, 0, 3, 0.0005f);
    case Detector::orb: return cv::ORB::create(std::max(nfeatures, 500) , 1.2f, 8, 31, 0, 2, cv::ORB::HARRIS_SCORE, 31, 10);
  }
  return cv::SIFT::create(nfeatures);
}

// Frame corners and centre (corner convention).
std::vector<cv::Point2d> corners(cv::Size s) {
  return {{0, 0}, {double(s.width), 0}, {double(s.width), double(s.height)}, {0, double(s.height)}};
}

// Ground metres per frame pixel at the frame centre implied by `ref_from_frame` (geometric mean).
double local_scale(const cv::Matx33d& h, cv::Size frame) {
  const cv::Point2d c(frame.width / 2.0, frame.height / 2.0);
  const cv::Point2d a = apply(h, c), b = apply(h, c + cv::Point2d(1, 0)), d = apply(h, c + cv::Point2d(0, 1));
  return std::sqrt(std::abs((b.x - a.x) * (d.y - a.y) - (b.y - a.y) * (d.x - a.x)));
}

struct KeypointFit {
  bool ok = false;
  cv::Matx33d target_from_src = cv::Matx33d::eye();
  int matches = 0, inliers = 0;
  double ratio = 0, hull_share = 0, reproj = 0;
  std::vector<std::pair<cv::Point2f, cv::Point2f>> pairs;  // src, target (corner convention)
  bool affine = false;
};

// Ratio test + mutual check + MAGSAC homography (affine fallback) between two descriptor sets.
KeypointFit fit_keypoints(const std::vector<cv::KeyPoint>& ks, const cv::Mat& ds,
                          const std::vector<cv::KeyPoint>& kt, const cv::Mat& dt, double src_area,
                          double thresh_px) {
  KeypointFit r;
  if (ks.size() < 8 || kt.size() < 8 || ds.empty() || dt.empty()) return r;
  const bool binary = ds.type() == CV_8U;
  cv::Ptr<cv::DescriptorMatcher> m;
  if (binary) m = cv::BFMatcher::create(cv::NORM_HAMMING);
  else m = cv::makePtr<cv::FlannBasedMatcher>();
  std::vector<std::vector<cv::DMatch>> fwd, bwd;
  m->knnMatch(ds, dt, fwd, 2);
  // Mutual check: only the target descriptors that won a ratio test need their own nearest neighbour
  // (far fewer queries than the whole target set).
  std::vector<int> cand;
  for (const auto& v : fwd)
    if (v.size() >= 2 && v[0].distance <= 0.85f * v[1].distance) cand.push_back(v[0].trainIdx);
  std::sort(cand.begin(), cand.end());
  cand.erase(std::unique(cand.begin(), cand.end()), cand.end());
  if (cand.size() < 8) return r;
  cv::Mat dq(int(cand.size()), dt.cols, dt.type());
  for (int i = 0; i < int(cand.size()); ++i) dt.row(cand[i]).copyTo(dq.row(i));
  m->knnMatch(dq, ds, bwd, 1);
  std::vector<int> back(dt.rows, -1);
  for (int i = 0; i < int(cand.size()); ++i)
    if (!bwd[i].empty()) back[cand[i]] = bwd[i][0].trainIdx;
  std::vector<cv::Point2f> ps, pt;
  for (const auto& v : fwd) {
    if (v.size() < 2 || v[0].distance > 0.85f * v[1].distance) continue;
    const int t = v[0].trainIdx;
    if (back[t] != v[0].queryIdx) continue;
    ps.push_back(ks[v[0].queryIdx].pt + cv::Point2f(0.5f, 0.5f));
    pt.push_back(kt[t].pt + cv::Point2f(0.5f, 0.5f));
  }
  r.matches = int(ps.size());
  if (ps.size() < 8) return r;
  std::vector<unsigned char> inl;
  cv::Mat h;
  try {
    h = cv::findHomography(ps, pt, cv::USAC_MAGSAC, thresh_px, inl, 10000, 0.999);
  } catch (const cv::Exception&) {
    h.release();
  }
  if (h.empty()) {
    cv::Mat a = cv::estimateAffine2D(ps, pt, inl, cv::RANSAC, thresh_px, 5000, 0.999);
    if (a.empty()) return r;
    h = cv::Mat::eye(3, 3, CV_64F);
    a.copyTo(h.rowRange(0, 2));
    r.affine = true;
  }
  r.target_from_src = cv::Matx33d(h);
  std::vector<cv::Point2f> hull_in;
  double se = 0;
  for (size_t i = 0; i < ps.size(); ++i) {
    if (!inl[i]) continue;
    const cv::Point2d q = apply(r.target_from_src, ps[i]);
    se += (q.x - pt[i].x) * (q.x - pt[i].x) + (q.y - pt[i].y) * (q.y - pt[i].y);
    hull_in.push_back(ps[i]);
    r.pairs.emplace_back(ps[i], pt[i]);
  }
  r.inliers = int(hull_in.size());
  r.ratio = double(r.inliers) / r.matches;
  r.reproj = r.inliers ? std::sqrt(se / r.inliers) : 0;
  if (hull_in.size() >= 3) {
    std::vector<cv::Point2f> hull;
    cv::convexHull(hull_in, hull);
    r.hull_share = cv::contourArea(hull) / std::max(1.0, src_area);
  }
  r.ok = true;
  return r;
}

struct Hyp {
  double gsd_m, tilt_deg, heading_deg;
  double px_across = 110;  // dense search: footprint width in level pixels
};

struct DenseCandidate {
  Hyp hyp{};
  double score = -1, second = -1;
  cv::Matx33d ref_from_frame = cv::Matx33d::eye();
};

}  // namespace

const char* to_string(Detector d) noexcept {
  switch (d) {
    case Detector::sift: return "sift";
    case Detector::akaze: return "akaze";
    case Detector::orb: return "orb";
  }
  return "sift";
}

std::pair<double, double> parse_gsd_range(const std::string& text) {
  const auto comma = text.find(',');
  if (comma == std::string::npos)
    throw Error{Errc::invalid_argument, "match: scale range '" + text + "': expected MIN,MAX in metres per pixel"};
  const double lo = parse_double(text.substr(0, comma), "match: scale range minimum");
  const double hi = parse_double(text.substr(comma + 1), "match: scale range maximum");
  if (!(lo > 0) || !(hi >= lo))
    throw Error{Errc::invalid_argument, "match: scale range '" + text + "': expected 0 < MIN <= MAX"};
  return {lo, hi};
}

Detector parse_detector(const std::string& name) {
  if (name == "sift") return Detector::sift;
  if (name == "akaze") return Detector::akaze;
  if (name == "orb") return Detector::orb;
  throw Error{Errc::invalid_argument, "match: detector '" + name + "': expected sift, akaze or orb"};
}

void AlignOptions::validate() const {
  if (!(index_gsd_m > 0) || dense_gsd_m < 0 || !(min_gsd_m > 0) || !(max_gsd_m >= min_gsd_m))
    throw Error{Errc::invalid_argument, "match: options: resolutions must be positive"};
  if (min_gsd_m < 0.01 || max_gsd_m > 30 || max_gsd_m > 40 * min_gsd_m)
    throw Error{Errc::invalid_argument, "match: options: scale range " + geo::dump_json(Json(min_gsd_m)) + "," +
                                            geo::dump_json(Json(max_gsd_m)) +
                                            " m/px: expected within 0.01-30 m/px and at most 40x wide"};
  if (min_inliers < 4) throw Error{Errc::invalid_argument, "match: options: min_inliers must be >= 4"};
}

cv::Matx33d ground_from_frame(cv::Size frame, double gsd_m, double tilt_deg, double heading_deg,
                              double hfov_deg) {
  if (!(gsd_m > 0) || !(hfov_deg > 1 && hfov_deg < 170))
    throw Error{Errc::invalid_argument, "match: camera: gsd_m must be > 0 and hfov_deg in (1, 170)"};
  const double w = frame.width, h = frame.height;
  const double f = (w / 2) / std::tan(rad(hfov_deg) / 2);
  const double half_vfov = std::atan((h / 2) / f) * 180 / kPi;
  if (!(tilt_deg >= 0) || tilt_deg + half_vfov >= 85)
    throw Error{Errc::invalid_argument, "match: camera: tilt " + std::to_string(tilt_deg) +
                                            " deg sees the horizon"};
  const double t = rad(tilt_deg), hd = rad(heading_deg);
  const double alt = gsd_m * f * std::cos(t);
  const cv::Vec3d x(1, 0, 0), y(0, -std::cos(t), -std::sin(t)), z(0, std::sin(t), -std::cos(t));
  const double n0 = alt * std::tan(t);
  std::vector<cv::Point2f> src, dst;
  for (const auto& p : corners(frame)) {
    const cv::Vec3d d = x * ((p.x - w / 2) / f) + y * ((p.y - h / 2) / f) + z;
    const double s = alt / -d[2];
    const double e = s * d[0], n = s * d[1] - n0;
    src.emplace_back(float(p.x), float(p.y));
    dst.emplace_back(float(e * std::cos(hd) + n * std::sin(hd)), float(-e * std::sin(hd) + n * std::cos(hd)));
  }
  return cv::Matx33d(cv::getPerspectiveTransform(src, dst));
}

std::string footprint_problem(const cv::Matx33d& h, cv::Size frame) {
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
  if (tb < 0.6 || tb > 4.0) return "extreme perspective (top/bottom edge ratio " + std::to_string(tb) + ")";
  if (lr < 0.6 || lr > 1.0 / 0.6) return "footprint sides differ too much (ratio " + std::to_string(lr) + ")";
  // Aspect of the footprint against the frame: a tilt stretches it along the view, never squeezes much.
  const double fw = (top + bottom) / 2, fh = (left + right) / 2;
  const double aspect = (fh / fw) / (double(frame.height) / frame.width);
  if (aspect < 0.6 || aspect > 4.0) return "footprint aspect implausible (" + std::to_string(aspect) + ")";
  return {};
}

ReferenceIndex ReferenceIndex::bare(const cv::Mat& image, const cv::Mat& valid, double gsd_m,
                                    const AlignOptions& opts) {
  opts.validate();
  if (image.empty() || !(gsd_m > 0))
    throw Error{Errc::invalid_argument, "match.reference: empty image or gsd_m <= 0"};
  ReferenceIndex r;
  r.gray_ = to_gray8(image).clone();
  if (match_detail::has_colour(image)) {
    if (image.channels() == 4) cv::cvtColor(image, r.colour_, cv::COLOR_BGRA2BGR);
    else r.colour_ = image.clone();
    if (r.colour_.depth() != CV_8U) {  // scaled to 0-255 over all channels, as to_gray8 does grey
      cv::Mat o;
      cv::normalize(r.colour_.reshape(1), o, 0, 255, cv::NORM_MINMAX, CV_8U);
      r.colour_ = o.reshape(3);
    }
  }
  r.valid_ = valid.empty() ? cv::Mat(r.gray_.size(), CV_8U, cv::Scalar(255)) : valid.clone();
  r.gsd_m_ = gsd_m;
  r.detector_ = opts.detector;
  return r;
}

ReferenceIndex ReferenceIndex::build(const cv::Mat& image, const cv::Mat& valid, double gsd_m,
                                     const AlignOptions& opts) {
  ReferenceIndex r = bare(image, valid, gsd_m, opts);
  r.kp_gsd_m_ = std::max(gsd_m, opts.index_gsd_m);
  try {
    cv::Mat small, vsmall;
    const double k = gsd_m / r.kp_gsd_m_;
    if (k < 0.999) {
      cv::resize(r.gray_, small, cv::Size(), k, k, cv::INTER_AREA);
      cv::resize(r.valid_, vsmall, small.size(), 0, 0, cv::INTER_NEAREST);
    } else {
      small = r.gray_;
      vsmall = r.valid_;
    }
    cv::erode(vsmall, vsmall, cv::getStructuringElement(cv::MORPH_RECT, {7, 7}));
    // ORB keeps only its n best: ask for about one keypoint per 150 index pixels (SIFT/AKAZE keep all).
    auto det = make_detector(opts.detector, opts.detector == Detector::orb
                                                ? int(std::clamp(small.total() / 150.0, 5000.0, 200000.0))
                                                : 0);
    det->detectAndCompute(small, vsmall, r.kp_, r.desc_);
    // Keypoints in reference pixels (OpenCV convention kept: centre at integer).
    const double s = r.kp_gsd_m_ / gsd_m;
    for (auto& kp : r.kp_) {
      kp.pt = cv::Point2f(float((kp.pt.x + 0.5) * s - 0.5), float((kp.pt.y + 0.5) * s - 0.5));
      kp.size *= float(s);
    }
  } catch (const cv::Exception& e) {
    throw Error{Errc::external, std::string("match.reference: OpenCV: ") + e.what(), "opencv", e.code};
  }
  r.build_retrieval(opts);
  return r;
}

void ReferenceIndex::build_retrieval(const AlignOptions& opts) {
  retrieval_.reset();
  if (!opts.retrieval || kp_.empty()) return;
  const TileGeometry g = tile_geometry_for(opts.retrieval_footprint_m, gsd_m_);
  // Worth it only when the reference holds several tiles.
  if (gray_.cols < 2 * g.tile_px && gray_.rows < 2 * g.tile_px) return;
  try {
    retrieval_ = std::make_shared<const TileRetrieval>(TileRetrieval::build(kp_, desc_, gray_.size(), g.tile_px, g.stride_px));
  } catch (const Error&) {
    retrieval_.reset();  // e.g. too few distinct descriptors: match against the whole index
  }
}

ReferenceIndex ReferenceIndex::from_keypoints(const cv::Mat& image, const cv::Mat& valid, double gsd_m,
                                              const AlignOptions& opts, std::vector<cv::KeyPoint> kp, cv::Mat desc,
                                              double kp_gsd_m) {
  if (!(kp_gsd_m >= gsd_m) || int(kp.size()) != desc.rows)
    throw Error{Errc::invalid_argument, "match.reference: keypoints and descriptors do not fit the reference"};
  ReferenceIndex r = bare(image, valid, gsd_m, opts);
  r.kp_gsd_m_ = kp_gsd_m;
  r.kp_ = std::move(kp);
  r.desc_ = std::move(desc);
  return r;
}

const ReferenceIndex::Level& ReferenceIndex::level(double gsd_m, bool colour) const {
  colour = colour && has_colour();
  for (const auto& l : levels_)
    if (std::abs(l.gsd_m - gsd_m) < 1e-9 && l.colour == colour) return l;
  Level l;
  l.gsd_m = gsd_m;
  l.colour = colour;
  const cv::Mat& src = colour ? colour_ : gray_;
  cv::Mat s32;
  src.convertTo(s32, CV_32F);
  const double k = gsd_m_ / gsd_m;
  cv::Mat img;
  if (k < 0.999) cv::resize(s32, img, cv::Size(), k, k, cv::INTER_AREA);
  else img = s32;
  orientation_field(colour ? dense_channels(img, true) : img, l.fc, l.fs);
  levels_.push_back(std::move(l));
  return levels_.back();
}

const ReferenceIndex::Spectra& ReferenceIndex::spectra(double gsd_m, bool colour) const {
  const Level& lv = level(gsd_m, colour);
  for (const auto& [l, sp] : spectra_)
    if (l == &lv) return sp;
  Spectra sp;
  sp.dft_size = cv::Size(cv::getOptimalDFTSize(lv.fc.cols), cv::getOptimalDFTSize(lv.fc.rows));
  for (auto [src, dst] : {std::pair{&lv.fc, &sp.Fc}, std::pair{&lv.fs, &sp.Fs}}) {
    cv::Mat pad;
    cv::copyMakeBorder(*src, pad, 0, sp.dft_size.height - src->rows, 0, sp.dft_size.width - src->cols,
                       cv::BORDER_CONSTANT, 0);
    cv::dft(pad, *dst, 0, src->rows);
  }
  cv::integral(lv.fc, sp.ic, sp.ic2, CV_64F, CV_64F);
  cv::integral(lv.fs, sp.is, sp.is2, CV_64F, CV_64F);
  spectra_.emplace_back(&lv, std::move(sp));
  return spectra_.back().second;
}

namespace {

// Fills the gate values and the confidence of a keypoint fit expressed as ref_from_frame.
void score_keypoints(Alignment& a, const KeypointFit& f, const AlignOptions& o, double kp_px_m, double floor_m) {
  a.inliers = f.inliers;
  a.inlier_ratio = f.ratio;
  a.hull_share = f.hull_share;
  a.reproj_px = f.reproj;
  const double c_n = clamp01((f.inliers - o.min_inliers + 5.0) / 30.0);
  const double c_r = clamp01((f.ratio - o.min_inlier_ratio * 0.5) / 0.3);
  const double c_h = clamp01(f.hull_share / (o.min_hull_share * 2.5));
  const double c_e = clamp01((o.max_reproj_px * 1.2 - f.reproj) / o.max_reproj_px);
  a.confidence = c_n * (0.5 + 0.5 * c_r) * (0.6 + 0.4 * c_h) * (0.7 + 0.3 * c_e);
  // Centre error: RMS residual shrinks with the square root of well-spread inliers; floor at half a
  // pixel of the index the keypoints were detected at (`floor_m`). Until session 11 the floor was half
  // a reference pixel: without priors (the frame only shrunk, not rectified) half the same-date fixes
  // of bench seed 1 lay outside it (error median 0.8 m, 90th percentile 1.1 m, error_m median 0.7 m
  // at a 1 m reference and a 2 m index).
  a.error_m = floor_m + kp_px_m * 2.0 * f.reproj / std::sqrt(std::max(1.0, f.inliers / 4.0));
  std::vector<std::string> fails;
  if (f.inliers < o.min_inliers) fails.push_back("inliers " + std::to_string(f.inliers));
  if (f.ratio < o.min_inlier_ratio) fails.push_back("inlier ratio " + std::to_string(f.ratio));
  if (f.hull_share < o.min_hull_share) fails.push_back("inlier spread " + std::to_string(f.hull_share));
  if (f.reproj > o.max_reproj_px) fails.push_back("reprojection " + std::to_string(f.reproj) + " px");
  if (!fails.empty()) {
    std::string s;
    for (const auto& x : fails) s += (s.empty() ? "" : ", ") + x;
    a.diagnostics.info("match.keypoints_rejected", "keypoint candidate failed gates: " + s);
    a.confidence = std::min(a.confidence, 0.3);
  }
}

bool scale_plausible(const ViewPrior& p, const AlignOptions& /*o*/, double frame_gsd_m, std::string& why) {
  if (p.gsd_m) {
    const double r = frame_gsd_m / *p.gsd_m;
    if (r < 1 - p.gsd_tol - 0.15 || r > 1 + p.gsd_tol + 0.15) {
      why = "ground resolution " + std::to_string(frame_gsd_m) + " m/px contradicts the prior";
      return false;
    }
  } else if (frame_gsd_m < 0.02 || frame_gsd_m > 30.0) {  // no scale prior: anything a camera can do
    why = "ground resolution " + std::to_string(frame_gsd_m) + " m/px outside the plausible range";
    return false;
  }
  return true;
}

bool heading_plausible(const ViewPrior& p, const cv::Matx33d& ref_from_frame, cv::Size fs, std::string& why) {
  if (!p.heading_deg) return true;
  const cv::Point2d c = apply(ref_from_frame, {fs.width / 2.0, fs.height / 2.0});
  const cv::Point2d u = apply(ref_from_frame, {fs.width / 2.0, fs.height / 2.0 - fs.height / 4.0});
  const double hd = std::atan2(u.x - c.x, -(u.y - c.y)) * 180 / kPi;
  double d = std::fmod(std::abs(hd - *p.heading_deg), 360.0);
  if (d > 180) d = 360 - d;
  if (d > p.heading_tol_deg + 10) {
    why = "heading " + std::to_string(hd) + " deg contradicts the prior";
    return false;
  }
  return true;
}

bool in_search_area(const ViewPrior& p, const cv::Matx33d& ref_from_frame, cv::Size fs, std::string& why) {
  if (!p.center_px) return true;
  const cv::Point2d c = apply(ref_from_frame, {fs.width / 2.0, fs.height / 2.0});
  if (std::hypot(c.x - p.center_px->x, c.y - p.center_px->y) > p.radius_px * 1.05) {
    why = "centre outside the search area";
    return false;
  }
  return true;
}

// Common sanity gates for any candidate; returns the reason for rejection or "".
std::string geometry_problem(const ViewPrior& p, const AlignOptions& o, const ReferenceIndex& ref,
                             const cv::Matx33d& h, cv::Size fs) {
  std::string why = footprint_problem(h, fs);
  if (!why.empty()) return why;
  const double g = local_scale(h, fs) * ref.gsd_m();
  if (!scale_plausible(p, o, g, why)) return why;
  if (!heading_plausible(p, h, fs, why)) return why;
  if (!in_search_area(p, h, fs, why)) return why;
  const cv::Point2d c = apply(h, {fs.width / 2.0, fs.height / 2.0});
  if (c.x < 0 || c.y < 0 || c.x >= ref.size().width || c.y >= ref.size().height)
    return "centre outside the reference";
  return {};
}

// Keypoint matching of a (possibly rectified) frame against the reference keypoints inside `roi`
// (reference pixels; empty = all). `ref_from_work` maps the work image to reference pixels (prior
// rectification), or is empty when the work image is the raw frame.
struct FrameFeatures {
  std::vector<cv::KeyPoint> kp;
  cv::Mat desc;
};

FrameFeatures detect_features(const cv::Mat& work, const cv::Mat& work_mask, const AlignOptions& o) {
  FrameFeatures f;
  make_detector(o.detector, 4000)->detectAndCompute(work, work_mask, f.kp, f.desc);
  return f;
}

KeypointFit keypoints_in(const FrameFeatures& ff, double work_area, const ReferenceIndex& ref,
                         const std::vector<cv::Rect2d>& rois) {
  const auto& kw = ff.kp;
  const cv::Mat& dw = ff.desc;
  std::vector<cv::KeyPoint> kr;
  cv::Mat dr;
  const auto& all = ref.keypoints();
  if (!rois.empty()) {
    std::vector<int> idx;
    for (int i = 0; i < int(all.size()); ++i) {
      const cv::Point2d q(all[i].pt.x, all[i].pt.y);
      for (const auto& roi : rois)
        if (roi.contains(q)) {
          idx.push_back(i);
          break;
        }
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
  // Threshold in reference pixels, scaled to the index resolution.
  const double thr = 2.5 * ref.kp_gsd_m() / ref.gsd_m();
  return fit_keypoints(kw, dw, kr, dr, work_area, thr);
}

KeypointFit keypoints_in(const cv::Mat& work, const cv::Mat& work_mask, const ReferenceIndex& ref,
                         const cv::Rect2d& roi, const AlignOptions& o) {
  std::vector<cv::Rect2d> rois;
  if (roi.area() > 0) rois.push_back(roi);
  return keypoints_in(detect_features(work, work_mask, o), double(cv::countNonZero(work_mask)), ref, rois);
}

}  // namespace

Json to_json(const Alignment& a) {
  Json j = Json::object();
  j["method"] = a.method;
  j["inliers"] = a.inliers;
  j["inlier_ratio"] = round_to(a.inlier_ratio, 3);
  j["hull_share"] = round_to(a.hull_share, 3);
  j["reproj_px"] = round_to(a.reproj_px, 2);
  j["ncc"] = round_to(a.ncc, 3);
  j["peak_ratio"] = round_to(a.peak_ratio, 3);
  j["peak_z"] = round_to(a.peak_z, 2);
  j["ncc_fine"] = round_to(a.ncc_fine, 3);
  j["drift_px"] = round_to(a.drift_px, 2);
  j["rival_spread_m"] = round_to(a.rival_spread_m, 1);
  j["fine_ratio"] = round_to(a.fine_ratio, 3);
  j["fine_z"] = round_to(a.fine_z, 2);
  j["blocks_localized"] = a.blocks_localized;
  j["blocks_agree"] = a.blocks_agree;
  j["blocks_spread"] = round_to(a.blocks_spread, 3);
  return j;
}

}  // namespace geo

namespace geo {
namespace {

cv::Mat to8(const cv::Mat& f32) {
  cv::Mat o;
  f32.convertTo(o, CV_8U);
  return o;
}

// Level resolution for a footprint `width_m` wide: about 110 pixels across, a power of sqrt(2) of the
// reference GSD so that levels are shared between hypotheses.
double choose_level(double width_m, double ref_gsd, double px_across) {
  const double want = std::max(ref_gsd, width_m / px_across);
  const double k = std::round(std::log(want / ref_gsd) / std::log(std::sqrt(2.0)));
  return ref_gsd * std::pow(std::sqrt(2.0), std::max(0.0, k));
}

// Frame pixel -> level pixel (corner convention) with the frame centre at the origin.
cv::Matx33d level_from_frame(const Hyp& h, cv::Size fs, double hfov, double level_gsd) {
  const cv::Matx33d g = ground_from_frame(fs, h.gsd_m, h.tilt_deg, h.heading_deg, hfov);
  return cv::Matx33d(1 / level_gsd, 0, 0, 0, -1 / level_gsd, 0, 0, 0, 1) * g;
}

cv::Rect2d bbox_of(const cv::Matx33d& h, cv::Size fs) {
  double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
  for (const auto& c : corners(fs)) {
    const cv::Point2d q = apply(h, c);
    x0 = std::min(x0, q.x), y0 = std::min(y0, q.y), x1 = std::max(x1, q.x), y1 = std::max(y1, q.y);
  }
  return {x0, y0, x1 - x0, y1 - y0};
}

// With priors: distinct places refined (the best and the runners-up whose refined correlations it
// must stand above), and peaks kept per hypothesis to find them.
constexpr int kPriorPlaces = 12;
constexpr int kPriorPeaksPerHyp = 6;
// The widest search circle (metres) over which the dense evidence with a scale prior was calibrated
// (the bench's 1.1 km, with room for telemetry's 1.5 km when height or tilt is unknown).
constexpr double kCalibratedRadiusM = 1600.0;

struct Peak {
  double score;
  cv::Point2d center_ref;  // frame centre in reference pixels
  Hyp hyp;
  cv::Matx33d ref_from_frame;
  double z = 0;            // (score - mean) / std of its hypothesis' score map
  double chance_z = 0;     // how high that map's highest chance peak stands, in its std (chance_peak_z)
  double map_sd = 0;       // the std of that map
};

// One hypothesis correlated with the reference over a window: the normalised cross-correlation of
// the frame's orientation field (warped under the hypothesis to level `L`) with the reference's, for
// every template position whose frame centre lies within `radius_lvl` level pixels of `center_lvl`
// (or anywhere when `center_lvl` is empty).
struct HypScore {
  bool ok = false;
  double L = 0;
  cv::Mat score;                  // CV_32F; NaN-free (-1 where undefined)
  cv::Rect roi;                   // level pixels; score(y, x) is the template at roi.tl() + (x, y)
  cv::Matx33d tpl_from_frame;
  cv::Size ts;
};

// The frame warped by `tpl_from_frame` into `size`, the area outside its footprint filled with the
// footprint's mean (no artificial edge), and the orientation field of that; `mask` = the footprint.
void warped_fields(const FramePyramid& frame, const cv::Matx33d& tpl_from_frame, cv::Size size, cv::Mat& tc,
                   cv::Mat& ts, cv::Mat& mask) {
  cv::Mat tpl = warp_frame(frame, tpl_from_frame, size, &mask, 0);
  const cv::Scalar mean_v = cv::mean(tpl, mask);
  cv::Mat inv;
  cv::bitwise_not(mask, inv);
  tpl.setTo(mean_v, inv);
  orientation_field(tpl, tc, ts);
}

// The template of hypothesis `hyp` at level `L`: its placement (h.tpl_from_frame, h.ts) and its
// orientation field, zero outside the footprint eroded by 3 px. False when the hypothesis is
// impossible or the template under 16 px.
bool hyp_template(const FramePyramid& frame, const Hyp& hyp, double hfov, double L, HypScore& h, cv::Mat& tc,
                  cv::Mat& ts) {
  const cv::Size fs = frame.full().size();
  cv::Matx33d m;
  try {
    m = level_from_frame(hyp, fs, hfov, L);
  } catch (const Error&) {
    return false;
  }
  const cv::Rect2d bb = bbox_of(m, fs);
  h.tpl_from_frame = shift(-bb.x, -bb.y) * m;
  h.ts = cv::Size(int(std::ceil(bb.width)), int(std::ceil(bb.height)));
  if (h.ts.width < 16 || h.ts.height < 16) return false;
  cv::Mat mask, er, fm;
  warped_fields(frame, h.tpl_from_frame, h.ts, tc, ts, mask);
  cv::erode(mask, er, cv::getStructuringElement(cv::MORPH_RECT, {7, 7}));
  er.convertTo(fm, CV_32F, 1 / 255.0);
  // Centred on the footprint's own mean, so that the zero outside it is neutral (an uncentred
  // template carries its footprint's outline into the correlation). On the priors bench (seeds 2, 3,
  // 5, 6, 7) 2020->2009 located 94 instead of 91 of 150 views.
  tc = (tc - cv::mean(tc, er)[0]).mul(fm);
  ts = (ts - cv::mean(ts, er)[0]).mul(fm);
  return true;
}

HypScore correlate_hyp(const FramePyramid& frame, const ReferenceIndex& ref, const Hyp& hyp, double hfov, double L,
                       const std::optional<cv::Point2d>& center_lvl, double radius_lvl) {
  HypScore h;
  h.L = L;
  const cv::Size fs = frame.full().size();
  const auto& lv = ref.level(L, frame.colour);
  cv::Mat tc, tsf;
  if (!hyp_template(frame, hyp, hfov, L, h, tc, tsf)) return h;
  const cv::Point2d cin = apply(h.tpl_from_frame, {fs.width / 2.0, fs.height / 2.0});
  h.roi = cv::Rect(0, 0, lv.fc.cols, lv.fc.rows);
  if (center_lvl) {
    const double r = radius_lvl;
    const cv::Rect want(int(std::floor(center_lvl->x - r - cin.x)), int(std::floor(center_lvl->y - r - cin.y)),
                        int(std::ceil(2 * r + h.ts.width)) + 1, int(std::ceil(2 * r + h.ts.height)) + 1);
    h.roi &= want;
  }
  if (h.roi.width < h.ts.width + 2 || h.roi.height < h.ts.height + 2) return h;
  cv::Mat rc, rs;
  cv::matchTemplate(lv.fc(h.roi), tc, rc, cv::TM_CCOEFF_NORMED);
  cv::matchTemplate(lv.fs(h.roi), tsf, rs, cv::TM_CCOEFF_NORMED);
  h.score = (rc + rs) * 0.5;
  cv::patchNaNs(h.score, -1);
  h.ok = true;
  return h;
}

// How a hypothesis is scored: by matchTemplate (the mean of both channels' normalised correlations),
// or by FFT against the level's cached spectra, either as the joint normalised correlation of both
// channels (stage A's score) or as the same mean of both channels' as matchTemplate.
enum class Correlation { template_match, fft_joint, fft_mean };

// As correlate_hyp over the whole level, by FFT against the level's cached spectra: the joint
// normalised cross-correlation of both orientation channels (each centred on its own mean over the
// template's rectangle), or with `mean_of_channels` the mean of each channel's normalised
// correlation, which is what correlate_hyp's two matchTemplate calls give (to float rounding).
// Several times faster than two matchTemplate calls on large levels.
HypScore correlate_hyp_fft(const FramePyramid& frame, const ReferenceIndex& ref, const Hyp& hyp, double hfov,
                           double L, const std::optional<cv::Point2d>& center_lvl, double radius_lvl,
                           bool mean_of_channels = false) {
  HypScore h;
  h.L = L;
  const auto& lv = ref.level(L, frame.colour);
  const auto& sp = ref.spectra(L, frame.colour);
  cv::Mat tc, tsf;
  if (!hyp_template(frame, hyp, hfov, L, h, tc, tsf)) return h;
  if (h.ts.width + 2 > lv.fc.cols || h.ts.height + 2 > lv.fc.rows) return h;
  h.roi = cv::Rect(0, 0, lv.fc.cols, lv.fc.rows);
  tc -= cv::mean(tc)[0];
  tsf -= cv::mean(tsf)[0];
  const double nc = std::sqrt(tc.dot(tc)), ns = std::sqrt(tsf.dot(tsf));
  const double tnorm = std::hypot(nc, ns);
  if (!(tnorm > 1e-6)) return h;
  // The correlation numerators: one per channel for the mean of channels, their sum for the joint score.
  cv::Mat spec[2];
  int k = 0;
  for (auto [t, R] : {std::pair{&tc, &sp.Fc}, std::pair{&tsf, &sp.Fs}}) {
    cv::Mat pad = cv::Mat::zeros(sp.dft_size, CV_32F), T;
    t->copyTo(pad(cv::Rect(0, 0, t->cols, t->rows)));
    cv::dft(pad, T, 0, t->rows);
    cv::mulSpectrums(*R, T, spec[k++], 0, true);
  }
  cv::Mat num, num_s;
  if (mean_of_channels) {
    cv::idft(spec[0], num, cv::DFT_REAL_OUTPUT | cv::DFT_SCALE);
    cv::idft(spec[1], num_s, cv::DFT_REAL_OUTPUT | cv::DFT_SCALE);
  } else {
    cv::idft(spec[0] + spec[1], num, cv::DFT_REAL_OUTPUT | cv::DFT_SCALE);
  }
  const int W = lv.fc.cols - h.ts.width + 1, H = lv.fc.rows - h.ts.height + 1;
  const double n = double(h.ts.area());
  h.score.create(H, W, CV_32F);
  const int tw = h.ts.width, th = h.ts.height;
  // One channel's normalised correlation as matchTemplate's TM_CCOEFF_NORMED gives it (0 where the
  // reference window is flat, rounding clamped to +-1).
  auto ncc = [](double numer, double tn, double var) {
    const double t = tn * std::sqrt(std::max(var, 0.0));
    if (std::abs(numer) < t) return numer / t;
    return std::abs(numer) < 1.125 * t ? (numer > 0 ? 1.0 : -1.0) : 0.0;
  };
  for (int y = 0; y < H; ++y) {
    const double *c0 = sp.ic.ptr<double>(y), *c1 = sp.ic.ptr<double>(y + th);
    const double *q0 = sp.ic2.ptr<double>(y), *q1 = sp.ic2.ptr<double>(y + th);
    const double *s0 = sp.is.ptr<double>(y), *s1 = sp.is.ptr<double>(y + th);
    const double *r0 = sp.is2.ptr<double>(y), *r1 = sp.is2.ptr<double>(y + th);
    const float* nm = num.ptr<float>(y);
    const float* nms = mean_of_channels ? num_s.ptr<float>(y) : nullptr;
    float* out = h.score.ptr<float>(y);
    for (int x = 0; x < W; ++x) {
      const double sc = c1[x + tw] - c1[x] - c0[x + tw] + c0[x];
      const double qc = q1[x + tw] - q1[x] - q0[x + tw] + q0[x];
      const double ss = s1[x + tw] - s1[x] - s0[x + tw] + s0[x];
      const double qs = r1[x + tw] - r1[x] - r0[x + tw] + r0[x];
      const double var_c = qc - sc * sc / n, var_s = qs - ss * ss / n;
      if (mean_of_channels) {
        out[x] = float(0.5 * (ncc(nm[x], nc, var_c) + ncc(nms[x], ns, var_s)));
      } else {
        const double var = var_c + var_s;
        out[x] = var > 1e-9 ? float(nm[x] / (tnorm * std::sqrt(var))) : -1.f;
      }
    }
  }
  if (center_lvl) {  // only placements whose frame centre lies in the search area
    const cv::Size fs = frame.full().size();
    const cv::Point2d cin = apply(h.tpl_from_frame, {fs.width / 2.0, fs.height / 2.0});
    const double r = radius_lvl;
    const cv::Rect win = cv::Rect(int(std::floor(center_lvl->x - r - cin.x)), int(std::floor(center_lvl->y - r - cin.y)),
                                  int(std::ceil(2 * r)) + 2, int(std::ceil(2 * r)) + 2) &
                         cv::Rect(0, 0, h.score.cols, h.score.rows);
    if (win.width < 3 || win.height < 3) return h;
    h.score = h.score(win).clone();
    h.roi = cv::Rect(win.x, win.y, lv.fc.cols - win.x, lv.fc.rows - win.y);
  }
  h.ok = true;
  return h;
}

// The maximum of a score map with a sub-pixel offset from a parabola in each axis.
double peak_of(const cv::Mat& score, cv::Point2d& at) {
  double mx;
  cv::Point loc;
  cv::minMaxLoc(score, nullptr, &mx, nullptr, &loc);
  double dx = 0, dy = 0;
  if (loc.x > 0 && loc.x < score.cols - 1) {
    const float l = score.at<float>(loc.y, loc.x - 1), c = score.at<float>(loc), r = score.at<float>(loc.y, loc.x + 1);
    const double den = l - 2 * c + r;
    if (den < 0) dx = std::clamp(0.5 * (l - r) / den, -0.5, 0.5);
  }
  if (loc.y > 0 && loc.y < score.rows - 1) {
    const float u = score.at<float>(loc.y - 1, loc.x), c = score.at<float>(loc), d = score.at<float>(loc.y + 1, loc.x);
    const double den = u - 2 * c + d;
    if (den < 0) dy = std::clamp(0.5 * (u - d) / den, -0.5, 0.5);
  }
  at = cv::Point2d(loc.x + dx, loc.y + dy);
  return mx;
}

// ref_from_frame for the template placed at `loc` (score-map coordinates) of `h`.
cv::Matx33d ref_from_placement(const HypScore& h, cv::Point2d loc, double ref_gsd) {
  return scale(h.L / ref_gsd) * shift(h.roi.x + loc.x, h.roi.y + loc.y) * h.tpl_from_frame;
}

// Correlates the orientation field of the frame warped by each hypothesis with the reference's, over
// the search area. Returns every hypothesis' `per_hyp` best peaks (each suppresses a quarter of the
// template around it).
std::vector<Peak> dense_search(const FramePyramid& frame, const ReferenceIndex& ref, const ViewPrior& p,
                               const std::vector<Hyp>& hyps, Correlation how, int per_hyp = 2) {
  const bool fft = how != Correlation::template_match;
  const cv::Size fs = frame.full().size();
  // Levels are cached lazily and not thread-safe: make them all before the parallel loop.
  for (const Hyp& hyp : hyps) {
    const double L = choose_level(hyp.gsd_m * fs.width, ref.gsd_m(), hyp.px_across);
    ref.level(L, frame.colour);
    if (fft) ref.spectra(L, frame.colour);
  }
  std::vector<std::vector<Peak>> per(hyps.size());
  cv::parallel_for_(cv::Range(0, int(hyps.size())), [&](const cv::Range& range) {
    for (int i = range.start; i < range.end; ++i) {
      const Hyp& hyp = hyps[i];
      const double L = choose_level(hyp.gsd_m * fs.width, ref.gsd_m(), hyp.px_across);
      std::optional<cv::Point2d> c;
      if (p.center_px) c = *p.center_px * (ref.gsd_m() / L);
      const double r = p.radius_px * ref.gsd_m() / L + 2;
      HypScore h = fft ? correlate_hyp_fft(frame, ref, hyp, p.hfov_deg, L, c, r, how == Correlation::fft_mean)
                       : correlate_hyp(frame, ref, hyp, p.hfov_deg, L, c, r);
      if (!h.ok) continue;
      cv::Scalar mu, sd;
      cv::meanStdDev(h.score, mu, sd);
      const double chance_z = chance_peak_z(double(h.score.total()));
      for (int k = 0; k < per_hyp; ++k) {
        cv::Point2d at;
        const double mx = peak_of(h.score, at);
        const cv::Matx33d rf = ref_from_placement(h, at, ref.gsd_m());
        const int ex = std::max(3, h.ts.width / 4), ey = std::max(3, h.ts.height / 4);
        const cv::Point loc(int(std::lround(at.x)), int(std::lround(at.y)));
        per[i].push_back({mx, apply(rf, {fs.width / 2.0, fs.height / 2.0}), hyp, rf, (mx - mu[0]) / std::max(1e-6, sd[0]),
                          chance_z, sd[0]});
        cv::rectangle(h.score, cv::Rect(loc.x - ex, loc.y - ey, 2 * ex + 1, 2 * ey + 1), cv::Scalar(-1), cv::FILLED);
      }
    }
  });
  std::vector<Peak> peaks;
  for (auto& v : per) peaks.insert(peaks.end(), v.begin(), v.end());
  return peaks;
}

// The dense search when scale and heading are unknown, coarse to fine. Stage A correlates every
// hypothesis (scale x heading x tilt) over the whole search area at a coarse level (footprint about
// 56 level pixels across: cheap); stage B re-scores the best distinct places at the usual level
// (about 110 pixels across) in a small window, over the neighbouring scales and headings as well, so
// that the grid's coarseness costs little. Each stage-B peak keeps its stage-A z (how far it stood
// above its own hypothesis' map over the whole area).
std::vector<Peak> free_search(const FramePyramid& frame, const ReferenceIndex& ref, const ViewPrior& p,
                              const std::vector<Hyp>& coarse, double gsd_step, double heading_step, int keep) {
  const cv::Size fs = frame.full().size();
  auto a = dense_search(frame, ref, p, coarse, Correlation::fft_joint);
  std::vector<Peak> top;
  auto take = [&](auto better, int upto) {
    std::sort(a.begin(), a.end(), better);
    for (const Peak& pk : a) {
      if (int(top.size()) >= upto) break;
      // The FFT scores the whole level: keep only places inside the search area.
      if (p.center_px && std::hypot(pk.center_ref.x - p.center_px->x, pk.center_ref.y - p.center_px->y) > p.radius_px)
        continue;
      const double fp_px = pk.hyp.gsd_m * fs.width / ref.gsd_m();
      bool dup = false;
      for (const auto& t : top)
        dup |= std::hypot(t.center_ref.x - pk.center_ref.x, t.center_ref.y - pk.center_ref.y) < 0.3 * fp_px;
      if (!dup) top.push_back(pk);
    }
  };
  // Half the places by correlation, the rest by z (how far a peak stands above its own hypothesis'
  // map): the two rank true places differently, and together hold them more often (seed 1, 30 views:
  // 2020->2014 found 50 % instead of 30 %, 2020->2009 13 % instead of 10 %, no false fix). Both are
  // measured above the height the map's highest chance peak is expected to reach (chance_peak_z):
  // a small scale's map, over a finer level, holds up to 16 times the placements of a large one's and
  // so higher chance peaks, which took most of the places (session 12, seeds 1-4 without priors: 74 %
  // of the refined places that were not the true one came from the two smallest of the ten scales).
  // Measured so, 2020->2009 (seeds 1-4, 120 views) kept the true place in 76 instead of 71 views and
  // refined it best in 65 instead of 53.
  take([](const Peak& x, const Peak& y) { return x.score - x.map_sd * x.chance_z > y.score - y.map_sd * y.chance_z; },
       keep / 2);
  take([](const Peak& x, const Peak& y) { return x.z - x.chance_z > y.z - y.chance_z; }, keep);
  struct Job { Hyp hyp; int parent; double L; };
  std::vector<Job> jobs;
  for (int i = 0; i < int(top.size()); ++i)
    for (double gf : {1 / std::sqrt(gsd_step), 1.0, std::sqrt(gsd_step)})
      for (double dh : {-heading_step / 2, 0.0, heading_step / 2})
        for (double dt : {-10.0, 0.0, 10.0}) {
          const Hyp& h0 = top[i].hyp;
          if (p.tilt_deg && dt != 0) continue;
          if (h0.tilt_deg + dt < 0) continue;
          const Hyp h{h0.gsd_m * gf, h0.tilt_deg + dt, h0.heading_deg + dh, 110.0};
          jobs.push_back({h, i, choose_level(h.gsd_m * fs.width, ref.gsd_m(), h.px_across)});
        }
  for (const Job& j : jobs) ref.level(j.L, frame.colour);
  std::vector<Peak> out(jobs.size(), Peak{-2, {}, {}, cv::Matx33d::eye(), 0});
  cv::parallel_for_(cv::Range(0, int(jobs.size())), [&](const cv::Range& range) {
    for (int k = range.start; k < range.end; ++k) {
      const Job& j = jobs[k];
      const Peak& parent = top[j.parent];
      const double La = choose_level(parent.hyp.gsd_m * fs.width, ref.gsd_m(), parent.hyp.px_across);
      const HypScore h = correlate_hyp(frame, ref, j.hyp, p.hfov_deg, j.L, parent.center_ref * (ref.gsd_m() / j.L),
                                       1.5 * La / j.L + 2);
      if (!h.ok) continue;
      cv::Point2d at;
      const double mx = peak_of(h.score, at);
      const cv::Matx33d rf = ref_from_placement(h, at, ref.gsd_m());
      out[k] = {mx, apply(rf, {fs.width / 2.0, fs.height / 2.0}), j.hyp, rf, parent.z};
    }
  });
  // Best re-scored hypothesis per place.
  std::vector<Peak> best(top.size(), Peak{-2, {}, {}, cv::Matx33d::eye(), 0});
  for (size_t k = 0; k < jobs.size(); ++k)
    if (out[k].score > best[jobs[k].parent].score) best[jobs[k].parent] = out[k];
  std::vector<Peak> res;
  for (const auto& b : best)
    if (b.score > -1) res.push_back(b);
  return res;
}

// Coarse-to-fine refinement of a dense peak with the same robust feature: a local search over scale
// and heading (within what the priors allow) at the coarse level, then again at half that resolution.
struct LocalFit {
  bool ok = false;
  Hyp hyp{};
  double ncc_coarse = -1, ncc_fine = -1;
  double drift_coarse_px = 0;     // how far the fine estimate moved from the coarse one, coarse pixels
  double L_fine = 0;
  cv::Matx33d ref_from_frame = cv::Matx33d::eye();
};

LocalFit refine_dense(const FramePyramid& frame, const ReferenceIndex& ref, const ViewPrior& p, const AlignOptions& o,
                      const Peak& pk) {
  LocalFit out;
  const cv::Size fs = frame.full().size();
  const cv::Point2d fc(fs.width / 2.0, fs.height / 2.0);
  double gmin = o.min_gsd_m / 1.1, gmax = o.max_gsd_m * 1.1;
  if (p.gsd_m) gmin = *p.gsd_m / (1 + p.gsd_tol + 0.05), gmax = *p.gsd_m * (1 + p.gsd_tol + 0.05);
  auto heading_ok = [&](double hd) {
    if (!p.heading_deg) return true;
    double d = std::fmod(std::abs(hd - *p.heading_deg), 360.0);
    return std::min(d, 360 - d) <= p.heading_tol_deg + 3;
  };
  const double L = choose_level(pk.hyp.gsd_m * fs.width, ref.gsd_m(), pk.hyp.px_across);
  Hyp best = pk.hyp;
  cv::Point2d centre = pk.center_ref;
  auto search = [&](double Lx, const std::vector<double>& gf, const std::vector<double>& dh,
                    const std::vector<double>& dt, double win, double& best_score) {
    const Hyp base = best;
    const cv::Point2d c0 = centre;
    bool any = false;
    for (double f : gf)
      for (double d : dh)
        for (double t : dt) {
        const Hyp h{base.gsd_m * f, base.tilt_deg + t, base.heading_deg + d, base.px_across};
        if (h.gsd_m < gmin || h.gsd_m > gmax || !heading_ok(h.heading_deg) || h.tilt_deg < 0 || h.tilt_deg > 45) continue;
        const HypScore hs = correlate_hyp(frame, ref, h, p.hfov_deg, Lx, c0 * (ref.gsd_m() / Lx), win);
        if (!hs.ok) continue;
        cv::Point2d at;
        const double mx = peak_of(hs.score, at);
        if (mx > best_score) {
          best_score = mx;
          best = h;
          out.ref_from_frame = ref_from_placement(hs, at, ref.gsd_m());
          centre = apply(out.ref_from_frame, fc);
          any = true;
        }
      }
    return any;
  };
  // Coordinate descent: scale at the peak's heading, then heading at the best scale (and tilt when it
  // is unknown). Without a scale or heading prior the coarse grid was wider, so the steps are too.
  const bool free = !p.gsd_m;
  double s1 = -1;
  if (free) {
    if (!search(L, {0.88, 0.94, 1.0, 1.06, 1.12}, {0}, {0}, 3, s1)) return out;
  } else if (!search(L, {0.95, 0.975, 1.0, 1.025, 1.05}, {0}, {0}, 3, s1)) {
    return out;
  }
  if (!p.heading_deg) search(L, {1.0}, {-8, -4, 4, 8}, {0}, 3, s1);
  search(L, {1.0}, {-2, 2}, {0}, 3, s1);
  if (!p.tilt_deg) search(L, {1.0}, {0}, {-10, 10}, 3, s1);
  if (free) search(L, {0.97, 1.03}, {0}, {0}, 3, s1);
  // With the tilt unknown, a second, finer pass: tilt and centre trade off (a tilted footprint's
  // centre moves with the tilt), and one pass left true places 15-30 m off at tilts 7-25 degrees
  // short of the truth (seeds 3 and 5: 6 of the 40 views whose true place stage A kept). With it,
  // 84 instead of 79 of 160 views (seeds 2, 3, 5, 6) ended a refined place within 15 m of the truth.
  if (!p.tilt_deg) {
    search(L, {1.0}, {0}, {-5, 5}, 3, s1);
    search(L, {1.0}, {-2, 2}, {0}, 3, s1);
    search(L, {0.97, 1.03}, {0}, {0}, 3, s1);
    search(L, {1.0}, {0}, {-5, 5}, 3, s1);
  }
  out.ncc_coarse = s1;
  const cv::Point2d coarse_centre = centre;
  const double Lf = std::max(ref.gsd_m(), L / 2);
  double s2 = -1;
  if (!search(Lf, {0.985, 1.0, 1.015}, {0}, {0}, 4, s2)) return out;
  search(Lf, {1.0}, {-1, 1}, {0}, 4, s2);
  if (!p.tilt_deg) search(Lf, {1.0}, {0}, {-4, 4}, 4, s2);
  out.ncc_fine = s2;
  out.L_fine = Lf;
  out.hyp = best;
  out.drift_coarse_px = std::hypot(centre.x - coarse_centre.x, centre.y - coarse_centre.y) * ref.gsd_m() / L;
  out.ok = true;
  return out;
}

// Independent check of a dense fix, block by block: the frame is warped onto the reference grid at
// level `L` under the fix, cut into square blocks, and each block is matched on its own (orientation
// fields, a window of +-R level pixels). A true fix moves every block to about zero offset; a peak
// that a single road or field edge produced does not. Blocks whose own best offset is ambiguous (flat
// ground, a single straight edge: the runner-up within the window is nearly as good) are not counted.
struct BlockOffsets {
  std::vector<cv::Point2f> at;       // block centres, level pixels (reference grid)
  std::vector<cv::Point2f> offset;   // where each block's own best placement is, relative to `at`
  double fp_area = 0;                // footprint area, level pixels
};

BlockOffsets block_offsets(const FramePyramid& frame, const ReferenceIndex& ref, const cv::Matx33d& lvl_from_frame,
                           double L) {
  BlockOffsets out;
  const cv::Size fs = frame.full().size();
  const auto& lv = ref.level(L, frame.colour);
  const cv::Rect2d bb = bbox_of(lvl_from_frame, fs);
  if (bb.width < 24 || bb.height < 24 || bb.width * bb.height > 4e6) return out;
  const int B = 24, R = 8;
  const cv::Rect box(int(std::floor(bb.x)), int(std::floor(bb.y)), int(std::ceil(bb.width)) + 1,
                     int(std::ceil(bb.height)) + 1);
  const cv::Matx33d tpl_from_frame = shift(-box.x, -box.y) * lvl_from_frame;
  cv::Mat tc, ts, mask;
  warped_fields(frame, tpl_from_frame, box.size(), tc, ts, mask);
  cv::erode(mask, mask, cv::getStructuringElement(cv::MORPH_RECT, {5, 5}));
  out.fp_area = cv::countNonZero(mask);
  const cv::Rect lvr(0, 0, lv.fc.cols, lv.fc.rows);
  for (int y = 0; y + B <= box.height; y += B)
    for (int x = 0; x + B <= box.width; x += B) {
      const cv::Rect b(x, y, B, B);
      if (cv::countNonZero(mask(b)) < B * B) continue;
      const cv::Rect win(box.x + x - R, box.y + y - R, B + 2 * R, B + 2 * R);
      if ((win & lvr) != win) continue;
      cv::Scalar m1, s1, m2, s2;
      cv::meanStdDev(tc(b), m1, s1);
      cv::meanStdDev(ts(b), m2, s2);
      if (s1[0] + s2[0] < 0.05) continue;  // flat
      cv::Mat rc, rs;
      cv::matchTemplate(lv.fc(win), tc(b), rc, cv::TM_CCOEFF_NORMED);
      cv::matchTemplate(lv.fs(win), ts(b), rs, cv::TM_CCOEFF_NORMED);
      cv::Mat sc = (rc + rs) * 0.5;
      cv::patchNaNs(sc, -1);
      cv::Point2d p;
      const double best = peak_of(sc, p);
      if (best < 0.2) continue;
      const cv::Point loc(int(std::lround(p.x)), int(std::lround(p.y)));
      cv::rectangle(sc, cv::Rect(loc.x - 2, loc.y - 2, 5, 5), cv::Scalar(-1), cv::FILLED);
      double second;
      cv::minMaxLoc(sc, nullptr, &second);
      if (second > 0.85 * best) continue;  // ambiguous
      out.at.emplace_back(float(box.x + x + B / 2.0), float(box.y + y + B / 2.0));
      out.offset.emplace_back(float(p.x - R), float(p.y - R));
    }
  return out;
}

struct BlockCheck {
  int localized = 0, agree = 0;
  double spread = 0;                         // hull of agreeing block centres / footprint area
};

// Counts agreeing blocks after correcting the fix by the blocks themselves: first their median
// offset (a shift), then a similarity fitted by least squares to the blocks near that shift, bounded
// to a few percent and degrees. Neither step can seek a mode among random offsets.
BlockCheck check_blocks(const FramePyramid& frame, const ReferenceIndex& ref, const cv::Matx33d& ref_from_frame,
                        double L) {
  BlockCheck out;
  cv::Matx33d lvl_from_frame = scale(ref.gsd_m() / L) * ref_from_frame;
  BlockOffsets bo;
  for (int iter = 0; iter < 3; ++iter) {
    bo = block_offsets(frame, ref, lvl_from_frame, L);
    if (bo.at.size() < 3 || iter == 2) break;
    std::vector<float> xs, ys;
    for (const auto& o : bo.offset) xs.push_back(o.x), ys.push_back(o.y);
    std::nth_element(xs.begin(), xs.begin() + xs.size() / 2, xs.end());
    std::nth_element(ys.begin(), ys.begin() + ys.size() / 2, ys.end());
    const cv::Point2f med(xs[xs.size() / 2], ys[ys.size() / 2]);
    std::vector<cv::Point2f> src, dst;
    for (size_t i = 0; i < bo.at.size(); ++i)
      if (std::hypot(bo.offset[i].x - med.x, bo.offset[i].y - med.y) <= 3.0) {
        src.push_back(bo.at[i]);
        dst.push_back(bo.at[i] + bo.offset[i]);
      }
    cv::Matx33d corr = shift(med.x, med.y);
    if (src.size() >= 6) {
      cv::Mat s = cv::estimateAffinePartial2D(src, dst, cv::noArray(), cv::LMEDS);
      if (!s.empty()) {
        const double a = s.at<double>(0, 0), b = s.at<double>(1, 0);
        const double k = std::hypot(a, b), rot = std::atan2(b, a) * 180 / kPi;
        if (std::abs(k - 1) < 0.06 && std::abs(rot) < 4) corr = cv::Matx33d(s.at<double>(0, 0), s.at<double>(0, 1), s.at<double>(0, 2),
                                                                          s.at<double>(1, 0), s.at<double>(1, 1), s.at<double>(1, 2), 0, 0, 1);
      }
    }
    lvl_from_frame = corr * lvl_from_frame;
  }
  out.localized = int(bo.at.size());
  std::vector<cv::Point2f> agree;
  for (size_t i = 0; i < bo.at.size(); ++i) {
    if (std::hypot(bo.offset[i].x, bo.offset[i].y) <= 1.5) agree.push_back(bo.at[i]);
  }
  out.agree = int(agree.size());
  if (agree.size() >= 3) {
    std::vector<cv::Point2f> hull;
    cv::convexHull(agree, hull);
    out.spread = cv::contourArea(hull) / std::max(1.0, bo.fp_area);
  }
  return out;
}

// Keypoints of the frame rectified through `ref_from_frame` at the index resolution, matched against
// the reference keypoints in the footprint (plus `margin_px` reference pixels). Returns the fit as
// ref_from_frame.
KeypointFit verify_keypoints(const FramePyramid& frame, const ReferenceIndex& ref, const cv::Matx33d& ref_from_frame,
                             double margin_px, const AlignOptions& o, cv::Matx33d& out) {
  const cv::Size fs = frame.full().size();
  const double k = ref.gsd_m() / ref.kp_gsd_m();
  const cv::Matx33d kp_from_frame = scale(k) * ref_from_frame;
  const cv::Rect2d bb = bbox_of(kp_from_frame, fs);
  if (bb.width * bb.height > 6e6 || bb.width < 16 || bb.height < 16) return {};
  const cv::Matx33d work_from_frame = shift(-bb.x, -bb.y) * kp_from_frame;
  cv::Mat mask;
  cv::Mat work = to8(warp_frame(frame, work_from_frame, cv::Size(int(std::ceil(bb.width)), int(std::ceil(bb.height))),
                                &mask, 4));
  const cv::Rect2d bref = bbox_of(ref_from_frame, fs);
  const cv::Rect2d roi(bref.x - margin_px, bref.y - margin_px, bref.width + 2 * margin_px, bref.height + 2 * margin_px);
  KeypointFit f = keypoints_in(work, mask, ref, roi, o);
  if (!f.ok) return f;
  // pairs were (work px, ref px): report them as (frame px, ref px).
  const cv::Matx33d frame_from_work = work_from_frame.inv();
  for (auto& pr : f.pairs) {
    const cv::Point2d q = apply(frame_from_work, pr.first);
    pr.first = cv::Point2f(float(q.x), float(q.y));
  }
  // Hull share relative to the frame's footprint in the work image.
  out = f.target_from_src * work_from_frame;
  return f;
}

}  // namespace

Alignment align_frame(const cv::Mat& frame, const ReferenceIndex& ref, const ViewPrior& p, const AlignOptions& o) {
  o.validate();
  // OpenCV's random draws during matching come from this thread's cv::theRNG(). Every frame starts
  // from the same state, so that its result does not depend on what was matched before it (a frame
  // alone, or among others, in any order), and the caller gets its own state back.
  struct RngScope {
    std::uint64_t saved = cv::theRNG().state;
    RngScope() { cv::theRNG().state = 0x2545F4914F6CDD1Dull; }
    ~RngScope() { cv::theRNG().state = saved; }
    RngScope(const RngScope&) = delete;
    RngScope& operator=(const RngScope&) = delete;
  } rng_scope;
  Alignment best;
  if (frame.empty() || frame.cols < 64 || frame.rows < 64) {
    best.diagnostics.error("frame.too_small", "frame is smaller than 64 pixels; nothing to match");
    return best;
  }
  const cv::Mat g8 = to_gray8(frame);
  cv::Scalar mean, sd;
  cv::meanStdDev(g8, mean, sd);
  if (sd[0] < 2.0) {
    best.diagnostics.error("frame.uniform", "frame is blank or a single colour (grey std " +
                                                std::to_string(sd[0]) + "); nothing to match");
    return best;
  }
  cv::Mat f32;
  g8.convertTo(f32, CV_32F);
  const cv::Size fs = f32.size();
  const FramePyramid fpyr(f32);
  // The dense search correlates colour boundaries too when both the frame and the reference have
  // colour (docs/match.md, session 11); the keypoints use grey.
  const bool colour = o.dense_colour && ref.has_colour() && has_colour(frame);
  std::optional<FramePyramid> dpyr_colour;
  if (colour) dpyr_colour.emplace(dense_channels(frame, true), true);
  const FramePyramid& dpyr = colour ? *dpyr_colour : fpyr;
  try {
    // Stage 1: keypoints, on the frame rectified by the priors when scale and heading are known.
    {
      // Gates a keypoint fit (ref_from_frame `h`); returns the candidate, found or not.
      auto judge = [&](const KeypointFit& fit, const cv::Matx33d& h) {
        Alignment a;
        a.ref_from_frame = h;
        a.method = fit.affine ? "keypoints(affine)" : "keypoints";
        score_keypoints(a, fit, o, ref.gsd_m(), 0.5 * ref.kp_gsd_m());
        a.inlier_pairs = fit.pairs;
        const std::string why = geometry_problem(p, o, ref, h, fs);
        if (!why.empty()) {
          a.diagnostics.info("match.keypoints_rejected", "keypoint candidate rejected: " + why);
          a.confidence = std::min(a.confidence, 0.2);
        }
        a.frame_gsd_m = local_scale(h, fs) * ref.gsd_m();
        a.found = why.empty() && a.confidence >= o.min_confidence;
        return a;
      };
      std::optional<Alignment> cand;
      if (p.gsd_m && p.heading_deg) {
        const Hyp hyp{*p.gsd_m, p.tilt_deg.value_or(0.0), *p.heading_deg};
        const cv::Matx33d m = level_from_frame(hyp, fs, p.hfov_deg, ref.gsd_m());
        cv::Point2d c = p.center_px.value_or(cv::Point2d(ref.size().width / 2.0, ref.size().height / 2.0));
        const cv::Matx33d guess = shift(c.x, c.y) * m;
        const double margin = p.center_px ? p.radius_px : 1e7;
        cv::Matx33d h;
        const KeypointFit fit = verify_keypoints(fpyr, ref, guess, margin, o, h);
        if (fit.ok) cand = judge(fit, h);
      } else {
        const double k = std::min(1.0, 900.0 / std::max(fs.width, fs.height));
        const cv::Matx33d work_from_frame = scale(k);
        cv::Mat mask;
        const cv::Size ws(int(std::lround(fs.width * k)), int(std::lround(fs.height * k)));
        cv::Mat work = to8(warp_frame(fpyr, work_from_frame, ws, &mask, 0));
        const FrameFeatures ff = detect_features(work, mask, o);
        const double area = double(cv::countNonZero(mask));
        auto run = [&](const std::vector<cv::Rect2d>& rois) -> std::optional<Alignment> {
          KeypointFit fit = keypoints_in(ff, area, ref, rois);
          if (!fit.ok) return std::nullopt;
          for (auto& pr : fit.pairs) pr.first = cv::Point2f(float(pr.first.x / k), float(pr.first.y / k));
          return judge(fit, fit.target_from_src * work_from_frame);
        };
        if (p.center_px) {
          const double r = p.radius_px + 2 * std::max(fs.width, fs.height) * o.max_gsd_m / ref.gsd_m();
          cand = run({cv::Rect2d(p.center_px->x - r, p.center_px->y - r, 2 * r, 2 * r)});
        } else {
          // Retrieval first: when the tile ranking is distinct, the best three tiles' keypoints alone
          // (fewer distractors, a smaller matcher); the whole index when nothing there passes.
          if (ref.retrieval() && !ff.desc.empty()) {
            const TileRanking rk = ref.retrieval()->rank(ff.desc, 3);
            if (rk.distinct()) {
              std::vector<cv::Rect2d> rois;
              for (const auto& t : rk.tiles) rois.emplace_back(t.rect);
              cand = run(rois);
              if (cand && cand->found) {
                cand->diagnostics.info("match.retrieval", "keypoints matched in the best-ranked tiles (peak z " +
                                                               std::to_string(rk.peak_z) + ")");
                return *cand;
              }
            }
          }
          if (auto whole = run({}); whole && (!cand || whole->found || whole->confidence > cand->confidence))
            cand = whole;
        }
      }
      if (cand) {
        if (cand->found) return *cand;
        best = *cand;
      } else {
        best.diagnostics.info("match.keypoints_none", "too few keypoint matches");
      }
    }
    if (!o.dense) return best;
    if (!p.gsd_m && !o.dense_without_priors) return best;
    // Stage 2: dense orientation-field search over the hypotheses the priors leave open.
    std::vector<double> heads, tilts;
    if (p.heading_deg) {
      heads = {*p.heading_deg};
      for (double d = 6; d <= p.heading_tol_deg + 0.1; d += 6) {
        heads.push_back(*p.heading_deg - d);
        heads.push_back(*p.heading_deg + d);
      }
    } else {
      for (int i = 0; i < (p.gsd_m ? 18 : 24); ++i) heads.push_back(i * (p.gsd_m ? 20.0 : 15.0));
    }
    if (p.tilt_deg) tilts = {*p.tilt_deg};
    else tilts = {0, 25};
    const bool free = !p.gsd_m;
    // A search area wider than the one the scale-prior gates were calibrated on (no centre, or a
    // circle over kCalibratedRadiusM): searched by FFT, and gated as uncalibrated.
    const bool wide_area = !p.center_px || p.radius_px * ref.gsd_m() > kCalibratedRadiusM;
    std::vector<Peak> peaks;
    if (!free) {
      std::vector<double> gsds = {*p.gsd_m};
      if (p.gsd_tol >= 0.04) gsds = {*p.gsd_m / (1 + p.gsd_tol * 0.8), *p.gsd_m, *p.gsd_m * (1 + p.gsd_tol * 0.8)};
      std::vector<Hyp> hyps;
      for (double g : gsds)
        for (double t : tilts)
          for (double hd : heads) hyps.push_back({g, t, hd, 110.0});
      // Over a search area wider than the calibrated one (no centre, or a wide circle) the same
      // score by FFT: a scale and tilt prior over the bench's 5 km x 5 km took 2.6-2.8 s per frame by
      // matchTemplate and takes 1.6-1.7 by FFT (seed 1, same views, same results).
      peaks = dense_search(dpyr, ref, p, hyps, wide_area ? Correlation::fft_mean : Correlation::template_match,
                           kPriorPeaksPerHyp);
    } else {
      // Stage A: one middle tilt (12 degrees) at a footprint of 80 px across held the true place among
      // its 24 best in 28 of 40 cross-date views (seed 3), against 19 of 40 for tilts {0, 25} at 56 px,
      // for the same number of correlated pixels; stage B then tries tilts 2-22 and the refinement
      // moves the tilt by up to 24 degrees more. Tried in session 5 (seeds 3 and 5, 80 views): at 90
      // px stage A held the true place (within 40 m) in 47 views instead of 40, for 18 % more time,
      // but the located views stayed exactly the same on seeds 2, 3, 5 and 6; 100 px: 49 for 87 %
      // more time; a second tilt (4 and 24 degrees): 42 for 65 % more; 10 degree headings or 4
      // peaks per hypothesis: no gain. So 80 px stays.
      const std::vector<double> stage_a_tilts = p.tilt_deg ? tilts : std::vector<double>{12.0};
      std::vector<Hyp> coarse;
      for (double g = o.min_gsd_m; g <= o.max_gsd_m * 1.2; g *= 1.2)
        for (double t : stage_a_tilts)
          for (double hd : heads) coarse.push_back({g, t, hd, 80.0});
      peaks = free_search(dpyr, ref, p, coarse, 1.2, p.heading_deg ? 6.0 : 15.0, 24);
    }
    if (peaks.empty()) {
      best.diagnostics.info("match.dense_none", "no dense hypothesis fits in the search area");
      return best;
    }
    std::vector<int> order(peaks.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return peaks[a].score > peaks[b].score; });
    auto same_place = [&](const Peak& a, const Peak& b) {
      return std::hypot(a.center_ref.x - b.center_ref.x, a.center_ref.y - b.center_ref.y) <
             0.3 * a.hyp.gsd_m * fs.width / ref.gsd_m();
    };
    // What to refine. With priors: the best place, started from its best peak and from the best peaks
    // of up to three other hypotheses there (the coarse grid can leave one hypothesis' peak a few
    // pixels off the optimum), and the next kPriorPlaces - 1 distinct places (one peak each), the
    // field the best refined place must stand out of. Without: every distinct place stage B kept.
    struct Candidate {
      int place = 0;  // the peak that stands for the place (its score and z)
      int start = 0;  // the peak the refinement starts from
      LocalFit fit;
    };
    std::vector<Candidate> cands;
    int starts = 1, places = 1;  // with priors: starts at the best place, distinct places
    for (int idx : order) {
      if (free) {
        bool dup = false;
        for (const auto& c : cands) dup |= same_place(peaks[c.place], peaks[idx]);
        if (!dup) cands.push_back({idx, idx, {}});
      } else if (cands.empty()) {
        cands.push_back({idx, idx, {}});
      } else if (same_place(peaks[cands[0].place], peaks[idx])) {
        const Hyp &a = peaks[idx].hyp, &b = peaks[cands[0].place].hyp;
        if (starts < 4 && (a.gsd_m != b.gsd_m || a.heading_deg != b.heading_deg || a.tilt_deg != b.tilt_deg)) {
          cands.push_back({cands[0].place, idx, {}});
          ++starts;
        }
      } else if (places < kPriorPlaces) {
        bool dup = false;
        for (const auto& c : cands) dup |= same_place(peaks[c.place], peaks[idx]);
        if (!dup) {
          cands.push_back({idx, idx, {}});
          ++places;
        }
      }
    }
    // Refine them all, in parallel (the levels are made first: their cache is not thread-safe).
    for (const auto& c : cands) {
      const Peak& pk = peaks[c.start];
      const double L = choose_level(pk.hyp.gsd_m * fs.width, ref.gsd_m(), pk.hyp.px_across);
      ref.level(L, dpyr.colour);
      ref.level(std::max(ref.gsd_m(), L / 2), dpyr.colour);
    }
    cv::parallel_for_(cv::Range(0, int(cands.size())), [&](const cv::Range& r) {
      for (int i = r.start; i < r.end; ++i) cands[i].fit = refine_dense(dpyr, ref, p, o, peaks[cands[i].start]);
    });
    // Gate in order of the refined correlation: on bench views without priors (seed 2, 60 views, 8
    // places refined each), in 13 of the 14 views where the true place was among those refined it had
    // the highest refined correlation, while it was the best by stage-B score in only a few. With
    // priors only the best candidate is gated (a place other than the best peak's has a peak ratio
    // under 1, so only the refined standing can accept it); without, the best three places.
    std::stable_sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
      return (a.fit.ok ? a.fit.ncc_fine : -2.0) > (b.fit.ok ? b.fit.ncc_fine : -2.0);
    });
    // Without priors, how far the best refined place stands above the other places: its refined
    // correlation over the best refined at a clearly different place (`fine_ratio`), and in standard
    // deviations above the mean of all those others (`fine_z`). Under chance every place is a chance
    // peak and the best of ~23 stands about 2-3.5 sd above the rest; a true place stands 3-10 above.
    // Both mean something only against many other places: with fewer than 8 (a small search area)
    // they are not computed.
    auto centre_of = [&](const LocalFit& f) { return apply(f.ref_from_frame, {fs.width / 2.0, fs.height / 2.0}); };
    struct Standing {
      double ratio = 0, z = 0;
    };
    auto standing_of = [&](size_t i) {
      Standing st;
      if (cands.size() < 8 || !cands[i].fit.ok) return st;
      const cv::Point2d ci = centre_of(cands[i].fit);
      const double apart_px = 0.3 * cands[i].fit.hyp.gsd_m * fs.width / ref.gsd_m();
      std::vector<double> others;
      for (size_t j = 0; j < cands.size(); ++j) {
        if (j == i || !cands[j].fit.ok) continue;
        const cv::Point2d cj = centre_of(cands[j].fit);
        if (std::hypot(cj.x - ci.x, cj.y - ci.y) > apart_px) others.push_back(cands[j].fit.ncc_fine);
      }
      if (others.size() < 7) return st;
      const double top = *std::max_element(others.begin(), others.end());
      cv::Scalar mean, sd;
      cv::meanStdDev(others, mean, sd);
      st.ratio = top > 0 ? cands[i].fit.ncc_fine / std::max(1e-3, top) : 0.0;
      st.z = (cands[i].fit.ncc_fine - mean[0]) / std::max(1e-4, sd[0]);
      return st;
    };
    // The candidates gated: with priors the best, without the best three (their standing is measured
    // over all the refined places, so before the others are dropped).
    const size_t gated = std::min(cands.size(), size_t(free ? 3 : 1));
    std::vector<Standing> standing(gated);
    for (size_t i = 0; i < gated; ++i) standing[i] = standing_of(i);
    // Other refinements of the same place (with priors, the other starts there) that the refined
    // correlation can hardly tell from the fix: the fix is uncertain by at least their distance. Over
    // bench seeds 1-7 with priors (session 9), 11 of the 20 located cross-date fixes 10-50 m off had
    // such a rival 8-26 m away, and 17 of 320 true best places one over 10 m away. With 1.5 x that
    // distance in error_m, 94 instead of 86 % of the located 2020->2009 fixes lie within it (2020->2014:
    // 97 instead of 95 %).
    std::vector<double> rival_m(gated, 0.0);
    for (size_t i = 0; i < gated; ++i) {
      if (!cands[i].fit.ok) continue;
      const cv::Point2d ci = centre_of(cands[i].fit);
      const double same_px = 0.3 * cands[i].fit.hyp.gsd_m * fs.width / ref.gsd_m();
      for (size_t j = 0; j < cands.size(); ++j) {
        if (j == i || !cands[j].fit.ok || cands[j].fit.ncc_fine < 0.9 * cands[i].fit.ncc_fine) continue;
        const cv::Point2d cj = centre_of(cands[j].fit);
        const double d = std::hypot(cj.x - ci.x, cj.y - ci.y);
        if (d < same_px) rival_m[i] = std::max(rival_m[i], d * ref.gsd_m());
      }
    }
    cands.resize(gated);
    for (const Candidate& cand : cands) {
      const Peak& pk = peaks[cand.place];
      // Best competing peak: the highest at a clearly different place.
      double second = 0;
      for (int j : order) {
        if (!same_place(pk, peaks[j])) {
          second = std::max(0.0, peaks[j].score);
          break;
        }
      }
      Alignment a;
      a.method = "dense";
      a.ncc = pk.score;
      a.peak_ratio = second > 1e-6 ? pk.score / second : 10.0;
      const Peak& start = peaks[cand.start];
      const double L = choose_level(start.hyp.gsd_m * fs.width, ref.gsd_m(), start.hyp.px_across);
      const LocalFit& lf = cand.fit;
      cv::Matx33d h = lf.ok ? lf.ref_from_frame : start.ref_from_frame;
      a.ncc_fine = lf.ok ? lf.ncc_fine : 0.0;
      a.drift_px = lf.ok ? lf.drift_coarse_px : 0.0;
      a.ref_from_frame = h;
      a.frame_gsd_m = local_scale(h, fs) * ref.gsd_m();
      a.peak_z = pk.z;
      if (lf.ok) {
        const BlockCheck bc = check_blocks(dpyr, ref, h, lf.L_fine);
        a.blocks_localized = bc.localized;
        a.blocks_agree = bc.agree;
        a.blocks_spread = bc.spread;
      }
      a.fine_ratio = standing[&cand - cands.data()].ratio;
      a.fine_z = standing[&cand - cands.data()].z;
      const DenseGateInput gi{.peak_ratio = a.peak_ratio,
                              .peak_z = a.peak_z,
                              .refined = lf.ok,
                              .ncc_fine = a.ncc_fine,
                              .drift_coarse_px = a.drift_px,
                              .blocks_agree = a.blocks_agree,
                              .blocks_localized = a.blocks_localized,
                              .fine_ratio = a.fine_ratio,
                              .fine_z = a.fine_z};
      const DenseSearchKind kind{.free = free,
                                 .heading_prior = p.heading_deg.has_value(),
                                 .wide = !free && wide_area,
                                 .colour = dpyr.colour};
      const DenseDecision dd = dense_confidence(gi, kind, o.min_confidence);
      a.confidence = dd.confidence;
      if (dd.unconfirmed)
        a.diagnostics.info("match.dense_unconfirmed",
                           "the dense fix passed on its peak evidence or its refined standing alone; with these "
                           "priors (not both scale and heading, or a search area over 1.6 km) it needs the blocks "
                           "or both");
      // About a 90 % bound: over the located cross-date dense fixes of bench seeds 2-7 (316), the
      // centre error's 90th percentile was 2.6 fine-level pixels with priors (240) and 2.0 without
      // (76); at 1.5 px (until session 5) 18 % of them lay outside it. The error grows with how far
      // the refinement moved the fix (session 8, 382 located fixes of seeds 1-7 within 50 m: error
      // over fine-level pixel, 90th percentile 1.9 for a drift under 0.5 coarse px, 2.6 for 0.5-1,
      // 4.5 for 1-1.5), so the bound is at least 1.5 x that move.
      a.rival_spread_m = rival_m[&cand - cands.data()];
      a.error_m = std::max({(lf.ok ? lf.L_fine : L) * 2.6, 1.5 * a.drift_px * L, 1.5 * a.rival_spread_m});
      // Local keypoints confirm and sharpen a dense fix.
      cv::Matx33d hk;
      KeypointFit kf = verify_keypoints(fpyr, ref, h, 6 * L / ref.gsd_m(), o, hk);
      if (kf.ok && kf.inliers >= o.min_inliers && kf.hull_share >= o.min_hull_share) {
        const cv::Point2d c1 = apply(hk, {fs.width / 2.0, fs.height / 2.0});
        const cv::Point2d c0 = apply(h, {fs.width / 2.0, fs.height / 2.0});
        if (std::hypot(c1.x - c0.x, c1.y - c0.y) < 3 * L / ref.gsd_m() && footprint_problem(hk, fs).empty()) {
          Alignment b = a;
          b.method = "dense+keypoints";
          score_keypoints(b, kf, o, ref.gsd_m(), 0.5 * ref.kp_gsd_m());
          b.confidence = std::max(b.confidence, a.confidence);
          b.ref_from_frame = hk;
          b.inlier_pairs = kf.pairs;
          b.frame_gsd_m = local_scale(hk, fs) * ref.gsd_m();
          a = b;
        }
      }
      const std::string why = geometry_problem(p, o, ref, a.ref_from_frame, fs);
      if (!why.empty()) {
        a.diagnostics.info("match.dense_rejected", "dense candidate rejected: " + why);
        a.confidence = std::min(a.confidence, 0.2);
      }
      a.found = why.empty() && a.confidence >= o.min_confidence;
      if (a.found) return a;
      // The best rejected candidate is reported: a dense one over a keypoint one of equal confidence,
      // and among dense ones on a tie the better refined (the earlier).
      if (best.method.rfind("dense", 0) == 0 ? a.confidence > best.confidence : a.confidence >= best.confidence) {
        Diagnostics keep = best.diagnostics;
        best = a;
        keep.append(a.diagnostics);
        best.diagnostics = keep;
      }
    }
    best.found = false;
    return best;
  } catch (const cv::Exception& e) {
    throw Error{Errc::external, std::string("match.align: OpenCV: ") + e.what(), "opencv", e.code};
  }
}

}  // namespace geo
