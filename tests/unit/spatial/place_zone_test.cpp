// SPDX-License-Identifier: Apache-2.0
// The zone at a place, at the compounds' borders where it matters: Myawaddy (Myanmar, UTC+6:30) and
// Mae Sot (Thailand, UTC+7) lie 5 km apart across the Moei river.
#include <gtest/gtest.h>

#include "geo/spatial/place_zone.hpp"

namespace {

struct Place {
  const char* what;
  double lat, lon;
  const char* zone;
  int offset_min;
};

TEST(PlaceZone, TheZoneOfTheCountryThatHoldsThePlace) {
  const auto t = geo::parse_iso8601("2025-03-15T02:30:00Z").utc;
  const Place places[] = {
      {"Phnom Penh", 11.5564, 104.9282, "Asia/Phnom_Penh", 420},
      {"Sihanoukville", 10.6093, 103.5296, "Asia/Phnom_Penh", 420},
      {"KK Park, Myawaddy", 16.631, 98.557, "Asia/Yangon", 390},
      {"Shwe Kokko", 16.8205, 98.5309, "Asia/Yangon", 390},
      {"Mae Sot", 16.7130, 98.5740, "Asia/Bangkok", 420},
      {"Poipet", 13.6590, 102.5630, "Asia/Phnom_Penh", 420},
      {"Vientiane", 17.9757, 102.6331, "Asia/Vientiane", 420},
      {"Ho Chi Minh City", 10.8231, 106.6297, "Asia/Ho_Chi_Minh", 420},
      {"Berlin", 52.52, 13.405, "Europe/Berlin", 60},
  };
  for (const auto& p : places) {
    SCOPED_TRACE(p.what);
    const auto z = geo::spatial::zone_at({p.lat, p.lon});
    ASSERT_TRUE(z.has_value());
    EXPECT_EQ(z->zone.name(), p.zone);
    EXPECT_EQ(z->zone.offset_s(t) / 60, p.offset_min);
  }
  // KK Park lies on the Moei river, on the Thai side of the generalised outline: the registry site decides.
  const auto kk = geo::spatial::zone_at({16.631, 98.557});
  EXPECT_EQ(kk->country_code, "MM");
  EXPECT_NE(kk->method.find("registry site KK Park (MM)"), std::string::npos) << kk->method;
  EXPECT_EQ(geo::spatial::zone_at({11.5564, 104.9282})->method, "country outline");
  // The open sea (Gulf of Thailand) has no country and so no zone.
  EXPECT_FALSE(geo::spatial::zone_at({9.5, 101.5}).has_value());
}

}  // namespace
