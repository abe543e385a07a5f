// SPDX-License-Identifier: Apache-2.0
// Pixel-level alignment of one frame against a north-up reference image (OpenCV only, no GDAL).
//
// Conventions: pixel coordinates use the corner convention of geo/imagery (pixel (i, j) covers
// [i, i+1) x [j, j+1)). The reference is north-up with square pixels of `gsd_m` metres: column grows
// east, row grows south. A homography `ref_from_frame` maps frame pixels to reference pixels.
//
// Thread safety: functions are re-entrant. A ReferenceIndex may be shared by threads: its content is
// fixed by build() or from_keypoints() (set_retrieval() and build_retrieval() excepted: call them
// before sharing it), and the levels it makes on demand are cached under a lock. OpenCV errors are
// translated to geo::Error{external}.
#pragma once
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "geo/core/diagnostics.hpp"
#include "geo/core/json.hpp"
#include "geo/match/retrieval.hpp"

namespace geo {

// What is known about the camera for one frame. Every field is optional; a prior narrows the search,
// it never replaces verification.
struct ViewPrior {
  std::optional<double> heading_deg;  // compass direction the top of the frame faces, clockwise from N
  double heading_tol_deg = 10.0;      // how far the true heading may be from heading_deg
  std::optional<double> gsd_m;        // ground metres per frame pixel at the frame centre (across)
  double gsd_tol = 0.10;              // relative tolerance of gsd_m (0.1 = +-10 %)
  std::optional<double> tilt_deg;     // camera angle from straight down (0 = nadir), at most 45: beyond
                                      // it align_frame throws invalid_argument (the search cannot confirm it)
  double hfov_deg = 70.0;             // horizontal field of view, used to rectify tilted views
  // Search area in reference pixels: the frame centre lies within radius_px of center_px.
  std::optional<cv::Point2d> center_px;
  double radius_px = 0.0;
};

enum class Detector { sift, akaze, orb };
const char* to_string(Detector d) noexcept;
// "MIN,MAX" (metres per frame pixel) -> {MIN, MAX}: the scale search range without a scale prior.
// Throws Error{invalid_argument} for anything else or MIN <= 0, MAX < MIN.
std::pair<double, double> parse_gsd_range(const std::string& text);
Detector parse_detector(const std::string& name);  // "sift" | "akaze" | "orb"; throws invalid_argument

struct AlignOptions {
  Detector detector = Detector::sift;
  double index_gsd_m = 2.0;       // keypoint index resolution (metres per pixel, >= reference gsd)
  double dense_gsd_m = 0.0;       // coarse dense-search resolution; 0 = automatic (~1/128 of footprint)
  bool dense = true;              // use the dense gradient-orientation search when keypoints fail
  bool dense_colour = true;       // the dense search correlates colour boundaries as well as grey ones
                                  // when frame and reference both have colour
  bool retrieval = true;          // rank reference tiles (VLAD, retrieval.hpp) and match keypoints in
                                  // the best three first when the ranking is distinct (no centre prior)
  double retrieval_footprint_m = 700.0;  // footprint the tile grid is made for: tiles 1.5x, stride 0.5x
  bool dense_without_priors = true;   // also search scale, heading and tilt densely when the scale is
                                      // unknown (coarse to fine, by FFT; a few s per frame)
  double min_gsd_m = 0.25;        // scale search range when the frame GSD is unknown
  double max_gsd_m = 1.2;
  // Gates (see docs/match.md for how they were set).
  int min_inliers = 15;
  double min_inlier_ratio = 0.12;
  double min_hull_share = 0.08;   // convex hull of inliers / frame area
  double max_reproj_px = 3.0;     // RMS reprojection error at the index resolution
  double min_confidence = 0.5;    // below this a candidate is reported not_found
  void validate() const;          // throws Error{invalid_argument}
};

// A reference prepared once for many frames: grey image, pyramid of gradient fields, keypoints.
class ReferenceIndex {
 public:
  // `image` CV_8UC3 (BGR) or CV_8UC1, north-up, `gsd_m` metres per pixel; `valid` optional mask.
  // Throws Error{invalid_argument} for an empty image or gsd_m <= 0.
  static ReferenceIndex build(const cv::Mat& image, const cv::Mat& valid, double gsd_m,
                              const AlignOptions& opts);
  // Rebuilds an index from keypoints computed earlier by build() with the same options (e.g. read
  // from an on-disk cache): `kp` in reference pixels, `desc` one row per keypoint, `kp_gsd_m` the
  // resolution they were detected at. Throws Error{invalid_argument} when sizes disagree.
  static ReferenceIndex from_keypoints(const cv::Mat& image, const cv::Mat& valid, double gsd_m,
                                       const AlignOptions& opts, std::vector<cv::KeyPoint> kp, cv::Mat desc,
                                       double kp_gsd_m);
  double gsd_m() const noexcept { return gsd_m_; }
  cv::Size size() const noexcept { return gray_.size(); }
  const cv::Mat& gray() const noexcept { return gray_; }
  // True when the image given carried colour (it is then kept, CV_8UC3, for the dense search).
  bool has_colour() const noexcept { return !colour_.empty(); }
  const cv::Mat& valid() const noexcept { return valid_; }
  std::size_t keypoint_count() const noexcept { return kp_.size(); }

  // Internal data used by align_frame().
  struct Level {
    double gsd_m = 0.0;
    bool colour = false;  // the field is of the opponent colour channels (else of grey)
    cv::Mat fc, fs;       // gradient-orientation field (doubled angle), CV_32F
  };
  // The level at `gsd_m`, its field of the colour channels when `colour` (and the image has colour),
  // else of grey. Made on first use and cached (thread-safe; the reference stays valid as long as the
  // index, copies of it sharing the cache).
  const Level& level(double gsd_m, bool colour) const;
  // The level's orientation fields ready for correlation by FFT: their spectra (CCS, padded to
  // `dft_size`) and integral images of the fields and their squares (for normalisation). Made and
  // cached like level().
  struct Spectra {
    cv::Size dft_size;
    cv::Mat Fc, Fs;              // CV_32F CCS spectra of fc, fs
    cv::Mat ic, ic2, is, is2;    // CV_64F integral images of fc, fc^2, fs, fs^2
  };
  const Spectra& spectra(double gsd_m, bool colour) const;
  const std::vector<cv::KeyPoint>& keypoints() const noexcept { return kp_; }
  const cv::Mat& descriptors() const noexcept { return desc_; }
  double kp_gsd_m() const noexcept { return kp_gsd_m_; }
  Detector detector() const noexcept { return detector_; }
  // The tile ranking over the keypoints (null when the reference is too small for several tiles or
  // options.retrieval is off). build() makes it; set_retrieval() installs one read from a cache.
  const TileRetrieval* retrieval() const noexcept { return retrieval_.get(); }
  void set_retrieval(std::shared_ptr<const TileRetrieval> r) { retrieval_ = std::move(r); }
  // Builds the tile ranking for the current keypoints (as build() does); no-op when not applicable.
  void build_retrieval(const AlignOptions& opts);

 private:
  // Grey image, mask and resolution set; no keypoints yet.
  static ReferenceIndex bare(const cv::Mat& image, const cv::Mat& valid, double gsd_m, const AlignOptions& opts);
  cv::Mat gray_;
  cv::Mat colour_;  // CV_8UC3 BGR when the image has colour, else empty
  cv::Mat valid_;
  double gsd_m_ = 0.0;
  double kp_gsd_m_ = 0.0;
  Detector detector_ = Detector::sift;
  std::vector<cv::KeyPoint> kp_;  // in reference pixels
  cv::Mat desc_;
  std::shared_ptr<const TileRetrieval> retrieval_;
  // Levels and spectra made on demand. Deques: references stay valid as entries are added.
  struct Cache {
    std::mutex mutex;
    std::deque<Level> levels;
    std::deque<std::pair<const Level*, Spectra>> spectra;
  };
  std::shared_ptr<Cache> cache_ = std::make_shared<Cache>();
};

// How a fix was found: keypoints (a homography, or an affine fallback), the dense search, or the dense
// search confirmed by local keypoints. `none` when nothing was matched.
enum class AlignMethod { none, keypoints, keypoints_affine, dense, dense_keypoints };
// "", "keypoints", "keypoints(affine)", "dense", "dense+keypoints" (the JSON and report names).
const char* to_string(AlignMethod m) noexcept;
inline bool is_dense(AlignMethod m) noexcept { return m == AlignMethod::dense || m == AlignMethod::dense_keypoints; }

// The outcome of aligning one frame. `found` is false when no candidate passed the gates; the best
// rejected candidate's numbers are still filled in for diagnostics.
struct Alignment {
  bool found = false;
  cv::Matx33d ref_from_frame = cv::Matx33d::eye();
  AlignMethod method = AlignMethod::none;
  int inliers = 0;                // keypoint inliers (0 for a dense-only fix)
  double inlier_ratio = 0.0;
  double hull_share = 0.0;        // area of the inliers' convex hull / frame area
  double reproj_px = 0.0;         // RMS reprojection error of inliers, reference pixels
  double ncc = 0.0;               // dense: peak normalised correlation of orientation fields
  double peak_ratio = 0.0;        // dense: best / second-best peak (outside the best's neighbourhood)
  double peak_z = 0.0;            // dense: (peak - mean) / std of its hypothesis' correlation map
  double ncc_fine = 0.0;          // dense: correlation after the local refinement at the finer level
  double drift_px = 0.0;          // dense: fine estimate's distance from the coarse one, coarse pixels
  double rival_spread_m = 0.0;    // dense: how far from the fix another refinement of the same place
                                  // ended with a refined correlation within 10 % of the fix's, metres
  double fine_ratio = 0.0;        // dense, no scale prior: refined correlation over the best refined
                                  // at a clearly different place (0 when not computed)
  double fine_z = 0.0;            // dense, no scale prior: refined correlation in standard deviations
                                  // above the other refined places' (0 when not computed)
  int blocks_localized = 0;       // dense: footprint blocks whose own best offset is unambiguous
  int blocks_agree = 0;           // dense: of those, blocks whose offset agrees with the fix (<= 1.5 px)
  double blocks_spread = 0.0;     // dense: area of the agreeing blocks' hull / footprint area
  double frame_gsd_m = 0.0;       // ground metres per frame pixel at the centre, from the fix
  double confidence = 0.0;        // [0, 1]
  double error_m = 0.0;           // estimated error of the centre, metres
  std::vector<std::pair<cv::Point2f, cv::Point2f>> inlier_pairs;  // frame px, reference px
  Diagnostics diagnostics;        // why candidates were rejected, gate values
};

// Aligns `frame` (CV_8UC3 BGR or CV_8UC1) with the reference. Never throws on hopeless data: a blank
// or tiny frame gives found=false with a diagnostic ("frame.uniform", "frame.too_small").
// Throws Error{invalid_argument} for bad options or a tilt prior over 45 degrees, Error{external} for
// an OpenCV failure.
// Reproducible: the same frame, reference, priors and options give the same result whatever was
// matched before on this thread (OpenCV's random state is fixed for the call and restored after).
Alignment align_frame(const cv::Mat& frame, const ReferenceIndex& ref, const ViewPrior& prior,
                      const AlignOptions& opts);

// The camera model used for rectification: frame pixel -> ground metres (x east, y north) relative
// to the ground point under the frame centre, for a pinhole camera with the given horizontal field of
// view, tilt from nadir and heading (compass direction of the frame's top). Throws
// Error{invalid_argument} when the top of the frame would see the horizon (tilt + half vertical
// field of view >= 85 deg) or gsd_m <= 0.
cv::Matx33d ground_from_frame(cv::Size frame, double gsd_m, double tilt_deg, double heading_deg,
                              double hfov_deg);

// Checks the footprint quad (frame corners mapped to reference pixels): convex, finite. Returns an
// empty string when sane, else the reason.
std::string footprint_problem(const cv::Matx33d& ref_from_frame, cv::Size frame);

Json to_json(const Alignment& a);  // gate values (no homography)

}  // namespace geo
