// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <regex>

#include "geo/core/json.hpp"
#include "support/support.hpp"

using geo::test::run_geoev;
namespace fs = std::filesystem;

namespace {
std::string sh(const std::string& cmd) { return geo::test::shell_output(cmd); }
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
  ASSERT_EQ(run_geoev({"case", "init", "--case", dir, "--title", "cli"}).exit_code, 0);
  const auto e1 = run_geoev({"events", "add", "--case", dir, "--at", "16.631,98.557", "--uncertainty-m", "50",
                             "--from", "2025-03-01T02:00:00Z", "--to", "2025-03-01T04:00:00Z", "--description", "exit", "--json"});
  ASSERT_EQ(e1.exit_code, 0) << e1.err;
  const auto j = geo::Json::parse(e1.out);
  EXPECT_EQ(j["compound"]["compound_id"], "mm-kk-park");
  EXPECT_NEAR(j["compound"]["distance_m"].get<double>(), 0.0, 0.01);
  EXPECT_EQ(j["precision_class"], "vicinity");
  ASSERT_EQ(run_geoev({"events", "add", "--case", dir, "--at", "16.7,98.5", "--uncertainty-m", "2000",
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
  const auto log = run_geoev({"case", "log", "--case", dir, "--json"});
  EXPECT_EQ(geo::Json::parse(log.out).size(), 3u);  // init + 2 events
}

TEST(EventsCli, BadInputChangesNothing) {
  geo::test::ScratchDir d;
  const std::string dir = (d / "case").string();
  ASSERT_EQ(run_geoev({"case", "init", "--case", dir}).exit_code, 0);
  const auto before = geo::test::read_text(d / "case" / "case.gpkg");
  const auto r = run_geoev({"events", "add", "--case", dir, "--at", "200,98.5", "--uncertainty-m", "10"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("latitude"), std::string::npos) << r.err;
  EXPECT_EQ(geo::test::read_text(d / "case" / "case.gpkg"), before);
  fs::create_directories(d / "plain");
  const auto n = run_geoev({"events", "list", "--case", (d / "plain").string()});
  EXPECT_EQ(n.exit_code, 1);
  EXPECT_NE(n.err.find("is not a geoev case"), std::string::npos) << n.err;
  EXPECT_TRUE(geo::test::list_files(d / "plain").empty());
  const auto bad = run_geoev({"compounds", "nearest", "--at", "200,98"});
  EXPECT_EQ(bad.exit_code, 1);
}

TEST(EventsCli, CaseAddVerifyExitCodes) {
  geo::test::ScratchDir d;
  const std::string dir = (d / "case").string();
  ASSERT_EQ(run_geoev({"case", "init", "--case", dir}).exit_code, 0);
  geo::test::write_bytes(d / "clip.bin", geo::test::random_bytes(10000, 5));
  ASSERT_EQ(run_geoev({"case", "add", "--case", dir, (d / "clip.bin").string(), "--copy"}).exit_code, 0);
  EXPECT_EQ(run_geoev({"case", "verify", "--case", dir}).exit_code, 0);
  auto bytes = geo::test::read_text(d / "clip.bin");
  bytes[10] ^= 0x20;
  geo::test::write_bytes(d / "clip.bin", bytes);
  const auto v = run_geoev({"case", "verify", "--case", dir, "--json"});
  EXPECT_EQ(v.exit_code, 1);
  EXPECT_EQ(geo::Json::parse(v.out)["files"][0]["status"], "changed");
}

TEST(EventsCli, CompoundsNearestAndBadRegistries) {
  geo::test::ScratchDir d;
  const auto r = run_geoev({"compounds", "nearest", "--at", "16.64,98.557", "--json"});
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

namespace {
// geod -I: "az1 az2 dist" from (lat1 lon1) to (lat2 lon2) on WGS 84.
std::array<double, 3> geod_inverse(double lat1, double lon1, double lat2, double lon2) {
  char cmd[256];
  std::snprintf(cmd, sizeof cmd, "echo '%.8f %.8f %.8f %.8f' | geod +ellps=WGS84 -I -f %%.6f", lat1, lon1, lat2, lon2);
  std::array<double, 3> v{};
  std::sscanf(sh(cmd).c_str(), "%lf %lf %lf", &v[0], &v[1], &v[2]);
  return v;
}
}  // namespace

TEST(EventsCli, FarEventHasNoCompoundAndSaysWhichIsNearest) {
  geo::test::ScratchDir d;
  const std::string dir = (d / "case").string();
  ASSERT_EQ(run_geoev({"case", "init", "--case", dir}).exit_code, 0);
  // Phnom Penh: 886 km from KK Park, the nearest compound with a position in the shipped registry.
  const auto r = run_geoev({"events", "add", "--case", dir, "--at", "11.5625,104.916", "--uncertainty-m", "30", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = geo::Json::parse(r.out);
  EXPECT_EQ(j["relation"], "none");
  EXPECT_TRUE(j["compound"].is_null());
  EXPECT_TRUE(j["compounds"].empty());
  const auto kk = geod_inverse(11.5625, 104.916, 16.631, 98.557);
  const auto& far = j["context"]["nearest_site_beyond_cap"];
  EXPECT_EQ(far["compound_id"], "mm-kk-park");
  EXPECT_NEAR(far["distance_m"].get<double>(), kk[2], 0.01);
  const std::string note = j["association_note"];
  EXPECT_NE(note.find("within 25.0 km"), std::string::npos) << note;
  EXPECT_NE(note.find("KK Park"), std::string::npos) << note;
  // Town context: GeoNames Phnom Penh (11.56245, 104.91601); distance and bearing from the town as geod.
  const auto& town = j["context"]["town"];
  EXPECT_EQ(town["name"], "Phnom Penh");
  const auto g = geod_inverse(11.56245, 104.91601, 11.5625, 104.916);
  EXPECT_NEAR(town["distance_m"].get<double>(), g[2], 0.01);
  EXPECT_NEAR(town["bearing_from_town_deg"].get<double>(), std::fmod(g[0] + 360.0, 360.0), 0.01);
  // The text output says so too, and the stored event keeps it.
  const auto t = run_geoev({"events", "add", "--case", dir, "--at", "11.5625,104.916", "--uncertainty-m", "30"});
  EXPECT_NE(t.out.find("no compound"), std::string::npos) << t.out;
  const auto l = geo::Json::parse(run_geoev({"events", "list", "--case", dir, "--json"}).out);
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(l[0]["relation"], "none");
  EXPECT_EQ(l[0]["association_note"], note);
  // Without a cap the same event is associated with the nearest compound, whatever the distance.
  const auto u = run_geoev({"events", "add", "--case", dir, "--at", "11.5625,104.916", "--uncertainty-m", "30",
                            "--max-distance-m", "inf", "--json"});
  ASSERT_EQ(u.exit_code, 0) << u.err;
  const auto uj = geo::Json::parse(u.out);
  EXPECT_EQ(uj["compound"]["compound_id"], "mm-kk-park");
  EXPECT_EQ(uj["relation"], "nearest");
}

TEST(EventsCli, TownIsContextNeverTheCompound) {
  geo::test::ScratchDir d;
  const std::string dir = (d / "case").string();
  ASSERT_EQ(run_geoev({"case", "init", "--case", dir}).exit_code, 0);
  // Exactly on the registry's Myawaddy town point: the town is context, the compound is KK Park.
  const auto r = run_geoev({"events", "add", "--case", dir, "--at", "16.68911,98.50893", "--uncertainty-m", "20", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = geo::Json::parse(r.out);
  EXPECT_EQ(j["compound"]["compound_id"], "mm-kk-park");
  EXPECT_EQ(j["context"]["registry"][0]["compound_id"], "mm-myawaddy");
  EXPECT_NEAR(j["context"]["registry"][0]["distance_m"].get<double>(), 0.0, 1e-6);
  for (const auto& h : j["compounds"]) EXPECT_TRUE(h["kind"] == "compound" || h["kind"] == "zone") << h.dump();
  EXPECT_NEAR(j["compound"]["distance_m"].get<double>(), geod_inverse(16.68911, 98.50893, 16.631, 98.557)[2], 0.01);
  const auto n = run_geoev({"compounds", "nearest", "--at", "16.68911,98.50893", "--json"});
  const auto nj = geo::Json::parse(n.out);
  for (const auto& h : nj["results"]) EXPECT_NE(h["kind"], "town") << h.dump();
  EXPECT_EQ(nj["context"][0]["compound_id"], "mm-myawaddy");
  EXPECT_EQ(nj["town"]["name"], "Myawaddy");
}

TEST(EventsCli, BadCapIsRefusedAndChangesNothing) {
  geo::test::ScratchDir d;
  const std::string dir = (d / "case").string();
  ASSERT_EQ(run_geoev({"case", "init", "--case", dir}).exit_code, 0);
  const auto before = geo::test::read_text(d / "case" / "case.gpkg");
  for (const char* bad : {"0", "-5", "nan"}) {
    const auto r = run_geoev({"events", "add", "--case", dir, "--at", "16.6,98.5", "--uncertainty-m", "10",
                              "--max-distance-m", bad});
    EXPECT_EQ(r.exit_code, 1) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("max-distance-m"), std::string::npos) << r.err;
    EXPECT_EQ(count(r.err, "\n"), 1) << r.err;
    const auto n = run_geoev({"compounds", "nearest", "--at", "16.6,98.5", "--max-distance-m", bad});
    EXPECT_EQ(n.exit_code, 1) << bad << ": " << n.err;
    EXPECT_NE(n.err.find("maximum distance"), std::string::npos) << n.err;
  }
  EXPECT_EQ(geo::test::read_text(d / "case" / "case.gpkg"), before);
}

TEST(EventsCli, NoTownContextBeyondOneHundredKilometres) {
  geo::test::ScratchDir d;
  const std::string dir = (d / "case").string();
  ASSERT_EQ(run_geoev({"case", "init", "--case", dir}).exit_code, 0);
  // Tel Aviv: the shipped gazetteer (Cambodia, Myanmar, Thailand, Laos) has no town within 100 km; the
  // nearest is thousands of km away and is not offered as context.
  const auto r = run_geoev({"events", "add", "--case", dir, "--at", "32.0929,34.862", "--uncertainty-m", "30", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = geo::Json::parse(r.out);
  EXPECT_TRUE(j["context"]["town"].is_null()) << j["context"].dump();
  // 80 km from Phnom Penh (due north): still context, at that distance.
  const auto n = run_geoev({"events", "add", "--case", dir, "--at", "12.2857,104.916", "--uncertainty-m", "30", "--json"});
  ASSERT_EQ(n.exit_code, 0) << n.err;
  const auto k = geo::Json::parse(n.out);
  ASSERT_TRUE(k["context"]["town"].is_object()) << k["context"].dump();
  EXPECT_LT(k["context"]["town"]["distance_m"].get<double>(), 100000.0);
}
