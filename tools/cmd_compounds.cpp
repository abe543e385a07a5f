// SPDX-License-Identifier: Apache-2.0
#include <cmath>
#include <cstdio>
#include <iostream>

#include "common/cli.hpp"
#include "geo/core/error.hpp"
#include "geo/core/provenance.hpp"
#include "geo/core/text.hpp"
#include "geo/spatial/compound.hpp"
#include "geo/spatial/join.hpp"

namespace {

using namespace geoev;
namespace sp = geo::spatial;

struct RegOpts {
  std::string replace;
  std::vector<std::string> extend;
  void add(po::options_description& d) {
    d.add_options()("compounds", po::value(&replace), "registry file replacing the shipped one (GeoJSON, GPKG, KML, CSV)")
        ("compounds-extend", po::value(&extend)->multitoken(), "registry files adding to (or overriding ids of) the shipped one");
  }
  sp::Registry load() const { return sp::load_selected_registry(sp::RegistrySelection{replace, list_values(extend)}); }
};

void print_diag(const geo::Diagnostics& d) {
  for (const auto& i : d.items())
    std::cerr << geo::to_string(i.severity) << ": " << geo::printable(i.where) << ": " << geo::printable(i.message) << "\n";
}

int list(const Args& args) {
  return run_guarded("compounds list", [&] {
    CommonOptions common;
    RegOpts ro;
    po::options_description desc("options");
    add_common_options(desc, common);
    ro.add(desc);
    po::variables_map vm;
    if (!parse_args(args, "compounds list [--compounds FILE] [--json]", desc, {}, vm)) return 0;
    const auto r = ro.load();
    if (common.json) {
      geo::Json a = geo::Json::array();
      for (const auto& c : r.compounds) a.push_back(sp::to_json(c));
      print_json(geo::Json{{"registry", r.origins}, {"sha256", r.sha256}, {"compounds", a}, {"diagnostics", geo::to_json(r.diagnostics)}});
    } else {
      for (const auto& c : r.compounds)
        std::cout << c.id << "  " << sp::to_string(c.kind) << "  " << c.country << "  " << sp::to_string(c.geometry.type)
                  << "  " << c.name << "\n";
    }
    return 0;
  });
}

int show(const Args& args) {
  return run_guarded("compounds show", [&] {
    CommonOptions common;
    RegOpts ro;
    std::string id;
    po::options_description desc("options");
    add_common_options(desc, common);
    ro.add(desc);
    desc.add_options()("id", po::value(&id)->required(), "compound id");
    po::positional_options_description pos;
    pos.add("id", 1);
    po::variables_map vm;
    if (!parse_args(args, "compounds show ID [--compounds FILE] [--json]", desc, pos, vm)) return 0;
    const auto r = ro.load();
    const auto* c = r.find(id);
    if (!c) throw geo::Error(geo::Errc::not_found, "compounds: no entry with id '" + id + "'");
    std::cout << (common.json ? sp::to_json(*c).dump(2) : sp::to_json(*c).dump(2)) << "\n";
    return 0;
  });
}

int validate(const Args& args) {
  return run_guarded("compounds validate", [&] {
    CommonOptions common;
    RegOpts ro;
    po::options_description desc("options");
    add_common_options(desc, common);
    ro.add(desc);
    po::variables_map vm;
    if (!parse_args(args, "compounds validate [--compounds FILE] [--json]", desc, {}, vm)) return 0;
    const auto r = ro.load();  // errors throw (exit 1)
    if (common.json) print_json(geo::Json{{"registry", r.origins}, {"entries", r.compounds.size()}, {"diagnostics", geo::to_json(r.diagnostics)}});
    else {
      print_diag(r.diagnostics);
      std::cout << r.compounds.size() << " entries, " << r.diagnostics.count(geo::Severity::warning) << " warnings, no errors\n";
    }
    return 0;
  });
}

int nearest(const Args& args) {
  return run_guarded("compounds nearest", [&] {
    CommonOptions common;
    RegOpts ro;
    std::string at;
    sp::AssociationOptions ao;
    auto& jo = ao.join;
    jo.max_distance_m = sp::kDefaultAssociationCapM;
    po::options_description desc("options");
    add_common_options(desc, common);
    ro.add(desc);
    desc.add_options()("at", po::value(&at)->required(), "the place, LAT,LON (any form: docs/cli.md)")
        ("uncertainty-m", po::value(&jo.uncertainty_m)->default_value(0.0), "uncertainty radius (uniform disc), metres")
        ("within-m", po::value(&jo.within_m)->default_value(1000.0), "report as 'within' up to this distance, metres")
        ("max-distance-m", po::value(&jo.max_distance_m)->default_value(jo.max_distance_m),
         "no compound reported beyond this distance, metres ('inf' for no cap)")
        ("max", po::value(&jo.max_results)->default_value(5), "number of nearest entries");
    po::variables_map vm;
    if (!parse_args(args, "compounds nearest --at LAT,LON [--uncertainty-m U] [--max-distance-m M] [--compounds FILE] [--json]",
                    desc, {}, vm))
      return 0;
    const geo::GeoPoint p = geo::parse_coordinates(at);
    const double lat = p.lat_deg, lon = p.lon_deg;
    geo::validate(p, "compounds nearest: position");
    jo.validate();
    const auto r = ro.load();
    const sp::Gazetteer gaz(sp::shipped_gazetteer_path());
    ao.gazetteer = &gaz;
    const sp::CompoundIndex index(r);
    const auto a = sp::associate(index, p, ao);
    if (common.json) {
      geo::Json j = sp::to_json(a);
      j["results"] = j["sites"];
      j.erase("sites");
      j["query"] = geo::Json{{"lat_deg", lat}, {"lon_deg", lon}, {"uncertainty_m", jo.uncertainty_m},
                             {"max_distance_m", std::isfinite(jo.max_distance_m) ? geo::Json(jo.max_distance_m) : geo::Json()}};
      std::vector<geo::InputRef> inputs;
      for (std::size_t i = 0; i < r.origins.size(); ++i) inputs.push_back(geo::InputRef{r.origins[i], r.sha256[i], {}});
      inputs.push_back(geo::InputRef{gaz.path().string(), gaz.sha256(), {}});
      j["provenance"] = geo::to_json(geo::make_provenance(
          "compounds.nearest", geo::Json{{"lat", lat}, {"lon", lon}, {"uncertainty_m", jo.uncertainty_m},
                                         {"within_m", jo.within_m}, {"max_distance_m", j["query"]["max_distance_m"]}},
          inputs));
      print_json(j);
    } else {
      for (const auto& h : a.sites)
        std::cout << h.compound_id << "  " << sp::to_string(h.relation) << "  " << geo::format_distance(h.distance_m)
                  << "  p_inside " << geo::round_to(h.p_inside, 3) << "  " << geo::printable(h.name) << "\n";
      if (!a.note.empty()) std::cout << a.note << "\n";
      for (const auto& h : a.context)
        std::cout << "context: " << sp::to_string(h.kind) << " " << geo::printable(h.name) << " (" << h.compound_id << ") "
                  << geo::format_distance(h.distance_m) << "\n";
      if (a.town)
        std::printf("context: %.2f km from %s (%s, GeoNames), bearing %.0f deg from the town\n", a.town->distance_m / 1000.0,
                    a.town->name.c_str(), a.town->country.c_str(), a.town->bearing_from_town_deg);
    }
    return 0;
  });
}

int import(const Args& args) {
  return run_guarded("compounds import", [&] {
    CommonOptions common;
    std::string in, out;
    po::options_description desc("options");
    add_common_options(desc, common);
    desc.add_options()("input", po::value(&in)->required(), "GeoJSON, GPKG, KML or CSV file")
        ("output,o", po::value(&out)->required(), "registry GeoJSON to write");
    bool force = false;
    add_force_option(desc, force);
    po::positional_options_description pos;
    pos.add("input", 1);
    po::variables_map vm;
    if (!parse_args(args, "compounds import FILE -o OUT.geojson", desc, pos, vm)) return 0;
    guard_output(out, force, {in});
    const auto r = sp::load_registry(in);
    sp::write_registry(r, out);
    if (common.json) print_json(geo::Json{{"output", out}, {"entries", r.compounds.size()}, {"diagnostics", geo::to_json(r.diagnostics)}});
    else {
      print_diag(r.diagnostics);
      std::cout << "wrote " << r.compounds.size() << " entries to " << out << "\n";
    }
    return 0;
  });
}

int set_geometry(const Args& args) {
  return run_guarded("compounds set-geometry", [&] {
    CommonOptions common;
    std::string id, file, point, registry, title, url, date, licence;
    po::options_description desc("options");
    add_common_options(desc, common);
    desc.add_options()("id", po::value(&id)->required(), "compound id")
        ("file", po::value(&file), "vector file holding the outline or point")
        ("at", po::value(&point), "the entry's point, LAT,LON (any form: docs/cli.md)")
        ("compounds", po::value(&registry)->required(), "the GeoJSON registry file to edit")
        ("source", po::value(&title), "title of the source of the geometry")
        ("source-url", po::value(&url), "its URL")
        ("source-date", po::value(&date), "its date")
        ("licence", po::value(&licence), "its licence");
    po::positional_options_description pos;
    pos.add("id", 1).add("file", 1);
    po::variables_map vm;
    if (!parse_args(args, "compounds set-geometry ID (FILE | --at LAT,LON) --compounds REG.geojson --source TITLE [--source-url U]",
                    desc, pos, vm))
      return 0;
    if (file.empty() == point.empty()) throw UsageError("give either FILE or --at LAT,LON");
    sp::SiteGeometry g;
    if (!point.empty()) {
      g.type = sp::SiteGeometry::Type::point;
      g.point = geo::parse_lat_lon(point);
    } else {
      g = sp::read_geometry_file(file);
    }
    sp::set_compound_geometry(registry, id, g, sp::SiteSource{title, url, date, licence});
    if (common.json) print_json(geo::Json{{"id", id}, {"geometry_type", sp::to_string(g.type)}, {"registry", registry}});
    else std::cout << "set " << sp::to_string(g.type) << " for " << id << " in " << registry << "\n";
    return 0;
  });
}

const geoev::Registrar reg{{"compounds", "the compound registry: list, show, validate, nearest, import, set-geometry",
                            [](const Args& args) {
  return dispatch_verbs("compounds", args,
                        {{"list", "list registry entries", list},
                         {"show", "show one entry", show},
                         {"validate", "check a registry (errors exit 1)", validate},
                         {"nearest", "join a position (+ uncertainty) to compounds", nearest},
                         {"import", "convert GeoJSON/GPKG/KML/CSV into a registry GeoJSON", import},
                         {"set-geometry", "set an entry's outline or point in a GeoJSON registry", set_geometry}});
}}};

}  // namespace
