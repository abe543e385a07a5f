// SPDX-License-Identifier: Apache-2.0
#include <cmath>
#include <fstream>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <exiv2/exiv2.hpp>
#pragma GCC diagnostic pop

#include "geo/core/error.hpp"
#include "geo/core/text.hpp"
#include "geo/media/image_file.hpp"
#include "media/probe_internal.hpp"

#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace geo::detail {
namespace {

std::optional<std::string> text_of(const Exiv2::ExifData& exif, const char* key) {
  const auto it = exif.findKey(Exiv2::ExifKey(key));
  if (it == exif.end()) return std::nullopt;
  std::string s(trim(it->toString()));
  while (!s.empty() && s.back() == '\0') s.pop_back();
  if (s.empty()) return std::nullopt;
  return s;
}

// Degrees from the three rationals of an EXIF GPS coordinate.
std::optional<double> dms(const Exiv2::ExifData& exif, const char* key) {
  const auto it = exif.findKey(Exiv2::ExifKey(key));
  if (it == exif.end() || it->count() < 3) return std::nullopt;
  double parts[3];
  for (long i = 0; i < 3; ++i) {
    const auto r = it->toRational(i);
    if (r.second == 0) return std::nullopt;
    parts[i] = static_cast<double>(r.first) / r.second;
  }
  return parts[0] + parts[1] / 60.0 + parts[2] / 3600.0;
}

}  // namespace

bool looks_like_photo(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  unsigned char b[12] = {0};
  in.read(reinterpret_cast<char*>(b), sizeof b);
  if (in.gcount() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return true;
  if (in.gcount() == 12 && std::string(reinterpret_cast<char*>(b + 4), 4) == "ftyp") {
    const std::string brand(reinterpret_cast<char*>(b + 8), 4);
    return brand == "heic" || brand == "heix" || brand == "mif1" || brand == "msf1" || brand == "avif";
  }
  return false;
}

void probe_photo(const std::filesystem::path& file, MediaInfo& info) {
  const std::string name = file.string();
  info.kind = "image";
  // The header's metadata may be whole when the picture is not (a cut-off download or copy).
  try {
    if (const std::string why = image_file_incomplete(file); !why.empty()) info.diagnostics.warn("image.truncated", why, name);
  } catch (const Error& e) {  // too large to read whole: the metadata is still read
    info.diagnostics.warn("image.not_checked", std::string("whether the picture is whole was not checked: ") + e.what(), name);
  }
  try {
    Exiv2::enableBMFF(true);
    auto image = Exiv2::ImageFactory::open(name);
    image->readMetadata();
    info.format = to_lower(image->mimeType().substr(image->mimeType().find('/') + 1));
    const Exiv2::ExifData& exif = image->exifData();
    for (const auto& d : exif) {
      if (d.groupName() == "GPSInfo" || d.groupName() == "Image" || d.groupName() == "Photo") {
        if (d.size() < 256) info.tags[d.key()] = d.toString();
      }
    }
    if (auto v = text_of(exif, "Exif.Image.Make")) info.device.make = *v;
    if (auto v = text_of(exif, "Exif.Image.Model")) info.device.model = *v;
    if (auto v = text_of(exif, "Exif.Image.Software")) info.device.software = *v;
    // Orientation 1-8 says how to turn the picture upright; anything else is no instruction at all, and
    // decoders ignore it without a word.
    if (const auto it = exif.findKey(Exiv2::ExifKey("Exif.Image.Orientation")); it != exif.end() && it->count() >= 1) {
      const long orientation = it->toLong(0);
      if (orientation < 1 || orientation > 8)
        info.diagnostics.warn("exif.orientation_invalid",
                              "EXIF Orientation " + std::to_string(orientation) +
                                  " is not one of 1-8: the picture's upright direction is unknown (shown as stored)",
                              "Exif.Image.Orientation");
    }

    if (auto dto = text_of(exif, "Exif.Photo.DateTimeOriginal")) {
      const auto off = text_of(exif, "Exif.Photo.OffsetTimeOriginal");
      const auto sub = text_of(exif, "Exif.Photo.SubSecTimeOriginal");
      std::string text = *dto;
      if (sub && !sub->empty()) text += "." + *sub;
      try {
        const ParsedTime naive = parse_iso8601(text);
        if (off) {
          const int off_min = parse_utc_offset(*off);
          SourcedTime t;
          t.utc = UtcTime{naive.utc.unix_us - std::int64_t(off_min) * 60'000'000};
          t.source = "exif:DateTimeOriginal+OffsetTimeOriginal";
          t.local_offset_min = off_min;
          info.created_candidates.push_back(t);
        } else {
          info.diagnostics.warn("time.no_zone",
                                "EXIF DateTimeOriginal '" + text +
                                    "' has no OffsetTimeOriginal: local time in an unknown zone, not used as UTC",
                                "Exif.Photo.DateTimeOriginal");
          info.tags["local_capture_time_no_zone"] = text;
        }
      } catch (const Error& e) {
        info.diagnostics.warn("tag.unparsed", e.what(), "Exif.Photo.DateTimeOriginal");
      }
    }
    const auto lat = dms(exif, "Exif.GPSInfo.GPSLatitude");
    const auto lon = dms(exif, "Exif.GPSInfo.GPSLongitude");
    if (lat && lon) {
      const auto lat_ref = text_of(exif, "Exif.GPSInfo.GPSLatitudeRef");
      const auto lon_ref = text_of(exif, "Exif.GPSInfo.GPSLongitudeRef");
      Location loc;
      loc.source = "exif:GPS";
      loc.point.lat_deg = (lat_ref && (*lat_ref)[0] == 'S') ? -*lat : *lat;
      loc.point.lon_deg = (lon_ref && (*lon_ref)[0] == 'W') ? -*lon : *lon;
      if (!lat_ref || !lon_ref)
        info.diagnostics.warn("exif.gps_no_ref", "GPS latitude/longitude reference missing; read as north/east", "Exif.GPSInfo");
      const auto alt_it = exif.findKey(Exiv2::ExifKey("Exif.GPSInfo.GPSAltitude"));
      if (alt_it != exif.end() && alt_it->count() >= 1) {
        const auto r = alt_it->toRational(0);
        if (r.second != 0) {
          double alt = static_cast<double>(r.first) / r.second;
          const auto ref = exif.findKey(Exiv2::ExifKey("Exif.GPSInfo.GPSAltitudeRef"));
          if (ref != exif.end() && ref->toLong(0) == 1) alt = -alt;
          loc.point.h_m = alt;
        }
      }
      loc.raw = exif.findKey(Exiv2::ExifKey("Exif.GPSInfo.GPSLatitude"))->toString() + " " +
                (lat_ref ? *lat_ref : "?") + ", " +
                exif.findKey(Exiv2::ExifKey("Exif.GPSInfo.GPSLongitude"))->toString() + " " + (lon_ref ? *lon_ref : "?");
      if (is_valid(loc.point)) info.location_candidates.push_back(loc);
      else info.diagnostics.warn("tag.unparsed", "EXIF GPS position out of range: " + loc.raw, "Exif.GPSInfo");
    }
    const auto gps_date = text_of(exif, "Exif.GPSInfo.GPSDateStamp");
    const auto ts_it = exif.findKey(Exiv2::ExifKey("Exif.GPSInfo.GPSTimeStamp"));
    if (gps_date && ts_it != exif.end() && ts_it->count() >= 3) {
      try {
        const ParsedTime d = parse_iso8601(*gps_date + " 00:00:00");
        double secs = 0;
        const double mult[3] = {3600, 60, 1};
        for (long i = 0; i < 3; ++i) {
          const auto r = ts_it->toRational(i);
          if (r.second == 0) throw Error(Errc::invalid_argument, "GPSTimeStamp has a zero denominator");
          secs += mult[i] * r.first / r.second;
        }
        SourcedTime t;
        t.utc = UtcTime{d.utc.unix_us + static_cast<std::int64_t>(std::llround(secs * 1e6))};
        t.source = "exif:GPSDateStamp+GPSTimeStamp";
        t.local_offset_min = std::nullopt;
        info.created_candidates.push_back(t);
      } catch (const Error& e) {
        info.diagnostics.warn("tag.unparsed", e.what(), "Exif.GPSInfo.GPSDateStamp");
      }
    }
  } catch (const Exiv2::AnyError& e) {
    throw Error(Errc::corrupt_data, "probe.photo: " + name + ": " + e.what(), "exiv2", e.code());
  }
}

}  // namespace geo::detail
