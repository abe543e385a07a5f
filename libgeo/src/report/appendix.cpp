// SPDX-License-Identifier: Apache-2.0
// The appendix: how the results were made (methods, parameters, library versions, imagery), the custody
// log entry by entry with the verification result, and the sources to attribute.
#include <set>

#include "internal.hpp"

namespace geo::reporting::detail {

namespace {

// "combine.outlier_sigmas = 3" for every leaf of a JSON object, in key order.
void flatten(const Json& j, const std::string& prefix, KeyValues& kv) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) flatten(v, prefix.empty() ? k : prefix + "." + k, kv);
    return;
  }
  if (j.is_array() && !j.empty() && j[0].is_object()) {
    for (std::size_t i = 0; i < j.size(); ++i) flatten(j[i], prefix + "[" + std::to_string(i + 1) + "]", kv);
    return;
  }
  std::string v = j.is_string() ? j.get<std::string>() : j.is_null() ? "not given" : j.dump();
  if ((j.is_array() && j.empty()) || (j.is_string() && v.empty())) v = "not given";
  kv.items.push_back({prefix, v});
}

std::string hashes_cell(const Json& list) {
  if (!list.is_array() || list.empty()) return "";
  std::vector<std::string> out;
  for (const auto& h : list)
    if (h.is_object()) out.push_back(file_name(h.value("path", "")) + " " + h.value("sha256", ""));
  return join(out, "\n");
}

}  // namespace

Table custody_table(const std::vector<events::CustodyEntry>& log) {
  Table t;
  t.header = {"#", "time (UTC)", "action", "inputs (SHA-256)", "outputs (SHA-256)", "rows", "entry hash"};
  t.widths = {0.3, 1.25, 1.25, 2.1, 2.1, 0.45, 1.55};
  t.mono_columns = {false, false, false, true, true, false, true};
  t.caption = "The custody log, every entry as geoev case log lists it: each entry's hash is the SHA-256 of the previous "
              "hash and the entry, and lists the rows it created with their content hashes.";
  for (const auto& e : log)
    t.rows.push_back({std::to_string(e.id), e.utc, e.action, hashes_cell(e.input_hashes), hashes_cell(e.output_hashes),
                      std::to_string(e.rows.is_array() ? e.rows.size() : 0), e.entry_hash});
  return t;
}

Section appendix(const CaseData& d, const std::string& made_utc) {
  Section a;
  a.anchor = "appendix";
  a.title = "Appendix";
  a.new_page = true;

  Section methods;
  methods.anchor = "methods";
  methods.title = "Methods and parameters";
  methods.blocks.push_back(Paragraph{
      "geoev run adds each file to the case (SHA-256, metadata, telemetry), extracts the sharpest frame of each shot and of "
      "each stretch of a moving take, and matches every frame against georeferenced imagery: keypoints in the best-ranked "
      "reference tiles first, then a dense search over scale, heading and tilt; a candidate is accepted only when it passes "
      "verification gates (correlation peak ratio and height, block-by-block agreement). The fixes of one video are combined "
      "into one place (inverse-variance mean; the error is the larger of the median single-frame error and their scatter) or, "
      "for a moving camera, a track; a fix that disagrees with the others beyond 3 times its error (on a track, one that "
      "could only be reached at more than 30 m/s) is left out, never averaged in. Telemetry and metadata GPS are checked against the image fixes. Times come from telemetry, else the container's "
      "creation time, else the file's name, each with its source. Events are associated with the compound registry by "
      "geodesic distance and the probability that the place lies inside the outline (p_inside)."});
  const Json* params = nullptr;
  if (d.last_run.is_object() && d.last_run.contains("provenance") && d.last_run["provenance"].contains("parameters"))
    params = &d.last_run["provenance"]["parameters"];
  if (params) {
    KeyValues kv;
    flatten(*params, "", kv);
    methods.blocks.push_back(Paragraph{"Parameters of the last geoev run (" +
                                       d.last_run["provenance"].value("created_utc", std::string("?")) + "):"});
    methods.blocks.push_back(std::move(kv));
  } else {
    methods.blocks.push_back(Paragraph{"No geoev run result is in the case (run/last-run.json): its events were made by other "
                                       "commands, whose parameters are in the custody log below.",
                                       Tone::note});
  }
  const LibraryVersions lv = library_versions();
  KeyValues ver;
  ver.items = {{"geoev", lv.geoev}, {"GDAL", lv.gdal}, {"PROJ", lv.proj}, {"OpenCV", lv.opencv},
               {"FFmpeg (libavutil)", lv.ffmpeg}, {"cairo", lv.cairo}, {"pango", lv.pango}};
  methods.blocks.push_back(Paragraph{"Versions of the software that made this report, asked of each library when it ran:"});
  methods.blocks.push_back(std::move(ver));
  std::set<std::string> tools;
  for (const auto& e : d.custody) tools.insert(e.tool_version);
  methods.blocks.push_back(Paragraph{"geoev versions that wrote the case (custody log): " + join({tools.begin(), tools.end()}, ", ") + "."});
  a.children.push_back(std::move(methods));

  Section imagery;
  imagery.anchor = "imagery";
  imagery.title = "Imagery";
  Table it;
  it.header = {"imagery", "date", "SHA-256", "used by events", "found at"};
  it.widths = {1.2, 0.8, 2.4, 0.8, 1.8};
  it.mono_columns = {false, false, true, false, false};
  std::map<std::string, std::vector<std::string>> used;
  std::map<std::string, std::pair<std::string, std::string>> facts;
  for (const auto& e : d.events) {
    if (!e.details.is_object() || !e.details.contains("imagery") || !e.details["imagery"].is_string()) continue;
    const std::string n = e.details["imagery"].get<std::string>();
    if (n.empty()) continue;
    used[n].push_back(std::to_string(e.id));
    facts[n] = {e.details.value("imagery_date", Json()).is_string() ? e.details["imagery_date"].get<std::string>() : "unknown",
                e.details.value("imagery_sha256", std::string())};
  }
  for (const auto& [n, ids] : used) {
    const auto f = d.imagery.find(n);
    it.rows.push_back({n, facts[n].first, facts[n].second, join(ids, ", "),
                       f == d.imagery.end() ? "not found on this machine (site maps drawn without it)" : f->second.string()});
  }
  if (it.rows.empty()) imagery.blocks.push_back(Paragraph{"No event of this case rests on imagery."});
  else {
    it.caption = "Imagery the image matches rest on. Old imagery shows the ground as it was then: compare its date with the "
                 "events' dates.";
    imagery.blocks.push_back(std::move(it));
  }
  a.children.push_back(std::move(imagery));

  Section custody;
  custody.anchor = "custody";
  custody.title = "Custody log and verification";
  custody.blocks.push_back(Paragraph{"Checked with geoev case verify when this report was made (" + made_utc + " UTC)."});
  custody.blocks.push_back(verification_paragraph(d));
  for (const auto& n : d.verify.notes) custody.blocks.push_back(Paragraph{"Note: " + n + ".", Tone::note});
  custody.blocks.push_back(Paragraph{"To check later that nothing recorded up to now has changed, keep the head outside the case "
                                     "and run: geoev case verify --case CASE --head " + (d.verify.head.empty() ? std::string("HEAD") : d.verify.head),
                                     Tone::mono});
  custody.blocks.push_back(custody_table(d.custody));
  a.children.push_back(std::move(custody));

  Section sources;
  sources.anchor = "sources";
  sources.title = "Sources and attribution";
  KeyValues src;
  for (const auto& at : d.map.attributions) src.items.push_back({"", at});
  for (const auto& [n, ids] : used) src.items.push_back({"", "imagery: " + n + " (" + facts[n].first + ")"});
  src.items.push_back({"", "towns: GeoNames (CC BY 4.0)"});
  src.items.push_back({"", "face detection: OpenCV Haar cascades (opencv-data, BSD licence)"});
  sources.blocks.push_back(std::move(src));
  std::set<std::string> cited;
  for (const auto& e : d.events) {
    if (e.compound_id.empty() || cited.count(e.compound_id)) continue;
    cited.insert(e.compound_id);
    if (const auto* c = d.map.compounds.find(e.compound_id)) {
      std::vector<std::string> refs;
      for (const auto& s : c->sources) refs.push_back(join({s.title, s.url, s.date, s.licence}, ", "));
      sources.blocks.push_back(Paragraph{"Compound " + c->name + " (" + c->id + "): " +
                                         (refs.empty() ? "the registry cites no source for it" : join(refs, "; ")) + "."});
    }
  }
  a.children.push_back(std::move(sources));
  if (!d.notes.empty()) {
    Section notes;
    notes.anchor = "report-notes";
    notes.title = "What this report could not show";
    for (const auto& n : d.notes) notes.blocks.push_back(Paragraph{n + ".", Tone::note});
    a.children.push_back(std::move(notes));
  }
  return a;
}

}  // namespace geo::reporting::detail
