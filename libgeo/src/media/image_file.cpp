// SPDX-License-Identifier: Apache-2.0
#include "geo/media/image_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"
#include "geo/core/text.hpp"

namespace geo {
namespace {

// Walks a JPEG's markers from SOI to EOI. Entropy-coded data follows each SOS header: inside it 0xFF is
// stuffed as FF 00 and restart markers are FF D0-D7, so the first other marker ends the scan.
std::string jpeg_incomplete(std::span<const unsigned char> b) {
  size_t i = 2;  // after SOI
  const size_t n = b.size();
  while (true) {
    if (i >= n) return "truncated: the file ends before the JPEG end-of-image marker";
    if (b[i] != 0xFF) return "corrupt: expected a JPEG marker at byte " + std::to_string(i);
    while (i < n && b[i] == 0xFF) ++i;  // fill bytes
    if (i >= n) return "truncated: the file ends before the JPEG end-of-image marker";
    const unsigned char m = b[i++];
    if (m == 0xD9) return "";                           // EOI
    if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) continue;  // no length
    if (i + 2 > n) return "truncated: the file ends inside a JPEG marker segment";
    const size_t len = size_t(b[i]) << 8 | b[i + 1];
    if (len < 2) return "corrupt: a JPEG marker segment of length " + std::to_string(len);
    if (i + len > n) return "truncated: the file ends inside a JPEG marker segment";
    i += len;
    if (m != 0xDA) continue;
    // Scan data up to the next marker that is not a stuffed byte or a restart marker.
    while (true) {
      while (i < n && b[i] != 0xFF) ++i;
      if (i + 1 >= n) return "truncated: the file ends inside the JPEG image data";
      const unsigned char c = b[i + 1];
      if (c == 0x00 || (c >= 0xD0 && c <= 0xD7) || c == 0xFF) {
        i += c == 0xFF ? 1 : 2;
        continue;
      }
      break;
    }
  }
}

std::uint32_t be32(const unsigned char* p) {
  return std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
}

// Chunks (length, type, data, CRC) from the signature to IEND.
std::string png_incomplete(std::span<const unsigned char> b) {
  std::uint64_t at = 8;
  const std::uint64_t size = b.size();
  while (true) {
    if (at + 12 > size) return "truncated: the file ends before the PNG IEND chunk";
    const std::uint64_t len = be32(b.data() + at);
    if (len > 0x7FFFFFFFu) return "corrupt: a PNG chunk of length " + std::to_string(len);
    if (at + 12 + len > size) return "truncated: the file ends inside a PNG chunk";
    if (std::string(reinterpret_cast<const char*>(b.data() + at + 4), 4) == "IEND") return "";
    at += 12 + len;
  }
}

}  // namespace

std::string image_bytes_incomplete(std::span<const unsigned char> b) {
  if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return jpeg_incomplete(b);
  static constexpr std::array<unsigned char, 8> kPng{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (b.size() >= 8 && std::equal(kPng.begin(), kPng.end(), b.begin())) return png_incomplete(b);
  return "";
}

std::vector<unsigned char> read_file_bytes(const std::filesystem::path& file) {
  // Opened non-blocking and checked with fstat, so a FIFO or a device is refused instead of read.
  require_regular_file(file, "image.read");
  const std::string shown = printable(file.string());
  const int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw Error{Errc::io, "image.read: " + shown + ": cannot open: " + std::strerror(errno)};
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    throw Error{Errc::invalid_argument, "image.read: " + shown + ": not a regular file"};
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size > kMaxImageFileBytes)
    throw Error{Errc::invalid_argument, "image.read: " + shown + ": too large for a picture (" +
                                            std::to_string(size >> 20) + " MiB; at most " +
                                            std::to_string(kMaxImageFileBytes >> 20) + " MiB)"};
  std::vector<unsigned char> b(static_cast<std::size_t>(size));
  std::size_t got = 0;
  while (got < b.size()) {
    const ssize_t r = ::read(fd, b.data() + got, b.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw Error{Errc::io, "image.read: " + shown + ": read failed: " + std::strerror(errno)};
    if (r == 0) break;  // shrank since fstat: what was read is what is checked, hashed and decoded
    got += static_cast<std::size_t>(r);
  }
  b.resize(got);
  return b;
}

std::optional<ImageHeaderSize> image_header_size(std::span<const unsigned char> b) {
  const std::size_t n = b.size();
  auto le16 = [&](std::size_t i) { return std::uint32_t(b[i]) | std::uint32_t(b[i + 1]) << 8; };
  auto le24 = [&](std::size_t i) { return le16(i) | std::uint32_t(b[i + 2]) << 16; };
  auto le32 = [&](std::size_t i) { return le16(i) | le16(i + 2) << 16; };
  auto be16 = [&](std::size_t i) { return std::uint32_t(b[i]) << 8 | b[i + 1]; };
  auto sized = [](const char* f, std::uint64_t w, std::uint64_t h) { return ImageHeaderSize{f, w, h}; };
  if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) {
    std::size_t i = 2;
    while (i + 4 <= n) {
      if (b[i] != 0xFF) return std::nullopt;
      while (i < n && b[i] == 0xFF) ++i;
      if (i >= n) return std::nullopt;
      const unsigned char m = b[i++];
      if (m == 0x01 || (m >= 0xD0 && m <= 0xD8)) continue;
      if (m == 0xD9 || m == 0xDA || i + 2 > n) return std::nullopt;  // no frame header before the scan
      const std::size_t len = be16(i);
      // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC): length, precision, height, width.
      if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
        if (len < 7 || i + 7 > n) return std::nullopt;
        return sized("jpeg", be16(i + 5), be16(i + 3));
      }
      if (len < 2) return std::nullopt;
      i += len;
    }
    return std::nullopt;
  }
  static constexpr std::array<unsigned char, 8> kPng{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (n >= 8 && std::equal(kPng.begin(), kPng.end(), b.begin())) {
    if (n < 24 || std::memcmp(b.data() + 12, "IHDR", 4) != 0) return std::nullopt;
    return sized("png", be32(b.data() + 16), be32(b.data() + 20));
  }
  if (n >= 30 && std::memcmp(b.data(), "RIFF", 4) == 0 && std::memcmp(b.data() + 8, "WEBP", 4) == 0) {
    if (std::memcmp(b.data() + 12, "VP8 ", 4) == 0) return sized("webp", le16(26) & 0x3FFF, le16(28) & 0x3FFF);
    if (std::memcmp(b.data() + 12, "VP8L", 4) == 0) {
      const std::uint32_t v = le32(21);
      return sized("webp", (v & 0x3FFF) + 1, ((v >> 14) & 0x3FFF) + 1);
    }
    if (std::memcmp(b.data() + 12, "VP8X", 4) == 0) return sized("webp", le24(24) + 1, le24(27) + 1);
    return std::nullopt;
  }
  if (n >= 26 && b[0] == 'B' && b[1] == 'M') {
    if (le32(14) == 12) return sized("bmp", le16(18), le16(20));  // BITMAPCOREHEADER
    const auto h = static_cast<std::int32_t>(le32(22));           // negative: stored top-down
    return sized("bmp", static_cast<std::int32_t>(le32(18)) < 0 ? 0 : le32(18),
                 static_cast<std::uint64_t>(h < 0 ? -static_cast<std::int64_t>(h) : h));
  }
  if (n >= 8 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0) ||
                 (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42))) {
    const bool little = b[0] == 'I';
    auto u16 = [&](std::size_t i) { return little ? le16(i) : be16(i); };
    auto u32 = [&](std::size_t i) { return little ? le32(i) : be32(b.data() + i); };
    const std::size_t ifd = u32(4);
    if (ifd + 2 > n) return std::nullopt;
    const std::size_t count = u16(ifd);
    std::uint64_t w = 0, h = 0;
    for (std::size_t e = 0; e < count && ifd + 2 + e * 12 + 12 <= n; ++e) {
      const std::size_t at = ifd + 2 + e * 12;
      const std::uint32_t tag = u16(at), type = u16(at + 2);
      const std::uint64_t v = type == 3 ? u16(at + 8) : type == 4 ? u32(at + 8) : 0;
      if (tag == 256) w = v;
      if (tag == 257) h = v;
    }
    if (w == 0 || h == 0) return std::nullopt;
    return sized("tiff", w, h);
  }
  if (n >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') {
    std::uint64_t dims[2] = {0, 0};
    std::size_t i = 2;
    for (auto& d : dims) {
      while (i < n && (std::isspace(b[i]) || b[i] == '#')) {
        if (b[i] == '#')
          while (i < n && b[i] != '\n') ++i;
        else
          ++i;
      }
      if (i >= n || !std::isdigit(b[i])) return std::nullopt;
      for (int digits = 0; i < n && std::isdigit(b[i]); ++i) {
        if (++digits > 12) return std::nullopt;
        d = d * 10 + static_cast<std::uint64_t>(b[i] - '0');
      }
    }
    return sized("pnm", dims[0], dims[1]);
  }
  return std::nullopt;
}

std::string image_bytes_undecodable(std::span<const unsigned char> b) {
  if (b.empty()) return "the file is empty (0 bytes)";
  const auto size = image_header_size(b);
  if (!size)
    return "the picture's size cannot be read from its header (not a JPEG, PNG, TIFF, WebP, BMP or PNM "
           "picture, or a damaged one): not decoded";
  if (size->width == 0 || size->height == 0)
    return "the " + size->format + " header gives a picture of " + std::to_string(size->width) + " x " +
           std::to_string(size->height) + " pixels: not decoded";
  if (size->width * size->height > kMaxImagePixels)
    return "the " + size->format + " picture is " + std::to_string(size->width) + " x " +
           std::to_string(size->height) + " pixels, over the limit of " + std::to_string(kMaxImagePixels) +
           " pixels: not decoded";
  return "";
}

std::string image_file_incomplete(const std::filesystem::path& file) {
  return image_bytes_incomplete(read_file_bytes(file));
}

}  // namespace geo
