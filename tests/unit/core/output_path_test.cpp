// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "geo/core/error.hpp"
#include "geo/core/output_path.hpp"
#include "support/support.hpp"

namespace {

namespace fs = std::filesystem;

std::string refusal(const fs::path& out, const geo::OutputPolicy& p, bool is_dir = false) {
  try {
    geo::check_output_path(out, p, "output", is_dir);
  } catch (const geo::Error& e) {
    return e.what();
  }
  return "";
}

TEST(OutputPath, RefusesInputsCaseDirectoriesAndExistingFilesWithoutForce) {
  geo::test::ScratchDir d;
  const fs::path kase = d / "case";
  fs::create_directories(kase / "originals");
  geo::test::write_bytes(kase / "case.json", "{}");
  geo::test::write_bytes(kase / "case.gpkg", "");
  geo::test::write_bytes(d / "in.mp4", "video");
  geo::OutputPolicy p;
  p.inputs = {d / "in.mp4"};
  EXPECT_NE(refusal(kase / "case.gpkg", p).find("inside the case directory"), std::string::npos);
  EXPECT_NE(refusal(kase / "originals" / "new.csv", p).find("inside the case directory"), std::string::npos);
  EXPECT_NE(refusal(kase / "frames", p, true).find("inside the case directory"), std::string::npos);
  // Through a relative path with .. and through a symbolic link to the case, too.
  fs::create_directory_symlink(kase, d / "link");
  EXPECT_NE(refusal(d / "link" / "x.kml", p).find("inside the case directory"), std::string::npos);
  EXPECT_NE(refusal(kase / "originals" / ".." / "case.gpkg", p).find("inside the case directory"), std::string::npos);
  EXPECT_NE(refusal(d / "." / "in.mp4", p).find("is also an input"), std::string::npos);
  geo::test::write_bytes(d / "old.geojson", "x");
  EXPECT_NE(refusal(d / "old.geojson", p).find("pass --force"), std::string::npos);
  p.force = true;
  EXPECT_EQ(refusal(d / "old.geojson", p), "");
  EXPECT_EQ(refusal(d / "new.geojson", p), "");
  EXPECT_NE(refusal(d / "in.mp4", p).find("is also an input"), std::string::npos);  // --force never allows that
  EXPECT_EQ(geo::enclosing_case_dir(kase / "a" / "b"), fs::weakly_canonical(kase));
  EXPECT_TRUE(geo::enclosing_case_dir(d / "elsewhere").empty());
}

}  // namespace
