// SPDX-License-Identifier: Apache-2.0
// Renders the synthetic demo footage (scripts/make-demo.sh): a drone clip with a DJI-style SRT, a
// messaging-app clip without metadata, both over the 2020 NAIP ground, an unrelated Landsat clip, the
// ground truth (truth.json) and a fictional compound drawn around it (compounds.geojson). Views use the
// benchmarks' pinhole model (geo::ground_from_frame, tools/bench/bench_views.hpp); frames are piped to
// the ffmpeg command. Deterministic for a given seed, source and ffmpeg/x264 version. Usage:
//   make_demo NAIP_2020_RGB.tif LANDSAT_RGB.tif OUT_DIR SEED
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "bench/bench_views.hpp"
#include "geo/core/atomic_file.hpp"
#include "geo/core/json.hpp"
#include "geo/core/time.hpp"
#include "geo/imagery/crs.hpp"
#include "geo/imagery/raster.hpp"
#include "geo/match/align.hpp"
#include "geo/media/frames.hpp"

namespace fs = std::filesystem;
using geo::Json;

namespace {

constexpr double kPi = 3.14159265358979323846;
double rad(double d) { return d * kPi / 180; }
double deg(double r) { return r * 180 / kPi; }
double wrap360(double d) { return std::fmod(std::fmod(d, 360.0) + 360.0, 360.0); }

// ---- The scenario (metres in the 2020 tile's CRS, NAD83 / UTM 14N) --------------------------------
// The drone (DJI_0042): a Mavic-3-like camera, 24 mm equivalent (76.3 deg across 16:9), 250 m above
// take-off with the gimbal at -55 deg (35 deg from nadir): about 480 m across the frame centre, 0.5 m
// per frame pixel. Lower flights see less than 60 source pixels of the 5 m NAIP across the frame.
const cv::Size kDroneFrame(960, 540);
constexpr double kDroneFps = 30, kDroneSeconds = 30;
constexpr double kDroneFocal35mm = 24.0;
constexpr double kDroneHeightM = 250.0;
constexpr double kDroneGimbalPitchDeg = -55.0;
// A gentle curve to the east-north-east over the ponds north of the big lake (about 440 m, 14.7 m/s).
const cv::Point2d kDroneP0(487450, 5207790), kDroneP1(487700, 5207830), kDroneP2(487860, 5207930);
// Take-off elevation assumed for abs_alt only (geoev does not use abs_alt for scale).
constexpr double kTakeoffElevationM = 565.0;
// The DJI clock: local time (America/Chicago, CDT = UTC-5) at the first frame.
const geo::CivilDate kDate{2020, 9, 2};
constexpr int kStartHour = 9, kStartMin = 41;
constexpr double kStartSec = 12.12;
// GPS error: a first-order Gauss-Markov walk per axis (sigma 2.5 m, correlation time 40 s), as a
// consumer GNSS receiver drifts; barometric height error sigma 0.6 m over 60 s; gimbal yaw wobble
// 0.8 deg over 3 s, gimbal pitch 0.2 deg over 2 s.
constexpr double kGpsSigmaM = 2.5, kGpsTauS = 40;
constexpr double kBaroSigmaM = 0.6, kBaroTauS = 60;
constexpr double kYawSigmaDeg = 0.8, kYawTauS = 3, kPitchSigmaDeg = 0.2, kPitchTauS = 2;

// The messaging-app clip (VID-20200902-WA0007): 8 s, 848x480, a slow drift and wobble of a camera
// 600 m up, 5 deg from nadir, looking about 200 deg (south-south-west), 70 deg across: about 850 m
// across, 1 m per frame pixel. Its frame centre starts at kWaCentre. With no prior but the search
// circle, views 460 m across (320 m up) were located in 0-3 of 4 frames (by place), 850 m in 4 of 4.
const cv::Size kWaFrame(848, 480);
constexpr double kWaFps = 30, kWaSeconds = 8;
constexpr double kWaHeightM = 600, kWaTiltDeg = 5, kWaHeadingDeg = 200, kWaHfovDeg = 70;
const cv::Point2d kWaCentre(488450, 5207800);
const cv::Point2d kWaDriftMps(-2.0, 3.0);
constexpr double kWaPanDegPerS = -1.2;

// The unrelated clip: 4 s, 640x360 over the Landsat scene (Bahamas), about 35 km across.
const cv::Size kUnrelatedFrame(640, 360);
constexpr double kUnrelatedFps = 30, kUnrelatedSeconds = 4;

// The fictional compound: a polygon drawn around both clips' ground (vertices in UTM 14N metres).
const std::vector<cv::Point2d> kCompound = {
    {487300, 5207650}, {487700, 5207560}, {488200, 5207600}, {488700, 5207620}, {488770, 5207900},
    {488560, 5208160}, {488000, 5208190}, {487500, 5208090}, {487280, 5207900}};

constexpr double kTruthStepS = 0.5;

// ---- Imagery and camera ------------------------------------------------------------------------
struct Source {
  cv::Mat img;  // BGR
  geo::GeoTransform map_from_px;
  std::string crs;
};

Source load_source(const std::string& path) {
  geo::OpenOptions oo;
  oo.hash = false;
  const geo::Raster r = geo::Raster::open(path, oo);
  geo::GeoImage g = r.read_pixels(0, 0, r.info().width, r.info().height, geo::BandSelection::automatic);
  if (g.image.type() != CV_8UC3) throw std::runtime_error(path + ": expected an 8-bit RGB raster");
  return {g.image, g.map_from_pixel, g.crs};
}

struct Pose {
  cv::Point2d cam;  // camera position, map metres
  double height_m, tilt_deg, heading_deg, hfov_deg;
};

double centre_gsd(const Pose& p, cv::Size fs) {
  const double f = (fs.width / 2.0) / std::tan(rad(p.hfov_deg) / 2);
  return p.height_m / (f * std::cos(rad(p.tilt_deg)));
}

// Where the centre ray meets flat ground at take-off height.
cv::Point2d ground_centre(const Pose& p) {
  const double d = p.height_m * std::tan(rad(p.tilt_deg));
  return p.cam + d * cv::Point2d(std::sin(rad(p.heading_deg)), std::cos(rad(p.heading_deg)));
}

// Frame pixel (corner convention) -> map metres.
cv::Matx33d map_from_frame(const Pose& p, cv::Size fs) {
  const cv::Point2d c = ground_centre(p);
  return bench::shift(c.x, c.y) * geo::ground_from_frame(fs, centre_gsd(p, fs), p.tilt_deg, p.heading_deg, p.hfov_deg);
}

cv::Matx33d px_from_map(const Source& s) {
  const auto& c = s.map_from_px.inverse().c;
  return {c[1], c[2], c[0], c[4], c[5], c[3], 0, 0, 1};
}

cv::Mat render(const Source& s, const Pose& p, cv::Size fs) {
  const cv::Matx33d h = px_from_map(s) * map_from_frame(p, fs);
  for (cv::Point2d q : {cv::Point2d(0, 0), cv::Point2d(fs.width, 0), cv::Point2d(fs.width, fs.height), cv::Point2d(0, fs.height)}) {
    const cv::Point2d r = bench::apply(h, q);
    if (!(r.x > 2 && r.y > 2 && r.x < s.img.cols - 2 && r.y < s.img.rows - 2))
      throw std::runtime_error("a frame corner falls outside the source imagery");
  }
  cv::Mat out;
  cv::warpPerspective(s.img, out, bench::shift(-0.5, -0.5) * h * bench::shift(0.5, 0.5), fs,
                      cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REFLECT);
  return out;
}

// ---- A camera's look: fixed per clip, noise per frame ----------------------------------------------
struct Look {
  double gamma, gain, offset, saturation, blur_px, noise_sd;
  cv::Scalar white_balance;
};

cv::Mat apply_look(const cv::Mat& img, const Look& l, cv::RNG& rng) {
  cv::Mat f;
  img.convertTo(f, CV_32F, 1 / 255.0);
  cv::pow(cv::max(f, 0), l.gamma, f);
  f.convertTo(f, -1, l.gain, l.offset);
  cv::multiply(f, l.white_balance, f);
  cv::Mat lum;
  cv::cvtColor(f, lum, cv::COLOR_BGR2GRAY);
  cv::cvtColor(lum, lum, cv::COLOR_GRAY2BGR);
  cv::addWeighted(f, l.saturation, lum, 1 - l.saturation, 0, f);
  if (l.blur_px > 0.3) cv::GaussianBlur(f, f, cv::Size(0, 0), l.blur_px);
  cv::Mat noise(f.size(), f.type());
  rng.fill(noise, cv::RNG::NORMAL, 0, l.noise_sd / 255.0);
  f += noise;
  cv::Mat out;
  f.convertTo(out, CV_8U, 255);
  return out;
}

// A first-order Gauss-Markov process: correlated noise with a given spread and correlation time.
struct GaussMarkov {
  double sigma, tau_s, x = 0;
  GaussMarkov(double s, double tau, std::mt19937& g) : sigma(s), tau_s(tau) { x = sigma * std::normal_distribution<double>()(g); }
  double step(double dt, std::mt19937& g) {
    const double a = std::exp(-dt / tau_s);
    x = a * x + std::sqrt(1 - a * a) * sigma * std::normal_distribution<double>()(g);
    return x;
  }
};

// ---- ffmpeg --------------------------------------------------------------------------------------
class Encoder {
 public:
  Encoder(const fs::path& out, cv::Size size, double fps, const std::string& args) : size_(size) {
    const std::string o = out.string();
    if (o.find('\'') != std::string::npos) throw std::runtime_error("output path with a quote: " + o);
    std::ostringstream cmd;
    cmd << "ffmpeg -nostdin -hide_banner -loglevel error -y -f rawvideo -pix_fmt bgr24 -s " << size.width << "x"
        << size.height << " -framerate " << fps << " -i - " << args << " '" << o << "'";
    pipe_ = popen(cmd.str().c_str(), "w");
    if (!pipe_) throw std::runtime_error("cannot start ffmpeg");
  }
  ~Encoder() {
    if (pipe_) pclose(pipe_);
  }
  void write(const cv::Mat& bgr) {
    CV_Assert(bgr.size() == size_ && bgr.type() == CV_8UC3 && bgr.isContinuous());
    if (std::fwrite(bgr.data, 1, bgr.total() * 3, pipe_) != bgr.total() * 3) throw std::runtime_error("ffmpeg pipe write failed");
  }
  void close() {
    const int rc = pclose(pipe_);
    pipe_ = nullptr;
    if (rc != 0) throw std::runtime_error("ffmpeg failed (status " + std::to_string(rc) + ")");
  }

 private:
  FILE* pipe_ = nullptr;
  cv::Size size_;
};

// ---- JSON helpers ----------------------------------------------------------------------------------
Json lat_lon(const Source& s, cv::Point2d xy) {
  const geo::GeoPoint p = geo::lat_lon_from_map(s.crs, xy);
  return {{"lat_deg", geo::round_to(p.lat_deg, 7)}, {"lon_deg", geo::round_to(p.lon_deg, 7)}};
}
Json lon_lat_array(const Source& s, cv::Point2d xy) {
  const geo::GeoPoint p = geo::lat_lon_from_map(s.crs, xy);
  return Json::array({geo::round_to(p.lon_deg, 7), geo::round_to(p.lat_deg, 7)});
}
Json footprint(const Source& s, const Pose& p, cv::Size fs) {
  const cv::Matx33d h = map_from_frame(p, fs);
  Json ring = Json::array();
  for (cv::Point2d q : {cv::Point2d(0, 0), cv::Point2d(fs.width, 0), cv::Point2d(fs.width, fs.height), cv::Point2d(0, fs.height), cv::Point2d(0, 0)})
    ring.push_back(lon_lat_array(s, bench::apply(h, q)));
  return {{"type", "Polygon"}, {"coordinates", Json::array({ring})}};
}
Json view_truth(const Source& s, const Pose& p, cv::Size fs, double t_s) {
  return {{"t_s", geo::round_to(t_s, 3)},
          {"camera", lat_lon(s, p.cam)},
          {"height_m", geo::round_to(p.height_m, 2)},
          {"heading_deg", geo::round_to(wrap360(p.heading_deg), 2)},
          {"tilt_deg", geo::round_to(p.tilt_deg, 2)},
          {"centre", lat_lon(s, ground_centre(p))},
          {"gsd_m", geo::round_to(centre_gsd(p, fs), 3)},
          {"footprint", footprint(s, p, fs)}};
}

bool inside_compound(cv::Point2d xy) {
  std::vector<cv::Point2f> poly;
  for (const auto& v : kCompound) poly.emplace_back(float(v.x), float(v.y));
  return cv::pointPolygonTest(poly, cv::Point2f(float(xy.x), float(xy.y)), false) > 0;
}
void check_inside(const Pose& p, const std::string& what) {
  if (!inside_compound(p.cam) || !inside_compound(ground_centre(p)))
    throw std::runtime_error(what + ": a camera position or frame centre lies outside the demo compound");
}

// ---- The drone clip ------------------------------------------------------------------------------
cv::Point2d bezier(double u, cv::Point2d* tangent) {
  const cv::Point2d a = kDroneP0, b = kDroneP1, c = kDroneP2;
  if (tangent) *tangent = 2 * (1 - u) * (b - a) + 2 * u * (c - b);
  return (1 - u) * (1 - u) * a + 2 * (1 - u) * u * b + u * u * c;
}

// The curve parameter at each of n evenly spaced arc lengths (constant ground speed).
std::vector<double> even_parameters(int n, double* length_m) {
  constexpr int kSteps = 4000;
  std::vector<double> cum(kSteps + 1, 0.0);
  for (int i = 1; i <= kSteps; ++i) {
    const cv::Point2d d = bezier(double(i) / kSteps, nullptr) - bezier(double(i - 1) / kSteps, nullptr);
    cum[i] = cum[i - 1] + std::hypot(d.x, d.y);
  }
  *length_m = cum.back();
  std::vector<double> u(n);
  for (int k = 0; k < n; ++k) {
    const double want = cum.back() * k / (n - 1);
    const auto it = std::lower_bound(cum.begin(), cum.end(), want);
    const int i = std::max(1, int(it - cum.begin()));
    const double w = std::clamp((want - cum[i - 1]) / std::max(1e-12, cum[i] - cum[i - 1]), 0.0, 1.0);
    u[k] = (i - 1 + w) / kSteps;
  }
  return u;
}

std::string dji_clock(double t_s) {
  // The wall clock formatted as if it were UTC, then without its zone: DJI writes no zone.
  std::string s = geo::format_utc(geo::utc_from_civil(kDate, kStartHour, kStartMin, kStartSec + t_s), 3).substr(0, 23);
  s[10] = ' ';
  return s;
}

std::string timecode(int ms) {
  char b[32];
  std::snprintf(b, sizeof b, "%02d:%02d:%02d,%03d", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
  return b;
}

Json drone_clip(const Source& s, const fs::path& out, std::mt19937& g) {
  const int n = int(kDroneSeconds * kDroneFps);
  double length_m = 0;
  const std::vector<double> u = even_parameters(n, &length_m);
  const double speed = length_m / ((n - 1) / kDroneFps);
  const double hfov = geo::hfov_from_focal_35mm(kDroneFocal35mm, kDroneFrame.width, kDroneFrame.height);
  GaussMarkov gps_e(kGpsSigmaM, kGpsTauS, g), gps_n(kGpsSigmaM, kGpsTauS, g), baro(kBaroSigmaM, kBaroTauS, g);
  GaussMarkov yaw(kYawSigmaDeg, kYawTauS, g), pitch(kPitchSigmaDeg, kPitchTauS, g);
  const Look look{0.92, 1.08, 0.0, 1.12, 0.6, 1.5, cv::Scalar(0.97, 1.0, 1.03)};
  cv::RNG rng(g());
  Encoder enc(out / "DJI_0042.MP4", kDroneFrame, kDroneFps,
              "-c:v libx264 -preset medium -crf 30 -threads 1 -g 30 -pix_fmt yuv420p -fflags +bitexact "
              "-metadata creation_time=2020-09-02T14:41:12.000000Z -metadata:s:v:0 creation_time=2020-09-02T14:41:12.000000Z");
  std::ostringstream srt;
  Json samples = Json::array(), path = Json::array();
  const double dt = 1 / kDroneFps;
  const int truth_every = int(std::lround(kTruthStepS * kDroneFps));
  for (int k = 0; k < n; ++k) {
    const double t = k / kDroneFps;
    cv::Point2d tangent;
    const cv::Point2d pos = bezier(u[k], &tangent);
    const double aircraft_yaw = deg(std::atan2(tangent.x, tangent.y));
    cv::Point2d next_tangent;
    bezier(u[std::min(k + 1, n - 1)], &next_tangent);
    bezier(u[std::max(k - 1, 0)], &tangent);
    const double turn_dps = std::remainder(deg(std::atan2(next_tangent.x, next_tangent.y)) - deg(std::atan2(tangent.x, tangent.y)), 360.0) /
                            ((std::min(k + 1, n - 1) - std::max(k - 1, 0)) * dt);
    const double wobble = k ? yaw.step(dt, g) : yaw.x;
    const Pose p{pos, kDroneHeightM, 90 + kDroneGimbalPitchDeg + (k ? pitch.step(dt, g) : pitch.x), aircraft_yaw + wobble, hfov};
    check_inside(p, "drone");
    enc.write(apply_look(render(s, p, kDroneFrame), look, rng));
    // What the drone records: GPS with its drift, barometric height with its error, gimbal angles.
    const cv::Point2d gps = pos + cv::Point2d(k ? gps_e.step(dt, g) : gps_e.x, k ? gps_n.step(dt, g) : gps_n.x);
    const double rel_alt = kDroneHeightM + (k ? baro.step(dt, g) : baro.x);
    const geo::GeoPoint ll = geo::lat_lon_from_map(s.crs, gps);
    const double roll = deg(std::atan(speed * rad(turn_dps) / 9.81));
    auto signed_deg = [](double d) { return std::remainder(d, 360.0); };
    char line[512];
    std::snprintf(line, sizeof line,
                  "[iso: 100] [shutter: 1/1250.0] [fnum: 2.8] [ev: 0] [ct: 5400] [color_md : default] [focal_len: %.2f] "
                  "[latitude: %.6f] [longitude: %.6f] [rel_alt: %.3f abs_alt: %.3f] F.PRY (%.1f°, %.1f°, %.1f°), "
                  "G.PRY (%.1f°, 0.0°, %.1f°) </font>",
                  kDroneFocal35mm, ll.lat_deg, ll.lon_deg, rel_alt, rel_alt + kTakeoffElevationM, -9.5, roll,
                  signed_deg(aircraft_yaw), p.tilt_deg - 90, signed_deg(p.heading_deg));
    const int ms0 = int(std::lround(t * 1000)), ms1 = int(std::lround((k + 1) / kDroneFps * 1000));
    srt << k + 1 << "\n" << timecode(ms0) << " --> " << timecode(ms1) << "\n<font size=\"28\">FrameCnt: " << k + 1
        << ", DiffTime: " << ms1 - ms0 << "ms\n" << dji_clock(t) << "\n" << line << "\n\n";
    if (k % truth_every == 0 || k == n - 1) {
      Json v = view_truth(s, p, kDroneFrame, t);
      v["srt_position"] = {{"lat_deg", geo::round_to(ll.lat_deg, 6)}, {"lon_deg", geo::round_to(ll.lon_deg, 6)},
                           {"error_m", geo::round_to(std::hypot(gps.x - pos.x, gps.y - pos.y), 2)}};
      v["srt_rel_alt_m"] = geo::round_to(rel_alt, 3);
      samples.push_back(v);
      path.push_back(lon_lat_array(s, pos));
    }
  }
  enc.close();
  geo::write_file_atomic(out / "DJI_0042.SRT", srt.str());
  return {{"file", "input/DJI_0042.MP4"},
          {"telemetry", "input/DJI_0042.SRT"},
          {"kind", "drone flight with DJI-style SRT telemetry"},
          {"in_demo_area", true},
          {"frame_size", {kDroneFrame.width, kDroneFrame.height}},
          {"fps", kDroneFps},
          {"duration_s", kDroneSeconds},
          {"start_utc", "2020-09-02T14:41:12.120Z"},
          {"start_local_clock", dji_clock(0) + " (America/Chicago, CDT, UTC-05:00)"},
          {"camera", {{"focal_35mm_mm", kDroneFocal35mm}, {"hfov_deg", geo::round_to(hfov, 3)},
                      {"height_above_ground_m", kDroneHeightM}, {"gimbal_pitch_deg", kDroneGimbalPitchDeg},
                      {"tilt_deg", 90 + kDroneGimbalPitchDeg}}},
          {"path_length_m", geo::round_to(length_m, 1)},
          {"ground_speed_mps", geo::round_to(speed, 2)},
          {"telemetry_errors",
           {{"gps", "first-order Gauss-Markov per axis, sigma " + std::to_string(int(kGpsSigmaM * 10) / 10.0).substr(0, 3) +
                        " m, correlation time " + std::to_string(int(kGpsTauS)) + " s; written with 6 decimals"},
            {"rel_alt", "barometric error, Gauss-Markov sigma 0.6 m over 60 s"},
            {"abs_alt", "rel_alt + an assumed take-off elevation of 565 m"},
            {"gimbal", "yaw wobble sigma 0.8 deg over 3 s and pitch 0.2 deg over 2 s are in the rendered views too"},
            {"aircraft_angles", "F.PRY: pitch -9.5 deg (cruise), roll from the turn rate, yaw along the path"}}},
          {"camera_path", {{"type", "LineString"}, {"coordinates", path}}},
          {"samples", samples}};
}

// ---- The messaging-app clip ----------------------------------------------------------------------
Json whatsapp_clip(const Source& s, const fs::path& out, std::mt19937& g) {
  const int n = int(kWaSeconds * kWaFps);
  const double dt = 1 / kWaFps;
  GaussMarkov jx(3.0, 2.0, g), jy(3.0, 2.0, g), jh(1.5, 1.5, g), jt(1.0, 1.5, g);
  const Look look{1.1, 0.95, 0.03, 0.85, 0.8, 2.5, cv::Scalar(1.05, 1.0, 0.94)};
  cv::RNG rng(g());
  Encoder enc(out / "VID-20200902-WA0007.mp4", kWaFrame, kWaFps,
              "-c:v libx264 -preset veryfast -crf 33 -threads 1 -g 60 -pix_fmt yuv420p -profile:v baseline "
              "-map_metadata -1 -fflags +bitexact");
  // The camera sits behind and above the first frame centre.
  const double back = kWaHeightM * std::tan(rad(kWaTiltDeg));
  const cv::Point2d cam0 = kWaCentre - back * cv::Point2d(std::sin(rad(kWaHeadingDeg)), std::cos(rad(kWaHeadingDeg)));
  Json samples = Json::array();
  cv::Point2d sum(0, 0);
  const int truth_every = int(std::lround(kTruthStepS * kWaFps));
  for (int k = 0; k < n; ++k) {
    const double t = k * dt;
    const cv::Point2d jit = k ? cv::Point2d(jx.step(dt, g), jy.step(dt, g)) : cv::Point2d(jx.x, jy.x);
    const double dh = k ? jh.step(dt, g) : jh.x, dtl = k ? jt.step(dt, g) : jt.x;
    const Pose p{cam0 + t * kWaDriftMps + jit, kWaHeightM, kWaTiltDeg + dtl, kWaHeadingDeg + kWaPanDegPerS * t + dh, kWaHfovDeg};
    check_inside(p, "messaging-app clip");
    enc.write(apply_look(render(s, p, kWaFrame), look, rng));
    sum += ground_centre(p);
    if (k % truth_every == 0 || k == n - 1) samples.push_back(view_truth(s, p, kWaFrame, t));
  }
  enc.close();
  return {{"file", "input/VID-20200902-WA0007.mp4"},
          {"kind", "short clip as a messaging app delivers it: re-encoded small, no metadata, no telemetry"},
          {"in_demo_area", true},
          {"frame_size", {kWaFrame.width, kWaFrame.height}},
          {"fps", kWaFps},
          {"duration_s", kWaSeconds},
          {"capture_time", "none in the file (rendered as if filmed on 2020-09-02)"},
          {"camera", {{"hfov_deg", kWaHfovDeg}, {"height_above_ground_m", kWaHeightM}, {"tilt_deg", kWaTiltDeg},
                      {"heading_deg", kWaHeadingDeg}, {"pan_deg_per_s", kWaPanDegPerS},
                      {"drift_mps", {kWaDriftMps.x, kWaDriftMps.y}},
                      {"wobble", "Gauss-Markov: position 3 m over 2 s, heading 1.5 deg and tilt 1 deg over 1.5 s"}}},
          {"centre", lat_lon(s, sum / n)},
          {"centre_note", "mean of the per-frame centres"},
          {"samples", samples}};
}

// ---- The unrelated clip --------------------------------------------------------------------------
Json unrelated_clip(const Source& s, const fs::path& out, std::mt19937& g) {
  const int n = int(kUnrelatedSeconds * kUnrelatedFps);
  const Look look{1.0, 1.0, 0.0, 1.0, 0.8, 2.0, cv::Scalar(1, 1, 1)};
  cv::RNG rng(g());
  Encoder enc(out / "unrelated.mp4", kUnrelatedFrame, kUnrelatedFps,
              "-c:v libx264 -preset medium -crf 30 -threads 1 -pix_fmt yuv420p -map_metadata -1 -fflags +bitexact");
  // Centre of the scene, drifting east; 25 km up with a 70 deg lens: about 35 km across.
  const cv::Point2d c = s.map_from_px.map_from_pixel(s.img.cols * 0.45, s.img.rows * 0.5);
  Pose p{};
  for (int k = 0; k < n; ++k) {
    p = Pose{c + cv::Point2d(300.0 * k, 0), 25000, 10, 30, 70};
    enc.write(apply_look(render(s, p, kUnrelatedFrame), look, rng));
  }
  enc.close();
  return {{"file", "extra/unrelated.mp4"},
          {"kind", "unrelated ground: must come back not located"},
          {"in_demo_area", false},
          {"truth", "not in the demo area: rendered from the Landsat 7 scene of rasterio's test data (Bahamas, "
                    "300 m pixels), thousands of km from the demo imagery"},
          {"frame_size", {kUnrelatedFrame.width, kUnrelatedFrame.height}},
          {"fps", kUnrelatedFps},
          {"duration_s", kUnrelatedSeconds},
          {"approximate_centre", lat_lon(s, ground_centre(p))}};
}

Json compound_geojson(const Source& s) {
  Json ring = Json::array();
  for (const auto& v : kCompound) ring.push_back(lon_lat_array(s, v));
  ring.push_back(ring.front());
  const Json props = {
      {"id", "demo-compound"},
      {"name", "Demo compound - fictional, for demonstration"},
      {"aliases", Json::array()},
      {"kind", "compound"},
      {"country", "US"},
      {"admin1", "North Dakota"},
      {"status", "unknown"},
      {"first_seen", ""},
      {"last_seen", ""},
      {"sources", Json::array({{{"title", "Fictional outline drawn by scripts/make-demo.sh around the synthetic demo "
                                          "footage's ground; not a real site"},
                               {"url", ""},
                               {"date", ""},
                               {"licence", "Apache-2.0 (this project)"}}})},
      {"confidence", "low"},
      {"notes", "FICTIONAL. Farmland and ponds in North Dakota, USA, chosen only because public-domain NAIP imagery "
                "of it exists at three dates. No compound, scam operation or any other activity is claimed here."}};
  return {{"type", "FeatureCollection"},
          {"attribution", "Synthetic demo registry (scripts/make-demo.sh); see data/demo/README.md"},
          {"features", Json::array({{{"type", "Feature"}, {"id", "demo-compound"},
                                      {"geometry", {{"type", "Polygon"}, {"coordinates", Json::array({ring})}}},
                                      {"properties", props}}})}};
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc != 5) {
    std::fprintf(stderr, "usage: make_demo NAIP_2020_RGB.tif LANDSAT_RGB.tif OUT_DIR SEED\n");
    return 2;
  }
  const Source naip = load_source(argv[1]);
  const Source landsat = load_source(argv[2]);
  const fs::path out = argv[3];
  std::mt19937 g(static_cast<unsigned>(std::stoul(argv[4])));
  fs::create_directories(out);
  Json clips = Json::array();
  clips.push_back(drone_clip(naip, out, g));
  clips.push_back(whatsapp_clip(naip, out, g));
  clips.push_back(unrelated_clip(landsat, out, g));
  const Json truth = {
      {"synthetic", true},
      {"description", "Ground truth of the synthetic demo footage. The clips were rendered, not filmed: views "
                      "of the 2020-08-31 NAIP image through a pinhole camera, as in the match benchmarks."},
      {"made_by", "scripts/make-demo.sh (tools/demo/make_demo.cpp), seed " + std::string(argv[4])},
      {"rendered_from", "NAIP m_4709963_se_14_1 of 2020-08-31 (USDA, public domain; 5 m file from github "
                        "opengeos/data), resampled to 1 m (cubic) for rendering"},
      {"matched_against", {{"file", "imagery/naip_2014.tif"}, {"acquired", "2014-07-20"}}},
      {"ground_model", "flat ground at take-off height: a frame centre is where the camera's centre ray meets it"},
      {"coordinates", "WGS 84 degrees, converted by PROJ from the 2020 tile's NAD83 / UTM 14N grid; the 2014 "
                      "tile's grid is offset by about 1.4 m from the 2020 one"},
      {"times", "t_s is seconds from the clip's first frame"},
      {"clips", clips}};
  geo::write_file_atomic(out / "truth.json", geo::dump_json(truth, 1) + "\n");
  geo::write_file_atomic(out / "compounds.geojson", geo::dump_json(compound_geojson(naip), 1) + "\n");
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "make_demo: %s\n", e.what());
  return 1;
}
