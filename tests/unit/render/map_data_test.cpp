// SPDX-License-Identifier: Apache-2.0
// render::load_map_data: a case's events (hand-made and from geoev run's details) read back for maps.
#include <gtest/gtest.h>

#include "geo/core/geodesy.hpp"
#include "geo/events/case.hpp"
#include "geo/render/map_data.hpp"
#include "support/support.hpp"

namespace {

namespace fs = std::filesystem;
using geo::test::ScratchDir;

geo::spatial::RegistrySelection demo_registry() {
  return {(geo::test::source_dir() / "data" / "demo" / "compounds.geojson").string(), {}};
}

TEST(MapData, ReadsEventsWithTheirTrackAndTheRegistry) {
  ScratchDir d;
  const auto c = geo::events::init_case(d / "case", "map data");
  geo::Diagnostics diag;
  geo::events::EventInput place;
  place.position = geo::GeoPoint{47.0239, -99.1520};
  place.uncertainty_m = 12;
  place.compounds = demo_registry();
  place.description = "a place";
  geo::events::add_event(c, place, diag);
  geo::events::EventInput track = place;
  track.position = geo::GeoPoint{47.0245, -99.1601};
  track.uncertainty_m = 200;
  track.time_from = geo::parse_iso8601("2020-09-02T14:41:12Z").utc;
  track.time_to = geo::parse_iso8601("2020-09-02T14:41:42Z").utc;
  track.details = geo::Json{{"method", "telemetry + image match"},
                            {"confidence", "high"},
                            {"track",
                             geo::Json::array({geo::Json{{"t_s", 0.0}, {"position", {{"lat_deg", 47.0237}, {"lon_deg", -99.1628}}},
                                                         {"error_m", 5.2}, {"utc", "2020-09-02T14:41:12.120Z"}},
                                               geo::Json{{"t_s", 28.0}, {"position", {{"lat_deg", 47.0252}, {"lon_deg", -99.1575}}},
                                                         {"error_m", 5.4}, {"utc", nullptr}},
                                               geo::Json{{"t_s", "broken"}}})},
                            {"frame", "run/missing.jpg"},
                            {"warnings", {"the imagery (2014-07-20) is 6 years from the capture"}}};
  geo::events::add_event(c, track, diag);

  const auto m = geo::render::load_map_data(d / "case", demo_registry());
  ASSERT_EQ(m.events.size(), 2u);
  EXPECT_EQ(m.case_title, "map data");
  EXPECT_EQ(m.events[0].compound_id, "demo-compound");
  EXPECT_EQ(m.events[0].precision, "vicinity");
  EXPECT_EQ(m.events[0].label, "event 1");
  EXPECT_TRUE(m.events[0].track.empty());
  const auto& t = m.events[1];
  EXPECT_EQ(t.method, "telemetry + image match");
  ASSERT_EQ(t.track.size(), 2u);  // the malformed point is left out
  EXPECT_NEAR(t.track[1].t_s, 28.0, 1e-9);
  ASSERT_TRUE(t.track[0].utc.has_value());
  EXPECT_FALSE(t.track[1].utc.has_value());
  EXPECT_TRUE(t.thumbnail.empty());
  ASSERT_EQ(m.notes.size(), 1u);  // the missing frame is said
  EXPECT_EQ(t.warnings.size(), 1u);
  EXPECT_FALSE(t.local_zone.empty());  // North Dakota: a US zone at UTC-5 in September
  ASSERT_EQ(m.compounds.compounds.size(), 1u);
  EXPECT_GE(m.attributions.size(), 2u);

  // The extent holds both events with their circles, with a margin of at least 200 m.
  const auto box = geo::render::extent_of(m);
  ASSERT_TRUE(box.has_value());
  for (const auto& e : m.events) {
    EXPECT_LT(box->min_lat_deg, e.position.lat_deg);
    EXPECT_GT(box->max_lat_deg, e.position.lat_deg);
  }
  const double south_pad =
      geo::geodesic_inverse({box->min_lat_deg, -99.16}, {47.0245 - 200 / 111320.0, -99.16}).distance_m;
  EXPECT_GE(south_pad, 199.0);
  // Around the compound: its outline is inside.
  const auto site = geo::render::extent_of(m, "demo-compound");
  ASSERT_TRUE(site.has_value());
  EXPECT_FALSE(geo::render::extent_of(geo::render::MapData{}).has_value());
}

TEST(MapData, AnEmptyCaseGivesNoEventsAndNoExtent) {
  ScratchDir d;
  geo::events::init_case(d / "case", "empty");
  const auto m = geo::render::load_map_data(d / "case", demo_registry());
  EXPECT_TRUE(m.events.empty());
  EXPECT_FALSE(geo::render::extent_of(m).has_value());
}

}  // namespace
