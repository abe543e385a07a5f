// SPDX-License-Identifier: Apache-2.0
// `geoev frames --case DIR`: the video in `media`, one `frames` row per written frame, one custody entry;
// read back with the sqlite3 client, checked against the fixture's exact PTS and independent hashes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "geo/core/hash.hpp"
#include "geo/core/json.hpp"
#include "geo/core/time.hpp"
#include "support/support.hpp"
#include "support/video_fixture.hpp"

namespace {

using geo::test::run_geoev;
using geo::test::ScratchDir;
namespace fs = std::filesystem;

geo::Json sqlite_json(const fs::path& db, const std::string& sql) {
  const std::string cmd = "sqlite3 -json '" + db.string() + "' \"" + sql + "\"";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  char buf[4096];
  while (p && std::fgets(buf, sizeof buf, p)) out += buf;
  if (p) ::pclose(p);
  return out.empty() ? geo::Json::array() : geo::Json::parse(out);
}

geo::test::VideoFixture three_shots(const fs::path& path) {
  geo::test::VideoFixtureOptions o;
  o.duration_s = 3;
  o.cuts_s = {1.0, 2.0};
  o.creation_time = "2025-03-01T02:00:00Z";
  return geo::test::make_video(path, o);
}

TEST(FramesCase, RecordsMediaFramesAndCustody) {
  ScratchDir d;
  const auto fx = three_shots(d / "v.mp4");
  const fs::path kase = d / "case";
  ASSERT_EQ(run_geoev({"case", "init", "--case", kase.string()}).exit_code, 0);
  const auto r = run_geoev({"frames", fx.path.string(), "-o", (d / "out").string(), "--case", kase.string(), "--json", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(geo::Json::parse(r.out)["case"]["frames_recorded"], 3);
  const fs::path db = kase / "case.gpkg";
  const std::string video_sha = geo::sha256_file(fx.path);
  const auto media = sqlite_json(db, "SELECT sha256, path, size_bytes FROM media");
  ASSERT_EQ(media.size(), 1u);
  EXPECT_EQ(media[0]["sha256"], video_sha);
  EXPECT_EQ(media[0]["size_bytes"].get<std::uint64_t>(), fs::file_size(fx.path));
  EXPECT_EQ(fs::path(media[0]["path"].get<std::string>()), fs::absolute(fx.path).lexically_normal());
  const auto rows = sqlite_json(db,
      "SELECT media_sha256, stream_index, pts_s, utc, utc_source, frame_sha256, path, shot, subshot, phash FROM frames ORDER BY pts_s");
  ASSERT_EQ(rows.size(), 3u);  // one per shot
  const auto t0 = geo::parse_iso8601("2025-03-01T02:00:00Z").utc;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    EXPECT_EQ(row["media_sha256"], video_sha);
    EXPECT_EQ(row["stream_index"], 0);
    // The PTS is one the fixture wrote, and in the shot the row names.
    const double pts = row["pts_s"].get<double>();
    const auto it = std::find_if(fx.frames.begin(), fx.frames.end(),
                                 [&](const geo::test::FixtureFrame& f) { return std::fabs(f.pts_s - pts) < 1e-6; });
    ASSERT_NE(it, fx.frames.end()) << pts;
    EXPECT_EQ(row["shot"], static_cast<int>(i));
    EXPECT_EQ(it->shot, static_cast<int>(i));
    EXPECT_EQ(row["subshot"], 0);
    // UTC = the container's creation time + the frame's offset from the first frame (first PTS 0 here).
    const auto utc = geo::parse_iso8601(row["utc"].get<std::string>()).utc;
    EXPECT_NEAR(static_cast<double>(utc.unix_us - t0.unix_us) / 1e6, pts - fx.frames.front().pts_s, 1e-3);
    EXPECT_NE(row["utc_source"].get<std::string>().find("creation_time"), std::string::npos) << row["utc_source"];
    // The file exists where the row says and has the recorded hash.
    const fs::path f = row["path"].get<std::string>();
    EXPECT_TRUE(f.is_absolute());
    EXPECT_EQ(row["frame_sha256"], geo::sha256_file(f));
    EXPECT_EQ(row["phash"].get<std::string>().size(), 16u);
  }
  const auto custody = sqlite_json(db, "SELECT action, input_hashes, output_hashes FROM custody ORDER BY fid");
  ASSERT_EQ(custody.size(), 2u);  // case.init, frames.extract
  EXPECT_EQ(custody[1]["action"], "frames.extract");
  EXPECT_EQ(geo::Json::parse(custody[1]["input_hashes"].get<std::string>())[0]["sha256"], video_sha);
  EXPECT_EQ(geo::Json::parse(custody[1]["output_hashes"].get<std::string>()).size(), 3u);
  // A second extraction of the same video: no second media row, three more frames, chain still intact.
  const auto again = run_geoev({"frames", fx.path.string(), "-o", (d / "out2").string(), "--mode", "keyframes", "--case",
                                kase.string(), "--quiet"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("recorded"), std::string::npos) << again.out;
  EXPECT_EQ(sqlite_json(db, "SELECT sha256 FROM media").size(), 1u);
  const auto n_keys = static_cast<std::size_t>(
      std::count_if(fx.frames.begin(), fx.frames.end(), [](const geo::test::FixtureFrame& f) { return f.key; }));
  EXPECT_EQ(sqlite_json(db, "SELECT fid FROM frames").size(), 3u + n_keys);
  EXPECT_EQ(sqlite_json(db, "SELECT fid FROM frames WHERE path LIKE '%/out2/%' AND keyframe = 1").size(), n_keys);
  const auto v = run_geoev({"case", "verify", "--case", kase.string(), "--json"});
  EXPECT_EQ(v.exit_code, 0) << v.out;
  EXPECT_TRUE(geo::Json::parse(v.out)["custody_chain_ok"].get<bool>());
}

TEST(FramesCase, BadCaseWritesNothingAndFailedExtractionLeavesTheCaseUnchanged) {
  ScratchDir d;
  const auto fx = three_shots(d / "v.mp4");
  fs::create_directories(d / "plain");
  const auto r = run_geoev({"frames", fx.path.string(), "-o", (d / "out").string(), "--case", (d / "plain").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("is not a geoev case"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_FALSE(fs::exists(d / "out"));
  EXPECT_TRUE(fs::is_empty(d / "plain"));
  // A real case, a video that does not exist: exit 1 and not a byte of the case changes.
  const fs::path kase = d / "case";
  ASSERT_EQ(run_geoev({"case", "init", "--case", kase.string()}).exit_code, 0);
  const auto before = geo::test::read_text(kase / "case.gpkg");
  const auto m = run_geoev({"frames", (d / "missing.mp4").string(), "-o", (d / "out").string(), "--case", kase.string()});
  EXPECT_EQ(m.exit_code, 1);
  EXPECT_EQ(std::count(m.err.begin(), m.err.end(), '\n'), 1) << m.err;
  EXPECT_EQ(geo::test::read_text(kase / "case.gpkg"), before);
  EXPECT_FALSE(fs::exists(d / "out"));
}

}  // namespace

namespace {
TEST(FramesCase, CaseFromAnEarlierVersionGetsTheNewFields) {
  // A case whose frames and events layers have only the first version's fields (columns dropped with the
  // sqlite3 client): recording adds the missing fields and fills them.
  ScratchDir d;
  geo::test::VideoFixtureOptions o;
  o.duration_s = 1;
  const auto fx = geo::test::make_video(d / "v.mp4", o);
  const fs::path kase = d / "case";
  ASSERT_EQ(run_geoev({"case", "init", "--case", kase.string()}).exit_code, 0);
  const fs::path db = kase / "case.gpkg";
  for (const char* col : {"utc", "utc_source", "offset_s", "shot", "subshot", "phash", "keyframe", "width", "height"})
    sqlite_json(db, std::string("ALTER TABLE frames DROP COLUMN ") + col);
  for (const char* col : {"association_note", "context"}) sqlite_json(db, std::string("ALTER TABLE events DROP COLUMN ") + col);
  ASSERT_TRUE(sqlite_json(db, "SELECT name FROM pragma_table_info('frames') WHERE name = 'phash'").empty());
  const auto r = run_geoev({"frames", fx.path.string(), "-o", (d / "out").string(), "--mode", "keyframes", "--case",
                            kase.string(), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = sqlite_json(db, "SELECT phash, keyframe FROM frames");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["phash"].get<std::string>().size(), 16u);
  EXPECT_EQ(rows[0]["keyframe"], 1);
  const auto e = run_geoev({"events", "add", "--case", kase.string(), "--at", "11.5625,104.916",
                            "--uncertainty-m", "30"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const auto ev = sqlite_json(db, "SELECT relation, association_note FROM events");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0]["relation"], "none");
  EXPECT_NE(ev[0]["association_note"].get<std::string>().find("KK Park"), std::string::npos);
  EXPECT_EQ(run_geoev({"case", "verify", "--case", kase.string()}).exit_code, 0);
}
}  // namespace
