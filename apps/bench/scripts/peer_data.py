"""CIFAR-10/100 for the PyTorch peers, from the official binary layout, with aa-bench's subsets.

Reads an extracted folder (`cifar-10-batches-bin` / `cifar-100-binary`, or the folder holding it) or the
official archive (`cifar-10-binary.tar.gz` / `cifar-100-binary.tar.gz`), the sources aa-bench's
--data-dir and --archive take. Training images are the batches in file order, as @aa/cifar-data loads them.
"""
import os
import tarfile

import numpy as np
import torch

from peer_rng import subset_indices

LAYOUTS = {
    # folder, train files, test files, label bytes (CIFAR-100: coarse then fine; the bench uses fine)
    'cifar10': ('cifar-10-batches-bin', ['data_batch_%d.bin' % i for i in range(1, 6)], ['test_batch.bin'], 1),
    'cifar100': ('cifar-100-binary', ['train.bin'], ['test.bin'], 2),
}
PIXELS = 3 * 32 * 32


def _read_members(source, dataset):
    folder, train_files, test_files, _ = LAYOUTS[dataset]
    wanted = train_files + test_files
    if os.path.isdir(source):
        base = source if os.path.exists(os.path.join(source, wanted[0])) else os.path.join(source, folder)
        missing = [f for f in wanted if not os.path.exists(os.path.join(base, f))]
        if missing:
            raise SystemExit('--data %s: not a %s folder (no %s in %s or in its %s/).' % (source, dataset, missing[0], source, folder))
        return {f: open(os.path.join(base, f), 'rb').read() for f in wanted}
    if os.path.isfile(source):
        found = {}
        with tarfile.open(source, 'r:*') as t:
            for m in t.getmembers():
                name = os.path.basename(m.name)
                if m.isfile() and name in wanted:
                    found[name] = t.extractfile(m).read()
        missing = [f for f in wanted if f not in found]
        if missing:
            raise SystemExit('--data %s: not a %s archive (no %s inside).' % (source, dataset, missing[0]))
        return found
    raise SystemExit('--data %s: no such folder or archive.' % source)


def _parse(blobs, label_bytes):
    raw = np.frombuffer(b''.join(blobs), dtype=np.uint8)
    record = label_bytes + PIXELS
    if raw.size % record:
        raise SystemExit('CIFAR file of %d bytes is not a whole number of %d-byte records.' % (raw.size, record))
    rows = raw.reshape(-1, record)
    # Each record: label byte(s), then 1024 red, 1024 green, 1024 blue bytes: already NCHW.
    return rows[:, label_bytes:].reshape(-1, 3, 32, 32), rows[:, label_bytes - 1].astype(np.int64)


def load(source, dataset):
    """Whole splits: (train_images uint8 [N,3,32,32], train_labels, test_images, test_labels)."""
    _, train_files, test_files, label_bytes = LAYOUTS[dataset]
    blobs = _read_members(source, dataset)
    xtr, ytr = _parse([blobs[f] for f in train_files], label_bytes)
    xte, yte = _parse([blobs[f] for f in test_files], label_bytes)
    return xtr, ytr, xte, yte


def select(images, labels, n, seed):
    """aa-bench's subset: n images picked with `seed` (kept in order), as uint8 [n, 3, 32, 32] and int64 tensors.
    They stay uint8 (a quarter of float32's memory); batches become [0, 1] floats with `to_float`."""
    idx = np.asarray(subset_indices(len(labels), n, seed), dtype=np.int64)
    return torch.from_numpy(np.ascontiguousarray(images[idx])), torch.from_numpy(labels[idx])


def to_float(x):
    """ToTensor's scaling: uint8 to [0, 1], no normalisation (the chapter's and the bench's inputs)."""
    return x.float().div_(255)
