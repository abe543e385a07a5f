// SPDX-License-Identifier: Apache-2.0
// `geoev match` through the real binary: a located crop, GeoJSON output, and the bad inputs.
#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/core/geodesy.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/json.hpp"
#include "geo/imagery/raster.hpp"
#include "support/image_compare.hpp"
#include "support/match_views.hpp"
#include "support/support.hpp"

using geo::test::run_geoev;

namespace {

const char* kNaip = "imagery/opengeos_naip_m_4709963_se_14_1_20140720.tif";

struct Fixture {
  std::string imagery;
  geo::GeoPoint truth;  // ground position of the crop's centre
};

// A 2x upsampled crop of the NAIP tile (a 2.5 m/px nadir view, north up), with the true centre taken
// from the tile's own geotransform.
Fixture make_crop(const geo::test::ScratchDir& dir, const std::string& name) {
  Fixture f;
  f.imagery = geo::test::shared(kNaip).string();
  geo::Raster r = geo::Raster::open(f.imagery);
  const int c0 = 300, r0 = 250, w = 320, h = 180;
  cv::Mat crop = r.read_pixels(c0, r0, w, h).image;
  cv::resize(crop, crop, cv::Size(), 2, 2, cv::INTER_CUBIC);
  cv::imwrite((dir / name).string(), crop);
  f.truth = r.lat_lon_from_pixel(c0 + w / 2.0, r0 + h / 2.0);
  return f;
}

bool have_sample() { return std::filesystem::exists(geo::test::shared(kNaip)); }

using geo::test::views::texture;

// A synthetic GeoTIFF written in the scratch dir: 1000 x 1000 px at 5 m in UTM zone 14N (5 km x 5 km
// near the NAIP sample's place), for the checks that need imagery but not a match.
std::string synthetic_imagery(const geo::test::ScratchDir& dir) {
  geo::GeoImage g;
  g.image = texture(1000, 1000, 11);
  g.map_from_pixel.c = {487000.0, 5.0, 0.0, 5210000.0, 0.0, -5.0};
  g.crs = "EPSG:32614";
  g.gsd_m = 5.0;
  const auto path = dir / "synthetic.tif";
  geo::write_geotiff(g, path, geo::Json::object());
  return path.string();
}

// A frame of texture (not of any place), 640 x 360.
std::string texture_frame(const geo::test::ScratchDir& dir, const std::string& name) {
  cv::imwrite((dir / name).string(), texture(360, 640, 5));
  return (dir / name).string();
}

// A usable frame and a hopeless one together: the run succeeds, the first is located and the second
// is not_found with `code` among its diagnostics.
void expect_hopeless_beside_good(const std::string& good, const std::string& bad, const std::string& imagery,
                                 const std::string& code) {
  const auto r = run_geoev({"match", good, bad, "--imagery", imagery, "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const geo::Json j = geo::Json::parse(r.out);
  EXPECT_EQ(j["frames"][0]["status"], "located");
  EXPECT_EQ(j["frames"][1]["status"], "not_found");
  EXPECT_NE(j["frames"][1]["diagnostics"].dump().find(code), std::string::npos) << j["frames"][1]["diagnostics"].dump();
}

// A run refused with exit code 1 and one line naming `what`, that wrote nothing to `out`.
// (A sanitizer build's leak checker may append its own report, after a line of dashes: not counted.)
void expect_refused(const geo::test::CliResult& r, const std::string& what, const std::filesystem::path& out) {
  std::string err = r.err;
  if (const auto report = err.find("\n-----"); report != std::string::npos) err.erase(report + 1);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(err.find(what), std::string::npos) << r.err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

}  // namespace

TEST(CliMatch, LocatesACropAndWritesGeoJson) {
  if (!have_sample()) GTEST_SKIP();
  geo::test::ScratchDir dir;
  const Fixture f = make_crop(dir, "view.png");
  const auto out = dir / "m.geojson";
  const auto ov = dir / "overlay";
  const auto r = run_geoev({"match", (dir / "view.png").string(), "--imagery", f.imagery, "--json", "-o",
                            out.string(), "--overlay", ov.string(), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const geo::Json j = geo::Json::parse(r.out);
  ASSERT_EQ(j["frames"].size(), 1u);
  const auto& fr = j["frames"][0];
  ASSERT_EQ(fr["status"], "located");
  const geo::GeoPoint c{fr["center"]["lat_deg"].get<double>(), fr["center"]["lon_deg"].get<double>(), {}};
  EXPECT_LT(geo::geodesic_inverse(c, f.truth).distance_m, 10.0);  // two 5 m reference pixels
  EXPECT_NEAR(fr["gsd_m"].get<double>(), 2.5, 0.25);
  // A north-up nadir crop of a UTM raster: its top faces north within the grid convergence (0.1 deg
  // here) and the fix's error, and its footprint is a rectangle (tilt 0).
  const double heading = fr["heading_deg"].get<double>();
  EXPECT_LT(std::min(heading, 360.0 - heading), 2.0) << heading;
  EXPECT_LT(fr["tilt_deg"].get<double>(), 5.0);
  EXPECT_GE(fr["confidence"].get<double>(), 0.5);
  EXPECT_EQ(j["imagery"]["sha256"].get<std::string>().size(), 64u);
  const geo::Json g = geo::read_json_file(out);
  EXPECT_EQ(g["type"], "FeatureCollection");
  ASSERT_EQ(g["features"].size(), 1u);
  EXPECT_EQ(g["features"][0]["geometry"]["type"], "Polygon");
  EXPECT_EQ(g["features"][0]["geometry"]["coordinates"][0].size(), 5u);
  EXPECT_EQ(g["provenance"]["operation"], "match");
  // The provenance names the frame by the hash of the bytes matched, and the imagery.
  const geo::Json& in = g["provenance"]["inputs"];
  ASSERT_EQ(in.size(), 2u);
  EXPECT_EQ(in[0]["path"], (dir / "view.png").string());
  EXPECT_EQ(in[0]["sha256"], geo::sha256_file(dir / "view.png"));
  EXPECT_EQ(in[0]["size_bytes"], std::filesystem::file_size(dir / "view.png"));
  EXPECT_EQ(in[1]["sha256"], j["imagery"]["sha256"]);
  const auto pngs = geo::test::list_files(ov);
  ASSERT_EQ(pngs.size(), 1u);
  // The overlay is render's labelled figure (its drawing is tested in tests/unit/render/overlay_test.cpp):
  // 1600 px wide, the two map panels over the frame as filmed, not blank.
  const cv::Mat png = cv::imread(pngs[0].string(), cv::IMREAD_COLOR);
  ASSERT_EQ(png.cols, 1600);
  EXPECT_GT(png.rows, 1000);
  cv::Mat grey;
  cv::cvtColor(png, grey, cv::COLOR_BGR2GRAY);
  cv::Scalar mean, sd;
  cv::meanStdDev(grey, mean, sd);
  EXPECT_GT(sd[0], 20.0);
}

// A phone stores a portrait or rotated picture as the sensor read it, with an EXIF orientation that
// says how to turn it for display. The frame is matched as displayed: the footprint's top-left corner
// is the displayed picture's, the same as for the upright crop.
TEST(CliMatch, HonoursTheExifOrientationOfAJpegFrame) {
  if (!have_sample()) GTEST_SKIP();
  geo::test::ScratchDir dir;
  const Fixture f = make_crop(dir, "view.png");
  cv::Mat upright = cv::imread((dir / "view.png").string());
  cv::Mat stored;
  cv::rotate(upright, stored, cv::ROTATE_90_COUNTERCLOCKWISE);  // orientation 6 turns it back clockwise
  std::vector<unsigned char> jpg;
  cv::imencode(".jpg", stored, jpg, {cv::IMWRITE_JPEG_QUALITY, 95});
  // APP1 "Exif": a little-endian TIFF header and one IFD entry, Orientation (0x0112) SHORT = 6.
  const unsigned char app1[] = {0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 0x2A, 0, 8, 0, 0, 0,
                                1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0};
  jpg.insert(jpg.begin() + 2, std::begin(app1), std::end(app1));
  geo::test::write_bytes(dir / "rotated.jpg", std::string(jpg.begin(), jpg.end()));
  ASSERT_EQ(cv::imread((dir / "rotated.jpg").string()).size(), upright.size());  // the tag is read
  auto top_left = [&](const std::string& frame) {
    const auto r = run_geoev({"match", frame, "--imagery", f.imagery, "--json", "--quiet"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const geo::Json j = geo::Json::parse(r.out);
    EXPECT_EQ(j["frames"][0]["status"], "located") << r.out;
    const auto& c = j["frames"][0]["footprint"]["coordinates"][0][0];
    return geo::GeoPoint{c[1].get<double>(), c[0].get<double>(), {}};
  };
  const geo::GeoPoint a = top_left((dir / "view.png").string()), b = top_left((dir / "rotated.jpg").string());
  // Ignoring the tag would put the corner at another corner of the 800 x 450 m footprint.
  EXPECT_LT(geo::geodesic_inverse(a, b).distance_m, 15.0);
}

TEST(CliMatch, ImageryWithoutGeoreferencingFails) {
  geo::test::ScratchDir dir;
  texture_frame(dir, "view.png");
  cv::imwrite((dir / "plain.png").string(), cv::Mat(200, 200, CV_8UC3, cv::Scalar(10, 200, 30)));
  const auto r = run_geoev({"match", (dir / "view.png").string(), "--imagery", (dir / "plain.png").string(), "-o",
                            (dir / "m.geojson").string()});
  expect_refused(r, "georeferenc", dir / "m.geojson");
}

TEST(CliMatch, BlankAndTinyFramesFailWhenNothingElse) {
  geo::test::ScratchDir dir;
  cv::imwrite((dir / "black.png").string(), cv::Mat(360, 640, CV_8UC3, cv::Scalar(0, 0, 0)));
  cv::imwrite((dir / "tiny.png").string(), cv::Mat(40, 40, CV_8UC3, cv::Scalar(0, 90, 0)));
  const std::string img = synthetic_imagery(dir);
  auto r = run_geoev({"match", (dir / "black.png").string(), "--imagery", img, "-o", (dir / "m.geojson").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("blank or a single colour"), std::string::npos) << r.err;
  r = run_geoev({"match", (dir / "tiny.png").string(), "--imagery", img});
  expect_refused(r, "smaller than 64", dir / "m.geojson");
}

TEST(CliMatch, HopelessFrameAmongGoodOnesIsNotFound) {
  if (!have_sample()) GTEST_SKIP();
  geo::test::ScratchDir dir;
  const Fixture f = make_crop(dir, "view.png");
  cv::imwrite((dir / "black.png").string(), cv::Mat(360, 640, CV_8UC3, cv::Scalar(0, 0, 0)));
  expect_hopeless_beside_good((dir / "view.png").string(), (dir / "black.png").string(), f.imagery, "frame.uniform");
}

TEST(CliMatch, TruncatedFrameIsNotMatched) {
  // The decoder would fill the missing part with grey and say nothing: the frame is refused instead.
  geo::test::ScratchDir dir;
  const std::string png = geo::test::read_text(texture_frame(dir, "view.png"));
  geo::test::write_bytes(dir / "cut.png", png.substr(0, png.size() / 2));
  const auto out = dir / "m.geojson";
  expect_refused(run_geoev({"match", (dir / "cut.png").string(), "--imagery", synthetic_imagery(dir), "-o", out.string()}),
                 "truncated", out);
}

TEST(CliMatch, TruncatedFrameAmongGoodOnesIsNotFound) {
  if (!have_sample()) GTEST_SKIP();
  geo::test::ScratchDir dir;
  const Fixture f = make_crop(dir, "view.png");
  const std::string png = geo::test::read_text(dir / "view.png");
  geo::test::write_bytes(dir / "cut.png", png.substr(0, png.size() / 2));
  expect_hopeless_beside_good((dir / "view.png").string(), (dir / "cut.png").string(), f.imagery, "frame.truncated");
}

TEST(CliMatch, HeadingOutOfRangeFails) {
  geo::test::ScratchDir dir;
  const auto r = run_geoev({"match", texture_frame(dir, "view.png"), "--imagery", synthetic_imagery(dir), "--heading-deg", "400"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("heading_deg must be within"), std::string::npos) << r.err;
}

// The search confirms views up to 45 degrees from nadir (the refinement keeps no steeper hypothesis):
// a steeper tilt prior is refused with one line saying so, before any work; 45 itself is accepted.
TEST(CliMatch, TiltOverWhatTheSearchSupportsFails) {
  geo::test::ScratchDir dir;
  const std::string view = texture_frame(dir, "view.png"), img = synthetic_imagery(dir);
  auto r = run_geoev({"match", view, "--imagery", img, "--tilt-deg", "50", "-o", (dir / "m.geojson").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("tilt_deg 50"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[0, 45]"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "m.geojson"));
  r = run_geoev({"match", view, "--imagery", img, "--tilt-deg", "45", "--no-dense", "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NEAR(geo::Json::parse(r.out)["frames"][0]["priors"]["tilt_deg"].get<double>(), 45.0, 1e-9);
}

TEST(CliMatch, ACircleWiderThanTheImageryReadsOnlyTheImagery) {
  // A rough location (50 km) against one scene: reading the whole circle's window would ask for
  // 100 km x 100 km at the tile's 5 m (20272 x 20272 px), too large; only the imagery is read.
  if (!have_sample()) GTEST_SKIP();
  geo::test::ScratchDir dir;
  const Fixture f = make_crop(dir, "view.png");
  const std::string near = std::to_string(f.truth.lat_deg + 0.1) + "," + std::to_string(f.truth.lon_deg);
  auto r = run_geoev({"match", (dir / "view.png").string(), "--imagery", f.imagery, "--near", near, "--radius-m",
                      "50000", "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const geo::Json j = geo::Json::parse(r.out);
  ASSERT_EQ(j["frames"][0]["status"], "located");
  const geo::GeoPoint c{j["frames"][0]["center"]["lat_deg"].get<double>(), j["frames"][0]["center"]["lon_deg"].get<double>(), {}};
  EXPECT_LT(geo::geodesic_inverse(c, f.truth).distance_m, 10.0);
  r = run_geoev({"match", (dir / "view.png").string(), "--imagery", f.imagery, "--near", near, "--radius-m", "2e6"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a search area"), std::string::npos) << r.err;
}

TEST(CliMatch, AReferenceTooLargeToReadSaysWhatToDo) {
  geo::test::ScratchDir dir;
  // The whole 5 km square at 0.2 m: 25000 x 25000 pixels.
  const auto r = run_geoev({"match", texture_frame(dir, "view.png"), "--imagery", synthetic_imagery(dir), "--ref-gsd-m",
                            "0.2", "-o", (dir / "m.geojson").string()});
  expect_refused(r, "too large to read at 0.20 m/px", dir / "m.geojson");
  EXPECT_NE(r.err.find("--ref-gsd-m"), std::string::npos) << r.err;
}

TEST(CliMatch, TheImageryDateSaysWhereItCameFrom) {
  if (!have_sample()) GTEST_SKIP();
  geo::test::ScratchDir dir;
  const Fixture f = make_crop(dir, "view.png");
  const std::string view = (dir / "view.png").string();
  // The NAIP file carries no date; the analyst knows it from the provider.
  auto r = run_geoev({"match", view, "--imagery", f.imagery, "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(geo::Json::parse(r.out)["imagery"]["acquired"].is_null());
  r = run_geoev({"match", view, "--imagery", f.imagery, "--imagery-date", "2014-07-20", "--json", "--quiet", "-o",
                 (dir / "m.geojson").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  geo::Json j = geo::Json::parse(r.out);
  EXPECT_EQ(j["imagery"]["acquired"], "2014-07-20");
  EXPECT_EQ(j["imagery"]["acquired_source"], "analyst:--imagery-date");
  EXPECT_EQ(j["provenance"]["parameters"]["imagery_date"], "2014-07-20");
  const geo::Json g = geo::read_json_file(dir / "m.geojson");
  EXPECT_EQ(g["features"][0]["properties"]["imagery_acquired_source"], "analyst:--imagery-date");
  // A date in the raster's own metadata, and a given date that disagrees with it.
  const std::string vrt = (dir / "dated.vrt").string();
  geo::test::write_dated_vrt(f.imagery, vrt, "2014-07-20");
  r = run_geoev({"match", view, "--imagery", vrt, "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = geo::Json::parse(r.out);
  EXPECT_EQ(j["imagery"]["acquired"], "2014-07-20");
  EXPECT_EQ(j["imagery"]["acquired_source"], "metadata:default:ACQUISITION_DATE");
  EXPECT_EQ(j["diagnostics"].dump().find("imagery.date_disagrees"), std::string::npos);
  r = run_geoev({"match", view, "--imagery", vrt, "--imagery-date", "2014-08-02", "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = geo::Json::parse(r.out);
  EXPECT_EQ(j["imagery"]["acquired"], "2014-08-02");
  EXPECT_NE(j["diagnostics"].dump().find("imagery.date_disagrees"), std::string::npos);
}

TEST(CliMatch, TheImageryDateIsADayInThePast) {
  geo::test::ScratchDir dir;
  const std::string view = texture_frame(dir, "view.png"), img = synthetic_imagery(dir);
  // Impossible, future and zone-less dates.
  for (const char* bad : {"2014-02-30", "2099-01-01", "2014-07-20T10:00:00", "July 2014"}) {
    const auto r = run_geoev({"match", view, "--imagery", img, "--imagery-date", bad});
    EXPECT_EQ(r.exit_code, 1) << bad;
    EXPECT_NE(r.err.find("imagery date"), std::string::npos) << r.err;
  }
}

TEST(CliMatch, SearchAreaOutsideImageryFails) {
  geo::test::ScratchDir dir;
  const auto r = run_geoev({"match", texture_frame(dir, "view.png"), "--imagery", synthetic_imagery(dir), "--near", "11.5,104.9",
                            "--radius-m", "2000", "-o", (dir / "m.geojson").string()});
  expect_refused(r, "does not intersect", dir / "m.geojson");
}

TEST(CliMatch, EmptyFramesJsonFails) {
  geo::test::ScratchDir dir;
  geo::test::write_bytes(dir / "frames.json", R"({"sha256": "00", "frames": []})");
  const auto r = run_geoev({"match", "--frames", (dir / "frames.json").string(), "--imagery", synthetic_imagery(dir),
                            "-o", (dir / "m.geojson").string()});
  expect_refused(r, "lists no frames", dir / "m.geojson");
}

TEST(CliMatch, FramesAndPathsTogetherIsUsageError) {
  const auto r = run_geoev({"match", "a.png", "--frames", "f.json", "--imagery", "x.tif"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(CliMatch, FramesJsonTelemetryGivesThePriors) {
  if (!have_sample()) GTEST_SKIP();
  geo::test::ScratchDir dir;
  const Fixture f = make_crop(dir, "view.png");
  // The camera 300 m north-east of the frame centre, nadir, heading north, at the height that gives
  // 2.5 m/px with a 70 deg field of view over 640 px (320 / tan(35 deg) px focal length).
  const geo::GeoPoint cam = geo::geodesic_direct(f.truth, 45, 300);
  const double alt = 2.5 * 320 / std::tan(35 * M_PI / 180);
  geo::Json fj = {{"frames", geo::Json::array({geo::Json{{"file", "view.png"},
                                                          {"pts_s", 1.5},
                                                          {"camera", {{"lat_deg", cam.lat_deg},
                                                                      {"lon_deg", cam.lon_deg},
                                                                      {"rel_alt_m", alt},
                                                                      {"heading_deg", 0.0},
                                                                      {"tilt_deg", 0.0},
                                                                      {"hfov_deg", 70.0},
                                                                      {"source", "dji-srt"}}}}})}};
  geo::test::write_bytes(dir / "frames.json", fj.dump());
  const auto r = run_geoev({"match", "--frames", (dir / "frames.json").string(), "--imagery", f.imagery, "--json",
                            "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const geo::Json j = geo::Json::parse(r.out);
  const auto& fr = j["frames"][0];
  ASSERT_EQ(fr["status"], "located");
  const geo::GeoPoint c{fr["center"]["lat_deg"].get<double>(), fr["center"]["lon_deg"].get<double>(), {}};
  EXPECT_LT(geo::geodesic_inverse(c, f.truth).distance_m, 10.0);
  EXPECT_NEAR(fr["priors"]["gsd_m"].get<double>(), 2.5, 0.01);
  EXPECT_NEAR(fr["priors"]["radius_m"].get<double>(), 500.0, 0.1);  // nadir: no reach beyond 500 m
  EXPECT_EQ(fr["priors"]["from_telemetry"].size(), 5u);  // tilt, heading, altitude, hfov, near
  // An explicit option wins over the telemetry: a heading 90 deg off makes the frame not_found
  // rather than moving the fix.
  const auto r2 = run_geoev({"match", "--frames", (dir / "frames.json").string(), "--imagery", f.imagery, "--json",
                             "--quiet", "--heading-deg", "90", "--no-dense"});
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  const geo::Json j2 = geo::Json::parse(r2.out);
  EXPECT_NEAR(j2["frames"][0]["priors"]["heading_deg"].get<double>(), 90.0, 1e-9);
  EXPECT_EQ(j2["frames"][0]["status"], "not_found");
  // Every prior was known: the not_found diagnostic suggests none.
  EXPECT_EQ(j2["frames"][0]["diagnostics"].dump().find("was known"), std::string::npos);
}

TEST(CliMatch, NotFoundSaysWhichPriorsWereMissing) {
  geo::test::ScratchDir dir;
  cv::Mat noise(360, 640, CV_8UC3);
  cv::theRNG().state = 7;
  cv::randu(noise, 0, 255);
  cv::imwrite((dir / "noise.png").string(), noise);
  const auto r = run_geoev({"match", (dir / "noise.png").string(), "--imagery", synthetic_imagery(dir),
                            "--heading-deg", "30", "--no-dense", "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const geo::Json j = geo::Json::parse(r.out);
  ASSERT_EQ(j["frames"][0]["status"], "not_found");
  std::string msg;
  for (const auto& d : j["frames"][0]["diagnostics"])
    if (d["code"] == "match.not_found") msg = d["message"].get<std::string>();
  EXPECT_NE(msg.find("scale (--gsd-m"), std::string::npos) << msg;
  EXPECT_NE(msg.find("search centre (--near"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("heading (--heading-deg)"), std::string::npos) << msg;  // it was given
}

TEST(CliMatch, TelemetryOutsideTheImageryFails) {
  geo::test::ScratchDir dir;
  texture_frame(dir, "view.png");
  const std::string imagery = synthetic_imagery(dir);
  geo::Json fj = {{"frames", geo::Json::array({geo::Json{
                                 {"file", "view.png"}, {"camera", {{"lat_deg", 11.0}, {"lon_deg", 104.0}}}}})}};
  geo::test::write_bytes(dir / "frames.json", fj.dump());
  const auto r = run_geoev({"match", "--frames", (dir / "frames.json").string(), "--imagery", imagery, "-o",
                            (dir / "m.geojson").string()});
  expect_refused(r, "telemetry positions", dir / "m.geojson");
}

TEST(CliMatch, IndexCacheIsReusedAndRebuiltWhenAltered) {
  if (!have_sample()) GTEST_SKIP();
  geo::test::ScratchDir dir;
  const Fixture f = make_crop(dir, "view.png");
  const auto idx = dir / "index";
  auto run = [&] {
    const auto r = run_geoev({"match", (dir / "view.png").string(), "--imagery", f.imagery, "--index-dir", idx.string(),
                              "--json", "--quiet"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return geo::Json::parse(r.out);
  };
  auto has = [](const geo::Json& j, const std::string& code) {
    for (const auto& d : j["diagnostics"])
      if (d["code"] == code) return true;
    return false;
  };
  const geo::Json first = run();
  EXPECT_TRUE(has(first, "match.index_stored"));
  std::vector<std::filesystem::path> entries;
  for (const auto& e : std::filesystem::directory_iterator(idx)) entries.push_back(e.path());
  ASSERT_EQ(entries.size(), 1u);  // one entry: index.json, reference.tif, keypoints.bin
  const geo::Json second = run();
  EXPECT_TRUE(has(second, "match.index_cached"));
  ASSERT_EQ(second["frames"][0]["status"], "located");
  // Same reference, same keypoints: the same fix to the centimetre.
  EXPECT_NEAR(second["frames"][0]["center"]["lat_deg"].get<double>(), first["frames"][0]["center"]["lat_deg"].get<double>(), 1e-7);
  EXPECT_NEAR(second["frames"][0]["center"]["lon_deg"].get<double>(), first["frames"][0]["center"]["lon_deg"].get<double>(), 1e-7);
  // An altered cache file is detected and not used.
  const auto kp = entries[0] / "keypoints.bin";
  std::string bytes = geo::test::read_text(kp);
  bytes[bytes.size() / 2] ^= 0x5a;
  geo::test::write_bytes(kp, bytes);
  const geo::Json third = run();
  EXPECT_TRUE(has(third, "match.index_altered"));
  EXPECT_FALSE(has(third, "match.index_cached"));
  EXPECT_EQ(third["frames"][0]["status"], "located");
}

TEST(CliMatch, BadScaleRangeFailsBeforeAnyWork) {
  geo::test::ScratchDir dir;
  const std::string view = texture_frame(dir, "view.png"), img = synthetic_imagery(dir);
  // 0.015 m/px: finer than any fix the scale gate passes (0.02), so the search could never locate.
  for (const char* range : {"1.2,0.25", "0,1", "abc", "0.001,1", "0.015,0.3", "0.1,20"}) {
    const auto r = run_geoev({"match", view, "--imagery", img, "--gsd-range", range,
                              "-o", (dir / "m.geojson").string()});
    EXPECT_EQ(r.exit_code, 1) << range;
    EXPECT_NE(r.err.find("scale range"), std::string::npos) << range << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "m.geojson"));
  }
}

TEST(CliMatch, ScaleRangeIsRecordedInTheProvenance) {
  geo::test::ScratchDir dir;
  const auto r = run_geoev({"match", texture_frame(dir, "view.png"), "--imagery", synthetic_imagery(dir), "--gsd-range", "2,3",
                            "-o", (dir / "m.geojson").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const geo::Json j = geo::read_json_file(dir / "m.geojson");
  const std::string s = j.dump();
  EXPECT_NE(s.find("\"gsd_range_m\":[2.0,3.0]"), std::string::npos) << s.substr(0, 2000);
}
