// SPDX-License-Identifier: Apache-2.0
// `geoev report`: the evidence report of a case as HTML or PDF (geo::reporting::write_report).
#include <cstdio>

#include "common/cli.hpp"
#include "geo/core/text.hpp"
#include "geo/report/report.hpp"

namespace {

int run_report(const geoev::Args& args) {
  return geoev::run_guarded("report", [&] {
    geoev::CommonOptions common;
    std::string case_dir, out, compounds, title;
    std::vector<std::string> extend;
    bool force = false, blur = false, no_blur = false;
    geoev::po::options_description desc("options");
    desc.add_options()
        ("case", geoev::po::value(&case_dir)->required(), "the case (read only)")
        ("output,o", geoev::po::value(&out)->required(), "the report to write: .html (self-contained) or .pdf (A4)")
        ("title", geoev::po::value(&title), "the report's title (default: from the case)")
        ("compounds", geoev::po::value(&compounds), "compound registry replacing the shipped one (as given to geoev run)")
        ("compounds-extend", geoev::po::value(&extend)->multitoken(), "registry files adding to the shipped one")
        ("blur-faces", geoev::po::bool_switch(&blur), "blur faces in every image (the default)")
        ("no-blur-faces", geoev::po::bool_switch(&no_blur), "keep faces unblurred (internal use only; the first page says so)");
    geoev::add_force_option(desc, force);
    geoev::add_common_options(desc, common);
    geoev::po::variables_map vm;
    if (!geoev::parse_args(args, "report --case DIR -o REPORT.(html|pdf) [--no-blur-faces] [--title T] [options]", desc, {}, vm))
      return geoev::kExitOk;
    if (blur && no_blur) throw geoev::UsageError("--blur-faces and --no-blur-faces cannot be given together");
    geoev::output_format(out, "", {"html", "htm", "pdf"});
    geoev::guard_output(out, force, {case_dir});
    geo::reporting::ReportOptions o;
    o.blur_faces = !no_blur;
    o.title = title;
    o.compounds = {compounds, geoev::list_values(extend)};
    const auto r = geo::reporting::write_report(case_dir, o, out, geoev::make_progress(common.quiet));
    geoev::end_progress();
    if (common.json) {
      geoev::print_json(geo::reporting::to_json(r));
      return geoev::kExitOk;
    }
    std::printf("wrote %s: %d events, %d files of footage (%d located), %d images; faces %s; verification %s; custody head %s\n",
                geo::printable(r.output.string()).c_str(), r.events, r.videos, r.videos_located, r.images,
                r.blur_faces ? ("blurred (" + std::to_string(r.faces_blurred) + " areas)").c_str() : "NOT BLURRED",
                r.verified ? "passed" : "FAILED", r.custody_head.empty() ? "none" : r.custody_head.c_str());
    for (const auto& p : r.verify_problems) std::fprintf(stderr, "warning: verify: %s\n", geo::printable(p).c_str());
    for (const auto& m : r.missing_media) std::fprintf(stderr, "warning: missing original: %s\n", geo::printable(m).c_str());
    if (!common.quiet)
      for (const auto& n : r.notes) std::fprintf(stderr, "note: %s\n", geo::printable(n).c_str());
    return geoev::kExitOk;
  });
}

const geoev::Registrar reg{{"report", "the evidence report of a case: HTML or PDF, faces blurred", run_report}};

}  // namespace
