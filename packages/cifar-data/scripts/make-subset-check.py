#!/usr/bin/env python3
"""Writes test/fixtures/cifar10-subset-check.json: what @aa/cifar10-subset must decode to, computed with
Pillow straight from the source JPEG pack of CIFAR-10 (not from the subset package's files).

The subset is the first 1,000 training and 250 test images of each class in the pack's order. For five
positions of each split this records the source index, the exact label, the per-channel mean pixel and
the 4x4 grid of 8x8-block means per channel (which a transposed or mirrored decode would not match).
Usage: /usr/bin/python3 scripts/make-subset-check.py SRC_DIR   (SRC_DIR: {train,test}_jpeg.bin, _offsets.u32, _labels.u8)
"""
import io, json, os, sys
from array import array
import numpy as np
from PIL import Image

if len(sys.argv) != 2:
    sys.exit('usage: make-subset-check.py SRC_DIR')
src = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
out = {'decoder': 'Pillow %s' % Image.__version__}
for split, per_class, positions in (('train', 1000, [0, 1, 2, 5000, 9999]), ('test', 250, [0, 1, 2, 1250, 2499])):
    blob = open(os.path.join(src, split + '_jpeg.bin'), 'rb').read()
    offs = array('I')
    offs.frombytes(open(os.path.join(src, split + '_offsets.u32'), 'rb').read())
    labels = open(os.path.join(src, split + '_labels.u8'), 'rb').read()
    seen, kept = [0] * 10, []
    for i, lab in enumerate(labels):
        if seen[lab] < per_class:
            seen[lab] += 1
            kept.append(i)
    images = []
    for k in positions:
        i = kept[k]
        px = np.asarray(Image.open(io.BytesIO(blob[offs[i]:offs[i + 1]])).convert('RGB'), dtype=np.float64)  # HWC
        images.append({'position': k, 'sourceIndex': i, 'label': labels[i],
                       'channelMeans': [round(v, 4) for v in px.mean((0, 1)).tolist()],
                       # [row block][column block][channel], each the mean of an 8x8 block.
                       'blockMeans': np.round(px.reshape(4, 8, 4, 8, 3).mean((1, 3)), 4).tolist()})
    out[split] = {'count': len(kept), 'images': images}
with open(os.path.join(here, '..', 'test', 'fixtures', 'cifar10-subset-check.json'), 'w') as f:
    json.dump(out, f)
    f.write('\n')
print({s: [(im['position'], im['label'], im['channelMeans']) for im in out[s]['images']] for s in ('train', 'test')})
