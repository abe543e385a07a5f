// SPDX-License-Identifier: Apache-2.0
// One section per event (where, how it was found, when and from what, which compound, caveats) and one
// per file of footage (what the file is, what its metadata says and where each value came from, what the
// run made of it, its frames).
#include "geo/core/text.hpp"
#include "internal.hpp"

namespace geo::reporting::detail {

namespace {

std::string str(const Json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::vector<std::string> strings(const Json& j, const char* key) {
  std::vector<std::string> out;
  if (j.is_object() && j.contains(key) && j[key].is_array())
    for (const auto& s : j[key])
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

const render::MapEvent* map_event(const CaseData& d, std::int64_t id) {
  for (const auto& m : d.map.events)
    if (m.id == id) return &m;
  return nullptr;
}

std::string how_found(const events::Event& e) {
  const std::string method = str(e.details, "method");
  if (method.empty())
    return "Entered by hand (geoev events add" + std::string(e.observation_ids.empty() ? ", a place given directly" :
                                                 ", from observations " + std::to_string(e.observation_ids.size())) + ").";
  std::string s;
  if (method == "telemetry + image match")
    s = "Both the camera's telemetry and matching its frames against imagery.";
  else if (method == "image match")
    s = "Matching its frames against satellite or aerial imagery (no position in the file).";
  else if (method == "telemetry")
    s = "The camera's telemetry alone (no frame could be matched against the imagery).";
  else if (method == "metadata GPS")
    s = "The position written in the file's metadata alone: it may have been copied or edited, so it is weak evidence.";
  else
    s = method + ".";
  const Json& dt = e.details;
  if (dt.contains("fixes_used") && dt["fixes_used"].is_number())
    s += " " + std::to_string(dt["fixes_used"].get<int>()) + " frame fixes were combined";
  if (dt.contains("frames") && dt["frames"].is_number()) s += " of " + std::to_string(dt["frames"].get<int>()) + " frames";
  if (dt.contains("fixes_used")) s += ".";
  return s;
}

}  // namespace

Section event_section(const CaseData& d, const events::Event& e, std::optional<Figure> site_map) {
  Section s;
  s.anchor = "event-" + std::to_string(e.id);
  const render::MapEvent* me = map_event(d, e.id);
  s.title = "Event " + std::to_string(e.id) + (me ? ": " + me->label : "");
  s.new_page = true;
  KeyValues kv;
  kv.items.push_back({"Place (lat, lon)", format_coord(e.position) + " (WGS 84)", true});
  kv.items.push_back({"Error", "within ±" + format_distance(e.uncertainty_m) + " (" + events::to_string(e.precision) + ")"});
  if (str(e.details, "kind") == "track" && e.details.contains("track_length_m"))
    kv.items.push_back({"Track", "the camera moved " + format_distance(e.details["track_length_m"].get<double>()) +
                                     "; the place is the middle of its path and the circle covers all of it"});
  kv.items.push_back({"Time (UTC)", utc_window(e.time_from, e.time_to)});
  if (me)
    if (const std::string l = local_window(e.time_from, e.time_to, me->local_zone); !l.empty())
      kv.items.push_back({"Time (local)", l});
  const std::string ts = str(e.details, "time_source");
  kv.items.push_back({"Time from", !ts.empty() && ts != "none" ? ts
                                   : (e.time_from || e.time_to) ? "the observations the event was made from"
                                                                : "nothing: no capture time is known"});
  if (!e.compound_id.empty()) {
    std::string c = (e.compound_name.empty() ? e.compound_id : e.compound_name) + " (" + e.compound_id + "): " + e.relation;
    if (e.distance_m > 0) c += ", " + format_distance(e.distance_m) + " away";
    c += ", probability inside " + format_fixed(e.p_inside, 2);
    kv.items.push_back({"Compound", c});
  } else {
    kv.items.push_back({"Compound", e.association_note.empty() ? "none" : e.association_note});
  }
  if (e.context.is_object() && e.context.contains("town") && e.context["town"].is_object()) {
    const Json& t = e.context["town"];
    kv.items.push_back({"Nearest town", t.value("name", "") + ", " + t.value("country", "") + ", " +
                                            format_distance(t.value("distance_m", 0.0)) + " (context only)"});
  }
  kv.items.push_back({"Found by", how_found(e)});
  const std::string conf = str(e.details, "confidence");
  if (!conf.empty()) kv.items.push_back({"Confidence", conf});
  if (const std::string im = str(e.details, "imagery"); !im.empty())
    kv.items.push_back({"Imagery", im + (str(e.details, "imagery_date").empty() ? " (date unknown)" : " of " + str(e.details, "imagery_date"))});
  std::vector<std::string> vids;
  for (const auto& sha : e.media_sha256) vids.push_back((video_name(d, sha).empty() ? "?" : video_name(d, sha)) + " (" + sha.substr(0, 16) + "...)");
  kv.items.push_back({"Footage", vids.empty() ? "none recorded" : join(vids, "; ")});
  if (!e.description.empty()) kv.items.push_back({"Description", e.description});
  if (!e.notes.empty()) kv.items.push_back({"Notes", e.notes});
  kv.items.push_back({"Recorded", e.created_utc + " by geoev " + e.tool_version});
  s.blocks.push_back(kv);

  for (const char* key : {"telemetry_check", "gps_check"})
    if (const std::string st = str(e.details, key); !st.empty()) s.blocks.push_back(Paragraph{"Agreement: " + st + "."});
  for (auto n : strings(e.details, "notes")) {
    if (!n.empty() && n[0] >= 'a' && n[0] <= 'z') n[0] = static_cast<char>(n[0] - 'a' + 'A');
    s.blocks.push_back(Paragraph{n + ".", Tone::note});
  }
  if (const auto out = strings(e.details, "outliers"); !out.empty())
    s.blocks.push_back(Paragraph{"Left out as disagreeing with the others: " + join(out, "; ") + ".", Tone::warning});
  for (const auto& w : strings(e.details, "warnings")) s.blocks.push_back(Paragraph{"Caveat: " + w + ".", Tone::warning});
  for (const auto& f : e.flags)
    if (f == "inconsistent_observations" || f == "inconsistent_times" || f == "telemetry_disagrees" ||
        f == "metadata_gps_disagrees" || f == "outlying_fixes")
      s.blocks.push_back(Paragraph{"Flag: " + f + ".", Tone::warning});
  if (site_map) s.blocks.push_back(std::move(*site_map));
  return s;
}

namespace {

void metadata_items(const Json& probe, KeyValues& kv) {
  if (!probe.is_object()) {
    kv.items.push_back({"Metadata", "not read (the file could not be probed)"});
    return;
  }
  if (probe.contains("duration_s") && probe["duration_s"].is_number())
    kv.items.push_back({"Duration", format_duration(probe["duration_s"].get<double>())});
  if (probe.contains("video") && probe["video"].is_object()) {
    const Json& v = probe["video"];
    std::string s = v.value("codec", "") + ", " + std::to_string(v.value("width", 0)) + " x " + std::to_string(v.value("height", 0));
    if (v.contains("fps") && v["fps"].is_number()) s += ", " + format_fixed(v["fps"].get<double>(), 2) + " frames/s (measured)";
    if (v.value("rotation_deg", 0.0) != 0.0) s += ", rotated " + format_fixed(v["rotation_deg"].get<double>(), 0) + " deg";
    kv.items.push_back({"Video stream", s});
  }
  if (probe.contains("format") && probe["format"].is_string()) kv.items.push_back({"Container", probe["format"].get<std::string>()});
  if (probe.contains("created") && probe["created"].is_object()) {
    const Json& c = probe["created"];
    if (c.contains("utc") && c["utc"].is_string())
      kv.items.push_back({"Capture time", c["utc"].get<std::string>() + " (from " + c.value("source", "?") + ")"});
    else
      kv.items.push_back({"Capture time", "none the file states"});
    if (c.contains("candidates") && c["candidates"].is_array())
      for (const auto& k : c["candidates"])
        if (k.is_object())
          kv.items.push_back({"  time found", k.value("utc", "?") + " in " + k.value("source", "?") + (k.value("derived", false) ? " (derived)" : "")});
  }
  if (probe.contains("location") && probe["location"].is_object()) {
    const Json& l = probe["location"];
    kv.items.push_back({"Position in the file", format_fixed(l.value("lat_deg", 0.0), 6) + ", " + format_fixed(l.value("lon_deg", 0.0), 6) +
                                                   " (from " + l.value("source", "?") + ")"});
  } else {
    kv.items.push_back({"Position in the file", "none"});
  }
  if (probe.contains("device") && probe["device"].is_object()) {
    const Json& dv = probe["device"];
    const std::string s = join({dv.value("make", ""), dv.value("model", ""), dv.value("software", "").empty() ? "" : "software " + dv.value("software", "")}, ", ");
    if (!s.empty()) kv.items.push_back({"Device", s});
  }
  if (probe.contains("telemetry") && probe["telemetry"].is_object()) {
    const Json& t = probe["telemetry"];
    std::string s = t.value("source", "?") + ", " + std::to_string(t.value("samples", 0)) + " samples";
    if (t.contains("summary") && t["summary"].is_object()) {
      const Json& su = t["summary"];
      s += " over " + format_duration(su.value("span_s", 0.0)) + ", " + su.value("start_utc", "") + " to " + su.value("end_utc", "");
      if (su.contains("utc_source") && su["utc_source"].is_string()) s += " (clock: " + su["utc_source"].get<std::string>() + ")";
    }
    kv.items.push_back({"Telemetry", s});
  }
}

}  // namespace

Section video_section(const CaseData& d, const VideoInfo& v, std::vector<Figure> figures) {
  Section s;
  s.anchor = "video-" + std::to_string(v.media.id);
  s.title = "Footage " + std::to_string(v.media.id) + ": " + file_name(v.media.path);
  s.new_page = true;
  if (!v.present)
    s.blocks.push_back(Paragraph{"The original file is missing: it is not at " + v.media.path +
                                     " where the case recorded it, so its hash could not be checked again. What follows is "
                                     "what the case recorded when it was added.",
                                 Tone::alert});
  KeyValues kv;
  kv.items.push_back({"File", file_name(v.media.path)});
  kv.items.push_back({"Recorded at", v.media.path, true});
  kv.items.push_back({"SHA-256", v.media.sha256, true});
  kv.items.push_back({"Size", format_bytes(v.media.size_bytes)});
  kv.items.push_back({"Added to the case", v.media.added_utc});
  metadata_items(v.media.probe, kv);
  s.blocks.push_back(kv);

  const Json& r = v.run;
  if (r.is_object()) {
    const std::string status = r.value("status", "");
    std::string line;
    if (status == "located") {
      std::vector<std::string> ev;
      for (auto id : v.event_ids) ev.push_back("event " + std::to_string(id));
      line = "Located by " + r.value("located_by", std::string("?")) + ": " + std::to_string(r.value("frames_located", 0)) + " of " +
             std::to_string(r.value("frames", 0)) + " frames matched; " + join(ev, ", ") + ".";
    } else if (status == "not_located") {
      line = "NOT LOCATED: geoev could not say where this was filmed; no place was guessed.";
    } else if (status == "failed") {
      line = "FAILED: the file could not be processed.";
    } else {
      line = "Result of the last run: " + status + ".";
    }
    s.blocks.push_back(Paragraph{line, status == "located" ? Tone::normal : Tone::warning});
    for (const auto& x : strings(r, "reasons")) s.blocks.push_back(Paragraph{"Why: " + x + ".", Tone::note});
    for (const auto& x : strings(r, "warnings")) s.blocks.push_back(Paragraph{"Caveat: " + x + ".", Tone::warning});
    if (r.contains("time") && r["time"].is_object() && r["time"].value("source", "none") != "none")
      s.blocks.push_back(Paragraph{"Time from " + r["time"].value("source", "") + "."});
  } else {
    s.blocks.push_back(Paragraph{v.event_ids.empty() ? "No geoev run result for this file in the case (it was added but not run, "
                                                       "or an earlier run processed it)."
                                                     : "Events: " + std::to_string(v.event_ids.size()) + " (see the events above).",
                                 Tone::note});
  }
  if (v.media.probe.is_object() && v.media.probe.contains("diagnostics") && v.media.probe["diagnostics"].is_array())
    for (const auto& g : v.media.probe["diagnostics"])
      if (g.is_object() && g.value("severity", "") != "info")
        s.blocks.push_back(Paragraph{"Diagnostic (" + g.value("severity", "") + ", " + g.value("code", "") + "): " + g.value("message", "") + ".", Tone::note});
  if (r.is_object() && r.contains("diagnostics") && r["diagnostics"].is_array())
    for (const auto& g : r["diagnostics"])
      if (g.is_object() && g.value("severity", "") == "error")
        s.blocks.push_back(Paragraph{"Error: " + g.value("message", "") + ".", Tone::warning});

  for (auto& f : figures) s.blocks.push_back(std::move(f));

  for (auto id : v.event_ids)
    for (const auto& m : d.map.events)
      if (m.id == id && !m.track.empty()) {
        Table t;
        t.header = {"t (s)", "time (UTC)", "lat, lon", "error", "from"};
        t.widths = {0.6, 1.8, 1.8, 0.8, 1.0};
        // The points are where the frames were centred on the ground (image fixes), not where the camera was.
        t.caption = "The track of event " + std::to_string(id) +
                    ": the ground at the centre of each located frame (not the camera's own position), in time order.";
        for (const auto& p : m.track)
          t.rows.push_back({format_fixed(p.t_s, 2), p.utc ? format_utc(*p.utc, 1) : "unknown", format_coord(p.point),
                            "±" + format_distance(p.error_m), "image match"});
        // The source of each point is in the event's details.
        for (const auto& e : d.events)
          if (e.id == id && e.details.contains("track") && e.details["track"].is_array())
            for (std::size_t i = 0; i < t.rows.size() && i < e.details["track"].size(); ++i)
              t.rows[i][4] = words_of(e.details["track"][i].value("source", "?"));
        s.blocks.push_back(std::move(t));
      }
  return s;
}

}  // namespace geo::reporting::detail
