// SPDX-License-Identifier: Apache-2.0
// `geoev map`: every format from a case, the refusals, and an empty case.
#include <gtest/gtest.h>

#include <regex>

#include <opencv2/imgcodecs.hpp>

#include "geo/core/json.hpp"
#include "support/support.hpp"

namespace {

using geo::test::run_geoev;
using geo::test::ScratchDir;
namespace fs = std::filesystem;

std::string demo_registry() { return (geo::test::source_dir() / "data" / "demo" / "compounds.geojson").string(); }

// A case with two events at the demo compound, made by hand (fast: no matching).
fs::path make_case(const ScratchDir& d) {
  const fs::path kase = d / "case";
  EXPECT_EQ(run_geoev({"case", "init", "--case", kase.string()}).exit_code, 0);
  const auto a = run_geoev({"events", "add", "--case", kase.string(), "--at", "47.0239,-99.1520", "--uncertainty-m", "14",
                            "--from", "2020-09-02T14:00:00Z", "--to", "2020-09-02T15:00:00Z", "--compounds", demo_registry()});
  EXPECT_EQ(a.exit_code, 0) << a.err;
  const auto b = run_geoev({"events", "add", "--case", kase.string(), "--at", "47.0246,-99.1602", "--uncertainty-m", "60",
                            "--compounds", demo_registry()});
  EXPECT_EQ(b.exit_code, 0) << b.err;
  return kase;
}

TEST(CliMap, EveryFormatFromOneCase) {
  ScratchDir d;
  const auto kase = make_case(d);
  const std::vector<std::string> reg{"--compounds", demo_registry(), "--quiet"};
  auto map = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "map");
    args.insert(args.end(), reg.begin(), reg.end());
    return run_geoev(args, 180);
  };
  auto r = map({"--case", kase.string(), "-o", (d / "overview.png").string(), "--width-px", "1200", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = geo::Json::parse(r.out);
  EXPECT_EQ(j["events_drawn"], 2);
  const cv::Mat png = cv::imread((d / "overview.png").string());
  ASSERT_FALSE(png.empty());
  EXPECT_EQ(png.cols, 1200);
  r = map({"--case", kase.string(), "--compound", "demo-compound", "--page", "a4", "-o", (d / "site.pdf").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string info = geo::test::shell_output("pdfinfo '" + (d / "site.pdf").string() + "'");
  EXPECT_TRUE(std::regex_search(info, std::regex("Pages:\\s+1\\n"))) << info;
  EXPECT_TRUE(std::regex_search(info, std::regex("Page size:\\s+841.89 x 595.2"))) << info;  // A4 landscape
  r = map({"--case", kase.string(), "-o", (d / "site.svg").string(), "--compound", "demo-compound"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::system(("xmllint --noout '" + (d / "site.svg").string() + "'").c_str()), 0);
  r = map({"timeline", "--case", kase.string(), "-o", (d / "timeline.png").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(geo::Json::parse(r.out)["events_dated"], 1);
  EXPECT_EQ(geo::Json::parse(r.out)["events_undated"], 1);
  r = map({"--case", kase.string(), "-o", (d / "map.html").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(geo::Json::parse(r.out)["markers"], 2);
  const std::string html = geo::test::read_text(d / "map.html");
  EXPECT_NE(html.find("Leaflet"), std::string::npos);
}

TEST(CliMap, RefusalsAreOneLineAndLeaveNothing) {
  ScratchDir d;
  const auto kase = make_case(d);
  // Inside the case: refused (evidence is never overwritten by an output).
  auto r = run_geoev({"map", "--case", kase.string(), "-o", (kase / "x.png").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(fs::exists(kase / "x.png"));
  r = run_geoev({"map", "--case", kase.string(), "-o", (d / "x.gif").string()});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = run_geoev({"map", "--case", kase.string(), "--bbox", "-99.1,47.1,-99.2,47.0", "-o", (d / "x.png").string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(fs::exists(d / "x.png"));
  r = run_geoev({"map", "--case", kase.string(), "-o", (d / "no" / "such" / "dir" / "x.png").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(CliMap, AnEmptyCaseGivesAMapThatSaysSo) {
  ScratchDir d;
  ASSERT_EQ(run_geoev({"case", "init", "--case", (d / "case").string()}).exit_code, 0);
  const auto r = run_geoev({"map", "--case", (d / "case").string(), "-o", (d / "empty.png").string(), "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(geo::Json::parse(r.out)["events_drawn"], 0);
  EXPECT_FALSE(cv::imread((d / "empty.png").string()).empty());
}

}  // namespace
