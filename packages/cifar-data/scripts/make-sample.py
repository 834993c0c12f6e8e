#!/usr/bin/env python3
"""Builds data/cifar-10-sample.tar.gz: a balanced CIFAR-10 sample in the official binary record format.

Takes the first 100 training and the first 50 test images of each class (in the order of the pack
below, itself a fixed shuffle of the official splits) from the offline JPEG copy of CIFAR-10
(PACK_DIR, decoded with Pillow: pixels close to, not bit-identical with, the official ones).
Records keep their pack order. Output members (like the official archive, under one folder):
  cifar-10-sample-bin/data_batch_1.bin  1000 records of 1 label byte + 3072 CHW pixel bytes
  cifar-10-sample-bin/test_batch.bin     500 records
  cifar-10-sample-bin/batches.meta.txt   the ten class names
Usage: /usr/bin/python3 scripts/make-sample.py PACK_DIR   (prints the archive's size and MD5)
"""
import gzip, hashlib, io, os, sys, tarfile
from array import array
from PIL import Image

if len(sys.argv) != 2:
    sys.exit('usage: make-sample.py PACK_DIR  (the JPEG pack of CIFAR-10: {train,test}_jpeg.bin, _offsets.u32, _labels.u8)')
pack = sys.argv[1]
here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, '..', 'data', 'cifar-10-sample.tar.gz')
classes = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']

def sample(split, per_class):
    blob = open(os.path.join(pack, split + '_jpeg.bin'), 'rb').read()
    offs = array('I'); offs.frombytes(open(os.path.join(pack, split + '_offsets.u32'), 'rb').read())
    if sys.byteorder != 'little': offs.byteswap()
    labels = open(os.path.join(pack, split + '_labels.u8'), 'rb').read()
    taken = [0] * 10; recs = []
    for i, lab in enumerate(labels):
        if taken[lab] == per_class: continue
        taken[lab] += 1
        im = Image.open(io.BytesIO(blob[offs[i]:offs[i + 1]])).convert('RGB')
        assert im.size == (32, 32)
        r, g, b = im.split()
        recs.append(bytes([lab]) + r.tobytes() + g.tobytes() + b.tobytes())
        if sum(taken) == 10 * per_class: break
    assert taken == [per_class] * 10
    return b''.join(recs)

members = [('data_batch_1.bin', sample('train', 100)), ('test_batch.bin', sample('test', 50)),
           ('batches.meta.txt', ('\n'.join(classes) + '\n\n').encode())]
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode='w', format=tarfile.USTAR_FORMAT) as t:
    for name, data in members:
        info = tarfile.TarInfo('cifar-10-sample-bin/' + name)
        info.size = len(data); info.mtime = 0; info.mode = 0o644
        t.addfile(info, io.BytesIO(data))
# mtime=0 in the gzip header too, so rebuilding gives the same bytes (and MD5).
with open(out, 'wb') as f, gzip.GzipFile(fileobj=f, mode='wb', compresslevel=9, mtime=0, filename='') as gz:
    gz.write(raw.getvalue())
data = open(out, 'rb').read()
print(os.path.abspath(out), len(data), hashlib.md5(data).hexdigest())

# Independent expectations for test/sample.test.ts: labels and an MD5 of some images in NHWC order.
import json
def nhwc(rec):
    px = rec[1:]
    return bytes(px[c * 1024 + p] for p in range(1024) for c in range(3))
check = {'size': len(data), 'md5': hashlib.md5(data).hexdigest()}
for name, blob in members[:2]:
    n = len(blob) // 3073
    recs = [blob[i * 3073:(i + 1) * 3073] for i in range(n)]
    check[name] = {'count': n, 'labels': [r[0] for r in recs],
                   'nhwcMd5': {str(i): hashlib.md5(nhwc(recs[i])).hexdigest() for i in (0, 1, n // 2, n - 1)}}
with open(os.path.join(here, '..', 'test', 'fixtures', 'sample-check.json'), 'w') as f:
    json.dump(check, f)
