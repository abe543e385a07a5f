// SPDX-License-Identifier: Apache-2.0
#include "geo/spatial/place_zone.hpp"

#include <cmath>
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

#include "adapters/ogr.hpp"
#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/core/text.hpp"
#include "geo/spatial/compound.hpp"

namespace fs = std::filesystem;

namespace geo::spatial {
namespace {

struct Country {
  std::string name;
  OGREnvelope env;
  adapters::GeometryPtr geom;
  bool checked = false;  // made valid (lazily: only outlines near a queried place are checked)
};

struct ZoneRef {
  std::string zone;
  GeoPoint at;
};

struct Tables {
  std::vector<Country> countries;
  std::map<std::string, std::string> code_of_name;       // lower-case country name -> alpha-2
  std::map<std::string, std::vector<ZoneRef>> zones_of;  // alpha-2 -> zones
};

// zone.tab coordinates: +DDMM+DDDMM or +DDMMSS+DDDMMSS.
std::optional<GeoPoint> iso6709_dm(const std::string& s) {
  const auto split_at = s.find_first_of("+-", 1);
  if (split_at == std::string::npos) return std::nullopt;
  auto part = [](const std::string& t, int deg_digits) -> std::optional<double> {
    const std::string d = t.substr(1);
    if (d.size() != static_cast<std::size_t>(deg_digits + 2) && d.size() != static_cast<std::size_t>(deg_digits + 4)) return std::nullopt;
    double v = std::stod(d.substr(0, deg_digits)) + std::stod(d.substr(deg_digits, 2)) / 60.0;
    if (d.size() == static_cast<std::size_t>(deg_digits + 4)) v += std::stod(d.substr(deg_digits + 2, 2)) / 3600.0;
    return t[0] == '-' ? -v : v;
  };
  const auto lat = part(s.substr(0, split_at), 2), lon = part(s.substr(split_at), 3);
  if (!lat || !lon) return std::nullopt;
  return GeoPoint{*lat, *lon};
}

void read_tz_tables(Tables& t) {
  const fs::path dir = "/usr/share/zoneinfo";
  std::istringstream iso(read_file_bounded(dir / "iso3166.tab", kMaxSmallInputBytes, "time zones"));
  for (std::string line; std::getline(iso, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    if (tab != 2) continue;
    std::string name = to_lower(trim(line.substr(3)));
    t.code_of_name[name] = line.substr(0, 2);
    if (const auto paren = name.find(" ("); paren != std::string::npos) t.code_of_name[name.substr(0, paren)] = line.substr(0, 2);
  }
  // Natural Earth names the tz database spells otherwise.
  for (const auto& [ne, code] : std::map<std::string, std::string>{
           {"united states of america", "US"}, {"dem. rep. congo", "CD"}, {"congo", "CG"}, {"central african rep.", "CF"},
           {"dominican rep.", "DO"}, {"bosnia and herz.", "BA"}, {"czechia", "CZ"}, {"north korea", "KP"},
           {"south korea", "KR"}, {"timor-leste", "TL"}, {"brunei", "BN"}, {"taiwan", "TW"}, {"eq. guinea", "GQ"},
           {"s. sudan", "SS"}, {"w. sahara", "EH"}, {"côte d'ivoire", "CI"}, {"macedonia", "MK"}, {"eswatini", "SZ"}})
    t.code_of_name.emplace(ne, code);
  std::istringstream zt(read_file_bounded(dir / "zone.tab", kMaxSmallInputBytes, "time zones"));
  for (std::string line; std::getline(zt, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto f = split(line, '\t');
    if (f.size() < 3) continue;
    if (const auto at = iso6709_dm(f[1])) t.zones_of[f[0]].push_back({f[2], *at});
  }
}

std::mutex g_repair;

Tables& tables() {
  static std::once_flag once;
  static Tables t;
  static std::string failure;
  std::call_once(once, [] {
    try {
      adapters::ensure_gdal();
      const fs::path path = shipped_countries_path();
      auto ds = adapters::open_vector(path, false, "zones", {"TopoJSON", "GeoJSON"});
      OGRLayerH l = GDALDatasetGetLayerByName(ds.get(), "countries");
      if (!l) throw Error(Errc::corrupt_data, "zones: " + path.string() + ": no layer 'countries'");
      OGR_L_ResetReading(l);
      while (adapters::FeaturePtr f{OGR_L_GetNextFeature(l)}) {
        OGRGeometryH g = OGR_F_GetGeometryRef(f.get());
        if (!g) continue;
        Country c;
        c.name = adapters::field_string(f.get(), "name");
        c.geom.reset(OGR_G_Clone(g));
        OGR_G_GetEnvelope(c.geom.get(), &c.env);
        t.countries.push_back(std::move(c));
      }
      read_tz_tables(t);
    } catch (const std::exception& e) {
      failure = e.what();
    }
  });
  if (!failure.empty()) throw Error(Errc::not_found, failure);
  return t;
}

}  // namespace

fs::path shipped_countries_path() {
  return shipped_registry_path().parent_path().parent_path() / "basemap" / "countries-10m.topojson";
}

namespace {

// Some outlines decode invalid from the TopoJSON (Russia across the antimeridian, Vatican), and an
// invalid ring can "contain" the whole world: each outline is repaired the first time a place is near it.
OGRGeometryH valid_outline(Country& c) {
  std::lock_guard<std::mutex> lock(g_repair);
  if (!c.checked) {
    adapters::GdalErrorCapture quiet;  // GEOS explains invalid rings on stderr otherwise
    if (!OGR_G_IsValid(c.geom.get())) c.geom.reset(OGR_G_MakeValid(c.geom.get()));
    if (c.geom) OGR_G_GetEnvelope(c.geom.get(), &c.env);
    c.checked = true;
  }
  return c.geom.get();
}

// Even-odd point-in-ring test, longitude and latitude as plane coordinates.
bool in_ring(OGRGeometryH ring, double x, double y) {
  const int n = OGR_G_GetPointCount(ring);
  bool in = false;
  for (int i = 0, j = n - 1; i < n; j = i++) {
    const double xi = OGR_G_GetX(ring, i), yi = OGR_G_GetY(ring, i), xj = OGR_G_GetX(ring, j), yj = OGR_G_GetY(ring, j);
    if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) in = !in;
  }
  return in;
}

// A ring decoded across the antimeridian jumps by more than 180 degrees of longitude between two points.
bool wraps(OGRGeometryH ring) {
  const int n = OGR_G_GetPointCount(ring);
  for (int i = 1; i < n; ++i)
    if (std::abs(OGR_G_GetX(ring, i) - OGR_G_GetX(ring, i - 1)) > 180) return true;
  return false;
}

// Whether the outline holds the point, by the even-odd rule on each polygon: what the repaired outline
// says for every invalidity the 1:10m outlines have (self-touching rings), without repairing the whole
// country (GEOS's validity check of the United States' outline alone takes 2-3 s). -1 when a ring wraps
// round the antimeridian: only the repaired outline can tell.
int holds(OGRGeometryH g, double x, double y) {
  switch (wkbFlatten(OGR_G_GetGeometryType(g))) {
    case wkbPolygon: {
      const int rings = OGR_G_GetGeometryCount(g);
      for (int i = 0; i < rings; ++i)
        if (wraps(OGR_G_GetGeometryRef(g, i))) return std::abs(x) > 170 ? -1 : 0;  // a part at the antimeridian
      if (rings == 0 || !in_ring(OGR_G_GetGeometryRef(g, 0), x, y)) return 0;
      for (int i = 1; i < rings; ++i)
        if (in_ring(OGR_G_GetGeometryRef(g, i), x, y)) return 0;
      return 1;
    }
    case wkbMultiPolygon: {
      int result = 0;
      for (int i = 0; i < OGR_G_GetGeometryCount(g); ++i) {
        OGRGeometryH part = OGR_G_GetGeometryRef(g, i);
        OGREnvelope e;
        OGR_G_GetEnvelope(part, &e);
        const bool may_wrap = e.MaxX - e.MinX > 180;
        if (!may_wrap && (x < e.MinX || x > e.MaxX || y < e.MinY || y > e.MaxY)) continue;
        const int r = holds(part, x, y);
        if (r != 0) return r;
      }
      return result;
    }
    default:
      return -1;
  }
}

bool near_envelope(const Country& c, const GeoPoint& p, double margin_deg) {
  return p.lon_deg >= c.env.MinX - margin_deg && p.lon_deg <= c.env.MaxX + margin_deg &&
         p.lat_deg >= c.env.MinY - margin_deg && p.lat_deg <= c.env.MaxY + margin_deg;
}

std::optional<TimeZone> zone_of_country(const Tables& t, const std::string& name, const GeoPoint& p, std::string* code,
                                        bool* several) {
  const auto c = t.code_of_name.find(to_lower(name));
  if (c == t.code_of_name.end()) return std::nullopt;
  const auto zones = t.zones_of.find(c->second);
  if (zones == t.zones_of.end() || zones->second.empty()) return std::nullopt;
  const ZoneRef* best = &zones->second.front();
  for (const auto& z : zones->second)
    if (geodesic_inverse(p, z.at).distance_m < geodesic_inverse(p, best->at).distance_m) best = &z;
  if (code) *code = c->second;
  if (several) *several = zones->second.size() > 1;
  return TimeZone::named(best->zone);
}

// The shipped registry's point sites with a country, read once per process (none when it is missing:
// the outline's answer then stands, with its border note).
struct BorderSite {
  std::string name, country;
  GeoPoint at;
};
const std::vector<BorderSite>& border_sites() {
  static const std::vector<BorderSite> sites = [] {
    std::vector<BorderSite> out;
    try {
      for (const auto& c : load_selected_registry({}).compounds)
        if (!c.country.empty() && c.geometry.type == SiteGeometry::Type::point) out.push_back({c.name, c.country, c.geometry.point});
    } catch (const Error&) {
    }
    return out;
  }();
  return sites;
}

// A registry site (with its country) this close settles which side of a border a place is on.
constexpr double kSiteSettlesBorderM = 3000.0;
// Natural Earth 1:10m borders are generalised by up to about this much.
constexpr double kBorderUncertaintyDeg = 0.03;

}  // namespace

std::optional<PlaceZone> zone_at(const GeoPoint& p) {
  if (!is_valid(p)) return std::nullopt;
  Tables& t = tables();
  adapters::GeometryPtr pt{OGR_G_CreateGeometry(wkbPoint)};
  OGR_G_SetPoint_2D(pt.get(), 0, p.lon_deg, p.lat_deg);
  Country* holder = nullptr;
  std::vector<Country*> neighbours;
  for (auto& c : t.countries) {
    if (!near_envelope(c, p, kBorderUncertaintyDeg)) continue;
    int inside = 0;
    if (!holder && near_envelope(c, p, 0)) {
      std::lock_guard<std::mutex> lock(g_repair);  // an outline being repaired by another thread
      inside = holds(c.geom.get(), p.lon_deg, p.lat_deg);
    }
    if (inside < 0) {
      if (!valid_outline(c)) continue;
      inside = OGR_G_Contains(c.geom.get(), pt.get()) ? 1 : 0;
    }
    if (inside == 1) holder = &c;
    else if (OGR_G_Distance(c.geom.get(), pt.get()) < kBorderUncertaintyDeg) neighbours.push_back(&c);
  }
  if (!holder) return std::nullopt;
  PlaceZone out{TimeZone::utc(), holder->name, {}, "country outline", {}};
  bool several = false;
  const auto zone = zone_of_country(t, holder->name, p, &out.country_code, &several);
  if (!zone) return std::nullopt;
  out.zone = *zone;
  if (several) out.method = "nearest zone of the country";
  // Near a border with another offset the outline cannot tell: a registry site close by can.
  const UtcTime now = now_utc();
  for (Country* n : neighbours) {
    std::string code;
    const auto other = zone_of_country(t, n->name, p, &code, nullptr);
    if (!other || other->offset_s(now) == out.zone.offset_s(now)) continue;
    const BorderSite* site = nullptr;
    double best = kSiteSettlesBorderM;
    for (const auto& s : border_sites()) {
      const double d = geodesic_inverse(p, s.at).distance_m;
      if (d < best) best = d, site = &s;
    }
    if (site && (site->country == code || site->country == out.country_code)) {
      if (site->country == code) {
        out.zone = *other;
        out.country = n->name;
        out.country_code = code;
      }
      out.method = "registry site " + site->name + " (" + site->country + ") at a border the outline cannot resolve";
      return out;
    }
    out.border_note = "within about 3 km of " + n->name + " (" + other->name() + "): the 1:10m outline cannot tell which side";
  }
  return out;
}

std::optional<PlaceZone> zone_for(const std::optional<GeoPoint>& place, const std::string& tz) {
  if (!tz.empty()) return PlaceZone{TimeZone::named(tz), {}, {}, "--tz", {}};
  if (!place) return std::nullopt;
  try {
    return zone_at(*place);
  } catch (const Error&) {
    return std::nullopt;  // no shipped country outlines
  }
}

}  // namespace geo::spatial
