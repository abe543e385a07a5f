// SPDX-License-Identifier: Apache-2.0
#include <cmath>
#include <cstdio>
#include <optional>
#include <tuple>

#include "common/cli.hpp"
#include "geo/core/text.hpp"
#include "geo/events/record.hpp"
#include "geo/core/atomic_file.hpp"
#include "geo/core/error.hpp"
#include "geo/match/match.hpp"
#include "geo/render/overlay.hpp"

namespace {

int run_match(const geoev::Args& args) {
  return geoev::run_guarded("match", [&] {
    namespace po = geoev::po;
    geoev::CommonOptions common;
    std::vector<std::string> frame_paths;
    std::string frames_json, imagery, near, bbox, out, overlay, index_dir, case_dir, detector = "sift", gsd_range, imagery_date, assume_crs;
    double heading = NAN, altitude = NAN, hfov = NAN, gsd = NAN, tilt = NAN;
    geo::MatchOptions opts;
    po::options_description desc("options");
    desc.add_options()
        ("frame", po::value(&frame_paths)->multitoken(), "frame image(s) to locate")
        ("frames", po::value(&frames_json), "a frames.json written by `geoev frames`")
        ("imagery", po::value(&imagery)->required(), "georeferenced reference imagery (GeoTIFF, VRT, ...)")
        ("near", po::value(&near), "search centre LAT,LON (needs --radius-m)")
        ("radius-m", po::value(&opts.radius_m), "search radius around --near, metres")
        ("bbox", po::value(&bbox), "search box MINLON,MINLAT,MAXLON,MAXLAT")
        ("heading-deg", po::value(&heading), "compass direction the top of the frame faces")
        ("heading-tol-deg", po::value(&opts.heading_tol_deg)->default_value(opts.heading_tol_deg), "uncertainty of --heading-deg")
        ("altitude-m", po::value(&altitude), "camera height above ground, metres (with --hfov-deg)")
        ("hfov-deg", po::value(&hfov), "horizontal field of view, degrees")
        ("gsd-m", po::value(&gsd), "ground metres per frame pixel at the frame centre")
        ("gsd-tol", po::value(&opts.gsd_tol)->default_value(opts.gsd_tol, geoev::shortest(opts.gsd_tol)), "relative uncertainty of the scale prior")
        ("tilt-deg", po::value(&tilt), "camera angle from straight down, degrees")
        ("ref-gsd-m", po::value(&opts.ref_gsd_m)->default_value(0.0), "reference resolution (0 = native, >= 0.5 m)")
        ("assume-crs", po::value(&assume_crs), "CRS of imagery with a world file but no CRS, e.g. EPSG:4326")
        ("imagery-date", po::value(&imagery_date), "when the imagery was taken, YYYY-MM-DD (or an ISO 8601 time with its zone), as the provider states it")
        ("detector", po::value(&detector)->default_value(detector), "sift | akaze | orb")
        ("no-dense", "disable the dense gradient-orientation search")
        ("gsd-range", po::value(&gsd_range), "scale range searched when no scale prior is given, MIN,MAX metres per frame pixel (default 0.25,1.2)")
        ("output,o", po::value(&out), "write a GeoJSON FeatureCollection of the footprints")
        ("case", po::value(&case_dir), "record every fix and not-found result as observations in this case")
        ("overlay", po::value(&overlay), "write per frame a labelled overlay figure (PNG) into this new directory")
        ("no-blur-faces", "overlays: keep faces in the frames unblurred (internal use only)")
        ("index-dir", po::value(&index_dir), "cache the reference and its keypoint index here for later runs");
    bool force = false;
    geoev::add_force_option(desc, force);
    geoev::add_common_options(desc, common);
    po::positional_options_description pos;
    pos.add("frame", -1);
    po::variables_map vm;
    if (!geoev::parse_args(args, "match (FRAME... | --frames DIR/frames.json) --imagery RASTER [options]", desc, pos, vm))
      return geoev::kExitOk;
    if (frame_paths.empty() == frames_json.empty())
      throw geoev::UsageError("give frame images or --frames DIR/frames.json (not both)");
    if (!near.empty()) opts.near = geo::parse_lat_lon(near);
    if (!bbox.empty()) opts.bbox = geo::parse_geo_box(bbox);
    // A prior given on the command line must be a number: "nan" or "inf" is refused, not ignored.
    auto set = [&](std::optional<double>& o, double v, const char* flag) {
      if (!vm.count(flag)) return;
      if (!std::isfinite(v)) throw geoev::UsageError(std::string("--") + flag + " must be a finite number");
      o = v;
    };
    set(opts.heading_deg, heading, "heading-deg");
    set(opts.altitude_m, altitude, "altitude-m");
    set(opts.hfov_deg, hfov, "hfov-deg");
    set(opts.gsd_m, gsd, "gsd-m");
    set(opts.tilt_deg, tilt, "tilt-deg");
    opts.align.detector = geo::parse_detector(detector);
    opts.align.dense = vm.count("no-dense") == 0;
    if (!gsd_range.empty()) std::tie(opts.align.min_gsd_m, opts.align.max_gsd_m) = geo::parse_gsd_range(gsd_range);
    if (!overlay.empty()) opts.overlay_dir = overlay;
    if (!index_dir.empty()) opts.index_dir = index_dir;
    if (!imagery_date.empty()) opts.imagery_date = imagery_date;
    opts.assume_crs = assume_crs;
    std::vector<geo::FrameRef> frames;
    if (!frames_json.empty()) frames = geo::frames_from_json(frames_json);
    for (const auto& p : frame_paths) frames.push_back({p, std::nullopt});
    opts.validate();
    std::vector<std::string> inputs = frame_paths;
    inputs.push_back(frames_json);
    inputs.push_back(imagery);
    geoev::guard_output(out, force, inputs);
    geoev::guard_output(overlay, false, inputs, true);
    std::optional<geo::events::CaseInfo> the_case;  // opened first: a bad case fails before any work
    if (!case_dir.empty()) the_case = geo::events::open_case(case_dir);
    // The case is written before the overlays and the GeoJSON appear: when it fails, nothing is left.
    if (the_case) opts.before_commit = [&](const geo::MatchResult& res) { geo::events::record_match(*the_case, res); };
    // The overlays are render's labelled figures (match cannot reach render); the imagery is opened once
    // for them, as match opened it, at the first frame.
    std::optional<geo::Raster> overlay_imagery;
    geo::render::OverlayOptions overlay_opts;
    overlay_opts.blur_faces = vm.count("no-blur-faces") == 0;
    if (!overlay.empty())
      opts.draw_overlay = [&](const geo::OverlayRequest& q) {
        if (!overlay_imagery) {
          geo::OpenOptions oo;
          oo.assume_crs = opts.assume_crs;
          overlay_imagery = geo::Raster::open(imagery, oo);
          overlay_opts.imagery_date = q.result.imagery_acquired.value_or("");
        }
        geo::render::render_match_overlay(q.fix, q.image, *overlay_imagery, overlay_opts, q.out);
      };
    const geo::MatchResult r = geo::match_frames(frames, imagery, opts, geoev::make_progress(common.quiet));
    geoev::end_progress();
    if (!out.empty()) geo::write_file_atomic(out, geo::dump_json(geo::to_geojson(r), 2) + "\n");
    if (common.json) {
      geoev::print_json(geo::to_json(r));
      return geoev::kExitOk;
    }
    std::printf("%s: %d of %zu frames located (reference %.2f m/px, sha256 %s)\n", geo::printable(imagery).c_str(), r.located,
                r.frames.size(), r.reference_gsd_m, r.imagery_sha256.substr(0, 16).c_str());
    for (const auto& f : r.frames) {
      if (f.status == geo::FixStatus::located) {
        std::printf("  %s: located at %.6f, %.6f \xc2\xb1%s (confidence %.2f, %s)%s\n", geo::printable(f.frame).c_str(),
                    f.center.lat_deg, f.center.lon_deg, geo::format_distance(f.error_m).c_str(), f.confidence,
                    f.method.c_str(), f.outlier ? ", an OUTLIER among the video's frames" : "");
        std::printf("    heading %s, %.2f m per frame pixel, tilt %s\n",
                    f.heading_deg ? (std::to_string(static_cast<int>(std::lround(*f.heading_deg)) % 360) + "\xc2\xb0").c_str() : "unknown",
                    f.gsd_m,
                    f.tilt_deg ? (std::to_string(static_cast<int>(std::lround(*f.tilt_deg))) + "\xc2\xb0 from nadir (footprint shape, hfov " +
                                  std::to_string(static_cast<int>(f.tilt_hfov_deg)) + "\xc2\xb0 assumed)").c_str()
                               : "unknown");
      } else {
        // The reason, and the option that would help, from the frame's own diagnostics.
        const std::string why = geo::why_not_found(f);
        std::printf("  %s: not found: %s\n", geo::printable(f.frame).c_str(), geo::printable(why).c_str());
      }
      geoev::print_diagnostics(f.diagnostics, geo::Severity::warning, f.frame);
    }
    if (r.combined_center)
      std::printf("  combined centre %.7f, %.7f (median spread %.1f m%s)\n", r.combined_center->lat_deg,
                  r.combined_center->lon_deg, r.combined_spread_m,
                  r.camera_moved.value_or(false) ? "; the camera moved: the middle of its path" : "");
    geoev::print_diagnostics(r.diagnostics);
    return geoev::kExitOk;
  });
}

const geoev::Registrar reg{{"match", "geolocate frames against georeferenced imagery", run_match}};

}  // namespace
