#!/usr/bin/env python3
"""Runs PyTorch peers with the weights of aa-bench's tfjs models and prints their logits: the architecture check of
apps/bench/test/fidelity-peers.test.ts. If a peer's layers, strides, paddings, blurs or shortcuts differ from the tfjs
model's, the same weights give different logits.

    /usr/bin/python3 peer_logits.py MANIFEST.json DATA.bin

MANIFEST: {"models": [{"model": NAME, "classes": K, "input": {"shape": [B, H, W, C], "offset": N},
           "weights": [{"layer": i, "name": tfjs weight name, "shape": [...], "offset": N, "flattenFrom": [H, W, C] or absent}]}]}
DATA: little-endian float32 values; offsets count floats. Weights come in the order tfjs created their layers, which is
the order PyTorch registers the peer's modules. Prints {"NAME": [[logits of image 0], ...], ...}.
"""
import json
import sys

import numpy as np
import torch
import torch.nn as nn

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts in the source tree
from peer_models import MODELS, ReZeroGate


def weighted_modules(model):
    return [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear, nn.BatchNorm1d, nn.BatchNorm2d, ReZeroGate))]


def tensor(data, entry):
    n = int(np.prod(entry['shape'])) if entry['shape'] else 1
    return np.asarray(data[entry['offset']:entry['offset'] + n], dtype=np.float32).reshape(entry['shape'])


def to_torch(module, suffix, value, flatten_from):
    """The tfjs value (channels-last layouts) as the module's parameter or buffer."""
    if isinstance(module, nn.Conv2d):
        target = {'kernel': 'weight', 'bias': 'bias'}[suffix]
        if suffix == 'kernel':
            value = value.transpose(3, 2, 0, 1)  # [kh, kw, in, out] -> [out, in, kh, kw]
    elif isinstance(module, nn.Linear):
        target = {'kernel': 'weight', 'bias': 'bias'}[suffix]
        if suffix == 'kernel':
            if flatten_from:
                # tfjs flattens [H, W, C], PyTorch [C, H, W]: reorder the kernel's input rows.
                h, w, c = flatten_from
                value = value.reshape(h, w, c, -1).transpose(2, 0, 1, 3).reshape(h * w * c, -1)
            value = value.T
    elif isinstance(module, ReZeroGate):
        target = 'alpha'
        value = value.reshape(1)
    else:
        target = {'gamma': 'weight', 'beta': 'bias', 'moving_mean': 'running_mean', 'moving_variance': 'running_var'}[suffix]
    current = getattr(module, target)
    if tuple(current.shape) != value.shape:
        raise SystemExit('%s.%s: shape %s, tfjs gives %s' % (type(module).__name__, target, tuple(current.shape), value.shape))
    with torch.no_grad():
        current.copy_(torch.from_numpy(np.ascontiguousarray(value)))


def logits(spec, data):
    model = MODELS[spec['model']]['build'](spec['classes'])
    modules = weighted_modules(model)
    # The weights of one tfjs layer share its index; their names end in kernel, bias, gamma, beta, moving_mean, ...
    layers = {}
    for w in spec['weights']:
        layers.setdefault(w['layer'], []).append((w['name'].rsplit('/', 1)[-1], w))
    layers = [layers[k] for k in sorted(layers)]
    if len(layers) != len(modules):
        raise SystemExit('%s: tfjs has %d layers with weights, the peer %d modules' % (spec['model'], len(layers), len(modules)))
    for module, weights in zip(modules, layers):
        for suffix, w in weights:
            to_torch(module, suffix, tensor(data, w), w.get('flattenFrom'))
    model.eval()
    x = torch.from_numpy(tensor(data, spec['input']).transpose(0, 3, 1, 2).copy())
    with torch.no_grad():
        return model(x).tolist()


def main(manifest, data_file):
    specs = json.load(open(manifest))['models']
    data = np.fromfile(data_file, dtype='<f4')
    print(json.dumps({s['model']: logits(s, data) for s in specs}))


if __name__ == '__main__':
    main(*sys.argv[1:3])
