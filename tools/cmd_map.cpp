// SPDX-License-Identifier: Apache-2.0
// `geoev map`: publication-ready maps of a case (geo::render::render_map, render_timeline,
// write_html_map).
#include <cstdio>

#include "common/cli.hpp"
#include "geo/core/error.hpp"
#include "geo/core/text.hpp"
#include "geo/render/html_map.hpp"
#include "geo/render/map.hpp"

namespace {

struct Common {
  geoev::CommonOptions common;
  std::string case_dir, out, compounds, title, page;
  std::vector<std::string> extend;
  int width_px = 1600;
  bool force = false;
};

void add_shared(geoev::po::options_description& desc, Common& c) {
  desc.add_options()
      ("case", geoev::po::value(&c.case_dir)->required(), "the case")
      ("output,o", geoev::po::value(&c.out)->required(), "the map to write: .png, .pdf, .svg (or .html: interactive)")
      ("compounds", geoev::po::value(&c.compounds), "compound registry replacing the shipped one")
      ("compounds-extend", geoev::po::value(&c.extend)->multitoken(), "registry files adding to the shipped one")
      ("title", geoev::po::value(&c.title), "the map's title (default: from the case)")
      ("width-px", geoev::po::value(&c.width_px)->default_value(c.width_px), "width of a PNG or SVG, pixels")
      ("page", geoev::po::value(&c.page), "a4 | letter: a landscape page (for PDF)");
  geoev::add_force_option(desc, c.force);
  geoev::add_common_options(desc, c.common);
}

geo::render::MapData load(const Common& c) {
  geo::spatial::RegistrySelection sel{c.compounds, geoev::list_values(c.extend)};
  return geo::render::load_map_data(c.case_dir, sel);
}

void print_notes(const std::vector<std::string>& notes) {
  for (const auto& n : notes) std::fprintf(stderr, "note: %s\n", geo::printable(n).c_str());
}

int run_timeline(const geoev::Args& args) {
  return geoev::run_guarded("map timeline", [&] {
    Common c;
    geoev::po::options_description desc("options");
    add_shared(desc, c);
    geoev::po::variables_map vm;
    if (!geoev::parse_args(args, "map timeline --case DIR -o OUT.(png|pdf|svg) [options]", desc, {}, vm)) return geoev::kExitOk;
    geoev::output_format(c.out, "", {"png", "pdf", "svg"});
    geoev::guard_output(c.out, c.force, {c.case_dir});
    geo::render::TimelineOptions o;
    o.title = c.title;
    o.width_px = c.width_px;
    o.page = c.page;
    o.validate();
    const auto r = geo::render::render_timeline(load(c), o, c.out);
    if (c.common.json) {
      geoev::print_json(geo::render::to_json(r));
      return geoev::kExitOk;
    }
    std::printf("wrote %s: %d compounds, %d dated and %d undated events\n", geo::printable(c.out).c_str(), r.rows,
                r.events_dated, r.events_undated);
    print_notes(r.notes);
    return geoev::kExitOk;
  });
}

int run_map(const geoev::Args& args) {
  if (!args.empty() && args[0] == "timeline") return run_timeline(geoev::Args(args.begin() + 1, args.end()));
  return geoev::run_guarded("map", [&] {
    Common c;
    std::string compound, bbox, imagery, imagery_date, kind = "automatic";
    std::int64_t event_id = 0;
    bool no_blur = false;
    geoev::po::options_description desc("options");
    desc.add_options()
        ("compound", geoev::po::value(&compound), "a site map of this compound (its id)")
        ("event", geoev::po::value(&event_id), "a site map around this event (its id)")
        ("bbox", geoev::po::value(&bbox), "the map's area MINLON,MINLAT,MAXLON,MAXLAT")
        ("kind", geoev::po::value(&kind)->default_value(kind), "overview | site | automatic (site when a compound or event frames it)")
        ("imagery", geoev::po::value(&imagery), "imagery drawn under a site map (any raster geoev reads)")
        ("imagery-date", geoev::po::value(&imagery_date), "when the imagery was taken, YYYY-MM-DD")
        ("no-blur-faces", geoev::po::bool_switch(&no_blur), "interactive map: keep faces in frame thumbnails unblurred (internal use only)");
    add_shared(desc, c);
    geoev::po::variables_map vm;
    if (!geoev::parse_args(args,
                           "map --case DIR [--compound ID | --event ID | --bbox ...] [--imagery RASTER] -o OUT.(png|pdf|svg|html)\n"
                           "       geoev map timeline --case DIR -o OUT.(png|pdf|svg)",
                           desc, {}, vm))
      return geoev::kExitOk;
    const std::string format = geoev::output_format(c.out, "", {"png", "pdf", "svg", "html"});
    std::vector<std::string> inputs{c.case_dir};
    if (!imagery.empty()) inputs.push_back(imagery);
    geoev::guard_output(c.out, c.force, inputs);
    std::optional<geo::GeoBox> box;
    if (!bbox.empty()) box = geo::parse_geo_box(bbox);
    if (format == "html") {
      geo::render::HtmlMapOptions o;
      o.title = c.title;
      if (!imagery.empty()) o.imagery = imagery;
      if (!imagery_date.empty()) o.imagery_date = imagery_date;
      o.bbox = box;
      o.blur_faces = !no_blur;
      o.validate();
      const auto r = geo::render::write_html_map(load(c), o, c.out);
      if (c.common.json) {
        geoev::print_json(geo::render::to_json(r));
        return geoev::kExitOk;
      }
      std::printf("wrote %s: %d events, %d compounds, %d tracks; %d thumbnails (%d faces blurred)%s\n",
                  geo::printable(c.out).c_str(), r.markers, r.compound_polygons + r.compound_points, r.tracks,
                  r.thumbnails, r.faces_blurred, o.blur_faces ? "" : ", FACES NOT BLURRED");
      print_notes(r.notes);
      return geoev::kExitOk;
    }
    geo::render::MapOptions o;
    o.kind = geo::render::parse_map_kind(kind);
    o.compound_id = compound;
    o.event_id = event_id;
    o.bbox = box;
    o.imagery = imagery;
    o.imagery_date = imagery_date;
    o.title = c.title;
    o.width_px = c.width_px;
    o.page = c.page;
    o.validate();
    const auto r = geo::render::render_map(load(c), o, c.out);
    if (c.common.json) {
      geoev::print_json(geo::render::to_json(r));
      return geoev::kExitOk;
    }
    std::printf("wrote %s: %s map, %d events, scale bar %s, %s\n", geo::printable(c.out).c_str(),
                geo::render::to_string(r.kind), r.events_drawn, r.scale_bar.text.c_str(), r.crs.c_str());
    print_notes(r.notes);
    return geoev::kExitOk;
  });
}

const geoev::Registrar reg{{"map", "maps of a case: overview, site (with imagery), timeline, interactive HTML", run_map}};

}  // namespace
