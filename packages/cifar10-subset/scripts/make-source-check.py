#!/usr/bin/env python3
"""Writes test/fixtures/source-check.json: facts about the source pack that the tests compare the
shipped subset with, computed here straight from the source (not from data/).

For a few positions k of each split of the subset, the index of the source image that should sit there
under the selection rule (the k-th image, in source order, among the first N of its class), its label
and the SHA-256 of its JPEG bytes in the source; so a test can check the bytes were copied unchanged.
Usage: /usr/bin/python3 scripts/make-source-check.py SRC_DIR
"""
import hashlib, json, os, sys
from array import array

if len(sys.argv) != 2:
    sys.exit('usage: make-source-check.py SRC_DIR')
src = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
check = {}
for split, per_class in (('train', 1000), ('test', 250)):
    blob = open(os.path.join(src, split + '_jpeg.bin'), 'rb').read()
    offs = array('I')
    offs.frombytes(open(os.path.join(src, split + '_offsets.u32'), 'rb').read())
    labels = open(os.path.join(src, split + '_labels.u8'), 'rb').read()
    seen, kept = {}, []
    for i, lab in enumerate(labels):
        seen[lab] = seen.get(lab, 0) + 1
        if seen[lab] <= per_class:
            kept.append(i)
    n = len(kept)
    positions = [0, 1, 2, n // 3, n // 2, n - 2, n - 1]
    check[split] = {
        'count': n,
        'images': [{'position': k, 'sourceIndex': kept[k], 'label': labels[kept[k]],
                    'sha256': hashlib.sha256(blob[offs[kept[k]]:offs[kept[k] + 1]]).hexdigest()} for k in positions],
    }
with open(os.path.join(here, '..', 'test', 'fixtures', 'source-check.json'), 'w') as f:
    json.dump(check, f, indent=1)
    f.write('\n')
print(json.dumps(check)[:300])
