// SPDX-License-Identifier: Apache-2.0
// 3GPP 'loci' (TS 26.244): libav does not expose it, so it is read from the MP4 box tree here.
#include <cstring>
#include <fstream>
#include <vector>

#include "media/probe_internal.hpp"

namespace geo::detail {
namespace {

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

// Children [offset, end) of a box payload: calls fn(type, payload, payload_size) for each.
template <typename Fn>
void each_box(const unsigned char* data, std::size_t size, Fn&& fn) {
  std::size_t p = 0;
  while (p + 8 <= size) {
    std::uint64_t len = be32(data + p);
    std::size_t header = 8;
    if (len == 1) {
      if (p + 16 > size) return;
      len = (std::uint64_t(be32(data + p + 8)) << 32) | be32(data + p + 12);
      header = 16;
    } else if (len == 0) {
      len = size - p;
    }
    if (len < header || len > size - p) return;
    fn(std::string(reinterpret_cast<const char*>(data + p + 4), 4), data + p + header,
       static_cast<std::size_t>(len - header));
    p += static_cast<std::size_t>(len);
  }
}

std::optional<Location> parse_loci(const unsigned char* d, std::size_t n, Diagnostics& diags) {
  // version/flags(4) language(2) name(string) role(1) lon(4) lat(4) alt(4), fixed-point 16.16
  if (n < 6 + 1 + 1 + 12) return std::nullopt;
  std::size_t p = 6;
  if (p + 1 < n && d[p] == 0xFE && d[p + 1] == 0xFF) {  // UTF-16 name, ends with two zero bytes
    p += 2;
    while (p + 1 < n && !(d[p] == 0 && d[p + 1] == 0)) p += 2;
    p += 2;
  } else {
    while (p < n && d[p] != 0) ++p;
    ++p;
  }
  p += 1;  // role
  if (p + 12 > n) {
    diags.warn("tag.unparsed", "3GPP loci box too short", "3gpp:loci");
    return std::nullopt;
  }
  auto fixed = [&](std::size_t at) { return static_cast<std::int32_t>(be32(d + at)) / 65536.0; };
  Location loc;
  loc.point.lon_deg = fixed(p);
  loc.point.lat_deg = fixed(p + 4);
  loc.point.h_m = fixed(p + 8);
  loc.source = "3gpp:loci";
  loc.raw = "lon " + std::to_string(loc.point.lon_deg) + " lat " + std::to_string(loc.point.lat_deg);
  if (!is_valid(loc.point)) {
    diags.warn("tag.unparsed", "3GPP loci position out of range: " + loc.raw, "3gpp:loci");
    return std::nullopt;
  }
  return loc;
}

}  // namespace

std::optional<Location> read_3gpp_loci(const std::filesystem::path& file, Diagnostics& diags) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  // Walk top-level boxes by their headers; read only 'moov' into memory.
  std::uint64_t offset = 0;
  std::error_code ec;
  const std::uint64_t file_size = std::filesystem::file_size(file, ec);
  while (!ec && offset + 8 <= file_size) {
    unsigned char h[16];
    in.seekg(static_cast<std::streamoff>(offset));
    if (!in.read(reinterpret_cast<char*>(h), 8)) return std::nullopt;
    std::uint64_t len = be32(h);
    std::uint64_t header = 8;
    if (len == 1) {
      if (!in.read(reinterpret_cast<char*>(h + 8), 8)) return std::nullopt;
      len = (std::uint64_t(be32(h + 8)) << 32) | be32(h + 12);
      header = 16;
    } else if (len == 0) {
      len = file_size - offset;
    }
    if (len < header || offset + len > file_size) return std::nullopt;
    if (std::memcmp(h + 4, "moov", 4) == 0) {
      if (len - header > (std::uint64_t(256) << 20)) return std::nullopt;
      std::vector<unsigned char> moov(static_cast<std::size_t>(len - header));
      if (!in.read(reinterpret_cast<char*>(moov.data()), static_cast<std::streamsize>(moov.size()))) return std::nullopt;
      std::optional<Location> found;
      auto scan_udta = [&](const unsigned char* d, std::size_t n) {
        each_box(d, n, [&](const std::string& type, const unsigned char* pd, std::size_t pn) {
          if (type == "loci" && !found) found = parse_loci(pd, pn, diags);
        });
      };
      each_box(moov.data(), moov.size(), [&](const std::string& type, const unsigned char* d, std::size_t n) {
        if (type == "udta") scan_udta(d, n);
        if (type == "trak")
          each_box(d, n, [&](const std::string& t2, const unsigned char* d2, std::size_t n2) {
            if (t2 == "udta") scan_udta(d2, n2);
          });
      });
      return found;
    }
    offset += len;
  }
  return std::nullopt;
}

}  // namespace geo::detail
