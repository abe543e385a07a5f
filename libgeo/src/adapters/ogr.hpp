// SPDX-License-Identifier: Apache-2.0
// Private RAII wrappers around GDAL/OGR vector handles, and error capture scoped to one call site.
#pragma once
#include <gdal.h>
#include <ogr_api.h>
#include <cpl_error.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace geo::adapters {

// Registers GDAL drivers once (thread-safe).
void ensure_gdal();

// Collects GDAL errors raised on this thread while alive (CPLPushErrorHandler is thread-local; never a
// process-global handler). message() is the last error text, empty when none.
class GdalErrorCapture {
 public:
  GdalErrorCapture();
  ~GdalErrorCapture();
  GdalErrorCapture(const GdalErrorCapture&) = delete;
  GdalErrorCapture& operator=(const GdalErrorCapture&) = delete;
  std::string message() const;
};

struct DatasetCloser {
  void operator()(GDALDatasetH h) const noexcept;
};
using DatasetPtr = std::unique_ptr<void, DatasetCloser>;
struct FeatureDeleter {
  void operator()(OGRFeatureH h) const noexcept { if (h) OGR_F_Destroy(h); }
};
using FeaturePtr = std::unique_ptr<std::remove_pointer_t<OGRFeatureH>, FeatureDeleter>;
struct GeometryDeleter {
  void operator()(OGRGeometryH h) const noexcept { if (h) OGR_G_DestroyGeometry(h); }
};
using GeometryPtr = std::unique_ptr<std::remove_pointer_t<OGRGeometryH>, GeometryDeleter>;

// Opens a vector dataset. `drivers` limits the drivers tried (empty = any). Throws Error{not_found} when
// the file is missing, Error{corrupt_data} when no driver can read it, naming `op` and the GDAL message.
DatasetPtr open_vector(const std::filesystem::path& path, bool update, const std::string& op,
                       const std::vector<std::string>& drivers = {},
                       const std::vector<std::string>& open_options = {});
// Creates a new vector dataset with the named driver. Throws Error{io}.
DatasetPtr create_vector(const std::filesystem::path& path, const std::string& driver, const std::string& op);
// Closes explicitly, throwing Error{io} when GDAL reported an error while flushing.
void close_dataset(DatasetPtr& ds, const std::string& op);

// Validity of one closed ring, as the outer ring of a polygon, by GEOS through OGR (O(n log n)).
// `x`, `y`: the ring's vertices without the closing repeat (any planar coordinates). Empty reason when
// valid; otherwise GEOS's reason ("Self-intersection", "Ring Self-intersection", "Too few points") and,
// when GEOS gave one, the point where it found it. Throws Error{unsupported} when GDAL was built without
// GEOS.
struct RingValidity {
  std::string reason;
  bool has_point = false;
  double x = 0, y = 0;
};
RingValidity ring_validity(const std::vector<double>& x, const std::vector<double>& y);

// Field helpers; return "" / false when the field is absent or null.
std::string field_string(OGRFeatureH f, const char* name);
bool has_field(OGRFeatureDefnH defn, const char* name);

}  // namespace geo::adapters
