// SPDX-License-Identifier: Apache-2.0
#include "common/cli.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "geo/core/error.hpp"
#include "geo/core/network.hpp"

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

bool parse_args(const Args& args, const std::string& usage, const po::options_description& desc,
                const po::positional_options_description& positional, po::variables_map& vm) {
  po::store(po::command_line_parser(args).options(desc).positional(positional).run(), vm);
  if (vm.count("help")) {
    std::cout << "usage: geoev " << usage << "\n\n" << desc << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

bool parse_dir_only(const Args& args, const std::string& usage, bool positional, std::string& dir,
                    CommonOptions& common) {
  po::options_description desc("options");
  add_common_options(desc, common);
  po::positional_options_description pos;
  if (positional) {
    desc.add_options()("dir", po::value(&dir)->required(), "case directory");
    pos.add("dir", 1);
  } else {
    desc.add_options()("case", po::value(&dir)->required(), "case directory");
  }
  po::variables_map vm;
  return parse_args(args, usage, desc, pos, vm);
}

int dispatch_verbs(const std::string& command, const Args& args, const std::vector<Verb>& verbs) {
  auto list = [&](std::ostream& os) {
    os << "usage: geoev " << command << " <verb> [options]\n\nverbs:\n";
    for (const auto& v : verbs) {
      os << "  " << v.name;
      for (std::size_t i = v.name.size(); i < 12; ++i) os << ' ';
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

void print_json(const geo::Json& j) { std::cout << j.dump(2) << std::endl; }

int run_guarded(const std::string& command, const std::function<int()>& body) {
  try {
    const int rc = body();
    end_progress();
    return rc;
  } catch (const po::error& e) {
    end_progress();
    std::cerr << "geoev " << command << ": " << e.what() << " (see geoev " << command << " --help)\n";
    return kExitUsage;
  } catch (const UsageError& e) {
    end_progress();
    std::cerr << "geoev " << command << ": " << e.what() << " (see geoev " << command << " --help)\n";
    return kExitUsage;
  } catch (const geo::Error& e) {
    end_progress();
    std::cerr << "geoev " << command << ": error: " << e.what() << "\n";
    return kExitFailure;
  } catch (const std::exception& e) {
    end_progress();
    std::cerr << "geoev " << command << ": error: " << e.what() << "\n";
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
