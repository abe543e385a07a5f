// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include "geo/core/error.hpp"
#include "geo/spatial/compound.hpp"
#include "support/support.hpp"

using namespace geo;
using namespace geo::spatial;

namespace {
std::string message_of(const std::function<void()>& f) { return geo::test::error_message_of(f); }
}  // namespace

TEST(Registry, ShippedRegistryKeepsOnlySourcedPositions) {
  const auto r = load_registry(shipped_registry_path());
  ASSERT_EQ(r.compounds.size(), 52u);
  int positioned = 0;
  for (const auto& c : r.compounds) positioned += c.geometry.type != SiteGeometry::Type::none;
  EXPECT_EQ(positioned, 14);
  const auto* kk = r.find("mm-kk-park");
  ASSERT_NE(kk, nullptr);
  EXPECT_EQ(kk->kind, SiteKind::compound);
  EXPECT_NEAR(kk->geometry.point.lat_deg, 16.631, 1e-9);
  EXPECT_NEAR(kk->geometry.point.lon_deg, 98.557, 1e-9);
  const auto* myawaddy = r.find("mm-myawaddy");
  ASSERT_NE(myawaddy, nullptr);
  EXPECT_EQ(myawaddy->kind, SiteKind::town);
  const auto* shunda = r.find("mm-shunda-park");
  ASSERT_NE(shunda, nullptr);
  EXPECT_EQ(shunda->geometry.type, SiteGeometry::Type::none);  // never a town point
  EXPECT_TRUE(r.diagnostics.has("compounds.no_sources"));     // Dongmei, Kaibo, Orchid: no source
}

TEST(Registry, SelfIntersectingPolygonNamesTheFeature) {
  test::ScratchDir d;
  test::write_bytes(d / "bad.geojson", R"({"type":"FeatureCollection","features":[{"type":"Feature","id":"bow-tie",
    "geometry":{"type":"Polygon","coordinates":[[[98.5,16.6],[98.6,16.7],[98.6,16.6],[98.5,16.7],[98.5,16.6]]]},
    "properties":{"name":"Bow tie","sources":[{"title":"t","url":"u"}]}}]})");
  const auto m = message_of([&] { load_registry(d / "bad.geojson"); });
  EXPECT_NE(m.find("bow-tie"), std::string::npos) << m;
  EXPECT_NE(m.find("self-intersecting"), std::string::npos) << m;
}

TEST(Registry, BadInputsAreClearErrors) {
  test::ScratchDir d;
  test::write_bytes(d / "notxml.kml", "this is not xml\n");
  EXPECT_NE(message_of([&] { load_registry(d / "notxml.kml"); }).find("not a KML"), std::string::npos);
  test::write_bytes(d / "nocoords.csv", "id,name\na,Alpha\n");
  EXPECT_NE(message_of([&] { load_registry(d / "nocoords.csv"); }).find("no coordinate columns"), std::string::npos);
  test::write_bytes(d / "lat200.csv", "id,name,lat,lon,source_title\nx1,X,200,98.5,src\n");
  const auto m = message_of([&] { load_registry(d / "lat200.csv"); });
  EXPECT_NE(m.find("x1"), std::string::npos) << m;
  EXPECT_NE(m.find("impossible coordinates"), std::string::npos) << m;
}

TEST(Registry, CsvWktKmlAndNoSourceWarning) {
  test::ScratchDir d;
  test::write_bytes(d / "wkt.csv",
                    "id,name,kind,wkt,source_title\n"
                    "p1,Park One,compound,\"POLYGON((98.5 16.6,98.51 16.6,98.51 16.61,98.5 16.61,98.5 16.6))\",report\n"
                    "p2,Park Two,compound,,\n");
  const auto r = load_registry(d / "wkt.csv");
  ASSERT_EQ(r.compounds.size(), 2u);
  EXPECT_EQ(r.compounds[0].geometry.type, SiteGeometry::Type::polygon);
  EXPECT_NEAR(r.compounds[0].geometry.polygons[0][0][1].lon_deg, 98.51, 1e-12);
  EXPECT_TRUE(r.diagnostics.has("compounds.no_sources"));
  test::write_bytes(d / "drawn.kml", R"(<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>Drawn compound</name>
<Polygon><outerBoundaryIs><LinearRing><coordinates>98.5,16.6,0 98.51,16.6,0 98.51,16.61,0 98.5,16.6,0</coordinates>
</LinearRing></outerBoundaryIs></Polygon></Placemark></Document></kml>)");
  const auto k = load_registry(d / "drawn.kml");
  ASSERT_EQ(k.compounds.size(), 1u);
  EXPECT_EQ(k.compounds[0].id, "drawn-compound");
  EXPECT_EQ(k.compounds[0].geometry.type, SiteGeometry::Type::polygon);
  EXPECT_NEAR(k.compounds[0].geometry.polygons[0][0][2].lat_deg, 16.61, 1e-12);
}

TEST(Registry, SetGeometryRewritesAtomicallyAndKeepsSource) {
  test::ScratchDir d;
  Registry r = load_registry(shipped_registry_path());
  write_registry(r, d / "reg.geojson");
  SiteGeometry g;
  g.type = SiteGeometry::Type::point;
  g.point = GeoPoint{16.6, 98.5};
  set_compound_geometry(d / "reg.geojson", "mm-shunda-park", g, SiteSource{"analyst digitisation", "", "2026-01-01", ""});
  const auto r2 = load_registry(d / "reg.geojson");
  const auto* s = r2.find("mm-shunda-park");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->geometry.type, SiteGeometry::Type::point);
  EXPECT_EQ(s->sources.back().title, "analyst digitisation");
  EXPECT_THROW(set_compound_geometry(d / "reg.geojson", "no-such-id", g, SiteSource{"x", "", "", ""}), Error);
}
