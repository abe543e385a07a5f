// SPDX-License-Identifier: Apache-2.0
#include "support/video_fixture.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "adapters/av.hpp"

extern "C" {
#include <libavutil/channel_layout.h>
#include <libavutil/display.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
}

namespace geo::test {
namespace {

namespace fs = std::filesystem;

constexpr int kTicksPerSecond = 6000;  // divisible by 24, 25, 30, 50, 60; within MPEG-4 part 2 limits
constexpr int kCodeBlocks = 16;        // guard (white), 14 index bits MSB first, guard (black)

void ok(int ret, const std::string& what) {
  if (ret < 0) throw std::runtime_error("video fixture: " + what + ": " + av::error_string(ret));
}

int code_band_height(int h) { return std::max(16, h / 8); }

cv::Scalar random_color(std::mt19937& rng) {
  return cv::Scalar(rng() % 256, rng() % 256, rng() % 256);
}

// A scene of random shapes on a shot-specific background, `w` x `h`.
cv::Mat draw_scene(int w, int h, unsigned seed) {
  std::mt19937 rng(seed);
  // Backgrounds far apart in brightness and hue, so that every cut is a real change of content.
  const int level = 40 + static_cast<int>(rng() % 5) * 45;
  cv::Mat img(h, w, CV_8UC3, cv::Scalar(level, (level + 90) % 256, (level * 3) % 256));
  const int shapes = 12 + w / 40;
  for (int i = 0; i < shapes; ++i) {
    const cv::Point c(static_cast<int>(rng() % static_cast<unsigned>(w)),
                      static_cast<int>(rng() % static_cast<unsigned>(h)));
    const int r = 6 + static_cast<int>(rng() % static_cast<unsigned>(std::max(8, h / 5)));
    const cv::Scalar color = random_color(rng);
    if (rng() % 2)
      cv::circle(img, c, r, color, cv::FILLED, cv::LINE_8);
    else
      cv::rectangle(img, cv::Rect(c.x - r, c.y - r / 2, 2 * r, r), color, cv::FILLED, cv::LINE_8);
  }
  return img;
}

std::vector<double> frame_times(const VideoFixtureOptions& o, std::vector<std::int64_t>& ticks) {
  const double period = 1.0 / o.fps;
  std::mt19937 rng(o.seed * 7919u + 13u);
  std::int64_t t = std::llround(o.start_s * kTicksPerSecond);
  const std::int64_t end = t + std::llround(o.duration_s * kTicksPerSecond);
  std::vector<double> out;
  int i = 0;
  while (t < end) {
    ticks.push_back(t);
    out.push_back(static_cast<double>(t) / kTicksPerSecond);
    ++i;
    if (o.vfr) {
      const double f = 0.5 + 1.5 * static_cast<double>(rng() % 1000) / 999.0;
      t += std::max<std::int64_t>(1, std::llround(f * period * kTicksPerSecond));
    } else {
      t = std::llround(o.start_s * kTicksPerSecond) + std::llround(i * period * kTicksPerSecond);
    }
  }
  return out;
}

int shot_of(const VideoFixtureOptions& o, double rel_t) {
  int s = 0;
  for (double c : o.cuts_s)
    if (rel_t + 1e-9 >= c) ++s;
  return s;
}

cv::Mat to_stored(const cv::Mat& upright, int rotation_cw_deg) {
  // The stored picture, rotated by the display matrix, must give back `upright`.
  cv::Mat out;
  switch (((rotation_cw_deg % 360) + 360) % 360) {
    case 90: cv::rotate(upright, out, cv::ROTATE_90_COUNTERCLOCKWISE); break;
    case 180: cv::rotate(upright, out, cv::ROTATE_180); break;
    case 270: cv::rotate(upright, out, cv::ROTATE_90_CLOCKWISE); break;
    default: out = upright;
  }
  return out;
}

struct Muxer {
  AVFormatContext* oc = nullptr;
  ~Muxer() {
    if (!oc) return;
    if (!(oc->oformat->flags & AVFMT_NOFILE) && oc->pb) avio_closep(&oc->pb);
    avformat_free_context(oc);
  }
};

void drain(AVCodecContext* enc, AVFormatContext* oc, AVStream* st, AVFrame* frame,
           const std::function<void(AVPacket*)>& on_packet) {
  ok(avcodec_send_frame(enc, frame), "send frame");
  av::PacketPtr pkt = av::make_packet();
  while (true) {
    const int ret = avcodec_receive_packet(enc, pkt.get());
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return;
    ok(ret, "receive packet");
    av::PacketUnrefGuard guard(pkt.get());
    if (on_packet) on_packet(pkt.get());
    av_packet_rescale_ts(pkt.get(), enc->time_base, st->time_base);
    pkt->stream_index = st->index;
    ok(av_interleaved_write_frame(oc, pkt.get()), "write packet");
  }
}

av::CodecContextPtr open_audio_encoder(AVFormatContext* oc, AVStream*& st) {
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
  if (!codec) throw std::runtime_error("video fixture: no AAC encoder");
  av::CodecContextPtr enc(avcodec_alloc_context3(codec));
  enc->sample_fmt = AV_SAMPLE_FMT_FLTP;
  enc->sample_rate = 48000;
  av_channel_layout_default(&enc->ch_layout, 1);
  enc->bit_rate = 64000;
  enc->time_base = AVRational{1, 48000};
  if (oc->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  ok(avcodec_open2(enc.get(), codec, nullptr), "open aac");
  st = avformat_new_stream(oc, nullptr);
  st->time_base = enc->time_base;
  ok(avcodec_parameters_from_context(st->codecpar, enc.get()), "aac parameters");
  return enc;
}

// Encodes `duration_s` of a seeded tone into the audio stream (after the header was written).
void encode_audio(AVCodecContext* enc, AVFormatContext* oc, AVStream* st, double duration_s, unsigned seed,
                  bool flush) {
  av::FramePtr frame = av::make_frame();
  const int total = static_cast<int>(duration_s * enc->sample_rate);
  const double hz = 300.0 + seed % 500;
  for (int done = 0; done < total; done += enc->frame_size) {
    av_frame_unref(frame.get());
    frame->nb_samples = enc->frame_size;
    frame->format = enc->sample_fmt;
    ok(av_channel_layout_copy(&frame->ch_layout, &enc->ch_layout), "layout");
    frame->sample_rate = enc->sample_rate;
    ok(av_frame_get_buffer(frame.get(), 0), "audio buffer");
    auto* samples = reinterpret_cast<float*>(frame->data[0]);
    for (int i = 0; i < enc->frame_size; ++i)
      samples[i] = 0.2f * static_cast<float>(std::sin(2 * M_PI * hz * (done + i) / enc->sample_rate));
    frame->pts = done;
    drain(enc, oc, st, frame.get(), {});
  }
  if (flush) drain(enc, oc, st, nullptr, {});
}

}  // namespace

cv::Mat fixture_picture(const VideoFixtureOptions& o, int index, double t_s, int shot) {
  const int w = o.width, h = o.height;
  cv::Mat canvas;
  const unsigned scene_seed = o.seed * 1000u + static_cast<unsigned>(shot);
  if (shot == o.pan_shot) {
    const double shot_start = shot == 0 ? 0.0 : o.cuts_s[static_cast<std::size_t>(shot - 1)];
    const double shot_end = static_cast<std::size_t>(shot) < o.cuts_s.size()
                                ? o.cuts_s[static_cast<std::size_t>(shot)] : o.duration_s;
    const int extra = static_cast<int>(std::ceil(o.pan_px_per_s * (shot_end - shot_start))) + 2;
    const cv::Mat world = draw_scene(w + extra, h, scene_seed);
    const int x = std::clamp(static_cast<int>(std::lround(o.pan_px_per_s * (t_s - shot_start))), 0, extra);
    canvas = world(cv::Rect(x, 0, w, h)).clone();
  } else {
    canvas = draw_scene(w, h, scene_seed);
  }
  if (o.sharp_peak) {
    // Blur grows with the distance (in frames) from the shot's middle frame.
    const double shot_start = shot == 0 ? 0.0 : o.cuts_s[static_cast<std::size_t>(shot - 1)];
    const double shot_end = static_cast<std::size_t>(shot) < o.cuts_s.size()
                                ? o.cuts_s[static_cast<std::size_t>(shot)] : o.duration_s;
    const double mid = 0.5 * (shot_start + shot_end);
    const double sigma = std::min(4.0, 0.4 * std::abs(t_s - mid) * o.fps);
    if (sigma > 0.05) cv::GaussianBlur(canvas, canvas, cv::Size(0, 0), sigma);
  }
  const int band = code_band_height(h);
  const int bw = w / kCodeBlocks;
  canvas(cv::Rect(0, 0, w, band)).setTo(cv::Scalar(128, 128, 128));
  for (int b = 0; b < kCodeBlocks; ++b) {
    bool on;
    if (b == 0) on = true;
    else if (b == kCodeBlocks - 1) on = false;
    else on = ((index >> (kCodeBlocks - 2 - b)) & 1) != 0;
    canvas(cv::Rect(b * bw, 0, bw, band)).setTo(on ? cv::Scalar(255, 255, 255) : cv::Scalar(0, 0, 0));
  }
  return canvas;
}

int read_frame_index(const cv::Mat& picture) {
  if (picture.empty()) return -1;
  cv::Mat gray;
  if (picture.channels() == 3) cv::cvtColor(picture, gray, cv::COLOR_BGR2GRAY);
  else gray = picture;
  const int w = gray.cols, h = gray.rows;
  const int band = code_band_height(h);
  const int bw = w / kCodeBlocks;
  if (bw < 4) return -1;
  int index = 0;
  for (int b = 0; b < kCodeBlocks; ++b) {
    const cv::Rect r(b * bw + bw / 4, band / 4, bw / 2, band / 2);
    const double m = cv::mean(gray(r))[0];
    if (m > 90 && m < 165) return -1;  // neither black nor white: not a code block
    const bool on = m >= 128;
    if (b == 0 && !on) return -1;
    if (b == kCodeBlocks - 1 && on) return -1;
    if (b > 0 && b < kCodeBlocks - 1) index = (index << 1) | (on ? 1 : 0);
  }
  return index;
}

VideoFixture make_video(const fs::path& path, const VideoFixtureOptions& o) {
  if (o.width % 2 || o.height % 2 || o.width < 64 || o.height < 48)
    throw std::invalid_argument("video fixture: size must be even and at least 64x48");
  av_log_set_level(AV_LOG_ERROR);  // no encoder chatter in test logs
  VideoFixture fx;
  fx.path = path;
  std::vector<std::int64_t> ticks;
  const std::vector<double> times = frame_times(o, ticks);

  Muxer mux;
  ok(avformat_alloc_output_context2(&mux.oc, nullptr, nullptr, path.c_str()), "output " + path.string());
  AVFormatContext* oc = mux.oc;
  const AVCodec* codec = avcodec_find_encoder_by_name(o.codec.c_str());
  if (!codec) throw std::runtime_error("video fixture: no encoder " + o.codec);
  av::CodecContextPtr enc(avcodec_alloc_context3(codec));
  const bool sideways = o.rotation_cw_deg % 180 != 0;
  enc->width = sideways ? o.height : o.width;
  enc->height = sideways ? o.width : o.height;
  enc->pix_fmt = AV_PIX_FMT_YUV420P;
  enc->time_base = AVRational{1, kTicksPerSecond};
  enc->framerate = av_d2q(o.fps, 100000);
  enc->gop_size = o.gop;
  enc->max_b_frames = o.max_b_frames;
  enc->thread_count = 1;  // bit-exact output from run to run
  if (oc->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  AVDictionary* eopts = nullptr;
  if (o.codec == "libx264") {
    av_dict_set(&eopts, "preset", "veryfast", 0);
    av_dict_set(&eopts, "crf", "16", 0);
    const std::string params = "keyint=" + std::to_string(o.gop) + ":min-keyint=" + std::to_string(o.gop) +
                               ":scenecut=0:bframes=" + std::to_string(o.max_b_frames);
    av_dict_set(&eopts, "x264-params", params.c_str(), 0);
  } else {
    enc->qmin = 2;
    enc->qmax = 4;
    av_dict_set(&eopts, "sc_threshold", "1000000000", 0);
  }
  const int opened = avcodec_open2(enc.get(), codec, &eopts);
  av_dict_free(&eopts);
  ok(opened, "open encoder " + o.codec);

  AVStream* st = avformat_new_stream(oc, nullptr);
  st->time_base = enc->time_base;
  ok(avcodec_parameters_from_context(st->codecpar, enc.get()), "stream parameters");
  if (o.rotation_cw_deg % 360 != 0) {
    auto* matrix = static_cast<int32_t*>(av_malloc(9 * sizeof(int32_t)));
    // av_display_rotation_set takes a clockwise angle (av_display_rotation_get returns counter-clockwise).
    av_display_rotation_set(matrix, static_cast<double>(o.rotation_cw_deg));
    ok(av_stream_add_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, reinterpret_cast<uint8_t*>(matrix),
                               9 * sizeof(int32_t)),
       "display matrix");
  }
  AVStream* ast = nullptr;
  av::CodecContextPtr aenc;
  if (o.audio) aenc = open_audio_encoder(oc, ast);
  if (!o.creation_time.empty()) av_dict_set(&oc->metadata, "creation_time", o.creation_time.c_str(), 0);
  if (!(oc->oformat->flags & AVFMT_NOFILE)) ok(avio_open(&oc->pb, path.c_str(), AVIO_FLAG_WRITE), "open file");
  AVDictionary* mopts = nullptr;
  if (o.faststart) av_dict_set(&mopts, "movflags", "+faststart", 0);
  const int header = avformat_write_header(oc, &mopts);
  av_dict_free(&mopts);
  ok(header, "write header");

  std::map<std::int64_t, int> index_of_tick;
  std::vector<bool> key(times.size(), false);
  auto on_packet = [&](AVPacket* p) {
    auto it = index_of_tick.find(p->pts);
    if (it == index_of_tick.end()) return;
    const auto i = static_cast<std::size_t>(it->second);
    if (p->flags & AV_PKT_FLAG_KEY) key[i] = true;
    // Without durations the MP4 muxer's edit list cuts off the last frame.
    p->duration = i + 1 < ticks.size() ? ticks[i + 1] - ticks[i] : std::llround(kTicksPerSecond / o.fps);
  };
  av::FramePtr frame = av::make_frame();
  frame->format = enc->pix_fmt;
  frame->width = enc->width;
  frame->height = enc->height;
  ok(av_frame_get_buffer(frame.get(), 0), "frame buffer");
  int prev_shot = 0;
  for (std::size_t i = 0; i < times.size(); ++i) {
    const double rel = times[i] - o.start_s;
    const int shot = shot_of(o, rel);
    if (shot != prev_shot) fx.cut_pts_s.push_back(times[i]);
    prev_shot = shot;
    const cv::Mat stored = to_stored(fixture_picture(o, static_cast<int>(i), rel, shot), o.rotation_cw_deg);
    cv::Mat yuv;
    cv::cvtColor(stored, yuv, cv::COLOR_BGR2YUV_I420);
    ok(av_frame_make_writable(frame.get()), "frame writable");
    const int w = enc->width, h = enc->height;
    for (int y = 0; y < h; ++y) std::copy_n(yuv.ptr<uint8_t>(y), w, frame->data[0] + y * frame->linesize[0]);
    const uint8_t* u = yuv.ptr<uint8_t>(h);
    const uint8_t* v = u + (w / 2) * (h / 2);
    for (int y = 0; y < h / 2; ++y) {
      std::copy_n(u + y * (w / 2), w / 2, frame->data[1] + y * frame->linesize[1]);
      std::copy_n(v + y * (w / 2), w / 2, frame->data[2] + y * frame->linesize[2]);
    }
    frame->pts = ticks[i];
    index_of_tick[ticks[i]] = static_cast<int>(i);
    fx.frames.push_back(FixtureFrame{static_cast<int>(i), times[i], false, shot});
    drain(enc.get(), oc, st, frame.get(), on_packet);
  }
  drain(enc.get(), oc, st, nullptr, on_packet);
  if (aenc) encode_audio(aenc.get(), oc, ast, o.duration_s, o.seed, true);
  ok(av_write_trailer(oc), "write trailer");
  for (std::size_t i = 0; i < fx.frames.size(); ++i) fx.frames[i].key = key[i];
  return fx;
}

void make_audio_only(const fs::path& path, double duration_s, unsigned seed) {
  Muxer mux;
  ok(avformat_alloc_output_context2(&mux.oc, nullptr, "mp4", path.c_str()), "output " + path.string());
  AVStream* st = nullptr;
  av::CodecContextPtr enc = open_audio_encoder(mux.oc, st);
  ok(avio_open(&mux.oc->pb, path.c_str(), AVIO_FLAG_WRITE), "open file");
  ok(avformat_write_header(mux.oc, nullptr), "write header");
  encode_audio(enc.get(), mux.oc, st, duration_s, seed, true);
  ok(av_write_trailer(mux.oc), "write trailer");
}

fs::path make_latin1_named_video(const fs::path& dir) {
  VideoFixtureOptions o;
  o.duration_s = 1;
  const fs::path latin1 = dir / std::string("x\xe9.mp4");
  make_video(latin1, o);
  return latin1;
}

void make_still_jpeg(const fs::path& path, int width, int height, unsigned seed) {
  VideoFixtureOptions o;
  o.width = width;
  o.height = height;
  o.seed = seed;
  if (!cv::imwrite(path.string(), fixture_picture(o, 0, 0.0, 0)))
    throw std::runtime_error("video fixture: cannot write " + path.string());
}

void truncate_copy(const fs::path& src, const fs::path& dst, double fraction) {
  std::ifstream in(src, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bytes.resize(static_cast<std::size_t>(static_cast<double>(bytes.size()) * fraction));
  std::ofstream out(dst, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace geo::test
