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
}

TEST(Cli, UnknownCommandIsUsageError) {
  const auto r = run_geoev({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown command"), std::string::npos);
  EXPECT_EQ(run_geoev({}).exit_code, 2);
}
