// SPDX-License-Identifier: Apache-2.0
#include "common/cli.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "geo/core/error.hpp"
#include "geo/core/output_path.hpp"
#include "geo/core/network.hpp"
#include "geo/core/text.hpp"
#include "geo/spatial/place_zone.hpp"

namespace geoev {

namespace {
std::vector<Command>& registry() {
  static std::vector<Command> r;
  return r;
}
bool g_bar_drawn = false;
}  // namespace

Registrar::Registrar(Command c) { registry().push_back(std::move(c)); }

const std::vector<Command>& commands() { return registry(); }

void add_common_options(po::options_description& desc, CommonOptions& common) {
  desc.add_options()
      ("help,h", "show this help")
      ("json", po::bool_switch(&common.json), "print the result as JSON")
      ("quiet,q", po::bool_switch(&common.quiet), "no progress output")
      ("allow-network", po::bool_switch(&common.allow_network)->notifier([](bool on) {
         if (on) geo::set_network_allowed(true);
       }),
       "allow network access (geoev works offline otherwise: a file that points at a URL is refused)");
}

void add_tz_option(po::options_description& desc, std::string& tz) {
  desc.add_options()("tz", po::value(&tz), "zone of times given without one: an IANA name (Asia/Phnom_Penh) or an offset (+07:00)");
}

std::optional<geo::TimeZone> zone_option(const std::string& tz) {
  if (tz.empty()) return std::nullopt;
  return geo::TimeZone::named(tz);
}

std::vector<std::string> list_values(const std::vector<std::string>& given) {
  std::vector<std::string> out;
  for (const auto& g : given)
    for (auto& part : geo::split(g, ','))
      if (!part.empty()) out.push_back(part);
  return out;
}

std::string output_format(const std::string& out, const std::string& format, const std::vector<std::string>& choices) {
  std::string all;
  for (const auto& c : choices) all += (all.empty() ? "" : ", ") + c;
  if (!format.empty()) {
    const std::string f = geo::to_lower(format);
    for (const auto& c : choices)
      if (f == c) return c;
    throw UsageError("--format '" + format + "' is not one of " + all);
  }
  std::string ext = geo::to_lower(std::filesystem::path(out).extension().string());
  if (!ext.empty()) ext.erase(0, 1);
  if (ext == "json") ext = "geojson";
  for (const auto& c : choices)
    if (ext == c) return c;
  throw UsageError("cannot tell the format of '" + geo::printable(out) + "' from its extension: name it ." +
                   choices.front() + " etc. or give --format (" + all + ")");
}

std::optional<LocalZone> local_zone(const std::optional<geo::GeoPoint>& place, const std::string& tz) {
  const auto z = geo::spatial::zone_for(place, tz);
  if (!z) return std::nullopt;
  return LocalZone{z->zone, z->method == "--tz" ? z->method : "the zone at the place: " + z->country + ", by " + z->method,
                   z->border_note};
}

std::string utc_and_local(geo::UtcTime t, const std::optional<LocalZone>& zone) {
  return geo::format_utc_and_local(t, zone ? &zone->zone : nullptr);
}

void add_force_option(po::options_description& desc, bool& force) {
  desc.add_options()("force", po::bool_switch(&force), "replace an existing output file");
}

void guard_output(const std::string& out, bool force, const std::vector<std::string>& inputs, bool is_dir) {
  if (out.empty()) return;
  geo::OutputPolicy policy;
  policy.force = force;
  for (const auto& i : inputs)
    if (!i.empty()) policy.inputs.emplace_back(i);
  geo::check_output_path(out, policy, "output", is_dir);
}

namespace {

// Old spellings (docs/cli.md): accepted for now with a one-line notice, as their new name.
struct Rename {
  const char* old_name;
  const char* new_name;
};
constexpr Rename kRenames[] = {{"center", "near"},     {"gsd", "gsd-m"},     {"srt", "telemetry"},  {"point", "at"},
                               {"utc-offset", "tz"},   {"every", "every-s"}, {"max", "max-frames"},
                               {"delta-t", "delta-t-s"}};

bool has_option(const po::options_description& desc, const std::string& name) {
  return desc.find_nothrow(name, false) != nullptr;
}

void notice(const std::string& old_spelling, const std::string& new_spelling) {
  std::cerr << "geoev: note: " << old_spelling << " is an old spelling; use " << new_spelling
            << " (see docs/cli.md)\n";
}

Args with_current_spellings(const Args& args, const po::options_description& desc) {
  Args out;
  std::optional<std::string> lat, lon;
  const bool pair = has_option(desc, "at") && !has_option(desc, "lat");
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0 || a == "--") {
      out.push_back(a);
      continue;
    }
    const auto eq = a.find('=');
    const std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    if (pair && (name == "lat" || name == "lon")) {
      std::string value;
      if (eq != std::string::npos) value = a.substr(eq + 1);
      else if (i + 1 < args.size()) value = args[++i];
      else throw UsageError("--" + name + " needs a value; give the point as --at LAT,LON");
      (name == "lat" ? lat : lon) = value;
      continue;
    }
    bool renamed = false;
    for (const auto& r : kRenames)
      if (name == r.old_name && has_option(desc, r.new_name) && !has_option(desc, r.old_name)) {
        notice("--" + name, std::string("--") + r.new_name);
        out.push_back(std::string("--") + r.new_name + (eq == std::string::npos ? "" : a.substr(eq)));
        renamed = true;
        break;
      }
    if (!renamed) out.push_back(a);
  }
  if (lat || lon) {
    if (!lat || !lon) throw UsageError(std::string(lat ? "--lat without --lon" : "--lon without --lat") +
                                       ": give the point as --at LAT,LON");
    notice("--lat/--lon", "--at LAT,LON");
    out.push_back("--at");
    out.push_back(*lat + "," + *lon);
  }
  return out;
}

}  // namespace

bool parse_args(const Args& raw_args, const std::string& usage, const po::options_description& desc,
                const po::positional_options_description& positional, po::variables_map& vm,
                const po::options_description* hidden) {
  po::options_description all;
  all.add(desc);
  if (hidden) all.add(*hidden);
  const Args args = with_current_spellings(raw_args, all);
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: geoev " << usage << "\n\n" << desc << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

std::string case_dir_option(const std::string& case_dir, const std::string& old_positional) {
  if (!case_dir.empty() && !old_positional.empty())
    throw UsageError("give the case once, as --case DIR");
  if (!old_positional.empty()) {
    notice("a positional case directory", "--case DIR");
    return old_positional;
  }
  if (case_dir.empty()) throw UsageError("give the case as --case DIR");
  return case_dir;
}

bool parse_case_command(const Args& args, const std::string& usage, po::options_description& desc, std::string& dir,
                        po::variables_map& vm, const char* case_help) {
  desc.add_options()("case", po::value(&dir), case_help);
  std::string old_dir;
  po::options_description hidden;
  hidden.add_options()("dir", po::value(&old_dir));
  po::positional_options_description pos;
  pos.add("dir", 1);
  if (!parse_args(args, usage, desc, pos, vm, &hidden)) return false;
  dir = case_dir_option(dir, old_dir);
  return true;
}

bool parse_case_only(const Args& args, const std::string& usage, std::string& dir, CommonOptions& common) {
  po::options_description desc("options");
  add_common_options(desc, common);
  po::variables_map vm;
  return parse_case_command(args, usage, desc, dir, vm);
}

int dispatch_verbs(const std::string& command, const Args& args, const std::vector<Verb>& verbs) {
  auto list = [&](std::ostream& os) {
    os << "usage: geoev " << command << " <verb> [options]\n\nverbs:\n";
    std::size_t width = 0;  // the longest verb and two spaces ("set-geometry" ran into its summary)
    for (const auto& v : verbs) width = std::max(width, v.name.size() + 2);
    for (const auto& v : verbs) {
      os << "  " << v.name;
      for (std::size_t i = v.name.size(); i < width; ++i) os << ' ';
      os << v.summary << "\n";
    }
  };
  if (args.empty()) {
    list(std::cerr);
    return kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    list(std::cout);
    return kExitOk;
  }
  for (const auto& v : verbs)
    if (v.name == args[0]) return v.run(Args(args.begin() + 1, args.end()));
  std::cerr << "geoev " << command << ": unknown verb '" << args[0] << "' (see geoev " << command
            << " --help)\n";
  return kExitUsage;
}

geo::ProgressFn make_progress(bool quiet) {
  if (quiet || !::isatty(STDERR_FILENO)) return {};
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  return [last](double fraction, std::string_view stage) {
    const auto now = std::chrono::steady_clock::now();
    if (fraction < 1.0 && now - *last < std::chrono::milliseconds(100)) return;
    *last = now;
    constexpr int kWidth = 30;
    std::string bar;
    if (fraction >= 0) {
      const int filled = static_cast<int>(fraction * kWidth + 0.5);
      bar = "[" + std::string(static_cast<std::size_t>(filled), '#') +
            std::string(static_cast<std::size_t>(kWidth - filled), ' ') + "] ";
      bar += std::to_string(static_cast<int>(fraction * 100.0 + 0.5)) + "%";
    } else {
      bar = "[working]";
    }
    std::fprintf(stderr, "\r\033[K%.*s %s", static_cast<int>(stage.size()), stage.data(), bar.c_str());
    std::fflush(stderr);
    g_bar_drawn = true;
  };
}

void end_progress() {
  if (g_bar_drawn) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    g_bar_drawn = false;
  }
}

void print_diagnostics(const geo::Diagnostics& diag, geo::Severity min, const std::string& where) {
  for (const auto& d : diag.items()) {
    if (static_cast<int>(d.severity) < static_cast<int>(min)) continue;
    const std::string w = where.empty() ? d.where : where;
    std::cerr << geo::to_string(d.severity) << ": " << d.code << ": " << geo::printable(d.message)
              << (w.empty() ? "" : " [" + geo::printable(w) + "]") << "\n";
  }
}

void print_json(const geo::Json& j) { std::cout << geo::dump_json(j, 2) << std::endl; }

int run_guarded(const std::string& command, const std::function<int()>& body) {
  try {
    const int rc = body();
    end_progress();
    return rc;
  } catch (const po::error& e) {
    end_progress();
    std::cerr << "geoev " << command << ": " << geo::printable(e.what()) << " (see geoev " << command << " --help)\n";
    return kExitUsage;
  } catch (const UsageError& e) {
    end_progress();
    std::cerr << "geoev " << command << ": " << geo::printable(e.what()) << " (see geoev " << command << " --help)\n";
    return kExitUsage;
  } catch (const geo::Error& e) {
    end_progress();
    std::cerr << "geoev " << command << ": error: " << geo::printable(e.what()) << "\n";
    return kExitFailure;
  } catch (const std::exception& e) {
    end_progress();
    std::cerr << "geoev " << command << ": error: " << geo::printable(e.what()) << "\n";
    return kExitFailure;
  }
}

std::string shortest(double v) {
  char b[32];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(b, sizeof b, "%.*g", digits, v);
    if (std::strtod(b, nullptr) == v) break;
  }
  return b;
}

}  // namespace geoev
