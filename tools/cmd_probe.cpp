// SPDX-License-Identifier: Apache-2.0
#include <cstdio>
#include <string>
#include <vector>

#include "common/cli.hpp"
#include "geo/core/error.hpp"
#include "geo/core/provenance.hpp"
#include "geo/core/text.hpp"
#include "geo/events/case.hpp"
#include "geo/media/probe.hpp"
#include "geo/media/telemetry.hpp"

namespace {

std::string opt_num(const std::optional<double>& v, const char* fmt) {
  if (!v) return "unknown";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, *v);
  return buf;
}

void print_text(const geo::MediaInfo& m) {
  std::printf("%s\n  sha256 %s  %llu bytes  %s (%s)  duration %s s\n", geo::printable(m.path).c_str(), m.sha256.c_str(),
              static_cast<unsigned long long>(m.size_bytes), m.kind.c_str(), m.format.c_str(),
              opt_num(m.duration_s, "%.3f").c_str());
  if (m.video)
    std::printf("  video %s %dx%d  fps %s (header %s)  rotation %g deg  frames %s\n", m.video->codec.c_str(),
                m.video->width, m.video->height, opt_num(m.video->fps, "%.3f").c_str(),
                opt_num(m.video->fps_header, "%.3f").c_str(), m.video->rotation_deg,
                m.video->frame_count ? std::to_string(*m.video->frame_count).c_str() : "unknown");
  if (m.created) {
    std::printf("  created %s (%s)%s\n", geo::format_utc(m.created->utc, 3).c_str(), m.created->source.c_str(),
                m.created->local_offset_min
                    ? ("  local " + geo::format_local(m.created->utc, *m.created->local_offset_min)).c_str()
                    : "");
  } else {
    std::printf("  created unknown\n");
  }
  for (const auto& c : m.created_candidates)
    std::printf("    candidate %s  %s\n", geo::format_utc(c.utc, 3).c_str(), c.source.c_str());
  if (m.location)
    std::printf("  location %.7f, %.7f%s  (%s)\n", m.location->point.lat_deg, m.location->point.lon_deg,
                m.location->point.h_m ? ("  alt " + opt_num(m.location->point.h_m, "%.1f") + " m").c_str() : "",
                m.location->source.c_str());
  else
    std::printf("  location unknown\n");
  std::printf("  device make '%s' model '%s' software '%s'\n", geo::printable(m.device.make).c_str(),
              geo::printable(m.device.model).c_str(), geo::printable(m.device.software).c_str());
  if (m.telemetry) {
    const geo::Json s = geo::track_summary(*m.telemetry);
    std::printf("  telemetry %s: %zu samples (%zu with a GPS fix) over %.1f s from %s\n", m.telemetry->source.c_str(),
                m.telemetry->samples.size(), s["locked"].get<std::size_t>(), s["span_s"].get<double>(),
                geo::printable(m.telemetry->file).c_str());
    if (!s["start_utc"].is_null())
      std::printf("    %s to %s, %s\n", s["start_utc"].get<std::string>().c_str(), s["end_utc"].get<std::string>().c_str(),
                  m.telemetry->utc_source.c_str());
    if (!s["first_position"].is_null())
      std::printf("    from %.6f, %.6f, within %s of it\n", s["first_position"]["lat_deg"].get<double>(),
                  s["first_position"]["lon_deg"].get<double>(), geo::format_distance(s["extent_m"].get<double>()).c_str());
    if (!m.telemetry->samples.empty()) {
      std::printf("    first %s\n", geo::dump_json(geo::to_json(m.telemetry->samples.front())).c_str());
      std::printf("    last  %s\n", geo::dump_json(geo::to_json(m.telemetry->samples.back())).c_str());
    }
  }
  for (const auto& d : m.diagnostics.items())
    std::printf("  %s: %s: %s%s\n", geo::to_string(d.severity), d.code.c_str(), geo::printable(d.message).c_str(),
                d.where.empty() ? "" : (" [" + geo::printable(d.where) + "]").c_str());
}

int run_probe(const geoev::Args& args) {
  return geoev::run_guarded("probe", [&] {
    namespace po = geoev::po;
    geoev::CommonOptions common;
    std::vector<std::string> files;
    std::string srt, track, case_dir, tz;
    po::options_description desc("options");
    desc.add_options()
        ("files", po::value(&files)->required()->multitoken(), "media files (video, audio, JPEG/HEIC photo)")
        ("telemetry", po::value(&srt), "a DJI .SRT telemetry file for the (single) video (an .SRT given alone is read as telemetry)")
        ("track", po::value(&track), "write the telemetry track as GeoJSON (single file only)")
        ("case", po::value(&case_dir), "record the media and their GPS/telemetry as observations in this case");
    bool force = false;
    geoev::add_force_option(desc, force);
    geoev::add_tz_option(desc, tz);
    geoev::add_common_options(desc, common);
    po::positional_options_description pos;
    pos.add("files", -1);
    po::variables_map vm;
    if (!geoev::parse_args(args, "probe FILE... [--json] [--telemetry FILE.SRT] [--tz ZONE] [--track OUT.geojson]", desc, pos, vm))
      return geoev::kExitOk;
    if ((!srt.empty() || !track.empty()) && files.size() != 1)
      throw geoev::UsageError("--telemetry and --track take exactly one media file");
    {
      std::vector<std::string> inputs = files;
      inputs.push_back(srt);
      geoev::guard_output(track, force, inputs);
    }
    geo::ProbeOptions opts;
    if (!srt.empty()) opts.srt = srt;
    opts.tz = geoev::zone_option(tz);
    opts.zone_at = [](const geo::GeoPoint& p) -> std::optional<geo::TimeZone> {
      const auto z = geoev::local_zone(p, "");
      if (!z) return std::nullopt;
      return z->zone;
    };
    opts.validate();
    std::vector<geo::MediaInfo> infos;
    for (const auto& f : files) infos.push_back(geo::probe_media(f, opts, geoev::make_progress(common.quiet)));
    geoev::end_progress();
    if (!case_dir.empty()) {
      const auto c = geo::events::open_case(case_dir);
      for (const auto& m : infos) geo::events::record_probe(c, m);
    }
    if (!track.empty()) {
      if (!infos[0].telemetry)
        throw geo::Error(geo::Errc::not_found, "probe: " + files[0] + ": no telemetry track to write to " + track);
      geo::Json params = {{"track", track}};
      if (!srt.empty()) params["srt"] = srt;
      std::vector<geo::InputRef> inputs{geo::InputRef{infos[0].path, infos[0].sha256, infos[0].size_bytes}};
      if (!srt.empty()) inputs.push_back(geo::input_ref(srt));
      geo::write_track_geojson(*infos[0].telemetry, track, geo::to_json(geo::make_provenance("probe", params, inputs)));
    }
    if (common.json) {
      if (infos.size() == 1) {
        geoev::print_json(geo::to_json(infos[0]));
      } else {
        geo::Json arr = geo::Json::array();
        for (const auto& m : infos) arr.push_back(geo::to_json(m));
        geoev::print_json(arr);
      }
      return geoev::kExitOk;
    }
    for (const auto& m : infos) print_text(m);
    if (!track.empty()) std::printf("track written to %s\n", track.c_str());
    return geoev::kExitOk;
  });
}

const geoev::Registrar reg{{"probe", "hash and read metadata (time, place, device, telemetry) of media files", run_probe}};

}  // namespace
