// SPDX-License-Identifier: Apache-2.0
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"
#include "geo/core/json.hpp"
#include "geo/core/text.hpp"
#include "support/support.hpp"

namespace {

TEST(Utf8, WellFormedAndIllFormedSequences) {
  EXPECT_TRUE(geo::is_valid_utf8("caf\xc3\xa9 \xe1\x9e\x80 \xf0\x9f\x98\x80"));
  EXPECT_FALSE(geo::is_valid_utf8("caf\xe9"));            // Latin-1
  EXPECT_FALSE(geo::is_valid_utf8("\xc0\xaf"));           // overlong '/'
  EXPECT_FALSE(geo::is_valid_utf8("\xed\xa0\x80"));       // surrogate
  EXPECT_FALSE(geo::is_valid_utf8("\xf4\x90\x80\x80"));   // over U+10FFFF
  EXPECT_FALSE(geo::is_valid_utf8("\xe1\x9e"));           // cut short
  EXPECT_EQ(geo::to_valid_utf8("x\xe9.mp4"), "x\xef\xbf\xbd.mp4");
  EXPECT_EQ(geo::to_valid_utf8("Make \xff\xff"), "Make \xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(geo::to_valid_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(geo::hex_bytes("x\xe9.mp4"), "78e92e6d7034");
  EXPECT_EQ(geo::bytes_from_hex("78e92e6d7034"), "x\xe9.mp4");
  EXPECT_EQ(geo::bytes_from_hex("78E9"), "x\xe9");
  EXPECT_THROW(geo::bytes_from_hex("7"), geo::Error);
  EXPECT_THROW(geo::bytes_from_hex("zz"), geo::Error);
}

TEST(Printable, ControlCharactersCannotForgeLines) {
  EXPECT_EQ(geo::printable("a\nb"), "a\\x0ab");
  EXPECT_EQ(geo::printable("\x1b[31mred\x07"), "\\x1b[31mred\\x07");
  EXPECT_EQ(geo::printable("x\xe9"), "x\\xe9");
  EXPECT_EQ(geo::printable("\xc2\x9b"), "\\xc2\\x9b");  // C1 CSI
  EXPECT_EQ(geo::printable("a\\b"), "a\\\\b");
  EXPECT_EQ(geo::printable("Phnom Penh caf\xc3\xa9"), "Phnom Penh caf\xc3\xa9");
}

TEST(DumpJson, AnyBytesGiveValidJson) {
  const geo::Json j{{"path", "x\xe9.mp4"}, {"make", "\xff\xfe"}};
  EXPECT_THROW((void)j.dump(), nlohmann::json::type_error);
  const std::string s = geo::dump_json(j);
  EXPECT_TRUE(geo::is_valid_utf8(s));
  EXPECT_EQ(geo::Json::parse(s)["path"].get<std::string>(), "x\xef\xbf\xbd.mp4");
}

TEST(ReadFileBounded, RefusesDevicesFifosAndOversizedFiles) {
  geo::test::ScratchDir scratch;
  const auto& dir = scratch.path();
  EXPECT_THROW(
      {
        try {
          geo::read_file_bounded("/dev/zero", geo::kMaxTextInputBytes, "telemetry");
        } catch (const geo::Error& e) {
          EXPECT_NE(std::string(e.what()).find("not a regular file (a character device)"), std::string::npos) << e.what();
          throw;
        }
      },
      geo::Error);
  const auto fifo = dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_THROW(geo::read_file_bounded(fifo, 1024, "srt"), geo::Error);
  EXPECT_THROW(geo::require_regular_file(fifo, "frames"), geo::Error);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.0);
  {
    std::ofstream(dir / "big.txt") << std::string(2048, 'a');
  }
  try {
    geo::read_file_bounded(dir / "big.txt", 1024, "observations");
    FAIL() << "a 2 KiB file was read under a 1 KiB cap";
  } catch (const geo::Error& e) {
    EXPECT_EQ(e.code(), geo::Errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("too large"), std::string::npos);
  }
  EXPECT_EQ(geo::read_file_bounded(dir / "big.txt", 2048, "observations").size(), 2048u);
  EXPECT_THROW(geo::read_file_bounded(dir / "missing", 10, "x"), geo::Error);
  EXPECT_THROW(geo::read_file_bounded(dir, 10, "x"), geo::Error);
}

}  // namespace
