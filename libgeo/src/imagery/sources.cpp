// SPDX-License-Identifier: Apache-2.0
#include "imagery/sources.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <sstream>

#include <cpl_vsi.h>
#include <gdal_utils.h>

#include "adapters/gdal.hpp"
#include "geo/core/error.hpp"
#include "geo/core/network.hpp"
#include "geo/core/text.hpp"

namespace geo::imagery {

namespace fs = std::filesystem;

namespace {
constexpr double kMercHalf = 20037508.342789244;  // half the Web Mercator world width, metres

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
  return s;
}

// GDAL WMS/TMS description of an online XYZ template; tiles are cached on disk by GDAL.
std::string url_template_wms(const std::string& url, const OpenOptions& opts) {
  std::string u = replace_all(replace_all(replace_all(url, "{z}", "${z}"), "{x}", "${x}"), "{y}", "${y}");
  std::ostringstream x;
  x.precision(17);
  x << "<GDAL_WMS><Service name=\"TMS\"><ServerUrl>" << xml_escape(u) << "</ServerUrl></Service>"
    << "<DataWindow><UpperLeftX>" << -kMercHalf << "</UpperLeftX><UpperLeftY>" << kMercHalf
    << "</UpperLeftY><LowerRightX>" << kMercHalf << "</LowerRightX><LowerRightY>" << -kMercHalf
    << "</LowerRightY><TileLevel>" << opts.tile_max_zoom
    << "</TileLevel><TileCountX>1</TileCountX><TileCountY>1</TileCountY><YOrigin>top</YOrigin></DataWindow>"
    << "<Projection>EPSG:3857</Projection><BlockSizeX>256</BlockSizeX><BlockSizeY>256</BlockSizeY>"
    << "<BandsCount>3</BandsCount><MaxConnections>4</MaxConnections>"
    << "<ZeroBlockHttpCodes>204,404</ZeroBlockHttpCodes><UserAgent>geoev</UserAgent><Cache>";
  if (!opts.tile_cache_dir.empty()) x << "<Path>" << xml_escape(opts.tile_cache_dir.string()) << "</Path>";
  x << "</Cache></GDAL_WMS>";
  return x.str();
}
}  // namespace

std::string xyz_directory_vrt(const fs::path& dir, const std::string& what) {
  int zmax = -1;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && all_digits(e.path().filename().string()))
      zmax = std::max(zmax, std::atoi(e.path().filename().string().c_str()));
  if (zmax < 0 || zmax > 30) throw Error{Errc::not_found, what + ": no {z}/{x}/{y} tile folders found"};
  struct Tile {
    long x, y;
    fs::path file;
  };
  std::vector<Tile> tiles;
  for (const auto& xe : fs::directory_iterator(dir / std::to_string(zmax))) {
    if (!xe.is_directory() || !all_digits(xe.path().filename().string())) continue;
    for (const auto& ye : fs::directory_iterator(xe.path())) {
      const std::string stem = ye.path().stem().string();
      const std::string ext = to_lower(ye.path().extension().string());
      if (!ye.is_regular_file() || !all_digits(stem) || (ext != ".png" && ext != ".jpg" && ext != ".jpeg" && ext != ".webp"))
        continue;
      tiles.push_back({std::atol(xe.path().filename().string().c_str()), std::atol(stem.c_str()), fs::absolute(ye.path())});
    }
  }
  if (tiles.empty()) throw Error{Errc::not_found, what + ": zoom " + std::to_string(zmax) + " holds no tiles"};
  if (tiles.size() > 65536) throw Error{Errc::unsupported, what + ": more than 65536 tiles at one zoom level"};
  long x0 = tiles[0].x, x1 = x0, y0 = tiles[0].y, y1 = y0;
  for (const auto& t : tiles) x0 = std::min(x0, t.x), x1 = std::max(x1, t.x), y0 = std::min(y0, t.y), y1 = std::max(y1, t.y);
  // Tile size and band layout from the first tile.
  int ts = 256, nbands = 3;
  {
    gdal::DatasetPtr first = gdal::open_raster(tiles[0].file.string(), what + ": " + tiles[0].file.string());
    ts = GDALGetRasterXSize(first.get());
    nbands = GDALGetRasterCount(first.get());
    if (ts != GDALGetRasterYSize(first.get()) || ts <= 0)
      throw Error{Errc::corrupt_data, what + ": tiles are not square"};
  }
  const bool has_alpha = nbands == 4 || nbands == 2;
  const int colour = nbands >= 3 ? 3 : 1;
  const double span = 2 * kMercHalf / std::pow(2.0, zmax) / ts;  // metres per pixel
  const long w = (x1 - x0 + 1) * ts, h = (y1 - y0 + 1) * ts;
  std::ostringstream v;
  v.precision(17);
  v << "<VRTDataset rasterXSize=\"" << w << "\" rasterYSize=\"" << h << "\"><SRS>EPSG:3857</SRS>"
    << "<GeoTransform>" << (-kMercHalf + x0 * ts * span) << "," << span << ",0," << (kMercHalf - y0 * ts * span)
    << ",0," << -span << "</GeoTransform>";
  static const char* names[] = {"Red", "Green", "Blue"};
  for (int b = 1; b <= colour + 1; ++b) {
    const bool alpha_band = b == colour + 1;
    v << "<VRTRasterBand dataType=\"Byte\" band=\"" << b << "\"><ColorInterp>"
      << (alpha_band ? "Alpha" : colour == 3 ? names[b - 1] : "Gray") << "</ColorInterp>";
    for (const auto& t : tiles) {
      const long ox = (t.x - x0) * ts, oy = (t.y - y0) * ts;
      const std::string rect = "<SrcRect xOff=\"0\" yOff=\"0\" xSize=\"" + std::to_string(ts) + "\" ySize=\"" +
                               std::to_string(ts) + "\"/><DstRect xOff=\"" + std::to_string(ox) + "\" yOff=\"" +
                               std::to_string(oy) + "\" xSize=\"" + std::to_string(ts) + "\" ySize=\"" +
                               std::to_string(ts) + "\"/>";
      const std::string file = "<SourceFilename relativeToVRT=\"0\">" + xml_escape(t.file.string()) + "</SourceFilename>";
      if (!alpha_band) {
        v << "<SimpleSource>" << file << "<SourceBand>" << b << "</SourceBand>" << rect << "</SimpleSource>";
      } else if (has_alpha) {
        v << "<SimpleSource>" << file << "<SourceBand>" << nbands << "</SourceBand>" << rect << "</SimpleSource>";
      } else {
        // A tile that exists is fully valid: 0 * value + 255. Missing tiles stay 0 (invalid).
        v << "<ComplexSource>" << file << "<SourceBand>1</SourceBand>" << rect
          << "<ScaleOffset>255</ScaleOffset><ScaleRatio>0</ScaleRatio></ComplexSource>";
      }
    }
    v << "</VRTRasterBand>";
  }
  v << "</VRTDataset>";
  return v.str();
}

std::string mosaic_source_name(const std::vector<fs::path>& files, const std::string& what) {
  std::vector<std::string> names;
  for (const auto& f : files) {
    std::error_code ec;
    if (!fs::is_regular_file(f, ec)) throw Error{Errc::not_found, what + ": " + f.string() + ": no such file"};
    names.push_back(fs::absolute(f).string());
  }
  std::vector<const char*> ptrs;
  for (const auto& n : names) ptrs.push_back(n.c_str());
  gdal::ensure_registered();
  gdal::VsiMemPath mem(".vrt");
  gdal::ErrorCapture cap;
  GDALBuildVRTOptions* o = GDALBuildVRTOptionsNew(nullptr, nullptr);
  int usage = 0;
  gdal::DatasetPtr vrt(GDALBuildVRT(mem.c_str(), static_cast<int>(ptrs.size()), nullptr, ptrs.data(), o, &usage));
  GDALBuildVRTOptionsFree(o);
  if (!vrt) gdal::fail(Errc::external, what, cap, "cannot build the mosaic");
  gdal::close(vrt, what);
  vsi_l_offset len = 0;
  GByte* buf = VSIGetMemFileBuffer(mem.c_str(), &len, FALSE);
  if (!buf) throw Error{Errc::external, what + ": the mosaic VRT was not written"};
  return std::string(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
}

ResolvedSource resolve_source(const std::string& source, const OpenOptions& opts, const std::string& what) {
  if (source.empty()) throw Error{Errc::invalid_argument, "imagery.open: empty source"};
  if (source.rfind("<", 0) == 0) return {source, false, ""};  // already an XML description
  const bool url = source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0;
  // A URL given as the source is the analyst's explicit request to read from that host (and only that
  // host: a file it serves that points elsewhere is still refused). Other network names (/vsis3/...)
  // need --allow-network.
  if (url || (source.rfind("/vsi", 0) == 0 && is_network_name(source))) allow_network_url(source);
  if (url && source.find("{z}") != std::string::npos)
    return {url_template_wms(source, opts), false, "XYZ tile URL template read through GDAL WMS with a disk cache"};
  if (url) return {"/vsicurl/" + source, false, ""};
  std::error_code ec;
  if (fs::is_directory(source, ec)) return {xyz_directory_vrt(source, what), false, "XYZ tile directory (Web Mercator)"};
  return {source, true, ""};
}

}  // namespace geo::imagery
