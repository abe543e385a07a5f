// SPDX-License-Identifier: Apache-2.0
// Plumbing shared by every geoev subcommand: registration, option parsing, exit codes, progress, output.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "geo/core/diagnostics.hpp"
#include "geo/core/geopoint.hpp"
#include "geo/core/json.hpp"
#include "geo/core/progress.hpp"
#include "geo/core/timezone.hpp"

namespace geoev {

namespace po = boost::program_options;
using Args = std::vector<std::string>;

// Exit codes: 0 ok, 1 failure (including bad data and impossible values), 2 usage error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Thrown by subcommands for a usage problem not caught by Boost (a missing required combination).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Command {
  std::string name;     // "probe"; a command with verbs ("imagery") dispatches them itself
  std::string summary;  // one line for `geoev --help`
  std::function<int(const Args& args)> run;  // args exclude the command name
};

// Each subcommand file registers itself with a static Registrar; main() only dispatches.
struct Registrar {
  explicit Registrar(Command c);
};
const std::vector<Command>& commands();

// Options every command accepts: --help, --json, --quiet, --allow-network (which sets
// geo::set_network_allowed for the process when the options are parsed; geoev is offline otherwise).
struct CommonOptions {
  bool json = false;
  bool quiet = false;
  bool allow_network = false;
};
void add_common_options(po::options_description& desc, CommonOptions& common);

// --force: an existing output file may be replaced.
void add_force_option(po::options_description& desc, bool& force);
// Refuses (geo::Error, exit 1) an output path that is one of `inputs`, lies inside a geoev case
// directory, or (a file) exists without --force: geo::check_output_path. Call before any work.
void guard_output(const std::string& out, bool force, const std::vector<std::string>& inputs, bool is_dir = false);

// --tz ZONE: the zone of wall-clock times given without one (docs/cli.md).
void add_tz_option(po::options_description& desc, std::string& tz);
// The zone --tz named, or none. Throws geo::Error for an unknown zone.
std::optional<geo::TimeZone> zone_option(const std::string& tz);
// A list option's values: each repeated value split on commas, empty parts dropped.
std::vector<std::string> list_values(const std::vector<std::string>& given);
// An output's format: `format` when given, else the file's extension (lower case, no dot) when it is
// one of `choices`; otherwise a usage error naming the choices.
std::string output_format(const std::string& out, const std::string& format, const std::vector<std::string>& choices);

// The zone for local times: --tz when given, else the zone at the place (geo::spatial::zone_at) when
// the place is known and inside a country outline, else none. `how` says which, for the output.
struct LocalZone {
  geo::TimeZone zone;
  std::string how;          // "--tz", "zone at the place (country outline)", ...
  std::string border_note;  // set when the place is near a border between two offsets
};
std::optional<LocalZone> local_zone(const std::optional<geo::GeoPoint>& place, const std::string& tz);
// "2025-03-15T02:30:00Z (09:30:00 local, Asia/Phnom_Penh +07:00)", or the UTC time alone.
std::string utc_and_local(geo::UtcTime t, const std::optional<LocalZone>& zone);

// Parses args into vm with `desc` and positional names. Returns false when --help was asked for (after
// printing "usage: geoev <usage>" and the options), true otherwise. Throws po::error on bad options.
// `hidden` options are parsed but not shown by --help (positional arguments, old spellings). Old
// spellings of docs/cli.md (--lat/--lon, --srt, --gsd, ...) are rewritten to the current ones first,
// each with a one-line notice on stderr.
bool parse_args(const Args& args, const std::string& usage, const po::options_description& desc,
                const po::positional_options_description& positional, po::variables_map& vm,
                const po::options_description* hidden = nullptr);

// The case of a command: --case DIR, or (old spelling, with a notice) a positional directory.
// Throws UsageError when neither or both are given.
std::string case_dir_option(const std::string& case_dir, const std::string& old_positional);

// Parses a command about one case: `desc` gains --case DIR (a positional DIR is the old spelling,
// accepted with a notice). Returns false when --help was shown.
bool parse_case_command(const Args& args, const std::string& usage, po::options_description& desc, std::string& dir,
                        po::variables_map& vm, const char* case_help = "case directory");
// Parses a command whose only input is the case: `--case DIR` (a positional DIR is the old spelling),
// plus the common options. Returns false when --help was shown.
bool parse_case_only(const Args& args, const std::string& usage, std::string& dir, CommonOptions& common);

// A JSON array of to_json(item) for every item (found by argument-dependent lookup).
template <class Items>
geo::Json json_array(const Items& items) {
  geo::Json a = geo::Json::array();
  for (const auto& item : items) a.push_back(to_json(item));
  return a;
}

// For commands with verbs (`geoev imagery info ...`): runs the verb's handler or prints the verb list.
struct Verb {
  std::string name;
  std::string summary;
  std::function<int(const Args& args)> run;
};
int dispatch_verbs(const std::string& command, const Args& args, const std::vector<Verb>& verbs);

// A progress bar on stderr when it is a terminal and not --quiet; otherwise silent. Throttled.
geo::ProgressFn make_progress(bool quiet);
// Ends the bar line (if one was drawn).
void end_progress();

// Prints each diagnostic at or above `min` to stderr as "severity: code: message [where]" (`where`
// defaults to the diagnostic's own), control characters escaped so no name can forge a line.
void print_diagnostics(const geo::Diagnostics& diag, geo::Severity min = geo::Severity::info, const std::string& where = {});

// Prints JSON to stdout, indented, with a trailing newline.
void print_json(const geo::Json& j);

// The shortest text that reads back as `v` ("0.1", not boost's "0.10000000000000001"), for the
// defaults --help shows.
std::string shortest(double v);

// Runs a command's body, translating exceptions into one line on stderr and the exit code.
int run_guarded(const std::string& command, const std::function<int()>& body);

}  // namespace geoev
