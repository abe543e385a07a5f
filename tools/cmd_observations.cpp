// SPDX-License-Identifier: Apache-2.0
#include <iostream>

#include "common/cli.hpp"
#include "geo/events/case.hpp"

namespace {

using namespace geoev;
namespace ev = geo::events;

int list(const Args& args) {
  return run_guarded("observations list", [&] {
    CommonOptions common;
    std::string dir;
    if (!parse_case_only(args, "observations list --case DIR [--json]", dir, common)) return 0;
    const auto obs = ev::list_observations(ev::open_case(dir));
    if (common.json) {
      print_json(json_array(obs));
    } else {
      for (const auto& o : obs) {
        std::cout << o.id << "  " << o.in.kind;
        if (o.in.position)
          std::cout << "  " << o.in.position->lat_deg << "," << o.in.position->lon_deg << " +-" << o.in.uncertainty_m << " m";
        if (o.in.time_from) std::cout << "  from " << geo::format_utc(*o.in.time_from);
        if (o.in.time_to) std::cout << " to " << geo::format_utc(*o.in.time_to);
        std::cout << "\n";
      }
    }
    return 0;
  });
}

const geoev::Registrar reg{{"observations", "list the observations recorded in a case", [](const Args& args) {
  return dispatch_verbs("observations", args, {{"list", "list observations", list}});
}}};

}  // namespace
