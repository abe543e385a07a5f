// SPDX-License-Identifier: Apache-2.0
// Times in file names, as phones, cameras and messaging apps write them.
#include <gtest/gtest.h>

#include "geo/media/file_name_time.hpp"

namespace {

using geo::FileNameTime;
using geo::time_from_file_name;

TEST(FileNameTime, WhatsAppGivesTheDayTheFileWasSaved) {
  const auto t = time_from_file_name("VID-20200902-WA0007.mp4");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->kind, FileNameTime::Kind::received_date);
  EXPECT_EQ(t->date.year, 2020);
  EXPECT_EQ(t->date.month, 9);
  EXPECT_EQ(t->date.day, 2);
  EXPECT_TRUE(time_from_file_name("IMG-20241231-WA0012.jpg").has_value());
}

TEST(FileNameTime, CamerasGiveTheirLocalClockAndPixelsUtc) {
  const auto a = time_from_file_name("VID_20200902_094112.mp4");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->kind, FileNameTime::Kind::local_start);
  EXPECT_EQ(a->hour, 9);
  EXPECT_EQ(a->minute, 41);
  EXPECT_DOUBLE_EQ(a->second, 12);
  const auto s = time_from_file_name("20200902_094112.mp4");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->kind, FileNameTime::Kind::local_start);
  const auto p = time_from_file_name("PXL_20200902_144112123.mp4");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->kind, FileNameTime::Kind::utc_start);
  EXPECT_EQ(p->hour, 14);
  EXPECT_NEAR(p->second, 12.123, 1e-9);
  const auto m = time_from_file_name("Screen Recording 2020-09-02 at 9.41.12.mov");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->hour, 9);
}

TEST(FileNameTime, NamesWithoutADateOrWithAnImpossibleOneGiveNothing) {
  for (const char* name : {"DJI_0042.MP4", "clip.mp4", "VID_20201302_094112.mp4", "VID_20200931_094112.mp4",
                           "VID_20200902_254112.mp4", "20200902_0941123456.mp4", "VID-1980-WA1.mp4",
                           "backup_VID_20200902_094112.mp4", ""})
    EXPECT_FALSE(time_from_file_name(name).has_value()) << name;
}

}  // namespace
