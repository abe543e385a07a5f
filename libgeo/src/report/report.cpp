// SPDX-License-Identifier: Apache-2.0
// build_report: the case read once, its figures drawn (maps through render, frames blurred in parallel),
// the sections assembled; write_report: that document as HTML or PDF.
#include "geo/report/report.hpp"

#include <unistd.h>

#include <atomic>
#include <exception>
#include <functional>
#include <mutex>
#include <random>
#include <thread>

#include "geo/core/error.hpp"
#include "geo/core/output_path.hpp"
#include "geo/core/parallel.hpp"
#include "geo/core/provenance.hpp"
#include "geo/core/text.hpp"
#include "geo/render/map.hpp"
#include "internal.hpp"

namespace geo::reporting {

const char* to_string(Tone t) noexcept {
  switch (t) {
    case Tone::normal: return "normal";
    case Tone::note: return "note";
    case Tone::warning: return "warning";
    case Tone::alert: return "alert";
    case Tone::mono: return "mono";
  }
  return "normal";
}

namespace {

void count(const Section& s, DocumentStats& st) {
  ++st.sections;
  for (const auto& b : s.blocks) {
    if (std::holds_alternative<Paragraph>(b)) ++st.paragraphs;
    if (const auto* t = std::get_if<Table>(&b)) {
      ++st.tables;
      st.table_rows += static_cast<int>(t->rows.size());
    }
    if (const auto* f = std::get_if<Figure>(&b)) {
      ++st.figures;
      st.images += static_cast<int>(f->images.size());
    }
  }
  for (const auto& c : s.children) count(c, st);
}

}  // namespace

DocumentStats stats_of(const Document& d) {
  DocumentStats st;
  for (const auto& s : d.sections) count(s, st);
  return st;
}

void ReportOptions::validate() const {
  if (max_overlays_per_video < 0)
    throw Error(Errc::invalid_argument, "report: max_overlays_per_video must be >= 0");
  if (threads < 0) throw Error(Errc::invalid_argument, "report: threads must be >= 0");
}

Json to_json(const ReportResult& r) {
  return Json{{"output", r.output.string()},
              {"format", r.format},
              {"events", r.events},
              {"videos", r.videos},
              {"videos_located", r.videos_located},
              {"images", r.images},
              {"faces_blurred", r.faces_blurred},
              {"blur_faces", r.blur_faces},
              {"verified", r.verified},
              {"verify_problems", r.verify_problems},
              {"custody_head", r.custody_head},
              {"custody_entries", r.custody_entries},
              {"missing_media", r.missing_media},
              {"notes", r.notes},
              {"bytes", r.bytes},
              {"provenance", r.provenance}};
}

namespace {

namespace fs = std::filesystem;
using detail::CaseData;

// A private scratch directory for the maps, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("geoev-report-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string frame_label(const detail::FrameInfo& f, std::size_t index) {
  std::string s = "#" + std::to_string(index + 1) + " t " + detail::format_fixed(f.pts_s, 2) + " s";
  if (!f.matched) return s;
  if (f.located) return s + ", located ±" + format_distance(f.error_m);
  return s + ", not located";
}

std::string overlay_label(const detail::FrameInfo& f, std::size_t index) {
  std::string s = "Frame " + std::to_string(index + 1) + " at " + detail::format_fixed(f.pts_s, 2) + " s";
  if (!f.utc.empty()) s += " (" + f.utc + ")";
  s += ": centre of view " + (f.centre ? detail::format_coord(*f.centre) : std::string("?")) + " ±" + format_distance(f.error_m) +
       ", match confidence " + detail::format_fixed(f.confidence, 2) + (f.method.empty() ? "" : ", " + f.method + " match");
  return s;
}

struct VideoFigures {
  std::vector<detail::PreparedFrame> frames;
};

}  // namespace

Document build_report(const fs::path& case_dir, const ReportOptions& opts, ReportResult* result, const ProgressFn& progress) {
  opts.validate();
  CaseData d = detail::gather(case_dir, opts, progress);
  const std::string made = format_utc(now_utc());
  const int threads = opts.threads > 0 ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  ScratchDir scratch;

  // Figures drawn by render (maps) and frames prepared from the stage files, all as independent tasks.
  std::vector<std::function<void()>> tasks;
  std::mutex notes_mutex;
  auto note = [&](const std::string& n) {
    std::lock_guard<std::mutex> lock(notes_mutex);
    d.notes.push_back(n);
  };
  std::optional<Image> overview, timeline;
  std::map<std::int64_t, std::optional<Image>> site_maps;
  if (!d.events.empty()) {
    tasks.push_back([&] {
      try {
        render::MapOptions mo;
        mo.kind = render::MapKind::overview;
        mo.width_px = kMapWidthPx;
        const fs::path out = scratch.path() / "overview.png";
        render::render_map(d.map, mo, out);
        overview = detail::read_png(out, "overview map of every event");
      } catch (const std::exception& e) {
        note(std::string("the overview map could not be drawn: ") + e.what());
      }
    });
    tasks.push_back([&] {
      try {
        render::TimelineOptions to;
        to.width_px = kMapWidthPx;
        const fs::path out = scratch.path() / "timeline.png";
        render::render_timeline(d.map, to, out);
        timeline = detail::read_png(out, "timeline of the events by compound");
      } catch (const std::exception& e) {
        note(std::string("the timeline could not be drawn: ") + e.what());
      }
    });
    for (const auto& e : d.events) site_maps[e.id];
    for (const auto& e : d.events) {
      tasks.push_back([&, id = e.id, details = e.details] {
        render::MapOptions mo;
        mo.kind = render::MapKind::site;
        mo.event_id = id;
        mo.width_px = kMapWidthPx;
        const std::string im = details.is_object() ? details.value("imagery", Json()).is_string() ? details["imagery"].get<std::string>() : "" : "";
        if (const auto it = d.imagery.find(im); !im.empty() && it != d.imagery.end()) {
          mo.imagery = it->second;
          if (details.contains("imagery_date") && details["imagery_date"].is_string())
            mo.imagery_date = details["imagery_date"].get<std::string>();
        } else if (!im.empty()) {
          note("event " + std::to_string(id) + ": its imagery " + im + " was not found on this machine; the site map is drawn without it");
        }
        const fs::path out = scratch.path() / ("site-" + std::to_string(id) + ".png");
        try {
          render::render_map(d.map, mo, out);
          site_maps[id] = detail::read_png(out, "site map of event " + std::to_string(id));
        } catch (const std::exception& e) {
          note("event " + std::to_string(id) + ": the site map could not be drawn: " + e.what());
        }
      });
    }
  }
  std::vector<VideoFigures> vf(d.videos.size());
  const render::FaceCache faces_kept = render::FaceCache::in_case(d.info.dir);
  for (std::size_t vi = 0; vi < d.videos.size(); ++vi) {
    const auto& v = d.videos[vi];
    vf[vi].frames.resize(v.frames.size());
    int overlays = 0;
    for (std::size_t fi = 0; fi < v.frames.size(); ++fi) {
      const auto& f = v.frames[fi];
      const bool overlay = f.located && overlays < opts.max_overlays_per_video;
      overlays += overlay;
      tasks.push_back([&, vi, fi, overlay] {
        const auto& vid = d.videos[vi];
        const auto& fr = vid.frames[fi];
        // With the imagery at hand, the labelled match overlay; otherwise the frame with its fix in words.
        std::optional<Image> drawn;
        const detail::FrameRead read = detail::read_frame(fr.path, opts.blur_faces, faces_kept);
        const auto im = d.imagery.find(vid.imagery_name);
        if (overlay && fr.centre && fr.footprint.size() == 4 && !vid.imagery_name.empty() && im != d.imagery.end()) {
          std::string problem;
          drawn = detail::match_overlay(fr, read, im->second, vid.imagery_name, vid.imagery_date,
                                        scratch.path() / ("overlay-" + std::to_string(vi) + "-" + std::to_string(fi) + ".bmp"),  // read back at once: no compression
                                        overlay_label(fr, fi), problem);
          if (!drawn) note(detail::file_name(vid.media.path) + ": the match overlay of frame " + std::to_string(fi + 1) +
                           " could not be drawn (" + problem + "); the frame is shown with its fix instead");
        }
        vf[vi].frames[fi] = detail::prepare_frame(read, kContactThumbPx, frame_label(fr, fi),
                                                  overlay && !drawn ? kOverlayPx : 0, overlay && !drawn ? overlay_label(fr, fi) : "");
        if (drawn) {
          vf[vi].frames[fi].large = std::move(*drawn);
          vf[vi].frames[fi].match_overlay = true;
        }
      });
    }
  }
  parallel_for(tasks.size(), static_cast<std::size_t>(threads), [&](std::size_t i) { tasks[i](); });

  ReportResult r;
  r.blur_faces = opts.blur_faces;
  Document doc;
  // A case without a title is named by its directory; the running header then names the directory once.
  const std::string dir_name = d.info.dir.filename().string();
  const std::string case_title = d.info.title.empty() ? dir_name : d.info.title;
  doc.title = opts.title.empty() ? "Evidence report: " + case_title : opts.title;
  const bool titled_by_dir = opts.title.empty() && case_title == dir_name;
  doc.running_header = doc.title + (titled_by_dir ? "" : " | case \u201c" + dir_name + "\u201d") + " | made " + made;
  doc.running_footer = "custody head " + (d.verify.head.empty() ? std::string("none") : d.verify.head) +
                       (d.verify.ok() ? "" : " | VERIFICATION FAILED");

  std::vector<Figure> front_figs;
  if (overview)
    front_figs.push_back(Figure{{*overview}, 1,
                                "Overview: every event (symbol shape = precision class, fill = date) and the compounds they are at."});
  if (timeline) front_figs.push_back(Figure{{*timeline}, 1, "Timeline: each event over its time window, one row per compound (UTC)."});
  doc.sections.push_back(detail::front_page(d, opts, doc.title, std::move(front_figs), made));
  for (const auto& e : d.events) {
    std::optional<Figure> fig;
    if (auto& m = site_maps[e.id]) {
      // The caption names what is drawn for this event.
      const auto me = std::find_if(d.map.events.begin(), d.map.events.end(), [&](const render::MapEvent& x) { return x.id == e.id; });
      const bool track = me != d.map.events.end() && me->track.size() >= 2;
      const bool shows = me != d.map.events.end() && !me->shows.is_null();
      fig = Figure{{*m}, 1, "Site map of event " + std::to_string(e.id) + ": its uncertainty circle" +
                                (track ? ", the camera's track" : "") + (shows ? " and the ground its frames show" : "") + "."};
    }
    doc.sections.push_back(detail::event_section(d, e, std::move(fig)));
  }
  for (std::size_t vi = 0; vi < d.videos.size(); ++vi) {
    const auto& v = d.videos[vi];
    std::vector<Figure> figs;
    Figure sheet{{}, kContactColumns, ""}, over{{}, 2, ""};
    int faces = 0, unreadable = 0, overlays_left = 0;
    for (std::size_t fi = 0; fi < v.frames.size(); ++fi) {
      auto& p = vf[vi].frames[fi];
      if (!p.ok) {
        ++unreadable;
        continue;
      }
      faces += p.faces;
      sheet.images.push_back(std::move(p.small));
      if (p.match_overlay) over.columns = 1;
      if (!p.large.bytes.empty()) over.images.push_back(std::move(p.large));
      else if (v.frames[fi].located) ++overlays_left;
    }
    r.faces_blurred += faces;
    const std::string blur_words = opts.blur_faces ? (faces > 0 ? "; faces blurred (" + std::to_string(faces) + " areas)" : "; faces blurred (none found)")
                                                   : "; FACES NOT BLURRED";
    if (!sheet.images.empty()) {
      sheet.caption = "Contact sheet: the " + std::to_string(sheet.images.size()) + " frames geoev run extracted, in time order" + blur_words + ".";
      figs.push_back(std::move(sheet));
    }
    if (!over.images.empty()) {
      over.caption = (over.columns == 1 ? std::string("Match overlays: for each located frame, the imagery with the ground the frame shows "
                                                      "(its footprint, top edge red) and the fix's error circle, the frame warped "
                                                      "over the imagery, and the frame as filmed")
                                        : std::string("Located frames with their fix (the centre of the ground each frame shows)")) +
                     blur_words +
                     (overlays_left ? "; " + std::to_string(overlays_left) + " more located frames are not shown" : "") + ".";
      figs.push_back(std::move(over));
    }
    if (unreadable) d.notes.push_back(detail::file_name(v.media.path) + ": " + std::to_string(unreadable) + " frames could not be read");
    doc.sections.push_back(detail::video_section(d, v, std::move(figs)));
  }
  doc.sections.push_back(detail::appendix(d, made));

  if (result) {
    r.events = static_cast<int>(d.events.size());
    r.videos = static_cast<int>(d.videos.size());
    for (const auto& v : d.videos) {
      r.videos_located += !v.event_ids.empty();
      if (!v.present) r.missing_media.push_back(v.media.path);
    }
    r.images = stats_of(doc).images;
    r.verified = d.verify.ok();
    for (const auto& p : d.verify.problems) r.verify_problems.push_back(p.kind + ": " + p.what);
    for (const auto& i : d.verify.items)
      if (i.status != "ok") r.verify_problems.push_back("original " + i.status + ": " + i.path);
    r.custody_head = d.verify.head;
    r.custody_entries = d.verify.entries;
    r.notes = d.notes;
    *result = std::move(r);
  }
  return doc;
}

ReportResult write_report(const fs::path& case_dir, const ReportOptions& opts, const fs::path& out, const ProgressFn& progress) {
  const std::string ext = to_lower(out.extension().string());
  std::string format;
  if (ext == ".html" || ext == ".htm") format = "html";
  else if (ext == ".pdf") format = "pdf";
  else
    throw Error(Errc::invalid_argument, "report: " + out.string() + ": unknown output format '" + ext + "' (use .html or .pdf)");
  OutputPolicy policy;
  policy.force = true;  // the command line decides about an existing file (--force); here only the case is guarded
  policy.inputs = {case_dir};
  check_output_path(out, policy, "report");
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(Errc::io, "report: " + out.string() + ": cannot write: directory " + dir.string() + " does not exist");
  ReportResult r;
  const Document doc = build_report(case_dir, opts, &r, progress);
  if (format == "html") write_html(doc, out);
  else write_pdf(doc, out);
  r.output = out;
  r.format = format;
  r.bytes = fs::file_size(out, ec);
  // The case is identified by its custody head (it commits to every row), not by a file hash.
  r.provenance = to_json(make_provenance("report", Json{{"format", format}, {"blur_faces", opts.blur_faces}, {"title", opts.title},
                                                        {"case", fs::absolute(case_dir, ec).string()}, {"custody_head", r.custody_head}}));
  return r;
}

}  // namespace geo::reporting
