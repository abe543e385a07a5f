// SPDX-License-Identifier: Apache-2.0
#include "geo/media/frames.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/provenance.hpp"
#include "geo/core/text.hpp"
#include "geo/media/image_hash.hpp"
#include "geo/media/probe.hpp"
#include "geo/media/shots.hpp"
#include "media/contact_sheet.hpp"
#include "media/decode.hpp"
#include "media/frame_camera.hpp"

namespace fs = std::filesystem;

namespace geo {

const char* to_string(FrameMode m) noexcept {
  switch (m) {
    case FrameMode::keyframes: return "keyframes";
    case FrameMode::interval: return "interval";
    case FrameMode::shots: return "shots";
  }
  return "?";
}

const char* to_string(ImageFormat f) noexcept { return f == ImageFormat::png ? "png" : "jpg"; }

FrameMode parse_frame_mode(const std::string& text) {
  if (text == "keyframes") return FrameMode::keyframes;
  if (text == "interval") return FrameMode::interval;
  if (text == "shots") return FrameMode::shots;
  throw Error(Errc::invalid_argument, "frames: mode '" + text + "' is not one of keyframes, interval, shots");
}

ImageFormat parse_image_format(const std::string& text) {
  if (text == "jpg" || text == "jpeg") return ImageFormat::jpg;
  if (text == "png") return ImageFormat::png;
  throw Error(Errc::invalid_argument, "frames: format '" + text + "' is not one of jpg, png");
}

void FrameExtractOptions::validate() const {
  auto bad = [](const std::string& what) { throw Error(Errc::invalid_argument, "frames: " + what); };
  if (!(every_s > 0) || !std::isfinite(every_s)) bad("--every must be a positive number of seconds, got " + std::to_string(every_s));
  if (max_frames < 0) bad("--max must be 0 (no limit) or positive, got " + std::to_string(max_frames));
  if (jpeg_quality < 1 || jpeg_quality > 100) bad("jpeg quality must be 1..100, got " + std::to_string(jpeg_quality));
  if (decoder_threads < 0 || decoder_threads > 64) bad("decoder threads must be 0..64");
  if (!(cut_threshold > 0 && cut_threshold <= 1)) bad("cut threshold must be in (0, 1]");
  if (!(subshot_drift > 0)) bad("sub-shot drift must be positive");
  if (!(min_shot_s >= 0)) bad("minimum shot length must be >= 0");
  if (!(max_subshot_s >= 0) || !std::isfinite(max_subshot_s)) bad("maximum sub-shot length must be >= 0 seconds");
  if (thumb_width < 32 || thumb_width > 640) bad("thumbnail width must be 32..640");
  if (sharpness_width < 64 || sharpness_width > 4096) bad("sharpness width must be 64..4096");
  if (contact_sheet) {
    const std::string ext = contact_sheet->extension().string();
    if (ext != ".jpg" && ext != ".jpeg" && ext != ".png" && ext != ".JPG" && ext != ".JPEG" && ext != ".PNG")
      bad("--contact-sheet must end in .jpg or .png: " + contact_sheet->string());
  }
}

Json FrameExtractOptions::to_json() const {
  Json j{{"mode", to_string(mode)}, {"max_frames", max_frames}, {"format", to_string(format)}};
  if (mode == FrameMode::interval) j["every_s"] = every_s;
  if (format == ImageFormat::jpg) j["jpeg_quality"] = jpeg_quality;
  if (mode == FrameMode::shots) {
    j["cut_threshold"] = cut_threshold;
    j["subshot_drift"] = subshot_drift;
    j["min_shot_s"] = min_shot_s;
    if (max_subshot_s > 0) j["max_subshot_s"] = max_subshot_s;
    j["thumb_width"] = thumb_width;
  }
  j["sharpness_width"] = sharpness_width;
  j["contact_sheet"] = contact_sheet ? Json(contact_sheet->string()) : Json(nullptr);
  if (telemetry) j["telemetry"] = telemetry->string();
  return j;
}

Json to_json(const FrameRecord& f) {
  Json j{{"file", f.file},
         {"pts_s", round_to(f.pts_s, 6)},
         {"offset_s", round_to(f.offset_s, 6)},
         {"pts", f.pts},
         {"time_base", std::to_string(f.time_base_num) + "/" + std::to_string(f.time_base_den)}};
  j["utc"] = f.utc ? to_json(*f.utc, 3) : Json(nullptr);
  j["keyframe"] = f.keyframe;
  j["shot"] = f.shot;
  j["subshot"] = f.subshot;
  j["sharpness"] = round_to(f.sharpness, 2);
  j["width"] = f.width;
  j["height"] = f.height;
  j["sha256"] = f.sha256;
  j["phash"] = f.phash;
  if (f.camera) j["camera"] = to_json(*f.camera);
  return j;
}

Json to_json(const FrameExtractResult& r) {
  Json video{{"path", r.video}, {"sha256", r.video_sha256}, {"stream_index", r.stream_index},
             {"coded_width", r.coded_width}, {"coded_height", r.coded_height},
             {"rotation_cw_deg", r.rotation_cw_deg}};
  if (!is_valid_utf8(r.video)) video["path_hex"] = hex_bytes(r.video);  // the exact bytes of the name
  video["created"] = r.created ? to_json(*r.created) : Json(nullptr);
  video["first_pts_s"] = r.first_pts_s ? Json(round_to(*r.first_pts_s, 6)) : Json(nullptr);
  video["last_pts_s"] = r.last_pts_s ? Json(round_to(*r.last_pts_s, 6)) : Json(nullptr);
  Json frames = Json::array();
  for (const auto& f : r.frames) frames.push_back(to_json(f));
  Json j{{"video", std::move(video)}, {"frames_decoded", r.frames_decoded}, {"frame_count", r.frames.size()},
         {"frames", std::move(frames)}};
  if (!r.segments.empty()) {
    Json segs = Json::array();
    for (const auto& sg : r.segments)
      segs.push_back(Json{{"shot", sg.shot}, {"subshot", sg.subshot}, {"start_pts_s", round_to(sg.start_pts_s, 6)},
                          {"cut", sg.cut}});
    j["segments"] = std::move(segs);
  }
  j["contact_sheet"] = r.contact_sheet ? Json(r.contact_sheet->string()) : Json(nullptr);
  if (r.telemetry)
    j["telemetry"] = Json{{"source", r.telemetry->source}, {"file", r.telemetry->file},
                          {"sha256", r.telemetry->sha256}, {"samples", r.telemetry->samples}};
  j["diagnostics"] = to_json(r.diagnostics);
  j["provenance"] = r.provenance;
  return j;
}

namespace {

constexpr std::size_t kSheetCap = 120;

std::string frame_file_name(std::size_t seq, double pts_s, ImageFormat fmt) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "frame_%05zu_t%09.3fs.%s", seq + 1, pts_s, to_string(fmt));
  return buf;
}

std::string caption_for(const FrameRecord& rec, FrameMode mode) {
  char buf[128];
  std::string t = rec.utc ? format_utc(rec.utc->utc, 1).substr(11) : "";
  if (mode == FrameMode::shots)
    std::snprintf(buf, sizeof buf, "%.3f s  shot %d.%d  %s", rec.pts_s, rec.shot, rec.subshot, t.c_str());
  else
    std::snprintf(buf, sizeof buf, "%.3f s%s  %s", rec.pts_s, rec.keyframe ? " key" : "", t.c_str());
  return buf;
}

// Writes frames and gathers their records, one at a time, into the temporary output directory.
class FrameWriter {
 public:
  FrameWriter(const FrameExtractOptions& opts, decode::VideoDecoder& dec, const fs::path& dir,
              std::optional<SourcedTime> created, std::vector<FrameRecord>& out)
      : opts_(opts), dec_(dec), dir_(dir), created_(std::move(created)), out_(out),
        sampler_(kSheetCap) {}

  bool full() const { return opts_.max_frames > 0 && static_cast<int>(out_.size()) >= opts_.max_frames; }

  void write(const AVFrame* f, std::int64_t pts, double first_pts_s, int shot, int subshot,
             std::optional<double> sharpness) {
    const double pts_s = dec_.seconds(pts);
    FrameRecord rec;
    rec.pts = pts;
    rec.pts_s = pts_s;
    rec.offset_s = pts_s - first_pts_s;
    rec.time_base_num = dec_.time_base().num;
    rec.time_base_den = dec_.time_base().den;
    rec.keyframe = av::frame_is_key(f);
    rec.shot = shot;
    rec.subshot = subshot;
    rec.sharpness = sharpness ? *sharpness : laplacian_variance(decode::frame_luma(f, opts_.sharpness_width, luma_sws_));
    if (created_) {
      SourcedTime t = *created_;
      t.utc.unix_us = created_->utc.unix_us + static_cast<std::int64_t>(std::llround(rec.offset_s * 1e6));
      t.source = created_->source + " + offset_s";
      t.derived = true;
      rec.utc = t;
    }
    const cv::Mat upright = decode::rotate_cw(decode::frame_to_bgr(f, bgr_sws_), dec_.rotation_cw_deg());
    rec.width = upright.cols;
    rec.height = upright.rows;
    rec.phash = phash_hex(phash64(upright));
    std::vector<uchar> bytes;
    std::vector<int> params;
    if (opts_.format == ImageFormat::jpg) params = {cv::IMWRITE_JPEG_QUALITY, opts_.jpeg_quality};
    else params = {cv::IMWRITE_PNG_COMPRESSION, 3};
    if (!cv::imencode(opts_.format == ImageFormat::jpg ? ".jpg" : ".png", upright, bytes, params))
      throw Error(Errc::external, "frames: encoding the image at pts " + std::to_string(pts_s) + " s failed", "opencv");
    rec.file = frame_file_name(out_.size(), pts_s, opts_.format);
    rec.sha256 = sha256_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    {
      std::ofstream os(dir_ / rec.file, std::ios::binary);
      os.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
      os.close();
      if (!os) throw Error(Errc::io, "frames: writing " + (dir_ / rec.file).string() + " failed");
    }
    if (opts_.contact_sheet && sampler_.wants(out_.size())) {
      cv::Mat small;
      const int w = std::min(320, upright.cols);
      cv::resize(upright, small, cv::Size(w, std::max(1, upright.rows * w / upright.cols)), 0, 0, cv::INTER_AREA);
      sampler_.add(out_.size(), decode::SheetTile{small, caption_for(rec, opts_.mode)});
    }
    out_.push_back(std::move(rec));
  }

  const decode::EvenSampler& sampler() const { return sampler_; }

 private:
  const FrameExtractOptions& opts_;
  decode::VideoDecoder& dec_;
  fs::path dir_;
  std::optional<SourcedTime> created_;
  std::vector<FrameRecord>& out_;
  av::SwsPtr bgr_sws_, luma_sws_;
  decode::EvenSampler sampler_;
};

bool same_dir(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::weakly_canonical(fs::absolute(a), ec) == fs::weakly_canonical(fs::absolute(b), ec);
}

}  // namespace

FrameExtractResult extract_frames(const fs::path& video, const fs::path& out_dir, const FrameExtractOptions& opts,
                                  const ProgressFn& progress) {
  opts.validate();
  decode::DecoderSetup setup;
  setup.keyframes_only = opts.mode == FrameMode::keyframes;
  setup.threads = opts.decoder_threads;
  decode::VideoDecoder dec(video, setup);  // every bad input fails here, before anything is written

  FrameExtractResult r;
  r.video = video.string();
  // An SRT the user named must read before anything else happens (and before the video is hashed).
  if (opts.telemetry) r.telemetry = frame_camera::read_srt(*opts.telemetry, "--telemetry", r.diagnostics);
  {
    ProbeOptions popts;
    popts.find_sidecar = false;
    const ProgressFn hashing = [&](double f, std::string_view) { report(progress, f, "hashing"); };
    try {
      const MediaInfo info = probe_media(video, popts, hashing);
      r.video_sha256 = info.sha256;
      r.created = info.created;
      if (!r.telemetry && info.telemetry && info.telemetry->source == "gopro-gpmf") {
        for (const auto& d : info.diagnostics.items())
          if (d.code.rfind("gpmf.", 0) == 0 || d.code.rfind("gps.", 0) == 0) r.diagnostics.add(d);
        r.telemetry = make_camera_track(*info.telemetry, {}, info.sha256, r.diagnostics);
      }
    } catch (const Error& e) {
      // The pictures decode even when the metadata does not: keep going, hash the file, and say so.
      r.diagnostics.warn("frames.probe_failed", std::string("reading the metadata failed: ") + e.what(),
                         video.string());
    }
    if (r.video_sha256.empty()) r.video_sha256 = sha256_file(video, hashing);
    if (r.telemetry && r.telemetry->source == "gopro-gpmf") r.telemetry->sha256 = r.video_sha256;
    if (!r.telemetry && opts.find_telemetry_sidecar) {
      const fs::path side = frame_camera::find_sidecar(video);
      if (!side.empty()) {
        try {
          Diagnostics side_diags;
          r.telemetry = frame_camera::read_srt(side, "sidecar", side_diags);
          r.diagnostics.info("frames.telemetry_sidecar", "camera state read from the sidecar " + side.string(),
                             side.string());
          r.diagnostics.append(side_diags);
        } catch (const Error& e) {
          r.diagnostics.warn("frames.telemetry_sidecar_unreadable",
                             std::string("the sidecar was not used: ") + e.what(), side.string());
        }
      }
    }
    std::error_code ec;
    const auto size = fs::file_size(video, ec);
    std::vector<InputRef> inputs{
        InputRef{video.string(), r.video_sha256, ec ? std::nullopt : std::optional<std::uint64_t>(size)}};
    if (r.telemetry && r.telemetry->source == "dji-srt") {
      const auto tsize = fs::file_size(r.telemetry->file, ec);
      inputs.push_back(InputRef{r.telemetry->file, r.telemetry->sha256,
                                ec ? std::nullopt : std::optional<std::uint64_t>(tsize)});
    }
    r.provenance = to_json(make_provenance("frames", opts.to_json(), std::move(inputs)));
  }
  if (!r.created)
    r.diagnostics.info("frames.no_creation_time", "the video states no creation time; frames have no UTC time",
                       video.string());
  r.stream_index = dec.stream_index();
  r.rotation_cw_deg = dec.rotation_cw_deg();
  r.coded_width = dec.stream()->codecpar->width;
  r.coded_height = dec.stream()->codecpar->height;
  r.out_dir = out_dir;

  // The contact sheet goes into the output directory itself when the user put it there.
  std::optional<fs::path> sheet_inside;
  std::unique_ptr<AtomicFile> sheet_file;
  if (opts.contact_sheet) {
    const fs::path parent = opts.contact_sheet->has_parent_path() ? opts.contact_sheet->parent_path() : fs::path(".");
    if (same_dir(parent, out_dir)) sheet_inside = opts.contact_sheet->filename();
    else sheet_file = std::make_unique<AtomicFile>(*opts.contact_sheet);
  }
  AtomicDir dir(out_dir);
  FrameWriter writer(opts, dec, dir.temp_dir(), r.created, r.frames);

  std::optional<std::int64_t> last_pts;
  double first_pts_s = 0;
  std::int64_t non_monotonic = 0;
  const double duration = dec.duration_s().value_or(0);

  // interval mode
  std::int64_t next_k = 0;
  // shots mode
  ShotDetector detector(ShotDetectorOptions{opts.cut_threshold, opts.subshot_drift, opts.min_shot_s, opts.max_subshot_s});
  av::FramePtr best = av::make_frame();
  bool have_best = false;
  double best_sharpness = -1;
  std::int64_t best_pts = 0;
  int best_shot = 0, best_sub = 0;
  av::SwsPtr luma_sws;

  while (!writer.full()) {
    const AVFrame* f = dec.next();
    if (!f) break;
    const auto pts = dec.frame_pts(f);
    if (!pts) {
      r.diagnostics.warn("frames.no_pts", "a decoded frame has no timestamp and was skipped", video.string());
      continue;
    }
    if (last_pts && *pts <= *last_pts) {
      if (non_monotonic++ == 0)
        r.diagnostics.warn("frames.pts_not_increasing",
                           "a frame's PTS is not after the previous one; such frames were skipped",
                           "pts " + std::to_string(dec.seconds(*pts)) + " s");
      continue;
    }
    const double pts_s = dec.seconds(*pts);
    if (!last_pts) {
      first_pts_s = pts_s;
      r.first_pts_s = pts_s;
    }
    last_pts = *pts;
    r.last_pts_s = pts_s;
    ++r.frames_decoded;
    if (duration > 0) report(progress, std::clamp((pts_s - first_pts_s) / duration, 0.0, 1.0), "decoding");

    switch (opts.mode) {
      case FrameMode::keyframes:
        writer.write(f, *pts, first_pts_s, 0, 0, std::nullopt);
        break;
      case FrameMode::interval: {
        const double target = first_pts_s + static_cast<double>(next_k) * opts.every_s;
        if (pts_s + 1e-6 >= target) {
          writer.write(f, *pts, first_pts_s, 0, 0, std::nullopt);
          next_k = static_cast<std::int64_t>(std::floor((pts_s - first_pts_s + 1e-6) / opts.every_s)) + 1;
        }
        break;
      }
      case FrameMode::shots: {
        const cv::Mat luma = decode::frame_luma(f, opts.sharpness_width, luma_sws);
        const double sharp = laplacian_variance(luma);
        cv::Mat thumb;
        const int tw = std::min(opts.thumb_width, luma.cols);
        cv::resize(luma, thumb, cv::Size(tw, std::max(16, luma.rows * tw / luma.cols)), 0, 0, cv::INTER_AREA);
        const ShotChange change = detector.push(thumb, pts_s);
        if (r.segments.empty() || change != ShotChange::none)
          r.segments.push_back(ShotSegment{detector.shot(), detector.subshot(), pts_s, change == ShotChange::cut});
        if (change != ShotChange::none && have_best) {
          writer.write(best.get(), best_pts, first_pts_s, best_shot, best_sub, best_sharpness);
          av_frame_unref(best.get());
          have_best = false;
          best_sharpness = -1;
        }
        if (sharp > best_sharpness) {
          av_frame_unref(best.get());
          av::check(av_frame_ref(best.get(), f), "frames: keeping a frame");
          have_best = true;
          best_sharpness = sharp;
          best_pts = *pts;
          best_shot = detector.shot();
          best_sub = detector.subshot();
        }
        break;
      }
    }
  }
  if (opts.mode == FrameMode::shots && have_best && !writer.full())
    writer.write(best.get(), best_pts, first_pts_s, best_shot, best_sub, best_sharpness);
  best.reset();

  r.diagnostics.append(dec.diagnostics());
  if (dec.decode_errors() > 1)
    r.diagnostics.warn("frames.decode_errors", std::to_string(dec.decode_errors()) + " packets or frames failed to decode",
                       video.string());
  if (r.frames.empty())
    throw Error(Errc::corrupt_data, "frames: " + video.string() + ": no frame could be decoded" +
                                        (dec.read_error() ? " (the file is truncated or damaged)" : ""));
  // A file that ends early: the container promised more than could be read.
  if (!writer.full() && duration > 0 && dec.start_s()) {
    const double promised_end = *dec.start_s() + duration;
    const double got_end = dec.last_packet_end_s().value_or(first_pts_s);
    if (promised_end - got_end > std::max(0.5, 0.05 * duration))
      r.diagnostics.warn("frames.truncated",
                         "the container states " + std::to_string(duration) + " s but packets end at " +
                             std::to_string(got_end - *dec.start_s()) + " s: the file is probably truncated",
                         video.string());
  }
  if (non_monotonic > 1)
    r.diagnostics.warn("frames.pts_not_increasing", std::to_string(non_monotonic) + " frames skipped for non-increasing PTS",
                       video.string());

  if (opts.contact_sheet) {
    if (writer.sampler().stride() > 1)
      r.diagnostics.info("frames.contact_sheet_sampled",
                         "the contact sheet shows every " + std::to_string(writer.sampler().stride()) + "th frame",
                         opts.contact_sheet->string());
    const cv::Mat sheet = decode::make_contact_sheet(writer.sampler().tiles());
    const fs::path tmp = sheet_inside ? dir.temp_dir() / *sheet_inside : sheet_file->temp_path();
    if (!cv::imwrite(tmp.string(), sheet, {cv::IMWRITE_JPEG_QUALITY, 88}))
      throw Error(Errc::io, "frames: writing the contact sheet " + opts.contact_sheet->string() + " failed");
    r.contact_sheet = *opts.contact_sheet;
  }
  if (r.telemetry) frame_camera::annotate(r.frames, *r.telemetry, dec.duration_s(), r.diagnostics);
  write_file_atomic(dir.temp_dir() / "frames.json", dump_json(to_json(r), 2) + "\n");
  if (opts.before_commit) opts.before_commit(r);
  dir.commit();
  if (sheet_file) sheet_file->commit();
  report(progress, 1.0, "done");
  return r;
}

}  // namespace geo
