// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "geo/media/telemetry.hpp"
#include "support/support.hpp"

namespace {
namespace fs = std::filesystem;

std::vector<std::uint8_t> read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

// karma.raw: a Karma drone payload whose GPS is "GPS RAW" (GPRI, TYPE "JlllSSSSBB"), 4 records.
// Reference decoded independently with Python's struct module: first record lat 331253680, lon
// -1173310641, alt 15445 with SCAL 1e7, 1e7, 1000.
TEST(Gpmf, KarmaRawPayloadGpri) {
  const fs::path f = geo::test::shared("media/gopro-gpmf/karma.raw");
  if (!fs::exists(f)) GTEST_SKIP();
  const auto bytes = read_all(f);
  std::vector<geo::TelemetrySample> out;
  geo::Diagnostics d;
  EXPECT_EQ(geo::parse_gpmf_payload(bytes.data(), bytes.size(), 0.0, 1.0, out, d), 1u);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_NEAR(out[0].point.lat_deg, 33.1253680, 1e-9);
  EXPECT_NEAR(out[0].point.lon_deg, -117.3310641, 1e-9);
  EXPECT_NEAR(*out[0].point.h_m, 15.445, 1e-9);
  EXPECT_FALSE(out[0].utc);
  EXPECT_TRUE(d.has("gpmf.gpri_no_utc"));
  EXPECT_FALSE(d.has("gpmf.malformed"));
}

// hero5.raw: one GPS5 entry of 18 samples. Reference decoded independently with Python's struct module
// from the bytes: first GPS5 record (331264969, -1173273542, -20184, 167, 19), SCAL (1e7, 1e7, 1000, 1000,
// 100), GPSF 3, GPSU "170417173103.000".
TEST(Gpmf, Hero5RawPayload) {
  const fs::path f = geo::test::shared("media/gopro-gpmf/hero5.raw");
  if (!fs::exists(f)) GTEST_SKIP();
  const auto bytes = read_all(f);
  std::vector<geo::TelemetrySample> out;
  geo::Diagnostics d;
  EXPECT_EQ(geo::parse_gpmf_payload(bytes.data(), bytes.size(), 0.0, 1.0, out, d), 1u);
  ASSERT_EQ(out.size(), 18u);
  EXPECT_NEAR(out[0].point.lat_deg, 33.1264969, 1e-9);
  EXPECT_NEAR(out[0].point.lon_deg, -117.3273542, 1e-9);
  EXPECT_NEAR(*out[0].point.h_m, -20.184, 1e-9);
  EXPECT_NEAR(*out[0].speed_mps, 0.167, 1e-9);
  ASSERT_TRUE(out[0].gps_fix);
  EXPECT_EQ(*out[0].gps_fix, 3);
  EXPECT_TRUE(out[0].locked);
  ASSERT_TRUE(out[0].utc);
  EXPECT_EQ(geo::format_utc(*out[0].utc), "2017-04-17T17:31:03Z");
  for (std::size_t i = 1; i < out.size(); ++i) EXPECT_GT(out[i].t_s, out[i - 1].t_s);
  EXPECT_LT(out.back().t_s, 1.0);
}

TEST(Gpmf, TruncatedAndRandomPayloadsNeverReadOutOfBounds) {
  const fs::path f = geo::test::shared("media/gopro-gpmf/hero5.raw");
  if (!fs::exists(f)) GTEST_SKIP();
  const auto bytes = read_all(f);
  for (std::size_t cut : {std::size_t(0), std::size_t(7), bytes.size() / 3, bytes.size() / 2, bytes.size() - 1}) {
    std::vector<geo::TelemetrySample> out;
    geo::Diagnostics d;
    std::vector<std::uint8_t> part(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
    geo::parse_gpmf_payload(part.data(), part.size(), 0.0, 1.0, out, d);
    for (const auto& s : out) EXPECT_TRUE(geo::is_valid(s.point));
  }
  const std::string noise = geo::test::random_bytes(5000, 3);
  std::vector<geo::TelemetrySample> out;
  geo::Diagnostics d;
  geo::parse_gpmf_payload(reinterpret_cast<const std::uint8_t*>(noise.data()), noise.size(), 0, 1, out, d);
  EXPECT_TRUE(out.empty());
}

// A hand-built payload: DEVC{STRM{GPSF 0, GPSU, SCAL, GPS5 x2}} -> two samples marked unlocked.
TEST(Gpmf, SyntheticNoLockPayload) {
  std::vector<std::uint8_t> strm;
  auto put32 = [](std::vector<std::uint8_t>& v, std::uint32_t x) {
    for (int s = 24; s >= 0; s -= 8) v.push_back(static_cast<std::uint8_t>(x >> s));
  };
  auto entry = [&](std::vector<std::uint8_t>& v, const char* key, char type, int size, int repeat) {
    v.insert(v.end(), key, key + 4);
    v.push_back(static_cast<std::uint8_t>(type));
    v.push_back(static_cast<std::uint8_t>(size));
    v.push_back(static_cast<std::uint8_t>(repeat >> 8));
    v.push_back(static_cast<std::uint8_t>(repeat & 0xFF));
  };
  entry(strm, "GPSF", 'L', 4, 1);
  put32(strm, 0);
  entry(strm, "GPSU", 'U', 16, 1);
  for (char c : std::string("170417192657.000")) strm.push_back(static_cast<std::uint8_t>(c));
  entry(strm, "SCAL", 'l', 4, 5);
  for (std::uint32_t s : {10000000u, 10000000u, 1000u, 1000u, 100u}) put32(strm, s);
  entry(strm, "GPS5", 'l', 20, 2);
  for (int k = 0; k < 2; ++k)
    for (std::int32_t x : {331254000, -1173311000, 12345, 5000, 500}) put32(strm, static_cast<std::uint32_t>(x));
  std::vector<std::uint8_t> devc;
  entry(devc, "STRM", 0, 1, static_cast<int>(strm.size()));
  devc.insert(devc.end(), strm.begin(), strm.end());
  std::vector<std::uint8_t> payload;
  entry(payload, "DEVC", 0, 1, static_cast<int>(devc.size()));
  payload.insert(payload.end(), devc.begin(), devc.end());
  std::vector<geo::TelemetrySample> out;
  geo::Diagnostics d;
  EXPECT_EQ(geo::parse_gpmf_payload(payload.data(), payload.size(), 10.0, 1.0, out, d), 1u);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_NEAR(out[0].point.lat_deg, 33.1254, 1e-9);
  EXPECT_NEAR(out[0].point.lon_deg, -117.3311, 1e-9);
  EXPECT_NEAR(*out[0].point.h_m, 12.345, 1e-9);
  EXPECT_NEAR(*out[0].speed_mps, 5.0, 1e-9);
  EXPECT_NEAR(out[1].t_s, 10.5, 1e-9);
  EXPECT_FALSE(out[0].locked);
  EXPECT_TRUE(d.has("gps.no_lock"));
  EXPECT_EQ(geo::format_utc(*out[0].utc), "2017-04-17T19:26:57Z");
  EXPECT_EQ(geo::format_utc(*out[1].utc, 1), "2017-04-17T19:26:57.5Z");
}
