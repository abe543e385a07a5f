// SPDX-License-Identifier: Apache-2.0
// Inputs found by the libFuzzer targets (tests/fuzz): each must be rejected with a geo::Error.
#include <gtest/gtest.h>

#include "geo/core/error.hpp"
#include "geo/core/json.hpp"
#include "geo/core/time.hpp"
#include "support/support.hpp"

namespace {

geo::Errc code_of(auto&& fn) {
  try {
    fn();
  } catch (const geo::Error& e) {
    return e.code();
  }
  ADD_FAILURE() << "no geo::Error thrown";
  return geo::Errc::external;
}

}  // namespace

// nlohmann reports a number beyond double's range as out_of_range (406), not as a parse_error: it used
// to escape read_json_file as a foreign exception (fuzz_shadow_observations, "4E111111111111166").
TEST(FuzzRegression, JsonNumberOverflowIsCorruptData) {
  geo::test::ScratchDir dir;
  for (const char* text : {"4E111111111111166", "{\"observations\": [{\"length_ratio\": 1e400}]}", "[-1e309]"}) {
    geo::test::write_bytes(dir / "in.json", text);
    EXPECT_EQ(code_of([&] { (void)geo::read_json_file(dir / "in.json"); }), geo::Errc::corrupt_data) << text;
  }
  geo::test::write_bytes(dir / "in.json", "[1e308]");
  EXPECT_DOUBLE_EQ(geo::read_json_file(dir / "in.json")[0].get<double>(), 1e308);
}

// Zone offsets span -18:00..+18:00; "-1818" (18 h 18 min) was accepted (fuzz_time).
TEST(FuzzRegression, UtcOffsetBeyond18HoursIsRejected) {
  EXPECT_EQ(geo::parse_utc_offset("+18:00"), 18 * 60);
  EXPECT_EQ(geo::parse_utc_offset("-1800"), -18 * 60);
  for (const char* text : {"-1818", "+18:01", "+18:59"})
    EXPECT_EQ(code_of([&] { (void)geo::parse_utc_offset(text); }), geo::Errc::invalid_argument) << text;
  EXPECT_EQ(code_of([] { (void)geo::parse_iso8601("2020-01-01T00:00:00+18:30"); }), geo::Errc::invalid_argument);
  EXPECT_EQ(geo::format_utc(geo::parse_iso8601("2020-01-01T18:00:00+18:00").utc), "2020-01-01T00:00:00Z");
}
