// SPDX-License-Identifier: Apache-2.0
// render_match_overlay on a generated GeoTIFF and a fix built in code: the figure's size and content,
// the fix's centre on the pixel the overlay's projection gives, the scale bar against geodesics, a
// not_found frame that says so (read back from the PDF by pdftotext), and nothing left on failure.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/render/overlay.hpp"
#include "support/image_compare.hpp"
#include "support/support.hpp"

namespace geo::render {
namespace {

using test::ScratchDir;

const GeoPoint kSite{16.6330, 98.5370};  // in UTM zone 47N

// 600 x 600 m of grey fields and tracks at 1 m/px round kSite (no saturated colour anywhere), dated.
GeoImage imagery_image() {
  GeoImage g;
  g.crs = "EPSG:32647";
  const cv::Point2d en = g.map_from_lat_lon(kSite);
  g.map_from_pixel.c = {en.x - 300, 1.0, 0.0, en.y + 300, 0.0, -1.0};
  cv::Mat grey(600, 600, CV_8UC1);
  cv::RNG rng(7);
  rng.fill(grey, cv::RNG::UNIFORM, 60, 200);
  cv::GaussianBlur(grey, grey, cv::Size(), 6);
  for (int k = 0; k < 12; ++k)
    cv::line(grey, {rng.uniform(0, 600), rng.uniform(0, 600)}, {rng.uniform(0, 600), rng.uniform(0, 600)},
             cv::Scalar(230), 4);
  cv::cvtColor(grey, g.image, cv::COLOR_GRAY2BGR);
  g.gsd_m = 1.0;
  g.acquired = "2019-03-04";
  return g;
}

fs::path make_imagery(const ScratchDir& dir) {
  const fs::path out = dir / "area.tif";
  write_geotiff(imagery_image(), out, Json::object());
  return out;
}

// A frame of 640 x 360 facing 30 degrees, 160 x 90 m on the ground, located at kSite within 8 m.
FrameFix located_fix() {
  FrameFix f;
  f.frame = "/footage/frames/frame_00002_t00010.000s.jpg";
  f.pts_s = 10.0;
  f.status = geo::FixStatus::located;
  f.center = kSite;
  const double half_diag = std::hypot(80.0, 45.0), a = std::atan2(80.0, 45.0) * 180 / M_PI;
  const double heading = 30;
  for (double b : {-a, a, 180 - a, 180 + a}) f.footprint.push_back(geodesic_direct(kSite, heading + b, half_diag));
  f.error_m = 8;
  f.confidence = 0.9;
  f.method = "dense";
  f.gsd_m = 0.25;
  f.heading_deg = heading;
  f.tilt_deg = 2;
  return f;
}

cv::Mat frame_picture() {
  cv::Mat m(360, 640, CV_8UC3);
  for (int y = 0; y < m.rows; ++y)
    for (int x = 0; x < m.cols; ++x) m.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(x / 3), uchar(120 + y / 4), uchar(60));
  cv::rectangle(m, {200, 100}, {420, 260}, cv::Scalar(30, 30, 160), -1);
  return m;
}

int distinct_colours(const cv::Mat& img) {
  std::set<std::uint32_t> colours;
  for (int y = 0; y < img.rows; y += 2)
    for (int x = 0; x < img.cols; x += 2) {
      const auto p = img.at<cv::Vec3b>(y, x);
      colours.insert((p[0] << 16) | (p[1] << 8) | p[2]);
    }
  return static_cast<int>(colours.size());
}

TEST(Overlay, LocatedFrameHasItsSizeAndPutsTheCentreWhereTheProjectionSays) {
  ScratchDir dir;
  const Raster imagery = Raster::open(make_imagery(dir));
  const FrameFix fix = located_fix();
  OverlayOptions o;
  o.width_px = 1400;
  const OverlayResult r = render_match_overlay(fix, frame_picture(), imagery, o, dir / "o.png");
  const cv::Mat img = cv::imread((dir / "o.png").string(), cv::IMREAD_COLOR);
  ASSERT_FALSE(img.empty());
  EXPECT_EQ(img.cols, 1400);
  EXPECT_EQ(img.rows, static_cast<int>(r.height));
  EXPECT_GT(img.rows, 700);
  EXPECT_GT(distinct_colours(img), 300);
  EXPECT_TRUE(r.located);
  EXPECT_GT(r.imagery_covered, 0.99);
  EXPECT_NE(r.headline.find("located at 16.63300\u00b0 N, 98.53700\u00b0 E"), std::string::npos) << r.headline;
  EXPECT_NE(r.headline.find("\u00b18"), std::string::npos) << r.headline;
  bool dated = false;
  for (const auto& a : r.attributions) dated = dated || a.find("area.tif (2019-03-04)") != std::string::npos;
  EXPECT_TRUE(dated);
  // The fix's centre: the yellow of its mark, found nowhere else in the imagery panel.
  const auto px = r.projection.to_px(fix.center);
  ASSERT_GT(px.x, r.map_x + 20);
  ASSERT_LT(px.x, r.map_x + r.map_w - 20);
  double sx = 0, sy = 0;
  int n = 0;
  for (int y = static_cast<int>(px.y) - 20; y <= px.y + 20; ++y)
    for (int x = static_cast<int>(px.x) - 20; x <= px.x + 20; ++x) {
      const auto p = img.at<cv::Vec3b>(y, x);
      if (p[2] > 245 && std::abs(p[1] - 0xd4) < 8 && p[0] < 12) sx += x + 0.5, sy += y + 0.5, ++n;
    }
  ASSERT_GT(n, 20) << "the centre mark was not found round " << px.x << "," << px.y;
  EXPECT_NEAR(sx / n, px.x, 1.0);
  EXPECT_NEAR(sy / n, px.y, 1.0);
  // The footprint's corners lie inside the panel (the ground round it is shown too).
  for (const auto& g : fix.footprint) {
    const auto q = r.projection.to_px(g);
    EXPECT_GT(q.x, r.map_x);
    EXPECT_LT(q.x, r.map_x + r.map_w);
    EXPECT_GT(q.y, r.map_y);
    EXPECT_LT(q.y, r.map_y + r.map_h);
  }
  // The second panel shows the same ground at the same scale, beside the first.
  const auto q = r.overlay_projection.to_px(fix.center);
  EXPECT_NEAR(q.y, px.y, 1e-6);
  EXPECT_GT(q.x - px.x, r.map_w);
}

// The frame is cut from the imagery at its footprint: drawn opaque into that footprint, it must show
// the imagery of the panel beside it, place for place.
TEST(Overlay, TheWarpedFrameShowsTheImageryBesideItPlaceForPlace) {
  ScratchDir dir;
  const GeoImage g = imagery_image();
  const Raster imagery = Raster::open(make_imagery(dir));
  const FrameFix fix = located_fix();
  std::vector<cv::Point2f> frame_corners{{0, 0}, {640, 0}, {640, 360}, {0, 360}}, image_corners;
  for (const auto& c : fix.footprint) {
    const cv::Point2d p = g.pixel_from_lat_lon(c);
    image_corners.emplace_back(float(p.x), float(p.y));
  }
  cv::Mat frame;
  cv::warpPerspective(g.image, frame, cv::getPerspectiveTransform(frame_corners, image_corners), {640, 360},
                      cv::INTER_LINEAR | cv::WARP_INVERSE_MAP);
  OverlayOptions o;
  o.frame_opacity = 1.0;
  o.blur_faces = false;  // a blurred patch would be the frame's, not the imagery's
  const OverlayResult r = render_match_overlay(fix, frame, imagery, o, dir / "o.png");
  const cv::Mat png = cv::imread((dir / "o.png").string(), cv::IMREAD_GRAYSCALE);
  const auto a0 = r.projection.to_px(kSite), b0 = r.overlay_projection.to_px(kSite);
  const int dx = static_cast<int>(std::lround(b0.x - a0.x));
  const cv::Rect pa(static_cast<int>(r.map_x), static_cast<int>(r.map_y), static_cast<int>(r.map_w), static_cast<int>(r.map_h));
  cv::Mat mask = cv::Mat::zeros(pa.size(), CV_8UC1);
  std::vector<cv::Point> poly;
  for (const auto& c : fix.footprint) {
    const auto p = r.projection.to_px(c);
    poly.emplace_back(static_cast<int>(p.x - pa.x), static_cast<int>(p.y - pa.y));
  }
  cv::fillConvexPoly(mask, poly, cv::Scalar(255));
  cv::erode(mask, mask, cv::Mat(), {-1, -1}, 8);  // off the outlines
  cv::circle(mask, {static_cast<int>(a0.x - pa.x), static_cast<int>(a0.y - pa.y)}, 40, cv::Scalar(0), -1);  // the fix's marks
  ASSERT_GT(cv::countNonZero(mask), 20000);
  const cv::Mat left = png(pa), right = png(pa + cv::Point(dx, 0));
  EXPECT_GT(test::masked_correlation(left, right, mask), 0.8);  // 0.99
  const cv::Mat shifted = png(pa + cv::Point(dx - 30, 0));  // 10 m off: the control
  EXPECT_LT(test::masked_correlation(left, shifted, mask), 0.5);  // 0.22
}

TEST(Overlay, TheScaleBarMatchesTheGroundDistance) {
  ScratchDir dir;
  const Raster imagery = Raster::open(make_imagery(dir));
  const OverlayResult r = render_match_overlay(located_fix(), frame_picture(), imagery, {}, dir / "o.png");
  const ScaleBar& s = r.scale_bar;
  ASSERT_GT(s.length_m, 0);
  const double ground =
      geodesic_inverse(r.projection.from_px(s.x0_px, s.y_px), r.projection.from_px(s.x1_px, s.y_px)).distance_m;
  EXPECT_NEAR(ground / s.length_m, 1.0, 0.01);
  EXPECT_GT(s.x1_px - s.x0_px, 0.05 * r.map_w);
  const double mant = s.length_m / std::pow(10.0, std::floor(std::log10(s.length_m)));
  EXPECT_TRUE(std::abs(mant - 1) < 1e-9 || std::abs(mant - 2) < 1e-9 || std::abs(mant - 5) < 1e-9) << s.length_m;
}

// As PDF (imagery at twice the resolution, for print): one page that says what the PNG says. (SVG comes
// from the same drawing through the same Canvas as the maps, whose SVG is checked by xmllint.)
TEST(Overlay, APdfIsOnePageWithTheFixInWords) {
  ScratchDir dir;
  const Raster imagery = Raster::open(make_imagery(dir));
  render_match_overlay(located_fix(), frame_picture(), imagery, {}, dir / "o.pdf");
  const std::string info = test::shell_output("pdfinfo " + (dir / "o.pdf").string() + " 2>&1");
  EXPECT_NE(info.find("Pages:"), std::string::npos) << info;
  EXPECT_EQ(info.find_first_not_of(' ', info.find("Pages:") + 6), info.find("1\n", info.find("Pages:"))) << info;
  const std::string text = test::shell_output("pdftotext " + (dir / "o.pdf").string() + " - 2>&1");
  EXPECT_NE(text.find("located at 16.63300"), std::string::npos) << text;
  EXPECT_NE(text.find("2019-03-04"), std::string::npos) << text;
}

TEST(Overlay, ANotFoundFrameSaysSoWithItsReason) {
  ScratchDir dir;
  const Raster imagery = Raster::open(make_imagery(dir));
  FrameFix fix;
  fix.frame = "clip/frame_00007.jpg";
  fix.diagnostics.info("match.not_found", "no candidate passed the verification gates; no scale was known");
  const OverlayResult r = render_match_overlay(fix, frame_picture(), imagery, {}, dir / "nf.pdf");
  EXPECT_FALSE(r.located);
  EXPECT_EQ(r.headline, "not found: no candidate passed the verification gates; no scale was known");
  ASSERT_TRUE(fs::exists(dir / "nf.pdf"));
  const std::string text = test::shell_output("pdftotext " + (dir / "nf.pdf").string() + " - 2>&1");
  EXPECT_NE(text.find("NOT FOUND"), std::string::npos) << text;
  EXPECT_NE(text.find("no candidate passed the verification gates"), std::string::npos) << text;
  EXPECT_NE(text.find("frame_00007.jpg"), std::string::npos) << text;
  EXPECT_NE(text.find("area.tif"), std::string::npos) << text;
  // And as PNG: the frame alone, not blank.
  const OverlayResult p = render_match_overlay(fix, frame_picture(), imagery, {}, dir / "nf.png");
  const cv::Mat img = cv::imread((dir / "nf.png").string(), cv::IMREAD_COLOR);
  ASSERT_FALSE(img.empty());
  EXPECT_EQ(img.cols, 1600);
  EXPECT_EQ(img.rows, static_cast<int>(p.height));
  EXPECT_GT(distinct_colours(img), 200);
}

TEST(Overlay, KeptFacesAreSaidOnTheFigure) {
  ScratchDir dir;
  const Raster imagery = Raster::open(make_imagery(dir));
  OverlayOptions o;
  o.blur_faces = false;
  const OverlayResult r = render_match_overlay(located_fix(), frame_picture(), imagery, o, dir / "o.png");
  bool said = false;
  for (const auto& n : r.notes) said = said || n.find("NOT blurred") != std::string::npos;
  EXPECT_TRUE(said);
  EXPECT_EQ(r.provenance["parameters"]["blur_faces"], false);
}

TEST(Overlay, BadInputIsRefusedAndAFailedWriteLeavesNothing) {
  ScratchDir dir;
  const Raster imagery = Raster::open(make_imagery(dir));
  FrameFix bad = located_fix();
  bad.footprint.pop_back();
  EXPECT_NE(test::error_message_of([&] { render_match_overlay(bad, frame_picture(), imagery, {}, dir / "a.png"); })
                .find("four footprint corners"),
            std::string::npos);
  EXPECT_NE(test::error_message_of([&] { render_match_overlay(located_fix(), cv::Mat(), imagery, {}, dir / "b.png"); })
                .find("not an 8-bit picture"),
            std::string::npos);
  EXPECT_NE(test::error_message_of([&] { render_match_overlay(located_fix(), frame_picture(), imagery, {}, dir / "c.tif"); })
                .find("unknown output format"),
            std::string::npos);
  EXPECT_NE(test::error_message_of(
                [&] { render_match_overlay(located_fix(), frame_picture(), imagery, {}, dir / "missing" / "d.png"); })
                .find("does not exist"),
            std::string::npos);
  for (const auto& f : test::list_files(dir.path())) EXPECT_EQ(f.filename().string().rfind("area.tif", 0), 0u) << f;
}

}  // namespace
}  // namespace geo::render
