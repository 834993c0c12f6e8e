#!/usr/bin/env python3
"""Fixtures of apps/bench/test/fidelity-peers.test.ts from the PyTorch peers: each peer's trainable parameters at the
classes aa-bench's registry builds it with (CIFAR-100 for exercise 3 and manifold_100), and the subsets that the peers'
port of the @aa generator picks. Run with Debian's python3 (python3-torch):
    /usr/bin/python3 apps/bench/scripts/peer-fixtures.py apps/bench/test/fixtures/peers.json
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_models import MODELS, count_params  # noqa: E402
from peer_rng import subset_indices  # noqa: E402

REGISTRY_CLASSES = {name: 100 for name in ('bottleneck_plain', 'bottleneck_rezero', 'dense_plain', 'dense_rezero', 'manifold_100')}

out = {'params': [], 'subsets': []}
for name, spec in MODELS.items():
    for classes in sorted({10, REGISTRY_CLASSES.get(name, 10)}):
        if name == 'manifold_100' and classes == 10:
            continue
        out['params'].append({'model': name, 'bench': spec['bench'], 'classes': classes, 'params': count_params(spec['build'](classes))})
for count, n, seed in [(50, 10, 0), (1000, 100, 7), (50000, 10000, 0), (10000, 2500, 1), (10000, 2500, 3), (50000, 1000, 0), (10000, 500, 1)]:
    idx = subset_indices(count, n, seed)
    out['subsets'].append({'count': count, 'n': n, 'seed': seed, 'sum': sum(idx), 'sumOfSquares': sum(i * i for i in idx),
                           'head': idx[:20], 'tail': idx[-20:]})
with open(sys.argv[1], 'w') as f:
    json.dump(out, f, indent=1)
