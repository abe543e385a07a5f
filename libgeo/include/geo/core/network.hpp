// SPDX-License-Identifier: Apache-2.0
// The process-wide network policy. geoev works offline: no library call opens a network connection
// unless the caller allowed it, either for the whole process (--allow-network) or for the hosts of URLs
// the analyst named as inputs. A file that points elsewhere (a VRT whose source is /vsicurl/http://...,
// an HLS playlist of http segments) is refused, not fetched. The GDAL and libav adapters enforce this
// below every module, so nothing above them can bypass it.
#pragma once
#include <string>
#include <string_view>

namespace geo {

// Allows or forbids network access for the whole process; off by default. Thread-safe.
void set_network_allowed(bool allowed) noexcept;
// Whether network access is allowed for the whole process.
bool network_allowed() noexcept;

// Allows the scheme, host and port of `url` (http://, https://, ftp://, optionally behind a GDAL
// /vsicurl/ prefix) for the rest of the process: the analyst named it as an input. Returns false, and
// allows nothing, when `url` is not such a URL. Thread-safe.
bool allow_network_url(std::string_view url);

// Whether `name` (a path, a URL, a GDAL /vsi... name or connection string) refers to the network: a
// URL with a scheme other than file://, a GDAL network file system (/vsicurl/, /vsis3/, /vsigs/, ...),
// or a GDAL connection string of a network driver (WMS:, WCS:, ...).
bool is_network_name(std::string_view name);

// Whether opening `name` may reach the network under the current policy: true for local names, for any
// name when the process allows the network, and for URLs whose host was allowed by allow_network_url.
bool network_access_allowed(std::string_view name);

// Whether any network access at all is currently permitted (the process-wide switch or any allowed URL).
bool any_network_allowed() noexcept;

// The one-line refusal "WHAT: refers to a network source (NAME); geoev works offline (pass
// --allow-network to allow it)", with NAME made printable.
std::string network_refusal(const std::string& what, std::string_view name);

}  // namespace geo
