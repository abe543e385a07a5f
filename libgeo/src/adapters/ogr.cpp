// SPDX-License-Identifier: Apache-2.0
#include "adapters/ogr.hpp"

#include <mutex>

#include "geo/core/error.hpp"

namespace geo::adapters {

void ensure_gdal() {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
}

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
  GdalErrorCapture cap;
  auto drv = cstrs(drivers);
  auto oo = cstrs(open_options);
  const unsigned flags = GDAL_OF_VECTOR | (update ? GDAL_OF_UPDATE : GDAL_OF_READONLY);
  GDALDatasetH h = GDALOpenEx(path.c_str(), flags, drivers.empty() ? nullptr : drv.data(),
                              open_options.empty() ? nullptr : oo.data(), nullptr);
  if (!h) {
    std::string msg = cap.message();
    throw Error(Errc::corrupt_data,
                op + ": " + path.string() + ": cannot be read as a vector dataset" + (msg.empty() ? "" : " (GDAL: " + msg + ")"),
                "GDAL", static_cast<int>(CPLGetLastErrorNo()));
  }
  return DatasetPtr(h);
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

std::string field_string(OGRFeatureH f, const char* name) {
  const int i = OGR_F_GetFieldIndex(f, name);
  if (i < 0 || !OGR_F_IsFieldSetAndNotNull(f, i)) return {};
  const char* s = OGR_F_GetFieldAsString(f, i);
  return s ? std::string(s) : std::string();
}

bool has_field(OGRFeatureDefnH defn, const char* name) { return OGR_FD_GetFieldIndex(defn, name) >= 0; }

}  // namespace geo::adapters
