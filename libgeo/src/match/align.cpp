// SPDX-License-Identifier: Apache-2.0
// align_frame: the matcher's pipeline. The stages live in files of their own: keypoint_stage (tried
// first), dense_search (one pass with a scale prior, stages A and B without), refinement, block_check,
// dense_stage (what is refined and gated) and gates (every decision). search_ranges turns the priors
// into what each stage searches; tuning.hpp holds every tuned number (docs/dev/match-design.md).
#include "geo/match/align.hpp"

#include <cmath>
#include <cstdint>

#include <opencv2/imgproc.hpp>

#include "geo/core/error.hpp"
#include "geo/core/text.hpp"
#include "match/align_util.hpp"
#include "match/dense_stage.hpp"
#include "match/keypoint_stage.hpp"
#include "match/search_ranges.hpp"
#include "match/tuning.hpp"
#include "match/tuning.hpp"

namespace geo {

using namespace match_detail;

const char* to_string(Detector d) noexcept {
  switch (d) {
    case Detector::sift: return "sift";
    case Detector::akaze: return "akaze";
    case Detector::orb: return "orb";
  }
  return "sift";
}

const char* to_string(AlignMethod m) noexcept {
  switch (m) {
    case AlignMethod::none: return "";
    case AlignMethod::keypoints: return "keypoints";
    case AlignMethod::keypoints_affine: return "keypoints(affine)";
    case AlignMethod::dense: return "dense";
    case AlignMethod::dense_keypoints: return "dense+keypoints";
  }
  return "";
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
  // The range searched is the range a fix may pass the scale gate in (search_ranges: kPlausibleGsd*).
  if (min_gsd_m < kPlausibleGsdMinM || max_gsd_m > kPlausibleGsdMaxM || max_gsd_m > 40 * min_gsd_m)
    throw Error{Errc::invalid_argument, "match: options: scale range " + geo::dump_json(Json(min_gsd_m)) + "," +
                                            geo::dump_json(Json(max_gsd_m)) + " m/px: expected within " +
                                            geo::dump_json(Json(kPlausibleGsdMinM)) + "-" +
                                            geo::dump_json(Json(kPlausibleGsdMaxM)) + " m/px and at most 40x wide"};
  if (min_inliers < 4) throw Error{Errc::invalid_argument, "match: options: min_inliers must be >= 4"};
}

cv::Matx33d ground_from_frame(cv::Size frame, double gsd_m, double tilt_deg, double heading_deg,
                              double hfov_deg) {
  if (!(gsd_m > 0) || !(hfov_deg > 1 && hfov_deg < 170))
    throw Error{Errc::invalid_argument, "match: camera: gsd_m must be > 0 and hfov_deg in (1, 170)"};
  auto rad = [](double deg) { return deg * CV_PI / 180.0; };
  const double w = frame.width, h = frame.height;
  const double f = (w / 2) / std::tan(rad(hfov_deg) / 2);
  const double half_vfov = std::atan((h / 2) / f) * 180 / CV_PI;
  if (!(tilt_deg >= 0) || tilt_deg + half_vfov >= kHorizonDeg)
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

Json to_json(const Alignment& a) {
  Json j = Json::object();
  j["method"] = to_string(a.method);
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

namespace {

// OpenCV's random draws during matching come from this thread's cv::theRNG(). Every frame starts
// from the same state, so that its result does not depend on what was matched before it (a frame
// alone, or among others, in any order), and the caller gets its own state back.
class RngScope {
 public:
  RngScope() { cv::theRNG().state = 0x2545F4914F6CDD1Dull; }
  ~RngScope() { cv::theRNG().state = saved_; }
  RngScope(const RngScope&) = delete;
  RngScope& operator=(const RngScope&) = delete;

 private:
  std::uint64_t saved_ = cv::theRNG().state;
};

double grey_sd(const cv::Mat& grey8) {
  cv::Scalar mean, sd;
  cv::meanStdDev(grey8, mean, sd);
  return sd[0];
}

}  // namespace

Alignment align_frame(const cv::Mat& frame, const ReferenceIndex& ref, const ViewPrior& p, const AlignOptions& o) {
  o.validate();
  const SearchRanges ranges = search_ranges(p, o, frame.size(), ref.gsd_m());  // throws for a tilt over 45
  const RngScope rng_scope;
  Alignment best;
  if (frame.empty() || frame.cols < kMinFrameSidePx || frame.rows < kMinFrameSidePx) {
    best.diagnostics.error("frame.too_small", "frame is smaller than " + std::to_string(kMinFrameSidePx) +
                                                  " pixels; nothing to match");
    return best;
  }
  const cv::Mat g8 = to_gray8(frame);
  if (const double sd = grey_sd(g8); sd < kMinFrameGreySd) {
    best.diagnostics.error("frame.uniform", "frame is blank or a single colour (grey std " + std::to_string(sd) +
                                                "); nothing to match");
    return best;
  }
  cv::Mat f32;
  g8.convertTo(f32, CV_32F);
  const FramePyramid grey(f32);
  // The dense search correlates colour boundaries too when both the frame and the reference have
  // colour; the keypoints use grey.
  const bool colour = o.dense_colour && ref.has_colour() && has_colour(frame);
  std::optional<FramePyramid> colour_pyramid;
  if (colour) colour_pyramid.emplace(dense_channels(frame, true), true);
  try {
    // Stage 1: keypoints.
    if (std::optional<Alignment> cand = keypoint_stage(grey, ref, p, ranges, o)) {
      if (cand->found) return *cand;
      best = *cand;
    } else {
      best.diagnostics.info("match.keypoints_none", "too few keypoint matches");
    }
    // Stage 2: the dense search over the hypotheses the priors leave open, refined, checked by
    // blocks and gated.
    if (!o.dense || (!p.gsd_m && !o.dense_without_priors)) return best;
    return dense_stage({grey, colour ? *colour_pyramid : grey}, ref, p, ranges, o, std::move(best));
  } catch (const cv::Exception& e) {
    throw Error{Errc::external, std::string("match.align: OpenCV: ") + e.what(), "opencv", e.code};
  }
}

}  // namespace geo
