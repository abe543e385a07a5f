// SPDX-License-Identifier: Apache-2.0
#include "geo/media/image_file.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <span>
#include <vector>

#include "geo/core/error.hpp"

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
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error{Errc::io, "cannot open " + file.string()};
  std::vector<unsigned char> b;
  in.seekg(0, std::ios::end);
  const auto end = in.tellg();
  if (end < 0) throw Error{Errc::io, "cannot read " + file.string()};
  b.resize(size_t(end));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(b.data()), std::streamsize(b.size()));
  if (in.gcount() != std::streamsize(b.size())) throw Error{Errc::io, "cannot read " + file.string()};
  return b;
}

std::string image_file_incomplete(const std::filesystem::path& file) {
  return image_bytes_incomplete(read_file_bytes(file));
}

}  // namespace geo
