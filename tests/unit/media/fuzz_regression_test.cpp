// SPDX-License-Identifier: Apache-2.0
// GPMF payloads found by fuzz_gpmf (tests/fuzz), rebuilt here from their KLV entries.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "geo/core/time.hpp"
#include "geo/media/telemetry.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;

void put_be(Bytes& b, std::uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// One KLV entry: key, type, structure size, repeat, then the value padded to 4 bytes.
Bytes klv(const std::string& key, char type, std::uint8_t struct_size, std::uint16_t repeat, const Bytes& value) {
  Bytes b(key.begin(), key.end());
  b.push_back(static_cast<std::uint8_t>(type));
  b.push_back(struct_size);
  put_be(b, repeat, 2);
  b.insert(b.end(), value.begin(), value.end());
  while (b.size() % 4) b.push_back(0);
  return b;
}

Bytes nest(const std::string& key, const std::vector<Bytes>& children) {
  Bytes inner;
  for (const auto& c : children) inner.insert(inner.end(), c.begin(), c.end());
  return klv(key, 0, 1, static_cast<std::uint16_t>(inner.size()), inner);
}

// DEVC > STRM with SCAL 1e7/1e7/1000/1000/100, one GPS5 record at 33.1264969, -117.3273542, plus `extra`.
Bytes gps_payload(const std::vector<Bytes>& extra) {
  Bytes scal, gps5;
  for (std::uint32_t s : {10000000u, 10000000u, 1000u, 1000u, 100u}) put_be(scal, s, 4);
  for (std::int32_t v : {331264969, -1173273542, -20184, 167, 19}) put_be(gps5, static_cast<std::uint32_t>(v), 4);
  std::vector<Bytes> entries = {klv("SCAL", 'l', 4, 5, scal)};
  entries.insert(entries.end(), extra.begin(), extra.end());
  entries.push_back(klv("GPS5", 'l', 20, 1, gps5));
  return nest("DEVC", {nest("STRM", entries)});
}

}  // namespace

// GPSF as a 'L' of 4211020000: the cast to int was undefined behaviour (UBSan: float-cast-overflow).
// A fix value outside 0..3 is now ignored with a diagnostic; the sample stays.
TEST(FuzzRegression, GpmfGpsfOutOfRange) {
  Bytes v;
  put_be(v, 4211020000u, 4);
  const Bytes b = gps_payload({klv("GPSF", 'L', 4, 1, v)});
  std::vector<geo::TelemetrySample> out;
  geo::Diagnostics d;
  EXPECT_EQ(geo::parse_gpmf_payload(b.data(), b.size(), 0.0, 1.0, out, d), 1u);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NEAR(out[0].point.lat_deg, 33.1264969, 1e-9);
  EXPECT_FALSE(out[0].gps_fix);
  EXPECT_TRUE(d.has("gpmf.malformed"));

  Bytes zero;
  put_be(zero, 0, 4);
  const Bytes unlocked = gps_payload({klv("GPSF", 'L', 4, 1, zero)});
  out.clear();
  geo::Diagnostics d2;
  geo::parse_gpmf_payload(unlocked.data(), unlocked.size(), 0.0, 1.0, out, d2);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].locked);
  EXPECT_FALSE(d2.has("gpmf.malformed"));
}

// GPSU "yymmddhhmmss.sss" whose '.' is an exponent: std::stod("12e999") threw std::out_of_range out of
// the parser. Such a GPSU is now not a time (samples without UTC, "gpmf.no_gpsu"); a real one still is.
TEST(FuzzRegression, GpmfGpsuWithoutPoint) {
  auto run = [](const std::string& gpsu, geo::Diagnostics& d) {
    const Bytes b = gps_payload({klv("GPSU", 'U', 16, 1, Bytes(gpsu.begin(), gpsu.end()))});
    std::vector<geo::TelemetrySample> out;
    EXPECT_NO_THROW(geo::parse_gpmf_payload(b.data(), b.size(), 0.0, 1.0, out, d));
    return out;
  };
  for (const char* bad : {"1704171731" "12e999", "1704171731" "12x999"}) {
    geo::Diagnostics d;
    const auto out = run(bad, d);
    ASSERT_EQ(out.size(), 1u) << bad;
    EXPECT_FALSE(out[0].utc) << bad;
    EXPECT_TRUE(d.has("gpmf.no_gpsu")) << bad;
  }
  geo::Diagnostics d;
  const auto out = run("170417173103.250", d);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].utc);
  EXPECT_EQ(geo::format_utc(*out[0].utc, 3), "2017-04-17T17:31:03.250Z");
}
