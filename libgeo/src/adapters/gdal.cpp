// SPDX-License-Identifier: Apache-2.0
#include "adapters/gdal.hpp"

#include <atomic>
#include <filesystem>
#include <mutex>

#include <cpl_vsi.h>
#include <ogr_srs_api.h>

namespace geo::gdal {

void ensure_registered() {
  static std::once_flag once;
  std::call_once(once, [] { GDALAllRegister(); });
}

ErrorCapture::ErrorCapture() {
  CPLPushErrorHandlerEx(&ErrorCapture::handler, this);
}

ErrorCapture::~ErrorCapture() { CPLPopErrorHandler(); }

void CPL_STDCALL ErrorCapture::handler(CPLErr cls, CPLErrorNum num, const char* msg) {
  auto* self = static_cast<ErrorCapture*>(CPLGetErrorHandlerUserData());
  if (!self) return;
  const std::string text = msg ? msg : "";
  if (cls == CE_Failure || cls == CE_Fatal) {
    ++self->failures_;
    self->code_ = num;
    self->message_ = text;
  } else if (cls == CE_Warning) {
    self->warnings_.push_back(text);
    if (self->failures_ == 0) self->message_ = text;
  }
}

void DatasetCloser::operator()(GDALDatasetH ds) const noexcept {
  if (!ds) return;
  ErrorCapture cap;  // swallowed: destructors must not throw
  GDALClose(ds);
}

void close(DatasetPtr& ds, const std::string& what) {
  if (!ds) return;
  ErrorCapture cap;
  GDALClose(ds.release());
  if (cap.failed()) fail(Errc::io, what, cap, "closing failed");
}

[[noreturn]] void fail(Errc code, const std::string& what, const ErrorCapture& cap,
                       const std::string& fallback) {
  std::string msg = cap.message().empty() ? fallback : cap.message();
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (cap.native_code() != 0) msg += " (GDAL " + std::to_string(cap.native_code()) + ")";
  throw Error{code, what + ": " + msg, "GDAL", cap.native_code()};
}

DatasetPtr open_raster(const std::string& source, const std::string& what,
                       const std::vector<std::string>& open_options) {
  ensure_registered();
  const bool looks_local = source.rfind("/vsi", 0) != 0 && source.find("://") == std::string::npos &&
                           source.rfind("<", 0) != 0;
  if (looks_local) {
    std::error_code ec;
    if (!std::filesystem::exists(source, ec))
      throw Error{Errc::not_found, what + ": no such file"};
  }
  StringList oo(open_options);
  ErrorCapture cap;
  GDALDatasetH ds = GDALOpenEx(source.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                               nullptr, oo.get(), nullptr);
  if (!ds) fail(Errc::corrupt_data, what, cap, "not a raster GDAL can read");
  return DatasetPtr(ds);
}

StringList::StringList(const std::vector<std::string>& items) {
  for (const auto& s : items) add(s);
}
StringList::~StringList() { CSLDestroy(list_); }
void StringList::add(const std::string& s) { list_ = CSLAddString(list_, s.c_str()); }
void StringList::set(const std::string& key, const std::string& value) {
  list_ = CSLSetNameValue(list_, key.c_str(), value.c_str());
}

VsiMemPath::VsiMemPath(const std::string& suffix) {
  static std::atomic<unsigned long> counter{0};
  path_ = "/vsimem/geoev_" + std::to_string(counter.fetch_add(1)) + suffix;
}
VsiMemPath::~VsiMemPath() {
  ErrorCapture cap;
  VSIUnlink(path_.c_str());
}

std::string dataset_wkt(GDALDatasetH ds) {
  OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
  if (!srs) return {};
  char* wkt = nullptr;
  const char* opts[] = {"FORMAT=WKT2_2019", nullptr};
  ErrorCapture cap;
  if (OSRExportToWktEx(srs, &wkt, opts) != OGRERR_NONE || !wkt) {
    CPLFree(wkt);
    return {};
  }
  std::string out = wkt;
  CPLFree(wkt);
  return out;
}

}  // namespace geo::gdal
