// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "geo/core/error.hpp"
#include "geo/core/time.hpp"

using namespace geo;

TEST(Time, ParsesUtcAndOffsetsToTheSameInstant) {
  // Apple creationdate of the iPhone sample: 11:25:40 at +03:00 is 08:25:40 UTC.
  const auto local = parse_iso8601("2019-07-24T11:25:40+0300");
  const auto utc = parse_iso8601("2019-07-24T08:25:40Z");
  EXPECT_EQ(local.utc, utc.utc);
  ASSERT_TRUE(local.offset_min);
  EXPECT_EQ(*local.offset_min, 180);
  EXPECT_EQ(format_utc(local.utc), "2019-07-24T08:25:40Z");
  EXPECT_EQ(format_local(local.utc, 180), "2019-07-24T11:25:40+03:00");
  EXPECT_EQ(utc.utc.unix_us, 1563956740LL * 1000000);
}

TEST(Time, ParsesFractionsExifAndNoZone) {
  const auto t = parse_iso8601("2017-02-22T08:20:28.000000Z");
  EXPECT_EQ(t.utc.unix_us, 1487751628LL * 1000000);
  const auto f = parse_iso8601("2017-02-22 08:20:28.25-05:30");
  EXPECT_EQ(f.utc.unix_us, (1487751628LL + 5 * 3600 + 1800) * 1000000 + 250000);
  const auto exif = parse_iso8601("2017:02:22 08:20:28");
  EXPECT_FALSE(exif.has_zone);
  EXPECT_EQ(exif.utc.unix_us, 1487751628LL * 1000000);
  EXPECT_EQ(format_utc(f.utc, 3), "2017-02-22T13:50:28.250Z");
}

TEST(Time, RejectsImpossibleTimes) {
  EXPECT_THROW(parse_iso8601("2023-02-29T00:00:00Z"), Error);
  EXPECT_THROW(parse_iso8601("2023-13-01T00:00:00Z"), Error);
  EXPECT_THROW(parse_iso8601("2023-01-01T25:00:00Z"), Error);
  EXPECT_THROW(parse_iso8601("yesterday"), Error);
  EXPECT_THROW(parse_iso8601("2023-01-01T10:00:00Zjunk"), Error);
  EXPECT_THROW(parse_date("2023-1-01"), Error);
  EXPECT_NO_THROW(parse_iso8601("2024-02-29T00:00:00Z"));
}

TEST(Time, CivilDayRoundTripAcrossCenturies) {
  for (std::int64_t d = -800000; d <= 800000; d += 997) {
    const auto c = civil_from_days(d);
    ASSERT_EQ(days_from_civil(c.year, c.month, c.day), d);
  }
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(format_utc(UtcTime{-1000000}), "1969-12-31T23:59:59Z");
}

TEST(Time, OffsetsParseAndFormat) {
  EXPECT_EQ(parse_utc_offset("+07:00"), 420);
  EXPECT_EQ(parse_utc_offset("-0930"), -570);
  EXPECT_EQ(parse_utc_offset("Z"), 0);
  EXPECT_EQ(format_utc_offset(-570), "-09:30");
  EXPECT_THROW(parse_utc_offset("+7"), Error);
}
