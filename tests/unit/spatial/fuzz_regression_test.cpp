// SPDX-License-Identifier: Apache-2.0
// GeoJSON registries found by fuzz_registry_geojson (tests/fuzz): Json::value() threw nlohmann's own
// type_error out of load_registry on a document or geometry that is not an object, or whose "type" is
// not a string. Each must now be a geo::Error naming the file.
#include <gtest/gtest.h>

#include <string>

#include "geo/core/error.hpp"
#include "geo/spatial/compound.hpp"
#include "support/support.hpp"

namespace {

std::string load_error(const geo::test::ScratchDir& dir, const std::string& text) {
  geo::test::write_bytes(dir / "r.geojson", text);
  try {
    (void)geo::spatial::load_registry(dir / "r.geojson");
  } catch (const geo::Error& e) {
    return e.what();
  }
  return "(loaded)";
}

}  // namespace

TEST(FuzzRegression, GeoJsonThatIsNotAnObject) {
  geo::test::ScratchDir dir;
  for (const char* text : {"7", "[]", "\"FeatureCollection\"", "{\"type\": 1, \"features\": []}"})
    EXPECT_NE(load_error(dir, text).find("r.geojson: not a GeoJSON FeatureCollection"), std::string::npos) << text;
}

TEST(FuzzRegression, GeoJsonGeometryThatIsNotAnObject) {
  geo::test::ScratchDir dir;
  const std::string head = R"({"type": "FeatureCollection", "features": [{"properties": {"id": "x"}, "geometry": )";
  for (const char* geometry : {"5", "[1, 2]", R"({"type": 3, "coordinates": [1, 2]})"}) {
    const std::string err = load_error(dir, head + geometry + "}]}");
    EXPECT_NE(err.find("feature 'x': geometry type '' is not Point, Polygon or MultiPolygon"), std::string::npos)
        << geometry << ": " << err;
  }
  geo::test::write_bytes(dir / "ok.geojson", head + R"({"type": "Point", "coordinates": [98.557, 16.631]}}]})");
  const auto r = geo::spatial::load_registry(dir / "ok.geojson");
  ASSERT_EQ(r.compounds.size(), 1u);
  EXPECT_NEAR(r.compounds[0].geometry.point.lat_deg, 16.631, 1e-12);
}
