// SPDX-License-Identifier: Apache-2.0
// geoev sun position|times|when|where: sun position, sunrise/sunset, and shadow chronolocation.
#include <iostream>

#include "common/cli.hpp"
#include "geo/chrono/shadow.hpp"
#include "geo/chrono/spa.hpp"
#include "geo/chrono/sun_times.hpp"
#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/provenance.hpp"
#include "geo/core/text.hpp"
#include "geo/core/timezone.hpp"
#include "geo/events/record.hpp"

namespace {

using namespace geoev;
namespace gc = geo::chrono;

template <class T>
std::optional<T> opt(const po::variables_map& vm, const char* key) {
  if (!vm.count(key)) return std::nullopt;
  return vm[key].as<T>();
}

std::string fmt(const std::optional<geo::UtcTime>& t, const std::optional<LocalZone>& z) {
  return t ? utc_and_local(*t, z) : "none";
}

// The zone's offset on a local date, minutes (at local noon; the region this is built for has no DST).
int offset_on(const geo::TimeZone& z, geo::CivilDate d) { return z.offset_s(geo::utc_from_civil(d, 12)) / 60; }

void print_zone(const std::optional<LocalZone>& z) {
  if (!z) {
    std::cout << "times in UTC (no zone: give --tz for local times)\n";
    return;
  }
  std::cout << "local times in " << z->zone.name() << " (" << z->how << ")\n";
  if (!z->border_note.empty()) std::cerr << "warning: local time may be off: " << geo::printable(z->border_note) << "\n";
}

geo::Json zone_json(const std::optional<LocalZone>& z) {
  if (!z) return geo::Json();
  return geo::Json{{"name", z->zone.name()}, {"source", z->how}, {"border_note", z->border_note}};
}

int position(const Args& args) {
  CommonOptions common;
  double elev = 0;
  std::string at, time, tz;
  po::options_description desc("sun position options");
  desc.add_options()
      ("at", po::value(&at)->required(), "the place, LAT,LON (any form: docs/cli.md)")
      ("time", po::value(&time)->required(), "ISO 8601 time with Z or an offset (or a wall-clock time with --tz)")
      ("elevation-m", po::value(&elev)->default_value(0.0), "observer height above sea level, m")
      ("pressure-hpa", po::value<double>(), "mean pressure, hPa (default: standard atmosphere)")
      ("temperature-c", po::value<double>(), "mean temperature, C (default: standard atmosphere)")
      ("delta-t-s", po::value<double>(), "TT - UT1, seconds (default: estimate for the year)");
  add_tz_option(desc, tz);
  add_common_options(desc, common);
  po::variables_map vm;
  if (!parse_args(args, "sun position --at LAT,LON --time ISO8601 [--tz ZONE] [options]", desc, {}, vm))
    return 0;
  const geo::GeoPoint place = geo::parse_coordinates(at);
  gc::SpaInput in;
  in.time = geo::parse_time_with_zone(time, zone_option(tz)).utc;
  in.lat_deg = place.lat_deg;
  in.lon_deg = place.lon_deg;
  in.elevation_m = elev;
  in.pressure_hpa = opt<double>(vm, "pressure-hpa");
  in.temperature_c = opt<double>(vm, "temperature-c");
  in.delta_t_s = opt<double>(vm, "delta-t-s");
  const auto r = gc::spa_compute(in);
  auto j = gc::describe_position(in, r);
  const auto zone = local_zone(place, tz);
  if (common.json) {
    j["zone"] = zone_json(zone);
    if (zone) j["time_local"] = geo::format_local(in.time, zone->zone.offset_s(in.time) / 60);
    print_json(j);
  } else {
    std::cout << "at " << geo::round_to(place.lat_deg, 6) << ", " << geo::round_to(place.lon_deg, 6) << " on "
              << utc_and_local(in.time, zone) << "\n";
    std::cout << "azimuth " << j["azimuth_deg"] << " deg, elevation " << j["elevation_deg"]
              << " deg (apparent), " << j["elevation_true_deg"] << " deg (true)\n";
    if (j["shadow_azimuth_deg"].is_null())
      std::cout << "no shadow: the sun is below the horizon\n";
    else
      std::cout << "shadow azimuth " << j["shadow_azimuth_deg"] << " deg, length ratio "
                << j["shadow_length_ratio"] << "\n";
  }
  return 0;
}

int times(const Args& args) {
  CommonOptions common;
  double elev = 0;
  std::string at, date, tz;
  po::options_description desc("sun times options");
  desc.add_options()
      ("at", po::value(&at)->required(), "the place, LAT,LON (any form: docs/cli.md)")
      ("date", po::value(&date)->required(), "the local date YYYY-MM-DD (in --tz, else the zone at the place, else UTC)")
      ("elevation-m", po::value(&elev)->default_value(0.0), "observer height above sea level, m")
      ("delta-t-s", po::value<double>(), "TT - UT1, seconds (default: estimate for the year)");
  add_tz_option(desc, tz);
  add_common_options(desc, common);
  po::variables_map vm;
  if (!parse_args(args, "sun times --at LAT,LON --date YYYY-MM-DD [--tz ZONE] [options]", desc, {}, vm))
    return 0;
  const geo::GeoPoint place = geo::parse_coordinates(at);
  gc::SunTimesOptions o;
  o.lat_deg = place.lat_deg;
  o.lon_deg = place.lon_deg;
  o.elevation_m = elev;
  o.date = geo::parse_date(date);
  const auto zone = local_zone(place, tz);
  if (zone) o.utc_offset_min = offset_on(zone->zone, o.date);
  o.delta_t_s = opt<double>(vm, "delta-t-s");
  const auto t = gc::sun_times(o);
  if (common.json) {
    auto j = gc::to_json(t, o.utc_offset_min);
    j["zone"] = zone_json(zone);
    print_json(j);
  } else {
    print_zone(zone);
    std::cout << "sunrise    " << fmt(t.sunrise, zone) << "\nsolar noon " << utc_and_local(t.solar_noon, zone)
              << "\nsunset     " << fmt(t.sunset, zone) << "\n";
    for (const auto& d : t.diagnostics.items()) std::cout << geo::printable(d.message) << "\n";
  }
  return 0;
}

// Observation i takes the i-th value of each repeated option; a tolerance given once applies to all.
std::vector<gc::ShadowObservation> observations_from(const po::variables_map& vm) {
  std::vector<gc::ShadowObservation> obs;
  if (vm.count("observations")) {
    obs = gc::read_observations_file(vm["observations"].as<std::string>());
  }
  auto list = [&](const char* k) {
    return vm.count(k) ? vm[k].as<std::vector<double>>() : std::vector<double>{};
  };
  const auto az = list("shadow-azimuth-deg"), az_tol = list("azimuth-tol-deg");
  const auto ratio = list("length-ratio"), ratio_tol = list("ratio-tol");
  const std::size_t n = std::max(az.size(), ratio.size());
  auto pick = [](const std::vector<double>& v, std::size_t i, const char* what) -> std::optional<double> {
    if (v.empty()) return std::nullopt;
    if (v.size() == 1) return v[0];
    if (i >= v.size()) throw UsageError(std::string("give --") + what + " once or once per observation");
    return v[i];
  };
  if ((!az.empty() && az.size() != n) || (!ratio.empty() && ratio.size() != n))
    throw UsageError("repeat --shadow-azimuth-deg and --length-ratio the same number of times");
  for (std::size_t i = 0; i < n; ++i) {
    gc::ShadowObservation o;
    if (!az.empty()) o.shadow_azimuth_deg = az[i];
    if (!ratio.empty()) o.length_ratio = ratio[i];
    if (auto v = pick(az_tol, i, "azimuth-tol-deg")) o.azimuth_tol_deg = *v;
    if (auto v = pick(ratio_tol, i, "ratio-tol")) o.ratio_tol = *v;
    obs.push_back(o);
  }
  return obs;
}

// --media only links the case's observation to a video: refused without --case (a usage error).
void check_media_needs_case(const po::variables_map& vm) {
  if (vm.count("media") && !vm.count("case"))
    throw UsageError("--media links the observation recorded in a case to its video: give --case DIR too");
}

// The media's SHA-256, checked to be in the case; empty without --media.
std::string media_of(const po::variables_map& vm, const std::optional<geo::events::CaseInfo>& the_case) {
  if (!vm.count("media") || !the_case) return {};
  return geo::events::case_media_sha256(*the_case, vm["media"].as<std::string>());
}

void add_observation_options(po::options_description& desc) {
  desc.add_options()
      ("shadow-azimuth-deg", po::value<std::vector<double>>()->composing(),
       "direction the shadow points, deg from north clockwise (repeat for more observations)")
      ("azimuth-tol-deg", po::value<std::vector<double>>()->composing(), "+/- deg (default 5)")
      ("length-ratio", po::value<std::vector<double>>()->composing(), "shadow length / object height")
      ("ratio-tol", po::value<std::vector<double>>()->composing(), "+/- ratio (default 0.1)")
      ("observations", po::value<std::string>(), "JSON file {\"observations\": [...]} (see docs)")
      ("case", po::value<std::string>(), "record the result as an observation in this case")
      ("media", po::value<std::string>(),
       "with --case: the video or photo the shadow was measured in (FILE or its SHA-256; already in the case)")
      ("delta-t-s", po::value<double>(), "TT - UT1, seconds (default: estimate for the year)");
}

int when(const Args& args) {
  CommonOptions common;
  double elev = 0;
  std::string at, tz;
  po::options_description desc("sun when options");
  desc.add_options()
      ("at", po::value(&at)->required(), "the place, LAT,LON (any form: docs/cli.md)")
      ("date", po::value<std::string>(), "local date YYYY-MM-DD (in --tz, else the zone at the place, else UTC)")
      ("from", po::value<std::string>(), "first date of a range")
      ("to", po::value<std::string>(), "last date of a range (at most 366 days)")
      ("elevation-m", po::value(&elev)->default_value(0.0), "observer height above sea level, m")
      ("claimed-time", po::value<std::string>(), "a time to check against the shadows (with Z or an offset, or --tz)");
  add_tz_option(desc, tz);
  add_observation_options(desc);
  add_common_options(desc, common);
  po::variables_map vm;
  if (!parse_args(args, "sun when --at LAT,LON (--date D | --from D1 --to D2) "
                        "(--shadow-azimuth-deg A | --length-ratio R | --observations F) [--tz ZONE] [options]",
                  desc, {}, vm))
    return 0;
  check_media_needs_case(vm);
  const geo::GeoPoint place = geo::parse_coordinates(at);
  gc::WhenOptions o;
  o.lat_deg = place.lat_deg;
  o.lon_deg = place.lon_deg;
  o.elevation_m = elev;
  if (vm.count("date") == (vm.count("from") || vm.count("to")))
    throw UsageError("give either --date or --from and --to");
  if (vm.count("date")) {
    o.from = o.to = geo::parse_date(vm["date"].as<std::string>());
  } else {
    if (!vm.count("from") || !vm.count("to")) throw UsageError("--from needs --to");
    o.from = geo::parse_date(vm["from"].as<std::string>());
    o.to = geo::parse_date(vm["to"].as<std::string>());
  }
  o.observations = observations_from(vm);  // first: a bad observations file is refused before any lookup
  if (vm.count("claimed-time"))
    o.claimed_time = geo::parse_time_with_zone(vm["claimed-time"].as<std::string>(), zone_option(tz), "--claimed-time").utc;
  const auto zone = local_zone(place, tz);
  if (zone) o.utc_offset_min = offset_on(zone->zone, o.from);
  o.delta_t_s = opt<double>(vm, "delta-t-s");
  std::optional<geo::events::CaseInfo> the_case;  // opened first: a bad case fails before any work
  if (vm.count("case")) the_case = geo::events::open_case(vm["case"].as<std::string>());
  const std::string media = media_of(vm, the_case);
  const auto r = gc::solve_when(o, make_progress(common.quiet));
  if (the_case) geo::events::record_sun_when(*the_case, o, r, media);
  if (common.json) {
    auto j = gc::to_json(r, o.utc_offset_min);
    j["zone"] = zone_json(zone);
    print_json(j);
  } else {
    print_zone(zone);
    for (const auto& w : r.windows) std::cout << utc_and_local(w.start, zone) << " - " << utc_and_local(w.end, zone) << "\n";
    if (r.windows.empty()) std::cout << "no window: " << r.empty_reason << "\n";
    if (r.claim)
      std::cout << "claimed time " << utc_and_local(r.claim->time, zone)
                << (r.claim->consistent ? " is consistent" : " is NOT consistent") << "\n";
  }
  return 0;
}

int where(const Args& args) {
  CommonOptions common;
  std::string time, out, tz;
  gc::WhereOptions o;
  po::options_description desc("sun where options");
  add_tz_option(desc, tz);
  desc.add_options()
      ("time", po::value(&time)->required(), "ISO 8601 time with Z or an offset (or a wall-clock time with --tz)")
      ("time-tol-min", po::value(&o.time_tol_min)->default_value(0.0), "+/- minutes on the time")
      ("resolution-deg", po::value(&o.resolution_deg)->default_value(0.1, "0.1"), "grid step, degrees")
      ("threads", po::value(&o.threads)->default_value(2), "worker threads")
      ("output,o", po::value(&out)->required(), "GeoJSON file to write");
  bool force = false;
  add_force_option(desc, force);
  add_observation_options(desc);
  add_common_options(desc, common);
  po::variables_map vm;
  if (!parse_args(args, "sun where --time ISO8601 (--length-ratio R | --shadow-azimuth-deg A) -o OUT "
                        "[options]", desc, {}, vm))
    return 0;
  check_media_needs_case(vm);
  o.time = geo::parse_time_with_zone(time, zone_option(tz)).utc;
  o.delta_t_s = opt<double>(vm, "delta-t-s");
  guard_output(out, force, {vm.count("observations") ? vm["observations"].as<std::string>() : std::string()});
  o.observations = observations_from(vm);
  std::vector<geo::InputRef> inputs;
  if (vm.count("observations")) inputs.push_back(geo::input_ref(vm["observations"].as<std::string>()));
  std::optional<geo::events::CaseInfo> the_case;  // opened first: a bad case fails before any work
  if (vm.count("case")) the_case = geo::events::open_case(vm["case"].as<std::string>());
  const std::string media = media_of(vm, the_case);
  const auto r = gc::solve_where(o, make_progress(common.quiet));
  const auto gj = gc::to_geojson(r, geo::make_provenance("sun.where", gc::where_parameters(o), inputs));
  // The case is written first: when it fails, no band file is left behind.
  const std::string band = geo::dump_json(gj);
  geo::AtomicFile file(out);
  file.stream() << band;
  if (the_case) geo::events::record_sun_where(*the_case, o, r, out, geo::sha256_hex(band), media);
  file.commit();
  geo::Json summary;
  summary["output"] = out;
  summary["cell_count"] = r.cell_count;
  summary["polygons"] = r.boxes.size();
  summary["area_km2"] = geo::round_to(r.area_km2, 1);
  summary["empty_reason"] = r.empty_reason.empty() ? geo::Json(nullptr) : geo::Json(r.empty_reason);
  if (common.json) {
    print_json(summary);
  } else {
    std::cout << "wrote " << geo::printable(out) << ": " << r.boxes.size() << " polygons, " << r.cell_count
              << " cells, " << summary["area_km2"] << " km2\n";
    if (!r.empty_reason.empty()) std::cout << r.empty_reason << "\n";
  }
  return 0;
}

const Registrar reg{{"sun", "sun position, sunrise/sunset, and when/where a shadow fits",
                     [](const Args& args) {
                       return dispatch_verbs(
                           "sun", args,
                           {{"position", "sun azimuth/elevation and shadow at a place and time",
                             [](const Args& a) { return run_guarded("sun position", [&] { return position(a); }); }},
                            {"times", "sunrise, solar noon, sunset on a date",
                             [](const Args& a) { return run_guarded("sun times", [&] { return times(a); }); }},
                            {"when", "time windows on dates where observed shadows fit",
                             [](const Args& a) { return run_guarded("sun when", [&] { return when(a); }); }},
                            {"where", "region of the Earth where a shadow fits at a time (GeoJSON)",
                             [](const Args& a) { return run_guarded("sun where", [&] { return where(a); }); }}});
                     }}};

}  // namespace
