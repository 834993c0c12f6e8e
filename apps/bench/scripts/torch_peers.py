#!/usr/bin/env python3
"""PyTorch peers of every model aa-bench trains: the chapter's sections and exercises 2-6.

Trains one model with one seed on aa-bench's train/test subsets and writes a JSON record of every epoch (and, for the
shift-protocol CNNs, exercise 1's shift figures), the format of the chapter's chapter14_reference.py, which
`aa-bench compare` reads. Run it once per model and seed.

    /usr/bin/python3 torch_peers.py MODEL OUT_JSON --data cifar-10-binary.tar.gz [--train 10000 --test 2500 --epochs 5]
        [--seed 0] [--data-seed 0] [--dataset cifar10|cifar100] [--threads 1]
    /usr/bin/python3 torch_peers.py --count-params [MODEL ...] [--dataset cifar100]
    /usr/bin/python3 torch_peers.py --list

--data: an extracted cifar-10-batches-bin (cifar-100-binary) folder or its parent, or the official binary archive.
--data-seed: aa-bench's --seed, which picks the subsets (train with it, test with it + 1) when fewer images than the
split are used; all seeds of one `aa-bench --seed s --seeds n` run share the subsets of seed s.
Needs Debian's python3-torch (apt-get install -y python3-torch).
"""
import argparse
import json
import os
import sys
import time

import torch

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts in the source tree
from peer_data import load, select
from peer_models import MODELS, count_params
from peer_train import shift_metrics, train

CLASSES = {'cifar10': 10, 'cifar100': 100}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('model', nargs='?', help='one of: ' + ', '.join(MODELS))
    p.add_argument('out', nargs='?', help='the JSON file to write')
    p.add_argument('--epochs', type=int, default=30)
    p.add_argument('--train', type=int, default=50000)
    p.add_argument('--test', type=int, default=10000)
    p.add_argument('--batch', type=int, default=128)
    p.add_argument('--data', help='cifar-10-batches-bin folder (or its parent) or cifar-10-binary.tar.gz; cifar-100-binary for CIFAR-100')
    p.add_argument('--dataset', choices=sorted(CLASSES), help="data set (default: the model's, else cifar10)")
    p.add_argument('--seed', type=int, default=0, help='weights, shuffles, crops and MixUp')
    p.add_argument('--data-seed', type=int, default=0, help="aa-bench's --seed: which images the subsets hold")
    p.add_argument('--threads', type=int, default=0, help='torch threads (0: torch default)')
    p.add_argument('--image-id', type=int, default=213, help="full-test-set image whose 64 crops' probabilities are recorded (shift models)")
    p.add_argument('--count-params', nargs='*', metavar='MODEL', help='print the trainable parameters of these models (default all) and stop')
    p.add_argument('--list', action='store_true', help='print the models and their aa-bench counterparts and stop')
    a = p.parse_args(argv)
    if a.list or a.count_params is not None:
        return a
    if a.model not in MODELS:
        p.error('MODEL must be one of %s, got %r.' % (', '.join(MODELS), a.model))
    if not a.out:
        p.error('OUT_JSON is required.')
    if not a.data:
        p.error('--data is required: a cifar-10-batches-bin folder, its parent, or cifar-10-binary.tar.gz.')
    for name in ('epochs', 'train', 'test', 'batch'):
        if getattr(a, name) < 1:
            p.error('--%s must be a positive integer, got %d.' % (name, getattr(a, name)))
    fixed = MODELS[a.model]['dataset']
    if fixed and a.dataset and a.dataset != fixed:
        p.error('--dataset must be %s for %s, got %s.' % (fixed, a.model, a.dataset))
    return a


def dataset_of(name, given):
    return MODELS[name]['dataset'] or given or 'cifar10'


def main(argv):
    a = parse_args(argv)
    if a.list:
        for name, spec in MODELS.items():
            print('%-18s %s%s' % (name, ', '.join(spec['bench']), ' (%s)' % spec['note'] if spec['note'] else ''))
        return
    if a.count_params is not None:
        unknown = [m for m in a.count_params if m not in MODELS]
        if unknown:
            raise SystemExit('--count-params: unknown model %s; known: %s.' % (unknown[0], ', '.join(MODELS)))
        for name in a.count_params or list(MODELS):
            dataset = dataset_of(name, a.dataset)
            model = MODELS[name]['build'](CLASSES[dataset])
            print(json.dumps(dict(model=name, bench=MODELS[name]['bench'], dataset=dataset, classes=CLASSES[dataset], params=count_params(model))))
        return

    spec = MODELS[a.model]
    dataset = dataset_of(a.model, a.dataset)
    if a.threads:
        torch.set_num_threads(a.threads)
    t_load = time.time()
    xtr_all, ytr_all, xte_all, yte_all = load(a.data, dataset)
    xtr, ytr = select(xtr_all, ytr_all, a.train, a.data_seed)
    xte, yte = select(xte_all, yte_all, a.test, a.data_seed + 1)
    t_load = time.time() - t_load

    torch.manual_seed(a.seed)
    model = spec['build'](CLASSES[dataset])
    rec = dict(model=a.model, bench=spec['bench'], tool='torch_peers.py', device='cpu', torch=torch.__version__,
               threads=torch.get_num_threads(), params=count_params(model), dataset=dataset, classes=CLASSES[dataset],
               train=len(ytr), test=len(yte), epochs=a.epochs, batch=a.batch, seed=a.seed, data_seed=a.data_seed,
               mixup_alpha=spec['mixup'], manifold_alpha=spec['manifold'], load_s=t_load, history=[])

    def on_epoch(record, history):
        rec['history'] = history
        rec['finalAccuracy'] = record['test_acc']
        print(a.model, 'seed', a.seed, 'epoch', record['epoch'], round(record['train_s'], 2), round(record['train_loss'], 4),
              round(record['test_acc'], 4), flush=True)
        write(a.out, rec)

    t0 = time.time()
    train(model, spec, (xtr, ytr, xte, yte), a.epochs, a.batch, a.seed, on_epoch)
    if spec['shift']:
        index = min(a.image_id, len(yte_all) - 1)
        image = select(xte_all[index:index + 1], yte_all[index:index + 1], 1, 0)
        rec['shift'] = shift_metrics(model, xte, yte, (index,) + image)
    rec['wall_s'] = time.time() - t0
    write(a.out, rec)
    print(a.model, 'done', json.dumps({k: v for k, v in rec.get('shift', {}).items() if k != 'image_probs'}), flush=True)


def write(path, rec):
    # Written whole, then renamed: a reader never sees half a file, and a killed run leaves its last finished epoch.
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(rec, f)
    os.replace(tmp, path)


if __name__ == '__main__':
    main(sys.argv[1:])
