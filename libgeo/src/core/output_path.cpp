// SPDX-License-Identifier: Apache-2.0
#include "geo/core/output_path.hpp"

#include "geo/core/error.hpp"
#include "geo/core/text.hpp"

namespace fs = std::filesystem;

namespace geo {
namespace {

fs::path resolved(const fs::path& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return ec ? fs::absolute(p, ec).lexically_normal() : r;
}

bool is_case_dir(const fs::path& d) {
  std::error_code ec;
  return fs::is_regular_file(d / "case.json", ec) && fs::exists(d / "case.gpkg", ec);
}

}  // namespace

fs::path enclosing_case_dir(const fs::path& path) {
  for (fs::path d = resolved(path); !d.empty(); d = d.parent_path()) {
    if (is_case_dir(d)) return d;
    if (d == d.root_path()) break;
  }
  return {};
}

void check_output_path(const fs::path& out, const OutputPolicy& policy, const std::string& what, bool is_dir) {
  const fs::path target = resolved(out);
  const std::string shown = printable(out.string());
  for (const auto& in : policy.inputs) {
    std::error_code ec;
    if (resolved(in) == target || fs::equivalent(in, out, ec))
      throw Error(Errc::invalid_argument, what + ": " + shown + ": is also an input of this command; choose another output path");
  }
  if (const fs::path c = enclosing_case_dir(out); !c.empty())
    throw Error(Errc::invalid_argument, what + ": " + shown + ": is inside the case directory " + printable(c.string()) +
                                            "; geoev never writes outputs into a case (choose a path outside it)");
  std::error_code ec;
  if (!is_dir && fs::exists(fs::symlink_status(out, ec)) && !policy.force)
    throw Error(Errc::invalid_argument, what + ": " + shown + ": exists; pass --force to replace it");
}

}  // namespace geo
