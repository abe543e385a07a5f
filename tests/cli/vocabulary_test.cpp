// SPDX-License-Identifier: Apache-2.0
// One name for one thing (docs/cli.md): the --help of every command, read as a user would, must not
// show a concept under any spelling but its one name. A new command that drifts fails here.
#include <gtest/gtest.h>

#include <cstring>
#include <regex>
#include <set>

#include "geo/core/json.hpp"
#include "geo/core/text.hpp"
#include "support/support.hpp"

namespace {

using geo::test::run_geoev;

struct Concept {
  const char* what;
  const char* name;                         // the one spelling
  std::vector<std::string> other_spellings;  // what must not appear
};

const std::vector<Concept> kConcepts = {
    {"a point", "--at", {"--lat", "--lon", "--latitude", "--longitude", "--point", "--position", "--location", "--center", "--centre"}},
    {"a search area", "--near", {"--search-center", "--around", "--radius", "--box", "--area"}},
    {"ground resolution", "--gsd-m", {"--gsd", "--resolution-m", "--res-m", "--gsd-metres", "--pixel-size"}},
    {"telemetry", "--telemetry", {"--srt", "--gpmf", "--telemetry-file", "--sidecar"}},
    {"the case", "--case", {"--dir", "--case-dir", "--casedir"}},
    {"an output", "--output", {"--out", "--output-file", "--outfile", "--dest"}},
    {"a time zone", "--tz", {"--utc-offset", "--zone", "--timezone", "--time-zone", "--offset"}},
    {"an uncertainty radius", "--uncertainty-m", {"--uncertainty", "--error-m", "--accuracy-m"}},
    {"reference imagery", "--imagery", {"--reference", "--ref", "--basemap"}},
    {"the frame interval", "--every-s", {"--every", "--interval", "--step-s"}},
    {"TT - UT1", "--delta-t-s", {"--delta-t", "--deltat"}},
};

const std::vector<std::vector<std::string>> kCommands = {
    {"probe"},          {"frames"},         {"match"},          {"imagery", "info"},   {"imagery", "crop"},
    {"imagery", "tiles"}, {"sun", "position"}, {"sun", "times"}, {"sun", "when"},      {"sun", "where"},
    {"case", "init"},   {"case", "add"},    {"case", "verify"}, {"case", "log"},       {"observations", "list"},
    {"events", "add"},  {"events", "list"}, {"events", "export"}, {"compounds", "list"}, {"compounds", "show"},
    {"compounds", "validate"}, {"compounds", "nearest"}, {"compounds", "import"}, {"compounds", "set-geometry"},
    {"run"}, {"map"}, {"map", "timeline"}, {"report"},
};

std::set<std::string> options_in(const std::string& help) {
  std::set<std::string> out;
  static const std::regex opt(R"((--[a-z0-9][a-z0-9-]*))");
  for (auto it = std::sregex_iterator(help.begin(), help.end(), opt); it != std::sregex_iterator(); ++it) out.insert((*it)[1]);
  return out;
}

TEST(Vocabulary, EveryCommandSpellsEachConceptOneWay) {
  // The list above must be every command geoev has: a new one is added here, and so checked.
  const auto top = run_geoev({"--help"});
  for (const auto& c : kCommands) EXPECT_NE(top.out.find("  " + c[0] + " "), std::string::npos) << c[0];
  std::size_t commands_listed = 0;
  for (const char* line_start = top.out.c_str(); *line_start;) {
    const char* nl = std::strchr(line_start, '\n');
    const std::string line(line_start, nl ? nl : line_start + std::strlen(line_start));
    if (line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ') ++commands_listed;
    if (!nl) break;
    line_start = nl + 1;
  }
  std::set<std::string> names;
  for (const auto& c : kCommands) names.insert(c[0]);
  EXPECT_EQ(commands_listed, names.size()) << "geoev --help lists a command this test does not check:\n" << top.out;
  for (const auto& cmd : kCommands) {
    auto args = cmd;
    args.push_back("--help");
    const auto r = run_geoev(args);
    std::string label;
    for (const auto& w : cmd) label += (label.empty() ? "" : " ") + w;
    ASSERT_EQ(r.exit_code, 0) << label << ": " << r.err;
    const auto opts = options_in(r.out);
    for (const auto& idea : kConcepts)
      for (const auto& other : idea.other_spellings)
        EXPECT_EQ(opts.count(other), 0u) << "geoev " << label << " spells " << idea.what << " as " << other
                                         << "; the one name is " << idea.name << " (docs/cli.md)";
    // Every command's help has the common options.
    for (const char* common : {"--json", "--quiet", "--help", "--allow-network"})
      EXPECT_EQ(opts.count(common), 1u) << label << " lacks " << common;
  }
}

TEST(Vocabulary, OldSpellingsStillWorkWithANotice) {
  const auto r = run_geoev({"sun", "position", "--lat", "11.5564", "--lon", "104.9282", "--time", "2025-03-15T02:30:00Z", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("--lat/--lon is an old spelling; use --at LAT,LON"), std::string::npos) << r.err;
  const auto j = geo::Json::parse(r.out);
  const auto n = run_geoev({"sun", "position", "--at", "11.5564,104.9282", "--time", "2025-03-15T02:30:00Z", "--json"});
  EXPECT_EQ(geo::Json::parse(n.out)["azimuth_deg"], j["azimuth_deg"]);
  EXPECT_EQ(n.err, "");
  const auto half = run_geoev({"sun", "position", "--lat", "11.5564", "--time", "2025-03-15T02:30:00Z"});
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_NE(half.err.find("--lat without --lon"), std::string::npos) << half.err;
}

TEST(Vocabulary, ListsTakeARepeatedFlagOrCommas) {
  geo::test::ScratchDir d;
  const std::string kase = (d / "case").string();
  ASSERT_EQ(run_geoev({"case", "init", "--case", kase}).exit_code, 0);
  // Three time-only observations from sun when runs are enough to test the list syntax.
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(run_geoev({"sun", "when", "--at", "11.56,104.92", "--date", "2025-03-15", "--shadow-azimuth-deg", "290",
                         "--length-ratio", "0.9", "--case", kase, "--quiet"})
                  .exit_code,
              0);
  const auto a = run_geoev({"events", "add", "--case", kase, "--at", "11.56,104.92", "--uncertainty-m", "50",
                            "--observation", "1,2", "--observation", "3", "--json"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(geo::Json::parse(a.out)["observation_ids"], geo::Json::array({1, 2, 3}));
  const auto bad = run_geoev({"events", "add", "--case", kase, "--at", "11.56,104.92", "--uncertainty-m", "50", "--observation", "1,x"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
}

}  // namespace
