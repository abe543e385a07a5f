// SPDX-License-Identifier: Apache-2.0
// Every difference between FFmpeg versions lives here (Debian 12 ships FFmpeg 5.1, libavformat 59).
#pragma once
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/version.h>
}

namespace geo::av {

// Whether a decoded frame is a keyframe (AVFrame::key_frame was replaced by AV_FRAME_FLAG_KEY in 6.1).
inline bool frame_is_key(const AVFrame* f) {
#if defined(AV_FRAME_FLAG_KEY)
  return (f->flags & AV_FRAME_FLAG_KEY) != 0;
#else
  return f->key_frame != 0;
#endif
}

// The 3x3 display matrix of a stream, or nullptr (stream side data moved to codecpar in 6.1).
inline const int32_t* stream_display_matrix(const AVStream* st) {
#if LIBAVFORMAT_VERSION_MAJOR >= 61
  const AVPacketSideData* sd = av_packet_side_data_get(st->codecpar->coded_side_data,
                                                       st->codecpar->nb_coded_side_data,
                                                       AV_PKT_DATA_DISPLAYMATRIX);
  return sd && sd->size >= 36 ? reinterpret_cast<const int32_t*>(sd->data) : nullptr;
#else
  size_t size = 0;
  const uint8_t* data = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, &size);
  return data && size >= 36 ? reinterpret_cast<const int32_t*>(data) : nullptr;
#endif
}

}  // namespace geo::av
