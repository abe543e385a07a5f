// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/text.hpp"
#include "geo/render/faces.hpp"
#include "geo/render/html_map.hpp"
#include "geo/spatial/compound.hpp"
#include "html_internal.hpp"

namespace geo::render {

fs::path leaflet_dist_dir() {
  std::error_code ec;
  const auto has = [&](const fs::path& d) { return fs::is_regular_file(d / "leaflet.js", ec); };
  if (const char* env = std::getenv("GEOEV_LEAFLET_DIR"); env && *env) {
    if (has(env)) return env;
    throw Error(Errc::not_found, std::string("map.html: GEOEV_LEAFLET_DIR=") + env + " has no leaflet.js");
  }
  std::vector<fs::path> candidates;
  try {
    const fs::path data = spatial::shipped_registry_path().parent_path().parent_path();
    candidates.push_back(data.parent_path() / "node_modules" / "leaflet" / "dist");  // source tree
    candidates.push_back(data.parent_path() / "leaflet");                            // share/geoev/leaflet
  } catch (const Error&) {
    // no shipped data: only the compile-time source tree remains
  }
  candidates.push_back(fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path() / "node_modules" /
                       "leaflet" / "dist");
  for (const auto& c : candidates)
    if (has(c)) return c;
  throw Error(Errc::not_found,
              "map.html: Leaflet was not found (node_modules/leaflet/dist/leaflet.js): run scripts/setup.sh "
              "(npm ci), or set GEOEV_LEAFLET_DIR");
}

namespace html {

std::string base64(std::string_view in) {
  static constexpr char k[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], k[v & 63]};
  }
  if (i + 1 == in.size()) {
    const unsigned v = (unsigned char)in[i] << 16;
    out += {k[v >> 18], k[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
    out += {k[v >> 18], k[(v >> 12) & 63], k[(v >> 6) & 63], '='};
  }
  return out;
}

std::string escape_html(std::string_view s) {
  std::string out;
  for (char c : to_valid_utf8(s)) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string json_for_script(const Json& j) {
  const std::string raw = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(raw.size() + raw.size() / 64);
  // Outside strings JSON has none of these characters, so the replacement only ever lands inside one.
  for (char c : raw) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default: out += c;
    }
  }
  return out;
}

std::string comment_safe(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '-' && !out.empty() && out.back() == '-') out += ' ';
    out += c;
  }
  return out;
}

namespace {

std::string read_asset(const fs::path& p) {
  try {
    return read_file_bounded(p, kMaxSmallInputBytes, "map.html: Leaflet");
  } catch (const Error& e) {
    throw Error(e.code(), std::string(e.what()) + " (run scripts/setup.sh, which installs Leaflet with npm ci)");
  }
}

bool contains_ci(std::string_view hay, std::string_view needle) {
  return to_lower(hay).find(needle) != std::string::npos;
}

}  // namespace

LeafletAssets read_leaflet(const fs::path& dist) {
  LeafletAssets a;
  a.js = read_asset(dist / "leaflet.js");
  a.css = read_asset(dist / "leaflet.css");
  a.inputs.push_back({(dist / "leaflet.js").string(), sha256_hex(a.js), a.js.size()});
  a.inputs.push_back({(dist / "leaflet.css").string(), sha256_hex(a.css), a.css.size()});
  // The source map is for developers; a browser with DevTools open would look for it beside the page.
  if (auto p = a.js.rfind("//# sourceMappingURL="); p != std::string::npos) a.js.erase(p);
  if (contains_ci(a.js, "</script") || contains_ci(a.js, "<!--"))
    throw Error(Errc::corrupt_data, "map.html: " + (dist / "leaflet.js").string() + " contains '</script' or '<!--'");
  if (contains_ci(a.css, "</style"))
    throw Error(Errc::corrupt_data, "map.html: " + (dist / "leaflet.css").string() + " contains '</style'");
  // Control images (the layers button, the default marker) as data URIs: the page reads no file.
  for (const char* name : {"layers-2x.png", "layers.png", "marker-icon.png"}) {
    const std::string ref = std::string("url(images/") + name + ")";
    for (std::size_t p; (p = a.css.find(ref)) != std::string::npos;)
      a.css.replace(p, ref.size(), "url(data:image/png;base64," + base64(read_asset(dist / "images" / name)) + ")");
  }
  try {
    const Json pkg = Json::parse(read_asset(dist.parent_path() / "package.json"));
    a.version = pkg.value("version", "");
  } catch (const std::exception&) {
    // version unknown: the SHA-256 of leaflet.js still identifies it
  }
  std::error_code ec;
  for (const fs::path& lic : {dist.parent_path() / "LICENSE", dist / "LICENSE"})
    if (fs::is_regular_file(lic, ec)) {
      a.licence = read_asset(lic);
      break;
    }
  if (a.licence.empty())
    throw Error(Errc::not_found, "map.html: Leaflet's LICENSE was not found beside " + dist.string() +
                                     ": its licence must travel with the inlined code");
  return a;
}

std::optional<Thumbnail> thumbnail(const fs::path& frame, int long_side_px, bool blur, const FaceCache& faces_kept,
                                   std::vector<std::string>& notes) {
  cv::Mat img;
  try {
    require_regular_file(frame, "map.html: thumbnail");
    img = cv::imread(frame.string(), cv::IMREAD_COLOR);
  } catch (const std::exception& e) {
    notes.push_back(std::string("thumbnail left out: ") + e.what());
    return std::nullopt;
  }
  if (img.empty()) {
    notes.push_back("thumbnail left out: " + frame.filename().string() + " could not be decoded");
    return std::nullopt;
  }
  Thumbnail t;
  std::vector<cv::Rect> areas;
  if (blur) {
    try {
      const std::vector<cv::Rect> faces = faces_kept.faces(frame, img);
      blur_regions(img, faces);
      for (const cv::Rect& f : faces) areas.push_back(blur_area(f, img.size()));
    } catch (const Error& e) {
      notes.push_back("thumbnail of " + frame.filename().string() + " left out (faces could not be blurred): " + e.what());
      return std::nullopt;
    }
  }
  const double s = std::min(1.0, double(long_side_px) / std::max(img.cols, img.rows));
  if (s < 1) cv::resize(img, img, cv::Size(), s, s, cv::INTER_AREA);
  for (const cv::Rect& a : areas) {
    const cv::Rect r(int(a.x * s), int(a.y * s), std::max(2, int(a.width * s)), std::max(2, int(a.height * s)));
    cv::rectangle(img, r, cv::Scalar(0, 0, 0), 3);
    cv::rectangle(img, r, cv::Scalar(255, 255, 255), 1);
  }
  std::vector<uchar> jpg;
  cv::imencode(".jpg", img, jpg, {cv::IMWRITE_JPEG_QUALITY, 82});
  t.data_uri = "data:image/jpeg;base64," + base64(std::string_view(reinterpret_cast<const char*>(jpg.data()), jpg.size()));
  t.width = img.cols;
  t.height = img.rows;
  t.blurred = static_cast<int>(areas.size());
  return t;
}

namespace {

constexpr double kEarthRadiusM = 6378137.0;  // Web Mercator's sphere
double merc_y(double lat_deg) { return kEarthRadiusM * std::log(std::tan(M_PI / 4 + lat_deg * M_PI / 360)); }

}  // namespace

std::optional<ImageryOverlay> imagery_overlay(const std::string& source, const std::optional<std::string>& date,
                                              const GeoBox& view, int max_px, std::vector<std::string>& notes) {
  try {
    const Raster r = Raster::open(source);
    const RasterInfo& info = r.info();
    const GeoBox& rb = info.bbox_wgs84;
    // Half the view's size again on every side: a browser window is rarely the view's shape, and the
    // reader pans.
    const double gx = 0.5 * (view.max_lon_deg - view.min_lon_deg), gy = 0.5 * (view.max_lat_deg - view.min_lat_deg);
    const GeoBox want{view.min_lon_deg - gx, std::max(-85.0, view.min_lat_deg - gy), view.max_lon_deg + gx,
                      std::min(85.0, view.max_lat_deg + gy)};
    GeoBox w{std::max(want.min_lon_deg, rb.min_lon_deg), std::max(want.min_lat_deg, rb.min_lat_deg),
             std::min(want.max_lon_deg, rb.max_lon_deg), std::min(want.max_lat_deg, rb.max_lat_deg)};
    if (!(w.min_lon_deg < w.max_lon_deg && w.min_lat_deg < w.max_lat_deg)) {
      notes.push_back("imagery " + fs::path(source).filename().string() + " does not cover the map: not drawn");
      return std::nullopt;
    }
    const double width_m = kEarthRadiusM * (w.max_lon_deg - w.min_lon_deg) * M_PI / 180;
    const double height_m = merc_y(w.max_lat_deg) - merc_y(w.min_lat_deg);
    // Mercator metres per true metre at the window's centre: the native GSD in the output's units.
    const double stretch = 1.0 / std::cos(w.center().lat_deg * M_PI / 180);
    WindowRequest req;
    req.bbox = w;
    req.crs = "EPSG:3857";
    req.gsd_m = std::max(std::max(width_m, height_m) / max_px, info.gsd_m * stretch);
    req.bands = BandSelection::automatic;
    const GeoImage g = r.read_window(req);
    if (g.image.depth() != CV_8U) {
      notes.push_back("imagery " + fs::path(source).filename().string() + " is not 8-bit imagery (a DEM?): not drawn");
      return std::nullopt;
    }
    cv::Mat bgr = g.image;
    if (bgr.channels() == 1) cv::cvtColor(bgr, bgr, cv::COLOR_GRAY2BGR);
    std::vector<uchar> bytes;
    std::string mime;
    if (g.valid.empty() || static_cast<std::size_t>(cv::countNonZero(g.valid)) == g.valid.total()) {
      cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, 85});
      mime = "image/jpeg";
    } else {
      cv::Mat bgra;
      cv::cvtColor(bgr, bgra, cv::COLOR_BGR2BGRA);
      cv::Mat alpha[] = {g.valid};
      cv::mixChannels(alpha, 1, &bgra, 1, std::vector<int>{0, 3}.data(), 1);
      cv::imencode(".png", bgra, bytes);
      mime = "image/png";
    }
    ImageryOverlay o;
    o.data_uri = "data:" + mime + ";base64," +
                 base64(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    const GeoPoint nw = g.lat_lon_from_pixel(0, 0), se = g.lat_lon_from_pixel(g.cols(), g.rows());
    o.bounds = {nw.lon_deg, se.lat_deg, se.lon_deg, nw.lat_deg};
    o.name = fs::path(source).filename().string();
    o.date = date ? *date : info.acquired.value_or("");
    o.input = {source, info.sha256, std::nullopt};
    if (g.valid_fraction() < 0.999 || w.min_lon_deg > view.min_lon_deg || w.max_lon_deg < view.max_lon_deg ||
        w.min_lat_deg > view.min_lat_deg || w.max_lat_deg < view.max_lat_deg)
      notes.push_back("imagery " + o.name + " covers only part of the map: drawn where it covers");
    return o;
  } catch (const Error& e) {
    notes.push_back(std::string("imagery not drawn: ") + e.what());
    return std::nullopt;
  }
}

}  // namespace html
}  // namespace geo::render
