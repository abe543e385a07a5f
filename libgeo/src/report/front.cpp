// SPDX-License-Identifier: Apache-2.0
// The first page: what a reader must know before anything else (how faces were treated, whether the
// case still matches its custody log, what is missing), then every event in one table.
#include <cmath>

#include "geo/core/provenance.hpp"
#include "geo/core/text.hpp"
#include "internal.hpp"

namespace geo::reporting::detail {

std::string video_name(const CaseData& d, const std::string& sha256) {
  for (const auto& v : d.videos)
    if (v.media.sha256 == sha256) return file_name(v.media.path);
  return {};
}

Paragraph verification_paragraph(const CaseData& d) {
  const auto& r = d.verify;
  if (r.ok()) {
    std::size_t ok = 0;
    for (const auto& i : r.items) ok += i.status == "ok";
    return {"VERIFICATION PASSED when this report was made: " + std::to_string(ok) + " of " +
                std::to_string(r.items.size()) + " original files re-hashed and unchanged; every row of the case matches the "
                "custody log of " + std::to_string(r.entries) + " entries, whose last hash (the head) is " + r.head + ".",
            Tone::normal};
  }
  std::vector<std::string> what;
  for (const auto& p : r.problems) what.push_back(p.kind + ": " + p.what + (p.detail.empty() ? "" : " (" + p.detail + ")"));
  for (const auto& i : r.items)
    if (i.status != "ok") what.push_back("original " + i.status + ": " + i.path);
  if (what.empty() && !r.custody_problem.empty()) what.push_back(r.custody_problem);
  return {"VERIFICATION FAILED: this case does not match its own custody log, so its contents may have been changed "
          "after geoev recorded them. Do not rely on this report until this is explained. Problems found (" +
              std::to_string(what.size()) + "): " + join(what, "; ") + ".",
          Tone::alert};
}

namespace {

std::string compound_cell(const events::Event& e) {
  if (e.compound_id.empty()) return e.association_note.empty() ? "none" : "none (" + e.association_note + ")";
  std::string s = e.compound_name.empty() ? e.compound_id : e.compound_name;
  s += " (" + e.relation;
  if (e.relation != "inside" && e.distance_m >= 0) s += ", " + format_distance(e.distance_m);
  s += ", p_inside " + format_fixed(e.p_inside, 2) + ")";
  return s;
}

std::string str(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

Table events_table(const CaseData& d) {
  Table t;
  t.header = {"#", "place (lat, lon)", "error", "time (UTC; local)", "compound", "found by", "confidence", "video"};
  t.widths = {0.35, 1.35, 1.0, 2.0, 1.55, 1.2, 1.25, 1.4};
  t.caption = "Every event of the case. Error: the radius of the circle the place is within, and its precision class "
              "(exact up to 10 m, vicinity up to 100 m, locality up to 1 km, region beyond).";
  for (const auto& e : d.events) {
    std::string zone;
    for (const auto& m : d.map.events)
      if (m.id == e.id) zone = m.local_zone;
    std::string when = utc_window(e.time_from, e.time_to);
    if (const std::string l = local_window(e.time_from, e.time_to, zone); !l.empty()) when += "; " + l;
    std::string err = "±" + format_distance(e.uncertainty_m) + " " + events::to_string(e.precision);
    if (str(e.details, "kind") == "track") err += " (a track; the circle covers it)";
    std::string videos;
    for (const auto& s : e.media_sha256) videos += (videos.empty() ? "" : ", ") + (video_name(d, s).empty() ? s.substr(0, 12) : video_name(d, s));
    const std::string method = str(e.details, "method");
    std::string conf = str(e.details, "confidence");
    t.rows.push_back({std::to_string(e.id), format_coord(e.position), err, when, compound_cell(e),
                      method.empty() ? "entered by hand" : method, conf.empty() ? "not stated" : conf,
                      videos.empty() ? "none" : videos});
  }
  return t;
}

}  // namespace

Section front_page(const CaseData& d, const ReportOptions& opts, const std::string& title, std::vector<Figure> figures,
                   const std::string& made_utc) {
  Section s;
  s.anchor = "summary";
  s.title = title;
  KeyValues kv;
  kv.items.push_back({"Case", d.info.title.empty() ? d.info.dir.string() : d.info.title + " (" + d.info.dir.string() + ")"});
  kv.items.push_back({"Report made", made_utc + " (UTC)"});
  kv.items.push_back({"Made by", "geoev " + std::string(geo::version()) + ", from the case as it stood then"});
  kv.items.push_back({"Faces", opts.blur_faces ? "BLURRED in every image made from footage (contact sheets, match overlays, "
                                                 "thumbnails); blurred areas are outlined"
                                               : "NOT BLURRED: internal use only"});
  kv.items.push_back({"Custody head", d.verify.head.empty() ? "none (an empty log)" : d.verify.head, true});
  std::size_t located = 0;
  for (const auto& v : d.videos)
    if (!v.event_ids.empty()) ++located;
  kv.items.push_back({"Contents", std::to_string(d.events.size()) + (d.events.size() == 1 ? " event, " : " events, ") +
                                      std::to_string(d.videos.size()) + (d.videos.size() == 1 ? " file" : " files") +
                                      " of footage (" + std::to_string(located) + " located)"});
  s.blocks.push_back(kv);

  if (opts.blur_faces)
    s.blocks.push_back(Paragraph{"Safeguarding: faces found by the detector (OpenCV's two frontal and its profile face cascades, 77 % of faces found on the test photographs) were "
                                 "blurred on copies made for this report; the files in the case are unchanged. The detector "
                                 "misses small, turned and partly hidden faces: check every image before publishing.",
                                 Tone::note});
  else
    s.blocks.push_back(Paragraph{"FACES ARE NOT BLURRED in this report (made with --no-blur-faces). It may show people who "
                                 "can be recognised, survivors of trafficking among them. It is for internal use only: do not "
                                 "publish it or send it outside the team.",
                                 Tone::alert});
  s.blocks.push_back(verification_paragraph(d));

  std::vector<std::string> missing;
  for (const auto& v : d.videos)
    if (!v.present) missing.push_back(file_name(v.media.path) + " (recorded at " + v.media.path + ")");
  if (!missing.empty())
    s.blocks.push_back(Paragraph{std::to_string(missing.size()) + (missing.size() == 1 ? " original file is" : " original files are") +
                                     " missing from where the case recorded them, so they could not be re-hashed: " +
                                     join(missing, "; ") + ". What the case recorded about them is shown all the same.",
                                 Tone::alert});
  if (d.events.empty() && d.videos.empty())
    s.blocks.push_back(Paragraph{"This case holds no footage and no events: there is nothing to report yet.", Tone::alert});
  else if (d.events.empty())
    s.blocks.push_back(Paragraph{"This case holds no events: none of its footage has been located yet.", Tone::warning});

  if (!d.events.empty()) s.blocks.push_back(events_table(d));
  for (auto& f : figures) s.blocks.push_back(std::move(f));
  return s;
}

}  // namespace geo::reporting::detail
