#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Compares two `BENCH_VERBOSE=1 scripts/bench-match.sh` logs (their stderr) view by view: the located /
# not found decision, the fix centre (est=, reference pixels; 1 m at the bench references) and every other
# printed value but the time. For checking that a change to the matcher leaves its results as they were.
#   scripts/bench-match-compare.py BEFORE.err AFTER.err
import re, sys
pat = re.compile(r'^\s+(\S+->\S+) ([PN]) #(\d+) seed=(\d+) found=(\d) method=(\S*) err=(\S+) conf=(\S+) (.*) t=\S+ (.*) est=\(([^,]+),([^)]+)\) em=(\S+)')
def load(path):
    views = {}
    truth = None
    for line in open(path):
        if line.startswith('    truth='):
            truth = line.strip()
            continue
        m = pat.match(line)
        if not m:
            continue
        key = (m.group(1), m.group(2), int(m.group(4)), int(m.group(3)))
        views[key] = dict(found=m.group(5), method=m.group(6), err=m.group(7), conf=m.group(8),
                          rest=m.group(9) + ' ' + m.group(10), est=(float(m.group(11)), float(m.group(12))),
                          em=m.group(13), truth=truth)
    return views
a, b = load(sys.argv[1]), load(sys.argv[2])
common = sorted(set(a) & set(b))
dec_diff = [k for k in common if a[k]['found'] != b[k]['found']]
max_d = 0.0
other = 0
for k in common:
    if a[k]['found'] == '1' and b[k]['found'] == '1':
        d = ((a[k]['est'][0] - b[k]['est'][0]) ** 2 + (a[k]['est'][1] - b[k]['est'][1]) ** 2) ** 0.5
        max_d = max(max_d, d)
    fields = ('method', 'err', 'conf', 'rest', 'em', 'truth')
    if any(a[k][f] != b[k][f] for f in fields) or a[k]['est'] != b[k]['est']:
        other += 1
        if other <= 10:
            print('differs:', k, {f: (a[k][f], b[k][f]) for f in fields + ('est',) if a[k][f] != b[k][f]})
located = sum(1 for k in common if a[k]['found'] == '1' and b[k]['found'] == '1')
print(f'views compared: {len(common)} (only in first {len(set(a) - set(b))}, only in second {len(set(b) - set(a))})')
print(f'located in both runs: {located}; decisions that differ: {len(dec_diff)} {dec_diff[:10]}')
print(f'max fix difference of located views: {max_d:.4f} m (1 m reference pixels)')
print(f'views with any printed value (time aside) different: {other}')
