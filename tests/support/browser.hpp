// SPDX-License-Identifier: Apache-2.0
// Opening a page in a real browser (Debian's chromium, headless) for tests of HTML outputs: what the
// page logs to the console and which requests it makes, from Chromium's own NetLog.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace geo::test {

struct Browser {
  int exit_code = -1;
  std::string out, log;  // standard output (the DOM with --dump-dom), standard error (the console)
};

// /usr/bin/chromium (or chromium-browser), "" when not installed.
std::filesystem::path chromium();

// One headless Chromium run on `page` (a file path, optionally with "#fragment"); `mode` is "--dump-dom"
// or "--screenshot=PATH --window-size=W,H". NetLog into `netlog` when given. Host resolution is mapped
// to NOTFOUND, so nothing can reach the network. Fails the test (ADD_FAILURE) when chromium is missing.
Browser open_in_chromium(const std::filesystem::path& work, const std::string& page, const std::string& mode,
                         const std::filesystem::path& netlog = {});

// The console messages in a run's log (":CONSOLE" lines).
std::vector<std::string> console_lines(const std::string& log);

// URLs of requests made on behalf of a page opened from disk (their isolation key is file://); the
// browser's own background requests carry none and are left out.
std::vector<std::string> page_requests(const std::filesystem::path& netlog);

}  // namespace geo::test
