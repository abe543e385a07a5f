// SPDX-License-Identifier: Apache-2.0
// The document as one HTML file that opens offline from disk: every image a data URI, no script, a
// Content-Security-Policy that allows no request, a print stylesheet (A4, a new page where the PDF has
// one, table headers repeated, figures kept whole).
#include <sstream>

#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/report/report.hpp"
#include "render/html_internal.hpp"

namespace geo::reporting {

namespace {

using render::html::escape_html;

constexpr const char* kStyle = R"CSS(
:root { --ink:#1a1a1a; --muted:#555; --line:#c8c8c8; --alert:#b00020; --warn:#8a5a00; }
* { box-sizing: border-box; }
body { font: 15px/1.45 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0 auto;
       max-width: 1100px; padding: 0 24px 48px; }
.running { font-size: 12px; color: var(--muted); border-bottom: 1px solid var(--line); padding: 8px 0; margin-bottom: 16px;
           overflow-wrap: anywhere; }
h1 { font-size: 26px; margin: 8px 0 12px; }
h2 { font-size: 20px; margin: 36px 0 10px; border-bottom: 2px solid var(--ink); padding-bottom: 4px; }
h3 { font-size: 17px; margin: 24px 0 8px; }
nav ol { columns: 2; font-size: 14px; }
p { margin: 8px 0; }
p.note { color: var(--muted); font-size: 13.5px; }
p.warning { border-left: 4px solid var(--warn); padding: 4px 10px; background: #fff6e0; }
p.alert { border: 2px solid var(--alert); color: var(--alert); font-weight: bold; padding: 8px 12px; background: #fff0f0; }
p.mono, .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 13px; overflow-wrap: anywhere; }
dl.kv { display: grid; grid-template-columns: minmax(200px, 26%) 1fr; gap: 3px 16px; margin: 10px 0; }
dl.kv dt { font-weight: bold; color: var(--muted); }
dl.kv dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 12px 0; font-size: 13px; }
caption { caption-side: bottom; text-align: left; color: var(--muted); font-size: 12.5px; padding-top: 4px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eee; }
td.mono { font-size: 11.5px; }
figure { margin: 16px 0; }
.grid { display: grid; gap: 8px; }
.grid img { width: 100%; height: auto; display: block; border: 1px solid var(--line); }
.grid .label { font-size: 12px; color: var(--muted); }
figcaption { font-size: 13px; color: var(--muted); margin-top: 6px; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav { display: none; }
  section.new-page { break-before: page; }
  figure, tr, dl.kv { break-inside: avoid; }
  thead { display: table-header-group; }
  h2, h3 { break-after: avoid; }
}
)CSS";

class HtmlWriter {
 public:
  std::string render(const Document& d) {
    o_ << "<!DOCTYPE html>\n<html lang=\"" << escape_html(d.lang) << "\">\n<head>\n<meta charset=\"utf-8\">\n"
       << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\n"
       << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       << "<meta name=\"generator\" content=\"geoev\">\n<title>" << escape_html(d.title) << "</title>\n<style>" << kStyle
       << "</style>\n</head>\n<body>\n<div class=\"running\">" << escape_html(d.running_header) << "<br>" << escape_html(d.running_footer) << "</div>\n";
    for (std::size_t i = 0; i < d.sections.size(); ++i) {
      section(d.sections[i], i == 0 ? 1 : 2);
      if (i == 0) toc(d);
    }
    o_ << "</body>\n</html>\n";
    return o_.str();
  }

 private:
  void toc(const Document& d) {
    if (d.sections.size() < 2) return;
    o_ << "<nav><h2>Contents</h2><ol>\n";
    for (std::size_t i = 1; i < d.sections.size(); ++i) {
      const Section& s = d.sections[i];
      o_ << "<li><a href=\"#" << escape_html(s.anchor) << "\">" << escape_html(s.title) << "</a></li>\n";
    }
    o_ << "</ol></nav>\n";
  }

  void section(const Section& s, int level) {
    o_ << "<section id=\"" << escape_html(s.anchor) << "\"" << (s.new_page ? " class=\"new-page\"" : "") << ">\n<h" << level << ">"
       << escape_html(s.title) << "</h" << level << ">\n";
    for (const auto& b : s.blocks) std::visit([&](const auto& x) { block(x); }, b);
    for (const auto& c : s.children) section(c, std::min(level + 1, 4));
    o_ << "</section>\n";
  }

  // Text with line breaks kept.
  static std::string text(const std::string& s) {
    std::string e = escape_html(s), out;
    for (char c : e) {
      if (c == '\n') out += "<br>";
      else out += c;
    }
    return out;
  }

  void block(const Paragraph& p) {
    o_ << "<p";
    if (p.tone != Tone::normal) o_ << " class=\"" << to_string(p.tone) << "\"";
    o_ << ">" << text(p.text) << "</p>\n";
  }

  void block(const KeyValues& kv) {
    o_ << "<dl class=\"kv\">\n";
    for (const auto& i : kv.items)
      o_ << "<dt>" << text(i.key) << "</dt><dd" << (i.mono ? " class=\"mono\"" : "") << ">" << text(i.value) << "</dd>\n";
    o_ << "</dl>\n";
  }

  void block(const Table& t) {
    o_ << "<table>\n";
    if (!t.caption.empty()) o_ << "<caption>" << text(t.caption) << "</caption>\n";
    if (!t.widths.empty()) {
      double sum = 0;
      for (double w : t.widths) sum += w;
      o_ << "<colgroup>";
      for (double w : t.widths) o_ << "<col style=\"width:" << static_cast<int>(1000 * w / sum) / 10.0 << "%\">";
      o_ << "</colgroup>\n";
    }
    o_ << "<thead><tr>";
    for (const auto& h : t.header) o_ << "<th>" << text(h) << "</th>";
    o_ << "</tr></thead>\n<tbody>\n";
    for (const auto& r : t.rows) {
      o_ << "<tr>";
      for (std::size_t c = 0; c < r.size(); ++c) {
        const bool mono = c < t.mono_columns.size() && t.mono_columns[c];
        o_ << "<td" << (mono ? " class=\"mono\"" : "") << ">" << text(r[c]) << "</td>";
      }
      o_ << "</tr>\n";
    }
    o_ << "</tbody>\n</table>\n";
  }

  void block(const Figure& f) {
    const int cols = std::max(1, f.columns);
    o_ << "<figure>\n<div class=\"grid\" style=\"grid-template-columns:repeat(" << cols << ",1fr)\">\n";
    for (const auto& im : f.images) {
      o_ << "<div><img src=\"data:" << im.mime << ";base64," << render::html::base64(im.bytes) << "\" width=\"" << im.width_px
         << "\" height=\"" << im.height_px << "\" alt=\"" << escape_html(im.alt) << "\">";
      if (!im.label.empty()) o_ << "<div class=\"label\">" << text(im.label) << "</div>";
      o_ << "</div>\n";
    }
    o_ << "</div>\n";
    if (!f.caption.empty()) o_ << "<figcaption>" << text(f.caption) << "</figcaption>\n";
    o_ << "</figure>\n";
  }

  std::ostringstream o_;
};

}  // namespace

void write_html(const Document& d, const std::filesystem::path& out) {
  const std::string html = HtmlWriter().render(d);
  write_file_atomic(out, html);
}

}  // namespace geo::reporting
