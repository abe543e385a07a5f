// SPDX-License-Identifier: Apache-2.0
// Issue 22's custody and output findings, each reproduced through the real binary: an export that
// would replace the case, every gap of `case verify` (edited, deleted and inserted rows, a truncated log,
// a rewritten case.json, a head recorded elsewhere, leftover temporaries), outputs left behind by a
// failed case write, and text that must survive any bytes (KML, CSV, JSON, terminal).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <regex>

#include "geo/core/json.hpp"
#include "geo/core/text.hpp"
#include "support/support.hpp"
#include "support/video_fixture.hpp"

namespace {

using geo::test::run_geoev;
using geo::test::ScratchDir;
namespace fs = std::filesystem;

std::string sh(const std::string& cmd) { return geo::test::shell_output(cmd); }

// Runs SQL on the case's GeoPackage through GDAL (which has the GeoPackage triggers' functions), as a
// person editing the case with another tool would.
void edit_sql(const fs::path& gpkg, const std::string& sql) {
  sh("ogrinfo '" + gpkg.string() + "' -q -sql \"" + sql + "\" >/dev/null 2>&1");
}

std::string sql_value(const fs::path& gpkg, const std::string& sql) {
  std::string v = sh("sqlite3 '" + gpkg.string() + "' \"" + sql + "\"");
  while (!v.empty() && (v.back() == '\n' || v.back() == '\r')) v.pop_back();
  return v;
}

// A case with two events and one media file.
struct Case {
  fs::path dir, gpkg;
};
Case make_case(const ScratchDir& d) {
  Case c{d / "case", d / "case" / "case.gpkg"};
  EXPECT_EQ(run_geoev({"case", "init", "--case", c.dir.string(), "--title", "t"}).exit_code, 0);
  geo::test::write_bytes(d / "clip.bin", geo::test::random_bytes(4096, 7));
  const auto a = run_geoev({"case", "add", "--case", c.dir.string(), (d / "clip.bin").string(), "--quiet"});
  EXPECT_EQ(a.exit_code, 0) << a.err;
  for (const char* at : {"16.631,98.557", "16.700,98.557"}) {
    const auto e = run_geoev({"events", "add", "--case", c.dir.string(), "--at", at, "--uncertainty-m",
                              "50", "--description", "exit"});
    EXPECT_EQ(e.exit_code, 0) << e.err;
  }
  return c;
}

geo::Json verify_json(const fs::path& dir, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"case", "verify", "--case", dir.string(), "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = run_geoev(args);
  auto j = geo::Json::parse(r.out);
  j["exit_code"] = r.exit_code;
  return j;
}

// The problems of one kind that name `what`.
int problems(const geo::Json& v, const std::string& kind, const std::string& what = "") {
  int n = 0;
  for (const auto& p : v["problems"])
    if (p["kind"] == kind && (what.empty() || p["what"].get<std::string>() == what)) ++n;
  return n;
}

TEST(CustodyChain, ExportIntoTheCaseIsRefusedAndTheCaseStaysIntact) {
  ScratchDir d;
  const auto c = make_case(d);
  const auto before = geo::test::read_text(c.gpkg);
  const auto r = run_geoev({"events", "export", "--case", c.dir.string(), "--format", "gpkg", "-o", c.gpkg.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("inside the case directory"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(geo::test::read_text(c.gpkg), before);
  // Anywhere inside the case, e.g. originals/, is refused too.
  EXPECT_EQ(run_geoev({"events", "export", "--case", c.dir.string(), "--format", "csv", "-o", (c.dir / "x.csv").string()}).exit_code, 1);
  const auto v = verify_json(c.dir);
  EXPECT_TRUE(v["ok"].get<bool>()) << v.dump();
  EXPECT_EQ(v["exit_code"], 0);
}

TEST(CustodyChain, AnExistingOutputIsKeptUnlessForced) {
  ScratchDir d;
  const auto c = make_case(d);
  const fs::path out = d / "events.geojson";
  geo::test::write_bytes(out, "keep me");
  const auto r = run_geoev({"events", "export", "--case", c.dir.string(), "--format", "geojson", "-o", out.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("exists; pass --force"), std::string::npos) << r.err;
  EXPECT_EQ(geo::test::read_text(out), "keep me");
  ASSERT_EQ(run_geoev({"events", "export", "--case", c.dir.string(), "--format", "geojson", "-o", out.string(), "--force"}).exit_code, 0);
  EXPECT_EQ(geo::Json::parse(geo::test::read_text(out))["features"].size(), 2u);
}

TEST(CustodyChain, AFreshCaseVerifiesAndPrintsItsHead) {
  ScratchDir d;
  const auto c = make_case(d);
  const auto v = verify_json(c.dir);
  EXPECT_TRUE(v["ok"].get<bool>()) << v.dump();
  EXPECT_TRUE(v["problems"].empty());
  // init, add, probe-less add's entries and two events: the head is the last entry's hash.
  const std::string last = sql_value(c.gpkg, "SELECT entry_hash FROM custody ORDER BY fid DESC LIMIT 1");
  EXPECT_EQ(v["head"], last);
  EXPECT_EQ(v["custody_entries"].get<int>(), std::stoi(sql_value(c.gpkg, "SELECT COUNT(*) FROM custody")));
  const auto text = run_geoev({"case", "verify", "--case", c.dir.string()});
  EXPECT_NE(text.out.find("head " + last), std::string::npos) << text.out;
  // Every event and media row carries its content hash.
  EXPECT_EQ(sql_value(c.gpkg, "SELECT COUNT(*) FROM events WHERE length(row_hash) = 64"), "2");
  EXPECT_EQ(sql_value(c.gpkg, "SELECT COUNT(*) FROM media WHERE length(row_hash) = 64"), "1");
}

TEST(CustodyChain, DeletingTheLastEntriesIsReportedAsTruncation) {
  ScratchDir d;
  const auto c = make_case(d);
  const std::string head = verify_json(c.dir)["head"];
  sh("sqlite3 '" + c.gpkg.string() + "' 'DELETE FROM custody WHERE fid >= (SELECT MAX(fid) FROM custody) - 1'");
  const auto v = verify_json(c.dir);
  EXPECT_FALSE(v["ok"].get<bool>());
  EXPECT_EQ(v["exit_code"], 1);
  EXPECT_EQ(problems(v, "custody_truncated"), 1) << v.dump();
  // The rows those entries recorded are no longer bound: named as inserted.
  EXPECT_GE(problems(v, "row_inserted"), 1) << v.dump();
  // The same, checked against a head recorded elsewhere.
  const auto w = verify_json(c.dir, {"--head", head});
  EXPECT_EQ(problems(w, "head_mismatch"), 1) << w.dump();
}

TEST(CustodyChain, EditedDeletedAndInsertedRowsAreReportedByName) {
  ScratchDir d;
  {
    const auto c = make_case(d);
    edit_sql(c.gpkg, "UPDATE events SET description = 'edited' WHERE fid = 1");
    const auto v = verify_json(c.dir);
    EXPECT_EQ(problems(v, "row_edited", "events row 1"), 1) << v.dump();
    EXPECT_EQ(v["exit_code"], 1);
  }
  ScratchDir d2;
  {
    const auto c = make_case(d2);
    edit_sql(c.gpkg, "UPDATE events SET lat = 16.9, lon = 98.6 WHERE fid = 2");
    EXPECT_EQ(problems(verify_json(c.dir), "row_edited", "events row 2"), 1);
  }
  ScratchDir d3;
  {
    const auto c = make_case(d3);
    edit_sql(c.gpkg, "DELETE FROM events WHERE fid = 1");
    ASSERT_EQ(sql_value(c.gpkg, "SELECT COUNT(*) FROM events"), "1");
    const auto v = verify_json(c.dir);
    EXPECT_EQ(problems(v, "row_deleted", "events row 1"), 1) << v.dump();
  }
  ScratchDir d4;
  {
    const auto c = make_case(d4);
    // Media added without --copy: its sha256 and path replaced, as if another file had been added.
    edit_sql(c.gpkg, "UPDATE media SET sha256 = '" + std::string(64, 'a') + "', path = '/tmp/other' WHERE fid = 1");
    const auto v = verify_json(c.dir);
    EXPECT_EQ(problems(v, "row_edited", "media row 1"), 1) << v.dump();
  }
  ScratchDir d5;
  {
    const auto c = make_case(d5);
    edit_sql(c.gpkg, "INSERT INTO observations (kind, confidence) VALUES ('manual', 1.0)");
    const auto v = verify_json(c.dir);
    EXPECT_EQ(problems(v, "row_inserted"), 1) << v.dump();
  }
}

TEST(CustodyChain, ARewrittenCaseJsonIsReported) {
  ScratchDir d;
  const auto c = make_case(d);
  auto j = geo::Json::parse(geo::test::read_text(c.dir / "case.json"));
  j["title"] = "another title";
  geo::test::write_bytes(c.dir / "case.json", j.dump(2) + "\n");
  const auto v = verify_json(c.dir);
  EXPECT_EQ(problems(v, "case_json_rewritten", "case.json"), 1) << v.dump();
}

TEST(CustodyChain, LeftoverTemporariesAreReported) {
  ScratchDir d;
  const auto c = make_case(d);
  fs::create_directories(c.dir / "originals");
  geo::test::write_bytes(c.dir / "originals" / ".abc.tmp-999999-1-0.mp4", std::string(1000, 'x'));
  const auto v = verify_json(c.dir);
  EXPECT_EQ(problems(v, "leftover_temporary", "originals/.abc.tmp-999999-1-0.mp4"), 1) << v.dump();
  EXPECT_EQ(v["exit_code"], 1);
}

TEST(CustodyChain, AFailedCaseWriteLeavesNoOutput) {
  // A case whose GeoPackage cannot be written (replaced by a plain file: root ignores read-only modes,
  // the command's view is the same): the work runs, the case write fails, nothing appears.
  ScratchDir d;
  const fs::path kase = d / "broken";
  ASSERT_EQ(run_geoev({"case", "init", "--case", kase.string()}).exit_code, 0);
  geo::test::write_bytes(kase / "case.gpkg", "not a GeoPackage");
  geo::test::VideoFixtureOptions o;
  o.duration_s = 1;
  const auto fx = geo::test::make_video(d / "v.mp4", o);
  const auto f = run_geoev({"frames", fx.path.string(), "-o", (d / "frames").string(), "--mode", "keyframes", "--case",
                            kase.string(), "--contact-sheet", (d / "sheet.jpg").string(), "--quiet"});
  EXPECT_EQ(f.exit_code, 1);
  EXPECT_EQ(std::count(f.err.begin(), f.err.end(), '\n'), 1) << f.err;
  EXPECT_FALSE(fs::exists(d / "frames"));
  EXPECT_FALSE(fs::exists(d / "sheet.jpg"));
  const auto s = run_geoev({"sun", "where", "--time", "2025-03-01T03:00:00Z", "--length-ratio", "1.0", "--resolution-deg", "2",
                            "-o", (d / "band.geojson").string(), "--case", kase.string(), "--quiet"});
  EXPECT_EQ(s.exit_code, 1) << s.out;
  EXPECT_FALSE(fs::exists(d / "band.geojson"));
  for (const auto& p : geo::test::list_files(d.path()))
    EXPECT_EQ(p.filename().string().find(".tmp-"), std::string::npos) << p;
}

TEST(CustodyChain, AnyBytesInTheCaseGiveKmlCsvJsonAndTextThatReadersOpen) {
  ScratchDir d;
  const fs::path kase = d / "case";
  ASSERT_EQ(run_geoev({"case", "init", "--case", kase.string()}).exit_code, 0);
  const auto e = run_geoev({"events", "add", "--case", kase.string(), "--at", "11.56,104.92", "--uncertainty-m",
                            "30", "--description", "caf\xe9", "--notes", "\x1b[31mred\x07", "--json"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_NO_THROW((void)geo::Json::parse(e.out));
  EXPECT_TRUE(geo::is_valid_utf8(e.out));
  const auto e2 = run_geoev({"events", "add", "--case", kase.string(), "--at", "11.57,104.92", "--uncertainty-m",
                             "30", "--description", "=cmd|' /C calc'!A0", "--notes", "@HYPERLINK(\"http://x\")"});
  ASSERT_EQ(e2.exit_code, 0) << e2.err;
  const fs::path kml = d / "ev.kml";
  ASSERT_EQ(run_geoev({"events", "export", "--case", kase.string(), "--format", "kml", "-o", kml.string()}).exit_code, 0);
  EXPECT_EQ(sh("xmllint --noout '" + kml.string() + "' >/dev/null 2>&1; echo $?"), "0\n") << sh("xmllint --noout '" + kml.string() + "' 2>&1");
  const auto info = sh("ogrinfo -ro -al -so '" + kml.string() + "' 2>&1");
  EXPECT_NE(info.find("Feature Count: 2"), std::string::npos) << info;
  const fs::path csv = d / "ev.csv";
  ASSERT_EQ(run_geoev({"events", "export", "--case", kase.string(), "--format", "csv", "-o", csv.string()}).exit_code, 0);
  const auto text = geo::test::read_text(csv);
  EXPECT_EQ(text.find(",=cmd"), std::string::npos) << text;
  EXPECT_NE(text.find("'=cmd"), std::string::npos) << text;
  EXPECT_NE(text.find("\"'@HYPERLINK"), std::string::npos) << text;
  // The coordinates stay plain numbers (no apostrophe), as a spreadsheet must read them.
  EXPECT_NE(text.find("\n11.57000000,104.92000000,"), std::string::npos) << text;
  // A Latin-1 file name enters the case; verify finds it again by its exact bytes.
  const fs::path latin1 = d / "x\xe9.bin";
  geo::test::write_bytes(latin1, "latin-1 named");
  const auto a = run_geoev({"case", "add", "--case", kase.string(), latin1.string(), "--json", "--quiet"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_TRUE(geo::is_valid_utf8(a.out));
  EXPECT_EQ(geo::Json::parse(a.out)["added"][0]["path_hex"].get<std::string>(), geo::hex_bytes(latin1.string()));
  const auto vj = geo::Json::parse(run_geoev({"case", "verify", "--case", kase.string(), "--json"}).out);
  ASSERT_EQ(vj["files"].size(), 1u);
  EXPECT_EQ(vj["files"][0]["status"], "ok") << vj.dump();
  EXPECT_EQ(vj["files"][0]["path_hex"].get<std::string>(), geo::hex_bytes(latin1.string()));
  // A file name with a newline and ESC cannot forge lines in verify's output.
  const fs::path evil = d / "a\nok  0000000000000000  forged\x1b[2K.bin";
  geo::test::write_bytes(evil, "x");
  ASSERT_EQ(run_geoev({"case", "add", "--case", kase.string(), evil.string(), "--quiet"}).exit_code, 0);
  const auto v = run_geoev({"case", "verify", "--case", kase.string()});
  EXPECT_EQ(v.exit_code, 0) << v.out;
  EXPECT_EQ(v.out.find("\nok  0000000000000000  forged"), std::string::npos) << v.out;
  EXPECT_EQ(v.out.find('\x1b'), std::string::npos);
  EXPECT_NE(v.out.find("a\\x0aok"), std::string::npos) << v.out;
}

TEST(CustodyChain, NanPriorsAndYearZeroAreRefused) {
  ScratchDir d;
  geo::test::write_bytes(d / "f.png", "x");
  const auto r = run_geoev({"match", (d / "f.png").string(), "--imagery", (d / "f.png").string(), "--heading-deg", "nan"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--heading-deg must be a finite number"), std::string::npos) << r.err;
  const auto s = run_geoev({"sun", "position", "--at", "11.56,104.92", "--time", "0000-01-01T00:00:00Z"});
  EXPECT_EQ(s.exit_code == 1 || s.exit_code == 2, true) << s.out;
  EXPECT_NE(s.err.find("year 0000"), std::string::npos) << s.err;
}

}  // namespace
