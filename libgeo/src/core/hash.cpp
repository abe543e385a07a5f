// SPDX-License-Identifier: Apache-2.0
#include "geo/core/hash.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <vector>

#include <openssl/evp.h>

#include "geo/core/error.hpp"

namespace geo {

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1)
    throw Error(Errc::external, "sha256: cannot initialise the OpenSSL digest", "openssl");
}

Sha256::~Sha256() = default;

void Sha256::update(const void* data, std::size_t size) {
  if (EVP_DigestUpdate(impl_->ctx, data, size) != 1)
    throw Error(Errc::external, "sha256: digest update failed", "openssl");
}

std::string Sha256::hex_digest() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(impl_->ctx, md, &len) != 1)
    throw Error(Errc::external, "sha256: digest final failed", "openssl");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data.data(), data.size());
  return h.hex_digest();
}

namespace {
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Reads up to buf.size() bytes; returns the count (0 at end of file). Throws Error{io}.
std::size_t read_full(int fd, std::vector<unsigned char>& buf, const std::string& name) {
  std::size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(Errc::io, "sha256: " + name + ": read failed: " + std::strerror(errno));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}
}  // namespace

std::string sha256_file(const std::filesystem::path& path, const ProgressFn& progress) {
  const std::string name = path.string();
  struct stat st {};
  if (::stat(name.c_str(), &st) != 0)
    throw Error(Errc::not_found, "sha256: " + name + ": no such file");
  if (S_ISDIR(st.st_mode)) throw Error(Errc::invalid_argument, "sha256: " + name + ": is a directory");
  Fd fd(::open(name.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw Error(Errc::io, "sha256: " + name + ": cannot open: " + std::strerror(errno));
  ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);

  // Double buffering: the next block is read on another thread while this one is hashed.
  constexpr std::size_t kBlock = 4u << 20;
  std::vector<unsigned char> bufs[2] = {std::vector<unsigned char>(kBlock), std::vector<unsigned char>(kBlock)};
  Sha256 h;
  const double total = st.st_size > 0 ? static_cast<double>(st.st_size) : 1.0;
  double done = 0.0;
  int cur = 0;
  std::size_t n = read_full(fd.get(), bufs[cur], name);
  while (n > 0) {
    auto next = std::async(std::launch::async, [&, other = 1 - cur] { return read_full(fd.get(), bufs[other], name); });
    h.update(bufs[cur].data(), n);
    done += static_cast<double>(n);
    report(progress, done / total, "hashing");
    n = next.get();
    cur = 1 - cur;
  }
  return h.hex_digest();
}

}  // namespace geo
