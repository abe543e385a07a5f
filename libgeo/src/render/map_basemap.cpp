// SPDX-License-Identifier: Apache-2.0
#include "render/map_basemap.hpp"

#include <algorithm>
#include <fstream>
#include <mutex>

#include "adapters/ogr.hpp"
#include "geo/core/error.hpp"
#include "geo/core/text.hpp"
#include "geo/spatial/compound.hpp"
#include "geo/spatial/place_zone.hpp"

namespace geo::render::detail {
namespace {

LonLatRing ring_of(OGRGeometryH ring) {
  LonLatRing r;
  const int n = OGR_G_GetPointCount(ring);
  r.points.reserve(static_cast<std::size_t>(n));
  r.min_lon = r.min_lat = 1e9;
  r.max_lon = r.max_lat = -1e9;
  for (int i = 0; i < n; ++i) {
    const GeoPoint p{OGR_G_GetY(ring, i), OGR_G_GetX(ring, i)};
    r.points.push_back(p);
    r.min_lon = std::min(r.min_lon, p.lon_deg);
    r.max_lon = std::max(r.max_lon, p.lon_deg);
    r.min_lat = std::min(r.min_lat, p.lat_deg);
    r.max_lat = std::max(r.max_lat, p.lat_deg);
  }
  return r;
}

void collect(OGRGeometryH g, std::vector<LonLatRing>& out) {
  switch (wkbFlatten(OGR_G_GetGeometryType(g))) {
    case wkbPolygon:
      for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i) {
        LonLatRing r = ring_of(OGR_G_GetGeometryRef(g, i));
        // A ring that crosses the antimeridian (Afro-Eurasia's, through Chukotka) is kept whole: the
        // projection wraps each longitude round the map's centre and skips what lies beyond 80 degrees.
        if (r.points.size() >= 3) out.push_back(std::move(r));
      }
      break;
    case wkbMultiPolygon:
    case wkbGeometryCollection:
      for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i) collect(OGR_G_GetGeometryRef(g, i), out);
      break;
    default:
      break;
  }
}

void read_layer(GDALDatasetH ds, const char* name, std::vector<LonLatRing>& out) {
  OGRLayerH l = GDALDatasetGetLayerByName(ds, name);
  if (!l) throw Error(Errc::corrupt_data, std::string("map: basemap: no layer '") + name + "'");
  OGR_L_ResetReading(l);
  while (adapters::FeaturePtr f{OGR_L_GetNextFeature(l)})
    if (OGRGeometryH g = OGR_F_GetGeometryRef(f.get())) collect(g, out);
}

}  // namespace

const Basemap& basemap() {
  static std::once_flag once;
  static Basemap b;
  static std::string failure;
  std::call_once(once, [] {
    try {
      adapters::ensure_gdal();
      auto ds = adapters::open_vector(spatial::shipped_countries_path(), false, "map: basemap", {"TopoJSON", "GeoJSON"});
      read_layer(ds.get(), "land", b.land);
      read_layer(ds.get(), "countries", b.countries);
    } catch (const std::exception& e) {
      failure = e.what();
    }
  });
  if (!failure.empty()) throw Error(Errc::not_found, failure);
  return b;
}

const std::vector<Town>& towns() {
  static std::once_flag once;
  static std::vector<Town> t;
  std::call_once(once, [] {
    try {
      std::ifstream in(spatial::shipped_gazetteer_path());
      std::string line;
      std::getline(in, line);  // header: country,name,lat,lon,admin1,admin2
      while (std::getline(in, line)) {
        const auto f = split(line, ',');
        if (f.size() < 5) continue;
        Town town;
        town.country = f[0];
        town.name = f[1];
        town.at = GeoPoint{parse_double(f[2], "lat"), parse_double(f[3], "lon")};
        town.seat = f.size() < 6 || f[5].empty();
        if (is_valid(town.at)) t.push_back(std::move(town));
      }
    } catch (const std::exception&) {
      t.clear();  // no gazetteer: towns are not drawn, the map says nothing of them
    }
  });
  return t;
}

}  // namespace geo::render::detail
