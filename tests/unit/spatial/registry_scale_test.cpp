// SPDX-License-Identifier: Apache-2.0
// Registry validation at scale: a drawn outline with a million vertices is validated in O(n log n), and a
// crossing in such an outline is still found and named. Non-regular files are refused, not read.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <numbers>
#include <regex>
#include <sstream>

#include "geo/core/error.hpp"
#include "geo/spatial/compound.hpp"
#include "geo/spatial/join.hpp"
#include "support/support.hpp"

using namespace geo;
using namespace geo::spatial;

namespace {

// Generous bound for a 10^6-vertex outline (about 0.5 s in release here; sanitizers and shared cores
// are several times slower). The quadratic check it replaced took minutes at 10^5 vertices.
constexpr double kMaxValidateSeconds = 10.0;

std::string message_of(const std::function<void()>& f) { return geo::test::error_message_of(f); }

// A circle of `n` vertices, 1 degree across (vertices far apart next to the 1e-8 degree rounding of
// write_registry), as a registry feature.
Registry circle_registry(std::size_t n, bool spike) {
  Registry r;
  Compound c;
  c.id = "big-outline";
  c.name = "Big outline";
  c.sources.push_back(SiteSource{"t", "u", "", ""});
  c.geometry.type = SiteGeometry::Type::polygon;
  Ring ring;
  ring.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double a = 2 * std::numbers::pi * static_cast<double>(i) / static_cast<double>(n);
    ring.push_back(GeoPoint{16.6 + 0.5 * std::sin(a), 98.5 + 0.5 * std::cos(a)});
  }
  // One vertex pulled across to beyond the opposite side: its two edges cut through the outline there.
  // (Swapping two neighbours would not do: at 10^6 vertices four neighbours are collinear to 1e-12
  // degree, so the swap draws a zigzag that need not cross.)
  if (spike) {
    const double a = 2 * std::numbers::pi / 3 + std::numbers::pi;
    ring[n / 3] = GeoPoint{16.6 + 0.6 * std::sin(a), 98.5 + 0.6 * std::cos(a)};
  }
  c.geometry.polygons.push_back({ring});
  r.compounds.push_back(std::move(c));
  return r;
}

double seconds_to_validate(const Registry& r, Diagnostics& out) {
  const auto t0 = std::chrono::steady_clock::now();
  out = validate_registry(r);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

TEST(RegistryScale, MillionVertexOutlineValidatesQuickly) {
  const Registry r = circle_registry(1'000'000, false);
  Diagnostics d;
  const double s = seconds_to_validate(r, d);
  std::printf("validate_registry, 10^6-vertex valid outline: %.3f s\n", s);
  EXPECT_FALSE(d.has("compounds.invalid_polygon"));
  EXPECT_LT(s, kMaxValidateSeconds);
}

TEST(RegistryScale, CrossingInMillionVertexOutlineIsFoundAndNamed) {
  const Registry r = circle_registry(1'000'000, true);
  Diagnostics d;
  const double s = seconds_to_validate(r, d);
  std::printf("validate_registry, 10^6-vertex crossing outline: %.3f s\n", s);
  EXPECT_LT(s, kMaxValidateSeconds);
  ASSERT_TRUE(d.has("compounds.invalid_polygon"));
  bool named = false;
  for (const auto& item : d.items())
    if (item.code == "compounds.invalid_polygon") {
      named = item.where == "big-outline";
      EXPECT_NE(item.message.find("self-intersecting"), std::string::npos) << item.message;
      // The spike's edges (n/3 - 1 and n/3) cross the outline's far side, around edge 5n/6.
      const std::regex edges(R"(edge (\d+) crosses edge (\d+))");
      std::smatch m;
      ASSERT_TRUE(std::regex_search(item.message, m, edges)) << item.message;
      const long first = std::stol(m[1]), second = std::stol(m[2]);
      EXPECT_TRUE(first == 333332 || first == 333333) << item.message;
      EXPECT_NEAR(second, 833333, 2000) << item.message;
    }
  EXPECT_TRUE(named);
}

TEST(RegistryScale, MillionVertexGeoJsonLoadsAndBadOneIsRefusedByName) {
  test::ScratchDir d;
  for (const bool bad : {false, true}) {
    const Registry r = circle_registry(1'000'000, bad);
    const auto path = d / (bad ? "bad.geojson" : "good.geojson");
    write_registry(r, path);
    const auto t0 = std::chrono::steady_clock::now();
    const std::string m = message_of([&] { load_registry(path); });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("load_registry (parse + validate), 10^6 vertices, %s: %.3f s\n", bad ? "crossing" : "valid", s);
    if (bad) {
      EXPECT_NE(m.find("feature 'big-outline'"), std::string::npos) << m;
      EXPECT_NE(m.find("self-intersecting"), std::string::npos) << m;
    } else {
      EXPECT_EQ(m, "");
    }
  }
}

TEST(RegistryScale, AntimeridianOutlineIsNotACrossing) {
  Registry r;
  Compound c;
  c.id = "fiji-box";
  c.sources.push_back(SiteSource{"t", "u", "", ""});
  c.geometry.type = SiteGeometry::Type::polygon;
  c.geometry.polygons.push_back({{GeoPoint{-16.0, 179.9}, GeoPoint{-16.0, -179.9}, GeoPoint{-16.1, -179.9},
                                  GeoPoint{-16.1, 179.9}}});
  r.compounds.push_back(c);
  EXPECT_FALSE(validate_registry(r).has("compounds.invalid_polygon"));
  // The same box drawn as a bow tie across the antimeridian is still caught.
  r.compounds[0].geometry.polygons[0][0] = {GeoPoint{-16.0, 179.9}, GeoPoint{-16.1, -179.9}, GeoPoint{-16.0, -179.9},
                                            GeoPoint{-16.1, 179.9}};
  EXPECT_TRUE(validate_registry(r).has("compounds.invalid_polygon"));
}

TEST(RegistryScale, RepeatedVerticesAreNotACrossing) {
  Registry r;
  Compound c;
  c.id = "drawn";
  c.sources.push_back(SiteSource{"t", "u", "", ""});
  c.geometry.type = SiteGeometry::Type::polygon;
  c.geometry.polygons.push_back({{GeoPoint{16.6, 98.5}, GeoPoint{16.6, 98.51}, GeoPoint{16.6, 98.51},
                                  GeoPoint{16.61, 98.51}, GeoPoint{16.61, 98.5}}});
  r.compounds.push_back(c);
  EXPECT_FALSE(validate_registry(r).has("compounds.invalid_polygon"));
}

TEST(RegistryScale, FifoRegistryAndGazetteerAreRefusedNotRead) {
  test::ScratchDir d;
  for (const char* name : {"fifo.geojson", "fifo.kml", "fifo.csv"}) {
    const auto p = d / name;
    ASSERT_EQ(::mkfifo(p.c_str(), 0600), 0);
    const auto t0 = std::chrono::steady_clock::now();
    const std::string m = message_of([&] { load_registry(p); });
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
    EXPECT_NE(m.find("not a regular file"), std::string::npos) << name << ": " << m;
  }
  const std::string g = message_of([&] { Gazetteer gz(d / "fifo.csv"); });
  EXPECT_NE(g.find("not a regular file"), std::string::npos) << g;
}
