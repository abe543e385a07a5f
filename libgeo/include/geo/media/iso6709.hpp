// SPDX-License-Identifier: Apache-2.0
// ISO 6709 "Annex H" point strings as phones and cameras write them into QuickTime/MP4 metadata.
#pragma once
#include <string_view>

#include "geo/core/geopoint.hpp"

namespace geo {

// Parses an ISO 6709 string point: latitude, longitude and an optional height, each with its sign, then
// an optional "CRSxxxx" and the terminating "/" (tolerated when missing). Forms accepted, chosen by the
// number of integer digits:
//   degrees                 +DD.DDDD      +DDD.DDDD
//   degrees, minutes        +DDMM.MMMM    +DDDMM.MMMM
//   degrees, minutes, secs  +DDMMSS.SS    +DDDMMSS.SS
// e.g. "+32.0929+034.8620+028.516/", "+51.4169-000.0806/", "+4012.217-07500.250/",
// "+401213.1-0750015.1+12.5CRSWGS_84/". Height in metres as written (phones: above sea level).
// Returns lat/lon in degrees (north/east positive). Throws Error{invalid_argument} naming the text when it
// does not match, or minutes/seconds >= 60, or a coordinate out of range. Thread-safe.
GeoPoint parse_iso6709(std::string_view text);

}  // namespace geo
