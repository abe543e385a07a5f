// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "geo/core/error.hpp"
#include "geo/core/geodesy.hpp"
#include "geo/events/case.hpp"
#include "support/support.hpp"

using namespace geo;
using namespace geo::events;

TEST(Case, VerifyCatchesModifiedByteAndMissingFile) {
  test::ScratchDir d;
  const auto c = init_case(d / "case", "t");
  test::write_bytes(d / "a.bin", test::random_bytes(5000, 1));
  test::write_bytes(d / "b.bin", test::random_bytes(5000, 2));
  Diagnostics diag;
  const auto added = add_media(c, {d / "a.bin", d / "b.bin"}, AddMediaOptions{true}, diag);
  ASSERT_EQ(added.size(), 2u);
  EXPECT_TRUE(verify_case(c).ok());
  auto bytes = test::read_text(d / "a.bin");
  bytes[1234] ^= 0x01;
  test::write_bytes(d / "a.bin", bytes);
  fs::remove(d / "b.bin");
  const auto rep = verify_case(c);
  EXPECT_FALSE(rep.ok());
  int changed = 0, missing = 0, ok = 0;
  for (const auto& i : rep.items) {
    changed += i.status == "changed";
    missing += i.status == "missing";
    ok += i.status == "ok";
  }
  EXPECT_EQ(changed, 1);
  EXPECT_EQ(missing, 1);
  EXPECT_EQ(ok, 2);  // the read-only copies are intact
  EXPECT_EQ(custody_log(c).size(), 2u);  // init + add
}

TEST(Case, NotACaseIsAClearError) {
  test::ScratchDir d;
  fs::create_directories(d / "plain");
  try {
    open_case(d / "plain");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is not a geoev case"), std::string::npos);
  }
  EXPECT_TRUE(test::list_files(d / "plain").empty());
}

TEST(Case, EventFromObservationsCombinesAndFlags) {
  test::ScratchDir d;
  const auto c = init_case(d / "case", "t");
  const GeoPoint p0{16.63, 98.55};
  ObservationInput a;
  a.kind = "image_match";
  a.position = p0;
  a.uncertainty_m = 30;
  a.time_from = parse_iso8601("2025-01-01T03:00:00Z").utc;
  a.time_to = parse_iso8601("2025-01-01T05:00:00Z").utc;
  ObservationInput b = a;
  b.kind = "sun";
  b.position = geodesic_direct(p0, 90, 40);
  b.uncertainty_m = 40;
  b.time_from = parse_iso8601("2025-01-01T04:00:00Z").utc;
  const auto ia = add_observation(c, a), ib = add_observation(c, b);
  EventInput in;
  in.observation_ids = {ia, ib};
  in.compounds.replace = spatial::shipped_registry_path().string();
  Diagnostics diag;
  const auto e = add_event(c, in, diag);
  // inverse-variance: weights 1/900, 1/1600 -> offset 40*0.36 = 14.4 m east; sigma = 24 m
  EXPECT_NEAR(geodesic_inverse(p0, e.position).distance_m, 14.4, 0.01);
  EXPECT_NEAR(e.uncertainty_m, 24.0, 0.01);
  EXPECT_EQ(e.precision, PrecisionClass::vicinity);
  EXPECT_EQ(format_utc(*e.time_from), "2025-01-01T04:00:00Z");
  EXPECT_TRUE(e.flags.empty());
  ObservationInput far = a;
  far.position = geodesic_direct(p0, 0, 5000);
  const auto ic = add_observation(c, far);
  in.observation_ids = {ia, ic};
  const auto e2 = add_event(c, in, diag);
  EXPECT_EQ(e2.flags.at(0), "inconsistent_observations");
  EXPECT_GE(e2.uncertainty_m, 2500.0);
  EXPECT_EQ(e2.precision, PrecisionClass::region);
}

TEST(Case, TwoProcessesAdding500EventsEach) {
  test::ScratchDir d;
  const auto c = init_case(d / "case", "concurrency");
  const std::string reg = spatial::shipped_registry_path().string();
  pid_t kids[2];
  for (int k = 0; k < 2; ++k) {
    kids[k] = ::fork();
    ASSERT_GE(kids[k], 0);
    if (kids[k] == 0) {
      int rc = 0;
      try {
        for (int i = 0; i < 500; ++i) {
          EventInput in;
          in.position = GeoPoint{16.6 + 0.0001 * i, 98.5 + k * 0.01};
          in.uncertainty_m = 50;
          in.compounds.replace = reg;
          in.description = "p" + std::to_string(k) + "-" + std::to_string(i);
          Diagnostics diag;
          add_event(c, in, diag);
        }
      } catch (...) {
        rc = 1;
      }
      ::_exit(rc);
    }
  }
  for (auto pid : kids) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(list_events(c).size(), 1000u);
  const auto log = custody_log(c);
  int adds = 0;
  for (const auto& e : log) adds += e.action == "events.add";
  EXPECT_EQ(adds, 1000);
  // Every row bound, the head file written by the last of 1000 interleaved actions: nothing to report.
  const auto rep = verify_case(c);
  EXPECT_TRUE(rep.custody_chain_ok);
  EXPECT_TRUE(rep.problems.empty()) << to_json(rep).dump();
  EXPECT_EQ(rep.entries, log.size());
}
