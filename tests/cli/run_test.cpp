// SPDX-License-Identifier: Apache-2.0
// `geoev run` on generated videos: a batch with a corrupt file and a duplicate, what each input becomes,
// the exit status, reuse on a second run, the lock between two runs, and bad input.
#include <algorithm>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "geo/core/json.hpp"
#include "support/support.hpp"
#include "support/video_fixture.hpp"

namespace {

using geo::test::run_geoev;
using geo::test::ScratchDir;
namespace fs = std::filesystem;

const geo::Json* video_named(const geo::Json& doc, const std::string& name) {
  for (const auto& v : doc["videos"])
    if (fs::path(v["path"].get<std::string>()).filename() == name) return &v;
  return nullptr;
}

TEST(Run, BatchWithACorruptFileProcessesTheOthersAndExitsOne) {
  ScratchDir d;
  fs::create_directories(d / "in");
  geo::test::VideoFixtureOptions o;
  o.duration_s = 2;
  geo::test::make_video(d / "in" / "a.mp4", o);
  fs::copy_file(d / "in" / "a.mp4", d / "in" / "b-copy.mp4");             // same content, other name
  geo::test::write_bytes(d / "in" / "broken.mp4", geo::test::random_bytes(4096, 7));  // not a video
  geo::test::write_bytes(d / "in" / "notes.txt", "not media");
  const fs::path kase = d / "case";
  const auto r = run_geoev({"run", (d / "in").string(), "--case", kase.string(), "--json", "--quiet"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto doc = geo::Json::parse(r.out);
  ASSERT_EQ(doc["videos"].size(), 3u);
  const auto* a = video_named(doc, "a.mp4");
  const auto* copy = video_named(doc, "b-copy.mp4");
  const auto* broken = video_named(doc, "broken.mp4");
  ASSERT_TRUE(a && copy && broken);
  // No telemetry, no GPS, no area given: honestly not located, and the reason says what to give.
  EXPECT_EQ((*a)["status"], "not_located");
  EXPECT_NE((*a)["reasons"].dump().find("--near"), std::string::npos) << (*a)["reasons"];
  EXPECT_TRUE((*a)["place"].is_null());
  EXPECT_EQ((*copy)["status"], "duplicate");
  EXPECT_NE((*copy)["reasons"][0].get<std::string>().find("a.mp4"), std::string::npos);
  EXPECT_EQ((*broken)["status"], "failed");
  EXPECT_FALSE((*broken)["reasons"].empty());
  EXPECT_EQ(doc["failed"], 1);
  ASSERT_EQ(doc["skipped"].size(), 1u);
  EXPECT_NE(doc["skipped"][0].get<std::string>().find("notes.txt"), std::string::npos);
  // The case is consistent and holds no event (nothing was located).
  const auto v = run_geoev({"case", "verify", "--case", kase.string()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  const auto ev = run_geoev({"events", "list", "--case", kase.string(), "--json"});
  EXPECT_EQ(geo::Json::parse(ev.out).size(), 0u);
  // The maps and the report are written even so: they say there is no event.
  EXPECT_TRUE(fs::is_regular_file(kase / "maps" / "overview.png"));
  EXPECT_TRUE(fs::is_regular_file(kase / "report.html"));
  EXPECT_TRUE(fs::is_regular_file(kase / "report.pdf"));

  // Again, unchanged: the good video is reused (no frames extracted, nothing recorded twice).
  const auto again = run_geoev({"run", (d / "in").string(), "--case", kase.string(), "--json", "--quiet"});
  EXPECT_EQ(again.exit_code, 1);
  const auto doc2 = geo::Json::parse(again.out);
  const auto* a2 = video_named(doc2, "a.mp4");
  ASSERT_TRUE(a2);
  EXPECT_TRUE((*a2)["reused"].get<bool>()) << (*a2)["done_stages"];
  const auto obs = geo::Json::parse(run_geoev({"observations", "list", "--case", kase.string(), "--json"}).out);
  int not_located = 0;
  for (const auto& ob : obs) not_located += ob["kind"] == "not_located";
  EXPECT_EQ(not_located, 1);  // one entry for the video, not one per run
}

TEST(Run, TextSummaryNamesEveryInputAndTheExitStatusIsDocumented) {
  ScratchDir d;
  geo::test::VideoFixtureOptions o;
  o.duration_s = 1;
  geo::test::make_video(d / "clip.mp4", o);
  const auto r = run_geoev({"run", (d / "clip.mp4").string(), "--case", (d / "case").string(), "--quiet"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("clip.mp4"), std::string::npos);
  EXPECT_NE(r.out.find("not located"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0 of 1 located, 0 failed"), std::string::npos) << r.out;
  const auto help = run_geoev({"run", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Exit status"), std::string::npos);
}

TEST(Run, ASecondRunOnTheSameCaseIsRefusedWhileTheFirstHoldsIt) {
  ScratchDir d;
  geo::test::VideoFixtureOptions o;
  o.duration_s = 1;
  geo::test::make_video(d / "clip.mp4", o);
  const fs::path kase = d / "case";
  ASSERT_EQ(run_geoev({"case", "init", "--case", kase.string()}).exit_code, 0);
  const int fd = ::open((kase / ".run.lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);  // as a running geoev run holds it
  const auto r = run_geoev({"run", (d / "clip.mp4").string(), "--case", kase.string(), "--quiet"});
  ::close(fd);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("in use by another geoev run"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  const auto media = run_geoev({"case", "verify", "--case", kase.string(), "--json"});
  EXPECT_EQ(geo::Json::parse(media.out)["items"].size(), 0u);  // nothing was added
}

TEST(Run, BadInputIsOneLineAndChangesNothing) {
  ScratchDir d;
  fs::create_directories(d / "empty");
  geo::test::write_bytes(d / "empty" / "readme.txt", "x");
  auto r = run_geoev({"run", (d / "empty").string(), "--case", (d / "c1").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no video or photo"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(d / "c1"));  // the inputs are checked before the case is made
  // Inputs that do not exist: refused before any case is made (no empty case, maps or report).
  r = run_geoev({"run", (d / "gone.mp4").string(), (d / "gone2.mp4").string(), "--case", (d / "c0").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("gone.mp4 and the other inputs do not exist"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(fs::exists(d / "c0"));
  // A directory that is not a case is never turned into one.
  fs::create_directories(d / "notacase");
  geo::test::write_bytes(d / "notacase" / "mine.txt", "keep");
  geo::test::VideoFixtureOptions o;
  o.duration_s = 1;
  geo::test::make_video(d / "v.mp4", o);
  r = run_geoev({"run", (d / "v.mp4").string(), "--case", (d / "notacase").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not a geoev case"), std::string::npos) << r.err;
  EXPECT_EQ(geo::test::list_files(d / "notacase").size(), 1u);
  // Options: one line each.
  r = run_geoev({"run", (d / "v.mp4").string(), "--case", (d / "c2").string(), "--radius-m", "100"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--near"), std::string::npos) << r.err;
  r = run_geoev({"run", (d / "v.mp4").string(), "--case", (d / "c2").string(), "--imagery", "a.tif", "--imagery",
                 "b.tif", "--imagery-date", "2020-01-01"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("one --imagery-date per --imagery"), std::string::npos) << r.err;
  r = run_geoev({"run", (d / "v.mp4").string(), "--case", (d / "c2").string(), "--imagery", (d / "missing.tif").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("missing.tif"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(d / "c2"));
}

}  // namespace
