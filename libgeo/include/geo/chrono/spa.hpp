// SPDX-License-Identifier: Apache-2.0
// The NREL Solar Position Algorithm (SPA; Reda & Andreas, NREL/TP-560-34302, 2003, rev. 2008),
// implemented from the published paper. Stated accuracy of the algorithm: +/-0.0003 deg in zenith and
// azimuth for years -2000..6000 (given exact Delta T and UT1). Angles are degrees everywhere; azimuth is
// measured from geographic north, clockwise (east = 90); longitude is east-positive; times are UTC.
// All functions are pure and thread-safe.
#pragma once
#include <optional>
#include <string>

#include "geo/core/json.hpp"
#include "geo/core/time.hpp"

namespace geo::chrono {

// Delta T = TT - UT1, seconds, estimated for a decimal year with the Espenak & Meeus (NASA, 2006)
// polynomials (observed values to 2005, extrapolation after; about 4 s too high by 2024, which moves
// the sun by 0.04 arcsec per second of error: negligible here). Valid for any year; outside 1800..2150
// the long-term parabola -20 + 32 u^2 is used.
double delta_t_estimate_s(double decimal_year) noexcept;
// The decimal year of an instant (2003.79...).
double decimal_year(UtcTime t) noexcept;

// Standard atmosphere (ICAO, troposphere) at a height above sea level: pressure in hPa (= mbar) and
// temperature in Celsius. Heights are clamped to -500..11000 m.
double standard_pressure_hpa(double elevation_m) noexcept;
double standard_temperature_c(double elevation_m) noexcept;

// Inputs. Times outside the SPA's validity (-2000..6000) are rejected by validate().
struct SpaInput {
  UtcTime time;                        // UTC instant
  double lat_deg = 0.0;                // geodetic latitude, -90..90
  double lon_deg = 0.0;                // longitude, east positive, -180..180
  double elevation_m = 0.0;            // observer height above sea level, metres (-500..9000)
  std::optional<double> pressure_hpa;  // annual mean local pressure; default: standard atmosphere
  std::optional<double> temperature_c; // annual mean local temperature; default: standard atmosphere
  std::optional<double> delta_t_s;     // TT - UT1; default: delta_t_estimate_s(year)
  double delta_ut1_s = 0.0;            // UT1 - UTC, |x| < 1 s (0: UT1 taken as UTC; max error 0.004 deg
                                       // in hour angle)
  double atmos_refract_deg = 0.5667;   // refraction at sunrise/sunset, used to decide when the sun is
                                       // above the horizon for the refraction correction
  // Throws Error{invalid_argument} naming the field (latitude 91, non-finite values, year out of range,
  // pressure <= 0 or > 5000 hPa, temperature outside -273..6000 C, |delta_ut1| >= 1 s).
  void validate() const;
};

// Geocentric quantities of one instant: everything that does not depend on the observer. Computing
// this once and then calling topocentric() for many observers gives exactly the same result as
// spa_compute() (the fast path for grids).
struct SunGeocentric {
  double jd = 0, jde = 0, jc = 0, jce = 0, jme = 0;  // Julian day (UT1), ephemeris day, centuries...
  double helio_lon_deg = 0;   // L, heliocentric longitude of the Earth
  double helio_lat_deg = 0;   // B
  double radius_au = 0;       // R, Earth-Sun distance
  double geo_lon_deg = 0;     // Theta
  double geo_lat_deg = 0;     // beta
  double x[5] = {0, 0, 0, 0, 0};  // X0..X4 (nutation arguments), degrees
  double nutation_lon_deg = 0;    // delta psi
  double nutation_obl_deg = 0;    // delta epsilon
  double mean_obliquity_arcsec = 0;  // epsilon0
  double obliquity_deg = 0;       // epsilon (true)
  double aberration_deg = 0;      // delta tau
  double apparent_lon_deg = 0;    // lambda
  double gmst_deg = 0;            // nu0, mean sidereal time at Greenwich
  double gast_deg = 0;            // nu, apparent sidereal time at Greenwich
  double ra_deg = 0;              // alpha, geocentric right ascension, 0..360
  double dec_deg = 0;             // delta, geocentric declination
  double eot_min = 0;             // equation of time, minutes (apparent - mean solar time)
  double delta_t_s = 0;           // the Delta T used
};

// Throws Error{invalid_argument} for a non-finite delta T or a year outside -2000..6000.
SunGeocentric sun_geocentric(UtcTime t, double delta_t_s, double delta_ut1_s = 0.0);

struct SpaResult {
  SunGeocentric geo;
  double hour_angle_deg = 0;        // H, observer local hour angle (geocentric), 0..360
  double parallax_deg = 0;          // xi, equatorial horizontal parallax
  double ra_parallax_deg = 0;       // delta alpha
  double ra_topo_deg = 0;           // alpha'
  double dec_topo_deg = 0;          // delta'
  double hour_angle_topo_deg = 0;   // H'
  double elevation_true_deg = 0;    // e0, topocentric elevation without refraction
  double refraction_deg = 0;        // delta e (0 when the sun is below the refraction horizon)
  double elevation_deg = 0;         // e, apparent (refracted) elevation
  double zenith_deg = 0;            // 90 - e
  double azimuth_astro_deg = 0;     // Gamma, westward from south
  double azimuth_deg = 0;           // Phi, from north clockwise, 0..360
  double pressure_hpa = 0;          // inputs actually used
  double temperature_c = 0;
};

// Exact SPA for one observer and instant. Throws Error{invalid_argument} via SpaInput::validate().
SpaResult spa_compute(const SpaInput& in);

// Topocentric part of the SPA for an observer, given the geocentric quantities of the instant.
// No validation (the caller validated); the hot path of grids. `refraction`: apply the SPA refraction
// model with the given pressure and temperature.
struct TopoSun {
  double elevation_true_deg;
  double elevation_deg;  // apparent
  double azimuth_deg;    // from north clockwise, 0..360
};
TopoSun topocentric(const SunGeocentric& g, double lat_deg, double lon_deg, double elevation_m,
                    double pressure_hpa, double temperature_c, double atmos_refract_deg = 0.5667);

// The SPA refraction correction (degrees, >= 0) for a true elevation, or 0 below the horizon limit.
double refraction_deg(double elevation_true_deg, double pressure_hpa, double temperature_c,
                      double atmos_refract_deg = 0.5667) noexcept;

// Angles to [0, 360) and (-180, 180].
double wrap360(double deg) noexcept;
double wrap180(double deg) noexcept;

// {"azimuth_deg", "elevation_deg", ...} with the inputs used; the geocentric intermediates under
// "spa".
Json to_json(const SpaResult& r);

}  // namespace geo::chrono
