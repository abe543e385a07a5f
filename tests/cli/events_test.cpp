// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>

#include "geo/core/json.hpp"
#include "support/support.hpp"

using geo::test::run_geoev;
namespace fs = std::filesystem;

namespace {
std::string sh(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[4096];
  while (p && std::fgets(buf, sizeof buf, p)) out += buf;
  if (p) ::pclose(p);
  return out;
}
int count(const std::string& s, const std::string& what) {
  int n = 0;
  for (auto pos = s.find(what); pos != std::string::npos; pos = s.find(what, pos + 1)) ++n;
  return n;
}
std::string feature_count(const std::string& ogrinfo) {
  std::smatch m;
  return std::regex_search(ogrinfo, m, std::regex("Feature Count: (\\d+)")) ? m[1].str() : "";
}
}  // namespace

TEST(EventsCli, AddExportAndOpenWithOgrinfo) {
  geo::test::ScratchDir d;
  const std::string dir = (d / "case").string();
  ASSERT_EQ(run_geoev({"case", "init", dir, "--title", "cli"}).exit_code, 0);
  const auto e1 = run_geoev({"events", "add", "--case", dir, "--lat", "16.631", "--lon", "98.557", "--uncertainty-m", "50",
                             "--from", "2025-03-01T02:00:00Z", "--to", "2025-03-01T04:00:00Z", "--description", "exit", "--json"});
  ASSERT_EQ(e1.exit_code, 0) << e1.err;
  const auto j = geo::Json::parse(e1.out);
  EXPECT_EQ(j["compound"]["compound_id"], "mm-kk-park");
  EXPECT_NEAR(j["compound"]["distance_m"].get<double>(), 0.0, 0.01);
  EXPECT_EQ(j["precision_class"], "vicinity");
  ASSERT_EQ(run_geoev({"events", "add", "--case", dir, "--lat", "16.7", "--lon", "98.5", "--uncertainty-m", "2000",
                       "--from", "2025-03-02T02:00:00Z", "--to", "2025-03-02T02:30:00Z"}).exit_code, 0);
  for (const std::string fmt : {"geojson", "kml", "csv", "gpkg"}) {
    const std::string out = (d / ("ev." + fmt)).string();
    const auto r = run_geoev({"events", "export", "--case", dir, "--format", fmt, "-o", out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string driver = fmt == "kml" ? "--config OGR_SKIP KML " : "";
    const auto info = sh("ogrinfo -ro -al -so " + driver + out + " 2>&1");
    if (fmt == "gpkg") {
      const auto layers = sh("ogrinfo -ro " + out + " 2>&1");
      EXPECT_NE(layers.find("events (Point)"), std::string::npos) << layers;
      EXPECT_NE(layers.find("provenance"), std::string::npos) << layers;
      EXPECT_EQ(feature_count(sh("ogrinfo -ro -so " + out + " events 2>&1")), "2");
    } else if (fmt != "kml") {
      EXPECT_EQ(feature_count(info), "2") << info;
    } else {
      EXPECT_EQ(feature_count(info), "2") << info;
      const auto text = geo::test::read_text(out);
      EXPECT_EQ(count(text, "<TimeSpan>"), 2);
      EXPECT_NE(text.find("data:image/png;base64,"), std::string::npos);
    }
    if (fmt != "kml") {
      EXPECT_NE(info.find("precision_class"), std::string::npos) << fmt << info;
      EXPECT_NE(info.find("compound_id"), std::string::npos) << fmt << info;
    }
  }
  EXPECT_TRUE(fs::exists(d / "ev.csv.provenance.json"));
  const auto log = run_geoev({"case", "log", dir, "--json"});
  EXPECT_EQ(geo::Json::parse(log.out).size(), 3u);  // init + 2 events
}

TEST(EventsCli, BadInputChangesNothing) {
  geo::test::ScratchDir d;
  const std::string dir = (d / "case").string();
  ASSERT_EQ(run_geoev({"case", "init", dir}).exit_code, 0);
  const auto before = geo::test::read_text(d / "case" / "case.gpkg");
  const auto r = run_geoev({"events", "add", "--case", dir, "--lat", "200", "--lon", "98.5", "--uncertainty-m", "10"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("latitude"), std::string::npos) << r.err;
  EXPECT_EQ(geo::test::read_text(d / "case" / "case.gpkg"), before);
  fs::create_directories(d / "plain");
  const auto n = run_geoev({"events", "list", "--case", (d / "plain").string()});
  EXPECT_EQ(n.exit_code, 1);
  EXPECT_NE(n.err.find("is not a geoev case"), std::string::npos) << n.err;
  EXPECT_TRUE(geo::test::list_files(d / "plain").empty());
  const auto bad = run_geoev({"compounds", "nearest", "--lat", "200", "--lon", "98"});
  EXPECT_EQ(bad.exit_code, 1);
}

TEST(EventsCli, CaseAddVerifyExitCodes) {
  geo::test::ScratchDir d;
  const std::string dir = (d / "case").string();
  ASSERT_EQ(run_geoev({"case", "init", dir}).exit_code, 0);
  geo::test::write_bytes(d / "clip.bin", geo::test::random_bytes(10000, 5));
  ASSERT_EQ(run_geoev({"case", "add", dir, (d / "clip.bin").string(), "--copy"}).exit_code, 0);
  EXPECT_EQ(run_geoev({"case", "verify", dir}).exit_code, 0);
  auto bytes = geo::test::read_text(d / "clip.bin");
  bytes[10] ^= 0x20;
  geo::test::write_bytes(d / "clip.bin", bytes);
  const auto v = run_geoev({"case", "verify", dir, "--json"});
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_EQ(geo::Json::parse(v.out)["files"][0]["status"], "changed");
}

TEST(EventsCli, CompoundsNearestAndBadRegistries) {
  geo::test::ScratchDir d;
  const auto r = run_geoev({"compounds", "nearest", "--lat", "16.64", "--lon", "98.557", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = geo::Json::parse(r.out);
  EXPECT_EQ(j["results"][0]["compound_id"], "mm-kk-park");
  // 0.009 deg of latitude at 16.6 N on WGS 84: geod gives 995.6 m
  const auto ref = sh("echo '16.64 98.557 16.631 98.557' | geod +ellps=WGS84 -I -f %.4f");
  EXPECT_NEAR(j["results"][0]["distance_m"].get<double>(), std::stod(ref.substr(ref.rfind('\t') + 1)), 0.01) << ref;
  geo::test::write_bytes(d / "bad.kml", "garbage");
  const auto k = run_geoev({"compounds", "validate", "--compounds", (d / "bad.kml").string()});
  EXPECT_EQ(k.exit_code, 1);
  EXPECT_NE(k.err.find("not a KML"), std::string::npos) << k.err;
  const auto imp = run_geoev({"compounds", "import", (d / "bad.kml").string(), "-o", (d / "out.geojson").string()});
  EXPECT_EQ(imp.exit_code, 1);
  EXPECT_FALSE(fs::exists(d / "out.geojson"));
}
