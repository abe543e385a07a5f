// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "geo/core/provenance.hpp"
#include "support/support.hpp"

using geo::test::run_geoev;

TEST(Cli, VersionAndHelp) {
  const auto v = run_geoev({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out, std::string("geoev ") + geo::version() + "\n");
  const auto h = run_geoev({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("usage: geoev"), std::string::npos);
  // Every command's summary starts in the same column, after the longest name.
  EXPECT_NE(h.out.find("  observations  list the observations"), std::string::npos) << h.out;
  EXPECT_NE(h.out.find("  match         geolocate frames"), std::string::npos) << h.out;
}

TEST(Cli, HelpShowsDefaultsAsWritten) {
  // Not boost's round-trip form of a double ("0.10000000000000001").
  for (const auto& [cmd, want] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"match", "--help"}, "--gsd-tol arg (=0.1)"},
           {{"frames", "--help"}, "--cut-threshold arg (=0.35)"},
           {{"sun", "where", "--help"}, "--resolution-deg arg (=0.1)"}}) {
    const auto r = run_geoev(cmd);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find(want), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("0000000"), std::string::npos) << r.out;
  }
}

TEST(Cli, UnknownCommandIsUsageError) {
  const auto r = run_geoev({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command"), std::string::npos);
  EXPECT_EQ(run_geoev({}).exit_code, 2);
}
