// SPDX-License-Identifier: Apache-2.0
// geoev works offline: a raster or playlist that points at the network is refused in one line, and no
// AF_INET/AF_INET6 connect() is made (checked with strace), unless --allow-network is given.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include <gdal.h>

#include "support/support.hpp"

using geo::test::ScratchDir;

namespace {

namespace fs = std::filesystem;

bool have_strace() { return std::system("strace -V >/dev/null 2>&1") == 0; }

fs::path geoev_bin() {
  const char* env = std::getenv("GEOEV_BIN");
  return env && *env ? fs::path(env) : fs::read_symlink("/proc/self/exe").parent_path() / "geoev";
}

struct Traced {
  int exit_code = -1;
  std::string err;
  std::vector<std::string> inet_connects;  // connect() calls to AF_INET / AF_INET6 addresses
};

// Runs geoev under `strace -f -e trace=connect` (arguments are scratch paths and fixed words: no quoting
// needed beyond single quotes).
Traced run_traced(const ScratchDir& d, const std::vector<std::string>& args) {
  const fs::path log = d / "strace.log", err = d / "stderr.txt";
  // LeakSanitizer cannot run under ptrace: in the ASan build the traced child runs without it.
  std::string cmd = "ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0\" timeout 60 strace -f -qq -e trace=connect -o '" +
                    log.string() + "' '" + geoev_bin().string() + "'";
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " </dev/null >/dev/null 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  Traced t;
  t.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  t.err = geo::test::read_text(err);
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);)
    if (line.find("AF_INET") != std::string::npos) t.inet_connects.push_back(line);
  fs::remove(log);
  return t;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

// A VRT whose only source is `source`.
void write_network_vrt(const fs::path& vrt, const std::string& source) {
  geo::test::write_bytes(vrt, R"(<VRTDataset rasterXSize="256" rasterYSize="256">
  <SRS>EPSG:4326</SRS>
  <GeoTransform>98.5, 0.0001, 0, 16.7, 0, -0.0001</GeoTransform>
  <VRTRasterBand dataType="Byte" band="1">
    <SimpleSource><SourceFilename relativeToVRT="0">)" + source + R"(</SourceFilename><SourceBand>1</SourceBand></SimpleSource>
  </VRTRasterBand>
</VRTDataset>
)");
}

// A 64x64 grey PNG frame for `geoev match`.
void write_frame(const fs::path& png) {
  GDALAllRegister();
  GDALDatasetH mem = GDALCreate(GDALGetDriverByName("MEM"), "", 64, 64, 1, GDT_Byte, nullptr);
  ASSERT_NE(mem, nullptr);
  std::vector<unsigned char> px(64 * 64);
  for (std::size_t i = 0; i < px.size(); ++i) px[i] = static_cast<unsigned char>((i * 7) % 251);
  ASSERT_EQ(GDALRasterIO(GDALGetRasterBand(mem, 1), GF_Write, 0, 0, 64, 64, px.data(), 64, 64, GDT_Byte, 0, 0), CE_None);
  GDALDatasetH out = GDALCreateCopy(GDALGetDriverByName("PNG"), png.c_str(), mem, FALSE, nullptr, nullptr, nullptr);
  ASSERT_NE(out, nullptr);
  GDALClose(out);
  GDALClose(mem);
}

}  // namespace

TEST(Network, RasterPointingAtTheNetworkIsRefusedWithoutConnecting) {
  if (!have_strace()) GTEST_SKIP() << "strace is not installed: cannot observe connect() calls";
  ScratchDir d;
  write_frame(d / "frame.png");
  for (const std::string source : {"/vsicurl/http://127.0.0.1:9/x.tif",
                                   "/vsicurl/https://imagery.example-tiles.org/naip/x.tif"}) {
    SCOPED_TRACE(source);
    const fs::path vrt = d / "evil.vrt";
    write_network_vrt(vrt, source);
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"imagery", "info", vrt.string()},
             {"imagery", "crop", vrt.string(), "--bbox", "98.51,16.68,98.52,16.69", "-o", (d / "crop.tif").string()},
             {"match", "--frame", (d / "frame.png").string(), "--imagery", vrt.string()}}) {
      SCOPED_TRACE(args[0] + " " + args[1]);
      const Traced t = run_traced(d, args);
      EXPECT_EQ(t.exit_code, 1) << t.err;
      EXPECT_TRUE(t.inet_connects.empty()) << joined(t.inet_connects);
      EXPECT_EQ(lines(t.err), 1u) << t.err;
      EXPECT_NE(t.err.find("refers to a network source (" + source + ")"), std::string::npos) << t.err;
      EXPECT_NE(t.err.find("--allow-network"), std::string::npos) << t.err;
      EXPECT_FALSE(fs::exists(d / "crop.tif"));
    }
  }
}

TEST(Network, AllowNetworkLetsGdalConnect) {
  // The check above can fail: with --allow-network the same VRT makes GDAL try 127.0.0.1:9 (discard
  // port, nothing listens; the connection is refused at once).
  if (!have_strace()) GTEST_SKIP() << "strace is not installed: cannot observe connect() calls";
  ScratchDir d;
  write_network_vrt(d / "evil.vrt", "/vsicurl/http://127.0.0.1:9/x.tif");
  const Traced t = run_traced(d, {"imagery", "info", (d / "evil.vrt").string(), "--allow-network"});
  EXPECT_NE(t.exit_code, 2) << t.err;  // the option exists
  bool loopback = false;
  for (const auto& l : t.inet_connects) loopback = loopback || l.find("127.0.0.1") != std::string::npos;
  EXPECT_TRUE(loopback) << joined(t.inet_connects) << t.err;
}

TEST(Network, HlsPlaylistOfHttpSegmentsIsNotFetched) {
  if (!have_strace()) GTEST_SKIP() << "strace is not installed: cannot observe connect() calls";
  ScratchDir d;
  geo::test::write_bytes(d / "clip.m3u8",
                         "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n"
                         "#EXTINF:10.0,\nhttp://127.0.0.1:9/seg0.ts\n#EXTINF:10.0,\nhttp://198.51.100.7/seg1.ts\n"
                         "#EXT-X-ENDLIST\n");
  const Traced t = run_traced(d, {"probe", (d / "clip.m3u8").string()});
  EXPECT_TRUE(t.inet_connects.empty()) << joined(t.inet_connects);
  EXPECT_EQ(t.exit_code, 1) << t.err;
  EXPECT_EQ(lines(t.err), 1u) << t.err;
}
