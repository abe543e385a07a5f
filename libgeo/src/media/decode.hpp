// SPDX-License-Identifier: Apache-2.0
// Private: a video decoder that hands out frames in presentation order, and conversions of decoded
// frames to OpenCV pictures. libav types stay inside libgeo/src.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "adapters/av.hpp"
#include "geo/core/diagnostics.hpp"

namespace geo::decode {

// The clockwise rotation (0/90/180/270) that makes a stream's pictures upright, from its display
// matrix (0 when it has none). The matrix is classified, never trusted blindly: a rotation by an angle
// that is not a multiple of 90 gives the nearest multiple and a warning "<prefix>.rotation_not_square";
// a mirroring matrix a warning "<prefix>.display_flip" (the mirroring is not applied); a matrix that
// shears the picture (its axes not perpendicular) or is degenerate is no rotation at all: 0 and a
// warning "<prefix>.display_matrix_not_rotation" / "<prefix>.rotation_invalid" with the matrix.
// `code_prefix` is "video" for probe, "frames" for frames, so both read the matrix the same way.
int display_rotation_cw(const AVStream* st, Diagnostics& diags, const std::string& where,
                        const std::string& code_prefix);

struct DecoderSetup {
  bool keyframes_only = false;  // only keyframe packets reach the decoder, which also skips non-key frames
  int threads = 0;              // 0 = libav's choice
};

// Opens the best video stream of a file. Throws Error{not_found}/{invalid_argument}/{corrupt_data} like
// av::open_input, Error{unsupported} for a file without a video stream (audio only, cover art only) or a
// still image, Error{invalid_argument} when the stream's coded width x height is over kMaxImagePixels
// (nothing is decoded). Decoding problems after opening become diagnostics; the caller decides whether the frames
// it got are enough. Not thread-safe.
class VideoDecoder {
 public:
  VideoDecoder(const std::filesystem::path& path, const DecoderSetup& setup);

  // The next decoded frame in presentation order, or nullptr at the end. The frame is owned by the
  // decoder and valid until the next call (av_frame_ref it to keep it).
  const AVFrame* next();

  const AVStream* stream() const noexcept { return stream_; }
  int stream_index() const noexcept { return stream_->index; }
  AVRational time_base() const noexcept { return stream_->time_base; }
  double seconds(std::int64_t pts) const noexcept;
  // The frame's PTS (best effort), or nullopt when the stream gives none.
  std::optional<std::int64_t> frame_pts(const AVFrame* f) const noexcept;
  // Clockwise rotation (0/90/180/270) that makes frames upright, from the display matrix.
  int rotation_cw_deg() const noexcept { return rotation_cw_deg_; }
  std::optional<double> duration_s() const noexcept { return duration_s_; }
  std::optional<double> start_s() const noexcept { return start_s_; }
  // PTS (seconds) of the last packet of the stream read from the file, key or not.
  std::optional<double> last_packet_end_s() const noexcept { return last_packet_end_s_; }
  std::int64_t decode_errors() const noexcept { return decode_errors_; }
  bool read_error() const noexcept { return read_error_; }
  Diagnostics& diagnostics() noexcept { return diagnostics_; }

 private:
  std::string name_;
  av::FormatContextPtr fmt_;
  AVStream* stream_ = nullptr;
  av::CodecContextPtr codec_;
  av::PacketPtr packet_;
  av::FramePtr frame_;
  DecoderSetup setup_;
  int rotation_cw_deg_ = 0;
  std::optional<double> duration_s_, start_s_, last_packet_end_s_;
  std::int64_t decode_errors_ = 0;
  bool flushing_ = false;
  bool read_error_ = false;
  Diagnostics diagnostics_;
};

// Full-resolution BGR picture of a frame (colour range and matrix honoured). `cache` is reused.
cv::Mat frame_to_bgr(const AVFrame* f, av::SwsPtr& cache);
// The frame's luma resized to `width` pixels wide (area average), aspect kept, 8-bit gray.
cv::Mat frame_luma(const AVFrame* f, int width, av::SwsPtr& cache);
// Rotates a picture clockwise by 0/90/180/270 degrees.
cv::Mat rotate_cw(const cv::Mat& picture, int rotation_cw_deg);

}  // namespace geo::decode
