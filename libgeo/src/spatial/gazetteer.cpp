// SPDX-License-Identifier: Apache-2.0
// The gazetteer of towns (context only) and the kind-aware association of a point with the registry.
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/text.hpp"
#include "geo/spatial/join.hpp"

namespace fs = std::filesystem;

namespace geo::spatial {

Json to_json(const TownContext& t) {
  return Json{{"name", t.name}, {"country", t.country}, {"admin1", t.admin1}, {"position", to_json(t.position)},
              {"distance_m", round_to(t.distance_m, 3)}, {"bearing_from_town_deg", round_to(t.bearing_from_town_deg, 2)},
              {"source", "GeoNames (geonames.org), CC BY 4.0"}};
}

Gazetteer::Gazetteer(const fs::path& csv) : path_(csv) {
  std::istringstream in(read_file_bounded(csv, kMaxTextInputBytes, "gazetteer"));
  std::string line;
  if (!std::getline(in, line))
    throw Error(Errc::corrupt_data, "gazetteer: " + csv.string() + ": empty file (expected a header country,name,lat,lon)");
  std::map<std::string, std::size_t> col;
  const auto header = split(trim(line), ',');
  for (std::size_t i = 0; i < header.size(); ++i) col[to_lower(header[i])] = i;
  for (const char* need : {"country", "name", "lat", "lon"})
    if (!col.count(need))
      throw Error(Errc::corrupt_data, "gazetteer: " + csv.string() + ": no '" + need + "' column in the header");
  std::size_t lineno = 1;
  while (std::getline(in, line)) {
    ++lineno;
    if (trim(line).empty()) continue;
    const auto f = split(trim(line), ',');
    const auto at = [&](const char* name) -> std::string {
      const auto it = col.find(name);
      return it != col.end() && it->second < f.size() ? f[it->second] : std::string();
    };
    Compound t;
    t.kind = SiteKind::town;
    t.country = at("country");
    t.name = at("name");
    t.admin1 = at("admin1");
    t.id = std::to_string(towns_.compounds.size());  // index, for the lookup in nearest()
    t.geometry.type = SiteGeometry::Type::point;
    const std::string where = "gazetteer: " + csv.filename().string() + " line " + std::to_string(lineno);
    try {
      t.geometry.point = GeoPoint{parse_double(at("lat"), "lat"), parse_double(at("lon"), "lon")};
    } catch (const Error& e) {
      throw Error(Errc::corrupt_data, where + ": " + e.what());
    }
    if (!is_valid(t.geometry.point) || t.name.empty())
      throw Error(Errc::corrupt_data, where + ": needs a name and a latitude in [-90, 90], longitude in [-180, 180]");
    towns_.compounds.push_back(std::move(t));
  }
  sha256_ = sha256_file(csv);
  index_ = std::make_unique<CompoundIndex>(towns_);
}

Gazetteer::Gazetteer(Gazetteer&& o) noexcept = default;
Gazetteer::~Gazetteer() = default;
std::size_t Gazetteer::size() const noexcept { return towns_.compounds.size(); }
const std::string& Gazetteer::sha256() const noexcept { return sha256_; }
const fs::path& Gazetteer::path() const noexcept { return path_; }

std::optional<TownContext> Gazetteer::nearest(const GeoPoint& p, double max_distance_m) const {
  JoinOptions o;
  o.within_m = 0;
  o.max_results = 1;
  o.max_distance_m = max_distance_m;
  const auto hits = index_->query(p, o);
  if (hits.empty()) return std::nullopt;
  const Compound& t = towns_.compounds.at(std::stoul(hits[0].compound_id));
  TownContext c;
  c.name = t.name;
  c.country = t.country;
  c.admin1 = t.admin1;
  c.position = t.geometry.point;
  const auto g = geodesic_inverse(t.geometry.point, p);
  c.distance_m = hits[0].distance_m;
  c.bearing_from_town_deg = g.distance_m > 0 ? std::fmod(g.azimuth1_deg + 360.0, 360.0) : 0.0;
  return c;
}

namespace {
std::string km_text(double m) {
  if (!std::isfinite(m)) return "any distance";
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(m < 10000 ? 2 : 1);
  os << m / 1000.0 << " km";
  return os.str();
}
}  // namespace

Json to_json(const Association& a) {
  Json sites = Json::array(), ctx = Json::array();
  for (const auto& h : a.sites) sites.push_back(to_json(h));
  for (const auto& h : a.context) ctx.push_back(to_json(h));
  Json j{{"relation", a.relation}, {"sites", sites}, {"context", ctx}, {"note", a.note}};
  j["nearest_site_beyond_cap"] = a.nearest_site_beyond_cap ? to_json(*a.nearest_site_beyond_cap) : Json();
  j["town"] = a.town ? to_json(*a.town) : Json();
  return j;
}

Association associate(const CompoundIndex& index, const GeoPoint& p, const AssociationOptions& opt) {
  Association a;
  JoinOptions sites = opt.join;
  sites.kinds = {SiteKind::compound, SiteKind::zone};
  a.sites = index.query(p, sites);
  JoinOptions ctx = opt.join;
  ctx.kinds = {SiteKind::town, SiteKind::landmark, SiteKind::operator_};
  a.context = index.query(p, ctx);
  if (!a.sites.empty()) {
    a.relation = to_string(a.sites[0].relation);
  } else {
    a.relation = "none";
    JoinOptions far = sites;
    far.max_distance_m = std::numeric_limits<double>::infinity();
    far.max_results = 1;
    far.within_m = 0;
    const auto nearest = index.query(p, far);
    std::ostringstream os;
    os << "no compound or zone within " << km_text(opt.join.max_distance_m) << " (the association cap)";
    if (!nearest.empty()) {
      a.nearest_site_beyond_cap = nearest[0];
      os << "; the nearest is " << nearest[0].name << " (" << nearest[0].compound_id << ", "
         << to_string(nearest[0].kind) << ") at " << km_text(nearest[0].distance_m);
    } else {
      os << "; the registry has no compound or zone with a position";
    }
    a.note = os.str();
  }
  if (opt.gazetteer) a.town = opt.gazetteer->nearest(p, opt.town_max_distance_m);
  return a;
}

}  // namespace geo::spatial
