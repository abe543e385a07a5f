// SPDX-License-Identifier: Apache-2.0
// The real binary on hostile media input: FIFOs, /dev/zero and a sparse 4 GB sidecar are refused in one
// line within a second and in bounded memory; a Latin-1 file name gives valid JSON with its bytes; a
// picture whose header asks for 900 MP, an empty frame, a fake JPEG and a bad option value each give
// one clear line and the right exit code.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "geo/core/json.hpp"
#include "geo/core/text.hpp"
#include "support/support.hpp"
#include "support/video_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using geo::test::ScratchDir;

struct Measured {
  int exit_code = -1;  // -1: killed at the timeout
  std::string out, err;
  double seconds = 0;
  long max_rss_mib = 0;  // peak resident memory of this one run
};

// Runs the real geoev with `args` and measures that process alone (wait4): wall time and peak RSS.
// stdout/stderr go through files in `dir`, stdin is /dev/null; killed after `timeout_s`.
Measured run_measured(const fs::path& dir, const std::vector<std::string>& args, double timeout_s = 10) {
  const char* env = std::getenv("GEOEV_BIN");
  const std::string bin = env && *env ? std::string(env) : (fs::read_symlink("/proc/self/exe").parent_path() / "geoev").string();
  const fs::path out_file = dir / ".out", err_file = dir / ".err";
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(in, 0), ::dup2(out, 1), ::dup2(err, 2);
    std::vector<char*> argv{const_cast<char*>(bin.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  Measured m;
  int status = 0;
  struct rusage ru {};
  while (true) {
    const pid_t done = ::wait4(pid, &status, WNOHANG, &ru);
    if (done == pid) break;
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > timeout_s) {
      ::kill(pid, SIGKILL);
      ::wait4(pid, &status, 0, &ru);
      status = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  m.exit_code = status == -1 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : -2;
  m.max_rss_mib = ru.ru_maxrss / 1024;
  m.out = geo::test::read_text(out_file);
  m.err = geo::test::read_text(err_file);
  fs::remove(out_file), fs::remove(err_file);
  return m;
}

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

// AddressSanitizer's shadow memory and checks: the release bounds, scaled for the ASan build.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kSanitizerScale = 4;
#else
constexpr long kSanitizerScale = 1;
#endif

// One line on stderr naming the problem, exit 1, within a second, in less than 200 MiB (release).
void expect_quick_refusal(const Measured& r, const std::string& expect, const std::string& label) {
  EXPECT_EQ(r.exit_code, 1) << label << ": " << r.err;
  EXPECT_EQ(lines(r.err), 1u) << label << ": " << r.err;
  EXPECT_NE(r.err.find(expect), std::string::npos) << label << ": " << r.err;
  EXPECT_LT(r.seconds, 1.0 * kSanitizerScale) << label;
  EXPECT_LT(r.max_rss_mib, 200 * kSanitizerScale) << label;
}

struct Inputs {
  fs::path video, fifo, sparse;
};

Inputs make_inputs(const ScratchDir& dir) {
  Inputs in;
  geo::test::VideoFixtureOptions o;
  o.duration_s = 1;
  in.video = geo::test::make_video(dir / "v.mp4", o).path;
  in.fifo = dir / "pipe";
  EXPECT_EQ(::mkfifo(in.fifo.c_str(), 0600), 0);
  in.sparse = dir / "huge.srt";  // 4 GiB, no disk blocks
  geo::test::write_bytes(in.sparse, "1\n00:00:00,000 --> 00:00:01,000\n");
  EXPECT_EQ(::truncate(in.sparse.c_str(), off_t(4) << 30), 0);
  return in;
}

TEST(CliHostileMedia, ProbeAndFramesRefuseFifoDeviceAndHugeSidecarsInOneLine) {
  ScratchDir dir;
  const Inputs in = make_inputs(dir);
  const std::string out = (dir / "out").string();
  expect_quick_refusal(run_measured(dir.path(), {"probe", in.fifo.string()}), "probe: " + in.fifo.string() + ": not a regular file (a FIFO)", "probe FIFO");
  expect_quick_refusal(run_measured(dir.path(), {"frames", in.fifo.string(), "-o", out, "--quiet"}),
                       "media.open: " + in.fifo.string() + ": not a regular file (a FIFO)", "frames FIFO");
  for (const auto& [side, expect] : std::vector<std::pair<std::string, std::string>>{
           {in.fifo.string(), "not a regular file (a FIFO)"},
           {"/dev/zero", "not a regular file (a character device)"},
           {in.sparse.string(), "4096 MiB; at most 256 MiB"}}) {
    expect_quick_refusal(run_measured(dir.path(), {"probe", in.video.string(), "--telemetry", side}), expect, "probe --srt " + side);
    expect_quick_refusal(run_measured(dir.path(), {"frames", in.video.string(), "-o", out, "--telemetry", side, "--quiet"}),
                         expect, "frames --telemetry " + side);
  }
  EXPECT_FALSE(fs::exists(out));
}

TEST(CliHostileMedia, SunWhenRefusesAnObservationsFifoOrDevice) {
  ScratchDir dir;
  const fs::path fifo = dir / "obs.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const fs::path big = dir / "big.json";  // over the 16 MiB cap for observation files
  geo::test::write_bytes(big, "{\"observations\": []}");
  ASSERT_EQ(::truncate(big.c_str(), off_t(17) << 20), 0);
  for (const auto& [file, expect] : std::vector<std::pair<std::string, std::string>>{
           {fifo.string(), "not a regular file (a FIFO)"},
           {"/dev/zero", "not a regular file (a character device)"},
           {big.string(), "too large (17 MiB; at most 16 MiB"}})
    expect_quick_refusal(run_measured(dir.path(), {"sun", "when", "--at", "11.5,104.9", "--date",
                                                   "2024-03-01", "--observations", file}),
                         "sun: observations: " + file + ": " + expect, "sun when --observations " + file);
}

TEST(CliHostileMedia, Latin1FileNameProbesToValidJsonWithItsBytes) {
  ScratchDir dir;
  const fs::path latin1 = geo::test::make_latin1_named_video(dir.path());
  const auto r = geo::test::run_geoev({"probe", latin1.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(geo::is_valid_utf8(r.out));
  const geo::Json j = geo::Json::parse(r.out);
  EXPECT_EQ(j["path_hex"], geo::hex_bytes(latin1.string()));
  EXPECT_EQ(j["path"], geo::to_valid_utf8(latin1.string()));
  EXPECT_EQ(j["video"]["width"], 320);
  // The text form shows the byte escaped, not raw.
  const auto t = geo::test::run_geoev({"probe", latin1.string()});
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(t.out.find("x\\xe9.mp4"), std::string::npos) << t.out;
}

std::string be32(std::uint32_t v) { return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)}; }

TEST(CliHostileMedia, MatchRefusesAHugePictureAndAnEmptyFileInOneLine) {
  const fs::path imagery = geo::test::shared("imagery/opengeos_naip_m_4709963_se_14_1_20090818.tif");
  if (!fs::exists(imagery)) GTEST_SKIP() << "shared sample missing";
  ScratchDir dir;
  // A whole PNG whose IHDR says 30000 x 30000 (900 MP, 2.7 GB decoded): refused from its header.
  auto chunk = [](const std::string& type, const std::string& data) { return be32(std::uint32_t(data.size())) + type + data + be32(0); };
  geo::test::write_bytes(dir / "huge.png", std::string("\x89PNG\r\n\x1a\n", 8) +
                                               chunk("IHDR", be32(30000) + be32(30000) + std::string("\x08\x02\x00\x00\x00", 5)) +
                                               chunk("IDAT", std::string(64, '\0')) + chunk("IEND", ""));
  geo::test::write_bytes(dir / "empty.jpg", "");
  for (const auto& [name, expect] : std::vector<std::pair<std::string, std::string>>{
           {"huge.png", "the png picture is 30000 x 30000 pixels, over the limit of 400000000 pixels: not decoded"},
           {"empty.jpg", "the file is empty (0 bytes)"}}) {
    const auto r = run_measured(dir.path(), {"match", (dir / name).string(), "--imagery", imagery.string(), "--quiet"}, 60);
    EXPECT_EQ(r.exit_code, 1) << name << ": " << r.err;
    EXPECT_EQ(lines(r.err), 1u) << name << ": " << r.err;
    EXPECT_NE(r.err.find(expect), std::string::npos) << name << ": " << r.err;
    EXPECT_LT(r.max_rss_mib, 500 * kSanitizerScale) << name;
  }
}

TEST(CliHostileMedia, FakeJpegsGiveOneLineAndNoLibavChatter) {
  ScratchDir dir;
  std::string noise = geo::test::random_bytes(20000, 11);
  geo::test::write_bytes(dir / "noise.jpg", noise);
  noise.replace(0, 4, "\xFF\xD8\xFF\xE0");
  geo::test::write_bytes(dir / "soi.jpg", noise);
  for (const char* name : {"noise.jpg", "soi.jpg"}) {
    const auto r = geo::test::run_geoev({"probe", (dir / name).string()});
    EXPECT_EQ(r.exit_code, 1) << name;
    EXPECT_EQ(lines(r.err), 1u) << name << ": " << r.err;
    EXPECT_EQ(r.err.find(" @ 0x"), std::string::npos) << r.err;  // libav's "[mjpeg @ 0x...]"
  }
}

TEST(CliHostileMedia, AnInvalidOptionValueIsAUsageError) {
  ScratchDir dir;
  geo::test::VideoFixtureOptions o;
  o.duration_s = 1;
  const auto fx = geo::test::make_video(dir / "v.mp4", o);
  const auto mode = geo::test::run_geoev({"frames", fx.path.string(), "-o", (dir / "out").string(), "--mode", "bogus"});
  EXPECT_EQ(mode.exit_code, 2) << mode.err;
  EXPECT_EQ(lines(mode.err), 1u) << mode.err;
  EXPECT_NE(mode.err.find("mode 'bogus'"), std::string::npos) << mode.err;
  EXPECT_NE(mode.err.find("(see geoev frames --help)"), std::string::npos) << mode.err;
  const auto format = geo::test::run_geoev({"frames", fx.path.string(), "-o", (dir / "out").string(), "--format", "gif"});
  EXPECT_EQ(format.exit_code, 2) << format.err;
  EXPECT_NE(format.err.find("format 'gif' is not one of jpg, png"), std::string::npos) << format.err;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

}  // namespace
