// SPDX-License-Identifier: Apache-2.0
#include "geo/core/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>

#include "geo/core/error.hpp"

namespace fs = std::filesystem;

namespace geo {
namespace {

std::string unique_suffix() {
  static std::atomic<unsigned> counter{0};
  std::random_device rd;
  return std::to_string(::getpid()) + "-" + std::to_string(rd() % 1000000) + "-" +
         std::to_string(counter++);
}

fs::path temp_sibling(const fs::path& target, bool keep_extension) {
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string name = "." + target.stem().string() + ".tmp-" + unique_suffix();
  if (keep_extension) name += target.extension().string();
  else name = "." + target.filename().string() + ".tmp-" + unique_suffix();
  return dir / name;
}

// Live temporaries, in fixed slots the signal handler can read without locks or allocation.
constexpr int kSlots = 64;
constexpr std::size_t kPathMax = 4096;
struct Slot {
  std::atomic<int> state{0};  // 0 free, 1 being written, 2 a file, 3 a directory
  char path[kPathMax];
};
Slot g_slots[kSlots];

int track(const fs::path& p, bool dir) {
  const std::string s = p.string();
  if (s.size() >= kPathMax) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (g_slots[i].state.compare_exchange_strong(expected, 1)) {
      std::memcpy(g_slots[i].path, s.c_str(), s.size() + 1);
      g_slots[i].state.store(dir ? 3 : 2);
      return i;
    }
  }
  return -1;  // more than 64 at once: this one is not cleaned on interrupt (still removed normally)
}

void untrack(int slot) {
  if (slot >= 0) g_slots[slot].state.store(0);
}

extern "C" void remove_temporaries_and_die(int sig) {
  for (auto& s : g_slots) {
    const int st = s.state.load();
    if (st == 2) {
      ::unlink(s.path);
    } else if (st == 3) {
      // A directory with files in it: fork and exec rm, both safe in a signal handler (readdir is not).
      const pid_t pid = ::fork();
      if (pid == 0) {
        const char* argv[] = {"rm", "-rf", "--", s.path, nullptr};
        ::execv("/bin/rm", const_cast<char* const*>(argv));
        ::_exit(127);
      }
      if (pid > 0) {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
      }
    }
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void fsync_path(const fs::path& p) {
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

AtomicFile::AtomicFile(fs::path target) : target_(std::move(target)) {
  std::error_code ec;
  if (fs::is_directory(target_, ec))
    throw Error(Errc::invalid_argument, "output: " + target_.string() + ": is a directory");
  const fs::path dir = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec))
    throw Error(Errc::not_found, "output: " + target_.string() + ": directory " + dir.string() + " does not exist");
  temp_ = temp_sibling(target_, true);
  slot_ = track(temp_, false);
}

AtomicFile::~AtomicFile() {
  if (out_.is_open()) out_.close();
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_, ec);
  }
  untrack(slot_);
}

std::ofstream& AtomicFile::stream() {
  if (!out_.is_open()) {
    out_.open(temp_, std::ios::binary | std::ios::trunc);
    if (!out_) throw Error(Errc::io, "output: " + temp_.string() + ": cannot create");
  }
  return out_;
}

void AtomicFile::commit() {
  if (committed_) return;
  if (out_.is_open()) {
    out_.flush();
    const bool ok = static_cast<bool>(out_);
    out_.close();
    if (!ok || out_.fail()) {
      std::error_code ec;
      fs::remove(temp_, ec);
      throw Error(Errc::io, "output: " + target_.string() + ": write failed");
    }
  }
  std::error_code ec;
  if (!fs::exists(temp_, ec))
    throw Error(Errc::io, "output: " + target_.string() + ": nothing was written");
  fsync_path(temp_);
  fs::rename(temp_, target_, ec);
  if (ec) {
    fs::remove(temp_, ec);
    throw Error(Errc::io, "output: " + target_.string() + ": cannot rename into place: " + ec.message());
  }
  committed_ = true;
  untrack(slot_);
  slot_ = -1;
}

void write_file_atomic(const fs::path& target, std::string_view content) {
  AtomicFile f(target);
  f.stream().write(content.data(), static_cast<std::streamsize>(content.size()));
  f.commit();
}

AtomicDir::AtomicDir(fs::path target) : target_(std::move(target)) {
  std::error_code ec;
  if (fs::exists(target_, ec)) {
    if (!fs::is_directory(target_, ec))
      throw Error(Errc::invalid_argument, "output: " + target_.string() + ": exists and is not a directory");
    if (!fs::is_empty(target_, ec))
      throw Error(Errc::invalid_argument,
                  "output: " + target_.string() + ": directory exists and is not empty (choose a new one)");
  }
  const fs::path parent = target_.has_parent_path() ? target_.parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec))
    throw Error(Errc::not_found, "output: " + target_.string() + ": parent directory does not exist");
  temp_ = temp_sibling(target_, false);
  if (!fs::create_directory(temp_, ec) || ec)
    throw Error(Errc::io, "output: cannot create " + temp_.string() + ": " + ec.message());
  slot_ = track(temp_, true);
}

AtomicDir::~AtomicDir() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(temp_, ec);
  }
  untrack(slot_);
}

void AtomicDir::commit() {
  if (committed_) return;
  std::error_code ec;
  if (fs::exists(target_, ec)) fs::remove(target_, ec);  // only ever an empty directory (checked above)
  fs::rename(temp_, target_, ec);
  if (ec) throw Error(Errc::io, "output: " + target_.string() + ": cannot rename into place: " + ec.message());
  committed_ = true;
  untrack(slot_);
  slot_ = -1;
}

void remove_temporaries_on_interrupt() {
  struct sigaction sa {};
  sa.sa_handler = remove_temporaries_and_die;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
}

bool is_stale_temporary(const std::filesystem::path& p) {
  const std::string n = p.filename().string();
  const auto at = n.find(".tmp-");
  if (n.empty() || n[0] != '.' || at == std::string::npos) return false;
  const long pid = std::strtol(n.c_str() + at + 5, nullptr, 10);
  return pid <= 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH);
}

}  // namespace geo
