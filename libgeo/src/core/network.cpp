// SPDX-License-Identifier: Apache-2.0
#include "geo/core/network.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>
#include <set>

#include "geo/core/text.hpp"

namespace geo {

namespace {

std::atomic<bool> g_allowed{false};
std::atomic<bool> g_any_url{false};

std::mutex& urls_mutex() {
  static std::mutex m;
  return m;
}
std::set<std::string>& allowed_origins() {
  static std::set<std::string> s;
  return s;
}

// GDAL's network file systems; each also exists as PREFIX_streaming/.
constexpr std::string_view kVsiNetwork[] = {"/vsicurl", "/vsis3", "/vsigs", "/vsiaz", "/vsiadls", "/vsioss",
                                            "/vsiswift", "/vsiwebhdfs", "/vsihdfs"};
// GDAL connection-string prefixes of drivers that talk to servers.
constexpr std::string_view kDriverPrefixes[] = {"WMS:", "WCS:", "WFS:", "OAPIF:", "OGCAPI:", "EEDA:", "EEDAI:",
                                                "DAAS:", "PLMOSAIC:", "PLSCENES:", "NGW:", "CARTO:", "ES:",
                                                "CouchDB:", "AmigoCloud:", "CSW:", "STACTA:", "WMTS:"};

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// "/vsicurl/http://h/x" -> "http://h/x"; other names unchanged. Chains (/vsizip//vsicurl/...) are
// searched for the first URL.
std::string_view strip_to_url(std::string_view name) {
  const auto p = name.find("://");
  if (p == std::string_view::npos) return name;
  std::size_t start = p;
  while (start > 0 && (std::isalnum(static_cast<unsigned char>(name[start - 1])) || name[start - 1] == '+' ||
                       name[start - 1] == '-' || name[start - 1] == '.'))
    --start;
  return name.substr(start);
}

// "https://user@Host:443/x" -> "https://host:443"; "" when not a network URL.
std::string origin_of(std::string_view name) {
  const std::string_view url = strip_to_url(name);
  const auto p = url.find("://");
  if (p == std::string_view::npos || p == 0) return {};
  const std::string scheme = to_lower(url.substr(0, p));
  if (scheme == "file") return {};
  std::string_view rest = url.substr(p + 3);
  rest = rest.substr(0, std::min(rest.find_first_of("/?#"), rest.size()));
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (rest.empty()) return {};
  return scheme + "://" + to_lower(rest);
}

}  // namespace

void set_network_allowed(bool allowed) noexcept { g_allowed.store(allowed); }
bool network_allowed() noexcept { return g_allowed.load(); }
bool any_network_allowed() noexcept { return g_allowed.load() || g_any_url.load(); }

bool allow_network_url(std::string_view url) {
  const std::string origin = origin_of(url);
  if (origin.empty()) return false;
  std::lock_guard lock(urls_mutex());
  allowed_origins().insert(origin);
  g_any_url.store(true);
  return true;
}

bool is_network_name(std::string_view name) {
  for (std::string_view prefix : kVsiNetwork) {
    // "/vsicurl/", "/vsicurl_streaming/", "/vsicurl?" (the option syntax), also inside a chain.
    for (std::size_t p = name.find(prefix); p != std::string_view::npos; p = name.find(prefix, p + 1)) {
      const std::string_view after = name.substr(p + prefix.size());
      if (after.empty() || after[0] == '/' || after[0] == '?' || after.rfind("_streaming", 0) == 0) return true;
    }
  }
  for (std::string_view prefix : kDriverPrefixes)
    if (starts_with_icase(name, prefix)) return true;
  return !origin_of(name).empty();
}

bool network_access_allowed(std::string_view name) {
  if (g_allowed.load() || !is_network_name(name)) return true;
  if (!g_any_url.load()) return false;
  const std::string origin = origin_of(name);
  if (origin.empty()) return false;  // /vsis3/ and the like name no URL: only --allow-network opens them
  std::lock_guard lock(urls_mutex());
  return allowed_origins().count(origin) > 0;
}

std::string network_refusal(const std::string& what, std::string_view name) {
  return what + ": refers to a network source (" + printable(name) +
         "); geoev works offline (pass --allow-network to allow it)";
}

}  // namespace geo
