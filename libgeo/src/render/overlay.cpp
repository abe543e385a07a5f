// SPDX-License-Identifier: Apache-2.0
// render_match_overlay: the layout (title and the fix in words; two map panels of the same ground, the
// imagery with the footprint and the fix, and the frame warped into its footprint over that imagery;
// under them the frame as filmed beside the fix's details, legend and sources), drawn with the maps'
// projection, imagery layer, scale bar, north arrow and panel, onto a recording surface replayed into
// the PNG, PDF or SVG.
#include "geo/render/overlay.hpp"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/imgproc.hpp>

#include "geo/core/error.hpp"
#include "geo/core/provenance.hpp"
#include "geo/core/text.hpp"
#include "geo/render/faces.hpp"
#include "render/map_draw.hpp"
#include "render/map_furniture.hpp"

namespace geo::render {

using namespace detail;

namespace {

constexpr double kPadFraction = 0.18;      // ground shown round the footprint, of its larger side
constexpr double kMinPad_m = 25;           // and at least this: the fields and roads the edge cuts through
constexpr double kMinAspect = 0.62, kMaxAspect = 1.0;  // a map panel's height over its width
constexpr double kMaxFrameAspect = 1.2;    // a portrait frame is shown no taller than this times its width
constexpr double kMinCircleOverMark = 0.9;   // em: an error circle smaller than this hides under the centre's mark
constexpr unsigned kError = 0x21918c;      // the error circle, as the maps' uncertainty circles
constexpr unsigned kPanelGround = 0xf1f0ea;

using Px = MapProjection::Px;

std::string fixed(double v, int decimals) {
  char b[48];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

std::string method_words(const FrameFix& f) {
  const std::string n = f.inliers > 0 ? " (" + std::to_string(f.inliers) + " inliers)" : "";
  if (f.method == "dense") return "dense search of gradient orientations";
  if (f.method == "dense+keypoints") return "dense search, confirmed by keypoints" + n;
  if (f.method.rfind("keypoints", 0) == 0) return "keypoint match" + n + (f.method == "keypoints(affine)" ? ", affine" : "");
  return f.method.empty() ? "unknown method" : f.method;
}

std::string degrees(double d) { return std::to_string(static_cast<int>(std::lround(d)) % 360) + "\u00b0"; }

// The footprint: dashed blue over a white casing (as on the site maps), its top edge solid red.
void draw_footprint(DrawContext& c, const std::vector<GeoPoint>& fp, double weight) {
  cairo_t* cr = c.cr;
  const double lw = c.em / 13 * weight;
  cairo_new_path(cr);
  ring_path(c, fp, true);
  set(cr, hex(0xffffff), 0.9);
  cairo_set_line_width(cr, 3.4 * lw);
  cairo_stroke_preserve(cr);
  const double dash[] = {6 * lw, 4 * lw};
  cairo_set_dash(cr, dash, 2, 0);
  set(cr, hex(kFootprint));
  cairo_set_line_width(cr, 2.0 * lw);
  cairo_stroke(cr);
  cairo_set_dash(cr, nullptr, 0, 0);
  const Px a = c.proj.to_px(fp[0]), b = c.proj.to_px(fp[1]);
  cairo_move_to(cr, a.x, a.y);
  cairo_line_to(cr, b.x, b.y);
  set(cr, hex(0xffffff), 0.9);
  cairo_set_line_width(cr, 5.2 * lw);
  cairo_stroke_preserve(cr);
  set(cr, hex(kTopEdge));
  cairo_set_line_width(cr, 3.2 * lw);
  cairo_stroke(cr);
}

// The frame warped into its footprint, painted over the panel at `opacity`, with the areas blurred as
// faces outlined (unmarked, a blurred patch reads as smooth ground). The warp is computed at the output's
// resolution (twice it for print) from the four corners, whose projection is exact.
void draw_warped_frame(DrawContext& c, const cv::Mat& bgr, const std::vector<GeoPoint>& fp, double opacity,
                       const std::vector<cv::Rect>& blurred) {
  const double s = c.vector_output ? 2.0 : 1.0;
  const cv::Size size(static_cast<int>(std::ceil(c.frame.w * s)), static_cast<int>(std::ceil(c.frame.h * s)));
  std::vector<cv::Point2f> from{{0, 0}, {float(bgr.cols), 0}, {float(bgr.cols), float(bgr.rows)}, {0, float(bgr.rows)}}, to;
  for (const auto& g : fp) {
    const Px p = c.proj.to_px(g);
    if (!std::isfinite(p.x)) return;
    to.emplace_back(float((p.x - c.frame.x) * s), float((p.y - c.frame.y) * s));
  }
  const cv::Mat h = cv::getPerspectiveTransform(from, to);
  cv::Mat warped, mask;
  cv::warpPerspective(bgr, warped, h, size, cv::INTER_AREA, cv::BORDER_CONSTANT);
  cv::warpPerspective(cv::Mat(bgr.size(), CV_8UC1, cv::Scalar(255)), mask, h, size, cv::INTER_LINEAR, cv::BORDER_CONSTANT);
  cairo_surface_t* surf = surface_from_bgr(warped, mask);
  cairo_save(c.cr);
  cairo_rectangle(c.cr, c.frame.x, c.frame.y, c.frame.w, c.frame.h);
  cairo_clip(c.cr);
  cairo_translate(c.cr, c.frame.x, c.frame.y);
  cairo_scale(c.cr, 1 / s, 1 / s);
  cairo_set_source_surface(c.cr, surf, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(c.cr), CAIRO_FILTER_GOOD);
  cairo_paint_with_alpha(c.cr, opacity);
  cairo_surface_destroy(surf);
  const double lw = c.em / 13 * s;
  for (const cv::Rect& a : blurred) {
    std::vector<cv::Point2f> q;
    cv::perspectiveTransform(std::vector<cv::Point2f>{{float(a.x), float(a.y)}, {float(a.x + a.width), float(a.y)},
                                                      {float(a.x + a.width), float(a.y + a.height)},
                                                      {float(a.x), float(a.y + a.height)}},
                             q, h);
    cairo_new_path(c.cr);
    for (const auto& p : q) cairo_line_to(c.cr, p.x, p.y);
    cairo_close_path(c.cr);
    set(c.cr, hex(0x000000));
    cairo_set_line_width(c.cr, 3 * lw);
    cairo_stroke_preserve(c.cr);
    set(c.cr, hex(0xffffff));
    cairo_set_line_width(c.cr, 1.2 * lw);
    cairo_stroke(c.cr);
  }
  cairo_restore(c.cr);
}

// The frame as filmed in the box (aspect kept), its blurred areas outlined; returns the box it took.
Box draw_frame_as_filmed(cairo_t* cr, const cv::Mat& bgr, const std::vector<cv::Rect>& blurred, double x, double y,
                         double max_w, double max_h, double em, bool vector_output) {
  const double k = std::min(max_w / bgr.cols, max_h / bgr.rows);
  const Box b{x, y, bgr.cols * k, bgr.rows * k};
  cv::Mat shown = bgr;
  const double dev = vector_output ? std::min(1.0, 2 * k) : std::min(1.0, k);  // device pixels per frame pixel
  if (dev < 1) cv::resize(bgr, shown, cv::Size(), dev, dev, cv::INTER_AREA);
  cairo_surface_t* surf = surface_from_bgr(shown);
  cairo_save(cr);
  cairo_translate(cr, b.x, b.y);
  cairo_scale(cr, b.w / shown.cols, b.h / shown.rows);
  cairo_set_source_surface(cr, surf, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(surf);
  const double lw = em / 13;
  for (const cv::Rect& a : blurred) {
    cairo_rectangle(cr, b.x + a.x * k, b.y + a.y * k, a.width * k, a.height * k);
    set(cr, hex(0x000000));
    cairo_set_line_width(cr, 3 * lw);
    cairo_stroke_preserve(cr);
    set(cr, hex(0xffffff));
    cairo_set_line_width(cr, 1.2 * lw);
    cairo_stroke(cr);
  }
  cairo_rectangle(cr, b.x, b.y, b.w, b.h);
  set(cr, hex(0x333333));
  cairo_set_line_width(cr, lw);
  cairo_stroke(cr);
  return b;
}

Json parameters_of(const FrameFix& fix, const OverlayOptions& o, const std::string& format) {
  return {{"frame", fix.frame}, {"status", fix.status}, {"width_px", o.width_px}, {"format", format},
          {"title", o.title}, {"imagery_date", o.imagery_date}, {"frame_opacity", o.frame_opacity},
          {"blur_faces", o.blur_faces}};
}

}  // namespace

void OverlayOptions::validate() const {
  if (width_px < 600 || width_px > 8000)
    throw Error(Errc::invalid_argument, "overlay: width " + std::to_string(width_px) + " px is outside 600..8000");
  if (!(frame_opacity > 0 && frame_opacity <= 1))
    throw Error(Errc::invalid_argument, "overlay: frame opacity must be in (0, 1]");
}

Json to_json(const OverlayResult& r) {
  Json j = {{"output", r.output.string()}, {"format", r.format}, {"width", r.width}, {"height", r.height},
            {"located", r.located}, {"headline", r.headline}, {"faces_blurred", r.faces_blurred},
            {"notes", r.notes}, {"attributions", r.attributions}, {"provenance", r.provenance}};
  if (r.located) {
    j["extent"] = to_json(r.extent);
    j["crs"] = r.crs;
    j["imagery_covered"] = r.imagery_covered;
    j["scale_bar"] = {{"length_m", r.scale_bar.length_m}, {"length_px", r.scale_bar.x1_px - r.scale_bar.x0_px},
                      {"text", r.scale_bar.text}};
  }
  return j;
}

OverlayResult render_match_overlay(const FrameFix& fix, const cv::Mat& frame, const Raster& imagery,
                                   const OverlayOptions& o, const fs::path& out) {
  o.validate();
  const std::string format = format_of(out);
  if (frame.empty() || frame.depth() != CV_8U || (frame.channels() != 1 && frame.channels() != 3))
    throw Error(Errc::invalid_argument, "overlay: " + fix.frame + ": the frame is not an 8-bit picture");
  const bool located = fix.status == FixStatus::located;
  if (located && fix.footprint.size() != 4)
    throw Error(Errc::invalid_argument, "overlay: " + fix.frame + ": a located frame needs its four footprint corners");

  OverlayResult r;
  r.output = out;
  r.format = format;
  r.located = located;
  cv::Mat bgr;
  if (frame.channels() == 1) cv::cvtColor(frame, bgr, cv::COLOR_GRAY2BGR);
  else bgr = frame.clone();
  std::vector<cv::Rect> blurred;
  if (o.blur_faces) {
    const std::vector<cv::Rect> faces = o.faces ? *o.faces : find_faces(bgr);
    blur_regions(bgr, faces);
    for (const cv::Rect& f : faces) blurred.push_back(blur_area(f, bgr.size()));
    r.faces_blurred = static_cast<int>(blurred.size());
  }

  const PageLayout base = page_layout("", o.width_px, 1.0, format);
  const double W = o.width_px, em = base.em, m = base.margin, lw = em / 13;
  const std::string name = o.imagery_name.empty() ? fs::path(imagery.info().source).filename().string() : o.imagery_name;
  const std::string date = !o.imagery_date.empty() ? o.imagery_date : imagery.info().acquired.value_or("");
  const std::string imagery_words = name + (date.empty() ? " (date not stated)" : " (" + date + ")");
  const std::string title = o.title.empty() ? fs::path(fix.frame).filename().string() : o.title;
  const UtcTime made = now_utc();
  if (located)
    r.headline = "located at " + format_centre(fix.center) + " \u00b1" + format_distance(fix.error_m) + " \u00b7 confidence " +
                 fixed(fix.confidence, 2) + " \u00b7 " + method_words(fix);
  else
    r.headline = "not found: " + why_not_found(fix);
  const std::string subtitle = (located ? "matched against " : "searched for in ") + imagery_words + " \u00b7 made " + format_utc(made).substr(0, 16) +
                               " UTC with geoev " + version();

  const Recording recording;
  cairo_surface_t* rec = recording.surface();
  cairo_t* cr = recording.cr();

  // Header: the title, what the fix says, against what and when the figure was made.
  double y = 0.8 * m;
  TextStyle ts{1.6 * em, true};
  ts.max_width = W - 2 * m;
  y += draw_text(cr, m, y, to_valid_utf8(title), ts).h + 0.3 * em;
  TextStyle hs{1.1 * em, true};
  hs.max_width = W - 2 * m;
  hs.colour = located ? hex(kText) : hex(0xa50f15);
  y += draw_text(cr, m, y, to_valid_utf8(r.headline), hs).h + 0.2 * em;
  TextStyle ss{0.95 * em};
  ss.colour = hex(0x444444);
  ss.max_width = W - 2 * m;
  y += draw_text(cr, m, y, to_valid_utf8(subtitle), ss).h + 0.9 * em;

  TextStyle caption{1.0 * em, true};
  caption.max_width = (W - 3 * m) / 2;
  const std::string faces_words = !o.blur_faces      ? "faces NOT blurred (internal use only)"
                                  : r.faces_blurred ? std::to_string(r.faces_blurred) +
                                                          (r.faces_blurred == 1 ? " area blurred as a possible face"
                                                                                : " areas blurred as possible faces") +
                                                          (located ? ", outlined here and on the map" : ", outlined")
                                                    : "no face found to blur";
  DrawContext ca;  // the imagery panel: its legend, notes and sources become the figure's
  ca.cr = cr;
  ca.em = em;
  ca.vector_output = !is_raster(format);
  PageLayout lay = base;
  lay.width = W;
  double bottom = y;
  if (located) {
    const double P = (W - 3 * m) / 2;
    // The ground to show: the footprint and the error circle, padded, in metres round the fix's centre.
    const MapProjection probe(fix.center, 1.0, 0, 0);
    double x0 = -fix.error_m, x1 = fix.error_m, y0 = -fix.error_m, y1 = fix.error_m;
    for (const auto& g : fix.footprint) {
      const Px p = probe.to_px(g);
      x0 = std::min(x0, p.x), x1 = std::max(x1, p.x), y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
    }
    const double pad = std::max(kMinPad_m, kPadFraction * std::max(x1 - x0, y1 - y0));
    x0 -= pad, x1 += pad, y0 -= pad, y1 += pad;
    const double aspect = std::clamp((y1 - y0) / (x1 - x0), kMinAspect, kMaxAspect);
    const double H = P * aspect;
    const double mpp = std::max((x1 - x0) / P, (y1 - y0) / H);
    const GeoPoint centre = probe.from_px((x0 + x1) / 2, (y0 + y1) / 2);
    const double ha = draw_text(cr, m, y, to_valid_utf8("The imagery, " + imagery_words + ", with the frame's footprint and the fix"), caption).h;
    const double hb = draw_text(cr, 2 * m + P, y,
                                "The frame warped into its footprint over the imagery (" +
                                    std::to_string(static_cast<int>(std::lround(o.frame_opacity * 100))) + " % opaque)",
                                caption).h;
    y += std::max(ha, hb) + 0.3 * em;
    const Box fa{m, y, P, H}, fb{2 * m + P, y, P, H};
    r.projection = MapProjection(centre, mpp, fa.x + P / 2, fa.y + H / 2);
    r.overlay_projection = MapProjection(centre, mpp, fb.x + P / 2, fb.y + H / 2);
    ca.proj = r.projection;
    ca.frame = fa;
    ca.extent = frame_extent(r.projection, fa);
    DrawContext cb = ca;
    cb.proj = r.overlay_projection;
    cb.frame = fb;
    for (const Box& b : {fa, fb}) {
      cairo_rectangle(cr, b.x, b.y, b.w, b.h);
      set(cr, hex(kPanelGround));
      cairo_fill(cr);
    }
    // The imagery is read once and painted into both panels (same scale and extent, shifted).
    cairo_push_group(cr);
    r.imagery_covered = draw_imagery(ca, imagery, name, date);
    cairo_pattern_t* ground = cairo_pop_group(cr);
    cairo_set_source(cr, ground);
    cairo_paint(cr);
    cairo_save(cr);
    cairo_translate(cr, fb.x - fa.x, 0);
    cairo_set_source(cr, ground);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_pattern_destroy(ground);
    // Left: the footprint, the error circle and the centre.
    cairo_save(cr);
    cairo_rectangle(cr, fa.x, fa.y, fa.w, fa.h);
    cairo_clip(cr);
    draw_footprint(ca, fix.footprint, 1.0);
    const Px cp = r.projection.to_px(fix.center);
    const bool circle_shows = fix.error_m / mpp > kMinCircleOverMark * em;
    if (circle_shows) {
      cairo_new_path(cr);
      circle_path(ca, fix.center, fix.error_m);
      set(cr, hex(kError), 0.12);
      cairo_fill_preserve(cr);
      set(cr, hex(0xffffff), 0.9);
      cairo_set_line_width(cr, 3.2 * lw);
      cairo_stroke_preserve(cr);
      set(cr, hex(kError));
      cairo_set_line_width(cr, 1.6 * lw);
      cairo_stroke(cr);
    }
    draw_fix_centre(cr, cp.x, cp.y, em);
    cairo_restore(cr);
    // Right: the frame over the imagery, its outline thin so that the edge's ground stays visible.
    cairo_save(cr);
    cairo_rectangle(cr, fb.x, fb.y, fb.w, fb.h);
    cairo_clip(cr);
    draw_warped_frame(cb, bgr, fix.footprint, o.frame_opacity, blurred);
    draw_footprint(cb, fix.footprint, 0.6);
    cairo_restore(cr);
    for (DrawContext* c : {&ca, &cb}) {
      const Furniture f = furniture_boxes(*c, false);
      const ScaleBar sb = draw_scale_bar(*c, f.scale);
      if (c == &ca) r.scale_bar = sb;
      draw_north_arrow(*c, f.north);
      cairo_rectangle(cr, c->frame.x, c->frame.y, c->frame.w, c->frame.h);
      set(cr, hex(0x333333));
      cairo_set_line_width(cr, lw);
      cairo_stroke(cr);
    }
    r.crs = "Transverse Mercator on WGS 84, centred " + format_centre(centre) + " (scale true at the centre)";
    TextStyle cs{0.8 * em};
    cs.colour = hex(0x444444);
    cs.max_width = W - 2 * m;
    y += H + 0.4 * em;
    y += draw_text(cr, m, y, "CRS: " + r.crs + "; both panels show the same ground; north arrows to true north", cs).h +
         1.2 * em;
    // Under them: the frame as filmed, and beside it the fix in words, the legend and the sources.
    const double row2 = y;
    y += draw_text(cr, m, y, "The frame as filmed (its top edge red, as on the map)", caption).h + 0.2 * em;
    TextStyle small{0.8 * em};
    small.colour = hex(0x444444);
    small.max_width = P;
    y += draw_text(cr, m, y, faces_words, small).h + 0.3 * em;
    const Box shown = draw_frame_as_filmed(cr, bgr, blurred, m, y, P, P * kMaxFrameAspect, em, ca.vector_output);
    cairo_move_to(cr, shown.x, shown.y);
    cairo_line_to(cr, shown.x + shown.w, shown.y);
    set(cr, hex(kTopEdge));
    cairo_set_line_width(cr, 3.2 * lw);
    cairo_stroke(cr);
    draw_fix_centre(cr, shown.x + shown.w / 2, shown.y + shown.h / 2, em);
    bottom = shown.y + shown.h;

    double py = row2;
    py += draw_text(cr, fb.x, py, "The fix", TextStyle{1.1 * em, true}).h + 0.3 * em;
    TextStyle item{0.9 * em};
    item.max_width = P;
    std::vector<std::string> lines{
        "centre " + format_centre(fix.center) + " (WGS 84), the frame's centre",
        "error \u00b1" + format_distance(fix.error_m) + ": the frame's centre is within this distance of the mark",
        "confidence " + fixed(fix.confidence, 2) + " \u00b7 " + method_words(fix),
        "the frame's top faces " + (fix.heading_deg ? degrees(*fix.heading_deg) : std::string("an unknown direction")) +
            (fix.tilt_deg ? " \u00b7 tilt " + degrees(*fix.tilt_deg) + " from straight down (from the footprint's shape, a " +
                                degrees(fix.tilt_hfov_deg) + " field of view assumed)"
                          : ""),
        fixed(fix.gsd_m, 2) + " m of ground per frame pixel at its centre"};
    if (fix.pts_s) lines.push_back("the frame is at " + fixed(*fix.pts_s, 3) + " s in its video");
    for (const auto& l : lines) py += draw_text(cr, fb.x, py, "\u2022 " + l, item).h + 0.2 * em;
    ca.add_legend("footprint", "the ground the frame shows (its footprint), as the fix places it");
    ca.legend.push_back({"top-edge", "the frame's top edge"});
    ca.legend.push_back({"fix-centre", "the fix's centre: where the frame's centre lies on the ground (off the "
                                       "footprint's middle when the camera is tilted)"});
    if (circle_shows)
      ca.legend.push_back({"uncertainty", "the fix's error (\u00b1" + format_distance(fix.error_m) +
                                              "): the frame's centre is within the circle"});
    else
      ca.notes.push_back("the fix's error (\u00b1" + format_distance(fix.error_m) +
                         ") is no wider than the centre's mark: no circle is drawn");
    lay.panel = {fb.x, py + 0.6 * em, P, 0};
  } else {
    const double fw = W - 2 * m;
    TextStyle small{0.8 * em};
    small.colour = hex(0x444444);
    small.max_width = fw;
    y += draw_text(cr, m, y, "The frame as filmed \u2014 " + faces_words, small).h + 0.3 * em;
    const Box shown = draw_frame_as_filmed(cr, bgr, blurred, m, y, fw, fw * 0.75, em, ca.vector_output);
    // "not found" over the frame's top, where it cannot be missed, without hiding its middle.
    TextStyle big{2.0 * em, true};
    big.colour = hex(0xa50f15);
    const TextSize ts2 = measure(cr, "NOT FOUND", big);
    cairo_rectangle(cr, shown.x + em, shown.y + em, ts2.w + 2 * em, ts2.h + em);
    set(cr, hex(0xffffff), 0.92);
    cairo_fill(cr);
    draw_text(cr, shown.x + 2 * em, shown.y + 1.5 * em, "NOT FOUND", big);
    bottom = shown.y + shown.h;
    ca.attributions.push_back("imagery searched: " + imagery_words +
                              (imagery.info().sha256.empty() ? "" : ", sha256 " + imagery.info().sha256.substr(0, 12)));
    lay.panel = {m, bottom + 1.2 * em, fw, 0};
  }
  if (!blurred.empty()) ca.legend.push_back({"blurred", "an area blurred as a possible face (detection also finds patterns that are not faces)"});
  if (!o.blur_faces) ca.notes.push_back("faces are NOT blurred: for the team's own use, not for publication");
  const double panel_end = draw_panel(ca, lay);
  r.notes = ca.notes;
  r.attributions = ca.attributions;
  r.extent = ca.extent;
  r.map_x = ca.frame.x, r.map_y = ca.frame.y, r.map_w = ca.frame.w, r.map_h = ca.frame.h;
  r.width = W;
  r.height = std::ceil(std::max(bottom + m, panel_end));

  Provenance prov = make_provenance("match.overlay", parameters_of(fix, o, format),
                                    {InputRef{imagery.info().source, imagery.info().sha256, std::nullopt}});
  prov.created = made;
  r.provenance = to_json(prov);

  write_recording(rec, out, r.width, r.height);
  return r;
}

}  // namespace geo::render
