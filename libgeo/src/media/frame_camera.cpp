// SPDX-License-Identifier: Apache-2.0
// Per-frame camera state from telemetry: which file, which fields can be trusted, interpolation in time.
#include "media/frame_camera.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/text.hpp"
#include "geo/media/telemetry.hpp"

namespace fs = std::filesystem;

namespace geo {
namespace {

constexpr double kReachS = 1.0;                    // a frame gets values only from samples this close
constexpr double kHalfDiag35mm = 21.633307652783937;  // half the diagonal of a 36 x 24 mm frame

double norm360(double deg) {
  double r = std::fmod(deg, 360.0);
  if (r < 0) r += 360.0;
  if (r >= 360.0 || r == 0) r = 0.0;  // also turns -0 into 0
  return r;
}

// a + w * (b - a) along the shorter arc, in [0, 360).
double lerp_angle(double a, double b, double w) {
  const double d = std::fmod(b - a + 540.0, 360.0) - 180.0;
  return norm360(a + w * d);
}

// Interpolates an optional field: both samples have it -> linear; else the nearer sample's value (if any).
template <class Get>
std::optional<double> pick(const TelemetrySample& a, const TelemetrySample& b, double w, Get get,
                           bool angle = false) {
  const std::optional<double> va = get(a), vb = get(b);
  if (va && vb) return angle ? lerp_angle(*va, *vb, w) : *va + w * (*vb - *va);
  const std::optional<double> near = w <= 0.5 ? va : vb;
  if (!near) return std::nullopt;
  return angle ? norm360(*near) : *near;
}

// The text of "key : value" after a whole-word key (spaces around ':' optional): the value's characters.
std::optional<std::string> keyed_token(const std::string& body, const std::string& key) {
  for (std::size_t at = body.find(key); at != std::string::npos; at = body.find(key, at + 1)) {
    if (at > 0 && (std::isalnum(static_cast<unsigned char>(body[at - 1])) || body[at - 1] == '_')) continue;
    std::size_t p = at + key.size();
    while (p < body.size() && body[p] == ' ') ++p;
    if (p >= body.size() || body[p] != ':') continue;
    ++p;
    while (p < body.size() && body[p] == ' ') ++p;
    std::size_t q = p;
    while (q < body.size() && (std::isdigit(static_cast<unsigned char>(body[q])) || body[q] == '.' || body[q] == '-' ||
                               body[q] == '+'))
      ++q;
    if (q == p) return std::nullopt;
    return body.substr(p, q - p);
  }
  return std::nullopt;
}

// "hh:mm:ss,mmm --> ...": the start in seconds.
std::optional<double> cue_start(std::string_view line) {
  if (line.find("-->") == std::string_view::npos) return std::nullopt;
  int h = 0, m = 0, s = 0, ms = 0;
  const std::string l(trim(line));
  if (std::sscanf(l.c_str(), "%d:%d:%d%*[,.]%d", &h, &m, &s, &ms) < 3) return std::nullopt;
  return h * 3600.0 + m * 60.0 + s + ms / 1000.0;
}

// DJI writes `focal_len` as millimetres with decimals ("[focal_len: 24.00]", Mavic 3, with "fnum: 2.8")
// or as tenths of a millimetre ("[focal_len : 240]", Air 2/2S, with "fnum : 280", also in tenths).
// An integer focal length is taken as tenths only when the same entry's f-number is an integer >= 10
// (no DJI lens is slower than f/10, so such an f-number is in tenths too); otherwise it is ambiguous.
std::vector<std::pair<double, double>> srt_focal_lengths(std::string_view text, const std::string& where,
                                                         Diagnostics& diags) {
  std::vector<std::pair<double, double>> out;
  std::optional<double> cue;
  std::string body;
  bool ambiguous = false, out_of_range = false;
  auto flush = [&] {
    if (cue) {
      if (auto tok = keyed_token(body, "focal_len")) {
        const double v = std::strtod(tok->c_str(), nullptr);
        std::optional<double> mm;
        if (tok->find('.') != std::string::npos) {
          mm = v;
        } else if (auto fnum = keyed_token(body, "fnum");
                   fnum && fnum->find('.') == std::string::npos && std::strtod(fnum->c_str(), nullptr) >= 10) {
          mm = v / 10.0;
        } else {
          ambiguous = true;
        }
        if (mm && (*mm < 8 || *mm > 1500)) {
          out_of_range = true;
          mm.reset();
        }
        if (mm) out.emplace_back(*cue, *mm);
      }
    }
    cue.reset();
    body.clear();
  };
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = trim(text.substr(pos, nl - pos));
    if (line.empty()) flush();
    else if (auto t = cue_start(line); t && !cue) cue = t;
    else body.append(line).push_back('\n');
    pos = nl + 1;
  }
  flush();
  if (ambiguous)
    diags.warn("frames.focal_ambiguous",
               "focal_len is an integer and the f-number does not tell whether it is in mm or tenths of a mm: no "
               "hfov_deg from it",
               where);
  if (out_of_range)
    diags.warn("frames.focal_out_of_range", "focal_len values outside 8-1500 mm (35 mm equivalent) were ignored", where);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

}  // namespace

double hfov_from_focal_35mm(double focal_mm, int width, int height) {
  if (!(focal_mm > 0) || width <= 0 || height <= 0)
    throw Error(Errc::invalid_argument, "frames: hfov needs a positive focal length and picture size");
  const double w = width, h = height;
  const double half_width_mm = kHalfDiag35mm * w / std::hypot(w, h);
  return 2.0 * std::atan(half_width_mm / focal_mm) * 180.0 / M_PI;
}

CameraTrack make_camera_track(const TelemetryTrack& track, std::string_view srt_text, std::string sha256,
                              Diagnostics& diags) {
  CameraTrack c;
  c.source = track.source;
  c.file = track.file;
  c.sha256 = std::move(sha256);
  c.samples = track.samples.size();
  for (const auto& s : track.samples) {
    c.end_t_s = std::max(c.end_t_s, s.t_s);
    if (s.locked && std::isfinite(s.t_s)) c.locked.push_back(s);
  }
  std::stable_sort(c.locked.begin(), c.locked.end(),
                   [](const TelemetrySample& a, const TelemetrySample& b) { return a.t_s < b.t_s; });
  const bool any_h = std::any_of(c.locked.begin(), c.locked.end(), [](const auto& s) { return s.point.h_m.has_value(); });
  if (track.source == "gopro-gpmf") {
    // GPS5 (with its 2D speed) states height above the WGS 84 ellipsoid; Karma's GPRI does not say.
    const bool gps5 = std::all_of(c.locked.begin(), c.locked.end(), [](const auto& s) { return s.speed_mps.has_value(); });
    c.altitude_usable = any_h;
    c.altitude_ref = gps5 ? "ellipsoid" : "unknown";
  } else if (track.source == "dji-srt") {
    // Only the keyed forms ("abs_alt:", "[altitude: ..]") state an altitude. The third number of
    // "GPS(lon,lat,n)" / "GPS (lon, lat, n)" is not one: in the Mavic Pro sample it stays at 15-16 while
    // BAROMETER climbs from 1.9 to 118 m (it behaves like a satellite count); Matrice's "0.0M" never moves.
    c.altitude_usable = srt_text.find("abs_alt") != std::string_view::npos ||
                        srt_text.find("[altitude") != std::string_view::npos;
    c.altitude_ref = "unknown";  // DJI does not document whether abs_alt is above the ellipsoid or the geoid
    if (any_h && !c.altitude_usable)
      diags.info("frames.telemetry_altitude_unused",
                 "the third value of GPS(...) in this SRT dialect is not an altitude (it does not follow the "
                 "barometric height): altitude_m is left out; rel_alt_m is the height above take-off",
                 track.file);
    c.focal_35mm_mm = srt_focal_lengths(srt_text, track.file, diags);
  }
  return c;
}

std::optional<FrameCamera> camera_at(const CameraTrack& track, double t_s, int width, int height) {
  const auto& s = track.locked;
  if (s.empty() || !std::isfinite(t_s)) return std::nullopt;
  const auto it = std::lower_bound(s.begin(), s.end(), t_s, [](const TelemetrySample& a, double t) { return a.t_s < t; });
  const TelemetrySample* a = nullptr;
  const TelemetrySample* b = nullptr;
  double w = 0;
  FrameCamera c;
  c.source = track.source;
  if (it != s.end() && std::abs(it->t_s - t_s) < 1e-6) {
    a = b = &*it;
    c.t_s = it->t_s;
  } else if (it == s.begin() || it == s.end()) {
    const TelemetrySample& n = it == s.end() ? s.back() : s.front();
    if (std::abs(n.t_s - t_s) > kReachS) return std::nullopt;
    a = b = &n;
    c.t_s = n.t_s;
  } else {
    a = &*(it - 1);
    b = &*it;
    if (t_s - a->t_s > kReachS && b->t_s - t_s > kReachS) return std::nullopt;  // a gap in the lock
    if (b->t_s - a->t_s > 2 * kReachS) {
      // Across a gap of more than 2 s the path is unknown: the nearer sample (within 1 s) only.
      a = b = (t_s - a->t_s <= b->t_s - t_s) ? a : b;
      c.t_s = a->t_s;
    } else {
      w = (t_s - a->t_s) / (b->t_s - a->t_s);
      c.t_s = t_s;
      c.interpolated = true;
    }
  }
  c.lat_deg = a->point.lat_deg + w * (b->point.lat_deg - a->point.lat_deg);
  double dlon = b->point.lon_deg - a->point.lon_deg;
  if (dlon > 180) dlon -= 360;
  if (dlon < -180) dlon += 360;
  c.lon_deg = a->point.lon_deg + w * dlon;
  if (c.lon_deg > 180) c.lon_deg -= 360;
  if (c.lon_deg < -180) c.lon_deg += 360;
  if (track.altitude_usable) {
    c.altitude_m = pick(*a, *b, w, [](const TelemetrySample& x) { return x.point.h_m; });
    if (c.altitude_m) c.altitude_ref = track.altitude_ref;
  }
  c.rel_alt_m = pick(*a, *b, w, [](const TelemetrySample& x) { return x.rel_alt_m; });
  c.heading_deg = pick(*a, *b, w, [](const TelemetrySample& x) { return x.gimbal_yaw_deg; }, true);
  if (!c.heading_deg) c.heading_deg = pick(*a, *b, w, [](const TelemetrySample& x) { return x.aircraft_yaw_deg; }, true);
  if (auto p = pick(*a, *b, w, [](const TelemetrySample& x) { return x.gimbal_pitch_deg; })) c.tilt_deg = 90.0 + *p;
  if (!track.focal_35mm_mm.empty() && width > 0 && height > 0) {
    const auto& f = track.focal_35mm_mm;
    auto fi = std::lower_bound(f.begin(), f.end(), c.t_s, [](const auto& e, double t) { return e.first < t; });
    const std::pair<double, double>* best = nullptr;
    if (fi != f.end()) best = &*fi;
    if (fi != f.begin() && (!best || c.t_s - (fi - 1)->first <= best->first - c.t_s)) best = &*(fi - 1);
    if (best && std::abs(best->first - c.t_s) <= kReachS) c.hfov_deg = hfov_from_focal_35mm(best->second, width, height);
  }
  return c;
}

Json to_json(const FrameCamera& c) {
  Json j{{"lat_deg", round_to(c.lat_deg, 7)}, {"lon_deg", round_to(c.lon_deg, 7)}};
  if (c.altitude_m) {
    j["altitude_m"] = round_to(*c.altitude_m, 3);
    j["altitude_ref"] = c.altitude_ref;
  }
  if (c.rel_alt_m) j["rel_alt_m"] = round_to(*c.rel_alt_m, 3);
  if (c.heading_deg) j["heading_deg"] = round_to(*c.heading_deg, 3);
  if (c.tilt_deg) j["tilt_deg"] = round_to(*c.tilt_deg, 3);
  if (c.hfov_deg) j["hfov_deg"] = round_to(*c.hfov_deg, 3);
  j["source"] = c.source;
  j["t_s"] = round_to(c.t_s, 6);
  j["interpolated"] = c.interpolated;
  return j;
}

namespace frame_camera {

CameraTrack read_srt(const fs::path& srt, const std::string& role, Diagnostics& diags) {
  const std::string what = "frames: " + role + " " + srt.string() + ": ";
  std::error_code ec;
  const auto st = fs::status(srt, ec);
  if (ec || !fs::exists(st)) throw Error(Errc::not_found, what + "no such file");
  if (fs::is_directory(st)) throw Error(Errc::invalid_argument, what + "is a directory");
  // Bounded and non-blocking: a FIFO, /dev/zero or a multi-gigabyte file is refused, not read.
  const std::string text = read_file_bounded(srt, kMaxTextInputBytes, "frames: " + role);
  if (text.empty()) throw Error(Errc::corrupt_data, what + "is empty");
  Diagnostics local;
  TelemetryTrack t;
  try {
    t = parse_dji_srt(text, srt.string(), local);
  } catch (const Error& e) {
    std::string m = e.what();  // "probe.srt: FILE: reason": keep the reason
    if (const auto k = m.find(srt.string() + ": "); k != std::string::npos) m.erase(0, k + srt.string().size() + 2);
    throw Error(e.code(), what + m);
  }
  CameraTrack c = make_camera_track(t, text, sha256_hex(text), local);
  diags.append(local);
  return c;
}

fs::path find_sidecar(const fs::path& video) {
  const fs::path dir = video.has_parent_path() ? video.parent_path() : fs::path(".");
  for (const char* ext : {".SRT", ".srt"}) {
    const fs::path p = dir / (video.stem().string() + ext);
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p;
  }
  return {};
}

void annotate(std::vector<FrameRecord>& frames, const CameraTrack& track, std::optional<double> video_duration_s,
              Diagnostics& diags) {
  std::size_t with = 0;
  for (auto& f : frames) {
    f.camera = camera_at(track, f.offset_s, f.width, f.height);
    if (f.camera) ++with;
  }
  if (track.locked.empty()) {
    diags.warn("frames.telemetry_no_position",
               "the telemetry has no locked position: frames carry no camera state", track.file);
  } else if (with == 0 && !frames.empty()) {
    diags.warn("frames.telemetry_no_overlap",
               "no frame lies within 1 s of a locked telemetry sample: frames carry no camera state", track.file);
  } else if (with < frames.size()) {
    diags.info("frames.camera_missing",
               std::to_string(frames.size() - with) + " of " + std::to_string(frames.size()) +
                   " frames are more than 1 s from any locked telemetry sample and have no camera state",
               track.file);
  }
  if (video_duration_s && *video_duration_s > 0 && track.samples > 0) {
    const double d = *video_duration_s;
    if (std::abs(track.end_t_s - d) > std::max(2.0, 0.05 * d)) {
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    "the telemetry's last sample is at %.1f s but the video lasts %.1f s: check that it belongs to "
                    "this video",
                    track.end_t_s, d);
      diags.warn("frames.telemetry_duration_mismatch", buf, track.file);
    }
  }
}

}  // namespace frame_camera
}  // namespace geo
