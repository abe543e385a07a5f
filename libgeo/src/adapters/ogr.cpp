// SPDX-License-Identifier: Apache-2.0
#include "adapters/ogr.hpp"

#include <cstdlib>
#include <mutex>
#include <string_view>

#include "adapters/gdal.hpp"
#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"
#include "geo/core/network.hpp"

namespace geo::adapters {

void ensure_gdal() { gdal::ensure_registered(); }

GdalErrorCapture::GdalErrorCapture() {
  CPLPushErrorHandler(CPLQuietErrorHandler);
  CPLErrorReset();
}
GdalErrorCapture::~GdalErrorCapture() { CPLPopErrorHandler(); }
std::string GdalErrorCapture::message() const {
  const char* m = CPLGetLastErrorMsg();
  return m ? std::string(m) : std::string();
}

void DatasetCloser::operator()(GDALDatasetH h) const noexcept {
  if (!h) return;
  GdalErrorCapture cap;
  GDALClose(h);
}

namespace {
std::vector<const char*> cstrs(const std::vector<std::string>& v) {
  std::vector<const char*> out;
  for (const auto& s : v) out.push_back(s.c_str());
  out.push_back(nullptr);
  return out;
}
}  // namespace

DatasetPtr open_vector(const std::filesystem::path& path, bool update, const std::string& op,
                       const std::vector<std::string>& drivers, const std::vector<std::string>& open_options) {
  ensure_gdal();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw Error(Errc::not_found, op + ": " + path.string() + ": no such file");
  if (!std::filesystem::is_directory(path, ec)) require_regular_file(path, op);
  GdalErrorCapture cap;
  auto drv = cstrs(drivers);
  auto oo = cstrs(open_options);
  const unsigned flags = GDAL_OF_VECTOR | (update ? GDAL_OF_UPDATE : GDAL_OF_READONLY);
  GDALDatasetH h = GDALOpenEx(path.c_str(), flags, drivers.empty() ? nullptr : drv.data(),
                              open_options.empty() ? nullptr : oo.data(), nullptr);
  if (!h) {
    if (const std::string refused = gdal::take_refused_network_name(); !refused.empty())
      throw Error(Errc::unsupported, network_refusal(op + ": " + path.string(), refused));
    std::string msg = cap.message();
    throw Error(Errc::corrupt_data,
                op + ": " + path.string() + ": cannot be read as a vector dataset" + (msg.empty() ? "" : " (GDAL: " + msg + ")"),
                "GDAL", static_cast<int>(CPLGetLastErrorNo()));
  }
  DatasetPtr owned(h);
  gdal::check_offline(h, op + ": " + path.string());
  return owned;
}

DatasetPtr create_vector(const std::filesystem::path& path, const std::string& driver, const std::string& op) {
  ensure_gdal();
  GdalErrorCapture cap;
  GDALDriverH d = GDALGetDriverByName(driver.c_str());
  if (!d) throw Error(Errc::unsupported, op + ": GDAL driver " + driver + " is not available", "GDAL");
  GDALDatasetH h = GDALCreate(d, path.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
  if (!h) throw Error(Errc::io, op + ": " + path.string() + ": cannot create (GDAL: " + cap.message() + ")", "GDAL");
  return DatasetPtr(h);
}

void close_dataset(DatasetPtr& ds, const std::string& op) {
  if (!ds) return;
  GdalErrorCapture cap;
  GDALClose(ds.release());
  if (CPLGetLastErrorType() >= CE_Failure)
    throw Error(Errc::io, op + ": closing failed (GDAL: " + cap.message() + ")", "GDAL");
}

namespace {
// Collects the GEOS notice OGR passes on as a CPL warning ("Self-intersection at or near point x y").
struct ReasonCapture {
  ReasonCapture() { CPLPushErrorHandlerEx(&ReasonCapture::handler, this); }
  ~ReasonCapture() { CPLPopErrorHandler(); }
  ReasonCapture(const ReasonCapture&) = delete;
  ReasonCapture& operator=(const ReasonCapture&) = delete;
  static void CPL_STDCALL handler(CPLErr, CPLErrorNum, const char* msg) {
    auto* self = static_cast<ReasonCapture*>(CPLGetErrorHandlerUserData());
    if (self && msg && self->text.empty()) self->text = msg;
  }
  std::string text;
};
}  // namespace

RingValidity ring_validity(const std::vector<double>& x, const std::vector<double>& y) {
  ensure_gdal();
  static const bool have_geos = OGRGetGEOSVersion(nullptr, nullptr, nullptr);
  if (!have_geos) throw Error(Errc::unsupported, "compounds: this GDAL was built without GEOS; polygons cannot be validated", "GDAL");
  std::vector<double> cx(x), cy(y);
  if (!cx.empty()) cx.push_back(cx.front()), cy.push_back(cy.front());
  GeometryPtr poly(OGR_G_CreateGeometry(wkbPolygon));
  OGRGeometryH ring = OGR_G_CreateGeometry(wkbLinearRing);
  OGR_G_SetPoints(ring, static_cast<int>(cx.size()), cx.data(), sizeof(double), cy.data(), sizeof(double), nullptr, 0);
  OGR_G_AddGeometryDirectly(poly.get(), ring);
  ReasonCapture cap;
  RingValidity out;
  if (OGR_G_IsValid(poly.get())) return out;
  out.reason = cap.text.empty() ? std::string("invalid geometry") : cap.text;
  constexpr std::string_view kAt = " at or near point ";
  if (const auto p = out.reason.find(kAt); p != std::string::npos) {
    const char* s = out.reason.c_str() + p + kAt.size();
    char* end = nullptr;
    out.x = std::strtod(s, &end);
    if (end != s) {
      const char* s2 = end;
      out.y = std::strtod(s2, &end);
      out.has_point = end != s2;
    }
    out.reason.resize(p);
  }
  return out;
}

std::string field_string(OGRFeatureH f, const char* name) {
  const int i = OGR_F_GetFieldIndex(f, name);
  if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i)) return {};
  const char* s = OGR_F_GetFieldAsString(f, i);
  return s ? std::string(s) : std::string();
}

bool has_field(OGRFeatureDefnH defn, const char* name) { return OGR_FD_GetFieldIndex(defn, name) >= 0; }

}  // namespace geo::adapters
