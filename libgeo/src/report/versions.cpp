// SPDX-License-Identifier: Apache-2.0
// Each library is asked for its own version at run time: the report states what made it, not what the
// build was compiled against (a shared library can be upgraded under the binary).
#include <cairo.h>
#include <gdal.h>
#include <pango/pango.h>
#include <proj.h>

#include <opencv2/core/utility.hpp>
#include <opencv2/core/version.hpp>

extern "C" {
#include <libavutil/avutil.h>
}

#include "geo/core/provenance.hpp"
#include "geo/report/report.hpp"

namespace geo::reporting {

LibraryVersions library_versions() {
  LibraryVersions v;
  v.geoev = geo::version();
  v.gdal = GDALVersionInfo("RELEASE_NAME");
  v.proj = proj_info().release;
  // OpenCV's runtime version string (cv::getVersionString) is the shared library's own; CV_VERSION is
  // the header's and is kept for comparison only when they differ.
  v.opencv = cv::getVersionString();
  if (v.opencv != CV_VERSION) v.opencv += " (built against " CV_VERSION ")";
  v.ffmpeg = av_version_info();
  v.cairo = cairo_version_string();
  v.pango = pango_version_string();
  return v;
}

}  // namespace geo::reporting
