// SPDX-License-Identifier: Apache-2.0
// Plumbing shared by every geoev subcommand: registration, option parsing, exit codes, progress, output.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "geo/core/json.hpp"
#include "geo/core/progress.hpp"

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

// Parses args into vm with `desc` and positional names. Returns false when --help was asked for (after
// printing "usage: geoev <usage>" and the options), true otherwise. Throws po::error on bad options.
bool parse_args(const Args& args, const std::string& usage, const po::options_description& desc,
                const po::positional_options_description& positional, po::variables_map& vm);

// Parses a command whose only input is one directory: `--case DIR` when `positional` is false, a
// positional DIR otherwise (plus the common options). Returns false when --help was shown.
bool parse_dir_only(const Args& args, const std::string& usage, bool positional, std::string& dir,
                    CommonOptions& common);

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

// Prints JSON to stdout, indented, with a trailing newline.
void print_json(const geo::Json& j);

// The shortest text that reads back as `v` ("0.1", not boost's "0.10000000000000001"), for the
// defaults --help shows.
std::string shortest(double v);

// Runs a command's body, translating exceptions into one line on stderr and the exit code.
int run_guarded(const std::string& command, const std::function<int()>& body);

}  // namespace geoev
