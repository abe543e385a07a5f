// SPDX-License-Identifier: Apache-2.0
// Hostile media entering a case (issue 22, findings 4, 8 and 9): a GoPro file with one corrupt GPMF
// packet and a fake JPEG are added with valid JSON and no library chatter; a match whose case cannot be
// written leaves no overlay directory and no GeoJSON behind.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "geo/core/json.hpp"
#include "geo/core/text.hpp"
#include "support/support.hpp"
#include "support/video_fixture.hpp"

namespace {

using geo::test::run_geoev;
using geo::test::ScratchDir;
namespace fs = std::filesystem;

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

TEST(CliHostileCase, AGoproFileWithACorruptGpmfPacketEntersTheCase) {
  const fs::path src = geo::test::shared("media/gopro-gpmf/max-heromode.mp4");
  if (!fs::exists(src)) GTEST_SKIP() << "shared sample missing: " << src;
  ScratchDir d;
  const fs::path copy = d / "corrupt.mp4";
  std::string bytes = geo::test::read_text(src);
  // GPMF packets start with the KLV key DEVC: 16 bytes of 0xFF over the third one.
  std::size_t at = 0;
  for (int i = 0; i < 3; ++i) {
    at = bytes.find("DEVC", i ? at + 4 : 0);
    ASSERT_NE(at, std::string::npos);
  }
  bytes.replace(at, 16, std::string(16, '\xff'));
  geo::test::write_bytes(copy, bytes);
  const std::string kase = (d / "case").string();
  ASSERT_EQ(run_geoev({"case", "init", "--case", kase}).exit_code, 0);
  const auto r = run_geoev({"case", "add", "--case", kase, copy.string(), "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(geo::is_valid_utf8(r.out));
  const auto j = geo::Json::parse(r.out);
  ASSERT_EQ(j["added"].size(), 1u);
  const auto& probe = j["added"][0]["probe"];
  ASSERT_TRUE(probe.is_object()) << "recorded by hash only: " << r.err;
  EXPECT_GT(probe["telemetry"]["samples"].get<int>(), 100);
  bool warned = false;
  for (const auto& diag : probe["diagnostics"]) warned |= diag["code"] == "gpmf.malformed";
  EXPECT_TRUE(warned) << probe["diagnostics"].dump();
  // The telemetry became an observation, and the case verifies.
  const auto obs = geo::Json::parse(run_geoev({"observations", "list", "--case", kase, "--json"}).out);
  EXPECT_EQ(std::count_if(obs.begin(), obs.end(), [](const geo::Json& o) { return o["kind"] == "telemetry"; }), 1) << obs.dump();
  EXPECT_EQ(run_geoev({"case", "verify", "--case", kase}).exit_code, 0);
}

TEST(CliHostileCase, AFakeJpegIsRecordedByHashWithoutLibavChatter) {
  ScratchDir d;
  std::string noise = geo::test::random_bytes(20000, 5);
  noise.replace(0, 4, "\xFF\xD8\xFF\xE0");
  geo::test::write_bytes(d / "fake.jpg", noise);
  const std::string kase = (d / "case").string();
  ASSERT_EQ(run_geoev({"case", "init", "--case", kase}).exit_code, 0);
  const auto r = run_geoev({"case", "add", "--case", kase, (d / "fake.jpg").string(), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find(" @ 0x"), std::string::npos) << r.err;  // libav's "[mjpeg @ 0x...]"
  EXPECT_EQ(lines(r.err), 1u) << r.err;                          // one note: recorded by hash only
  EXPECT_NE(r.err.find("recorded by hash only"), std::string::npos) << r.err;
}

TEST(CliHostileCase, AMatchWhoseCaseCannotBeWrittenLeavesNoOutput) {
  const fs::path imagery = geo::test::shared("imagery/opengeos_naip_m_4709963_se_14_1_20200831.tif");
  if (!fs::exists(imagery)) GTEST_SKIP() << "shared sample missing: " << imagery;
  ScratchDir d;
  // A frame cut from the imagery itself (located or not, the overlay would be written).
  geo::test::write_bytes(d / "frame.jpg", "");
  ASSERT_EQ(std::system(("gdal_translate -q -of JPEG -srcwin 2000 2000 400 300 '" + imagery.string() + "' '" +
                         (d / "frame.jpg").string() + "' 2>/dev/null")
                            .c_str()),
            0);
  fs::remove(d / "frame.jpg.aux.xml");
  const fs::path kase = d / "broken";
  ASSERT_EQ(run_geoev({"case", "init", "--case", kase.string()}).exit_code, 0);
  geo::test::write_bytes(kase / "case.gpkg", "not a GeoPackage");
  const auto r = run_geoev({"match", (d / "frame.jpg").string(), "--imagery", imagery.string(), "--near", "47.02,-99.155",
                            "--radius-m", "800", "--gsd-m", "0.6", "--overlay", (d / "overlays").string(), "-o",
                            (d / "fixes.geojson").string(), "--case", kase.string(), "--quiet"},
                           300);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(lines(r.err), 1u) << r.err;
  EXPECT_FALSE(fs::exists(d / "overlays"));
  EXPECT_FALSE(fs::exists(d / "fixes.geojson"));
  for (const auto& p : geo::test::list_files(d.path()))
    EXPECT_EQ(p.filename().string().find(".tmp-"), std::string::npos) << p;
}

}  // namespace
