// SPDX-License-Identifier: Apache-2.0
// Private PROJ wrappers: one PJ_CONTEXT per thread (created on first use, destroyed at thread exit),
// owned PJ objects, and a per-thread cache of CRS -> WGS 84 transformations normalised to the
// x = east/longitude, y = north/latitude order (proj_normalize_for_visualization).
#pragma once
#include <memory>
#include <string>

#include <proj.h>

#include "geo/core/error.hpp"

namespace geo::proj {

// This thread's PROJ context (logging silenced for it; errors read back with proj_context_errno).
PJ_CONTEXT* thread_context();

struct PjDeleter {
  void operator()(PJ* p) const noexcept { proj_destroy(p); }
};
using PjPtr = std::unique_ptr<PJ, PjDeleter>;

// The CRS object for "EPSG:n", WKT, PROJJSON or a PROJ string. Throws
// Error{invalid_argument, "<what>: <crs>: unknown CRS (<proj message>)", "PROJ", errno}.
PjPtr make_crs(const std::string& crs, const std::string& what);

// A normalised transformation from `src` to `dst` (both CRS definitions), cached per thread: the
// returned pointer stays valid for the life of the thread. Throws like make_crs.
PJ* transformation(const std::string& src, const std::string& dst);

// A PROJ pipeline / operation string, created once per thread and cached (valid for the thread's
// life). Returns nullptr when PROJ cannot instantiate it (e.g. a missing grid).
PJ* cached_operation(const std::string& definition);

// PROJ's message for the context's last error.
std::string last_error();

}  // namespace geo::proj
