import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { countTrainableParams } from '@aa/rezero';
import * as tf from '@tensorflow/tfjs';

import { subset } from '../src/data';
import { EXPERIMENTS } from '../src/experiments';
import type { ModelSpec } from '../src/experiments/types';
import { REFERENCE_MODELS } from '../src/fidelity';

/**
 * The PyTorch peers (scripts/torch_peers.py) against aa-bench's models: parameter counts and subsets from
 * test/fixtures/peers.json (made by scripts/peer-fixtures.py), and, where Debian's python3-torch is installed, the
 * peers' logits with the tfjs models' weights (scripts/peer_logits.py).
 */

const fixtures = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'peers.json'), 'utf8')) as {
  params: { model: string; bench: string[]; classes: number; params: number }[];
  subsets: { count: number; n: number; seed: number; sum: number; sumOfSquares: number; head: number[]; tail: number[] }[];
};

const SCRIPTS = join(__dirname, '..', 'scripts');
const PYTHON = '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
/** Runs only where PyTorch is (.ci/run installs python3-torch; elsewhere the fixtures carry its numbers). */
const withTorch = hasTorch ? it : it.skip;

/** Every (peer name, bench model spec) pair, from REFERENCE_MODELS and the registry. */
function peerSpecs(): { peer: string; experiment: string; spec: ModelSpec }[] {
  const out: { peer: string; experiment: string; spec: ModelSpec }[] = [];
  for (const [peer, targets] of Object.entries(REFERENCE_MODELS)) {
    for (const t of targets) {
      const spec = EXPERIMENTS.find((e) => e.key === t.experiment)?.models().find((m) => m.key === t.key);
      if (spec) out.push({ peer, experiment: t.experiment, spec });
    }
  }
  return out;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the PyTorch peers', () => {
  it('every bench model has a peer with its trainable parameter count', () => {
    const pairs = peerSpecs();
    // Every model of every training experiment is some peer's counterpart (fidelity.test checks the keys too).
    const trained = EXPERIMENTS.filter((e) => e.trains).flatMap((e) => e.models().map((m) => `${e.key}/${m.key}`));
    expect([...new Set(pairs.map((p) => `${p.experiment}/${p.spec.key}`))].sort()).toEqual([...new Set(trained)].sort());
    const counted = new Map<string, number>();
    for (const { peer, experiment, spec } of pairs) {
      const classes = spec.classes ?? 10;
      const id = `${experiment}/${spec.key}`;
      if (!counted.has(id)) {
        const model = spec.build(0);
        counted.set(id, countTrainableParams(model));
        model.dispose();
      }
      const torch = fixtures.params.find((p) => p.model === peer && p.classes === classes);
      expect([peer, id, classes, torch?.params]).toEqual([peer, id, classes, counted.get(id)]);
    }
  });

  withTorch('the fixture holds what torch_peers.py --count-params prints now', () => {
    const run = (args: string[]) => {
      const r = spawnSync(PYTHON, [join(SCRIPTS, 'torch_peers.py'), '--count-params', ...args], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { model: string; classes: number; params: number });
    };
    const printed = [...run([]), ...run(['bottleneck_plain', 'bottleneck_rezero', 'dense_plain', 'dense_rezero', '--dataset', 'cifar100'])];
    for (const f of fixtures.params) expect(printed.find((p) => p.model === f.model && p.classes === f.classes)?.params).toBe(f.params);
  });

  it.each(fixtures.subsets.map((s) => [s.count, s.n, s.seed, s] as const))("aa-bench's subset of %p images keeps the %p the peers keep with seed %p", (count, n, seed, s) => {
    // Each 1×1 "image" holds its own index in three bytes, so the subset's images say which ones it kept.
    const images = new Uint8Array(count * 3);
    for (let i = 0; i < count; i++) images.set([i & 255, (i >> 8) & 255, i >> 16], i * 3);
    const picked = subset({ images, labels: new Uint8Array(count), count, height: 1, width: 1, channels: 3 }, n, seed);
    const kept = Array.from({ length: picked.count }, (_, i) => (picked.images[i * 3] as number) + ((picked.images[i * 3 + 1] as number) << 8) + ((picked.images[i * 3 + 2] as number) << 16));
    expect(kept.slice(0, 20)).toEqual(s.head);
    expect(kept.slice(-20)).toEqual(s.tail);
    expect(kept.reduce((a, b) => a + b, 0)).toBe(s.sum);
    expect(kept.reduce((a, b) => a + b * b, 0)).toBe(s.sumOfSquares);
  });
});

/** The layers of `model` that hold weights, in the order they were created (nested models expanded in place). */
function weightedLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const byCreation = [...model.layers].sort((a, b) => a.id - b.id);
  return byCreation.flatMap((l) => (l instanceof tf.LayersModel ? weightedLayers(l) : l.weights.length > 0 ? [l] : []));
}

/** [H, W, C] when `layer` reads the output of a Flatten (its kernel rows are in channels-last order). */
function flattenFrom(layer: tf.layers.Layer): number[] | undefined {
  const inbound = (layer.inboundNodes[0]?.inboundLayers ?? [])[0];
  if (inbound?.getClassName() !== 'Flatten') return undefined;
  return (inbound.inboundNodes[0]?.inputTensors[0]?.shape as number[]).slice(1);
}

describe('the peers compute what the tfjs models compute', () => {
  // One model of each architecture the bench trains (exercise 4 only adds blocks to the ResNet; aa is the chapter's filter).
  const KEYS = ['normal', 'aa_fixed', 'strided', 'aa_strided', 'avg', 'blurpool', 'resnet', 'rezero', 'bottleneck_plain', 'bottleneck_rezero', 'dense_plain', 'dense_rezero', 'rezero_aa', 'manifold_10'];

  withTorch('the same weights give the same logits in PyTorch', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aa-peer-logits-'));
    try {
      const chunks: Float32Array[] = [];
      let floats = 0;
      const push = (data: Float32Array) => {
        chunks.push(Float32Array.from(data));
        floats += data.length;
        return floats - data.length;
      };
      const tensorsBefore = tf.memory().numTensors;
      const expected: Record<string, number[][]> = {};
      const range: Record<string, [number, number]> = { gamma: [0.5, 1.5], beta: [-0.5, 0.5], moving_mean: [-0.3, 0.3], moving_variance: [0.5, 1.5], alpha: [-0.8, 0.8] };
      const specs = KEYS.map((peer, m) => {
        const spec = peerSpecs().find((p) => p.peer === peer)?.spec as ModelSpec;
        const model = spec.build(m);
        const weights: { layer: number; name: string; shape: tf.Shape; offset: number; flattenFrom?: number[] }[] = [];
        weightedLayers(model).forEach((layer, index) =>
          tf.tidy(() => {
            // Weights as built (PyTorch's init), but BatchNorm statistics and ReZero gates moved off their starting
            // values, so that every branch and every normalisation shows in the logits.
            const moved = layer.getWeights().map((value, k) => {
              const r = range[layer.weights[k]?.originalName.split('/').pop() ?? ''];
              return r ? tf.randomUniform(value.shape, r[0], r[1], 'float32', 1000 * m + index * 10 + k) : value;
            });
            layer.setWeights(moved);
            layer.weights.forEach((w, k) => weights.push({ layer: index, name: w.originalName, shape: w.shape, offset: push(moved[k]?.dataSync() as Float32Array), flattenFrom: flattenFrom(layer) }));
          }),
        );
        let input: { shape: number[]; offset: number } = { shape: [], offset: 0 };
        tf.tidy(() => {
          const x = tf.randomUniform([2, 24, 24, 3], 0, 1, 'float32', 77);
          expected[peer] = (model.predict(x) as tf.Tensor).arraySync() as number[][];
          input = { shape: x.shape, offset: push(x.dataSync() as Float32Array) };
        });
        const entry = { model: peer, classes: spec.classes ?? 10, input, weights };
        model.dispose();
        return entry;
      });
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      const data = new Float32Array(floats);
      chunks.reduce((at, c) => (data.set(c, at), at + c.length), 0);
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ models: specs }));
      writeFileSync(join(dir, 'data.bin'), Buffer.from(data.buffer));
      const r = spawnSync(PYTHON, [join(SCRIPTS, 'peer_logits.py'), join(dir, 'manifest.json'), join(dir, 'data.bin')], { encoding: 'utf8', maxBuffer: 1 << 26 });
      expect(r.stderr).toBe('');
      const got = JSON.parse(r.stdout) as Record<string, number[][]>;
      for (const peer of KEYS) {
        const want = (expected[peer] ?? []).flat();
        const scale = Math.max(1, ...want.map(Math.abs));
        const worst = Math.max(...(got[peer] ?? []).flat().map((v, i) => Math.abs(v - (want[i] as number))));
        expect([peer, (got[peer] ?? []).flat().length, worst <= 1e-4 * scale]).toEqual([peer, want.length, true]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
