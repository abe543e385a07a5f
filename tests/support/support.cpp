// SPDX-License-Identifier: Apache-2.0
#include "support/support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include <gdal.h>
#include <gtest/gtest.h>

#include "geo/core/error.hpp"

namespace geo::test {

fs::path shared_data() {
  if (const char* env = std::getenv("GEO_SHARED_DATA_DIR"); env && *env) return env;
  return GEO_SHARED_DATA_DEFAULT;
}

fs::path shared(const std::string& rel) { return shared_data() / rel; }

ScratchDir::ScratchDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "scratch";
  for (auto& c : name)
    if (c == '/') c = '_';
  std::random_device rd;
  path_ = fs::temp_directory_path() / ("geoev-test-" + name + "-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(rd() % 100000));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

CliResult run_geoev(const std::vector<std::string>& args, int timeout_s) {
  const char* env = std::getenv("GEOEV_BIN");
  const std::string bin = env && *env ? std::string(env) : (fs::read_symlink("/proc/self/exe").parent_path() / "geoev").string();
  int out_pipe[2], err_pipe[2];
  if (::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0) {
    ADD_FAILURE() << "pipe failed";
    return {};
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(bin.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  CliResult r;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  char buf[65536];
  bool timed_out = false;
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    if (::poll(fds, 2, static_cast<int>(left)) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) ::close(f.fd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (timed_out) ADD_FAILURE() << "geoev timed out after " << timeout_s << " s";
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) r.exit_code = 128 + WTERMSIG(status);
  return r;
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

std::string shell_output(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  char buf[4096];
  while (p && std::fgets(buf, sizeof buf, p)) out += buf;
  if (p) ::pclose(p);
  return out;
}

std::string error_message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const geo::Error& e) {
    return e.what();
  }
  return "";
}

std::vector<double> run_python_numbers(const std::string& script) {
  ScratchDir dir;
  write_bytes(dir / "ref.py", script);
  const std::string cmd = "/usr/bin/python3 " + (dir / "ref.py").string();
  FILE* p = ::popen(cmd.c_str(), "r");
  std::vector<double> out;
  double v = 0;
  while (p && std::fscanf(p, "%lf", &v) == 1) out.push_back(v);
  if (p) ::pclose(p);
  return out;
}

std::vector<fs::path> list_files(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) out.push_back(e.path());
  return out;
}

void write_dated_vrt(const fs::path& src, const fs::path& vrt, const std::string& date) {
  GDALAllRegister();
  GDALDatasetH in = GDALOpen(src.string().c_str(), GA_ReadOnly);
  if (!in) {
    ADD_FAILURE() << "cannot open " << src;
    return;
  }
  GDALDatasetH d = GDALCreateCopy(GDALGetDriverByName("VRT"), vrt.string().c_str(), in, FALSE, nullptr, nullptr, nullptr);
  if (!d) ADD_FAILURE() << "cannot write " << vrt;
  else GDALSetMetadataItem(d, "ACQUISITION_DATE", date.c_str(), nullptr);
  if (d) GDALClose(d);
  GDALClose(in);
}

}  // namespace geo::test
