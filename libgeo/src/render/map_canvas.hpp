// SPDX-License-Identifier: Apache-2.0
// Private: one cairo drawing surface for PNG, PDF or SVG, written to a temporary and renamed into place,
// and text through pango. Coordinates are pixels for PNG/SVG and points for PDF.
#pragma once
#include <cairo.h>
#include <pango/pangocairo.h>

#include <filesystem>
#include <memory>
#include <string>

#include "geo/core/atomic_file.hpp"

namespace geo::render::detail {

struct Rgb {
  double r = 0, g = 0, b = 0;
};
Rgb hex(unsigned v);
void set(cairo_t* cr, const Rgb& c, double alpha = 1.0);

// "png" | "pdf" | "svg" from the extension ("bmp" too: uncompressed, for a figure read back at once);
// throws Error{invalid_argument} on any other.
std::string format_of(const std::filesystem::path& out);
// Whether `format` is drawn on pixels (png, bmp) rather than as vectors.
bool is_raster(const std::string& format);

class Canvas {
 public:
  // Throws Error{io} when the output's directory does not exist or the surface cannot be made.
  Canvas(const std::filesystem::path& out, double width, double height);
  ~Canvas();
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;

  cairo_t* cr() const noexcept { return cr_; }
  const std::string& format() const noexcept { return format_; }
  double width() const noexcept { return width_; }
  double height() const noexcept { return height_; }
  // Finishes the drawing, writes it and renames it over the target. Throws Error{io}.
  void commit();

 private:
  std::string format_;
  double width_, height_;
  AtomicFile file_;
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
};

// A cairo recording surface and its context, released together: figures are drawn on it once, then
// sized to what they hold and replayed with write_recording.
class Recording {
 public:
  Recording();
  ~Recording();
  Recording(const Recording&) = delete;
  Recording& operator=(const Recording&) = delete;
  cairo_t* cr() const noexcept { return cr_; }
  cairo_surface_t* surface() const noexcept { return surface_; }

 private:
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
};

// Replays a drawing recorded on a cairo recording surface onto `out` (.png/.pdf/.svg) over a white
// background, `width` x `height`, atomically: the figures are drawn once, then sized to what they hold.
// Throws Error{io} like Canvas.
void write_recording(cairo_surface_t* recording, const std::filesystem::path& out, double width, double height);

struct TextStyle {
  double size = 12;      // font size in drawing units
  bool bold = false;
  bool italic = false;
  Rgb colour{0.1, 0.1, 0.1};
  double halo = 0;       // width of a white outline behind the text (legibility over imagery); 0 = none
  double max_width = 0;  // wrap at this width; 0 = one line per '\n'
};

struct TextSize {
  double w = 0, h = 0;
};

// The size `text` takes in `style`.
TextSize measure(cairo_t* cr, const std::string& text, const TextStyle& style);
// Draws `text` with its box's top-left corner at (x, y).
TextSize draw_text(cairo_t* cr, double x, double y, const std::string& text, const TextStyle& style);

}  // namespace geo::render::detail
