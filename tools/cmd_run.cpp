// SPDX-License-Identifier: Apache-2.0
// `geoev run`: the main job in one command (geo::pipeline::run_job).
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>

#include "common/cli.hpp"
#include "geo/core/error.hpp"
#include "geo/core/text.hpp"
#include "geo/imagery/raster.hpp"
#include "geo/pipeline/run.hpp"

namespace {

// One line for the whole run: every input in progress with its stage and share done.
geo::pipeline::RunProgressFn run_progress(bool quiet) {
  const geo::ProgressFn bar = geoev::make_progress(quiet);
  if (!bar) return {};
  struct State {
    std::map<std::size_t, geo::pipeline::RunProgress> items;
  };
  auto st = std::make_shared<State>();
  return [bar, st](const geo::pipeline::RunProgress& p) {
    st->items[p.index] = p;
    double sum = 0;
    std::string active;
    std::size_t done = 0;
    for (const auto& [i, it] : st->items) {
      sum += it.fraction;
      if (it.stage == "done" || it.stage == "failed") {
        ++done;
        continue;
      }
      active += (active.empty() ? "" : " | ") + geo::printable(it.name) + " " + it.stage + " " +
                std::to_string(static_cast<int>(std::lround(it.fraction * 100))) + "%";
    }
    const std::string text = std::to_string(done) + "/" + std::to_string(p.total) + " done" + (active.empty() ? "" : ": " + active);
    bar(p.total ? sum / static_cast<double>(p.total) : 0, text);
  };
}

int run_run(const geoev::Args& args) {
  return geoev::run_guarded("run", [&] {
    namespace po = geoev::po;
    geoev::CommonOptions common;
    geo::pipeline::RunOptions opts;
    std::vector<std::string> inputs, imagery, imagery_dates, extend;
    std::string near, bbox, case_dir, compounds, telemetry, title = opts.case_title;
    po::options_description desc("options");
    desc.add_options()
        ("input", po::value(&inputs)->multitoken(), "videos, photos or directories (walked)")
        ("case", po::value(&case_dir)->required(), "the case directory (made when missing or empty)")
        ("imagery", po::value(&imagery)->multitoken(), "georeferenced imagery to match against (repeat for several dates)")
        ("imagery-date", po::value(&imagery_dates)->multitoken(),
         "when each --imagery was taken, YYYY-MM-DD, in the same order (wins over the raster's metadata)")
        ("compounds", po::value(&compounds), "compound registry replacing the shipped one")
        ("compounds-extend", po::value(&extend)->multitoken(), "registry files adding to the shipped one (repeat or commas)")
        ("near", po::value(&near), "area to search for videos without telemetry or GPS: centre LAT,LON (with --radius-m)")
        ("radius-m", po::value(&opts.radius_m), "radius of that area, metres")
        ("bbox", po::value(&bbox), "or the area as MINLON,MINLAT,MAXLON,MAXLAT")
        ("telemetry", po::value(&telemetry), "a DJI .SRT for the one video given (default: <video>.SRT beside each video)")
        ("jobs", po::value(&opts.jobs)->default_value(0), "videos processed at once (0 = one per core)")
        ("every-s", po::value(&opts.every_s)->default_value(opts.every_s, geoev::shortest(opts.every_s)),
         "a moving camera gives a frame at least this often, seconds")
        ("max-frames", po::value(&opts.max_frames)->default_value(opts.max_frames), "frames per video at most")
        ("title", po::value(&title), "the case's title when the run makes it (default: the case directory's name)")
        ("no-maps", "do not draw the case's maps into DIR/maps at the end")
        ("no-report", "do not write the evidence report (DIR/report.html, DIR/report.pdf) at the end");
    std::string tz;
    geoev::add_tz_option(desc, tz);
    geoev::add_common_options(desc, common);
    po::positional_options_description pos;
    pos.add("input", -1);
    po::variables_map vm;
    if (!geoev::parse_args(args,
                           "run VIDEO_OR_DIR... --case DIR [--imagery RASTER [--imagery-date D]]... [--near LAT,LON "
                           "--radius-m R | --bbox ...] [options]\n\n"
                           "For every video or photo: add it to the case, extract its frames, match them against the\n"
                           "imagery covering its area (telemetry, else GPS, else --near/--bbox), combine the fixes into a\n"
                           "place or a track, date it and record one event associated with the compounds; a video that\n"
                           "cannot be located is listed `not located` with the reasons. Results are kept in the case:\n"
                           "running again reuses them and does only new work.\n\n"
                           "Exit status: 0 when every input was processed (located or not located), 1 when some input\n"
                           "failed (corrupt, unreadable; the others are processed all the same) or the run could not\n"
                           "start, 2 for a usage error.",
                           desc, pos, vm))
      return geoev::kExitOk;
    if (inputs.empty()) throw geoev::UsageError("give at least one video, photo or directory");
    for (const auto& i : inputs) opts.inputs.emplace_back(i);
    opts.case_dir = case_dir;
    opts.case_title = title;
    if (!imagery_dates.empty() && imagery_dates.size() != imagery.size())
      throw geoev::UsageError("give one --imagery-date per --imagery, in the same order (" + std::to_string(imagery.size()) +
                              " imagery, " + std::to_string(imagery_dates.size()) + " dates)");
    for (std::size_t k = 0; k < imagery.size(); ++k) {
      geo::pipeline::ImageryInput im{imagery[k], std::nullopt};
      if (!imagery_dates.empty() && imagery_dates[k] != "-") im.date = imagery_dates[k];
      opts.imagery.push_back(im);
    }
    if (!near.empty()) opts.near = geo::parse_lat_lon(near);
    if (!bbox.empty()) opts.bbox = geo::parse_geo_box(bbox);
    if (!telemetry.empty()) opts.telemetry = telemetry;
    opts.compounds.replace = compounds;
    opts.compounds.extend = geoev::list_values(extend);
    opts.tz = tz;
    opts.maps = vm.count("no-maps") == 0;
    opts.report = vm.count("no-report") == 0;
    if (!tz.empty()) geoev::zone_option(tz);  // an unknown zone fails before any work
    const geo::pipeline::RunResult r = geo::pipeline::run_job(opts, run_progress(common.quiet));
    geoev::end_progress();
    if (common.json) {
      geoev::print_json(geo::pipeline::to_json(r));
    } else {
      std::fputs(geo::pipeline::summary_table(r).c_str(), stdout);
      for (const auto& s : r.skipped) std::fprintf(stderr, "note: skipped %s\n", geo::printable(s).c_str());
      std::printf("case: %s (results in %s)\n", geo::printable(r.case_dir.string()).c_str(),
                  geo::printable((r.case_dir / "run" / "last-run.json").string()).c_str());
      if (!r.maps.empty()) {
        std::printf("maps and report:");
        for (const auto& m : r.maps) std::printf(" %s", geo::printable(m.string()).c_str());
        std::printf("\n");
      }
      geoev::print_diagnostics(r.diagnostics, geo::Severity::warning);
      for (const auto& v : r.videos) geoev::print_diagnostics(v.diagnostics, geo::Severity::warning, v.path);
    }
    return r.failed() > 0 ? geoev::kExitFailure : geoev::kExitOk;
  });
}

const geoev::Registrar reg{{"run", "the main job: locate and date every video, record the events (resumable)", run_run}};

}  // namespace
