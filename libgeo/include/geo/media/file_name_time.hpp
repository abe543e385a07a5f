// SPDX-License-Identifier: Apache-2.0
// Times that file names carry, as phones, cameras and messaging apps write them: the last source of a
// capture time when the metadata has none (a re-uploaded video usually keeps its name, not its tags).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "geo/core/time.hpp"

namespace geo {

struct FileNameTime {
  enum class Kind {
    // "VID-20200902-WA0007.mp4", "IMG-20200902-WA0012.jpg": the day WhatsApp saved the file on the
    // phone that received it, in that phone's local time. The capture was that day or earlier.
    received_date,
    // "VID_20200902_094112.mp4", "IMG_20200902_094112.jpg", "20200902_094112.mp4" (Android and Samsung
    // cameras), "Screen Recording 2020-09-02 at 09.41.12.mov": the device's local clock when recording
    // started.
    local_start,
    // "PXL_20200902_144112123.mp4" (Google Pixel): UTC when recording started.
    utc_start,
  };
  Kind kind = Kind::local_start;
  CivilDate date;
  int hour = 0, minute = 0;
  double second = 0;              // time of day (not for received_date)
  std::string pattern;            // which naming convention matched, for the record
};

// The time in a file's name (the name only, no directories), or nothing. Dates outside 1990-2100 and
// impossible times (month 13, hour 25) are not times.
std::optional<FileNameTime> time_from_file_name(std::string_view name);

}  // namespace geo
