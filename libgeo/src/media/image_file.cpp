// SPDX-License-Identifier: Apache-2.0
#include "geo/media/image_file.hpp"

#include <array>
#include <cstdint>
#include <fstream>
#include <vector>

#include "geo/core/error.hpp"

namespace geo {
namespace {

// Walks a JPEG's markers from SOI to EOI. Entropy-coded data follows each SOS header: inside it 0xFF is
// stuffed as FF 00 and restart markers are FF D0-D7, so the first other marker ends the scan.
std::string jpeg_incomplete(const std::vector<unsigned char>& b) {
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
std::string png_incomplete(std::ifstream& in, std::uint64_t size) {
  std::uint64_t at = 8;
  while (true) {
    if (at + 12 > size) return "truncated: the file ends before the PNG IEND chunk";
    std::array<unsigned char, 8> h{};
    in.seekg(std::streamoff(at));
    in.read(reinterpret_cast<char*>(h.data()), 8);
    if (!in) return "truncated: the file ends before the PNG IEND chunk";
    const std::uint64_t len = be32(h.data());
    if (len > 0x7FFFFFFFu) return "corrupt: a PNG chunk of length " + std::to_string(len);
    if (at + 12 + len > size) return "truncated: the file ends inside a PNG chunk";
    if (std::string(reinterpret_cast<char*>(h.data() + 4), 4) == "IEND") return "";
    at += 12 + len;
  }
}

}  // namespace

std::string image_file_incomplete(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error{Errc::io, "cannot open " + file.string()};
  std::array<unsigned char, 8> sig{};
  in.read(reinterpret_cast<char*>(sig.data()), 8);
  const auto got = in.gcount();
  in.clear();
  if (got >= 3 && sig[0] == 0xFF && sig[1] == 0xD8 && sig[2] == 0xFF) {
    in.seekg(0, std::ios::end);
    std::vector<unsigned char> b(size_t(in.tellg()));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(b.data()), std::streamsize(b.size()));
    return jpeg_incomplete(b);
  }
  static constexpr std::array<unsigned char, 8> kPng{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (got == 8 && sig == kPng) {
    in.seekg(0, std::ios::end);
    const auto size = std::uint64_t(in.tellg());
    return png_incomplete(in, size);
  }
  return "";
}

}  // namespace geo
