// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>

#include "common/cli.hpp"
#include "geo/core/text.hpp"
#include "geo/core/error.hpp"
#include "geo/events/record.hpp"
#include "geo/media/frames.hpp"

namespace {

int run_frames(const geoev::Args& args) {
  return geoev::run_guarded("frames", [&] {
    namespace po = geoev::po;
    geoev::CommonOptions common;
    std::string video, out, mode = "shots", format = "jpg", sheet;
    geo::FrameExtractOptions opts;
    po::options_description desc("options");
    desc.add_options()
        ("video", po::value(&video)->required(), "the video file")
        ("output,o", po::value(&out)->required(), "output directory (must not exist, or be empty)")
        ("mode", po::value(&mode)->default_value(mode), "keyframes | interval | shots")
        ("every-s", po::value(&opts.every_s)->default_value(opts.every_s), "interval mode: seconds between frames")
        ("max-frames", po::value(&opts.max_frames)->default_value(opts.max_frames), "stop after N frames (0 = no limit)")
        ("format", po::value(&format)->default_value(format), "jpg | png")
        ("quality", po::value(&opts.jpeg_quality)->default_value(opts.jpeg_quality), "JPEG quality 1..100")
        ("contact-sheet", po::value(&sheet), "also write a grid of the frames with their times (.jpg/.png)")
        ("telemetry", po::value<std::string>()->notifier([&](const std::string& t) { opts.telemetry = t; }),
         "DJI .SRT telemetry for the per-frame camera state (default: GPMF track, else <stem>.SRT beside the video)")
        ("cut-threshold", po::value(&opts.cut_threshold)->default_value(opts.cut_threshold, geoev::shortest(opts.cut_threshold)),
         "shots mode: histogram distance (0..1) that starts a new shot")
        ("subshot-drift", po::value(&opts.subshot_drift)->default_value(opts.subshot_drift),
         "shots mode: camera movement (fraction of the frame) that starts a sub-shot");
    std::string case_dir;
    bool force = false;
    desc.add_options()("case", po::value(&case_dir), "record the video, one row per frame and a custody entry in this case");
    geoev::add_force_option(desc, force);
    geoev::add_common_options(desc, common);
    po::positional_options_description pos;
    pos.add("video", 1);
    po::variables_map vm;
    if (!geoev::parse_args(args, "frames VIDEO -o DIR [options]", desc, pos, vm)) return geoev::kExitOk;
    try {  // a value that is not one of the choices is a usage error (exit 2), like an unknown option
      opts.mode = geo::parse_frame_mode(mode);
      opts.format = geo::parse_image_format(format);
    } catch (const geo::Error& e) {
      throw geoev::UsageError(e.what());
    }
    if (!sheet.empty()) opts.contact_sheet = sheet;
    geoev::guard_output(out, false, {video}, true);
    geoev::guard_output(sheet, force, {video});
    std::optional<geo::events::CaseInfo> kase;  // opened before any work: a bad case writes nothing
    if (!case_dir.empty()) kase = geo::events::open_case(case_dir);
    std::size_t recorded = 0;
    // The case is written before the frames appear: when it fails, nothing is left behind.
    if (kase) opts.before_commit = [&](const geo::FrameExtractResult& res) { recorded = geo::events::record_frames(*kase, res); };
    const geo::FrameExtractResult r = geo::extract_frames(video, out, opts, geoev::make_progress(common.quiet));
    geoev::end_progress();
    if (common.json) {
      geo::Json j = geo::to_json(r);
      if (kase) j["case"] = geo::Json{{"dir", kase->dir.string()}, {"frames_recorded", recorded}};
      geoev::print_json(j);
      return geoev::kExitOk;
    }
    std::printf("%s: %zu frames (%s mode, %lld decoded) -> %s/\n", geo::printable(r.video).c_str(), r.frames.size(),
                geo::to_string(opts.mode), static_cast<long long>(r.frames_decoded), geo::printable(out).c_str());
    std::printf("  sha256 %s  rotation %g deg  created %s\n", r.video_sha256.c_str(), r.rotation_cw_deg,
                r.created ? (geo::format_utc(r.created->utc) + " (" + r.created->source + ")").c_str() : "unknown");
    for (const auto& f : r.frames)
      std::printf("  %-32s pts %9.3f s  shot %d.%d  sharp %8.1f  phash %s%s\n", f.file.c_str(), f.pts_s, f.shot,
                  f.subshot, f.sharpness, f.phash.c_str(), f.keyframe ? "  key" : "");
    if (r.contact_sheet) std::printf("  contact sheet: %s\n", r.contact_sheet->c_str());
    if (kase) std::printf("  recorded %zu frames in case %s\n", recorded, geo::printable(kase->dir.string()).c_str());
    if (r.telemetry)
      std::printf("  telemetry: %s %s (%zu samples); camera state on %zu of %zu frames\n", r.telemetry->source.c_str(),
                  r.telemetry->file.c_str(), r.telemetry->samples,
                  static_cast<std::size_t>(std::count_if(r.frames.begin(), r.frames.end(),
                                                         [](const geo::FrameRecord& f) { return f.camera.has_value(); })),
                  r.frames.size());
    geoev::print_diagnostics(r.diagnostics);
    return geoev::kExitOk;
  });
}

const geoev::Registrar reg{{"frames", "extract upright frames (keyframes, interval or shots) with hashes", run_frames}};

}  // namespace
