// SPDX-License-Identifier: Apache-2.0
// The interactive map's own style and script, inlined after Leaflet. The script reads the data from the
// page's JSON block and builds every popup with DOM calls and textContent: no string from the data is
// ever parsed as HTML or code (Leaflet reads a string given to a popup or tooltip as HTML, so every
// one gets an element).
namespace geo::render::html {

extern const char* const kPageCss;
extern const char* const kPageScript;

const char* const kPageCss = R"CSS(
html, body { margin: 0; height: 100%; font: 14px/1.35 "DejaVu Sans", Arial, sans-serif; color: #1b1b1b; }
#geoev-header { height: 52px; box-sizing: border-box; padding: 6px 12px; background: #20262e; color: #fff; }
#geoev-header h1 { margin: 0; font-size: 17px; font-weight: bold; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#geoev-subtitle { margin: 2px 0 0; font-size: 12px; color: #c9d1d9; }
#geoev-map { position: absolute; top: 52px; bottom: 0; left: 0; right: 0; background: #cfdde6; }
.geoev-pin { background: none; border: none; }
.geoev-pin svg { display: block; overflow: visible; }
.leaflet-tooltip.geoev-label { font-size: 12px; font-weight: bold; padding: 1px 5px; border-radius: 3px;
  background: rgba(255,255,255,0.92); border: 1px solid #555; box-shadow: none; color: #111; }
.leaflet-tooltip.geoev-compound-label { font-size: 12px; padding: 1px 5px; background: rgba(255,255,255,0.85);
  border: 1px solid #b3261e; color: #7a1410; box-shadow: none; }
.leaflet-tooltip.geoev-time { font-size: 11px; padding: 0 4px; background: rgba(255,255,255,0.92);
  border: 1px solid #c25400; color: #5a2800; box-shadow: none; }
.geoev-far .geoev-compound-label, .geoev-far .geoev-time { display: none; }
.geoev-popup { max-width: 340px; }
.geoev-popup h3 { margin: 0 0 4px; font-size: 14px; word-break: break-word; }
.geoev-popup table { border-collapse: collapse; font-size: 12px; }
.geoev-popup th { text-align: left; vertical-align: top; padding: 1px 8px 1px 0; color: #555; font-weight: normal; white-space: nowrap; }
.geoev-popup td { padding: 1px 0; word-break: break-word; }
.geoev-popup ul { margin: 4px 0 0; padding-left: 16px; color: #8a4b00; font-size: 12px; }
.geoev-popup img { display: block; margin-top: 6px; max-width: 320px; border: 1px solid #999; }
.geoev-popup .geoev-caption { font-size: 11px; color: #555; }
.geoev-box { background: rgba(255,255,255,0.94); padding: 6px 8px; border-radius: 4px; border: 1px solid #999;
  font-size: 12px; line-height: 1.4; max-width: 320px; }
.geoev-box b { display: block; margin-bottom: 2px; }
.geoev-ramp { height: 10px; width: 180px; border: 1px solid #555; margin: 2px 0; }
.geoev-ramp-ends { display: flex; justify-content: space-between; width: 182px; font-size: 11px; }
.geoev-swatch { display: inline-block; width: 14px; height: 10px; margin-right: 5px; vertical-align: middle; }
.geoev-sources { max-width: 520px; font-size: 11px; color: #333; }
.geoev-message { font-size: 15px; padding: 10px 14px; }
)CSS";

const char* const kPageScript = R"JS(
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('geoev-data').textContent);
  document.getElementById('geoev-subtitle').textContent = data.subtitle;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  // For the one place Leaflet takes only a string (the layer control's names): the text as HTML.
  function asHtml(text) { return el('span', null, text).outerHTML; }
  function row(table, name, value) {
    if (value === undefined || value === null || value === '') return;
    var tr = el('tr');
    tr.appendChild(el('th', null, name));
    tr.appendChild(el('td', null, value));
    table.appendChild(tr);
  }

  var map = L.map('geoev-map', { zoomSnap: 0.25, maxZoom: 21, attributionControl: false, preferCanvas: false });
  map.fitBounds(data.view);
  L.control.scale({ imperial: false, maxWidth: 160 }).addTo(map);

  // Own panes, so that the land is under the imagery and the imagery under the data whatever the order
  // in which layers are added or toggled (tiles would be at 200, vectors and markers are at 400-600).
  map.createPane('geoevBase').style.zIndex = 250;
  map.createPane('geoevImagery').style.zIndex = 300;

  // Land and borders (Natural Earth), under everything; not interactive.
  L.geoJSON(data.basemap, { interactive: false, pane: 'geoevBase', renderer: L.svg({ pane: 'geoevBase' }),
    style: { color: '#8c8c8c', weight: 1, fillColor: '#f2efe6', fillOpacity: 1 } }).addTo(map);

  var overlays = {};
  if (data.imagery) {
    var img = L.imageOverlay(data.imagery.url, data.imagery.bounds, { opacity: 1, interactive: false, pane: 'geoevImagery' });
    img.addTo(map);
    overlays[asHtml('Imagery: ' + data.imagery.name + (data.imagery.date ? ' (' + data.imagery.date + ')' : ''))] = img;
  }

  var footprints = L.layerGroup();
  data.footprints.forEach(function (f) {
    var g = L.geoJSON(f.geometry, { style: { color: '#1d6fb8', weight: 1.5, dashArray: '5 4', fillColor: '#1d6fb8', fillOpacity: 0.08 } });
    g.bindPopup(function () { return el('div', 'geoev-popup', 'Ground shown by the located frames of event ' + f.event + ' (' + f.label + ')'); });
    footprints.addLayer(g);
  });

  var compounds = L.layerGroup();
  data.compounds.forEach(function (c) {
    var popup = function () {
      var d = el('div', 'geoev-popup');
      d.appendChild(el('h3', null, c.name));
      var t = el('table');
      row(t, 'id', c.id);
      row(t, 'kind', c.kind);
      row(t, 'status', c.status);
      row(t, 'country', c.country);
      row(t, 'confidence', c.confidence);
      d.appendChild(t);
      if (c.sources.length) {
        d.appendChild(el('div', 'geoev-caption', 'Sources:'));
        var ul = el('ul');
        c.sources.forEach(function (s) { ul.appendChild(el('li', null, s)); });
        d.appendChild(ul);
      }
      return d;
    };
    var style = { color: '#b3261e', weight: 2.5, fillColor: '#b3261e', fillOpacity: 0.06,
                  dashArray: c.kind === 'zone' ? '8 5' : null };
    var layer = c.point ? L.circleMarker(c.point, Object.assign({ radius: 7 }, style, { fillOpacity: 0.5 }))
                        : L.polygon(c.polygons, style);
    layer.bindPopup(popup);
    layer.bindTooltip(el('span', null, c.name), { permanent: true, direction: c.point ? 'right' : 'center', className: 'geoev-compound-label', offset: c.point ? [8, 0] : [0, 0] });
    compounds.addLayer(layer);
  });

  function pin(color) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', '26'); svg.setAttribute('height', '36'); svg.setAttribute('viewBox', '0 0 26 36');
    var p = document.createElementNS(ns, 'path');
    p.setAttribute('d', 'M13 35 C13 35 1 20 1 12.5 A12 12 0 0 1 25 12.5 C25 20 13 35 13 35 Z');
    p.setAttribute('fill', color); p.setAttribute('stroke', '#111'); p.setAttribute('stroke-width', '1.6');
    svg.appendChild(p);
    var dot = document.createElementNS(ns, 'circle');
    dot.setAttribute('cx', '13'); dot.setAttribute('cy', '12.5'); dot.setAttribute('r', '4.2');
    dot.setAttribute('fill', '#fff'); dot.setAttribute('stroke', '#111'); dot.setAttribute('stroke-width', '1.2');
    svg.appendChild(dot);
    var wrap = document.createElement('div');
    wrap.appendChild(svg);
    return L.divIcon({ html: wrap, className: 'geoev-pin', iconSize: [26, 36], iconAnchor: [13, 35], popupAnchor: [0, -32], tooltipAnchor: [12, -20] });
  }

  var events = L.layerGroup(), tracks = L.layerGroup(), byId = {};
  data.events.forEach(function (e) {
    var popup = function () {
      var d = el('div', 'geoev-popup');
      d.appendChild(el('h3', null, 'Event ' + e.id + ': ' + e.label));
      var t = el('table');
      row(t, 'time (UTC)', e.time_utc);
      row(t, 'local time', e.time_local);
      row(t, 'place', e.position);
      row(t, 'precision', e.precision + (e.uncertainty ? ', ' + e.uncertainty + ' (circle)' : ''));
      row(t, 'compound', e.compound);
      row(t, 'method', e.method);
      row(t, 'confidence', e.confidence);
      row(t, 'imagery', e.imagery);
      row(t, 'note', e.description);
      d.appendChild(t);
      if (e.warnings.length) {
        var ul = el('ul');
        e.warnings.forEach(function (w) { ul.appendChild(el('li', null, w)); });
        d.appendChild(ul);
      }
      if (e.thumbnail) {
        var im = el('img');
        im.alt = 'a frame of ' + e.label;
        im.width = e.thumbnail.width;
        im.height = e.thumbnail.height;  // sized before it decodes, so the popup is placed whole
        im.src = e.thumbnail.url;
        d.appendChild(im);
        d.appendChild(el('div', 'geoev-caption', e.thumbnail_note));
      }
      return d;
    };
    if (e.uncertainty_m > 0) {
      var dash = e.precision === 'exact' ? null : (e.precision === 'vicinity' ? '6 4' : '2 4');
      events.addLayer(L.circle(e.at, { radius: e.uncertainty_m, interactive: false, color: '#222', weight: 1.2,
        dashArray: dash, fillColor: e.color, fillOpacity: 0.15 }));
    }
    var m = L.marker(e.at, { icon: pin(e.color), title: 'Event ' + e.id + ': ' + e.label, riseOnHover: true });
    m.bindPopup(popup, { maxWidth: 360, minWidth: 240 });
    m.bindTooltip(el('span', null, '#' + e.id + ' ' + e.label), { permanent: data.labels, direction: 'right', className: 'geoev-label' });
    events.addLayer(m);
    byId[e.id] = m;
    if (e.track) {
      var line = L.polyline(e.track, { color: '#c25400', weight: 3, opacity: 0.95 });
      line.bindPopup(function () { return el('div', 'geoev-popup', 'Camera track of event ' + e.id + ' (' + e.label + '): ' + e.track_start + ' to ' + e.track_end); });
      tracks.addLayer(line);
      var ends = [[e.track[0], e.track_start, '#fff', 'left'], [e.track[e.track.length - 1], e.track_end, '#c25400', 'right']];
      ends.forEach(function (x) {
        var c = L.circleMarker(x[0], { radius: 4.5, color: '#c25400', weight: 2, fillColor: x[2], fillOpacity: 1, interactive: false });
        if (x[1]) c.bindTooltip(el('span', null, x[1]), { permanent: true, direction: x[3], className: 'geoev-time', offset: x[3] === 'left' ? [-6, 0] : [6, 0] });
        tracks.addLayer(c);
      });
    }
  });

  footprints.addTo(map);
  compounds.addTo(map);
  tracks.addTo(map);
  events.addTo(map);
  overlays['Compounds (registry)'] = compounds;
  overlays['Events (coloured by date)'] = events;
  overlays['Camera tracks'] = tracks;
  overlays['Footprints (ground the frames show)'] = footprints;
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);

  // Compound names and track times only when close enough to read them without clutter.
  function declutter() { map.getContainer().classList.toggle('geoev-far', map.getZoom() < 11); }
  map.on('zoomend', declutter);
  declutter();

  var legend = L.control({ position: 'bottomright' });
  legend.onAdd = function () {
    var d = el('div', 'geoev-box');
    d.appendChild(el('b', null, 'Events, coloured by date'));
    if (data.legend.from && data.legend.from === data.legend.to) {
      var one = el('div');
      var sw1 = el('span', 'geoev-swatch'); sw1.style.background = data.legend.ramp[2]; one.appendChild(sw1);
      one.appendChild(document.createTextNode(data.legend.from + ' (every dated event)'));
      d.appendChild(one);
    } else if (data.legend.from) {
      var bar = el('div', 'geoev-ramp');
      bar.style.background = 'linear-gradient(to right, ' + data.legend.ramp.join(', ') + ')';
      d.appendChild(bar);
      var ends = el('div', 'geoev-ramp-ends');
      ends.appendChild(el('span', null, data.legend.from));
      ends.appendChild(el('span', null, data.legend.to));
      d.appendChild(ends);
    }
    var und = el('div');
    var sw = el('span', 'geoev-swatch'); sw.style.background = data.legend.undated; und.appendChild(sw);
    und.appendChild(document.createTextNode('no capture time (at most a bound: see the popup)'));
    d.appendChild(und);
    d.appendChild(el('div', null, 'Circle: uncertainty (solid exact, dashed vicinity, dotted locality/region)'));
    d.appendChild(el('div', null, 'Orange line: camera track, times at its ends'));
    d.appendChild(el('div', null, 'Blue dashed: ground the located frames show'));
    d.appendChild(el('div', null, 'Red outline or dot: registry site (compound, zone)'));
    d.appendChild(el('div', null, 'Grey lines: country borders, generalised by up to ~3 km'));
    return d;
  };
  legend.addTo(map);

  var sources = L.control({ position: 'bottomleft' });
  sources.onAdd = function () {
    var d = el('div', 'geoev-box geoev-sources');
    data.attributions.forEach(function (a) { d.appendChild(el('div', null, a)); });
    data.notes.forEach(function (n) { d.appendChild(el('div', null, 'Note: ' + n)); });
    L.DomEvent.disableClickPropagation(d);
    return d;
  };
  sources.addTo(map);

  if (data.empty) {
    var msg = L.control({ position: 'topright' });
    msg.onAdd = function () { return el('div', 'geoev-box geoev-message', 'This case has no events yet: only the registry sites are shown.'); };
    msg.addTo(map);
  }

  // "#event-N" opens event N's popup (a link into the map from a report, or a screenshot of a popup).
  function openFromHash() {
    var m = /^#event-(\d+)$/.exec(window.location.hash);
    if (!m || !byId[m[1]]) return;
    var mk = byId[m[1]];
    if (!map.hasLayer(events)) map.addLayer(events);
    map.setView(mk.getLatLng(), Math.max(map.getZoom(), 14), { animate: false });
    mk.openPopup();
  }
  window.addEventListener('hashchange', openFromHash);
  openFromHash();

  document.documentElement.setAttribute('data-geoev-ready', 'markers=' + data.expected.markers + ' paths=' + data.expected.paths);
})();
)JS";

}  // namespace geo::render::html
