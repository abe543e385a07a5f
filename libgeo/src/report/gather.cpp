// SPDX-License-Identifier: Apache-2.0
// What the report shows, read from the case: the store (media, events, custody, verification), the
// last run's results (run/last-run.json) and each video's stage files (run/<sha256 prefix>/).
#include <algorithm>

#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"
#include "internal.hpp"

namespace geo::reporting::detail {

namespace {

Json read_json_file(const fs::path& p, std::vector<std::string>& notes) {
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return nullptr;
  try {
    return Json::parse(read_file_bounded(p, kMaxSmallInputBytes, "report"));
  } catch (const std::exception& e) {
    notes.push_back(p.string() + " could not be read (" + e.what() + ")");
    return nullptr;
  }
}

// The newest entry of `dir` whose name starts with `prefix` ("frames-", "match-"): a case run again
// with other parameters keeps the earlier stage results beside the new ones.
fs::path newest(const fs::path& dir, const std::string& prefix) {
  fs::path best;
  fs::file_time_type best_t{};
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n.rfind(prefix, 0) != 0) continue;
    const auto t = fs::last_write_time(e.path(), ec);
    if (best.empty() || t > best_t) {
      best = e.path();
      best_t = t;
    }
  }
  return best;
}

void add_imagery(CaseData& d, const std::string& given);

void read_stage_files(CaseData& d, const fs::path& case_dir, VideoInfo& v, std::vector<std::string>& notes) {
  const fs::path dir = case_dir / "run" / v.media.sha256.substr(0, 16);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  const fs::path fdir = newest(dir, "frames-");
  if (!fdir.empty()) {
    const Json fj = read_json_file(fdir / "frames.json", notes);
    if (fj.is_object() && fj.contains("frames") && fj["frames"].is_array()) {
      v.frames_dir = fdir.string();
      for (const auto& f : fj["frames"]) {
        FrameInfo fi;
        fi.path = fdir / f.value("file", "");
        fi.pts_s = f.value("pts_s", 0.0);
        if (f.contains("utc") && f["utc"].is_object()) fi.utc = f["utc"].value("utc", "");
        v.frames.push_back(std::move(fi));
      }
    }
  }
  const fs::path mfile = newest(dir, "match-");
  if (mfile.empty()) return;
  const Json mj = read_json_file(mfile, notes);
  if (!mj.is_object() || !mj.contains("frames") || !mj["frames"].is_array()) return;
  if (mj.contains("imagery") && mj["imagery"].is_string()) {
    add_imagery(d, mj["imagery"].get<std::string>());
    v.imagery_name = fs::path(mj["imagery"].get<std::string>()).filename().string();
    if (mj.contains("imagery_date") && mj["imagery_date"].is_string()) v.imagery_date = mj["imagery_date"].get<std::string>();
  }
  for (const auto& m : mj["frames"]) {
    const std::string name = fs::path(m.value("frame", "")).filename().string();
    auto it = std::find_if(v.frames.begin(), v.frames.end(),
                           [&](const FrameInfo& f) { return f.path.filename().string() == name; });
    if (it == v.frames.end()) continue;
    it->matched = true;
    it->located = m.value("located", false);
    it->reason = m.value("reason", "");
    it->method = m.value("method", "");
    it->error_m = m.value("error_m", 0.0);
    it->confidence = m.value("confidence", 0.0);
    if (m.contains("center") && m["center"].is_array() && m["center"].size() == 2)
      it->centre = GeoPoint{m["center"][0].get<double>(), m["center"][1].get<double>()};
    if (m.contains("footprint") && m["footprint"].is_array())
      for (const auto& c : m["footprint"])
        if (c.is_array() && c.size() == 2 && c[0].is_number() && c[1].is_number())
          it->footprint.push_back(GeoPoint{c[0].get<double>(), c[1].get<double>()});
  }
}

// Imagery is recorded by the path the analyst gave (often relative to where geoev run was started):
// tried as given, then beside the case.
void add_imagery(CaseData& d, const std::string& given) {
  if (given.empty()) return;
  const std::string name = fs::path(given).filename().string();
  if (d.imagery.count(name)) return;
  std::error_code ec;
  for (const fs::path& p : {fs::path(given), d.info.dir.parent_path() / given, d.info.dir / given})
    if (fs::is_regular_file(p, ec)) {
      d.imagery[name] = fs::absolute(p, ec);
      return;
    }
}

}  // namespace

CaseData gather(const fs::path& case_dir, const ReportOptions& opts, const ProgressFn& progress) {
  CaseData d;
  d.info = events::open_case(case_dir);
  d.map = render::load_map_data(case_dir, opts.compounds);
  d.events = events::list_events(d.info);
  std::sort(d.events.begin(), d.events.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  d.custody = events::custody_log(d.info);
  d.verify = events::verify_case(d.info, {}, progress);
  d.last_run = read_json_file(d.info.dir / "run" / "last-run.json", d.notes);
  d.notes.insert(d.notes.end(), d.map.notes.begin(), d.map.notes.end());

  std::map<std::string, Json> run_of;
  if (d.last_run.is_object() && d.last_run.contains("videos") && d.last_run["videos"].is_array())
    for (const auto& v : d.last_run["videos"])
      if (v.is_object() && v.contains("sha256") && v["sha256"].is_string() && v.value("status", "") != "duplicate")
        run_of[v["sha256"].get<std::string>()] = v;
  if (d.last_run.is_object() && d.last_run.contains("provenance")) {
    const Json& prov = d.last_run["provenance"];
    if (prov.contains("parameters") && prov["parameters"].contains("imagery") && prov["parameters"]["imagery"].is_array())
      for (const auto& im : prov["parameters"]["imagery"])
        if (im.is_object()) add_imagery(d, im.value("path", ""));
  }

  for (auto& m : events::list_media(d.info)) {
    VideoInfo v;
    v.media = std::move(m);
    std::error_code ec;
    v.present = fs::is_regular_file(v.media.path, ec) ||
                (!v.media.copy_path.empty() && fs::is_regular_file(d.info.dir / v.media.copy_path, ec));
    if (auto it = run_of.find(v.media.sha256); it != run_of.end()) v.run = it->second;
    read_stage_files(d, d.info.dir, v, d.notes);
    for (const auto& e : d.events)
      if (std::find(e.media_sha256.begin(), e.media_sha256.end(), v.media.sha256) != e.media_sha256.end())
        v.event_ids.push_back(e.id);
    d.videos.push_back(std::move(v));
  }
  std::sort(d.videos.begin(), d.videos.end(), [](const auto& a, const auto& b) { return a.media.id < b.media.id; });
  for (const auto& e : d.events)
    if (e.details.is_object() && e.details.contains("imagery") && e.details["imagery"].is_string() &&
        !d.imagery.count(e.details["imagery"].get<std::string>()))
      for (const auto& v : d.videos)
        if (v.run.is_object() && v.run.contains("imagery") && v.run["imagery"].is_object())
          add_imagery(d, v.run["imagery"].value("path", ""));
  return d;
}

}  // namespace geo::reporting::detail
