// SPDX-License-Identifier: Apache-2.0
// render_timeline: one row per compound, each event a mark over its time window on a UTC date axis,
// undated events listed below. Drawn on a recording surface and replayed like the maps.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "geo/core/error.hpp"
#include "geo/core/provenance.hpp"
#include "geo/core/text.hpp"
#include "geo/render/map.hpp"
#include "render/map_canvas.hpp"

namespace geo::render {

using namespace detail;

namespace {

// Okabe-Ito: distinguishable with the common colour-vision deficiencies; rows keep them apart in print.
constexpr unsigned kCategorical[] = {0x0072b2, 0xd55e00, 0x009e73, 0xcc79a7, 0xe69f00, 0x56b4e9, 0x000000, 0xf0e442};
constexpr double kMinTickSpacingEm = 8;  // axis labels at least this far apart
constexpr double kMinPad_s = 30;         // a window of one instant still shows a minute round it

struct Step {
  double s;         // nominal length
  int months = 0;   // calendar steps (months, years) instead of fixed seconds
};
constexpr Step kSteps[] = {{1},     {2},      {5},      {10},     {15},        {30},        {60},        {120},
                           {300},   {600},    {900},    {1800},   {3600},      {7200},      {10800},     {21600},
                           {43200}, {86400},  {172800}, {604800}, {1209600},   {2629800, 1}, {7889400, 3}, {15778800, 6},
                           {31557600, 12}, {63115200, 24}, {157788000, 60}, {315576000, 120}};

std::string tick_text(UtcTime t, const Step& st) {
  const std::string s = format_utc(t);  // 2020-09-02T14:41:12Z
  if (st.months >= 12) return s.substr(0, 4);
  if (st.months > 0) return s.substr(0, 7);
  if (st.s >= 86400) return s.substr(0, 10);
  if (st.s >= 60) return s.substr(11, 5);
  return s.substr(11, 8);
}

std::vector<double> ticks_of(double t0, double t1, const Step& st) {
  std::vector<double> out;
  if (st.months == 0) {
    for (double t = std::ceil(t0 / st.s) * st.s; t <= t1; t += st.s) out.push_back(t);
    return out;
  }
  CivilDate d = utc_date(UtcTime::from_unix_s(t0));
  int m = (d.year * 12 + d.month - 1);
  m = (m + st.months - 1) / st.months * st.months;
  for (;; m += st.months) {
    const double t = utc_from_civil({m / 12, m % 12 + 1, 1}).unix_s();
    if (t > t1) break;
    if (t >= t0) out.push_back(t);
  }
  return out;
}

}  // namespace

void TimelineOptions::validate() const {
  if (page.empty() && (width_px < 400 || width_px > 10000))
    throw Error(Errc::invalid_argument, "timeline: width " + std::to_string(width_px) + " px is outside 400..10000");
  if (!page.empty() && page != "a4" && page != "letter")
    throw Error(Errc::invalid_argument, "timeline: unknown page '" + page + "' (a4 or letter)");
}

Json to_json(const TimelineResult& r) {
  return {{"output", r.output.string()}, {"format", r.format}, {"width", r.width}, {"height", r.height},
          {"rows", r.rows}, {"events_dated", r.events_dated}, {"events_undated", r.events_undated},
          {"notes", r.notes}, {"provenance", r.provenance}};
}

TimelineResult render_timeline(const MapData& d, const TimelineOptions& o, const fs::path& out) {
  o.validate();
  TimelineResult r;
  r.output = out;
  r.format = format_of(out);
  const bool page = !o.page.empty();
  const double W = page ? (o.page == "a4" ? 841.89 : 792) : o.width_px;
  const double em = page ? 8 : std::clamp(14.0 * o.width_px / 1600, 9.0, 60.0), m = 1.4 * em;

  // Rows: compounds by name, events without one last.
  std::map<std::string, std::vector<const MapEvent*>> rows;
  std::vector<const MapEvent*> undated;
  double t0 = 1e300, t1 = -1e300;
  for (const auto& e : d.events) {
    if (!e.time_from) {
      undated.push_back(&e);
      continue;
    }
    rows[e.compound_id].push_back(&e);
    t0 = std::min(t0, e.time_from->unix_s());
    t1 = std::max(t1, (e.time_to ? *e.time_to : *e.time_from).unix_s());
  }
  r.events_dated = static_cast<int>(d.events.size() - undated.size());
  r.events_undated = static_cast<int>(undated.size());
  auto name_of = [&](const std::string& id) -> std::string {
    if (id.empty()) return "no compound";
    const auto* c = d.compounds.find(id);
    return c && !c->name.empty() ? c->name : id;
  };
  std::vector<std::string> order;
  for (const auto& [id, v] : rows)
    if (!id.empty()) order.push_back(id);
  std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) { return name_of(a) < name_of(b); });
  if (rows.count("")) order.push_back("");
  r.rows = static_cast<int>(order.size());

  cairo_surface_t* rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, nullptr);
  cairo_t* cr = cairo_create(rec);
  TextStyle title{1.6 * em, true};
  title.max_width = W - 2 * m;
  const std::string case_name = d.case_title.empty() ? d.case_dir.filename().string() : d.case_title;
  double y = m * 0.8;
  y += draw_text(cr, m, y, to_valid_utf8(o.title.empty() ? "Timeline of events" + (case_name.empty() ? "" : " \u2014 case " + case_name) : o.title), title).h;
  TextStyle sub{0.95 * em};
  sub.colour = hex(0x444444);
  const UtcTime made = now_utc();
  const auto bounded = std::count_if(undated.begin(), undated.end(), [](const MapEvent* e) { return e->time_to.has_value(); });
  const std::string off_axis = std::to_string(r.events_undated - bounded) + " undated" +
                               (bounded ? ", " + std::to_string(bounded) + " with only a latest time" : "");
  y += draw_text(cr, m, y + 0.3 * em, std::to_string(r.events_dated) + " dated, " + off_axis +
                 " \u00b7 times in UTC \u00b7 made " + format_utc(made).substr(0, 16) + " UTC with geoev " + version(), sub).h + 1.5 * em;

  const double label_w = std::clamp(0.2 * W, 10 * em, 22 * em);
  const double x0 = m + label_w + em, x1 = W - 2 * m;
  const double row_h = 2.6 * em;
  TextStyle row_text{0.95 * em, true};
  row_text.max_width = label_w;
  TextStyle small{0.8 * em};
  if (order.empty()) {
    TextStyle msg{1.6 * em, true};
    y += draw_text(cr, m, y + em, d.events.empty() ? "no events in this case" : "no event in this case has a known time", msg).h + 2 * em;
    r.notes.push_back(d.events.empty() ? "no events in this case" : "no dated events");
  } else {
    const double pad = std::max(kMinPad_s, 0.05 * (t1 - t0));
    t0 -= pad;
    t1 += pad;
    auto x_of = [&](double t) { return x0 + (t - t0) / (t1 - t0) * (x1 - x0); };
    const double top = y;
    for (std::size_t i = 0; i < order.size(); ++i) {
      const double ry = top + i * row_h;
      if (i % 2 == 0) {
        cairo_rectangle(cr, x0, ry, x1 - x0, row_h);
        set(cr, hex(0xf2f2f2));
        cairo_fill(cr);
      }
      const Rgb col = hex(kCategorical[i % std::size(kCategorical)]);
      const std::string name = to_valid_utf8(name_of(order[i]));
      const TextSize ns = measure(cr, name, row_text);
      TextStyle rt = row_text;
      rt.colour = col;
      draw_text(cr, m, ry + (row_h - std::min(ns.h, row_h)) / 2, name, rt);
      double last_label_right = -1e9;
      for (const MapEvent* e : rows[order[i]]) {
        const double a = x_of(e->time_from->unix_s()), b = x_of((e->time_to ? *e->time_to : *e->time_from).unix_s());
        const double w = std::max(b - a, 0.5 * em), bx = (a + b) / 2 - w / 2;
        cairo_rectangle(cr, bx, ry + row_h * 0.45, w, row_h * 0.4);
        set(cr, col);
        cairo_fill_preserve(cr);
        set(cr, hex(0x111111));
        cairo_set_line_width(cr, em / 13);
        cairo_stroke(cr);
        const std::string lt = "#" + std::to_string(e->id);
        const TextSize ls = measure(cr, lt, small);
        if (bx > last_label_right + 0.3 * em) {
          draw_text(cr, bx, ry + row_h * 0.45 - ls.h, lt, small);
          last_label_right = bx + ls.w;
        }
      }
    }
    y = top + order.size() * row_h;
    // The axis: round ticks, at least kMinTickSpacingEm apart.
    cairo_move_to(cr, x0, y);
    cairo_line_to(cr, x1, y);
    set(cr, hex(0x111111));
    cairo_set_line_width(cr, em / 13);
    cairo_stroke(cr);
    Step step = kSteps[std::size(kSteps) - 1];
    for (const Step& s : kSteps)
      if ((x1 - x0) * s.s / (t1 - t0) >= kMinTickSpacingEm * em) {
        step = s;
        break;
      }
    std::string last_date;
    for (double t : ticks_of(t0, t1, step)) {
      const double x = x_of(t);
      cairo_move_to(cr, x, y);
      cairo_line_to(cr, x, y + 0.4 * em);
      cairo_stroke(cr);
      std::string text = tick_text(UtcTime::from_unix_s(t), step);
      const std::string date = format_utc(UtcTime::from_unix_s(t)).substr(0, 10);
      if (step.months == 0 && step.s < 86400 && date != last_date) text += "\n" + date;
      last_date = date;
      const TextSize s = measure(cr, text, small);
      draw_text(cr, x - s.w / 2, y + 0.5 * em, text, small);
    }
    y += 3.2 * em;
    TextStyle at{0.8 * em};
    at.colour = hex(0x444444);
    y += draw_text(cr, x0, y, "time (UTC); a mark spans the event's time window, #N is the event number", at).h + em;
  }
  if (!undated.empty()) {
    // An event known only to be before a time (a messaging app's save date) has no window to draw: it
    // is listed with its bound, never called undated.
    std::string list = "Not on the time axis (no start time): ";
    for (std::size_t i = 0; i < undated.size(); ++i)
      list += (i ? "; " : "") + std::string("#") + std::to_string(undated[i]->id) + " " + undated[i]->label + " (" +
              name_of(undated[i]->compound_id) + ", " +
              (undated[i]->time_to ? "not after " + format_utc(*undated[i]->time_to).substr(0, 16) + " UTC" : "no known time") + ")";
    TextStyle ut{0.9 * em};
    ut.max_width = W - 2 * m;
    y += draw_text(cr, m, y, to_valid_utf8(list), ut).h + em;
  }
  r.width = W;
  r.height = page ? (o.page == "a4" ? 595.28 : 612) : std::ceil(y + m);
  std::vector<InputRef> inputs;
  std::error_code ec;
  if (fs::is_regular_file(d.case_dir / "case.gpkg", ec)) inputs.push_back(input_ref((d.case_dir / "case.gpkg").string()));
  for (std::size_t i = 0; i < d.compounds.origins.size() && i < d.compounds.sha256.size(); ++i)
    inputs.push_back({d.compounds.origins[i], d.compounds.sha256[i], std::nullopt});
  Provenance prov = make_provenance("map.timeline", {{"width_px", o.width_px}, {"page", o.page}, {"title", o.title}}, inputs);
  prov.created = made;
  r.provenance = to_json(prov);
  cairo_destroy(cr);
  try {
    write_recording(rec, out, r.width, r.height);
  } catch (...) {
    cairo_surface_destroy(rec);
    throw;
  }
  cairo_surface_destroy(rec);
  return r;
}

}  // namespace geo::render
