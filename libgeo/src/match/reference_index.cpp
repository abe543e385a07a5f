// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "geo/core/error.hpp"
#include "geo/match/align.hpp"
#include "match/align_util.hpp"
#include "match/keypoints.hpp"
#include "match/tuning.hpp"

namespace geo {

using namespace match_detail;

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
    cv::erode(vsmall, vsmall, cv::getStructuringElement(cv::MORPH_RECT, {kIndexMaskErodeSize, kIndexMaskErodeSize}));
    // ORB keeps only its n best (SIFT and AKAZE keep all).
    const int orb_keypoints =
        int(std::clamp(small.total() / kIndexOrbPxPerKeypoint, kIndexOrbMinKeypoints, kIndexOrbMaxKeypoints));
    auto det = make_detector(opts.detector, opts.detector == Detector::orb ? orb_keypoints : 0);
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
  const std::lock_guard<std::mutex> lock(cache_->mutex);
  for (const auto& l : cache_->levels)
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
  cache_->levels.push_back(std::move(l));
  return cache_->levels.back();
}

const ReferenceIndex::Spectra& ReferenceIndex::spectra(double gsd_m, bool colour) const {
  const Level& lv = level(gsd_m, colour);
  const std::lock_guard<std::mutex> lock(cache_->mutex);
  for (const auto& [l, sp] : cache_->spectra)
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
  cache_->spectra.emplace_back(&lv, std::move(sp));
  return cache_->spectra.back().second;
}

}  // namespace geo
