// SPDX-License-Identifier: Apache-2.0
#include <cmath>
#include <cstdio>
#include <iostream>

#include "common/cli.hpp"
#include "geo/core/text.hpp"
#include "geo/core/error.hpp"
#include "geo/events/case.hpp"

namespace {

using namespace geoev;
namespace ev = geo::events;

int add(const Args& args) {
  return run_guarded("events add", [&] {
    CommonOptions common;
    std::string dir, at, from, to, tz, description, notes, compounds;
    std::vector<std::string> extend, media, obs_text;
    double unc = 0, within = 1000, max_distance = geo::spatial::kDefaultAssociationCapM;
    po::options_description desc("options");
    add_common_options(desc, common);
    desc.add_options()("case", po::value(&dir)->required(), "case directory")
        ("at", po::value(&at), "the event's place, LAT,LON (any form: docs/cli.md)")
        ("uncertainty-m", po::value(&unc), "uncertainty radius, metres")
        ("observation", po::value(&obs_text)->multitoken(), "observation ids to build the event from (repeat or 1,2,3)")
        ("from", po::value(&from), "start of the time window (ISO 8601 with Z or an offset, or --tz)")
        ("to", po::value(&to), "end of the time window")
        ("media", po::value(&media)->multitoken(), "sha256 of media in the case (repeat or commas)")
        ("compounds", po::value(&compounds), "registry file replacing the shipped one")
        ("compounds-extend", po::value(&extend)->multitoken(), "registry files adding to the shipped one (repeat or commas)")
        ("within-m", po::value(&within)->default_value(1000.0), "'within' distance for the compound join, metres")
        ("max-distance-m", po::value(&max_distance)->default_value(max_distance),
         "no compound association beyond this distance, metres ('inf' for no cap)")
        ("description", po::value(&description), "what happened")
        ("notes", po::value(&notes), "analyst notes");
    add_tz_option(desc, tz);
    po::variables_map vm;
    if (!parse_args(args, "events add --case DIR (--at LAT,LON --uncertainty-m U | --observation ID,...) [--tz ZONE] [options]",
                    desc, {}, vm))
      return 0;
    const auto c = ev::open_case(dir);
    ev::EventInput in;
    if (!at.empty()) in.position = geo::parse_coordinates(at);
    if (vm.count("uncertainty-m")) in.uncertainty_m = unc;
    for (const auto& id : list_values(obs_text)) {
      const double v = geo::parse_double(id, "--observation");
      if (v != std::floor(v) || v < 1) throw UsageError("--observation takes ids (whole numbers >= 1), got '" + id + "'");
      in.observation_ids.push_back(static_cast<std::int64_t>(v));
    }
    const auto zone = zone_option(tz);
    if (!from.empty()) in.time_from = geo::parse_time_with_zone(from, zone, "--from").utc;
    if (!to.empty()) in.time_to = geo::parse_time_with_zone(to, zone, "--to").utc;
    in.media_sha256 = list_values(media);
    in.description = description;
    in.notes = notes;
    in.compounds.replace = compounds;
    in.compounds.extend = list_values(extend);
    in.within_m = within;
    in.max_distance_m = max_distance;
    geo::Diagnostics diag;
    const auto e = ev::add_event(c, in, diag);
    if (common.json) {
      auto j = ev::to_json(e);
      j["diagnostics"] = geo::to_json(diag);
      print_json(j);
    } else {
      std::cout << "event " << e.id << ": " << geo::round_to(e.position.lat_deg, 6) << ", " << geo::round_to(e.position.lon_deg, 6)
                << " \xc2\xb1" << geo::format_distance(e.uncertainty_m) << " (" << ev::to_string(e.precision) << ")";
      if (!e.compound_id.empty())
        std::cout << ", " << e.relation << " " << geo::printable(e.compound_name) << " (" << geo::format_distance(e.distance_m) << ")";
      else std::cout << ", no compound";
      std::cout << "\n";
      const auto zone = local_zone(e.position, tz);
      if (e.time_from || e.time_to) {
        std::cout << "  time " << (e.time_from ? utc_and_local(*e.time_from, zone) : std::string("?"));
        if (e.time_to && (!e.time_from || *e.time_to != *e.time_from)) std::cout << " to " << utc_and_local(*e.time_to, zone);
        std::cout << "\n";
      } else {
        std::cout << "  time unknown\n";
      }
      if (!e.association_note.empty()) std::cout << "  " << geo::printable(e.association_note) << "\n";
      if (e.context.contains("town") && e.context["town"].is_object()) {
        const auto& t = e.context["town"];
        std::printf("  context: %.2f km from %s (%s), bearing %.0f deg from the town\n", t.value("distance_m", 0.0) / 1000.0,
                    t.value("name", "").c_str(), t.value("country", "").c_str(), t.value("bearing_from_town_deg", 0.0));
      }
      for (const auto& d : diag.items())
        if (d.severity != geo::Severity::info) std::cerr << geo::to_string(d.severity) << ": " << geo::printable(d.message) << "\n";
    }
    return 0;
  });
}

int list(const Args& args) {
  return run_guarded("events list", [&] {
    CommonOptions common;
    std::string dir;
    if (!parse_case_only(args, "events list --case DIR [--json]", dir, common)) return 0;
    const auto events = ev::list_events(ev::open_case(dir));
    if (common.json) {
      print_json(json_array(events));
    } else {
      for (const auto& e : events)
        std::cout << e.id << "  " << geo::round_to(e.position.lat_deg, 6) << ", " << geo::round_to(e.position.lon_deg, 6)
                  << " \xc2\xb1" << geo::format_distance(e.uncertainty_m) << "  " << ev::to_string(e.precision) << "  "
                  << (e.time_from ? geo::format_utc(*e.time_from)
                                  : e.time_to ? "not after " + geo::format_utc(*e.time_to) : std::string("time unknown"))
                  << (e.time_to && e.time_from && *e.time_to != *e.time_from ? " to " + geo::format_utc(*e.time_to) : std::string())
                  << "  " << (e.compound_id.empty() ? "-" : e.relation + " " + e.compound_id) << "  "
                  << geo::printable(e.description)
                  << (e.details.contains("supersedes") ? "  (supersedes " + e.details["supersedes"].dump() + ")" : std::string())
                  << "\n";
    }
    return 0;
  });
}

int export_(const Args& args) {
  return run_guarded("events export", [&] {
    CommonOptions common;
    std::string dir, format, out;
    bool force = false;
    po::options_description desc("options");
    add_common_options(desc, common);
    desc.add_options()("case", po::value(&dir)->required(), "case directory")
        ("format", po::value(&format), "geojson, kml, csv or gpkg (default: from the output's extension)")
        ("output,o", po::value(&out)->required(), "output file (outside the case directory)");
    add_force_option(desc, force);
    po::variables_map vm;
    if (!parse_args(args, "events export --case DIR -o FILE.geojson|.kml|.csv|.gpkg [--format F] [--force]", desc, {}, vm)) return 0;
    format = output_format(out, format, {"geojson", "kml", "csv", "gpkg"});
    const auto fmt = ev::parse_export_format(format);
    const auto kase = ev::open_case(dir);
    guard_output(out, force, {});
    const auto n = ev::export_events(kase, fmt, out);
    if (common.json) print_json(geo::Json{{"output", out}, {"events", n}, {"format", format}});
    else std::cout << "wrote " << n << " events to " << out << "\n";
    return 0;
  });
}

const geoev::Registrar reg{{"events", "events of a case: add, list, export", [](const Args& args) {
  return dispatch_verbs("events", args,
                        {{"add", "add an event (position or observations), joined to compounds", add},
                         {"list", "list events", list},
                         {"export", "export events as GeoJSON, KML, CSV or GeoPackage", export_}});
}}};

}  // namespace
