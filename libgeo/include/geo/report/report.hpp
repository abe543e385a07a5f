// SPDX-License-Identifier: Apache-2.0
// `geoev report`: the evidence report of a case, for an editor, a lawyer or a court. One document
// (document.hpp) built from the case, rendered as a self-contained HTML file (images inlined, opens
// offline from disk, prints cleanly) or as an A4 PDF drawn by cairo and pango.
//
// Why no browser makes the PDF: the report must be made offline and reproducibly on the machine that
// holds the case; a headless browser is a large, fast-moving dependency with its own network stack and
// its own idea of page breaks. cairo and pango are already what draws the maps, so the PDF's text,
// tables and figures come from the same libraries and the same document tree as the HTML.
//
// Safeguarding: every image made from footage (contact sheets, match overlays, thumbnails) goes through
// render::blur_faces on an in-memory copy unless `blur_faces` is false, and the first page says which.
// The case and its originals are only read.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "geo/core/json.hpp"
#include "geo/core/progress.hpp"
#include "geo/report/document.hpp"
#include "geo/spatial/compound.hpp"

namespace geo::reporting {

namespace fs = std::filesystem;

// Tuned for legibility at A4 and a report of 25 videos in under 10 s on 2 cores (docs/dev/bench-report.md).
inline constexpr int kMapWidthPx = 1600;        // maps drawn as PNG at this width (about 2x the text width in print)
inline constexpr int kContactColumns = 5;       // frames per row of a contact sheet
inline constexpr int kContactThumbPx = 320;     // a contact sheet frame's width, pixels
inline constexpr int kOverlayPx = 640;          // a located frame's width without imagery at hand (two per row)
inline constexpr int kMatchOverlayPx = 1400;    // a labelled match overlay (three panels) across the text width
inline constexpr int kJpegQuality = 82;         // frames as JPEG: sharp enough to read, small enough to mail

struct ReportOptions {
  bool blur_faces = true;                 // safeguarding; false only for internal use (said on page one)
  std::string title;                      // "" = "Evidence report: <case title>"
  spatial::RegistrySelection compounds;   // the registry events were associated against (default: shipped)
  int max_overlays_per_video = 40;        // located frames shown as overlays per video (the rest counted)
  int threads = 0;                        // images prepared at once; 0 = one per core
  // Throws Error{invalid_argument}: max_overlays_per_video < 0, threads < 0.
  void validate() const;
};

struct ReportResult {
  fs::path output;
  std::string format;                     // html | pdf
  int events = 0, videos = 0, videos_located = 0;
  int images = 0, faces_blurred = 0;
  bool blur_faces = true;
  bool verified = false;                  // case verify passed when the report was made
  std::vector<std::string> verify_problems;  // "row_edited: events row 3", ...
  std::string custody_head;
  std::size_t custody_entries = 0;
  std::vector<std::string> missing_media;    // originals not found where the case recorded them
  std::vector<std::string> notes;            // what the report could not show and why
  std::uintmax_t bytes = 0;
  Json provenance;
};
Json to_json(const ReportResult& r);

// The document of the case at `case_dir` (read only): first page (title, case, date made, geoev
// version, blurring mode, verification result, events table, overview map, timeline), one section per
// event, one per video, the appendix (methods and parameters, library versions, imagery, custody log
// with the verification result, attributions). `result` (may be null) receives counts and notes.
// Throws Error{not_found} when the directory is not a case, Error{not_found} when blurring is asked
// for and the face detector's cascades are missing (nothing is published unblurred).
Document build_report(const fs::path& case_dir, const ReportOptions& opts, ReportResult* result = nullptr,
                      const ProgressFn& progress = {});

// The document as one HTML file (UTF-8, images as data URIs, a Content-Security-Policy that allows no
// request, a print stylesheet), atomically. Throws Error{io}.
void write_html(const Document& d, const fs::path& out);
// The document as an A4 portrait PDF (cairo + pango): running header with the case and custody head,
// footer with page N of M, tables that continue across pages with their header repeated, figures scaled
// to the text width, a PDF outline of the sections. Atomically. Throws Error{io}.
void write_pdf(const Document& d, const fs::path& out);

// build_report, then write_html or write_pdf by the extension of `out` (.html/.htm or .pdf). The output
// is refused (Error{invalid_argument}, before any work) when it lies inside a geoev case or has another
// extension; it is written completely or not at all.
ReportResult write_report(const fs::path& case_dir, const ReportOptions& opts, const fs::path& out,
                          const ProgressFn& progress = {});

// Versions of the libraries the report names, asked of each library at run time.
struct LibraryVersions {
  std::string geoev, gdal, proj, opencv, ffmpeg, cairo, pango;
};
LibraryVersions library_versions();

}  // namespace geo::reporting
