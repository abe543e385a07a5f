// SPDX-License-Identifier: Apache-2.0
#include "match/correlation.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "geo/core/error.hpp"

namespace geo::match_detail {

double level_gsd(const Hyp& h, cv::Size frame, double ref_gsd_m) {
  const double want = std::max(ref_gsd_m, h.gsd_m * frame.width / h.px_across);
  const double k = std::round(std::log(want / ref_gsd_m) / std::log(std::sqrt(2.0)));
  return ref_gsd_m * std::pow(std::sqrt(2.0), std::max(0.0, k));
}

cv::Matx33d level_from_frame(const Hyp& h, cv::Size frame, double hfov_deg, double level_gsd_m) {
  const cv::Matx33d g = ground_from_frame(frame, h.gsd_m, h.tilt_deg, h.heading_deg, hfov_deg);
  return cv::Matx33d(1 / level_gsd_m, 0, 0, 0, -1 / level_gsd_m, 0, 0, 0, 1) * g;
}

void warped_fields(const FramePyramid& frame, const cv::Matx33d& tpl_from_frame, cv::Size size, cv::Mat& tc,
                   cv::Mat& ts, cv::Mat& mask) {
  cv::Mat tpl = warp_frame(frame, tpl_from_frame, size, &mask, 0);
  const cv::Scalar mean_v = cv::mean(tpl, mask);
  cv::Mat inv;
  cv::bitwise_not(mask, inv);
  tpl.setTo(mean_v, inv);
  orientation_field(tpl, tc, ts);
}

namespace {

// The template of hypothesis `hyp` at level `L`: its placement (h.tpl_from_frame, h.ts) and its
// orientation field, zero outside the footprint eroded by 3 px and centred on the footprint's own
// mean, so that the zero outside it is neutral (an uncentred template carries its footprint's
// outline into the correlation). False when the hypothesis is impossible or the template too small.
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
  if (h.ts.width < kMinTemplatePx || h.ts.height < kMinTemplatePx) return false;
  cv::Mat mask, er, fm;
  warped_fields(frame, h.tpl_from_frame, h.ts, tc, ts, mask);
  cv::erode(mask, er, cv::getStructuringElement(cv::MORPH_RECT, {kTemplateErodeSize, kTemplateErodeSize}));
  er.convertTo(fm, CV_32F, 1 / 255.0);
  tc = (tc - cv::mean(tc, er)[0]).mul(fm);
  ts = (ts - cv::mean(ts, er)[0]).mul(fm);
  return true;
}

HypScore correlate_window(const FramePyramid& frame, const ReferenceIndex& ref, const Hyp& hyp, double hfov, double L,
                          const std::optional<cv::Point2d>& center_lvl, double radius_lvl) {
  HypScore h;
  h.L = L;
  const cv::Size fs = frame.full().size();
  const auto& lv = ref.level(L, frame.colour);
  cv::Mat tc, tsf;
  if (!hyp_template(frame, hyp, hfov, L, h, tc, tsf)) return h;
  const cv::Point2d cin = apply(h.tpl_from_frame, frame_centre(fs));
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

// One channel's normalised correlation as matchTemplate's TM_CCOEFF_NORMED gives it: 0 where the
// reference window is flat, float rounding clamped to +-1 (OpenCV allows 12.5 % over).
double ccoeff_normed(double numer, double tnorm, double var) {
  const double t = tnorm * std::sqrt(std::max(var, 0.0));
  if (std::abs(numer) < t) return numer / t;
  return std::abs(numer) < 1.125 * t ? (numer > 0 ? 1.0 : -1.0) : 0.0;
}

// Sum over the template-sized window at (x, y) from an integral image (rows y0 and y1 = y0 + height).
inline double window_sum(const double* y0, const double* y1, int x, int w) { return y1[x + w] - y1[x] - y0[x + w] + y0[x]; }

// The normalisation of the FFT correlation numerators by the reference windows' variances (from the
// level's integral images): the joint score of both channels, or the mean of each channel's.
void normalise_scores(HypScore& h, const ReferenceIndex::Spectra& sp, const cv::Mat& num, const cv::Mat& num_s,
                      double nc, double ns, double tnorm, int W, int H) {
  const bool mean_of_channels = !num_s.empty();
  const double n = double(h.ts.area());
  h.score.create(H, W, CV_32F);
  const int tw = h.ts.width, th = h.ts.height;
  for (int y = 0; y < H; ++y) {
    const double *c0 = sp.ic.ptr<double>(y), *c1 = sp.ic.ptr<double>(y + th);
    const double *q0 = sp.ic2.ptr<double>(y), *q1 = sp.ic2.ptr<double>(y + th);
    const double *s0 = sp.is.ptr<double>(y), *s1 = sp.is.ptr<double>(y + th);
    const double *r0 = sp.is2.ptr<double>(y), *r1 = sp.is2.ptr<double>(y + th);
    const float* nm = num.ptr<float>(y);
    const float* nms = mean_of_channels ? num_s.ptr<float>(y) : nullptr;
    float* out = h.score.ptr<float>(y);
    for (int x = 0; x < W; ++x) {
      const double sc = window_sum(c0, c1, x, tw), qc = window_sum(q0, q1, x, tw);
      const double ss = window_sum(s0, s1, x, tw), qs = window_sum(r0, r1, x, tw);
      const double var_c = qc - sc * sc / n, var_s = qs - ss * ss / n;
      if (mean_of_channels) {
        out[x] = float(0.5 * (ccoeff_normed(nm[x], nc, var_c) + ccoeff_normed(nms[x], ns, var_s)));
      } else {
        const double var = var_c + var_s;
        out[x] = var > 1e-9 ? float(nm[x] / (tnorm * std::sqrt(var))) : -1.f;
      }
    }
  }
}

// As correlate_window over the whole level, by FFT against the level's cached spectra: the joint
// normalised cross-correlation of both orientation channels (each centred on its own mean over the
// template's rectangle), or with `mean_of_channels` the mean of each channel's normalised
// correlation, which is what correlate_window's two matchTemplate calls give (to float rounding).
// Several times faster than two matchTemplate calls on large levels.
HypScore correlate_fft(const FramePyramid& frame, const ReferenceIndex& ref, const Hyp& hyp, double hfov, double L,
                       const std::optional<cv::Point2d>& center_lvl, double radius_lvl, bool mean_of_channels) {
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
  normalise_scores(h, sp, num, num_s, nc, ns, tnorm, lv.fc.cols - h.ts.width + 1, lv.fc.rows - h.ts.height + 1);
  if (center_lvl) {  // only placements whose frame centre lies in the search area
    const cv::Point2d cin = apply(h.tpl_from_frame, frame_centre(frame.full().size()));
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

}  // namespace

HypScore correlate(Correlation how, const FramePyramid& frame, const ReferenceIndex& ref, const Hyp& hyp,
                   double hfov_deg, double L, const std::optional<cv::Point2d>& center_lvl, double radius_lvl) {
  if (how == Correlation::template_match) return correlate_window(frame, ref, hyp, hfov_deg, L, center_lvl, radius_lvl);
  return correlate_fft(frame, ref, hyp, hfov_deg, L, center_lvl, radius_lvl, how == Correlation::fft_mean);
}

double peak_of(const cv::Mat& score, cv::Point2d& at) {
  double mx;
  cv::Point loc;
  cv::minMaxLoc(score, nullptr, &mx, nullptr, &loc);
  // The parabola through the maximum and its two neighbours along one axis: the vertex's offset.
  auto vertex = [](float before, float centre, float after) {
    const double den = before - 2 * centre + after;
    return den < 0 ? std::clamp(0.5 * (before - after) / den, -0.5, 0.5) : 0.0;
  };
  double dx = 0, dy = 0;
  if (loc.x > 0 && loc.x < score.cols - 1)
    dx = vertex(score.at<float>(loc.y, loc.x - 1), score.at<float>(loc), score.at<float>(loc.y, loc.x + 1));
  if (loc.y > 0 && loc.y < score.rows - 1)
    dy = vertex(score.at<float>(loc.y - 1, loc.x), score.at<float>(loc), score.at<float>(loc.y + 1, loc.x));
  at = cv::Point2d(loc.x + dx, loc.y + dy);
  return mx;
}

cv::Matx33d ref_from_placement(const HypScore& h, cv::Point2d loc, double ref_gsd_m) {
  return scale(h.L / ref_gsd_m) * shift(h.roi.x + loc.x, h.roi.y + loc.y) * h.tpl_from_frame;
}

}  // namespace geo::match_detail
