// SPDX-License-Identifier: Apache-2.0
// The time zone at a place, so that times can be shown in local time where the place is known.
#pragma once
#include <optional>
#include <string>

#include "geo/core/geopoint.hpp"
#include "geo/core/timezone.hpp"

namespace geo::spatial {

struct PlaceZone {
  TimeZone zone;
  std::string country;     // the country whose outline holds the place (Natural Earth name)
  std::string country_code; // ISO 3166 alpha-2 from the tz database's iso3166.tab
  // How it was found: "country outline" when the country has one zone in the tz database (Cambodia,
  // Myanmar, Thailand, Laos, Vietnam, ...), "nearest zone of the country" when it has several (the
  // zone.tab reference point nearest the place: right in most of a country, not at every zone border).
  // A third: "registry site NAME (CC) at a border the outline cannot resolve", when a site of the
  // registry within 3 km states the country.
  std::string method;
  // Set when another country with another UTC offset lies within the outlines' generalisation (about
  // 3 km) and no registry site settles it: the local time may be off by that difference.
  std::string border_note;
};

// The zone at `p`: the Natural Earth 1:10m country outline that holds it (data/basemap; its borders are
// generalised by up to about 3 km: KK Park on the Moei river falls on the Thai side), then the tz
// database's zone.tab for that country; near a border between two offsets a registry site within 3 km
// with its country decides, or border_note says the answer is uncertain. Nothing at sea, outside
// every outline, or in a country the tz database does not list by that name. Loads the outlines once
// per process (about 0.5 s); thread-safe. Throws Error{not_found} when the shipped outlines are missing.
std::optional<PlaceZone> zone_at(const GeoPoint& p);

// The zone for local times: `tz` when not empty (method "--tz"; Error{invalid_argument} when unknown),
// else zone_at(*place) when the place is known, else none (also when the shipped outlines are missing:
// times are then shown in UTC only).
std::optional<PlaceZone> zone_for(const std::optional<GeoPoint>& place, const std::string& tz);

// data/basemap/countries-10m.topojson (Natural Earth, public domain, via world-atlas), found like the
// shipped registry.
std::filesystem::path shipped_countries_path();

}  // namespace geo::spatial
