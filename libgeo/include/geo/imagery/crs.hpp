// SPDX-License-Identifier: Apache-2.0
// CRS utilities for the whole library: lat/lon <-> UTM or any EPSG / WKT CRS, through PROJ.
//
// Axis order policy (decided once, here and in the adapters): a map coordinate is always
// cv::Point2d{x = easting (or longitude for a geographic CRS), y = northing (or latitude)}, whatever
// order the CRS definition declares (PROJ's proj_normalize_for_visualization; GDAL's
// OAMS_TRADITIONAL_GIS_ORDER). A geographic position is always a geo::GeoPoint. Geodesic distance and
// azimuth live in geo/core/geodesy.hpp (not duplicated here).
//
// Thread safety: every function here is thread-safe. Each thread keeps its own PROJ context and its
// own cache of transformations (created on first use, freed at thread exit).
#pragma once
#include <string>
#include <vector>

#include <opencv2/core/types.hpp>

#include "geo/core/geopoint.hpp"

namespace geo {

// "EPSG:326zz" (north) or "EPSG:327zz" (south) for the UTM zone containing `p` (WGS 84 UTM; the
// Norway/Svalbard exceptions are applied). Throws Error{invalid_argument} for an invalid point or a
// latitude outside [-80, 84].
std::string utm_crs_for(const GeoPoint& p);
int utm_zone_for(const GeoPoint& p);

// Checks that PROJ knows `crs` ("EPSG:n", WKT, PROJJSON or a PROJ string). Throws
// Error{invalid_argument, "crs: EPSG:99999: unknown CRS ..."} otherwise.
void validate_crs(const std::string& crs);
// The WKT2 text of a CRS (throws like validate_crs).
std::string crs_to_wkt(const std::string& crs);
// The EPSG code of a CRS when PROJ can identify one with full confidence, else 0.
int crs_epsg(const std::string& crs);
// True when the CRS is geographic (degrees), false when projected.
bool crs_is_geographic(const std::string& crs);

// WGS 84 lat/lon -> map coordinates of `crs` (metres for a projected CRS). Throws
// Error{invalid_argument} for an invalid point or unknown CRS, Error{external} when PROJ fails.
cv::Point2d map_from_lat_lon(const std::string& crs, const GeoPoint& p);
// Map coordinates of `crs` -> WGS 84 lat/lon (h_m left empty).
GeoPoint lat_lon_from_map(const std::string& crs, const cv::Point2d& xy);
// Between two CRSs (both in the x=east, y=north order above).
cv::Point2d transform_point(const std::string& src_crs, const std::string& dst_crs,
                            const cv::Point2d& xy);
// Batch forms (same results, one lookup).
std::vector<cv::Point2d> map_from_lat_lon(const std::string& crs, const std::vector<GeoPoint>& pts);
std::vector<GeoPoint> lat_lon_from_map(const std::string& crs, const std::vector<cv::Point2d>& xy);

// Geoid: EGM96 undulation N in metres at `p` (ellipsoidal height = orthometric height + N), through
// PROJ's grid egm96_15.gtx (or us_nga_egm96_15.tif). Throws Error{not_found} when PROJ has no EGM96
// grid installed. Thread-safe.
double egm96_undulation_m(const GeoPoint& p);
// True when an EGM96 grid is available to PROJ on this machine.
bool have_egm96_grid();

}  // namespace geo
