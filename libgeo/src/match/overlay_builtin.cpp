// SPDX-License-Identifier: Apache-2.0
// The built-in overlay of a frame's fix (when MatchOptions::draw_overlay is not set): the imagery
// around the footprint, the frame, and the frame warped onto the imagery, drawn by OpenCV.
#include <algorithm>
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/core/error.hpp"
#include "match/align_util.hpp"
#include "match/match_internal.hpp"

namespace geo::match_detail {

void write_overlay(const std::filesystem::path& file, const cv::Mat& frame, const GeoImage& ref,
                   const Alignment& a, bool located) {
  const cv::Size fs = frame.size();
  std::vector<cv::Point2d> q;
  for (cv::Point2d c : {cv::Point2d(0, 0), cv::Point2d(fs.width, 0), cv::Point2d(fs.width, fs.height),
                        cv::Point2d(0, fs.height)})
    q.push_back(apply(a.ref_from_frame, c));
  cv::Rect2d bb = cv::boundingRect(std::vector<cv::Point2f>(q.begin(), q.end()));
  const double mg = 0.25 * std::max(bb.width, bb.height) + 20;
  cv::Rect roi(int(bb.x - mg), int(bb.y - mg), int(bb.width + 2 * mg), int(bb.height + 2 * mg));
  roi &= cv::Rect(0, 0, ref.image.cols, ref.image.rows);
  if (!located || roi.width < 8 || roi.height < 8) roi = cv::Rect(0, 0, ref.image.cols, ref.image.rows);
  cv::Mat left;
  cv::Mat src = ref.image(roi);
  if (src.channels() == 1) cv::cvtColor(src, left, cv::COLOR_GRAY2BGR);
  else left = src.clone();
  const int H = 720;
  const double kl = double(H) / left.rows, kr = double(H) / fs.height;
  cv::resize(left, left, cv::Size(std::max(1, int(left.cols * kl)), H));
  cv::Mat right;
  cv::Mat fr = frame.channels() == 1 ? cv::Mat() : frame;
  if (frame.channels() == 1) cv::cvtColor(frame, fr, cv::COLOR_GRAY2BGR);
  cv::resize(fr, right, cv::Size(std::max(1, int(fs.width * kr)), H));
  // When located, a third panel: the frame warped onto the reference crop's grid by the fix, so that a
  // reader can compare it with the imagery beside it at the same place, scale and orientation.
  cv::Mat warped;
  if (located) {
    const cv::Matx33d left_from_frame = cv::Matx33d(kl, 0, -roi.x * kl, 0, kl, -roi.y * kl, 0, 0, 1) * a.ref_from_frame;
    cv::warpPerspective(fr, warped, cv::Mat(left_from_frame), left.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                        cv::Scalar(40, 40, 40));
  }
  cv::Mat canvas(H, left.cols + right.cols + warped.cols, CV_8UC3);
  left.copyTo(canvas(cv::Rect(0, 0, left.cols, H)));
  right.copyTo(canvas(cv::Rect(left.cols, 0, right.cols, H)));
  if (!warped.empty()) warped.copyTo(canvas(cv::Rect(left.cols + right.cols, 0, warped.cols, H)));
  auto to_left = [&](cv::Point2d p) { return cv::Point(int((p.x - roi.x) * kl), int((p.y - roi.y) * kl)); };
  if (located) {
    std::vector<cv::Point> poly;
    for (const auto& p : q) poly.push_back(to_left(p));
    cv::polylines(canvas, poly, true, cv::Scalar(0, 255, 255), 2);
    cv::line(canvas, poly[0], poly[1], cv::Scalar(0, 0, 255), 3);  // the frame's top edge
    std::vector<cv::Point> poly3;
    for (const auto& p : poly) poly3.push_back(p + cv::Point(left.cols + right.cols, 0));
    cv::polylines(canvas, poly3, true, cv::Scalar(0, 255, 255), 1);
    // At most about 60 lines, spread over all the inliers (detectors return keypoints sorted by
    // position, so the first 60 would all lie along the frame's left edge).
    const size_t stride = std::max<size_t>(1, (a.inlier_pairs.size() + 59) / 60);
    for (size_t i = 0; i < a.inlier_pairs.size(); i += stride) {
      const auto& pr = a.inlier_pairs[i];
      cv::line(canvas, to_left(pr.second),
               cv::Point(left.cols + int(pr.first.x * kr), int(pr.first.y * kr)), cv::Scalar(0, 255, 0), 1, cv::LINE_AA);
    }
  }
  const std::string label = located ? "located (" + std::string(to_string(a.method)) + ", confidence " +
                                          std::to_string(int(std::lround(a.confidence * 100))) + "%)"
                                    : "not found";
  cv::putText(canvas, label, {10, 30}, cv::FONT_HERSHEY_SIMPLEX, 0.9, cv::Scalar(0, 0, 0), 4);
  cv::putText(canvas, label, {10, 30}, cv::FONT_HERSHEY_SIMPLEX, 0.9, cv::Scalar(255, 255, 255), 2);
  if (!cv::imwrite(file.string(), canvas))
    throw Error{Errc::io, "match.overlay: " + file.string() + ": cannot write"};
}

}  // namespace geo::match_detail
