// SPDX-License-Identifier: Apache-2.0
#include "adapters/proj.hpp"

#include <unordered_map>

namespace geo::proj {

namespace {
void quiet_log(void*, int, const char*) {}

struct ThreadState {
  PJ_CONTEXT* ctx = nullptr;
  std::unordered_map<std::string, PjPtr> transforms;
  ThreadState() {
    ctx = proj_context_create();
    if (ctx) proj_log_func(ctx, nullptr, &quiet_log);
  }
  ~ThreadState() {
    transforms.clear();  // PJ objects before their context
    if (ctx) proj_context_destroy(ctx);
  }
};

ThreadState& state() {
  thread_local ThreadState s;
  return s;
}
}  // namespace

PJ_CONTEXT* thread_context() {
  PJ_CONTEXT* ctx = state().ctx;
  if (!ctx) throw Error{Errc::external, "proj: cannot create a PROJ context", "PROJ"};
  return ctx;
}

std::string last_error() {
  PJ_CONTEXT* ctx = state().ctx;
  const int e = ctx ? proj_context_errno(ctx) : 0;
  const char* s = e ? proj_context_errno_string(ctx, e) : nullptr;
  return s ? s : "unknown error";
}

PjPtr make_crs(const std::string& crs, const std::string& what) {
  PJ_CONTEXT* ctx = thread_context();
  PjPtr p(crs.empty() ? nullptr : proj_create(ctx, crs.c_str()));
  if (!p) {
    const int e = proj_context_errno(ctx);
    std::string shown = crs.size() > 80 ? crs.substr(0, 77) + "..." : crs;
    throw Error{Errc::invalid_argument, what + ": " + shown + ": unknown CRS (" + last_error() + ")",
                "PROJ", e};
  }
  if (!proj_is_crs(p.get()))
    throw Error{Errc::invalid_argument, what + ": " + crs + ": not a coordinate reference system"};
  return p;
}

PJ* transformation(const std::string& src, const std::string& dst) {
  auto& s = state();
  const std::string key = src + '\x1f' + dst;
  if (auto it = s.transforms.find(key); it != s.transforms.end()) return it->second.get();
  PJ_CONTEXT* ctx = thread_context();
  PjPtr a = make_crs(src, "crs");
  PjPtr b = make_crs(dst, "crs");
  PjPtr raw(proj_create_crs_to_crs_from_pj(ctx, a.get(), b.get(), nullptr, nullptr));
  if (!raw)
    throw Error{Errc::external, "crs: no transformation from " + src.substr(0, 60) + " to " +
                                    dst.substr(0, 60) + " (" + last_error() + ")",
                "PROJ", proj_context_errno(ctx)};
  PjPtr norm(proj_normalize_for_visualization(ctx, raw.get()));
  if (!norm) throw Error{Errc::external, "crs: cannot normalise axis order (" + last_error() + ")", "PROJ"};
  PJ* out = norm.get();
  s.transforms.emplace(key, std::move(norm));
  return out;
}

PJ* cached_operation(const std::string& definition) {
  auto& s = state();
  const std::string key = "op:" + definition;
  if (auto it = s.transforms.find(key); it != s.transforms.end()) return it->second.get();
  PJ_CONTEXT* ctx = thread_context();
  PjPtr p(proj_create(ctx, definition.c_str()));
  if (!p) return nullptr;
  PJ* out = p.get();
  s.transforms.emplace(key, std::move(p));
  return out;
}

}  // namespace geo::proj
