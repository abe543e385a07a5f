// SPDX-License-Identifier: Apache-2.0
#include "adapters/gdal.hpp"

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <map>
#include <mutex>

#include <cpl_http.h>
#include <cpl_vsi.h>
#include <cpl_vsi_virtual.h>
#include <ogr_srs_api.h>

#include "geo/core/file_read.hpp"
#include "geo/core/network.hpp"

namespace geo::gdal {

namespace {

// Drivers that exist only to talk to servers. Deregistered while no network access is allowed, so a
// local file naming one (a GDAL_WMS XML, a VRT source "WCS:http://...") cannot reach them.
constexpr const char* kNetworkDrivers[] = {"WMS", "WMTS", "WCS", "HTTP", "EEDA", "EEDAI", "DAAS", "PLMOSAIC",
                                           "PLSCENES", "OGCAPI", "NGW", "WFS", "OAPIF", "CSW", "Carto",
                                           "Elasticsearch", "CouchDB", "AmigoCloud", "GNMServer", "STACTA"};

std::mutex g_refused_mutex;
std::string g_refused;

void record_refused(const char* name) {
  std::lock_guard lock(g_refused_mutex);
  g_refused = name ? name : "";
}

// Stands in front of one of GDAL's network file systems: names the policy forbids fail as if absent
// (and are recorded for the error message); the rest go to GDAL's own handler.
class OfflineHandler final : public VSIFilesystemHandler {
 public:
  explicit OfflineHandler(VSIFilesystemHandler* inner) : inner_(inner) {}

  VSIVirtualHandle* Open(const char* name, const char* access, bool set_error, CSLConstList options) override {
    return permit(name) ? inner_->Open(name, access, set_error, options) : nullptr;
  }
  int Stat(const char* name, VSIStatBufL* st, int flags) override {
    return permit(name) ? inner_->Stat(name, st, flags) : -1;
  }
  int Unlink(const char* name) override { return permit(name) ? inner_->Unlink(name) : -1; }
  int Mkdir(const char* name, long mode) override { return permit(name) ? inner_->Mkdir(name, mode) : -1; }
  int Rmdir(const char* name) override { return permit(name) ? inner_->Rmdir(name) : -1; }
  int Rename(const char* from, const char* to) override {
    return permit(from) && permit(to) ? inner_->Rename(from, to) : -1;
  }
  char** ReadDirEx(const char* name, int max_files) override {
    return permit(name) ? inner_->ReadDirEx(name, max_files) : nullptr;
  }
  char** SiblingFiles(const char* name) override { return permit(name) ? inner_->SiblingFiles(name) : nullptr; }
  VSIDIR* OpenDir(const char* name, int depth, const char* const* options) override {
    return permit(name) ? inner_->OpenDir(name, depth, options) : nullptr;
  }
  char** GetFileMetadata(const char* name, const char* domain, CSLConstList options) override {
    return permit(name) ? inner_->GetFileMetadata(name, domain, options) : nullptr;
  }
  bool SetFileMetadata(const char* name, CSLConstList md, const char* domain, CSLConstList options) override {
    return permit(name) && inner_->SetFileMetadata(name, md, domain, options);
  }
  char* GetSignedURL(const char* name, CSLConstList options) override {
    return permit(name) ? inner_->GetSignedURL(name, options) : nullptr;
  }
  const char* GetActualURL(const char* name) override { return inner_->GetActualURL(name); }
  const char* GetOptions() override { return inner_->GetOptions(); }
  int IsCaseSensitive(const char* name) override { return inner_->IsCaseSensitive(name); }
  int HasOptimizedReadMultiRange(const char* name) override { return inner_->HasOptimizedReadMultiRange(name); }
  std::string GetStreamingFilename(const std::string& name) const override {
    return inner_->GetStreamingFilename(name);
  }
  bool IsLocal(const char* name) override { return inner_->IsLocal(name); }

 private:
  static bool permit(const char* name) {
    if (network_access_allowed(name ? name : "")) return true;
    record_refused(name);
    errno = EACCES;
    return false;
  }
  VSIFilesystemHandler* inner_;  // owned by GDAL's file manager (never destroyed before exit)
};

// CPLHTTPFetch while no network access is allowed: an error result, no connection.
CPLHTTPResult* refuse_fetch(const char* url, CSLConstList, GDALProgressFunc, void*, CPLHTTPFetchWriteFunc, void*,
                            void*) {
  record_refused(url);
  auto* r = static_cast<CPLHTTPResult*>(CPLCalloc(1, sizeof(CPLHTTPResult)));
  r->pszErrBuf = CPLStrdup("network access refused: geoev works offline");
  CPLError(CE_Failure, CPLE_HttpResponse, "%s: network access refused: geoev works offline", url ? url : "");
  return r;
}

void install_offline_handlers() {
  char** prefixes = VSIFileManager::GetPrefixes();
  for (const std::string base : {"/vsicurl", "/vsis3", "/vsigs", "/vsiaz", "/vsiadls", "/vsioss", "/vsiswift",
                                 "/vsiwebhdfs", "/vsihdfs"}) {
    for (const std::string prefix : {base + "/", base + "_streaming/", base + "?"}) {
      if (CSLFindString(prefixes, prefix.c_str()) < 0) continue;  // not built into this GDAL
      VSIFileManager::InstallHandler(prefix, new OfflineHandler(VSIFileManager::GetHandler(prefix.c_str())));
    }
  }
  CSLDestroy(prefixes);
}

// Brings GDAL's HTTP callback and driver list in line with the policy; cheap when nothing changed.
void apply_network_policy() {
  static std::mutex m;
  static int applied = -1;  // -1 never, 0 offline, 1 some network allowed
  static std::map<std::string, GDALDriverH> parked;
  const int want = any_network_allowed() ? 1 : 0;
  std::lock_guard lock(m);
  if (want == applied) return;
  if (want == 0) {
    CPLHTTPSetFetchCallback(refuse_fetch, nullptr);
    for (const char* name : kNetworkDrivers)
      if (GDALDriverH d = GDALGetDriverByName(name)) {
        GDALDeregisterDriver(d);
        parked[name] = d;
      }
  } else {
    CPLHTTPSetFetchCallback(nullptr, nullptr);
    for (auto& [name, d] : parked) GDALRegisterDriver(d);
    parked.clear();
  }
  applied = want;
}

}  // namespace

void ensure_registered() {
  static std::once_flag once;
  std::call_once(once, [] {
    GDALAllRegister();
    install_offline_handlers();
  });
  apply_network_policy();
}

std::string take_refused_network_name() {
  std::lock_guard lock(g_refused_mutex);
  std::string out;
  out.swap(g_refused);
  return out;
}

void check_offline(GDALDatasetH ds, const std::string& what) {
  char** files = GDALGetFileList(ds);
  std::string refused;
  for (int i = 0; files && files[i] && refused.empty(); ++i)
    if (!network_access_allowed(files[i])) refused = files[i];
  CSLDestroy(files);
  if (refused.empty()) refused = take_refused_network_name();
  if (!refused.empty()) throw Error{Errc::unsupported, network_refusal(what, refused)};
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
    // GDAL reads some formats from a directory (ArcInfo grids, SAFE); anything else must be a regular
    // file: a FIFO or a device would block or never end.
    if (!std::filesystem::is_directory(source, ec)) require_regular_file(source, what.substr(0, what.find(": ")));
  }
  if (source.rfind("<", 0) != 0 && !network_access_allowed(source))
    throw Error{Errc::unsupported, network_refusal(what, source)};
  take_refused_network_name();  // forget refusals from earlier opens
  StringList oo(open_options);
  ErrorCapture cap;
  GDALDatasetH ds = GDALOpenEx(source.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                               nullptr, oo.get(), nullptr);
  if (!ds) {
    const std::string refused = take_refused_network_name();
    if (!refused.empty()) throw Error{Errc::unsupported, network_refusal(what, refused)};
    fail(Errc::corrupt_data, what, cap, "not a raster GDAL can read");
  }
  DatasetPtr owned(ds);
  check_offline(ds, what);
  return owned;
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
