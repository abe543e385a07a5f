// SPDX-License-Identifier: Apache-2.0
// The document as an A4 portrait PDF, drawn by cairo with text by pango: the same tree as the HTML.
// Laid out twice: the first pass only counts pages (nothing is drawn, no image decoded), so that every
// footer can say "page N of M".
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <memory>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/text.hpp"
#include "geo/report/report.hpp"

namespace geo::reporting {

namespace {

namespace fs = std::filesystem;

// A4 in points, margins that leave room for the running header and footer.
constexpr double kPageW = 595.28, kPageH = 841.89;
constexpr double kMarginX = 48, kTop = 58, kBottom = 56;
constexpr double kTextW = kPageW - 2 * kMarginX;
constexpr double kBody = 9.0, kSmall = 7.6, kMono = 7.8;
constexpr double kGap = 6;  // between blocks

struct Colour {
  double r, g, b;
};
constexpr Colour kInk{0.1, 0.1, 0.1}, kMuted{0.33, 0.33, 0.33}, kAlert{0.69, 0, 0.13}, kWarn{0.54, 0.35, 0}, kLine{0.78, 0.78, 0.78};

struct Font {
  double size = kBody;
  bool bold = false, mono = false, italic = false;
};

struct LayoutDeleter {
  void operator()(PangoLayout* l) const { g_object_unref(l); }
};
using LayoutPtr = std::unique_ptr<PangoLayout, LayoutDeleter>;

class PdfWriter {
 public:
  PdfWriter(cairo_surface_t* surface, bool draw, int total_pages)
      : surface_(surface), cr_(cairo_create(surface)), draw_(draw), total_(total_pages) {}
  ~PdfWriter() { cairo_destroy(cr_); }

  int pages() const { return page_; }
  cairo_status_t status() const { return cairo_status(cr_); }

  void document(const Document& d) {
    doc_ = &d;
    start_page();
    for (std::size_t i = 0; i < d.sections.size(); ++i) section(d.sections[i], i == 0 ? 1 : 2, 0);
    finish_page();
  }

 private:
  LayoutPtr layout(const std::string& text, const Font& f, double width) {
    LayoutPtr l(pango_cairo_create_layout(cr_));
    PangoFontDescription* desc = pango_font_description_from_string(f.mono ? "DejaVu Sans Mono" : "DejaVu Sans");
    pango_font_description_set_absolute_size(desc, f.size * PANGO_SCALE);
    if (f.bold) pango_font_description_set_weight(desc, PANGO_WEIGHT_BOLD);
    if (f.italic) pango_font_description_set_style(desc, PANGO_STYLE_ITALIC);
    pango_layout_set_font_description(l.get(), desc);
    pango_font_description_free(desc);
    pango_layout_set_width(l.get(), static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(l.get(), PANGO_WRAP_WORD_CHAR);
    // No hyphen is ever added where a word breaks: a hash copied from the page must read back exactly.
    PangoAttrList* attrs = pango_attr_list_new();
    pango_attr_list_insert(attrs, pango_attr_insert_hyphens_new(FALSE));
    pango_layout_set_attributes(l.get(), attrs);
    pango_attr_list_unref(attrs);
    const std::string valid = to_valid_utf8(text);
    pango_layout_set_text(l.get(), valid.c_str(), static_cast<int>(valid.size()));
    return l;
  }
  static double height_of(PangoLayout* l) {
    int w = 0, h = 0;
    pango_layout_get_size(l, &w, &h);
    return static_cast<double>(h) / PANGO_SCALE;
  }
  void show(PangoLayout* l, double x, double y, const Colour& c) {
    if (!draw_) return;
    cairo_save(cr_);
    cairo_set_source_rgb(cr_, c.r, c.g, c.b);
    cairo_move_to(cr_, x, y);
    pango_cairo_show_layout(cr_, l);
    cairo_restore(cr_);
  }
  double bottom() const { return kPageH - kBottom; }
  double room() const { return bottom() - y_; }

  void start_page() {
    ++page_;
    y_ = kTop;
    if (!draw_) return;
    Font f{kSmall};
    auto h = layout(doc_->running_header, f, kTextW);
    show(h.get(), kMarginX, 26, kMuted);
    cairo_set_source_rgb(cr_, kLine.r, kLine.g, kLine.b);
    cairo_set_line_width(cr_, 0.5);
    cairo_move_to(cr_, kMarginX, 44);
    cairo_line_to(cr_, kPageW - kMarginX, 44);
    cairo_move_to(cr_, kMarginX, kPageH - 42);
    cairo_line_to(cr_, kPageW - kMarginX, kPageH - 42);
    cairo_stroke(cr_);
    const std::string num = "page " + std::to_string(page_) + " of " + std::to_string(total_);
    auto n = layout(num, f, 80);
    pango_layout_set_alignment(n.get(), PANGO_ALIGN_RIGHT);
    show(n.get(), kPageW - kMarginX - 80, kPageH - 38, kMuted);
    Font mf{6.6, false, true};
    auto foot = layout(doc_->running_footer, mf, kTextW - 90);
    show(foot.get(), kMarginX, kPageH - 38, kMuted);
  }
  void finish_page() {
    if (draw_) cairo_show_page(cr_);
  }
  void new_page() {
    finish_page();
    start_page();
  }
  // Starts a new page unless `h` fits below y (a block taller than a page starts at the top anyway).
  void ensure(double h) {
    if (h > room() && y_ > kTop + 1) new_page();
  }

  void section(const Section& s, int level, int parent_outline) {
    if (s.new_page && y_ > kTop + 1) new_page();
    const double size = level == 1 ? 17 : level == 2 ? 13.5 : 11;
    auto l = layout(s.title, Font{size, true}, kTextW);
    const double h = height_of(l.get());
    ensure(h + 60);  // a heading is never the last thing on a page
    if (level > 1) y_ += level == 2 ? 8 : 4;
    int outline = parent_outline;
    if (draw_) {
      const std::string dest = "name='" + s.anchor + "'";
      cairo_tag_begin(cr_, CAIRO_TAG_DEST, dest.c_str());
      show(l.get(), kMarginX, y_, kInk);
      cairo_tag_end(cr_, CAIRO_TAG_DEST);
      const std::string link = "dest='" + s.anchor + "'";
      outline = cairo_pdf_surface_add_outline(surface_, parent_outline, to_valid_utf8(s.title).c_str(), link.c_str(),
                                              level <= 2 ? CAIRO_PDF_OUTLINE_FLAG_OPEN : static_cast<cairo_pdf_outline_flags_t>(0));
    }
    y_ += h + 2;
    if (level == 2 && draw_) {
      cairo_set_source_rgb(cr_, kInk.r, kInk.g, kInk.b);
      cairo_set_line_width(cr_, 1);
      cairo_move_to(cr_, kMarginX, y_);
      cairo_line_to(cr_, kMarginX + kTextW, y_);
      cairo_stroke(cr_);
    }
    y_ += 6;
    for (const auto& b : s.blocks) {
      std::visit([&](const auto& x) { block(x); }, b);
      y_ += kGap;
    }
    for (const auto& c : s.children) section(c, std::min(level + 1, 3), outline);
  }

  // Text that may run over pages: drawn line by line.
  void flow(PangoLayout* l, double x, const Colour& c) {
    PangoLayoutIter* it = pango_layout_get_iter(l);
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(it, nullptr, &logical);
      const double lh = static_cast<double>(logical.height) / PANGO_SCALE;
      const double baseline = static_cast<double>(pango_layout_iter_get_baseline(it) - logical.y) / PANGO_SCALE;
      if (lh > room()) new_page();
      if (draw_) {
        cairo_save(cr_);
        cairo_set_source_rgb(cr_, c.r, c.g, c.b);
        cairo_move_to(cr_, x + static_cast<double>(logical.x) / PANGO_SCALE, y_ + baseline);
        pango_cairo_show_layout_line(cr_, pango_layout_iter_get_line_readonly(it));
        cairo_restore(cr_);
      }
      y_ += lh;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
  }

  void block(const Paragraph& p) {
    if (p.tone == Tone::alert || p.tone == Tone::warning) {
      // A box kept whole: what it says must be read together.
      const bool alert = p.tone == Tone::alert;
      const double pad = alert ? 6 : 4;
      auto l = layout(p.text, Font{kBody, alert}, kTextW - 2 * pad - (alert ? 0 : 4));
      const double h = height_of(l.get()) + 2 * pad;
      ensure(h);
      if (draw_) {
        cairo_save(cr_);
        if (alert) {
          cairo_set_source_rgb(cr_, 1, 0.94, 0.94);
          cairo_rectangle(cr_, kMarginX, y_, kTextW, h);
          cairo_fill_preserve(cr_);
          cairo_set_source_rgb(cr_, kAlert.r, kAlert.g, kAlert.b);
          cairo_set_line_width(cr_, 1.5);
          cairo_stroke(cr_);
        } else {
          cairo_set_source_rgb(cr_, 1, 0.965, 0.88);
          cairo_rectangle(cr_, kMarginX, y_, kTextW, h);
          cairo_fill(cr_);
          cairo_set_source_rgb(cr_, kWarn.r, kWarn.g, kWarn.b);
          cairo_rectangle(cr_, kMarginX, y_, 3, h);
          cairo_fill(cr_);
        }
        cairo_restore(cr_);
      }
      show(l.get(), kMarginX + pad + (alert ? 0 : 4), y_ + pad, alert ? kAlert : kInk);
      y_ += h;
      return;
    }
    const Font f = p.tone == Tone::mono ? Font{kMono, false, true} : p.tone == Tone::note ? Font{kSmall + 0.6} : Font{kBody};
    auto l = layout(p.text, f, kTextW);
    flow(l.get(), kMarginX, p.tone == Tone::note ? kMuted : kInk);
  }

  void block(const KeyValues& kv) {
    constexpr double kKeyW = 150;
    for (const auto& i : kv.items) {
      auto k = layout(i.key, Font{kBody, true}, kKeyW - 6);
      auto v = layout(i.value, i.mono ? Font{kMono, false, true} : Font{kBody}, kTextW - kKeyW);
      const double h = std::max(height_of(k.get()), height_of(v.get()));
      ensure(h);
      show(k.get(), kMarginX, y_, kMuted);
      show(v.get(), kMarginX + kKeyW, y_, kInk);
      y_ += h + 1.5;
    }
  }

  void row(const std::vector<std::string>& cells, const std::vector<double>& w, bool header, double h,
           const std::vector<LayoutPtr>& ls) {
    if (draw_) {
      cairo_save(cr_);
      if (header) {
        cairo_set_source_rgb(cr_, 0.93, 0.93, 0.93);
        cairo_rectangle(cr_, kMarginX, y_, kTextW, h);
        cairo_fill(cr_);
      }
      cairo_set_source_rgb(cr_, kLine.r, kLine.g, kLine.b);
      cairo_set_line_width(cr_, 0.5);
      double x = kMarginX;
      for (std::size_t c = 0; c < cells.size(); ++c) {
        cairo_rectangle(cr_, x, y_, w[c], h);
        x += w[c];
      }
      cairo_stroke(cr_);
      cairo_restore(cr_);
    }
    double x = kMarginX;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      show(ls[c].get(), x + 3, y_ + 2.5, kInk);
      x += w[c];
    }
    y_ += h;
  }

  std::vector<LayoutPtr> cells(const std::vector<std::string>& texts, const std::vector<double>& w, const std::vector<bool>& mono,
                               bool header, double& h) {
    std::vector<LayoutPtr> out;
    h = 0;
    for (std::size_t c = 0; c < texts.size(); ++c) {
      const bool m = !header && c < mono.size() && mono[c];
      Font f = header ? Font{kSmall + 0.4, true} : m ? Font{kMono - 1.2, false, true} : Font{kSmall + 0.4};
      out.push_back(layout(texts[c], f, w[c] - 6));
      h = std::max(h, height_of(out.back().get()) + 5);
    }
    return out;
  }

  void block(const Table& t) {
    const std::size_t n = t.header.size();
    if (n == 0) return;
    std::vector<double> w(n, kTextW / n);
    if (t.widths.size() == n) {
      double sum = 0;
      for (double x : t.widths) sum += x;
      for (std::size_t c = 0; c < n; ++c) w[c] = kTextW * t.widths[c] / sum;
    }
    double hh = 0;
    auto head = cells(t.header, w, t.mono_columns, true, hh);
    bool need_header = true;
    for (const auto& r : t.rows) {
      double rh = 0;
      std::vector<std::string> padded = r;
      padded.resize(n);
      auto ls = cells(padded, w, t.mono_columns, false, rh);
      if (need_header ? hh + rh > room() : rh > room()) {
        new_page();
        need_header = true;
      }
      // The header opens the table and every page it continues on.
      if (need_header) {
        row(t.header, w, true, hh, head);
        need_header = false;
      }
      row(padded, w, false, rh, ls);
    }
    if (t.rows.empty()) row(t.header, w, true, hh, head);
    if (!t.caption.empty()) {
      y_ += 2;
      auto c = layout(t.caption, Font{kSmall}, kTextW);
      flow(c.get(), kMarginX, kMuted);
    }
  }

  void image(const Image& im, double x, double y, double w, double h) {
    if (!draw_ || im.width_px <= 0 || im.height_px <= 0) return;
    cv::Mat decoded = cv::imdecode(cv::Mat(1, static_cast<int>(im.bytes.size()), CV_8U, const_cast<char*>(im.bytes.data())),
                                   cv::IMREAD_COLOR);
    if (decoded.empty()) return;
    cv::Mat bgra;
    cv::cvtColor(decoded, bgra, cv::COLOR_BGR2BGRA);
    cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, bgra.cols, bgra.rows);
    const int stride = cairo_image_surface_get_stride(s);
    cairo_surface_flush(s);
    unsigned char* dst = cairo_image_surface_get_data(s);
    for (int r = 0; r < bgra.rows; ++r) std::copy_n(bgra.ptr<unsigned char>(r), bgra.cols * 4, dst + r * stride);
    cairo_surface_mark_dirty(s);
    if (im.mime == "image/jpeg") {
      // The PDF then holds the JPEG itself, not its pixels re-compressed.
      auto* copy = new std::string(im.bytes);
      cairo_surface_set_mime_data(s, CAIRO_MIME_TYPE_JPEG, reinterpret_cast<const unsigned char*>(copy->data()), copy->size(),
                                  [](void* p) { delete static_cast<std::string*>(p); }, copy);
    }
    cairo_save(cr_);
    cairo_translate(cr_, x, y);
    cairo_scale(cr_, w / bgra.cols, h / bgra.rows);
    cairo_set_source_surface(cr_, s, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr_), CAIRO_FILTER_GOOD);
    cairo_paint(cr_);
    cairo_restore(cr_);
    cairo_surface_destroy(s);
  }

  void block(const Figure& f) {
    const int cols = std::max(1, f.columns);
    const double gap = 6;
    const double cw = (kTextW - gap * (cols - 1)) / cols;
    // A figure always fits on one page with its label; a series of images fits two rows to a page.
    const double max_h = f.images.size() > 1 ? (bottom() - kTop) * 0.44 : bottom() - kTop - 40;
    for (std::size_t i = 0; i < f.images.size(); i += cols) {
      double rh = 0;
      std::vector<std::pair<double, double>> size;
      std::vector<LayoutPtr> labels;
      for (std::size_t k = i; k < std::min(f.images.size(), i + cols); ++k) {
        const Image& im = f.images[k];
        double w = cw, h = im.width_px > 0 ? cw * im.height_px / im.width_px : 0;
        if (h > max_h) {
          w *= max_h / h;
          h = max_h;
        }
        size.emplace_back(w, h);
        labels.push_back(layout(im.label, Font{cols > 3 ? 6.2 : 7.0}, cw));
        rh = std::max(rh, h + (im.label.empty() ? 0 : height_of(labels.back().get()) + 2));
      }
      ensure(rh);
      for (std::size_t k = 0; k < size.size(); ++k) {
        const double x = kMarginX + k * (cw + gap);
        image(f.images[i + k], x, y_, size[k].first, size[k].second);
        if (!f.images[i + k].label.empty()) show(labels[k].get(), x, y_ + size[k].second + 2, kMuted);
      }
      y_ += rh + gap;
    }
    if (!f.caption.empty()) {
      auto c = layout(f.caption, Font{kSmall + 0.4, false, false, true}, kTextW);
      flow(c.get(), kMarginX, kMuted);
    }
  }

  cairo_surface_t* surface_;
  cairo_t* cr_;
  bool draw_;
  int total_;
  int page_ = 0;
  double y_ = kTop;
  const Document* doc_ = nullptr;
};

cairo_status_t discard(void*, const unsigned char*, unsigned int) { return CAIRO_STATUS_SUCCESS; }

}  // namespace

void write_pdf(const Document& d, const fs::path& out) {
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(Errc::io, "report: " + out.string() + ": cannot write: directory " + dir.string() + " does not exist");
  int pages = 0;
  {
    cairo_surface_t* counting = cairo_pdf_surface_create_for_stream(discard, nullptr, kPageW, kPageH);
    {
      PdfWriter w(counting, false, 0);
      w.document(d);
      pages = w.pages();
    }
    cairo_surface_destroy(counting);
  }
  AtomicFile file(out);
  cairo_surface_t* surface = cairo_pdf_surface_create(file.temp_path().string().c_str(), kPageW, kPageH);
  cairo_status_t st = cairo_surface_status(surface);
  if (st == CAIRO_STATUS_SUCCESS) {
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, to_valid_utf8(d.title).c_str());
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "geoev report");
    PdfWriter w(surface, true, pages);
    w.document(d);
    st = w.status();
  }
  cairo_surface_finish(surface);
  if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (st != CAIRO_STATUS_SUCCESS)
    throw Error(Errc::io, "report: " + out.string() + ": cannot write (" + cairo_status_to_string(st) + ")", "cairo",
                static_cast<int>(st));
  file.commit();
}

}  // namespace geo::reporting
