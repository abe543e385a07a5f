// SPDX-License-Identifier: Apache-2.0
#include "adapters/av.hpp"

#include <cstdarg>
#include <mutex>

#include "geo/core/file_read.hpp"

#include "geo/core/network.hpp"

extern "C" {
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
}

namespace geo::av {

std::string error_string(int errnum) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(errnum, buf, sizeof buf);
  return buf;
}

void check(int ret, const std::string& what, Errc code) {
  if (ret >= 0) return;
  throw Error(code, what + ": " + error_string(ret) + " (libav " + std::to_string(ret) + ")", "libav", ret);
}

namespace {

// libav writes its complaints about a damaged file ("[mjpeg @ 0x...] ...") straight to stderr, in the
// middle of geoev's own one-line errors and JSON. What geoev needs from a failure comes back as an error
// code and becomes a geo::Error or a diagnostic, so libav's log is discarded, once per process (libav's
// log settings are process-wide; setting them is thread-safe through call_once).
void discard_libav_log(void*, int, const char*, va_list) {}

void quiet_libav() {
  static std::once_flag once;
  std::call_once(once, [] {
    av_log_set_level(AV_LOG_QUIET);
    av_log_set_callback(discard_libav_log);
  });
}

}  // namespace

FormatContextPtr open_input(const std::filesystem::path& path) {
  quiet_libav();
  const std::string name = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error(Errc::not_found, "media.open: " + name + ": no such file");
  if (std::filesystem::is_directory(path, ec))
    throw Error(Errc::invalid_argument, "media.open: " + name + ": is a directory");
  // A FIFO would block avformat_open_input forever, /dev/zero would be read without end.
  require_regular_file(path, "media.open");
  if (std::filesystem::file_size(path, ec) == 0 && !ec)
    throw Error(Errc::corrupt_data, "media.open: " + name + ": file is empty (0 bytes)");
  AVFormatContext* raw = nullptr;
  // Offline unless allowed (geo/core/network.hpp): only local protocols, so a playlist (HLS, concat)
  // naming http:// segments fails instead of connecting. Nested opens inherit the whitelist.
  AVDictionary* open_opts = nullptr;
  if (!network_allowed()) av_dict_set(&open_opts, "protocol_whitelist", "file,crypto,data", 0);
  const int opened = avformat_open_input(&raw, name.c_str(), nullptr, &open_opts);
  av_dict_free(&open_opts);
  check(opened, "media.open: " + name, Errc::corrupt_data);
  FormatContextPtr ctx(raw);
  check(avformat_find_stream_info(ctx.get(), nullptr), "media.open: " + name + ": reading stream info",
        Errc::corrupt_data);
  return ctx;
}

CodecContextPtr open_decoder(const AVStream* stream, const std::string& what, int threads) {
  quiet_libav();
  const AVCodec* codec = avcodec_find_decoder(stream->codecpar->codec_id);
  if (!codec)
    throw Error(Errc::unsupported, what + ": no decoder for codec " +
                                       std::string(avcodec_get_name(stream->codecpar->codec_id)));
  CodecContextPtr ctx(avcodec_alloc_context3(codec));
  if (!ctx) throw Error(Errc::external, what + ": cannot allocate a decoder", "libav");
  check(avcodec_parameters_to_context(ctx.get(), stream->codecpar), what + ": decoder parameters");
  ctx->thread_count = threads;
  ctx->pkt_timebase = stream->time_base;
  check(avcodec_open2(ctx.get(), codec, nullptr), what + ": opening the decoder");
  return ctx;
}

FramePtr make_frame() {
  FramePtr f(av_frame_alloc());
  if (!f) throw Error(Errc::external, "libav: cannot allocate a frame", "libav");
  return f;
}

PacketPtr make_packet() {
  PacketPtr p(av_packet_alloc());
  if (!p) throw Error(Errc::external, "libav: cannot allocate a packet", "libav");
  return p;
}

}  // namespace geo::av
