// SPDX-License-Identifier: Apache-2.0
// GoPro GPMF: a tree of KLV entries. Key: 4 ASCII bytes; then type (1 byte, 0 = nested), structure size
// (1 byte) and repeat count (2 bytes, big-endian); the value is size*repeat bytes padded to 4.
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "geo/core/text.hpp"
#include "geo/media/telemetry.hpp"

namespace geo {
namespace {

struct Klv {
  std::string key;
  char type = 0;
  std::size_t struct_size = 0;
  std::size_t repeat = 0;
  const std::uint8_t* data = nullptr;
  std::size_t data_size() const { return struct_size * repeat; }
};

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}
std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

// Iterates the entries at one level; false (with a diagnostic) when an entry overruns the buffer.
template <typename Fn>
bool each_klv(const std::uint8_t* data, std::size_t size, Diagnostics& diags, Fn&& fn) {
  std::size_t p = 0;
  while (p + 8 <= size) {
    Klv k;
    k.key.assign(reinterpret_cast<const char*>(data + p), 4);
    k.type = static_cast<char>(data[p + 4]);
    k.struct_size = data[p + 5];
    k.repeat = be16(data + p + 6);
    k.data = data + p + 8;
    const std::size_t padded = (k.data_size() + 3) & ~std::size_t(3);
    if (p + 8 + padded > size) {
      if (k.key == std::string(4, '\0')) return true;  // zero padding at the end of a payload
      diags.warn("gpmf.malformed", "GPMF entry '" + printable(k.key) + "' runs past the end of its payload; rest skipped");
      return false;
    }
    fn(k);
    p += 8 + padded;
  }
  return true;
}

// Numeric values of an entry (big-endian), as doubles; empty for types not handled.
std::vector<double> numbers(const Klv& k) {
  std::vector<double> out;
  std::size_t elem = 0;
  switch (k.type) {
    case 'b': case 'B': elem = 1; break;
    case 's': case 'S': elem = 2; break;
    case 'l': case 'L': case 'f': elem = 4; break;
    case 'd': case 'j': case 'J': elem = 8; break;
    default: return out;
  }
  const std::size_t n = k.data_size() / elem;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* p = k.data + i * elem;
    switch (k.type) {
      case 'b': out.push_back(static_cast<std::int8_t>(p[0])); break;
      case 'B': out.push_back(p[0]); break;
      case 's': out.push_back(static_cast<std::int16_t>(be16(p))); break;
      case 'S': out.push_back(be16(p)); break;
      case 'l': out.push_back(static_cast<std::int32_t>(be32(p))); break;
      case 'L': out.push_back(be32(p)); break;
      case 'f': { std::uint32_t u = be32(p); float f; std::memcpy(&f, &u, 4); out.push_back(f); break; }
      case 'd': case 'j': case 'J': {
        const std::uint64_t u = (std::uint64_t(be32(p)) << 32) | be32(p + 4);
        if (k.type == 'd') { double d; std::memcpy(&d, &u, 8); out.push_back(d); }
        else if (k.type == 'j') out.push_back(static_cast<double>(static_cast<std::int64_t>(u)));
        else out.push_back(static_cast<double>(u));
        break;
      }
    }
  }
  return out;
}

// GPSU "yymmddhhmmss.sss" (UTC).
std::optional<UtcTime> parse_gpsu(const Klv& k) {
  if (k.data_size() < 16) return std::nullopt;
  const std::string s(reinterpret_cast<const char*>(k.data), 16);
  for (int i : {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15})
    if (!std::isdigit(static_cast<unsigned char>(s[static_cast<std::size_t>(i)]))) return std::nullopt;
  if (s[12] != '.') return std::nullopt;  // else std::stod would read "12e999" (and throw) or "12x999"
  const int y = 2000 + std::stoi(s.substr(0, 2)), mo = std::stoi(s.substr(2, 2)), d = std::stoi(s.substr(4, 2));
  const int h = std::stoi(s.substr(6, 2)), mi = std::stoi(s.substr(8, 2));
  const double sec = std::stod(s.substr(10, 6));
  if (!is_valid_date(y, mo, d) || h > 23 || mi > 59 || sec >= 61) return std::nullopt;
  return utc_from_civil(CivilDate{y, mo, d}, h, mi, sec);
}

// Karma drone "GPS RAW" (GPRI): a complex structure described by TYPE "JlllSSSSBB" (receiver time,
// lat, lon, alt, ...), scaled per field by SCAL. Only lat/lon/alt are used; the receiver time is not UTC.
void parse_gpri(const Klv& k, const std::string& type_desc, const std::vector<double>& scal, double t0_s,
                double duration_s, std::vector<TelemetrySample>& out, Diagnostics& diags) {
  if (k.type != '?' || type_desc.rfind("Jlll", 0) != 0 || scal.size() < 4 || k.struct_size < 20) {
    diags.warn("gpmf.malformed", "GPRI entry with an unknown TYPE '" + printable(type_desc) + "'; skipped");
    return;
  }
  for (std::size_t i = 0; i < k.repeat; ++i) {
    const std::uint8_t* r = k.data + i * k.struct_size;
    TelemetrySample s;
    const double frac = static_cast<double>(i) / static_cast<double>(k.repeat);
    s.t_s = t0_s + frac * duration_s;
    s.point.lat_deg = static_cast<std::int32_t>(be32(r + 8)) / (scal[1] == 0 ? 1.0 : scal[1]);
    s.point.lon_deg = static_cast<std::int32_t>(be32(r + 12)) / (scal[2] == 0 ? 1.0 : scal[2]);
    s.point.h_m = static_cast<std::int32_t>(be32(r + 16)) / (scal[3] == 0 ? 1.0 : scal[3]);
    if (s.point.lat_deg == 0 && s.point.lon_deg == 0) s.locked = false;
    if (!is_valid(s.point)) {
      diags.warn("gpmf.bad_position", "GPRI sample out of range; skipped");
      continue;
    }
    out.push_back(s);
  }
  if (!diags.has("gpmf.gpri_no_utc"))
    diags.info("gpmf.gpri_no_utc",
             "Karma GPS RAW (GPRI) records carry receiver-relative time, not UTC: samples have no utc");
}

void parse_stream(const std::uint8_t* data, std::size_t size, double t0_s, double duration_s,
                  std::vector<TelemetrySample>& out, Diagnostics& diags, std::size_t& blocks) {
  std::vector<double> scal;
  std::optional<UtcTime> gpsu;
  std::optional<int> fix;
  std::optional<double> dop;
  const Klv* gps5 = nullptr;
  Klv gps5_copy, gpri;
  std::string type_desc;
  each_klv(data, size, diags, [&](const Klv& k) {
    if (k.key == "SCAL") scal = numbers(k);
    else if (k.key == "GPSU") gpsu = parse_gpsu(k);
    else if (k.key == "GPSF") {
      auto v = numbers(k);
      if (!v.empty() && v[0] >= 0 && v[0] <= 3) fix = static_cast<int>(v[0]);  // 0 none, 2 2D, 3 3D
      else if (!v.empty()) diags.warn("gpmf.malformed", "GPSF value out of range (not 0..3); ignored");
    }
    else if (k.key == "GPSP") { auto v = numbers(k); if (!v.empty()) dop = v[0] / 100.0; }
    else if (k.key == "GPS5") { gps5_copy = k; gps5 = &gps5_copy; }
    else if (k.key == "TYPE" && k.type == 'c') type_desc.assign(reinterpret_cast<const char*>(k.data), k.data_size());
    else if (k.key == "GPRI") gpri = k;
  });
  if (!gps5 && gpri.data) {
    parse_gpri(gpri, type_desc, scal, t0_s, duration_s, out, diags);
    ++blocks;
    return;
  }
  if (!gps5) return;
  ++blocks;
  if (gps5->type != 'l' || gps5->struct_size != 20) {
    diags.warn("gpmf.malformed", "GPS5 entry with unexpected type/size; skipped");
    return;
  }
  const auto raw = numbers(*gps5);
  const std::size_t n = raw.size() / 5;
  if (n == 0) return;
  auto scale = [&](std::size_t i) {
    if (scal.empty()) return 1.0;
    const double s = scal.size() >= 5 ? scal[i] : scal[0];
    return s == 0 ? 1.0 : s;
  };
  if (scal.empty()) diags.warn("gpmf.no_scal", "GPS5 without SCAL; values used unscaled");
  if (!gpsu && !diags.has("gpmf.no_gpsu")) diags.warn("gpmf.no_gpsu", "GPS5 payload without GPSU: samples have no UTC time");
  const bool locked = !fix || *fix >= 2;
  if (!locked) diags.warn("gps.no_lock", "GPS before lock (GPSF 0): samples marked locked=false", "pts " + std::to_string(t0_s) + " s");
  for (std::size_t i = 0; i < n; ++i) {
    TelemetrySample s;
    const double frac = static_cast<double>(i) / static_cast<double>(n);
    s.t_s = t0_s + frac * duration_s;
    if (gpsu) s.utc = UtcTime{gpsu->unix_us + static_cast<std::int64_t>(std::llround(frac * duration_s * 1e6))};
    s.point.lat_deg = raw[i * 5 + 0] / scale(0);
    s.point.lon_deg = raw[i * 5 + 1] / scale(1);
    s.point.h_m = raw[i * 5 + 2] / scale(2);
    s.speed_mps = raw[i * 5 + 3] / scale(3);
    s.gps_fix = fix;
    s.dop = dop;
    s.locked = locked;
    if (!is_valid(s.point)) {
      diags.warn("gpmf.bad_position", "GPS5 sample out of range; skipped");
      continue;
    }
    out.push_back(s);
  }
}

}  // namespace

std::size_t parse_gpmf_payload(const std::uint8_t* data, std::size_t size, double t0_s, double duration_s,
                               std::vector<TelemetrySample>& out, Diagnostics& diags) {
  std::size_t blocks = 0;
  each_klv(data, size, diags, [&](const Klv& devc) {
    if (devc.key != "DEVC" || devc.type != 0) return;
    each_klv(devc.data, devc.data_size(), diags, [&](const Klv& strm) {
      if (strm.key != "STRM" || strm.type != 0) return;
      parse_stream(strm.data, strm.data_size(), t0_s, duration_s, out, diags, blocks);
    });
  });
  return blocks;
}

}  // namespace geo
