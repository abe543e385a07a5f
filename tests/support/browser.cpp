// SPDX-License-Identifier: Apache-2.0
#include "support/browser.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "geo/core/json.hpp"
#include "support/support.hpp"

namespace geo::test {

namespace fs = std::filesystem;

fs::path chromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (fs::exists(p)) return p;
  return {};
}

Browser open_in_chromium(const fs::path& work, const std::string& page, const std::string& mode, const fs::path& netlog) {
  const fs::path exe = chromium();
  if (exe.empty()) {
    ADD_FAILURE() << "chromium is not installed: it is the test reference for HTML outputs; run scripts/setup.sh";
    return {};
  }
  static int run = 0;
  const fs::path out = work / ("chromium-" + std::to_string(++run) + ".out");
  const fs::path log = work / ("chromium-" + std::to_string(run) + ".log");
  std::string cmd = "timeout 90 '" + exe.string() + "' --headless=new --no-sandbox --disable-gpu --virtual-time-budget=5000 "
                    "--no-first-run --disable-background-networking --disable-component-update --disable-sync "
                    "--disable-default-apps --enable-logging=stderr --v=0 --host-resolver-rules='MAP * ~NOTFOUND' "
                    "--user-data-dir='" + (work / ("profile-" + std::to_string(run))).string() + "' ";
  if (!netlog.empty()) cmd += "--log-net-log='" + netlog.string() + "' ";
  cmd += mode + " 'file://" + page + "' >'" + out.string() + "' 2>'" + log.string() + "'; echo $?";
  Browser b;
  b.exit_code = std::atoi(shell_output(cmd).c_str());
  b.out = read_text(out);
  b.log = read_text(log);
  return b;
}

std::vector<std::string> console_lines(const std::string& log) {
  std::vector<std::string> out;
  std::size_t p = 0;
  while ((p = log.find(":CONSOLE", p)) != std::string::npos) {
    const std::size_t b = log.rfind('\n', p), e = log.find('\n', p);
    out.push_back(log.substr(b == std::string::npos ? 0 : b + 1, e - (b == std::string::npos ? 0 : b + 1)));
    p = e == std::string::npos ? log.size() : e;
  }
  return out;
}

std::vector<std::string> page_requests(const fs::path& netlog) {
  const Json d = Json::parse(read_text(netlog));
  int start_job = -1;
  for (const auto& [name, id] : d.at("constants").at("logEventTypes").items())
    if (name == "URL_REQUEST_START_JOB") start_job = id.get<int>();
  std::vector<std::string> urls;
  for (const auto& e : d.at("events")) {
    if (e.value("type", -2) != start_job || !e.contains("params")) continue;
    const Json& p = e["params"];
    const std::string key = p.value("network_isolation_key", "");
    if (key.find("file://") != std::string::npos || p.value("initiator", "") == "null")
      urls.push_back(p.value("url", ""));
  }
  return urls;
}

}  // namespace geo::test
