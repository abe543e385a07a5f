// SPDX-License-Identifier: Apache-2.0
// render::write_html_map: the offline interactive map, opened in a real browser (Debian's chromium).
//
// "No request leaves the machine" is proved with Chromium's own NetLog (--log-net-log): every URL
// request the network service starts is recorded there with its network isolation key, and a request
// made on behalf of the page carries the page's key (file://); Chromium's background requests (update
// checks) carry none and are ignored. A control page with an <img> and a fetch() to the network shows
// that the check sees such requests, so that it cannot pass by seeing nothing. Host resolution is
// mapped to NOTFOUND meanwhile, so a regression cannot reach the network even from the test machine.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <set>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/core/error.hpp"
#include "geo/core/json.hpp"
#include "geo/render/html_map.hpp"
#include "support/browser.hpp"
#include "support/support.hpp"

namespace {

namespace fs = std::filesystem;
using geo::GeoPoint;
using geo::Json;
using geo::test::Browser;
using geo::test::ScratchDir;
using geo::test::console_lines;
using geo::test::open_in_chromium;
using geo::test::page_requests;

const char* const kHostile = "Golden </script><img src=x onerror=\"document.documentElement.setAttribute('data-pwned','1')\"> Park";

geo::spatial::Compound polygon_site(const std::string& id, const std::string& name, double lat, double lon, double half_deg) {
  geo::spatial::Compound c;
  c.id = id;
  c.name = name;
  c.country = "KH";
  c.geometry.type = geo::spatial::SiteGeometry::Type::polygon;
  c.geometry.polygons = {{{{lat - half_deg, lon - half_deg}, {lat - half_deg, lon + half_deg},
                           {lat + half_deg, lon + half_deg}, {lat + half_deg, lon - half_deg}}}};
  c.sources.push_back({"a report", "https://example.org/report", "2024-01-01", ""});
  return c;
}

Json square(double lat, double lon, double h) {
  return Json::array({Json::array({Json::array({lon - h, lat - h}), Json::array({lon + h, lat - h}),
                                   Json::array({lon + h, lat + h}), Json::array({lon - h, lat + h}),
                                   Json::array({lon - h, lat - h})})});
}

// Three sites (two outlines, one position), three events: a track with footprints, a place with a
// frame, and an undated place with a hostile label.
geo::render::MapData sample(const fs::path& dir) {
  geo::render::MapData d;
  d.case_title = "Sihanoukville test case";
  d.compounds.compounds.push_back(polygon_site("kh-a", kHostile, 10.6300, 103.5000, 0.002));
  d.compounds.compounds.push_back(polygon_site("kh-b", "Second compound", 10.6400, 103.5150, 0.0015));
  geo::spatial::Compound point;
  point.id = "kh-c";
  point.name = "Reported site (position only)";
  point.geometry.type = geo::spatial::SiteGeometry::Type::point;
  point.geometry.point = {10.6200, 103.5250};
  d.compounds.compounds.push_back(point);
  d.attributions.push_back("compounds: test registry");

  geo::render::MapEvent track;
  track.id = 1;
  track.label = "DJI_0042.MP4";
  track.position = {10.6300, 103.5000};
  track.uncertainty_m = 150;
  track.precision = "exact";
  track.time_from = geo::parse_iso8601("2024-03-01T02:00:00Z").utc;
  track.time_to = geo::parse_iso8601("2024-03-01T02:00:30Z").utc;
  track.local_zone = "Asia/Phnom_Penh";
  track.compound_id = "kh-a";
  track.compound_name = kHostile;
  track.relation = "inside";
  track.p_inside = 1.0;
  track.method = "telemetry + image match";
  track.confidence = "high";
  for (int i = 0; i < 4; ++i)
    track.track.push_back({i * 10.0, geo::UtcTime{track.time_from->unix_us + i * 10'000'000LL},
                           GeoPoint{10.6290 + i * 0.0007, 103.4990 + i * 0.0006}, 5.0});
  Json gc{{"type", "GeometryCollection"},
          {"geometries", Json::array({Json{{"type", "Polygon"}, {"coordinates", square(10.6295, 103.4995, 0.0004)}},
                                      Json{{"type", "Polygon"}, {"coordinates", square(10.6310, 103.5010, 0.0004)}}})}};
  track.shows = gc;
  d.events.push_back(track);

  geo::render::MapEvent place;
  place.id = 2;
  place.label = "VID-20240302-WA0007.mp4";
  place.position = {10.6402, 103.5148};
  place.uncertainty_m = 25;
  place.precision = "vicinity";
  place.time_from = geo::parse_iso8601("2024-03-09T09:00:00Z").utc;
  place.local_zone = "Asia/Phnom_Penh";
  place.compound_id = "kh-b";
  place.compound_name = "Second compound";
  place.relation = "within";
  place.distance_m = 40;
  place.p_inside = 0.35;
  place.method = "image match";
  place.confidence = "medium";
  place.warnings = {"<b>not bold</b>: the imagery is 6 years older"};
  place.shows = Json{{"type", "MultiPolygon"}, {"coordinates", Json::array({square(10.6402, 103.5148, 0.0003)})}};
  cv::Mat frame(480, 640, CV_8UC3, cv::Scalar(60, 140, 90));
  cv::putText(frame, "frame", {200, 260}, cv::FONT_HERSHEY_SIMPLEX, 2.0, cv::Scalar(255, 255, 255), 4);
  place.thumbnail = dir / "frame.jpg";
  cv::imwrite(place.thumbnail.string(), frame);
  d.events.push_back(place);

  geo::render::MapEvent undated;
  undated.id = 3;
  undated.label = std::string("witness \"photo\" & <notes> '\xff'");
  undated.position = {10.6250, 103.5200};
  undated.uncertainty_m = 0;
  undated.precision = "locality";
  d.events.push_back(undated);
  return d;
}

int count_of(const std::string& s, const std::regex& re) {
  return static_cast<int>(std::distance(std::sregex_iterator(s.begin(), s.end(), re), std::sregex_iterator()));
}

TEST(HtmlMap, OpensOfflineInChromiumWithEveryLayerAndNoRequest) {
  ScratchDir d;
  const auto data = sample(d.path());
  geo::render::HtmlMapOptions opts;
  opts.title = "Test map <b>not bold</b>";
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = geo::render::write_html_map(data, opts, d / "map.html");
  const double write_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(write_s, 10.0);
  EXPECT_EQ(r.markers, 3);
  EXPECT_EQ(r.uncertainty_circles, 2);
  EXPECT_EQ(r.compound_polygons, 2);
  EXPECT_EQ(r.compound_points, 1);
  EXPECT_EQ(r.tracks, 1);
  EXPECT_EQ(r.footprints, 3);  // two polygons of a collection, one multipolygon
  EXPECT_EQ(r.thumbnails, 1);
  EXPECT_GE(r.basemap_countries, 1);  // Cambodia
  EXPECT_EQ(r.provenance.at("operation"), "map.html");
  EXPECT_FALSE(r.provenance.at("version").get<std::string>().empty());
  bool leaflet_hashed = false;
  for (const auto& in : r.provenance.at("inputs"))
    if (in.at("path").get<std::string>().find("leaflet.js") != std::string::npos)
      leaflet_hashed = in.at("sha256").get<std::string>().size() == 64;
  EXPECT_TRUE(leaflet_hashed);

  const std::string html = geo::test::read_text(d / "map.html");
  EXPECT_EQ(r.bytes, html.size());
  // Static checks: Leaflet's licence kept; the hostile name never appears raw; nothing the browser
  // would fetch by itself names a URL (no src= or url( to the network, no <link>, @import or frame; an
  // <a href> is fetched only when clicked, and Leaflet's own one is in its attribution, which is off).
  EXPECT_NE(html.find("Copyright (c) 2010-2023, Volodymyr Agafonkin"), std::string::npos);
  EXPECT_EQ(html.find("</script><img"), std::string::npos);
  EXPECT_EQ(html.find("<b>not bold"), std::string::npos);
  EXPECT_EQ(count_of(html, std::regex(R"(src\s*=\s*["']?(https?:|//))", std::regex::icase)), 0);
  EXPECT_EQ(count_of(html, std::regex(R"(url\(\s*["']?(https?:|//))", std::regex::icase)), 0);
  EXPECT_EQ(count_of(html, std::regex(R"(@import|<link\b|<iframe\b)", std::regex::icase)), 0);

  // The page in a real browser: the DOM Leaflet built, console messages and the NetLog.
  const Browser dom = open_in_chromium(d.path(), (d / "map.html").string(), "--dump-dom", d / "net.json");
  ASSERT_EQ(dom.exit_code, 0) << dom.log;
  EXPECT_NE(dom.out.find("data-geoev-ready=\"markers=3 paths=7\""), std::string::npos)
      << "the page's script did not run to its end";
  EXPECT_EQ(count_of(dom.out, std::regex(R"(<div[^>]*class="[^"]*leaflet-marker-icon)")), 3);
  // Interactive paths: 2 compound outlines + 1 compound position + 1 track + 3 footprints. The basemap,
  // the uncertainty circles and the track's end dots are drawn but not interactive.
  EXPECT_EQ(count_of(dom.out, std::regex(R"(<path[^>]*class="leaflet-interactive")")), 7);
  EXPECT_GE(count_of(dom.out, std::regex(R"(<path[^>]*fill="#f2efe6")")), 1) << "no basemap land drawn";
  EXPECT_EQ(count_of(dom.out, std::regex(R"(<img[^>]*leaflet-image-layer)")), 0);  // no imagery asked for
  EXPECT_EQ(dom.out.find("data-pwned=\"1\""), std::string::npos) << "the hostile name ran as code";
  EXPECT_NE(dom.out.find("Golden &lt;/script&gt;&lt;img src=x onerror="), std::string::npos)
      << "the hostile compound name should be shown as text";
  EXPECT_EQ(console_lines(dom.log), std::vector<std::string>{}) << "console messages (errors) while loading the map";
  EXPECT_EQ(page_requests(d / "net.json"), std::vector<std::string>{}) << "the map made network requests";

  // A screenshot is a map, not a blank page: many colours, much of it neither white nor one colour.
  const Browser shot =
      open_in_chromium(d.path(), (d / "map.html").string() + "#event-2",
                       "--screenshot='" + (d / "map.png").string() + "' --window-size=1200,800");
  ASSERT_EQ(shot.exit_code, 0) << shot.log;
  const cv::Mat png = cv::imread((d / "map.png").string(), cv::IMREAD_COLOR);
  ASSERT_FALSE(png.empty());
  EXPECT_EQ(png.cols, 1200);
  EXPECT_EQ(png.rows, 800);
  cv::Mat q = png / 32;  // 8 levels per channel
  std::set<int> colours;
  int not_white = 0;
  for (int y = 0; y < q.rows; ++y)
    for (int x = 0; x < q.cols; ++x) {
      const auto v = q.at<cv::Vec3b>(y, x);
      colours.insert(v[0] * 64 + v[1] * 8 + v[2]);
      const auto o = png.at<cv::Vec3b>(y, x);
      if (o[0] < 240 || o[1] < 240 || o[2] < 240) ++not_white;
    }
  EXPECT_GE(colours.size(), 20u);
  EXPECT_GT(not_white, png.total() / 2);
  EXPECT_EQ(console_lines(shot.log), std::vector<std::string>{});
}

TEST(HtmlMap, NetworkAndConsoleChecksSeeWhatAPageDoes) {
  // The control for the checks above: a page that fetches from the network and logs an error.
  ScratchDir d;
  geo::test::write_bytes(d / "control.html",
                         "<!DOCTYPE html><html><body><img src=\"http://geoev-control.invalid/x.png\"><script>"
                         "fetch('https://geoev-control.invalid/y').catch(function(){});"
                         "console.error('geoev-control');</script></body></html>");
  const Browser b = open_in_chromium(d.path(), (d / "control.html").string(), "--dump-dom", d / "net.json");
  ASSERT_EQ(b.exit_code, 0) << b.log;
  const auto urls = page_requests(d / "net.json");
  EXPECT_NE(std::find(urls.begin(), urls.end(), "http://geoev-control.invalid/x.png"), urls.end());
  EXPECT_NE(std::find(urls.begin(), urls.end(), "https://geoev-control.invalid/y"), urls.end());
  ASSERT_EQ(console_lines(b.log).size(), 1u) << b.log;
  EXPECT_NE(console_lines(b.log)[0].find("geoev-control"), std::string::npos);
}

TEST(HtmlMap, EmptyCaseAndBadOptions) {
  ScratchDir d;
  geo::render::MapData empty;
  const auto r = geo::render::write_html_map(empty, {}, d / "empty.html");
  EXPECT_EQ(r.markers, 0);
  const std::string html = geo::test::read_text(d / "empty.html");
  EXPECT_NE(html.find("\"empty\":true"), std::string::npos);

  geo::render::HtmlMapOptions bad;
  bad.thumbnail_px = 10;
  EXPECT_NE(geo::test::error_message_of([&] { geo::render::write_html_map(empty, bad, d / "x.html"); })
                .find("thumbnail_px"),
            std::string::npos);
  bad = {};
  bad.imagery_date = "2024-13-40";
  EXPECT_THROW(bad.validate(), geo::Error);
  bad = {};
  bad.leaflet_dir = d / "no-leaflet";
  EXPECT_NE(geo::test::error_message_of([&] { geo::render::write_html_map(empty, bad, d / "x.html"); })
                .find("scripts/setup.sh"),
            std::string::npos);
  // An unwritable output: an error, and nothing left behind.
  EXPECT_THROW(geo::render::write_html_map(empty, {}, d / "missing-dir" / "map.html"), geo::Error);
  EXPECT_FALSE(fs::exists(d / "x.html"));
  EXPECT_EQ(geo::test::list_files(d.path()).size(), 1u);
}

TEST(HtmlMap, ThumbnailsAreLeftOutRatherThanPublishedUnblurred) {
  ScratchDir d;
  auto data = sample(d.path());
  const char* old = std::getenv("GEOEV_HAARCASCADES_DIR");
  const std::string saved = old ? old : "";
  ::setenv("GEOEV_HAARCASCADES_DIR", (d / "no-cascades").c_str(), 1);
  // The cascades are loaded once per thread: run on a fresh one.
  geo::render::HtmlMapResult r;
  std::thread([&] { r = geo::render::write_html_map(data, {}, d / "map.html"); }).join();
  if (old) ::setenv("GEOEV_HAARCASCADES_DIR", saved.c_str(), 1);
  else ::unsetenv("GEOEV_HAARCASCADES_DIR");
  EXPECT_EQ(r.thumbnails, 0);
  bool said = false;
  for (const auto& n : r.notes) said = said || n.find("faces could not be blurred") != std::string::npos;
  EXPECT_TRUE(said);
  EXPECT_EQ(geo::test::read_text(d / "map.html").find("data:image/jpeg"), std::string::npos);
}

}  // namespace
