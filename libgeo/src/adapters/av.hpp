// SPDX-License-Identifier: Apache-2.0
// Private RAII ownership of libav objects and translation of libav errors into geo::Error.
#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include "adapters/av_compat.hpp"
#include "geo/core/error.hpp"

extern "C" {
#include <libswscale/swscale.h>
}

namespace geo::av {

struct FormatContextDeleter {
  void operator()(AVFormatContext* p) const { avformat_close_input(&p); }
};
struct CodecContextDeleter {
  void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
};
struct FrameDeleter {
  void operator()(AVFrame* p) const { av_frame_free(&p); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsDeleter {
  void operator()(SwsContext* p) const { sws_freeContext(p); }
};

using FormatContextPtr = std::unique_ptr<AVFormatContext, FormatContextDeleter>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using SwsPtr = std::unique_ptr<SwsContext, SwsDeleter>;

// Unrefs a packet when the read loop iteration ends, however it ends.
class PacketUnrefGuard {
 public:
  explicit PacketUnrefGuard(AVPacket* p) : p_(p) {}
  ~PacketUnrefGuard() { av_packet_unref(p_); }
  PacketUnrefGuard(const PacketUnrefGuard&) = delete;
  PacketUnrefGuard& operator=(const PacketUnrefGuard&) = delete;

 private:
  AVPacket* p_;
};

// libav's own text for an error code.
std::string error_string(int errnum);

// Throws Error{code, "<what>: <libav text> (libav <n>)", "libav", n} when ret < 0.
void check(int ret, const std::string& what, Errc code = Errc::external);

// Opens a media file for reading and reads its stream info. Quiet: libav's own logging is turned down
// to errors once per process. Throws Error{not_found} for a missing file, Error{invalid_argument} for a
// directory, Error{corrupt_data} when libav cannot read the container.
FormatContextPtr open_input(const std::filesystem::path& path);

// A decoder opened for a stream, using `threads` (0 = libav's choice).
CodecContextPtr open_decoder(const AVStream* stream, const std::string& what, int threads = 0);

FramePtr make_frame();
PacketPtr make_packet();

}  // namespace geo::av
