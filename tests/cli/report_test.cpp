// SPDX-License-Identifier: Apache-2.0
// geoev report through the real binary, on cases built in seconds with case init / case add / events add
// (no matching): the HTML in headless Chromium (no console message, no request), the PDF through
// poppler (pdfinfo, pdftotext), the same events in both, the custody log as `geoev case log` gives it,
// a case edited behind geoev's back, an empty case, moved originals, frames from a run's stage files,
// and the refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <set>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/core/hash.hpp"
#include "geo/core/json.hpp"
#include "support/browser.hpp"
#include "support/support.hpp"

namespace {

namespace fs = std::filesystem;
using geo::Json;
using geo::test::run_geoev;
using geo::test::ScratchDir;

struct Sample {
  fs::path dir;
  std::vector<std::string> sha256;
  std::vector<std::string> coords{"16.631000, 98.557000", "16.700000, 98.557000"};
};

// Two files of footage (random bytes: recorded by hash only) and two events, one on each.
Sample make_case(const ScratchDir& d) {
  Sample s{d / "case", {}, {}};
  s.coords = {"16.631000, 98.557000", "16.700000, 98.557000"};
  EXPECT_EQ(run_geoev({"case", "init", "--case", s.dir.string(), "--title", "Hand-made case"}).exit_code, 0);
  for (int i = 0; i < 2; ++i) {
    const fs::path f = d / ("clip" + std::to_string(i + 1) + ".mp4");
    geo::test::write_bytes(f, geo::test::random_bytes(4096, 11 + i));
    s.sha256.push_back(geo::sha256_file(f));
    const auto a = run_geoev({"case", "add", "--case", s.dir.string(), f.string(), "--quiet"});
    EXPECT_EQ(a.exit_code, 0) << a.err;
  }
  const char* at[] = {"16.631,98.557", "16.700,98.557"};
  for (int i = 0; i < 2; ++i) {
    const auto e = run_geoev({"events", "add", "--case", s.dir.string(), "--at", at[i], "--uncertainty-m", "50", "--from",
                              "2024-03-01T02:00Z", "--to", "2024-03-01T02:05Z", "--media", s.sha256[i], "--description", "exit"});
    EXPECT_EQ(e.exit_code, 0) << e.err;
  }
  return s;
}

std::string pdf_text(const fs::path& pdf, int first = 0, int last = 0) {
  std::string cmd = "pdftotext -enc UTF-8 ";
  if (first) cmd += "-f " + std::to_string(first) + " -l " + std::to_string(last) + " ";
  return geo::test::shell_output(cmd + "'" + pdf.string() + "' - 2>&1");
}

std::string without_space(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); }), s.end());
  return s;
}

int pdf_pages(const fs::path& pdf) {
  const std::string info = geo::test::shell_output("pdfinfo '" + pdf.string() + "' 2>&1");
  std::smatch m;
  return std::regex_search(info, m, std::regex("Pages:\\s+(\\d+)")) ? std::stoi(m[1]) : -1;
}

std::set<std::string> events_in(const std::string& text) {
  std::set<std::string> out;
  const std::regex re("Event (\\d+)");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it) out.insert((*it)[1]);
  return out;
}

TEST(Report, HtmlAndPdfOfAHandMadeCase) {
  ScratchDir d;
  const Sample s = make_case(d);
  const fs::path html = d / "report.html", pdf = d / "report.pdf";
  const auto h = run_geoev({"report", "--case", s.dir.string(), "-o", html.string(), "--json", "--quiet"});
  ASSERT_EQ(h.exit_code, 0) << h.err;
  const Json hj = Json::parse(h.out);
  EXPECT_EQ(hj["events"], 2);
  EXPECT_EQ(hj["videos"], 2);
  EXPECT_TRUE(hj["verified"].get<bool>());
  EXPECT_TRUE(hj["blur_faces"].get<bool>());
  const auto p = run_geoev({"report", "--case", s.dir.string(), "-o", pdf.string(), "--quiet"});
  ASSERT_EQ(p.exit_code, 0) << p.err;

  // The PDF: a valid A4 document holding every file's SHA-256 and every event's coordinates.
  EXPECT_GE(pdf_pages(pdf), 3);
  EXPECT_NE(geo::test::shell_output("pdfinfo '" + pdf.string() + "'").find("595.28 x 841.89"), std::string::npos);
  const std::string text = pdf_text(pdf);
  for (const auto& sha : s.sha256) EXPECT_NE(text.find(sha), std::string::npos) << sha;
  for (const auto& c : s.coords) EXPECT_NE(text.find(c), std::string::npos) << c;
  EXPECT_NE(pdf_text(pdf, 1, 1).find("BLURRED in every image"), std::string::npos);
  // Every page after the first names the case and its directory in its running header.
  EXPECT_NE(pdf_text(pdf, 2, 2).find("Evidence report: Hand-made case | case \u201ccase\u201d | made "), std::string::npos);

  // The HTML in a real browser: no console message, no request; the same events as the PDF.
  const auto b = geo::test::open_in_chromium(d.path(), html.string(), "--dump-dom", d / "net.json");
  EXPECT_EQ(b.exit_code, 0);
  EXPECT_EQ(geo::test::console_lines(b.log), std::vector<std::string>{});
  EXPECT_EQ(geo::test::page_requests(d / "net.json"), std::vector<std::string>{});
  for (const auto& sha : s.sha256) EXPECT_NE(b.out.find(sha), std::string::npos);
  for (const auto& c : s.coords) EXPECT_NE(b.out.find(c), std::string::npos);
  EXPECT_EQ(events_in(b.out), events_in(text));
  EXPECT_EQ(events_in(text), (std::set<std::string>{"1", "2"}));

  // The custody log: every entry of `geoev case log`, with its time, action and hash, in both.
  const Json log = Json::parse(run_geoev({"case", "log", "--case", s.dir.string(), "--json"}).out);
  ASSERT_GE(log.size(), 5u);
  const std::string flat = without_space(text);
  for (const auto& e : log) {
    const std::string row = "<tr><td>" + std::to_string(e["id"].get<int>()) + "</td><td>" + e["utc"].get<std::string>() +
                            "</td><td>" + e["action"].get<std::string>() + "</td>";
    EXPECT_NE(b.out.find(row), std::string::npos) << row;
    EXPECT_NE(b.out.find(e["entry_hash"].get<std::string>()), std::string::npos);
    EXPECT_NE(flat.find(e["entry_hash"].get<std::string>()), std::string::npos) << "PDF lacks entry " << e["id"];
  }
  EXPECT_NE(text.find(log.back()["entry_hash"].get<std::string>()), std::string::npos) << "the head, unbroken";
}

TEST(Report, ACaseEditedBehindGeoevsBackSaysSoOnItsFirstPage) {
  ScratchDir d;
  const Sample s = make_case(d);
  // Through GDAL, which has the functions the GeoPackage's triggers call (the sqlite3 client has not).
  geo::test::shell_output("ogrinfo '" + (s.dir / "case.gpkg").string() + "' -q -sql 'UPDATE events SET lat = lat + 1' >/dev/null 2>&1");
  const fs::path pdf = d / "r.pdf", html = d / "r.html";
  const auto r = run_geoev({"report", "--case", s.dir.string(), "-o", pdf.string(), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;  // the report is made, and says what is wrong
  EXPECT_NE(r.err.find("row_edited"), std::string::npos) << r.err;
  const std::string first = pdf_text(pdf, 1, 1);
  EXPECT_NE(first.find("VERIFICATION FAILED"), std::string::npos) << first;
  EXPECT_NE(without_space(first).find("row_edited"), std::string::npos) << first;
  ASSERT_EQ(run_geoev({"report", "--case", s.dir.string(), "-o", html.string(), "--quiet"}).exit_code, 0);
  EXPECT_NE(geo::test::read_text(html).find("VERIFICATION FAILED"), std::string::npos);
}

TEST(Report, EmptyCaseGivesAReportThatSaysSo) {
  ScratchDir d;
  ASSERT_EQ(run_geoev({"case", "init", "--case", (d / "case").string()}).exit_code, 0);
  for (const char* name : {"r.pdf", "r.html"}) {
    const auto r = run_geoev({"report", "--case", (d / "case").string(), "-o", (d / name).string(), "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_NE(pdf_text(d / "r.pdf", 1, 1).find("no footage and no events"), std::string::npos);
  EXPECT_EQ(pdf_pages(d / "r.pdf"), 2);  // the first page and the appendix
  // A case without a title is named by its directory, once.
  EXPECT_NE(pdf_text(d / "r.pdf", 2, 2).find("Evidence report: case | made "), std::string::npos) << pdf_text(d / "r.pdf", 2, 2);
  EXPECT_NE(geo::test::read_text(d / "r.html").find("no footage and no events"), std::string::npos);
}

TEST(Report, MovedOriginalsAreNamedAndTheReportStillRenders) {
  ScratchDir d;
  const Sample s = make_case(d);
  fs::create_directories(d / "elsewhere");
  fs::rename(d / "clip2.mp4", d / "elsewhere" / "clip2.mp4");
  const auto r = run_geoev({"report", "--case", s.dir.string(), "-o", (d / "r.pdf").string(), "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json j = Json::parse(r.out);
  ASSERT_EQ(j["missing_media"].size(), 1u);
  EXPECT_NE(j["missing_media"][0].get<std::string>().find("clip2.mp4"), std::string::npos);
  EXPECT_FALSE(j["verified"].get<bool>());
  const std::string first = pdf_text(d / "r.pdf", 1, 1);
  EXPECT_NE(first.find("missing from where the case recorded them"), std::string::npos) << first;
  EXPECT_NE(first.find("clip2.mp4"), std::string::npos);
  EXPECT_NE(pdf_text(d / "r.pdf").find(s.sha256[1]), std::string::npos) << "what the case recorded is still shown";
}

// Frames as geoev run leaves them (run/<sha256 prefix>/frames-*/ and match-*.json): a contact sheet and
// an overlay per located frame; --no-blur-faces is said on the first page.
TEST(Report, FramesFromTheRunsStageFiles) {
  ScratchDir d;
  const Sample s = make_case(d);
  const fs::path frames = s.dir / "run" / s.sha256[0].substr(0, 16) / "frames-test";
  fs::create_directories(frames);
  Json fj{{"frames", Json::array()}}, mj{{"imagery", "x.tif"}, {"frames", Json::array()}};
  for (int i = 0; i < 3; ++i) {
    cv::Mat img(270, 480, CV_8UC3, cv::Scalar(40 + 60 * i, 120, 90));
    cv::circle(img, {240, 135}, 40 + 10 * i, cv::Scalar(250, 250, 250), -1);
    const std::string name = "frame_0000" + std::to_string(i + 1) + ".jpg";
    cv::imwrite((frames / name).string(), img);
    fj["frames"].push_back({{"file", name}, {"pts_s", 1.5 * i}});
    mj["frames"].push_back({{"frame", (frames / name).string()}, {"located", i != 1}, {"center", {16.631, 98.557}},
                            {"error_m", 7.5}, {"confidence", 0.9}, {"method", "dense"}});
  }
  geo::test::write_bytes(frames / "frames.json", fj.dump());
  geo::test::write_bytes(frames.parent_path() / "match-test.json", mj.dump());
  const auto r = run_geoev({"report", "--case", s.dir.string(), "-o", (d / "r.pdf").string(), "--json", "--quiet", "--no-blur-faces"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Four maps (overview, timeline, a site map per event), three frames in the contact sheet, two located.
  EXPECT_EQ(Json::parse(r.out)["images"], 4 + 3 + 2);
  const std::string text = pdf_text(d / "r.pdf");
  EXPECT_NE(text.find("Contact sheet: the 3 frames"), std::string::npos);
  EXPECT_NE(text.find("±7.5 m"), std::string::npos);
  EXPECT_NE(pdf_text(d / "r.pdf", 1, 1).find("FACES ARE NOT BLURRED"), std::string::npos);
  const auto blurred = run_geoev({"report", "--case", s.dir.string(), "-o", (d / "b.html").string(), "--json", "--quiet"});
  ASSERT_EQ(blurred.exit_code, 0) << blurred.err;
  EXPECT_EQ(Json::parse(blurred.out)["images"], 9);
}

TEST(Report, RefusalsLeaveNothingBehind) {
  ScratchDir d;
  const Sample s = make_case(d);
  const auto inside = run_geoev({"report", "--case", s.dir.string(), "-o", (s.dir / "r.html").string()});
  EXPECT_EQ(inside.exit_code, 1);
  EXPECT_EQ(std::count(inside.err.begin(), inside.err.end(), '\n'), 1) << inside.err;
  EXPECT_FALSE(fs::exists(s.dir / "r.html"));
  const auto nodir = run_geoev({"report", "--case", s.dir.string(), "-o", (d / "no" / "r.pdf").string()});
  EXPECT_EQ(nodir.exit_code, 1) << nodir.err;
  const auto ext = run_geoev({"report", "--case", s.dir.string(), "-o", (d / "r.docx").string()});
  EXPECT_EQ(ext.exit_code, 2) << ext.err;
  const auto both = run_geoev({"report", "--case", s.dir.string(), "-o", (d / "r.pdf").string(), "--blur-faces", "--no-blur-faces"});
  EXPECT_EQ(both.exit_code, 2) << both.err;
  const auto notcase = run_geoev({"report", "--case", d.path().string(), "-o", (d / "r.pdf").string()});
  EXPECT_EQ(notcase.exit_code, 1) << notcase.err;
  geo::test::write_bytes(d / "old.pdf", "x");
  EXPECT_EQ(run_geoev({"report", "--case", s.dir.string(), "-o", (d / "old.pdf").string()}).exit_code, 1);
  EXPECT_EQ(geo::test::read_text(d / "old.pdf"), "x");
  // Unwritable even for root: /proc takes no new files.
  const auto unwritable = run_geoev({"report", "--case", s.dir.string(), "-o", "/proc/geoev-report.pdf"});
  EXPECT_EQ(unwritable.exit_code, 1) << unwritable.err;
  EXPECT_EQ(std::count(unwritable.err.begin(), unwritable.err.end(), '\n'), 1) << unwritable.err;
  for (const auto& f : geo::test::list_files(d.path())) EXPECT_EQ(f.filename().string().find(".tmp"), std::string::npos) << f;
}

}  // namespace
