// SPDX-License-Identifier: Apache-2.0
#include "media/decode.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/imgproc.hpp>

extern "C" {
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
}

#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"

namespace geo::decode {
namespace {

// |cos| of the angle between the matrix's rows (and between its columns) above which it shears: 0.01 is
// 0.6 degrees off perpendicular, beyond the rounding of 16.16 fixed point for any real rotation.
constexpr double kShearCosine = 0.01;

bool is_still_image_format(const AVFormatContext* fmt) {
  const std::string name = fmt->iformat && fmt->iformat->name ? fmt->iformat->name : "";
  return name == "image2" || (name.size() > 5 && name.compare(name.size() - 5, 5, "_pipe") == 0);
}

}  // namespace

int display_rotation_cw(const AVStream* st, Diagnostics& diags, const std::string& where,
                        const std::string& code_prefix) {
  const int32_t* m = av::stream_display_matrix(st);
  if (!m) return 0;
  // 16.16 fixed point, row-major; the 2x2 part maps (x, y) to (a x + c y, b x + d y).
  const double a = m[0] / 65536.0, b = m[1] / 65536.0, c = m[3] / 65536.0, d = m[4] / 65536.0;
  char shown[160];
  std::snprintf(shown, sizeof shown, "[%g %g; %g %g]", a, b, c, d);
  const double ccw = av_display_rotation_get(m);
  const double row_len = std::hypot(a, b) * std::hypot(c, d), col_len = std::hypot(a, c) * std::hypot(b, d);
  if (std::isnan(ccw) || row_len == 0 || col_len == 0) {
    diags.warn(code_prefix + ".rotation_invalid",
               std::string("the display matrix ") + shown + " is degenerate; no rotation is applied", where);
    return 0;
  }
  // A rotation times an axis-aligned scale keeps either the rows or the columns perpendicular; a shear
  // keeps neither, and no rotation describes it (libav would still report an angle).
  if (std::abs(a * c + b * d) > kShearCosine * row_len && std::abs(a * b + c * d) > kShearCosine * col_len) {
    diags.warn(code_prefix + ".display_matrix_not_rotation",
               std::string("the display matrix ") + shown +
                   " shears the picture and is not a rotation; no rotation is applied (players may show the "
                   "picture distorted)",
               where);
    return 0;
  }
  const double cw = std::fmod(-ccw + 360.0, 360.0);
  const double snapped = std::round(cw / 90.0) * 90.0;
  if (std::abs(cw - snapped) > 1.0)
    diags.warn(code_prefix + ".rotation_not_square",
               "the display matrix rotates by " + std::to_string(cw) + " degrees; the nearest multiple of 90 is "
               "used", where);
  // A negative determinant means the matrix also mirrors the picture.
  if (static_cast<double>(m[0]) * m[4] - static_cast<double>(m[1]) * m[3] < 0)
    diags.warn(code_prefix + ".display_flip", "the display matrix mirrors the picture; the mirroring is not applied",
               where);
  return static_cast<int>(snapped) % 360;
}

VideoDecoder::VideoDecoder(const std::filesystem::path& path, const DecoderSetup& setup)
    : name_(path.string()), setup_(setup) {
  fmt_ = av::open_input(path);
  if (is_still_image_format(fmt_.get()))
    throw Error(Errc::unsupported, "frames: " + name_ + ": is a still image (" + fmt_->iformat->name +
                                       "), not a video");
  const int idx = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (idx < 0 || (fmt_->streams[idx]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
    bool audio = av_find_best_stream(fmt_.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0) >= 0;
    throw Error(Errc::unsupported,
                "frames: " + name_ + ": has no video stream" + (audio ? " (audio only)" : ""));
  }
  stream_ = fmt_->streams[idx];
  if (stream_->codecpar->width <= 0 || stream_->codecpar->height <= 0)
    throw Error(Errc::corrupt_data, "frames: " + name_ + ": the video stream has no picture size");
  if (const std::uint64_t px = std::uint64_t(stream_->codecpar->width) * std::uint64_t(stream_->codecpar->height);
      px > kMaxImagePixels)
    throw Error(Errc::invalid_argument, "frames: " + name_ + ": frames of " + std::to_string(stream_->codecpar->width) +
                                            " x " + std::to_string(stream_->codecpar->height) +
                                            " pixels are over the limit of " + std::to_string(kMaxImagePixels) +
                                            " pixels; not decoded");
  for (unsigned i = 0; i < fmt_->nb_streams; ++i)
    if (static_cast<int>(i) != idx) fmt_->streams[i]->discard = AVDISCARD_ALL;
  codec_ = av::open_decoder(stream_, "frames: " + name_, setup.threads);
  if (setup.keyframes_only) codec_->skip_frame = AVDISCARD_NONKEY;
  packet_ = av::make_packet();
  frame_ = av::make_frame();
  rotation_cw_deg_ = display_rotation_cw(stream_, diagnostics_, name_, "frames");
  const AVRational tb = stream_->time_base;
  if (stream_->duration != AV_NOPTS_VALUE && stream_->duration > 0)
    duration_s_ = static_cast<double>(stream_->duration) * av_q2d(tb);
  else if (fmt_->duration != AV_NOPTS_VALUE && fmt_->duration > 0)
    duration_s_ = static_cast<double>(fmt_->duration) / AV_TIME_BASE;
  if (stream_->start_time != AV_NOPTS_VALUE) start_s_ = seconds(stream_->start_time);
}

double VideoDecoder::seconds(std::int64_t pts) const noexcept {
  return static_cast<double>(pts) * av_q2d(stream_->time_base);
}

std::optional<std::int64_t> VideoDecoder::frame_pts(const AVFrame* f) const noexcept {
  if (f->best_effort_timestamp != AV_NOPTS_VALUE) return f->best_effort_timestamp;
  if (f->pts != AV_NOPTS_VALUE) return f->pts;
  return std::nullopt;
}

const AVFrame* VideoDecoder::next() {
  av_frame_unref(frame_.get());
  while (true) {
    const int got = avcodec_receive_frame(codec_.get(), frame_.get());
    if (got == 0) return frame_.get();
    if (got == AVERROR_EOF) return nullptr;
    if (got != AVERROR(EAGAIN)) {
      // A frame that failed to decode: count it and go on with the next.
      if (decode_errors_++ == 0)
        diagnostics_.warn("frames.decode_error", "a frame failed to decode: " + av::error_string(got), name_);
      if (decode_errors_ > 10000) return nullptr;
      continue;
    }
    if (flushing_) return nullptr;  // EAGAIN after the flush: nothing more will come
    const int rd = av_read_frame(fmt_.get(), packet_.get());
    if (rd < 0) {
      if (rd != AVERROR_EOF) {
        read_error_ = true;
        diagnostics_.warn("frames.read_error",
                          "reading the file stopped early: " + av::error_string(rd) +
                              " (the file may be truncated or damaged)", name_);
      }
      flushing_ = true;
      avcodec_send_packet(codec_.get(), nullptr);
      continue;
    }
    av::PacketUnrefGuard guard(packet_.get());
    if (packet_->stream_index != stream_->index) continue;
    if (packet_->pts != AV_NOPTS_VALUE) {
      const double end = seconds(packet_->pts + std::max<std::int64_t>(packet_->duration, 0));
      if (!last_packet_end_s_ || end > *last_packet_end_s_) last_packet_end_s_ = end;
    }
    if (setup_.keyframes_only && !(packet_->flags & AV_PKT_FLAG_KEY)) continue;
    const int sent = avcodec_send_packet(codec_.get(), packet_.get());
    if (sent < 0 && sent != AVERROR(EAGAIN)) {
      if (decode_errors_++ == 0)
        diagnostics_.warn("frames.decode_error", "a packet failed to decode: " + av::error_string(sent), name_);
    }
  }
}

cv::Mat frame_to_bgr(const AVFrame* f, av::SwsPtr& cache) {
  const auto src_fmt = static_cast<AVPixelFormat>(f->format);
  SwsContext* ctx = sws_getCachedContext(cache.release(), f->width, f->height, src_fmt, f->width, f->height,
                                         AV_PIX_FMT_BGR24, SWS_BILINEAR | SWS_ACCURATE_RND, nullptr, nullptr,
                                         nullptr);
  cache.reset(ctx);
  if (!ctx) throw Error(Errc::external, "frames: cannot convert pixel format " +
                                            std::string(av_get_pix_fmt_name(src_fmt) ? av_get_pix_fmt_name(src_fmt) : "?"),
                        "libav");
  const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(src_fmt);
  if (desc && !(desc->flags & AV_PIX_FMT_FLAG_RGB)) {
    int cs = f->colorspace;
    if (cs == AVCOL_SPC_UNSPECIFIED || cs == AVCOL_SPC_RGB) cs = f->height >= 720 ? SWS_CS_ITU709 : SWS_CS_DEFAULT;
    const bool full = f->color_range == AVCOL_RANGE_JPEG;
    int* inv = nullptr;
    int* tbl = nullptr;
    int src_range = 0, dst_range = 0, brightness = 0, contrast = 0, saturation = 0;
    if (sws_getColorspaceDetails(ctx, &inv, &src_range, &tbl, &dst_range, &brightness, &contrast, &saturation) >= 0)
      sws_setColorspaceDetails(ctx, sws_getCoefficients(cs), full ? 1 : src_range, tbl, dst_range, brightness,
                               contrast, saturation);
  }
  cv::Mat out(f->height, f->width, CV_8UC3);
  uint8_t* dst[4] = {out.data, nullptr, nullptr, nullptr};
  int dst_stride[4] = {static_cast<int>(out.step[0]), 0, 0, 0};
  sws_scale(ctx, f->data, f->linesize, 0, f->height, dst, dst_stride);
  return out;
}

cv::Mat frame_luma(const AVFrame* f, int width, av::SwsPtr& cache) {
  width = std::min(width, f->width);
  const int height = std::max(1, static_cast<int>(std::lround(static_cast<double>(f->height) * width / f->width)));
  const auto src_fmt = static_cast<AVPixelFormat>(f->format);
  const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(src_fmt);
  const bool planar_8bit_luma = desc && !(desc->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_HWACCEL |
                                                         AV_PIX_FMT_FLAG_PAL)) &&
                                desc->comp[0].depth == 8 && desc->comp[0].plane == 0 && desc->comp[0].step == 1;
  cv::Mat out;
  if (planar_8bit_luma) {
    // The Y plane is already a gray picture: no conversion, only an area-average downscale.
    const cv::Mat y(f->height, f->width, CV_8UC1, f->data[0], static_cast<std::size_t>(f->linesize[0]));
    if (width == f->width) out = y.clone();
    else cv::resize(y, out, cv::Size(width, height), 0, 0, cv::INTER_AREA);
    return out;
  }
  SwsContext* ctx = sws_getCachedContext(cache.release(), f->width, f->height, src_fmt, width, height,
                                         AV_PIX_FMT_GRAY8, SWS_AREA, nullptr, nullptr, nullptr);
  cache.reset(ctx);
  if (!ctx) throw Error(Errc::external, "frames: cannot make a luma thumbnail", "libav");
  out.create(height, width, CV_8UC1);
  uint8_t* dst[4] = {out.data, nullptr, nullptr, nullptr};
  int dst_stride[4] = {static_cast<int>(out.step[0]), 0, 0, 0};
  sws_scale(ctx, f->data, f->linesize, 0, f->height, dst, dst_stride);
  return out;
}

cv::Mat rotate_cw(const cv::Mat& picture, int rotation_cw_deg) {
  cv::Mat out;
  switch (((rotation_cw_deg % 360) + 360) % 360) {
    case 90: cv::rotate(picture, out, cv::ROTATE_90_CLOCKWISE); return out;
    case 180: cv::rotate(picture, out, cv::ROTATE_180); return out;
    case 270: cv::rotate(picture, out, cv::ROTATE_90_COUNTERCLOCKWISE); return out;
    default: return picture;
  }
}

}  // namespace geo::decode
