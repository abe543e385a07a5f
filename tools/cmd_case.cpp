// SPDX-License-Identifier: Apache-2.0
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "common/cli.hpp"
#include "geo/core/error.hpp"
#include "geo/core/text.hpp"
#include "geo/events/case.hpp"

namespace {

using namespace geoev;
namespace ev = geo::events;

int init(const Args& args) {
  return run_guarded("case init", [&] {
    CommonOptions common;
    std::string dir, title;
    po::options_description desc("options");
    add_common_options(desc, common);
    desc.add_options()("title", po::value(&title)->default_value(""), "case title");
    po::variables_map vm;
    if (!parse_case_command(args, "case init --case DIR [--title T]", desc, dir, vm, "case directory to create (new or empty)"))
      return 0;
    const auto info = ev::init_case(dir, title);
    if (common.json) print_json(geo::Json{{"dir", info.dir.string()}, {"title", info.title}, {"created_utc", info.created_utc}});
    else std::cout << "created case " << info.dir.string() << "\n";
    return 0;
  });
}

int add(const Args& args) {
  return run_guarded("case add", [&] {
    CommonOptions common;
    std::string dir;
    std::vector<std::string> files;
    bool copy = false;
    po::options_description desc("options");
    add_common_options(desc, common);
    desc.add_options()("case", po::value(&dir), "case directory")
        ("copy", po::bool_switch(&copy), "keep a read-only copy in DIR/originals/<sha256><ext>");
    po::options_description hidden;
    hidden.add_options()("files", po::value(&files)->multitoken(), "media files to record (never modified)");
    po::positional_options_description pos;
    pos.add("files", -1);
    po::variables_map vm;
    if (!parse_args(args, "case add --case DIR FILE... [--copy]", desc, pos, vm, &hidden)) return 0;
    // The old spelling "case add DIR FILE...": a first argument that is a case directory.
    std::string old_dir;
    if (dir.empty() && !files.empty() && std::filesystem::is_regular_file(std::filesystem::path(files[0]) / "case.json")) {
      old_dir = files[0];
      files.erase(files.begin());
    }
    dir = case_dir_option(dir, old_dir);
    if (files.empty()) throw UsageError("give the media files to add");
    const auto c = ev::open_case(dir);
    std::vector<ev::fs::path> paths(files.begin(), files.end());
    geo::Diagnostics diag;
    const auto added = ev::add_media(c, paths, ev::AddMediaOptions{copy}, diag, make_progress(common.quiet));
    if (common.json) {
      geo::Json a = geo::Json::array();
      for (const auto& m : added) a.push_back(ev::to_json(m));
      print_json(geo::Json{{"added", a}, {"diagnostics", geo::to_json(diag)}});
    } else {
      for (const auto& m : added)
        std::cout << m.sha256 << "  " << geo::printable(m.path) << (m.copy_path.empty() ? "" : "  (copied)") << "\n";
      for (const auto& d : diag.items()) std::cerr << "note: " << geo::printable(d.where) << ": " << geo::printable(d.message) << "\n";
    }
    return 0;
  });
}

int verify(const Args& args) {
  return run_guarded("case verify", [&] {
    CommonOptions common;
    std::string dir, head;
    po::options_description desc("options");
    add_common_options(desc, common);
    desc.add_options()("head", po::value(&head), "a custody head hash recorded elsewhere (e.g. in a report): the log must contain it");
    po::variables_map vm;
    if (!parse_case_command(args, "case verify --case DIR [--head HASH]", desc, dir, vm)) return 0;
    ev::VerifyOptions opts;
    if (!head.empty()) opts.expected_head = head;
    const auto rep = ev::verify_case(ev::open_case(dir), opts, make_progress(common.quiet));
    end_progress();
    if (common.json) print_json(ev::to_json(rep));
    else {
      for (const auto& i : rep.items)
        std::cout << i.status << "  " << i.sha256.substr(0, 16) << "  " << geo::printable(i.path) << "\n";
      for (const auto& p : rep.problems)
        std::cout << "PROBLEM " << p.kind << ": " << geo::printable(p.what) << " " << geo::printable(p.detail) << "\n";
      for (const auto& n : rep.notes) std::cout << "note: " << geo::printable(n) << "\n";
      std::cout << "custody log: " << rep.entries << " entries, head " << rep.head << "\n";
      std::cout << (rep.ok() ? "all files, rows and custody entries verified\n" : "VERIFICATION FAILED\n");
    }
    if (!rep.ok())
      std::cerr << "geoev case verify: error: " << rep.problems.size() << " problem(s) in the case; files changed or missing: "
                << std::count_if(rep.items.begin(), rep.items.end(), [](const ev::VerifyItem& i) { return i.status != "ok"; })
                << "\n";
    return rep.ok() ? 0 : kExitFailure;
  });
}

int log(const Args& args) {
  return run_guarded("case log", [&] {
    CommonOptions common;
    std::string dir;
    if (!parse_case_only(args, "case log --case DIR [--json]", dir, common)) return 0;
    const auto entries = ev::custody_log(ev::open_case(dir));
    if (common.json) {
      print_json(json_array(entries));
    } else {
      for (const auto& e : entries)
        std::cout << e.id << "  " << e.utc << "  " << geo::printable(e.action) << "  geoev " << geo::printable(e.tool_version)
                  << "  " << geo::printable(geo::dump_json(e.parameters)) << "\n";
    }
    return 0;
  });
}

const geoev::Registrar reg{{"case", "evidence case: init, add originals, verify, custody log", [](const Args& args) {
  return dispatch_verbs("case", args,
                        {{"init", "create a case directory", init},
                         {"add", "record original files by hash (optionally keep a copy)", add},
                         {"verify", "re-hash originals, check every row and the custody chain; exit 1 on any problem", verify},
                         {"log", "print the custody log", log}});
}}};

}  // namespace
