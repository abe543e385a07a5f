// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <iostream>

#include "common/cli.hpp"
#include "geo/core/provenance.hpp"

namespace {
void print_help(std::ostream& os) {
  os << "geoev " << geo::version() << ": turn footage into geolocated, timestamped evidence\n\n"
     << "usage: geoev <command> [options]   (geoev <command> --help for each)\n\ncommands:\n";
  auto cmds = geoev::commands();
  std::sort(cmds.begin(), cmds.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::size_t width = 0;  // the longest name and two spaces ("observations" is 12 characters)
  for (const auto& c : cmds) width = std::max(width, c.name.size() + 2);
  for (const auto& c : cmds) {
    os << "  " << c.name;
    for (std::size_t i = c.name.size(); i < width; ++i) os << ' ';
    os << c.summary << "\n";
  }
  os << "\nexit codes: 0 ok, 1 failure, 2 usage error\n";
}
}  // namespace

int main(int argc, char** argv) {
  const geoev::Args args(argv + 1, argv + argc);
  if (args.empty()) {
    print_help(std::cerr);
    return geoev::kExitUsage;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_help(std::cout);
    return geoev::kExitOk;
  }
  if (args[0] == "--version" || args[0] == "-V" || args[0] == "version") {
    std::cout << "geoev " << geo::version() << "\n";
    return geoev::kExitOk;
  }
  for (const auto& c : geoev::commands())
    if (c.name == args[0]) return c.run(geoev::Args(args.begin() + 1, args.end()));
  std::cerr << "geoev: unknown command '" << args[0] << "' (see geoev --help)\n";
  return geoev::kExitUsage;
}
