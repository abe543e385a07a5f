// SPDX-License-Identifier: Apache-2.0
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
    std::string dir, from, to, description, notes, compounds;
    std::vector<std::string> extend, media;
    std::vector<std::int64_t> obs;
    double lat = 0, lon = 0, unc = 0, within = 1000, max_distance = geo::spatial::kDefaultAssociationCapM;
    po::options_description desc("options");
    add_common_options(desc, common);
    desc.add_options()("case", po::value(&dir)->required(), "case directory")
        ("lat", po::value(&lat), "latitude, degrees (WGS 84)")
        ("lon", po::value(&lon), "longitude, degrees")
        ("uncertainty-m", po::value(&unc), "uncertainty radius, metres")
        ("observation", po::value(&obs)->multitoken(), "observation ids to build the event from")
        ("from", po::value(&from), "start of the time window (ISO 8601, UTC unless a zone is given)")
        ("to", po::value(&to), "end of the time window")
        ("media", po::value(&media)->multitoken(), "sha256 of media in the case")
        ("compounds", po::value(&compounds), "registry file replacing the shipped one")
        ("compounds-extend", po::value(&extend)->multitoken(), "registry files adding to the shipped one")
        ("within-m", po::value(&within)->default_value(1000.0), "'within' distance for the compound join, metres")
        ("max-distance-m", po::value(&max_distance)->default_value(max_distance),
         "no compound association beyond this distance, metres ('inf' for no cap)")
        ("description", po::value(&description), "what happened")
        ("notes", po::value(&notes), "analyst notes");
    po::variables_map vm;
    if (!parse_args(args, "events add --case DIR (--lat --lon --uncertainty-m U | --observation ID...) [options]", desc, {}, vm))
      return 0;
    if (vm.count("lat") != vm.count("lon")) throw UsageError("--lat and --lon go together");
    const auto c = ev::open_case(dir);
    ev::EventInput in;
    if (vm.count("lat")) in.position = geo::GeoPoint{lat, lon};
    if (vm.count("uncertainty-m")) in.uncertainty_m = unc;
    in.observation_ids = obs;
    if (!from.empty()) in.time_from = geo::parse_iso8601(from).utc;
    if (!to.empty()) in.time_to = geo::parse_iso8601(to).utc;
    in.media_sha256 = media;
    in.description = description;
    in.notes = notes;
    in.compounds.replace = compounds;
    in.compounds.extend = extend;
    in.within_m = within;
    in.max_distance_m = max_distance;
    geo::Diagnostics diag;
    const auto e = ev::add_event(c, in, diag);
    if (common.json) {
      auto j = ev::to_json(e);
      j["diagnostics"] = geo::to_json(diag);
      print_json(j);
    } else {
      std::cout << "event " << e.id << ": " << e.position.lat_deg << "," << e.position.lon_deg << " +-" << e.uncertainty_m
                << " m (" << ev::to_string(e.precision) << ")";
      if (!e.compound_id.empty()) std::cout << ", " << e.relation << " " << geo::printable(e.compound_name) << " (" << e.distance_m << " m)";
      else std::cout << ", no compound";
      std::cout << "\n";
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
    if (!parse_dir_only(args, "events list --case DIR [--json]", false, dir, common)) return 0;
    const auto events = ev::list_events(ev::open_case(dir));
    if (common.json) {
      print_json(json_array(events));
    } else {
      for (const auto& e : events)
        std::cout << e.id << "  " << e.position.lat_deg << "," << e.position.lon_deg << " +-" << e.uncertainty_m << " m  "
                  << ev::to_string(e.precision) << "  " << (e.compound_id.empty() ? "-" : e.relation + " " + e.compound_id)
                  << "  " << geo::printable(e.description) << "\n";
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
        ("format", po::value(&format)->required(), "geojson, kml, csv or gpkg")
        ("output,o", po::value(&out)->required(), "output file (outside the case directory)");
    add_force_option(desc, force);
    po::variables_map vm;
    if (!parse_args(args, "events export --case DIR --format geojson|kml|csv|gpkg -o FILE [--force]", desc, {}, vm)) return 0;
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
