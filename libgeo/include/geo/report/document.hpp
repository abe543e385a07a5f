// SPDX-License-Identifier: Apache-2.0
// The evidence report as a document: a tree of sections holding paragraphs, key-value lists, tables
// and figures with captions. It is built once from a case (report.hpp: build_report) and rendered twice
// from the same tree (write_html, write_pdf), so the HTML and the PDF cannot say different things.
// Plain data: copyable, no shared state.
#pragma once
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace geo::reporting {

// How a paragraph reads: `alert` is what a reader must not miss (verification failed, faces not
// blurred), `warning` a caveat on a result, `note` secondary information, `mono` hashes and commands.
enum class Tone { normal, note, warning, alert, mono };
const char* to_string(Tone t) noexcept;

struct Paragraph {
  std::string text;
  Tone tone = Tone::normal;
};

// "SHA-256: 8e00...", one pair per row. `mono` values are set in a fixed-width face (hashes).
struct KeyValue {
  std::string key, value;
  bool mono = false;
};
struct KeyValues {
  std::vector<KeyValue> items;
};

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  // each as long as header
  std::vector<double> widths;                  // relative column widths (empty = equal)
  std::vector<bool> mono_columns;              // columns set in a fixed-width face (empty = none)
  std::string caption;
};

// An image as encoded bytes (JPEG or PNG), ready to inline (HTML) or draw (PDF). Every image made from
// footage has been through render::blur_faces unless the report says on its first page it was not.
struct Image {
  std::string bytes;
  std::string mime;            // "image/jpeg" | "image/png"
  int width_px = 0, height_px = 0;
  std::string label;           // under the image (a frame's time and fix); "" for none
  std::string alt;             // what the image shows, for a reader who cannot see it
};

// One or more images laid out in `columns`, scaled to the text width, with one caption.
struct Figure {
  std::vector<Image> images;
  int columns = 1;
  std::string caption;
};

using Block = std::variant<Paragraph, KeyValues, Table, Figure>;

struct Section {
  std::string anchor;          // unique, [a-z0-9-] (links in the HTML, PDF outline)
  std::string title;
  std::vector<Block> blocks;
  std::vector<Section> children;
  bool new_page = false;       // the PDF starts it on a new page
};

struct Document {
  std::string title;
  std::string running_header;  // on every page's top: the title and the case
  std::string running_footer;  // on every page's foot, beside "page N of M": the custody head hash
  std::string lang = "en";
  std::vector<Section> sections;  // the first is the first page
};

// Counts over the whole tree, for results and tests.
struct DocumentStats {
  int sections = 0, paragraphs = 0, tables = 0, table_rows = 0, figures = 0, images = 0;
};
DocumentStats stats_of(const Document& d);

}  // namespace geo::reporting
