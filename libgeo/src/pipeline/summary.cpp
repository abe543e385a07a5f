// SPDX-License-Identifier: Apache-2.0
// The run's results as JSON and as the table a researcher reads on the terminal.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "geo/core/error.hpp"
#include "geo/core/text.hpp"
#include "geo/core/timezone.hpp"
#include "geo/events/case.hpp"
#include "geo/pipeline/run.hpp"

namespace geo::pipeline {

namespace {

Json corroboration_json(const Corroboration& c) {
  return Json{{"status", c.status}, {"compared", c.compared}, {"agreeing", c.agreeing},
              {"median_distance_m", std::round(c.median_distance_m * 10) / 10}, {"statement", c.statement}};
}

std::string local_of(UtcTime t, const std::string& zone) {
  if (zone.empty()) return {};
  try {
    const TimeZone z = TimeZone::named(zone);
    return format_in_zone(t, z);
  } catch (const Error&) {
    return {};
  }
}

std::string pad(std::string s, std::size_t w) {
  // Width in code points (names may hold UTF-8), cut with an ellipsis when longer.
  auto cps = [](const std::string& x) {
    std::size_t n = 0;
    for (unsigned char c : x) n += (c & 0xC0) != 0x80;
    return n;
  };
  if (cps(s) > w) {
    std::string cut;
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      if ((c & 0xC0) != 0x80 && ++n > w - 1) break;
      cut += s[i];
    }
    s = cut + "\xe2\x80\xa6";
  }
  const std::size_t n = cps(s);
  return s + std::string(n < w ? w - n : 0, ' ');
}

// "2020-09-02 14:12:05 to 14:12:37 UTC (09:12:05 to 09:12:37 local, UTC-05:00 America/Chicago)".
std::string time_window(const VideoResult& v) {
  if (!v.time_from && v.time_to) {
    const std::string b = format_utc(*v.time_to);
    std::string s = "not after " + b.substr(0, 10) + " " + b.substr(11, 8) + " UTC";
    const std::string lb = local_of(*v.time_to, v.local_zone);
    if (lb.size() >= 25) s += " (" + lb.substr(0, 10) + " " + lb.substr(11, 8) + " local, " + v.local_zone + ")";
    return s;
  }
  if (!v.time_from) return "unknown";
  const std::string a = format_utc(*v.time_from);  // 2020-09-02T14:12:05Z
  std::string s = a.substr(0, 10) + " " + a.substr(11, 8);
  if (v.time_to && *v.time_to != *v.time_from) s += " to " + format_utc(*v.time_to).substr(11, 8);
  s += " UTC";
  if (v.local_zone.empty()) return s;
  // format_in_zone: "2020-09-02T09:12:05-05:00 (America/Chicago)"
  const std::string la = local_of(*v.time_from, v.local_zone);
  if (la.size() < 25) return s;
  std::string loc = la.substr(11, 8);
  if (la.substr(0, 10) != a.substr(0, 10)) loc = la.substr(0, 10) + " " + loc;
  if (v.time_to && *v.time_to != *v.time_from) {
    const std::string lb = local_of(*v.time_to, v.local_zone);
    if (lb.size() >= 25) loc += " to " + lb.substr(11, 8);
  }
  return s + " (" + loc + " local, UTC" + la.substr(19, 6) + " " + v.local_zone + ")";
}

}  // namespace

Json to_json(const VideoResult& v) {
  Json j{{"path", to_valid_utf8(v.path)}, {"sha256", v.sha256}, {"kind", v.kind}, {"status", v.status}};
  if (!is_valid_utf8(v.path)) j["path_hex"] = hex_bytes(v.path);
  j["located_by"] = v.located_by;
  Json place;
  if (v.result.kind != "none") {
    place = Json{{"kind", v.result.kind}, {"position", to_json(v.result.place)},
                 {"error_m", std::round(v.result.error_m * 10) / 10},
                 {"precision_class", events::to_string(events::precision_class(v.result.error_m))},
                 {"fixes_used", v.result.fixes_used}, {"notes", v.result.notes}, {"outliers", v.result.outliers}};
    if (v.result.kind == "track") {
      Json t = Json::array();
      for (const auto& p : v.result.track) t.push_back(to_json(p));
      place["track"] = t;
      place["track_length_m"] = std::round(v.result.track_length_m);
    }
  }
  j["place"] = place;
  j["shows"] = v.shows;
  j["telemetry_check"] = corroboration_json(v.telemetry_check);
  j["gps_check"] = corroboration_json(v.gps_check);
  Json time{{"from", v.time_from ? Json(format_utc(*v.time_from, 3)) : Json()},
            {"to", v.time_to ? Json(format_utc(*v.time_to, 3)) : Json()}, {"source", v.time_source}};
  if ((v.time_from || v.time_to) && !v.local_zone.empty()) {
    time["zone"] = v.local_zone;
    if (v.time_from) time["from_local"] = local_of(*v.time_from, v.local_zone);
    if (v.time_to) time["to_local"] = local_of(*v.time_to, v.local_zone);
  }
  j["time"] = time;
  j["sun_checks"] = v.sun_checks;
  j["imagery"] = v.imagery.empty() ? Json() : Json{{"path", v.imagery}, {"sha256", v.imagery_sha256},
                                                   {"date", v.imagery_date ? Json(*v.imagery_date) : Json()}};
  j["frames"] = v.frames;
  j["frames_located"] = v.frames_located;
  j["confidence"] = v.confidence;
  j["confidence_value"] = std::round(v.confidence_value * 1000) / 1000;
  j["event_id"] = v.event_id ? Json(v.event_id) : Json();
  j["compound"] = v.compound_id.empty()
                      ? Json()
                      : Json{{"compound_id", v.compound_id}, {"name", v.compound_name}, {"relation", v.relation},
                             {"distance_m", std::round(v.distance_m * 10) / 10}, {"p_inside", std::round(v.p_inside * 1000) / 1000}};
  j["reasons"] = v.reasons;
  j["warnings"] = v.warnings;
  j["duplicate_of"] = v.duplicate_of.empty() ? Json() : Json(to_valid_utf8(v.duplicate_of));
  j["reused"] = v.reused;
  j["reused_stages"] = v.reused_stages;
  j["done_stages"] = v.done_stages;
  j["run_key"] = v.run_key;
  if (!v.shots.empty()) j["shots"] = v.shots;
  if (!v.parts.empty()) {
    Json parts = Json::array();
    for (const auto& p : v.parts) parts.push_back(to_json(p));
    j["parts"] = parts;
  }
  j["diagnostics"] = to_json(v.diagnostics);
  return j;
}

Json to_json(const RunResult& r) {
  Json videos = Json::array();
  for (const auto& v : r.videos) videos.push_back(to_json(v));
  return Json{{"case", to_valid_utf8(r.case_dir.string())},
              {"videos", videos},
              {"located", r.located()},
              {"failed", r.failed()},
              {"skipped", r.skipped},
              {"maps", [&] {
                 Json m = Json::array();
                 for (const auto& p : r.maps) m.push_back(to_valid_utf8(p.string()));
                 return m;
               }()},
              {"seconds", std::round(r.seconds * 100) / 100},
              {"diagnostics", to_json(r.diagnostics)},
              {"provenance", r.provenance}};
}

std::string summary_table(const RunResult& r) {
  std::string out;
  char buf[512];
  out += pad("#", 3) + pad("video", 26) + pad("result", 13) + pad("by", 24) + pad("place (lat, lon)", 24) + pad("error", 16) +
         "compound\n";
  const std::string ind(5, ' ');
  // One result's row and its detail lines; `label` numbers it ("2", or "2.1" for a part of a cut video).
  auto row = [&](const VideoResult& v, const std::string& label, const std::string& name) {
    std::string result = v.status == "not_located" ? "not located" : v.status;
    if (v.status == "located") result = !v.parts.empty() ? "cut" : v.result.kind == "track" ? "track" : "place";
    std::string place, error, compound;
    if (v.status == "located" && !v.parts.empty()) {
      place = std::to_string(v.parts.size()) + " places, below";
    } else if (v.status == "located") {
      std::snprintf(buf, sizeof buf, "%.6f, %.6f", v.result.place.lat_deg, v.result.place.lon_deg);
      place = buf;
      if (v.result.kind == "track") {
        double worst = 0;
        for (const auto& p : v.result.track) worst = std::max(worst, p.error_m);
        error = "\xc2\xb1" + format_distance(worst) + " per fix";
      } else {
        error = "\xc2\xb1" + format_distance(v.result.error_m) + " " +
                events::to_string(events::precision_class(v.result.error_m));
      }
      if (!v.compound_id.empty()) {
        compound = printable(v.compound_name) + " (" + v.relation;
        if (v.relation != "inside") compound += ", " + format_distance(v.distance_m);
        std::snprintf(buf, sizeof buf, ", p_inside %.2f)", v.p_inside);
        compound += buf;
      } else {
        compound = "none within the cap";
      }
    }
    std::string line = pad(label, 3) + pad(name, 26) + pad(result, 13) + pad(v.located_by, 24) + pad(place, 24) +
                       pad(error, 16) + compound;
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
    if ((v.status == "located" || v.status == "not_located") && (v.parts.empty() || v.time_from)) {
      std::string t = ind + "time: " + time_window(v);
      if (v.time_from || v.time_to) t += "; from " + v.time_source;
      out += printable(t) + "\n";
    }
    if (v.status == "located" && v.parts.empty()) {
      std::snprintf(buf, sizeof buf, "%sconfidence %s (%.2f); %d of %d frames located", ind.c_str(), v.confidence.c_str(),
                    v.confidence_value, v.frames_located, v.frames);
      out += buf;
      if (!v.imagery.empty())
        out += " against " + printable(std::filesystem::path(v.imagery).filename().string()) +
               (v.imagery_date ? " (" + *v.imagery_date + ")" : " (date unknown)");
      if (v.result.kind == "track")
        out += "; track " + format_distance(v.result.track_length_m) + " long (the event's circle, \xc2\xb1" +
               format_distance(v.result.error_m) + " around its middle, covers it)";
      out += "; event " + std::to_string(v.event_id) + (v.reused ? " (reused)" : "") + "\n";
      if (v.telemetry_check.status == "agree") out += ind + printable(v.telemetry_check.statement) + "\n";
      if (v.gps_check.status == "agree") out += ind + printable(v.gps_check.statement) + "\n";
    }
    for (const auto& s : v.reasons) out += ind + "- " + printable(s) + "\n";
    for (const auto& s : v.warnings) out += ind + "! " + printable(s) + "\n";
  };
  std::size_t i = 0;
  for (const auto& v : r.videos) {
    ++i;
    const std::string name = printable(std::filesystem::path(v.path).filename().string());
    row(v, std::to_string(i), name);
    std::size_t k = 0;
    for (const auto& p : v.parts) {
      std::string shots;
      for (int sh : p.shots) shots += (shots.empty() ? "" : ",") + std::to_string(sh);
      row(p, std::to_string(i) + "." + std::to_string(++k), "  shot" + std::string(p.shots.size() > 1 ? "s " : " ") + shots);
    }
  }
  std::snprintf(buf, sizeof buf, "\n%d of %zu located, %d failed; %.1f s\n", r.located(), r.videos.size(), r.failed(), r.seconds);
  out += buf;
  return out;
}

}  // namespace geo::pipeline
