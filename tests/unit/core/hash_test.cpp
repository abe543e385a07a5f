// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>

#include <cstdio>

#include "geo/core/error.hpp"
#include "geo/core/hash.hpp"
#include "support/support.hpp"

using namespace geo;

TEST(Sha256, KnownVectors) {
  // FIPS 180-2 examples.
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, FileAgreesWithSha256sum) {
  test::ScratchDir dir;
  const auto p = dir / "blob.bin";
  test::write_bytes(p, test::random_bytes(9 * 1024 * 1024 + 17, 7));  // crosses block boundaries
  double last = 0.0;
  const auto ours = sha256_file(p, [&](double f, std::string_view) { last = f; });
  EXPECT_DOUBLE_EQ(last, 1.0);
  FILE* pipe = ::popen(("sha256sum '" + p.string() + "'").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buf[65] = {0};
  ASSERT_EQ(std::fread(buf, 1, 64, pipe), 64u);
  ::pclose(pipe);
  EXPECT_EQ(ours, std::string(buf));
}

TEST(Sha256, MissingFileAndDirectoryAreClearErrors) {
  test::ScratchDir dir;
  try {
    sha256_file(dir / "nope.mp4");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::not_found);
    EXPECT_NE(std::string(e.what()).find("nope.mp4"), std::string::npos);
  }
  EXPECT_THROW(sha256_file(dir.path()), Error);
}
