// SPDX-License-Identifier: Apache-2.0
#include "geo/media/probe.hpp"

#include <algorithm>
#include <cmath>

extern "C" {
#include <libavutil/display.h>
}

#include "adapters/av.hpp"
#include "geo/core/error.hpp"
#include "geo/core/file_read.hpp"
#include "geo/core/hash.hpp"
#include "geo/core/provenance.hpp"
#include "geo/core/text.hpp"
#include "geo/media/iso6709.hpp"
#include "geo/media/telemetry.hpp"
#include "media/decode.hpp"
#include "media/probe_internal.hpp"

namespace geo {
namespace fs = std::filesystem;
namespace {

std::optional<std::string> tag(const AVDictionary* dict, const char* key) {
  const AVDictionaryEntry* e = av_dict_get(dict, key, nullptr, 0);
  if (!e || !e->value || !*e->value) return std::nullopt;
  return std::string(e->value);
}

Json tags_json(const AVDictionary* dict) {
  Json j = Json::object();
  const AVDictionaryEntry* e = nullptr;
  while ((e = av_dict_get(dict, "", e, AV_DICT_IGNORE_SUFFIX))) j[e->key] = e->value ? e->value : "";
  return j;
}

void add_time_tag(MediaInfo& info, const std::string& text, const std::string& source, bool keep_offset) {
  try {
    const ParsedTime p = parse_iso8601(text);
    SourcedTime t;
    t.utc = p.utc;
    t.source = source;
    if (keep_offset && p.has_zone) t.local_offset_min = p.offset_min;
    if (!p.has_zone)
      info.diagnostics.warn("time.no_zone", "'" + text + "' has no zone; read as UTC", source);
    for (const auto& c : info.created_candidates)
      if (c.utc == t.utc && c.source.rfind("stream", 0) == 0 && source.rfind("stream", 0) == 0) return;
    info.created_candidates.push_back(t);
  } catch (const Error& e) {
    info.diagnostics.warn("tag.unparsed", e.what(), source);
  }
}

void add_iso6709_tag(MediaInfo& info, const std::string& text, const std::string& source) {
  try {
    Location loc{parse_iso6709(text), source, text};
    for (const auto& c : info.location_candidates)
      if (c.raw == text && c.source.rfind("udta", 0) == 0 && source.rfind("udta", 0) == 0) return;
    info.location_candidates.push_back(loc);
  } catch (const Error& e) {
    info.diagnostics.warn("tag.unparsed", e.what(), source);
  }
}

// Throws when the container's sample index points beyond the end of the file (cut-off download/copy).
void check_not_truncated(const AVFormatContext* ctx, std::uint64_t file_size, const std::string& name) {
  for (unsigned i = 0; i < ctx->nb_streams; ++i) {
    AVStream* st = ctx->streams[i];
    const int n = avformat_index_get_entries_count(st);
    std::int64_t end = 0;
    for (int k = 0; k < n; ++k) {
      const AVIndexEntry* e = avformat_index_get_entry(st, k);
      if (e) end = std::max<std::int64_t>(end, e->pos + e->size);
    }
    if (end > static_cast<std::int64_t>(file_size))
      throw Error(Errc::corrupt_data, "probe: " + name + ": truncated: stream " + std::to_string(i) +
                                          " has sample data up to byte " + std::to_string(end) + " but the file has " +
                                          std::to_string(file_size) + " bytes");
  }
}

void probe_av(const fs::path& file, MediaInfo& info, std::vector<TelemetrySample>& gpmf, std::size_t& gpmf_blocks) {
  const std::string name = file.string();
  av::FormatContextPtr ctx = av::open_input(file);
  check_not_truncated(ctx.get(), info.size_bytes, name);
  info.format = ctx->iformat->name;
  if (ctx->duration != AV_NOPTS_VALUE && ctx->duration > 0)
    info.duration_s = static_cast<double>(ctx->duration) / AV_TIME_BASE;
  info.tags["format"] = tags_json(ctx->metadata);

  int video = -1, audio = -1, gpmd = -1;
  Json streams = Json::array();
  for (unsigned i = 0; i < ctx->nb_streams; ++i) {
    const AVStream* st = ctx->streams[i];
    const AVCodecParameters* par = st->codecpar;
    Json sj = Json::object();
    sj["index"] = i;
    sj["type"] = av_get_media_type_string(par->codec_type) ? av_get_media_type_string(par->codec_type) : "unknown";
    sj["codec"] = avcodec_get_name(par->codec_id);
    sj["tags"] = tags_json(st->metadata);
    streams.push_back(sj);
    if (par->codec_type == AVMEDIA_TYPE_VIDEO && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC) &&
        par->codec_id != AV_CODEC_ID_NONE && par->width > 0 && video < 0)
      video = static_cast<int>(i);
    if (par->codec_type == AVMEDIA_TYPE_AUDIO && par->codec_id != AV_CODEC_ID_NONE && audio < 0) audio = static_cast<int>(i);
    if (par->codec_type == AVMEDIA_TYPE_DATA && par->codec_tag == MKTAG('g', 'p', 'm', 'd') && gpmd < 0)
      gpmd = static_cast<int>(i);
  }
  info.tags["streams"] = streams;
  const std::string fmt = info.format;
  const bool image_format = fmt.find("image2") != std::string::npos || fmt.find("_pipe") != std::string::npos;
  if (video >= 0) info.kind = image_format ? "image" : "video";
  else if (audio >= 0) info.kind = "audio";
  else throw Error(Errc::unsupported, "probe: " + name + ": no audio or video stream libav can read (format " + fmt + ")");
  // libav guesses a format for almost any bytes ("tty", "mp3" on noise): insist on a known codec.
  if (fmt == "tty" || fmt == "txt" || fmt == "data")
    throw Error(Errc::corrupt_data, "probe: " + name + ": not a media file (libav sees only '" + fmt + "')");

  // One pass over the packets (no decoding): video timestamps for the measured frame rate, GPMF payloads.
  std::vector<double> pts;
  bool read_error = false;
  std::size_t gpmf_packet = 0;
  {
    av::PacketPtr pkt = av::make_packet();
    for (;;) {
      const int ret = av_read_frame(ctx.get(), pkt.get());
      if (ret == AVERROR_EOF) break;
      if (ret < 0) {
        read_error = true;
        info.diagnostics.warn("media.read_error", "reading packets stopped early: " + av::error_string(ret), name);
        break;
      }
      av::PacketUnrefGuard guard(pkt.get());
      const AVStream* st = ctx->streams[pkt->stream_index];
      if (pkt->stream_index == video && pkt->pts != AV_NOPTS_VALUE) {
        pts.push_back(static_cast<double>(pkt->pts) * av_q2d(st->time_base));
      } else if (pkt->stream_index == gpmd && pkt->data && pkt->size > 0) {
        const double t0 = pkt->pts == AV_NOPTS_VALUE ? 0.0
                                                     : static_cast<double>(pkt->pts - (st->start_time == AV_NOPTS_VALUE ? 0 : st->start_time)) *
                                                           av_q2d(st->time_base);
        const double dur = static_cast<double>(pkt->duration) * av_q2d(st->time_base);
        // Each packet is parsed on its own: a corrupt one costs its own samples only, and its warnings
        // say which packet and where in the file it is.
        Diagnostics packet_diags;
        gpmf_blocks += parse_gpmf_payload(pkt->data, static_cast<std::size_t>(pkt->size), t0, dur, gpmf, packet_diags);
        for (Diagnostic d : packet_diags.items()) {
          if ((d.code == "gpmf.no_gpsu" || d.code == "gpmf.gpri_no_utc") && info.diagnostics.has(d.code)) continue;
          if (d.where.empty())
            d.where = "GPMF packet " + std::to_string(gpmf_packet) + " (" + std::to_string(pkt->size) +
                      " bytes at file offset " + std::to_string(pkt->pos) + ", pts " + std::to_string(t0) + " s)";
          info.diagnostics.add(std::move(d));
        }
        ++gpmf_packet;
      }
    }
  }
  (void)read_error;

  if (video >= 0 && info.kind == "video") {
    const AVStream* st = ctx->streams[video];
    VideoInfo v;
    v.codec = avcodec_get_name(st->codecpar->codec_id);
    v.width = st->codecpar->width;
    v.height = st->codecpar->height;
    if (st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0) v.fps_header = av_q2d(st->avg_frame_rate);
    if (st->codecpar->bit_rate > 0) v.bit_rate_bps = static_cast<double>(st->codecpar->bit_rate);
    v.rotation_deg = decode::display_rotation_cw(st, info.diagnostics, name, "video");
    std::sort(pts.begin(), pts.end());
    if (!pts.empty()) v.frame_count = static_cast<std::int64_t>(pts.size());
    else if (st->nb_frames > 0) v.frame_count = st->nb_frames;
    if (pts.size() >= 2 && pts.back() > pts.front())
      v.fps = static_cast<double>(pts.size() - 1) / (pts.back() - pts.front());
    if (v.fps && v.fps_header && std::abs(*v.fps - *v.fps_header) > 0.01 * *v.fps_header)
      info.diagnostics.info("video.fps_mismatch",
                            "frame rate measured from timestamps (" + std::to_string(*v.fps) +
                                ") differs from the header's (" + std::to_string(*v.fps_header) + "): variable frame rate?",
                            name);
    if (st->nb_frames > 0 && !pts.empty() && st->nb_frames != static_cast<std::int64_t>(pts.size()))
      info.diagnostics.info("video.frame_count_mismatch",
                            "the header says " + std::to_string(st->nb_frames) + " frames, " + std::to_string(pts.size()) +
                                " video packets were counted",
                            name);
    info.video = v;
  }

  // Times.
  const AVDictionary* md = ctx->metadata;
  if (auto t = tag(md, "com.apple.quicktime.creationdate"))
    add_time_tag(info, *t, "quicktime:com.apple.quicktime.creationdate", true);
  if (auto t = tag(md, "creation_time")) add_time_tag(info, *t, "container:creation_time", false);
  for (unsigned i = 0; i < ctx->nb_streams; ++i)
    if (auto t = tag(ctx->streams[i]->metadata, "creation_time"))
      add_time_tag(info, *t, "stream" + std::to_string(i) + ":creation_time", false);

  // Positions.
  if (auto l = tag(md, "com.apple.quicktime.location.ISO6709"))
    add_iso6709_tag(info, *l, "quicktime:com.apple.quicktime.location.ISO6709");
  {
    const AVDictionaryEntry* e = nullptr;
    while ((e = av_dict_get(md, "location", e, AV_DICT_IGNORE_SUFFIX))) {
      const std::string key = e->key;
      if (key == "location" || key.rfind("location-", 0) == 0)
        add_iso6709_tag(info, e->value ? e->value : "", "udta:\xC2\xA9xyz (" + key + ")");
    }
  }
  if (auto loci = detail::read_3gpp_loci(file, info.diagnostics)) info.location_candidates.push_back(*loci);

  // Device.
  auto first_of = [&](std::initializer_list<const char*> keys) -> std::string {
    for (const char* k : keys)
      if (auto v = tag(md, k)) return *v;
    return {};
  };
  info.device.make = first_of({"com.apple.quicktime.make", "make", "com.android.manufacturer", "manufacturer"});
  info.device.model = first_of({"com.apple.quicktime.model", "model", "com.android.model"});
  info.device.software = first_of({"com.apple.quicktime.software", "software"});
  if (info.device.software.empty())
    if (auto v = tag(md, "com.android.version")) info.device.software = "Android " + *v;
  if (info.device.software.empty()) {
    std::string enc = first_of({"encoder"});
    if (enc.empty() && video >= 0)
      if (auto v = tag(ctx->streams[video]->metadata, "encoder")) enc = *v;
    info.device.software = enc;
  }
}

// Higher is preferred. The capture-start tags a device writes with its zone come first, then GPS time (an
// independent clock, but of the first fix, so derived), then container/stream times (often file close).
int time_rank(const std::string& source) {
  if (source.rfind("quicktime:com.apple.quicktime.creationdate", 0) == 0) return 60;
  if (source.rfind("exif:DateTimeOriginal", 0) == 0) return 50;
  if (source.rfind("telemetry:", 0) == 0) return 40;
  if (source.rfind("exif:GPS", 0) == 0) return 30;
  if (source.rfind("container:", 0) == 0) return 20;
  return 10;
}

int location_rank(const std::string& source) {
  if (source.rfind("quicktime:", 0) == 0) return 60;
  if (source.rfind("udta:", 0) == 0) return 50;
  if (source.rfind("3gpp:", 0) == 0) return 40;
  if (source.rfind("exif:", 0) == 0) return 30;
  return 10;
}

bool clock_looks_unset(UtcTime t) {
  static const UtcTime floor = utc_from_civil(CivilDate{2000, 1, 2});
  const UtcTime ceiling{now_utc().unix_us + std::int64_t(86400) * 1'000'000};
  return t < floor || t > ceiling;
}

fs::path find_sidecar(const fs::path& video) {
  std::error_code ec;
  const std::string stem = video.stem().string();
  const fs::path dir = video.has_parent_path() ? video.parent_path() : fs::path(".");
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file(ec)) continue;
    const fs::path p = e.path();
    if (p.stem().string() == stem && iequals(p.extension().string(), ".srt")) return p;
  }
  for (const auto& e : fs::directory_iterator(dir, ec)) {  // then any case of the base name too
    if (!e.is_regular_file(ec)) continue;
    const fs::path p = e.path();
    if (iequals(p.stem().string(), stem) && iequals(p.extension().string(), ".srt")) return p;
  }
  return {};
}

// Bytes from the file that are evidence: valid UTF-8 as is; otherwise the repaired text (U+FFFD for each
// bad byte) under `key` and the exact bytes as hex under key + "_hex".
void put_evidence_text(Json& j, const std::string& key, const std::string& value) {
  if (is_valid_utf8(value)) {
    j[key] = value;
    return;
  }
  j[key] = to_valid_utf8(value);
  j[key + "_hex"] = hex_bytes(value);
}

// Metadata tags as read (nested objects and arrays of them), with every string that is not valid UTF-8
// repaired and its bytes kept: a value under "<key>_hex", a key under "<repaired key>_key_hex".
Json repaired_tags(const Json& tags) {
  if (tags.is_array()) {
    Json out = Json::array();
    for (const auto& v : tags) out.push_back(repaired_tags(v));
    return out;
  }
  if (!tags.is_object()) return tags;
  Json out = Json::object();
  for (const auto& [key, value] : tags.items()) {
    const std::string k = is_valid_utf8(key) ? key : to_valid_utf8(key);
    if (k != key) out[k + "_key_hex"] = hex_bytes(key);
    if (value.is_string()) put_evidence_text(out, k, value.get_ref<const std::string&>());
    else out[k] = repaired_tags(value);
  }
  return out;
}

std::string fmt_deg(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

}  // namespace

void ProbeOptions::validate() const {
  if (srt) {
    std::error_code ec;
    if (!fs::exists(*srt, ec)) throw Error(Errc::not_found, "probe: " + printable(srt->string()) + ": no such SRT file");
    if (fs::is_directory(*srt, ec))
      throw Error(Errc::invalid_argument, "probe: " + printable(srt->string()) + ": SRT is a directory");
    // Refused here, before the media file is read and hashed: a FIFO, a device, an oversized file.
    require_regular_file(*srt, "probe: --telemetry");
    const std::uint64_t size = fs::file_size(*srt, ec);
    if (!ec && size > kMaxTextInputBytes)
      throw Error(Errc::invalid_argument, "probe: --telemetry: " + printable(srt->string()) + ": too large for an SRT file (" +
                                              std::to_string(size >> 20) + " MiB; at most " +
                                              std::to_string(kMaxTextInputBytes >> 20) + " MiB)");
  }
}

MediaInfo probe_media(const fs::path& file, const ProbeOptions& opts, const ProgressFn& progress) {
  opts.validate();
  const std::string name = file.string();
  std::error_code ec;
  if (!fs::exists(file, ec)) throw Error(Errc::not_found, "probe: " + printable(name) + ": no such file");
  if (fs::is_directory(file, ec)) throw Error(Errc::invalid_argument, "probe: " + printable(name) + ": is a directory");
  require_regular_file(file, "probe");  // a FIFO or a device is refused unopened, never read
  MediaInfo info;
  info.path = name;
  info.size_bytes = fs::file_size(file, ec);
  if (ec) throw Error(Errc::io, "probe: " + name + ": cannot read its size: " + ec.message());
  if (info.size_bytes == 0) throw Error(Errc::corrupt_data, "probe: " + name + ": file is empty (0 bytes)");

  std::vector<TelemetrySample> gpmf;
  std::size_t gpmf_blocks = 0;
  const bool srt_alone = iequals(file.extension().string(), ".srt");
  if (srt_alone) {
    // A DJI .SRT given alone is telemetry: its track is the result (no audio or video to read).
    info.kind = "telemetry";
    info.format = "dji-srt";
  } else if (detail::looks_like_photo(file)) {
    detail::probe_photo(file, info);
  } else {
    probe_av(file, info, gpmf, gpmf_blocks);
  }

  // Telemetry: the SRT itself, an SRT named by the user, else the file's own GPMF track, else a sidecar.
  if (srt_alone) {
    info.telemetry = read_dji_srt(file, info.diagnostics);
    info.diagnostics.info("telemetry.used", "the file is DJI SRT telemetry, read as such", name);
  } else if (opts.srt) {
    info.telemetry = read_dji_srt(*opts.srt, info.diagnostics);
    info.diagnostics.info("telemetry.used", "telemetry from " + opts.srt->string() + " (given), not a sidecar", opts.srt->string());
  } else if (!gpmf.empty() || gpmf_blocks > 0) {
    TelemetryTrack t;
    t.source = "gopro-gpmf";
    t.file = name;
    t.samples = std::move(gpmf);
    t.payloads = gpmf_blocks;
    if (std::any_of(t.samples.begin(), t.samples.end(), [](const TelemetrySample& s) { return s.utc.has_value(); }))
      t.utc_source = "GPS time";
    info.telemetry = std::move(t);
  } else if (opts.find_sidecar && info.kind == "video") {
    const fs::path side = find_sidecar(file);
    if (!side.empty()) {
      info.diagnostics.info("srt.sidecar", "telemetry read from the sidecar " + side.string(), side.string());
      info.telemetry = read_dji_srt(side, info.diagnostics);
    }
  }
  // A DJI clock is local time: read it in --tz, else in the zone where the drone was.
  if (info.telemetry && info.telemetry->source == "dji-srt") {
    auto& t = *info.telemetry;
    const auto fix = std::find_if(t.samples.begin(), t.samples.end(),
                                  [](const TelemetrySample& x) { return x.locked && is_valid(x.point); });
    if (opts.tz) {
      localize_track_clock(t, *opts.tz, "--tz", info.diagnostics);
    } else if (opts.zone_at && fix != t.samples.end()) {
      if (const auto zone = opts.zone_at(fix->point))
        localize_track_clock(t, *zone, "the zone at the telemetry's first position", info.diagnostics);
    }
  }
  if (srt_alone && info.telemetry && info.telemetry->samples.size() >= 2)
    info.duration_s = info.telemetry->samples.back().t_s - info.telemetry->samples.front().t_s;
  if (info.telemetry) {
    const auto& s = info.telemetry->samples;
    const auto first_locked = std::find_if(s.begin(), s.end(), [](const TelemetrySample& x) { return x.locked; });
    if (first_locked != s.end()) {
      if (first_locked->utc) {
        SourcedTime t;
        t.utc = UtcTime{first_locked->utc->unix_us - static_cast<std::int64_t>(std::llround(first_locked->t_s * 1e6))};
        t.source = "telemetry:" + info.telemetry->source + " " +
                   (info.telemetry->utc_source.empty() ? std::string("GPS time") : info.telemetry->utc_source) +
                   " of the first fix minus its t_s";
        t.derived = true;
        info.created_candidates.push_back(t);
      }
      Location loc;
      loc.point = first_locked->point;
      loc.source = "telemetry:" + info.telemetry->source + " first locked sample";
      loc.raw = fmt_deg(loc.point.lat_deg) + "," + fmt_deg(loc.point.lon_deg);
      info.location_candidates.push_back(loc);
    }
  }

  // Choose a time: the highest-ranked candidate whose clock does not look unset.
  for (const auto& c : info.created_candidates) {
    if (clock_looks_unset(c.utc))
      info.diagnostics.warn("time.clock_unset",
                            "time " + format_utc(c.utc) + " looks like an unset clock (before 2000-01-02 or in the future); not used",
                            c.source);
  }
  for (const auto& c : info.created_candidates) {
    if (clock_looks_unset(c.utc)) continue;
    if (!info.created || time_rank(c.source) > time_rank(info.created->source)) info.created = c;
  }
  if (info.created) {
    for (const auto& c : info.created_candidates) {
      if (clock_looks_unset(c.utc) || c.source == info.created->source) continue;
      const double diff = std::abs(c.utc.unix_s() - info.created->utc.unix_s());
      if (diff > 2.0)
        info.diagnostics.info("time.candidates_disagree",
                              c.source + " differs from the chosen " + info.created->source + " by " +
                                  std::to_string(static_cast<long long>(std::llround(diff))) + " s",
                              c.source);
    }
  } else if (info.kind != "audio") {
    info.diagnostics.warn("time.none", "no trustworthy capture time in the file", name);
  }
  for (const auto& l : info.location_candidates)
    if (!info.location || location_rank(l.source) > location_rank(info.location->source)) info.location = l;
  check_telemetry_against_video(info);

  if (opts.hash) info.sha256 = sha256_file(file, progress);
  return info;
}

Json to_json(const TelemetrySample& s) {
  Json j = Json::object();
  j["t_s"] = round_to(s.t_s, 6);
  j["utc"] = s.utc ? Json(format_utc(*s.utc, 3)) : Json(nullptr);
  if (s.local_clock) j["local_clock"] = format_utc(*s.local_clock, 3).substr(0, 23);  // no 'Z': zone unknown
  j["lat_deg"] = round_to(s.point.lat_deg, 7);
  j["lon_deg"] = round_to(s.point.lon_deg, 7);
  j["alt_m"] = s.point.h_m ? Json(round_to(*s.point.h_m, 3)) : Json(nullptr);
  auto opt = [&](const char* key, const std::optional<double>& v, int digits) {
    if (v) j[key] = round_to(*v, digits);
  };
  opt("rel_alt_m", s.rel_alt_m, 3);
  opt("speed_mps", s.speed_mps, 3);
  opt("gimbal_pitch_deg", s.gimbal_pitch_deg, 2);
  opt("gimbal_roll_deg", s.gimbal_roll_deg, 2);
  opt("gimbal_yaw_deg", s.gimbal_yaw_deg, 2);
  opt("aircraft_pitch_deg", s.aircraft_pitch_deg, 2);
  opt("aircraft_roll_deg", s.aircraft_roll_deg, 2);
  opt("aircraft_yaw_deg", s.aircraft_yaw_deg, 2);
  if (s.gps_fix) j["gps_fix"] = *s.gps_fix;
  opt("dop", s.dop, 2);
  j["locked"] = s.locked;
  return j;
}

Json to_json(const MediaInfo& info) {
  Json j = Json::object();
  j["path"] = info.path;
  if (!is_valid_utf8(info.path)) j["path_hex"] = hex_bytes(info.path);
  j["sha256"] = info.sha256.empty() ? Json(nullptr) : Json(info.sha256);
  j["size_bytes"] = info.size_bytes;
  j["kind"] = info.kind;
  j["format"] = info.format;
  j["duration_s"] = info.duration_s ? Json(round_to(*info.duration_s, 6)) : Json(nullptr);
  if (info.video) {
    const VideoInfo& v = *info.video;
    Json vj = Json::object();
    vj["codec"] = v.codec;
    vj["width"] = v.width;
    vj["height"] = v.height;
    vj["fps"] = v.fps ? Json(round_to(*v.fps, 4)) : Json(nullptr);
    vj["fps_header"] = v.fps_header ? Json(round_to(*v.fps_header, 4)) : Json(nullptr);
    vj["rotation_deg"] = v.rotation_deg;
    vj["frame_count"] = v.frame_count ? Json(*v.frame_count) : Json(nullptr);
    j["video"] = vj;
  } else {
    j["video"] = nullptr;
  }
  Json created = info.created ? to_json(*info.created) : Json::object();
  if (!info.created) created["utc"] = nullptr;
  if (info.created && !info.created->local_offset_min) created["local_offset"] = nullptr;
  Json cands = Json::array();
  for (const auto& c : info.created_candidates) {
    Json cj = to_json(c);
    if (clock_looks_unset(c.utc)) cj["clock_unset"] = true;
    cands.push_back(cj);
  }
  created["candidates"] = cands;
  j["created"] = created;
  auto loc_json = [](const Location& l) {
    Json lj = Json::object();
    lj["lat_deg"] = round_to(l.point.lat_deg, 7);
    lj["lon_deg"] = round_to(l.point.lon_deg, 7);
    lj["alt_m"] = l.point.h_m ? Json(round_to(*l.point.h_m, 3)) : Json(nullptr);
    lj["source"] = l.source;
    put_evidence_text(lj, "raw", l.raw);
    return lj;
  };
  j["location"] = info.location ? loc_json(*info.location) : Json(nullptr);
  Json lc = Json::array();
  for (const auto& l : info.location_candidates) lc.push_back(loc_json(l));
  j["location_candidates"] = lc;
  Json device = Json::object();
  for (const auto& [key, value] : {std::pair<const char*, const std::string&>{"make", info.device.make},
                                   {"model", info.device.model},
                                   {"software", info.device.software}})
    put_evidence_text(device, key, value);
  j["device"] = device;
  if (info.telemetry) {
    const auto& t = *info.telemetry;
    Json tj = Json::object();
    tj["source"] = t.source;
    tj["file"] = t.file;
    tj["samples"] = t.samples.size();
    tj["payloads"] = t.payloads;
    tj["locked_samples"] = std::count_if(t.samples.begin(), t.samples.end(), [](const TelemetrySample& s) { return s.locked; });
    tj["first"] = t.samples.empty() ? Json(nullptr) : to_json(t.samples.front());
    tj["last"] = t.samples.empty() ? Json(nullptr) : to_json(t.samples.back());
    tj["utc_source"] = t.utc_source;
    tj["summary"] = track_summary(t);
    j["telemetry"] = tj;
  } else {
    j["telemetry"] = nullptr;
  }
  j["tags"] = repaired_tags(info.tags);
  j["diagnostics"] = to_json(info.diagnostics);
  std::vector<InputRef> inputs{InputRef{info.path, info.sha256, info.size_bytes}};
  j["provenance"] = to_json(make_provenance("probe", Json::object(), inputs));
  return j;
}

Json track_geojson(const TelemetryTrack& track, const Json& provenance) {
  Json fc = Json::object();
  fc["type"] = "FeatureCollection";
  Json features = Json::array();
  auto coord = [](const TelemetrySample& s) {
    Json c = Json::array({round_to(s.point.lon_deg, 7), round_to(s.point.lat_deg, 7)});
    if (s.point.h_m) c.push_back(round_to(*s.point.h_m, 3));
    return c;
  };
  Json line = Json::array();
  for (const auto& s : track.samples)
    if (s.locked) line.push_back(coord(s));
  if (line.size() >= 2) {
    Json f = Json::object();
    f["type"] = "Feature";
    f["geometry"] = {{"type", "LineString"}, {"coordinates", line}};
    f["properties"] = {{"kind", "track"}, {"source", track.source}, {"file", track.file},
                       {"samples", line.size()}, {"note", "locked samples only"}};
    features.push_back(f);
  }
  for (std::size_t i = 0; i < track.samples.size(); ++i) {
    const auto& s = track.samples[i];
    Json f = Json::object();
    f["type"] = "Feature";
    f["geometry"] = {{"type", "Point"}, {"coordinates", coord(s)}};
    Json props = to_json(s);
    props.erase("lat_deg");
    props.erase("lon_deg");
    props["index"] = i;
    f["properties"] = props;
    features.push_back(f);
  }
  fc["features"] = features;
  fc["provenance"] = provenance;
  return fc;
}

}  // namespace geo
