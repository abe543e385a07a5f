// SPDX-License-Identifier: Apache-2.0
// Static maps and the timeline of a case built in code (compounds, events, a track, footprints):
// sizes, where an event lands, the scale bar against geodesics, labels that do not overlap, the PDF and
// SVG read by reference tools, and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include <opencv2/imgcodecs.hpp>

#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/core/provenance.hpp"
#include "geo/render/map.hpp"
#include "support/support.hpp"

namespace geo::render {
namespace {

using test::ScratchDir;

const GeoPoint kSite{16.6330, 98.5370};  // near Myawaddy (a fictional compound for the test)

spatial::Compound polygon_compound(const std::string& id, const std::string& name, const GeoPoint& c, double r_m) {
  spatial::Compound cp;
  cp.id = id;
  cp.name = name;
  cp.geometry.type = spatial::SiteGeometry::Type::polygon;
  spatial::Ring ring;
  for (int i = 0; i < 8; ++i) ring.push_back(geodesic_direct(c, i * 45.0, r_m));
  cp.geometry.polygons = {{ring}};
  return cp;
}

MapEvent event(std::int64_t id, const GeoPoint& p, double unc_m, const std::string& precision, std::optional<double> t_s,
               const std::string& compound) {
  MapEvent e;
  e.id = id;
  e.position = p;
  e.uncertainty_m = unc_m;
  e.precision = precision;
  if (t_s) {
    e.time_from = UtcTime::from_unix_s(*t_s);
    e.time_to = UtcTime::from_unix_s(*t_s + 40);
  }
  e.local_zone = "Asia/Yangon";
  e.compound_id = compound;
  e.label = "clip" + std::to_string(id) + ".mp4";
  return e;
}

MapData sample() {
  MapData d;
  d.case_title = "test case";
  d.compounds.compounds.push_back(polygon_compound("c-north", "North compound", kSite, 400));
  d.compounds.compounds.push_back(polygon_compound("c-east", "East compound", geodesic_direct(kSite, 100, 1500), 250));
  spatial::Compound pt;
  pt.id = "c-point";
  pt.name = "Point compound";
  pt.geometry.type = spatial::SiteGeometry::Type::point;
  pt.geometry.point = geodesic_direct(kSite, 220, 1200);
  d.compounds.compounds.push_back(pt);
  const double t0 = 1.7e9;
  MapEvent a = event(1, geodesic_direct(kSite, 300, 150), 60, "exact", t0, "c-north");
  for (int k = 0; k <= 30; ++k)
    a.track.push_back({k * 1.0, UtcTime::from_unix_s(t0 + k), geodesic_direct(a.position, 80, k * 12.0), 4});
  d.events.push_back(a);
  MapEvent b = event(2, geodesic_direct(kSite, 120, 1450), 25, "vicinity", t0 + 86400 * 3, "c-east");
  Json ring = Json::array();
  for (int i = 0; i <= 4; ++i) {
    const GeoPoint q = geodesic_direct(b.position, 45 + 90 * i, 120);
    ring.push_back({q.lon_deg, q.lat_deg});
  }
  b.shows = {{"type", "Polygon"}, {"coordinates", Json::array({ring})}};
  d.events.push_back(b);
  d.events.push_back(event(3, geodesic_direct(kSite, 200, 1150), 150, "locality", std::nullopt, "c-point"));
  d.events.push_back(event(4, geodesic_direct(kSite, 10, 300), 30, "exact", t0 + 86400 * 30, "c-north"));
  d.attributions.push_back("borders: Natural Earth 1:10m (public domain), via world-atlas");
  return d;
}

int distinct_colours(const cv::Mat& img) {
  std::set<std::uint32_t> colours;
  for (int y = 0; y < img.rows; y += 2)
    for (int x = 0; x < img.cols; x += 2) {
      const auto p = img.at<cv::Vec3b>(y, x);
      colours.insert((p[0] << 16) | (p[1] << 8) | p[2]);
    }
  return static_cast<int>(colours.size());
}

// The value of a `pdfinfo` field ("Pages", "Page size"), trimmed.
std::string pdf_field(const fs::path& pdf, const std::string& key) {
  const std::string info = test::shell_output("pdfinfo " + pdf.string() + " 2>&1");
  const auto at = info.find(key + ":");
  if (at == std::string::npos) return "";
  const auto from = info.find_first_not_of(' ', at + key.size() + 1);
  return info.substr(from, info.find('\n', from) - from);
}

MapOptions site_options() {
  MapOptions o;
  o.kind = MapKind::site;
  o.width_px = 1400;
  return o;
}

TEST(Map, SitePngHasTheRequestedSizeAndIsNotBlank) {
  ScratchDir dir;
  const MapResult r = render_map(sample(), site_options(), dir / "site.png");
  const cv::Mat img = cv::imread((dir / "site.png").string(), cv::IMREAD_COLOR);
  ASSERT_FALSE(img.empty());
  EXPECT_EQ(img.cols, 1400);
  EXPECT_EQ(img.rows, static_cast<int>(r.height));
  EXPECT_GT(distinct_colours(img), 200);
  EXPECT_EQ(r.events_drawn, 4);
  EXPECT_EQ(r.format, "png");
  EXPECT_EQ(r.kind, MapKind::site);
}

TEST(Map, AnEventLandsAtThePixelItsCoordinatesGive) {
  ScratchDir dir;
  MapData d = sample();
  const MapResult r = render_map(d, site_options(), dir / "site.png");
  const cv::Mat img = cv::imread((dir / "site.png").string(), cv::IMREAD_COLOR);
  // Event 4 is the latest: its symbol is filled with the ramp's last colour, found nowhere else.
  // (viridis at 0.9, between its stops 0xaadc32 and 0xfde725)
  struct {
    double r, g, b;
  } const want{(0xaa + (0xfd - 0xaa) * 0.2) / 255, (0xdc + (0xe7 - 0xdc) * 0.2) / 255, (0x32 + (0x25 - 0x32) * 0.2) / 255};
  const auto px = r.projection.to_px(d.events[3].position);
  double sx = 0, sy = 0;
  int n = 0;
  for (int y = static_cast<int>(px.y) - 30; y <= px.y + 30; ++y)
    for (int x = static_cast<int>(px.x) - 30; x <= px.x + 30; ++x) {
      const auto p = img.at<cv::Vec3b>(y, x);
      if (std::abs(p[2] - want.r * 255) < 4 && std::abs(p[1] - want.g * 255) < 4 && std::abs(p[0] - want.b * 255) < 4) {
        sx += x + 0.5;
        sy += y + 0.5;
        ++n;
      }
    }
  ASSERT_GT(n, 40) << "the symbol's fill was not found round " << px.x << "," << px.y;
  EXPECT_NEAR(sx / n, px.x, 1.0);
  EXPECT_NEAR(sy / n, px.y, 1.0);
  // The projection is invertible to a millimetre.
  const GeoPoint back = r.projection.from_px(px.x, px.y);
  EXPECT_LT(geodesic_inverse(back, d.events[3].position).distance_m, 1e-3);
}

TEST(Map, TheScaleBarMatchesTheGroundDistance) {
  ScratchDir dir;
  for (const auto& [kind, name] : {std::pair{MapKind::site, "site.png"}, std::pair{MapKind::overview, "overview.png"}}) {
    MapOptions o = site_options();
    o.kind = kind;
    const MapResult r = render_map(sample(), o, dir / name);
    const ScaleBar& s = r.scale_bar;
    const double ground =
        geodesic_inverse(r.projection.from_px(s.x0_px, s.y_px), r.projection.from_px(s.x1_px, s.y_px)).distance_m;
    EXPECT_NEAR(ground / s.length_m, 1.0, 0.01) << name;
    // Where it is true: the same length across the map's centre.
    const double cx = r.map_x + r.map_w / 2, cy = r.map_y + r.map_h / 2, half = (s.x1_px - s.x0_px) / 2;
    const double at_centre =
        geodesic_inverse(r.projection.from_px(cx - half, cy), r.projection.from_px(cx + half, cy)).distance_m;
    EXPECT_NEAR(at_centre / s.length_m, 1.0, 0.001) << name;
    // A round length: 1, 2 or 5 times a power of ten.
    const double mant = s.length_m / std::pow(10.0, std::floor(std::log10(s.length_m)));
    EXPECT_TRUE(std::abs(mant - 1) < 1e-9 || std::abs(mant - 2) < 1e-9 || std::abs(mant - 5) < 1e-9) << s.length_m;
    EXPECT_GT(s.x1_px - s.x0_px, 0.05 * r.map_w);
  }
}

TEST(Map, LabelsDoNotOverlap) {
  ScratchDir dir;
  MapData d = sample();
  // Crowd it: 40 more events round the north compound.
  for (int i = 0; i < 40; ++i)
    d.events.push_back(event(10 + i, geodesic_direct(kSite, i * 9.0, 80 + 5 * i), 10, "exact", 1.7e9 + i * 600, "c-north"));
  for (MapKind kind : {MapKind::site, MapKind::overview}) {
    MapOptions o = site_options();
    o.kind = kind;
    const MapResult r = render_map(d, o, dir / "crowded.png");
    ASSERT_GE(r.labels.size(), 5u);
    for (std::size_t i = 0; i < r.labels.size(); ++i) {
      const auto& a = r.labels[i];
      EXPECT_GE(a.x, r.map_x);
      EXPECT_LE(a.x + a.w, r.map_x + r.map_w);
      for (std::size_t j = i + 1; j < r.labels.size(); ++j) {
        const auto& b = r.labels[j];
        const bool overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        EXPECT_FALSE(overlap) << "'" << a.text << "' and '" << b.text << "'";
      }
    }
    // What could not be placed is said.
    bool noted = false;
    for (const auto& n : r.notes) noted = noted || n.find("left out") != std::string::npos;
    EXPECT_TRUE(noted);
  }
}

TEST(Map, LegendFollowsWhatIsDrawn) {
  ScratchDir dir;
  const MapResult r = render_map(sample(), site_options(), dir / "site.png");
  std::set<std::string> symbols;
  for (const auto& l : r.legend) symbols.insert(l.symbol);
  for (const char* s : {"event-exact", "event-vicinity", "event-locality", "event-undated", "track", "footprint",
                        "uncertainty", "compound-outline", "compound-point", "date-ramp"})
    EXPECT_TRUE(symbols.count(s)) << s;
  EXPECT_FALSE(symbols.count("imagery"));
  EXPECT_FALSE(symbols.count("event-region"));
  EXPECT_NE(r.crs.find("Transverse Mercator"), std::string::npos);
  EXPECT_EQ(r.provenance.at("tool"), "geoev");
  EXPECT_EQ(r.provenance.at("version"), version());
}

TEST(Map, OverviewHasTownsAndTheInset) {
  ScratchDir dir;
  MapOptions o;
  o.kind = MapKind::overview;
  const MapResult r = render_map(sample(), o, dir / "overview.png");
  std::set<std::string> symbols;
  for (const auto& l : r.legend) symbols.insert(l.symbol);
  EXPECT_TRUE(symbols.count("town"));
  EXPECT_TRUE(symbols.count("inset"));
  EXPECT_TRUE(symbols.count("border"));
  bool geonames = false;
  for (const auto& a : r.attributions) geonames = geonames || a.find("GeoNames") != std::string::npos;
  EXPECT_TRUE(geonames);
  bool town_label = false;
  for (const auto& l : r.labels) town_label = town_label || l.text == "Myawaddy" || l.text == "Mae Sot";
  EXPECT_TRUE(town_label);
}

TEST(Map, PdfPassesPdfinfoAndRenders) {
  ScratchDir dir;
  MapOptions o = site_options();
  o.page = "a4";
  const MapResult r = render_map(sample(), o, dir / "site.pdf");
  EXPECT_NEAR(r.width, 841.89, 0.01);
  EXPECT_EQ(pdf_field(dir / "site.pdf", "Pages"), "1");
  EXPECT_EQ(pdf_field(dir / "site.pdf", "Page size"), "841.89 x 595.28 pts (A4)");
  test::shell_output("pdftoppm -r 50 -png " + (dir / "site.pdf").string() + " " + (dir / "page").string());
  const cv::Mat img = cv::imread((dir / "page-1.png").string(), cv::IMREAD_COLOR);
  ASSERT_FALSE(img.empty());
  EXPECT_NEAR(img.cols, 841.89 * 50 / 72, 2);
  EXPECT_GT(distinct_colours(img), 50);
}

TEST(Map, SvgParsesAsXml) {
  ScratchDir dir;
  render_map(sample(), site_options(), dir / "site.svg");
  const std::string out = test::shell_output("xmllint --noout " + (dir / "site.svg").string() + " 2>&1; echo rc=$?");
  EXPECT_NE(out.find("rc=0"), std::string::npos) << out;
}

TEST(Map, TimelineHasItsSizeAndIsNotBlank) {
  ScratchDir dir;
  TimelineOptions o;
  o.width_px = 1200;
  const TimelineResult r = render_timeline(sample(), o, dir / "timeline.png");
  const cv::Mat img = cv::imread((dir / "timeline.png").string(), cv::IMREAD_COLOR);
  ASSERT_FALSE(img.empty());
  EXPECT_EQ(img.cols, 1200);
  EXPECT_EQ(img.rows, static_cast<int>(r.height));
  EXPECT_EQ(r.rows, 2);  // north and east compounds: the point compound's only event is undated
  EXPECT_EQ(r.events_dated, 3);
  EXPECT_EQ(r.events_undated, 1);
  EXPECT_GT(distinct_colours(img), 20);
  render_timeline(sample(), o, dir / "timeline.pdf");
  EXPECT_EQ(pdf_field(dir / "timeline.pdf", "Pages"), "1");
}

TEST(Map, AnEmptyCaseGivesAMapThatSaysSo) {
  ScratchDir dir;
  MapData empty;
  for (MapKind kind : {MapKind::overview, MapKind::site}) {
    MapOptions o;
    o.kind = kind;
    const MapResult r = render_map(empty, o, dir / "empty.png");
    EXPECT_TRUE(fs::exists(dir / "empty.png"));
    ASSERT_FALSE(r.notes.empty());
    EXPECT_EQ(r.notes.back(), "no events in this case");
    EXPECT_EQ(r.events_drawn, 0);
  }
  const TimelineResult t = render_timeline(empty, {}, dir / "empty_timeline.png");
  EXPECT_EQ(t.rows, 0);
  EXPECT_TRUE(fs::exists(dir / "empty_timeline.png"));
}

TEST(Map, BadInputIsRefusedInOneLine) {
  ScratchDir dir;
  MapOptions o;
  o.bbox = GeoBox{98.6, 16.6, 98.5, 16.7};  // min lon > max lon
  const std::string msg = test::error_message_of([&] { render_map(sample(), o, dir / "m.png"); });
  EXPECT_NE(msg.find("minimum is above the maximum"), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos);
  try {
    render_map(sample(), o, dir / "m.png");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid_argument);
  }
  MapOptions both;
  both.compound_id = "c-north";
  both.event_id = 1;
  EXPECT_THROW(render_map(sample(), both, dir / "m.png"), Error);
  MapOptions unknown;
  unknown.compound_id = "nowhere";
  EXPECT_THROW(render_map(sample(), unknown, dir / "m.png"), Error);
  EXPECT_THROW(render_map(sample(), MapOptions{}, dir / "m.gif"), Error);
  EXPECT_TRUE(test::list_files(dir.path()).empty());
}

TEST(Map, AnUnwritableOutputLeavesNothing) {
  ScratchDir dir;
  for (const char* name : {"no-such-dir/map.png", "no-such-dir/map.pdf", "no-such-dir/map.svg"}) {
    try {
      render_map(sample(), site_options(), dir / name);
      ADD_FAILURE() << "no error for " << name;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::io) << e.what();
    }
  }
  EXPECT_TRUE(test::list_files(dir.path()).empty());
}

TEST(Map, AnEventOutsideTheAreaIsLeftOutWithANote) {
  ScratchDir dir;
  MapData d = sample();
  d.events.push_back(event(99, GeoPoint{13.36, 103.86}, 20, "exact", 1.7e9, ""));  // Siem Reap
  MapOptions o = site_options();
  o.compound_id = "c-north";
  const MapResult r = render_map(d, o, dir / "site.png");
  bool noted = false;
  for (const auto& n : r.notes) noted = noted || (n.find("outside the map area") != std::string::npos && n.find("99") != std::string::npos);
  EXPECT_TRUE(noted);
  EXPECT_LT(r.events_drawn, static_cast<int>(d.events.size()));
}

// Imagery over part of the map: drawn where it covers, with a note; imagery elsewhere: a note.
TEST(Map, ImageryThatDoesNotCoverIsNoted) {
  ScratchDir dir;
  auto write = [&](const GeoPoint& corner, const fs::path& path) {
    GeoImage img;
    img.image = cv::Mat(400, 400, CV_8UC3, cv::Scalar(30, 140, 60));
    img.crs = "EPSG:4326";
    img.map_from_pixel.c = {corner.lon_deg, 0.00001, 0, corner.lat_deg, 0, -0.00001};
    write_geotiff(img, path, Json::object());
  };
  write(kSite, dir / "part.tif");                      // its top-left corner at the centre: a quarter at most
  write(GeoPoint{13.36, 103.86}, dir / "elsewhere.tif");
  MapOptions o = site_options();
  o.imagery = dir / "part.tif";
  o.imagery_date = "2024-01-15";
  MapResult r = render_map(sample(), o, dir / "part.png");
  bool covers = false, legend = false, attributed = false;
  for (const auto& n : r.notes) covers = covers || n.find("covers") != std::string::npos;
  for (const auto& l : r.legend) legend = legend || l.symbol == "imagery";
  for (const auto& a : r.attributions) attributed = attributed || a.find("part.tif (2024-01-15)") != std::string::npos;
  EXPECT_TRUE(covers);
  EXPECT_TRUE(legend);
  EXPECT_TRUE(attributed);
  o.imagery = dir / "elsewhere.tif";
  r = render_map(sample(), o, dir / "elsewhere.png");
  bool not_cover = false;
  for (const auto& n : r.notes) not_cover = not_cover || n.find("does not cover") != std::string::npos;
  EXPECT_TRUE(not_cover);
}

}  // namespace
}  // namespace geo::render
