// SPDX-License-Identifier: Apache-2.0
#include "pipeline/inputs.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/text.hpp"

namespace geo::pipeline::detail {

namespace {
constexpr std::array kVideoExt{".mp4", ".mov", ".m4v", ".mkv", ".avi", ".3gp", ".webm", ".ts", ".mts", ".m2ts", ".mpg", ".mpeg", ".wmv", ".flv"};
constexpr std::array kImageExt{".jpg", ".jpeg", ".png", ".heic", ".heif", ".webp", ".tif", ".tiff"};
}  // namespace

MediaKind media_kind(const fs::path& p) {
  const std::string ext = to_lower(p.extension().string());
  if (std::find(kVideoExt.begin(), kVideoExt.end(), ext) != kVideoExt.end()) return MediaKind::video;
  if (std::find(kImageExt.begin(), kImageExt.end(), ext) != kImageExt.end()) return MediaKind::image;
  return MediaKind::other;
}

std::optional<fs::path> find_sidecar(const fs::path& video) {
  std::error_code ec;
  const fs::path dir = video.has_parent_path() ? video.parent_path() : fs::path(".");
  const std::string stem = video.stem().string();
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const fs::path& p = e.path();
    if (p.stem().string() == stem && to_lower(p.extension().string()) == ".srt" && e.is_regular_file(ec)) return p;
  }
  return std::nullopt;
}

std::vector<InputFile> expand_inputs(const std::vector<fs::path>& inputs, std::vector<std::string>& skipped) {
  std::vector<InputFile> out;
  std::size_t dirs_without_media = 0;
  std::string last_empty_dir;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (!fs::is_directory(in, ec)) {
      out.push_back({in, true});
      continue;
    }
    std::vector<fs::path> found;
    for (auto it = fs::recursive_directory_iterator(in, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      if (!it->is_regular_file(ec)) continue;
      const fs::path& p = it->path();
      const std::string name = p.filename().string();
      if (!name.empty() && name[0] == '.') continue;  // hidden files, temporaries
      const MediaKind k = media_kind(p);
      if (k != MediaKind::other) found.push_back(p);
      else if (to_lower(p.extension().string()) == ".srt") skipped.push_back(p.string() + ": telemetry (read with its video)");
      else skipped.push_back(p.string() + ": not a video or photo (by its extension)");
    }
    if (ec) throw Error(Errc::io, "run: " + in.string() + ": cannot list the directory: " + ec.message());
    std::sort(found.begin(), found.end());
    if (found.empty()) {
      ++dirs_without_media;
      last_empty_dir = in.string();
    }
    for (auto& p : found) out.push_back({std::move(p), false});
  }
  if (out.empty())
    throw Error(Errc::invalid_argument,
                "run: " + (dirs_without_media == 1 ? last_empty_dir + " holds" : std::string("the inputs hold")) +
                    " no video or photo (looked for .mp4 .mov .mkv .avi .3gp .webm .ts .jpg .png .heic ...)");
  return out;
}

void remove_stale_temporaries(const fs::path& run_dir, std::vector<std::string>& removed) {
  std::error_code ec;
  std::vector<fs::path> stale;
  for (auto it = fs::recursive_directory_iterator(run_dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (is_stale_temporary(it->path())) {
      stale.push_back(it->path());
      if (it->is_directory(ec)) it.disable_recursion_pending();
    }
  for (const auto& p : stale) {
    std::error_code rm;
    fs::remove_all(p, rm);
    if (!rm) removed.push_back(p.string());
  }
}

RunLock::RunLock(const fs::path& case_dir) {
  const fs::path p = case_dir / ".run.lock";
  fd_ = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(Errc::io, "run: " + p.string() + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      throw Error(Errc::io, "run: the case " + case_dir.string() +
                                " is in use by another geoev run; wait for it to finish and run again (nothing was changed)");
    throw Error(Errc::io, "run: cannot lock " + p.string() + ": " + std::strerror(err));
  }
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace geo::pipeline::detail
