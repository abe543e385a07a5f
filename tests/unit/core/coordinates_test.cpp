// SPDX-License-Identifier: Apache-2.0
// Coordinates as people paste them: every accepted form to 1e-7 degrees (about 1 cm), and the
// malformed or impossible ones each with its one-line reason.
#include <gtest/gtest.h>

#include <string>

#include "geo/core/error.hpp"
#include "geo/core/geopoint.hpp"

namespace {

struct Accepted {
  const char* text;
  double lat, lon;
};

// 11°33'36.4"N = 11 + 33/60 + 36.4/3600 = 11.5601111; 104°55'01.2"E = 104.9170000.
constexpr double kLat = 11.0 + 33.0 / 60.0 + 36.4 / 3600.0;
constexpr double kLon = 104.0 + 55.0 / 60.0 + 1.2 / 3600.0;

const Accepted kAccepted[] = {
    {"11.5601,104.9170", 11.5601, 104.9170},
    {"11.5601, 104.9170", 11.5601, 104.9170},
    {"11.5601 104.9170", 11.5601, 104.9170},
    {"  11.5601 ,\t104.9170  ", 11.5601, 104.9170},
    {"11.5601;104.9170", 11.5601, 104.9170},
    {"-33.8688, 151.2093", -33.8688, 151.2093},
    {"+16.6647,+98.5122", 16.6647, 98.5122},
    {"11\xc2\xb0" "33'36.4\"N 104\xc2\xb0" "55'01.2\"E", kLat, kLon},
    {"11\xc2\xb0" "33\xe2\x80\xb2" "36.4\xe2\x80\xb3N, 104\xc2\xb0" "55\xe2\x80\xb2" "01.2\xe2\x80\xb3" "E", kLat, kLon},
    {"11 33 36.4 N 104 55 01.2 E", kLat, kLon},
    {"11 33 36.4N 104 55 1.2E", kLat, kLon},
    {"N 11 33 36.4, E 104 55 01.2", kLat, kLon},
    {"N11\xc2\xb0" "33'36.4\" E104\xc2\xb0" "55'01.2\"", kLat, kLon},
    {"104\xc2\xb0" "55'01.2\"E 11\xc2\xb0" "33'36.4\"N", kLat, kLon},  // longitude first, letters say so
    {"11\xc2\xb0" "33.6067'N 104\xc2\xb0" "55.02'E", 11.0 + 33.6067 / 60.0, 104.0 + 55.02 / 60.0},
    {"11.5601\xc2\xb0N 104.917\xc2\xb0" "E", 11.5601, 104.917},
    {"33\xc2\xb0" "52'07.7\"S 151\xc2\xb0" "12'33.5\"E", -(33 + 52 / 60.0 + 7.7 / 3600.0), 151 + 12 / 60.0 + 33.5 / 3600.0},
    {"16\xc2\xba" "39'53\"N 98\xc2\xba" "30'44\"W", 16 + 39 / 60.0 + 53 / 3600.0, -(98 + 30 / 60.0 + 44 / 3600.0)},
    {"https://www.google.com/maps/place/Phnom+Penh/@11.5601,104.917,15z/data=!3m1!4b1", 11.5601, 104.917},
    {"https://www.google.com/maps/@16.6647,98.5122,500m/data=!3m1!1e3", 16.6647, 98.5122},
    {"@11.5601,104.917,17z", 11.5601, 104.917},
    {"https://maps.google.com/?q=11.5601,104.917", 11.5601, 104.917},
    {"https://www.google.com/maps/search/?api=1&query=11.5601%2C104.917", 11.5601, 104.917},
    {"https://www.openstreetmap.org/#map=17/11.56010/104.91700", 11.5601, 104.917},
    {"90,180", 90, 180},
    {"-90,-180", -90, -180},
};

TEST(Coordinates, EveryAcceptedForm) {
  for (const auto& a : kAccepted) {
    SCOPED_TRACE(a.text);
    geo::GeoPoint p;
    ASSERT_NO_THROW(p = geo::parse_coordinates(a.text));
    EXPECT_NEAR(p.lat_deg, a.lat, 1e-7);
    EXPECT_NEAR(p.lon_deg, a.lon, 1e-7);
  }
  const auto h = geo::parse_coordinates("11.5601,104.917,12.5");
  ASSERT_TRUE(h.h_m.has_value());
  EXPECT_DOUBLE_EQ(*h.h_m, 12.5);
}

struct Refused {
  const char* text;
  const char* reason;  // a part of the one-line message
};

const Refused kRefused[] = {
    {"", "empty"},
    {"   ", "empty"},
    {"11.5601", "only one number"},
    {"11.5601,", "only one number"},
    {"91,10", "latitude 91 is outside -90..90"},
    {"104.917,11.5601", "looks swapped"},
    {"-120.5, 45.2", "looks swapped"},
    {"11.56,190", "longitude 190 is outside -180..180"},
    {"200,300", "latitude 200 is outside"},
    {"abc,10", "unexpected 'a'"},
    {"11.56,104.9.1", "is not a number"},
    {"11,5601 104,9170", "numbers"},
    {"1,2,3,4", "4 numbers"},
    {"11\xc2\xb0" "60'00\"N 104\xc2\xb0" "00'00\"E", "minutes 60 must be under 60"},
    {"11\xc2\xb0" "33'61\"N 104\xc2\xb0" "00'00\"E", "seconds 61 must be under 60"},
    {"11\xc2\xb0" "33'N 12\xc2\xb0" "00'S", "two latitudes"},
    {"11 33 36.4 E 104 55 01.2 W", "two latitudes or two longitudes"},
    {"11.5\xc2\xb0" "33'N 104\xc2\xb0" "E", "degrees with a fraction"},
    {"-11\xc2\xb0" "33'S 104\xc2\xb0" "E", "minus sign and the hemisphere letter S"},
    {"11\xc2\xb0" "33'36\"N", "only one coordinate"},
    {"N E", "no numbers"},
    {"11.56 104.91 north", "unexpected"},
    {"\xc2\xb0 11 104", "without a number"},
};

TEST(Coordinates, MalformedAndImpossibleFormsAreRefusedWithTheirReason) {
  for (const auto& r : kRefused) {
    SCOPED_TRACE(r.text);
    try {
      const auto p = geo::parse_coordinates(r.text);
      ADD_FAILURE() << "accepted as " << p.lat_deg << ", " << p.lon_deg;
    } catch (const geo::Error& e) {
      const std::string m = e.what();
      EXPECT_EQ(e.code(), geo::Errc::invalid_argument);
      EXPECT_NE(m.find(r.reason), std::string::npos) << m;
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
      EXPECT_EQ(m.rfind("coordinates '", 0), 0u) << m;
    }
  }
}

}  // namespace
