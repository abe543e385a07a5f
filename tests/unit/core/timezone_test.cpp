// SPDX-License-Identifier: Apache-2.0
// Time zones from the system's tz database, against offsets published in the IANA database itself:
// Cambodia UTC+7 (no DST), Myanmar UTC+6:30, and a zone with DST (Europe/Berlin, +1/+2).
#include <gtest/gtest.h>

#include "geo/core/error.hpp"
#include "geo/core/timezone.hpp"

namespace {

using geo::TimeZone;

std::string refusal(std::string_view text, const std::optional<TimeZone>& zone) {
  try {
    geo::parse_time_with_zone(text, zone);
  } catch (const geo::Error& e) {
    return e.what();
  }
  return "";
}

TEST(TimeZone, PhnomPenhIsSevenHoursAndYangonSixAndAHalfAhead) {
  const auto pp = TimeZone::named("Asia/Phnom_Penh");
  const auto yg = TimeZone::named("Asia/Yangon");
  const auto t = geo::parse_iso8601("2025-03-15T02:30:00Z").utc;
  EXPECT_EQ(pp.offset_s(t), 7 * 3600);
  EXPECT_EQ(yg.offset_s(t), 6 * 3600 + 1800);
  // A witness's 09:30 in Phnom Penh is 02:30 UTC; in Yangon 03:00 UTC.
  EXPECT_EQ(geo::parse_time_with_zone("2025-03-15T09:30", pp).utc, t);
  EXPECT_EQ(geo::parse_time_with_zone("2025-03-15T09:30", yg).utc.unix_us, t.unix_us + 1800LL * 1000000);
  EXPECT_EQ(geo::format_in_zone(t, pp), "2025-03-15T09:30:00+07:00 (Asia/Phnom_Penh)");
  EXPECT_EQ(geo::format_in_zone(t, yg), "2025-03-15T09:00:00+06:30 (Asia/Yangon)");
  EXPECT_EQ(geo::format_utc_and_local(t, &pp), "2025-03-15T02:30:00Z (09:30:00 local on 2025-03-15, +07:00 Asia/Phnom_Penh)");
  const auto fixed = TimeZone::named("+07:00");
  EXPECT_EQ(geo::format_utc_and_local(t, &fixed), "2025-03-15T02:30:00Z (09:30:00 local on 2025-03-15, +07:00)");
  EXPECT_EQ(geo::format_utc_and_local(t, nullptr), "2025-03-15T02:30:00Z");
  // A time with its own offset keeps it, whatever --tz says.
  EXPECT_EQ(geo::parse_time_with_zone("2025-03-15T09:30+07:00", yg).utc, t);
}

TEST(TimeZone, FixedOffsetsInEveryCommonSpelling) {
  const auto t = geo::parse_iso8601("2025-03-15T02:30:00Z").utc;
  for (const char* s : {"+07:00", "+0700", "+7", "UTC+7", "GMT+07:00", "utc+07"}) {
    SCOPED_TRACE(s);
    const auto z = TimeZone::named(s);
    EXPECT_EQ(z.offset_s(t), 7 * 3600);
    EXPECT_EQ(z.name(), "UTC+07:00");
  }
  EXPECT_EQ(TimeZone::named("+06:30").offset_s(t), 6 * 3600 + 1800);
  EXPECT_EQ(TimeZone::named("-03:30").offset_s(t), -(3 * 3600 + 1800));
  EXPECT_EQ(TimeZone::named("Z").offset_s(t), 0);
}

TEST(TimeZone, AZonelessTimeWithoutTzIsRefusedNamingTheFix) {
  const auto m = refusal("2025-03-15T09:30", std::nullopt);
  EXPECT_NE(m.find("has no zone"), std::string::npos) << m;
  EXPECT_NE(m.find("--tz"), std::string::npos) << m;
  EXPECT_NE(m.find("+07:00"), std::string::npos) << m;
  EXPECT_EQ(refusal("2025-03-15T09:30Z", std::nullopt), "");
}

TEST(TimeZone, UnknownZonesAndDstGapsAreRefused) {
  for (const char* s : {"Asia/Phnom_Pen", "Mars/Olympus", "../../etc/passwd", "", "+25:00", "UTC+7:5"}) {
    SCOPED_TRACE(s);
    EXPECT_THROW(TimeZone::named(s), geo::Error);
  }
  const auto berlin = TimeZone::named("Europe/Berlin");
  // 2025-03-30 02:30 does not exist in Berlin (clocks went from 02:00 to 03:00).
  const auto m = refusal("2025-03-30T02:30", berlin);
  EXPECT_NE(m.find("does not exist in Europe/Berlin"), std::string::npos) << m;
  // 2025-10-26 02:30 happened twice: the earlier (CEST, +02:00) is taken and flagged.
  bool ambiguous = false;
  const auto t = berlin.to_utc({2025, 10, 26}, 2, 30, 0, &ambiguous);
  EXPECT_TRUE(ambiguous);
  EXPECT_EQ(t, geo::parse_iso8601("2025-10-26T00:30:00Z").utc);
  EXPECT_EQ(berlin.offset_s(geo::parse_iso8601("2025-07-01T12:00:00Z").utc), 7200);
  EXPECT_EQ(berlin.offset_s(geo::parse_iso8601("2025-01-01T12:00:00Z").utc), 3600);
}

}  // namespace
