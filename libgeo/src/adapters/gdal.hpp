// SPDX-License-Identifier: Apache-2.0
// Private RAII ownership of GDAL datasets and translation of GDAL errors into geo::Error.
// GDAL errors are captured by a SCOPED handler (CPLPushErrorHandlerEx / CPLPopErrorHandler, which GDAL
// keeps per thread) around each operation; no process-global handler is ever installed.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <gdal.h>
#include <cpl_error.h>
#include <cpl_string.h>

#include "geo/core/error.hpp"

namespace geo::gdal {

// GDALAllRegister once per process (thread-safe), and applies geo's network policy (geo/core/network.hpp)
// to GDAL: while the network is not allowed, GDAL's network file systems (/vsicurl/, /vsis3/, ... and
// their _streaming forms) refuse every name the policy forbids, CPLHTTPFetch fails without connecting,
// and the drivers that only talk to servers (WMS, WCS, WFS, ...) are deregistered. Call it before any
// GDAL open; every open in the adapters does.
void ensure_registered();

// Throws Error{unsupported, network_refusal(what, name)} when the dataset reads from a network source
// the policy forbids (its file list names one, e.g. a VRT's /vsicurl/ source).
void check_offline(GDALDatasetH ds, const std::string& what);

// The last network name GDAL was refused since the previous call (any thread), "" if none; clears it.
std::string take_refused_network_name();

// Collects GDAL errors raised on this thread while alive (and keeps them from being printed).
class ErrorCapture {
 public:
  ErrorCapture();
  ~ErrorCapture();
  ErrorCapture(const ErrorCapture&) = delete;
  ErrorCapture& operator=(const ErrorCapture&) = delete;

  bool failed() const noexcept { return failures_ > 0; }
  // The last CE_Failure/CE_Fatal message (or the last warning when there was no failure), "" if none.
  const std::string& message() const noexcept { return message_; }
  int native_code() const noexcept { return code_; }
  const std::vector<std::string>& warnings() const noexcept { return warnings_; }

 private:
  static void CPL_STDCALL handler(CPLErr cls, CPLErrorNum num, const char* msg);
  int failures_ = 0;
  int code_ = 0;
  std::string message_;
  std::vector<std::string> warnings_;
};

// Closes a dataset, swallowing errors (for destructors). Use close() to learn whether it failed.
struct DatasetCloser {
  void operator()(GDALDatasetH ds) const noexcept;
};
using DatasetPtr = std::unique_ptr<std::remove_pointer_t<GDALDatasetH>, DatasetCloser>;

// Closes and throws Error{io, "<what>: <gdal message> (GDAL n)"} when GDAL reported a failure while
// flushing (GDALClose returns nothing in GDAL 3.6). `ds` is empty afterwards.
void close(DatasetPtr& ds, const std::string& what);

// Opens a raster read-only (shared = false, so every Raster owns its handle). Throws Error{not_found}
// for a missing local file, Error{invalid_argument} for a local path that is not a regular file (a FIFO
// would block GDAL), Error{unsupported} for a raster that refers to a network source the network policy
// forbids, Error{corrupt_data} when GDAL cannot read it.
DatasetPtr open_raster(const std::string& source, const std::string& what,
                       const std::vector<std::string>& open_options = {});

// Throws Error{code, "<what>: <gdal message> (GDAL n)", "GDAL", n}.
[[noreturn]] void fail(Errc code, const std::string& what, const ErrorCapture& cap,
                       const std::string& fallback = "GDAL failed");

// An owned NULL-terminated string list (CSLDestroy).
class StringList {
 public:
  StringList() = default;
  explicit StringList(const std::vector<std::string>& items);
  ~StringList();
  StringList(const StringList&) = delete;
  StringList& operator=(const StringList&) = delete;
  void add(const std::string& s);
  void set(const std::string& key, const std::string& value);
  char** get() const noexcept { return list_; }

 private:
  char** list_ = nullptr;
};

// A /vsimem/ file name unique in the process; the file is unlinked on destruction.
class VsiMemPath {
 public:
  explicit VsiMemPath(const std::string& suffix);
  ~VsiMemPath();
  VsiMemPath(const VsiMemPath&) = delete;
  VsiMemPath& operator=(const VsiMemPath&) = delete;
  const std::string& str() const noexcept { return path_; }
  const char* c_str() const noexcept { return path_.c_str(); }

 private:
  std::string path_;
};

// The OGR spatial reference of a dataset as WKT2 (empty when none).
std::string dataset_wkt(GDALDatasetH ds);

}  // namespace geo::gdal
