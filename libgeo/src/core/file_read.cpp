// SPDX-License-Identifier: Apache-2.0
#include "geo/core/file_read.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "geo/core/error.hpp"
#include "geo/core/text.hpp"

namespace geo {
namespace {

const char* kind_of(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

std::string shown(const std::filesystem::path& p) { return printable(p.string()); }

std::string mib(std::uint64_t b) { return std::to_string((b + (1u << 19)) >> 20) + " MiB"; }

}  // namespace

void require_regular_file(const std::filesystem::path& path, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) throw Error(Errc::not_found, what + ": " + shown(path) + ": no such file");
    throw Error(Errc::io, what + ": " + shown(path) + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode))
    throw Error(Errc::invalid_argument, what + ": " + shown(path) + ": not a regular file (" + kind_of(st.st_mode) + ")");
}

std::string read_file_bounded(const std::filesystem::path& path, std::uint64_t max_bytes, const std::string& what) {
  require_regular_file(path, what);
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw Error(Errc::io, what + ": " + shown(path) + ": cannot open: " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))  // swapped for something else after the check
    throw Error(Errc::invalid_argument, what + ": " + shown(path) + ": not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
    throw Error(Errc::invalid_argument, what + ": " + shown(path) + ": too large (" + mib(st.st_size) +
                                            "; at most " + mib(max_bytes) + " for this kind of file)");
  std::string out;
  out.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (true) {
    if (got == out.size()) {
      // The file may have grown since fstat: read on, but never past the cap.
      if (out.size() >= max_bytes) {
        char probe;
        const ssize_t r = ::read(fd, &probe, 1);
        if (r > 0) throw Error(Errc::invalid_argument, what + ": " + shown(path) + ": too large (over " + mib(max_bytes) + ")");
        break;
      }
      out.resize(std::min<std::uint64_t>(max_bytes, out.size() + 65536));
    }
    const ssize_t r = ::read(fd, out.data() + got, out.size() - got);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw Error(Errc::io, what + ": " + shown(path) + ": read failed: " + std::strerror(errno));
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  out.resize(got);
  return out;
}

}  // namespace geo
