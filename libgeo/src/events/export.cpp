// SPDX-License-Identifier: Apache-2.0
#include <ogr_srs_api.h>

#include <cmath>
#include <cstdlib>
#include <string_view>
#include <sstream>

#include "events/store.hpp"
#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/core/output_path.hpp"
#include "geo/core/provenance.hpp"
#include "geo/core/text.hpp"
#include "geo/events/case.hpp"

namespace geo::events {

namespace {

// 16x16 white disc with a black rim (PNG, generated for this project); KML tints it per precision class.
constexpr const char* kIconPng =
    "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAANUlEQVR42mNgoAH4TwBTpBmvIXAFuAA+QwhqJmQIUZqxGDJqANUNoCQaKU5I"
    "VEnKVMlMJAMA5I2yXJobwVQAAAAASUVORK5CYII=";

Json event_properties(const Event& e) {
  const Json town = e.context.is_object() && e.context.contains("town") ? e.context["town"] : Json();
  const bool has_town = town.is_object();
  return Json{{"event_id", e.id},
              {"uncertainty_m", round_to(e.uncertainty_m, 3)},
              {"precision_class", to_string(e.precision)},
              {"time_from", e.time_from ? format_utc(*e.time_from, 3) : std::string()},
              {"time_to", e.time_to ? format_utc(*e.time_to, 3) : std::string()},
              {"compound_id", e.compound_id},
              {"compound_name", e.compound_name},
              {"relation", e.relation},
              {"distance_m", e.compound_id.empty() ? Json() : Json(round_to(e.distance_m, 3))},
              {"p_inside", e.compound_id.empty() ? Json() : Json(round_to(e.p_inside, 4))},
              {"association_note", e.association_note},
              {"nearest_town", has_town ? town.value("name", "") + ", " + town.value("country", "") : std::string()},
              {"nearest_town_distance_m", has_town ? Json(town.value("distance_m", 0.0)) : Json()},
              {"observation_ids", dump_json(Json(e.observation_ids))},
              {"media_sha256", dump_json(Json(e.media_sha256))},
              {"description", e.description},
              {"notes", e.notes},
              {"flags", dump_json(Json(e.flags))},
              {"created_utc", e.created_utc},
              {"tool_version", e.tool_version}};
}

// Text for XML 1.0: valid UTF-8, markup escaped, and the characters XML forbids (C0 controls but tab,
// LF and CR; U+FFFE/U+FFFF) dropped, so that any bytes in a case still give a KML every reader opens.
std::string xml_escape(const std::string& raw) {
  const std::string s = to_valid_utf8(raw);
  std::string o;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char ch = s[i];
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') continue;
    if (c == 0xEF && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xBF &&
        (static_cast<unsigned char>(s[i + 2]) == 0xBE || static_cast<unsigned char>(s[i + 2]) == 0xBF)) {
      i += 2;
      continue;
    }
    switch (ch) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += ch;
    }
  }
  return o;
}

// RFC 4180 quoting, and a cell that a spreadsheet would run as a formula (= + - @, tab or CR first)
// gets a leading apostrophe (the OWASP CSV-injection advice), so that opening the export runs nothing.
std::string csv_cell(const std::string& raw) {
  std::string s = to_valid_utf8(raw);
  if (!s.empty() && std::string_view("=+-@\t\r").find(s.front()) != std::string_view::npos) {
    // A plain negative number stays a number: coordinates and distances are negative in places.
    char* end = nullptr;
    std::strtod(s.c_str(), &end);
    const bool plain_number = s.front() == '-' && end == s.c_str() + s.size();
    if (!plain_number) s.insert(s.begin(), '\'');
  }
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string o = "\"";
  for (char ch : s) o += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return o + "\"";
}

std::string num(double v, int digits) {
  std::ostringstream os;
  os.precision(digits);
  os << std::fixed << v;
  return os.str();
}

std::string cell(const Json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return dump_json(v);
}

std::string kml(const std::vector<Event>& events, const Json& prov) {
  std::ostringstream os;
  os << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">\n<Document>\n"
     << "<name>geoev events</name>\n<ExtendedData><Data name=\"provenance\"><value>" << xml_escape(dump_json(prov))
     << "</value></Data></ExtendedData>\n";
  // aabbggrr colours per precision class: exact green, vicinity yellow, locality orange, region red.
  const std::pair<const char*, const char*> styles[] = {
      {"exact", "ff00c000"}, {"vicinity", "ff00e0ff"}, {"locality", "ff0080ff"}, {"region", "ff0000ff"}};
  for (const auto& [name, colour] : styles)
    os << "<Style id=\"" << name << "\"><IconStyle><color>" << colour << "</color><scale>1.0</scale><Icon><href>data:image/png;base64,"
       << kIconPng << "</href></Icon></IconStyle><LineStyle><color>" << colour
       << "</color><width>2</width></LineStyle><PolyStyle><color>40" << std::string(colour).substr(2)
       << "</color></PolyStyle></Style>\n";
  for (const auto& e : events) {
    const Json props = event_properties(e);
    os << "<Placemark>\n<name>event " << e.id << (e.compound_name.empty() ? "" : " - " + xml_escape(e.compound_name))
       << "</name>\n<description>" << xml_escape(e.description) << "</description>\n";
    if (e.time_from && e.time_to && *e.time_from == *e.time_to)
      os << "<TimeStamp><when>" << format_utc(*e.time_from, 3) << "</when></TimeStamp>\n";
    else if (e.time_from || e.time_to) {
      os << "<TimeSpan>";
      if (e.time_from) os << "<begin>" << format_utc(*e.time_from, 3) << "</begin>";
      if (e.time_to) os << "<end>" << format_utc(*e.time_to, 3) << "</end>";
      os << "</TimeSpan>\n";
    }
    os << "<styleUrl>#" << to_string(e.precision) << "</styleUrl>\n<ExtendedData>";
    for (const auto& [k, v] : props.items())
      os << "<Data name=\"" << k << "\"><value>" << xml_escape(cell(v)) << "</value></Data>";
    os << "</ExtendedData>\n<MultiGeometry><Point><coordinates>" << num(e.position.lon_deg, 8) << ","
       << num(e.position.lat_deg, 8) << "</coordinates></Point>";
    if (e.uncertainty_m > 0) {
      os << "<Polygon><outerBoundaryIs><LinearRing><coordinates>";
      for (int i = 0; i <= 72; ++i) {
        const auto p = geodesic_direct(e.position, (i % 72) * 5.0, e.uncertainty_m);
        os << num(p.lon_deg, 8) << "," << num(p.lat_deg, 8) << " ";
      }
      os << "</coordinates></LinearRing></outerBoundaryIs></Polygon>";
    }
    os << "</MultiGeometry>\n</Placemark>\n";
  }
  os << "</Document>\n</kml>\n";
  return os.str();
}

void gpkg(const std::vector<Event>& events, const Json& prov, const fs::path& path) {
  auto ds = adapters::create_vector(path, "GPKG", "events.export");
  OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
  OSRImportFromEPSG(srs, 4326);
  OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
  OGRLayerH l = GDALDatasetCreateLayer(ds.get(), "events", srs, wkbPoint, nullptr);
  OSRRelease(srs);
  OGRLayerH pl = GDALDatasetCreateLayer(ds.get(), "provenance", nullptr, wkbNone, nullptr);
  if (!l || !pl) throw Error(Errc::io, "events.export: cannot create GeoPackage layers", "GDAL");
  const Json proto = event_properties(Event{});
  for (const auto& [k, v] : proto.items()) {
    const OGRFieldType t = k == "event_id" ? OFTInteger64
                           : (k == "uncertainty_m" || k == "distance_m" || k == "p_inside") ? OFTReal
                                                                                            : OFTString;
    OGRFieldDefnH fd = OGR_Fld_Create(k.c_str(), t);
    OGR_L_CreateField(l, fd, TRUE);
    OGR_Fld_Destroy(fd);
  }
  OGRFieldDefnH fd = OGR_Fld_Create("provenance_json", OFTString);
  OGR_L_CreateField(pl, fd, TRUE);
  OGR_Fld_Destroy(fd);
  GDALDatasetStartTransaction(ds.get(), FALSE);
  for (const auto& e : events) {
    adapters::FeaturePtr f{OGR_F_Create(OGR_L_GetLayerDefn(l))};
    const Json props = event_properties(e);
    for (const auto& [k, v] : props.items()) {
      const int i = OGR_F_GetFieldIndex(f.get(), k.c_str());
      if (v.is_null()) continue;
      if (v.is_number_integer()) OGR_F_SetFieldInteger64(f.get(), i, v.get<std::int64_t>());
      else if (v.is_number()) OGR_F_SetFieldDouble(f.get(), i, v.get<double>());
      else OGR_F_SetFieldString(f.get(), i, cell(v).c_str());
    }
    detail::set_point(f.get(), e.position);
    detail::create_feature(l, f.get(), "event");
  }
  adapters::FeaturePtr pf{OGR_F_Create(OGR_L_GetLayerDefn(pl))};
  OGR_F_SetFieldString(pf.get(), 0, dump_json(prov).c_str());
  detail::create_feature(pl, pf.get(), "provenance");
  if (GDALDatasetCommitTransaction(ds.get()) != OGRERR_NONE) throw Error(Errc::io, "events.export: commit failed", "GDAL");
  adapters::close_dataset(ds, "events.export");
}

}  // namespace

ExportFormat parse_export_format(const std::string& s) {
  const auto l = to_lower(s);
  if (l == "geojson") return ExportFormat::geojson;
  if (l == "kml") return ExportFormat::kml;
  if (l == "csv") return ExportFormat::csv;
  if (l == "gpkg") return ExportFormat::gpkg;
  throw Error(Errc::invalid_argument, "events.export: format '" + s + "' is not one of geojson, kml, csv, gpkg");
}

std::size_t export_events(const CaseInfo& c, ExportFormat format, const fs::path& out) {
  OutputPolicy replace_allowed;  // whether an existing file may be replaced is the caller's decision
  replace_allowed.force = true;
  check_output_path(out, replace_allowed, "events.export");  // never into a case: it would replace evidence
  const auto events = list_events(c);
  const char* names[] = {"geojson", "kml", "csv", "gpkg"};
  const Json prov = to_json(make_provenance("events.export",
                                            Json{{"format", names[static_cast<int>(format)]}, {"case", c.dir.string()},
                                                 {"case_title", c.title}, {"events", events.size()}},
                                            {input_ref((c.dir / "case.gpkg").string())}));
  switch (format) {
    case ExportFormat::geojson: {
      Json feats = Json::array();
      for (const auto& e : events)
        feats.push_back(Json{{"type", "Feature"},
                             {"id", e.id},
                             {"geometry", Json{{"type", "Point"},
                                               {"coordinates", Json::array({round_to(e.position.lon_deg, 8),
                                                                            round_to(e.position.lat_deg, 8)})}}},
                             {"properties", event_properties(e)}});
      write_file_atomic(out, dump_json(Json{{"type", "FeatureCollection"}, {"features", feats}, {"provenance", prov}}, 1) + "\n");
      break;
    }
    case ExportFormat::kml:
      write_file_atomic(out, kml(events, prov));
      break;
    case ExportFormat::csv: {
      std::ostringstream os;
      const Json proto = event_properties(Event{});
      os << "lat,lon";
      for (const auto& [k, v] : proto.items()) os << "," << k;
      os << "\n";
      for (const auto& e : events) {
        os << num(e.position.lat_deg, 8) << "," << num(e.position.lon_deg, 8);
        const Json props = event_properties(e);
        for (const auto& [k, v] : props.items()) os << "," << csv_cell(cell(v));
        os << "\n";
      }
      AtomicFile side(fs::path(out.string() + ".provenance.json"));
      side.stream() << dump_json(prov, 2) << "\n";
      write_file_atomic(out, os.str());
      side.commit();
      break;
    }
    case ExportFormat::gpkg: {
      AtomicFile f(out);
      gpkg(events, prov, f.temp_path());
      f.commit();
      break;
    }
  }
  return events.size();
}

}  // namespace geo::events
