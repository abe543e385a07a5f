// SPDX-License-Identifier: Apache-2.0
#include "render/map_canvas.hpp"

#include <bit>

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/core/error.hpp"
#include "geo/core/text.hpp"

namespace fs = std::filesystem;

namespace geo::render::detail {

Rgb hex(unsigned v) {
  return {((v >> 16) & 0xff) / 255.0, ((v >> 8) & 0xff) / 255.0, (v & 0xff) / 255.0};
}

void set(cairo_t* cr, const Rgb& c, double alpha) {
  cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

bool is_raster(const std::string& format) { return format == "png" || format == "bmp"; }

std::string format_of(const fs::path& out) {
  const std::string ext = to_lower(out.extension().string());
  if (ext == ".png") return "png";
  if (ext == ".bmp") return "bmp";  // uncompressed: for a figure read back at once (the report's overlays)
  if (ext == ".pdf") return "pdf";
  if (ext == ".svg") return "svg";
  throw Error(Errc::invalid_argument,
              "map: " + out.string() + ": unknown output format '" + ext + "' (use .png, .pdf or .svg)");
}

namespace {

void check_directory(const fs::path& out) {
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(Errc::io, "map: " + out.string() + ": cannot write: directory " + dir.string() + " does not exist");
}

[[noreturn]] void fail(const fs::path& out, cairo_status_t st) {
  throw Error(Errc::io, "map: " + out.string() + ": cannot write (" + cairo_status_to_string(st) + ")", "cairo",
              static_cast<int>(st));
}

// The image surface as a PNG file at zlib level 1 (a BMP file, uncompressed, for ".bmp"). cairo's own writer uses libpng's default level 6,
// which took 45 % of the CPU of the demo's report (its maps and 19 match overlays); level 1 is several
// times faster for a somewhat larger file. An opaque drawing (every map) is written as RGB.
void write_png(cairo_surface_t* surface, const fs::path& path, const fs::path& target) {
  if constexpr (std::endian::native != std::endian::little) {
    // cairo's ARGB32 is a native-endian word: B, G, R, A in memory only on little-endian machines.
    if (const auto st = cairo_surface_write_to_png(surface, path.string().c_str()); st != CAIRO_STATUS_SUCCESS)
      fail(target, st);
    return;
  }
  const cv::Mat bgra(cairo_image_surface_get_height(surface), cairo_image_surface_get_width(surface), CV_8UC4,
                     cairo_image_surface_get_data(surface), static_cast<std::size_t>(cairo_image_surface_get_stride(surface)));
  std::vector<cv::Mat> planes;
  cv::split(bgra, planes);
  double min_alpha = 0;
  cv::minMaxLoc(planes[3], &min_alpha);
  cv::Mat out;
  if (min_alpha >= 255) {
    cv::cvtColor(bgra, out, cv::COLOR_BGRA2BGR);
  } else {
    out = bgra.clone();  // cairo's colours are premultiplied by alpha; PNG's are not
    for (int y = 0; y < out.rows; ++y)
      for (auto* p = out.ptr<cv::Vec4b>(y), *e = p + out.cols; p != e; ++p)
        if (const int a = (*p)[3]; a > 0 && a < 255)
          for (int c = 0; c < 3; ++c) (*p)[c] = static_cast<uchar>(std::min(255, ((*p)[c] * 255 + a / 2) / a));
  }
  bool ok = false;
  try {
    ok = cv::imwrite(path.string(), out, {cv::IMWRITE_PNG_COMPRESSION, 1});  // ignored by BMP
  } catch (const cv::Exception&) {
  }
  if (!ok) throw Error(Errc::io, "map: " + target.string() + ": cannot write the image");
}

}  // namespace

Canvas::Canvas(const fs::path& out, double width, double height)
    : format_(format_of(out)), width_(width), height_(height), file_((check_directory(out), out)) {
  const std::string tmp = file_.temp_path().string();
  if (is_raster(format_))
    surface_ = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, static_cast<int>(width), static_cast<int>(height));
  else if (format_ == "pdf")
    surface_ = cairo_pdf_surface_create(tmp.c_str(), width, height);
  else
    surface_ = cairo_svg_surface_create(tmp.c_str(), width, height);
  if (const auto st = cairo_surface_status(surface_); st != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(surface_);
    surface_ = nullptr;
    std::error_code ec;
    fs::remove(file_.temp_path(), ec);
    fail(out, st);
  }
  if (format_ == "pdf") {
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATOR, "geoev");
  }
  cr_ = cairo_create(surface_);
}

Canvas::~Canvas() {
  if (cr_) cairo_destroy(cr_);
  if (surface_) {
    // A vector surface writes its file when destroyed: an abandoned drawing still leaves only the
    // temporary, which AtomicFile removes after this.
    cairo_surface_finish(surface_);
    cairo_surface_destroy(surface_);
  }
  std::error_code ec;
  fs::remove(file_.temp_path(), ec);
}

void Canvas::commit() {
  if (const auto st = cairo_status(cr_); st != CAIRO_STATUS_SUCCESS) fail(file_.target(), st);
  cairo_destroy(cr_);
  cr_ = nullptr;
  if (is_raster(format_)) {
    cairo_surface_flush(surface_);
    write_png(surface_, file_.temp_path(), file_.target());
  }
  cairo_surface_finish(surface_);
  const auto st = cairo_surface_status(surface_);
  cairo_surface_destroy(surface_);
  surface_ = nullptr;
  if (st != CAIRO_STATUS_SUCCESS) fail(file_.target(), st);
  file_.commit();
}

namespace {

PangoLayout* layout_for(cairo_t* cr, const std::string& text, const TextStyle& s) {
  PangoLayout* layout = pango_cairo_create_layout(cr);
  PangoFontDescription* desc = pango_font_description_from_string("DejaVu Sans");
  pango_font_description_set_absolute_size(desc, s.size * PANGO_SCALE);
  if (s.bold) pango_font_description_set_weight(desc, PANGO_WEIGHT_BOLD);
  if (s.italic) pango_font_description_set_style(desc, PANGO_STYLE_ITALIC);
  pango_layout_set_font_description(layout, desc);
  pango_font_description_free(desc);
  if (s.max_width > 0) {
    pango_layout_set_width(layout, static_cast<int>(s.max_width * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
  }
  pango_layout_set_text(layout, text.c_str(), static_cast<int>(text.size()));
  return layout;
}

TextSize size_of(PangoLayout* layout) {
  int w = 0, h = 0;
  pango_layout_get_size(layout, &w, &h);
  return {static_cast<double>(w) / PANGO_SCALE, static_cast<double>(h) / PANGO_SCALE};
}

}  // namespace

TextSize measure(cairo_t* cr, const std::string& text, const TextStyle& style) {
  PangoLayout* layout = layout_for(cr, text, style);
  const TextSize s = size_of(layout);
  g_object_unref(layout);
  return s;
}

TextSize draw_text(cairo_t* cr, double x, double y, const std::string& text, const TextStyle& style) {
  PangoLayout* layout = layout_for(cr, text, style);
  const TextSize s = size_of(layout);
  cairo_save(cr);
  cairo_move_to(cr, x, y);
  if (style.halo > 0) {
    pango_cairo_layout_path(cr, layout);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
    cairo_set_line_width(cr, style.halo * 2);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(cr);
    cairo_move_to(cr, x, y);
  }
  set(cr, style.colour);
  pango_cairo_show_layout(cr, layout);
  cairo_restore(cr);
  g_object_unref(layout);
  return s;
}

Recording::Recording()
    : surface_(cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, nullptr)), cr_(cairo_create(surface_)) {}

Recording::~Recording() {
  cairo_destroy(cr_);
  cairo_surface_destroy(surface_);
}

void write_recording(cairo_surface_t* recording, const std::filesystem::path& out, double width, double height) {
  Canvas canvas(out, width, height);
  cairo_set_source_rgb(canvas.cr(), 1, 1, 1);
  cairo_paint(canvas.cr());
  cairo_set_source_surface(canvas.cr(), recording, 0, 0);
  cairo_paint(canvas.cr());
  canvas.commit();
}

}  // namespace geo::render::detail
