import * as tf from '@tensorflow/tfjs';
import { applyMix, createRng, cutmixBatch, drawMix, manifoldMixupForward, mixBatch, mixTargets, mixupBatch } from '../src/index';
import type { MixDraw, MixedBatch, MixOptions } from '../src/index';
import { arangeLabels, expectClose, expectNoLeak, permutationUniforms, scriptedRng, seededTensor, untouchableRng, values } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function disposeBatch(b: MixedBatch): void {
  tf.dispose([b.xs, b.ys.yi, b.ys.yj]);
  if (typeof b.ys.lambda !== 'number') b.ys.lambda.dispose();
}

/** Share of `n` draws for which `hit(draw)` holds, with its standard error under the expected share `p`. */
function share(n: number, p: number, draw: () => MixDraw, hit: (d: MixDraw) => number): { share: number; se: number } {
  let total = 0;
  let count = 0;
  for (let k = 0; k < n; k++) {
    const d = draw();
    total += hit(d);
    count += d.lambda.length;
  }
  return { share: total / count, se: Math.sqrt((p * (1 - p)) / count) };
}

describe("'pair' mode and the odd-batch policy", () => {
  test('scripted: consecutive entries of a random permutation pair up; an odd batch leaves the last one unmixed', () => {
    // Two pairs, MixUp only (α = 1: λ is one uniform each), then the draws giving the order [3, 0, 4, 1, 2].
    const rng = scriptedRng([0.25, 0.6, ...permutationUniforms([3, 0, 4, 1, 2])]);
    const draw = drawMix([5, 2], { mixupAlpha: 1, mode: 'pair' }, rng);
    expect(Array.from(draw.permutation)).toEqual([3, 4, 2, 0, 1]);
    expect(draw.lambda).toEqual([0.25, 0.6, 1, 0.25, 0.6]);
    expect(draw.box).toEqual([null, null, null, null, null]);
    // Partners swap: each gets λ of itself and 1 − λ of the other.
    const xs = tf.tensor2d([[1, 0], [2, 0], [3, 0], [4, 0], [5, 0]]);
    const out = applyMix(xs, draw);
    expectClose(values(out).filter((_, i) => i % 2 === 0), [0.25 + 0.75 * 4, 0.6 * 2 + 0.4 * 5, 3, 0.25 * 4 + 0.75, 0.6 * 5 + 0.4 * 2], 1e-6);
    tf.dispose([xs, out]);
  });

  test('partners are mutual and share λ and box; which sample is left over is random; even batches leave none', () => {
    const leftOver = new Set<number>();
    for (let seed = 0; seed < 20; seed++) {
      for (const b of [5, 6]) {
        const d = drawMix([b, 6, 6, 1], { mixupAlpha: 1, cutmixAlpha: 1, mode: 'pair' }, createRng(seed));
        const p = Array.from(d.permutation);
        const fixed = p.filter((j, i) => j === i);
        expect(fixed).toHaveLength(b % 2);
        p.forEach((j, i) => {
          expect(p[j]).toBe(i);
          expect(d.lambda[j]).toBe(d.lambda[i]);
          expect(d.box[j]).toEqual(d.box[i]);
          if (j === i) {
            expect(d.lambda[i]).toBe(1);
            expect(d.box[i]).toBeNull();
            leftOver.add(i);
          }
        });
      }
    }
    expect(leftOver.size).toBeGreaterThan(2);
  });

  test("'batch' and 'elem' take any batch size, one sample included; 'pair' passes a single sample through", () => {
    for (const mode of ['batch', 'elem', 'pair'] as const) {
      for (const b of [1, 3]) {
        const xs = seededTensor([b, 4, 4, 2], b);
        const ys = arangeLabels(b);
        const out = mixBatch(xs, ys, { mixupAlpha: 0.5, cutmixAlpha: 1, mode, rng: createRng(b) });
        expect(out.xs.shape).toEqual([b, 4, 4, 2]);
        if (b === 1) expect(values(out.xs)).toEqual(values(xs));
        disposeBatch(out);
        tf.dispose([xs, ys]);
      }
    }
  });
});

describe('prob and switchProb', () => {
  test("'batch' mode: prob is the share of batches mixed; a batch not mixed draws nothing else", () => {
    const rng = createRng(3);
    const { share: s, se } = share(3000, 0.3, () => drawMix([4, 2], { alpha: 0.5, prob: 0.3 }, rng), (d) => Number(d.lambda[0] !== 1));
    expect(Math.abs(s - 0.3)).toBeLessThan(4 * se);
    const skipped = drawMix([4, 2], { alpha: 0.5, prob: 0.3 }, scriptedRng([0.3]));
    expect(skipped).toEqual({ mode: 'batch', permutation: Int32Array.from([0, 1, 2, 3]), lambda: [1], box: [null] });
    expect(drawMix([4, 2], { prob: 0 }, untouchableRng).lambda).toEqual([1]);
  });

  test("'elem' mode: each sample is mixed with probability prob; switchProb is the share of CutMix among them", () => {
    const rng = createRng(4);
    const mixed = share(60, 0.6, () => drawMix([50, 4, 4, 1], { mixupAlpha: 1, cutmixAlpha: 1, prob: 0.6, mode: 'elem' }, rng), (d) =>
      d.lambda.filter((l, i) => l !== 1 || d.box[i]).length,
    );
    expect(Math.abs(mixed.share - 0.6)).toBeLessThan(4 * mixed.se);
    const cut = share(60, 0.25, () => drawMix([50, 4, 4, 1], { mixupAlpha: 1, cutmixAlpha: 1, switchProb: 0.25, mode: 'elem' }, rng), (d) =>
      d.box.filter((b) => b !== null).length,
    );
    expect(Math.abs(cut.share - 0.25)).toBeLessThan(4 * cut.se);
  });

  test('scripted: the prob draw comes first, then the switch draw (u < switchProb is CutMix), then λ', () => {
    // prob 0.5 passes (0.2), switch 0.4 < 0.5 picks CutMix, λ = 0.75 (α = 1), identity permutation draws, centre (2, 2).
    const rng = scriptedRng([0.2, 0.4, 0.75, ...permutationUniforms([1, 0]), 0.5, 0.5]);
    const d = drawMix([2, 4, 4, 1], { mixupAlpha: 1, cutmixAlpha: 1, prob: 0.5, switchProb: 0.5 }, rng);
    expect(d.box).toEqual([{ top: 1, bottom: 3, left: 1, right: 3 }]);
    expect(d.lambda).toEqual([0.75]);
    expect(rng.used()).toBe(6);
    const blend = drawMix([2, 4, 4, 1], { mixupAlpha: 1, cutmixAlpha: 1, switchProb: 0.5 }, scriptedRng([0.6, 0.3, 0.5]));
    expect(blend.box).toEqual([null]);
    expect(blend.lambda).toEqual([0.3]);
  });
});

describe('cutmixMinMax and correctLam', () => {
  test('min-max boxes: sides uniform over ⌊min·H⌋..⌊max·H⌋ (both ends), placed anywhere inside, λ from the area', () => {
    const [h, w] = [10, 7];
    const rng = createRng(5);
    const heights = new Map<number, number>();
    const widths = new Set<number>();
    const tops = new Set<string>();
    for (let k = 0; k < 800; k++) {
      const d = drawMix([2, h, w, 1], { cutmixMinMax: [0.2, 0.6] }, rng);
      const box = d.box[0]!;
      const bh = box.bottom - box.top;
      const bw = box.right - box.left;
      heights.set(bh, (heights.get(bh) ?? 0) + 1);
      widths.add(bw);
      tops.add(`${bh}:${box.top}`);
      expect(box.top >= 0 && box.bottom <= h && box.left >= 0 && box.right <= w).toBe(true);
      expect(d.lambda[0]).toBeCloseTo(1 - (bh * bw) / (h * w), 12);
    }
    expect([...heights.keys()].sort()).toEqual([2, 3, 4, 5, 6]);
    for (const count of heights.values()) expect(Math.abs(count / 800 - 0.2)).toBeLessThan(4 * Math.sqrt((0.2 * 0.8) / 800));
    expect([...widths].sort()).toEqual([1, 2, 3, 4]);
    // Every corner row of a 6-row box occurs, the last one (touching the border) included.
    expect([0, 1, 2, 3, 4].every((t) => tops.has(`6:${t}`))).toBe(true);
  });

  test('correctLam: false keeps the drawn λ for a clipped box; true (the default) gives its true area', () => {
    // λ = 0.75 (α = 1): sides 4 × 4 around the centre (0, 0), clipped to rows 0..1 and columns 0..1.
    const script = () => scriptedRng([0.75, ...permutationUniforms([1, 0]), 0.01, 0.01]);
    const drawn = drawMix([2, 8, 8, 1], { method: 'cutmix', correctLam: false }, script());
    const corrected = drawMix([2, 8, 8, 1], { method: 'cutmix' }, script());
    expect(drawn.box).toEqual([{ top: 0, bottom: 2, left: 0, right: 2 }]);
    expect(corrected.box).toEqual(drawn.box);
    expect(drawn.lambda).toEqual([0.75]);
    expect(corrected.lambda).toEqual([1 - 4 / 64]);
  });

  test('cutmixBatch and mixupBatch take the new options; cutmixMinMax implies CutMix', () => {
    const xs = seededTensor([4, 6, 6, 1], 6);
    const ys = arangeLabels(4);
    const a = cutmixBatch(xs, ys, { cutmixMinMax: [0.3, 0.5], mode: 'pair', correctLam: false, rng: createRng(1) });
    const b = mixBatch(xs, ys, { cutmixMinMax: [0.3, 0.5], mode: 'pair', correctLam: false, rng: createRng(1) });
    expect(values(a.xs)).toEqual(values(b.xs));
    expect(values(a.ys.lambda as tf.Tensor)).toEqual(values(b.ys.lambda as tf.Tensor));
    const c = mixupBatch(xs, ys, { prob: 0, mode: 'pair', rng: untouchableRng });
    expect(values(c.xs)).toEqual(values(xs));
    expect(values(c.ys.lambda as tf.Tensor)).toEqual([1, 1, 1, 1]);
    [a, b, c].forEach(disposeBatch);
    tf.dispose([xs, ys]);
  });
});

describe('Manifold MixUp in pair mode', () => {
  test('mixes the hidden state of partners with each other, with one λ per pair', () => {
    const xs = tf.tensor2d([[1], [10], [100], [1000]]);
    const ys = arangeLabels(4);
    const identity = (x: tf.Tensor) => x.mul(1);
    const r = manifoldMixupForward([identity], xs, ys, { mode: 'pair', alpha: 1, rng: createRng(8) });
    const t = r.targets as { yi: tf.Tensor; yj: tf.Tensor; lambda: tf.Tensor };
    const partner = values(t.yj);
    const lam = values(t.lambda);
    const x = [1, 10, 100, 1000];
    partner.forEach((j, i) => {
      expect(partner[j]).toBe(i);
      expect(lam[j]).toBeCloseTo(lam[i]!, 6);
    });
    expectClose(values(r.predictions), x.map((v, i) => lam[i]! * v + (1 - lam[i]!) * x[partner[i]!]!), 1e-5);
    tf.dispose([xs, ys, r.predictions, t.yi, t.yj, t.lambda]);
  });
});

describe('draws, application and targets leave nothing behind; bad input is named', () => {
  test('no leaks in any mode, with and without boxes', async () => {
    const xs = seededTensor([5, 4, 4, 2], 7);
    const ys = arangeLabels(5);
    for (const mode of ['batch', 'pair', 'elem'] as const) {
      for (const options of [{ alpha: 0.4 }, { mixupAlpha: 1, cutmixAlpha: 1, prob: 0.7 }, { cutmixMinMax: [0.2, 0.8] as [number, number] }]) {
        await expectNoLeak(() => disposeBatch(mixBatch(xs, ys, { ...options, mode, rng: createRng(2) })));
        const draw = drawMix(xs.shape, { ...options, mode }, createRng(2));
        await expectNoLeak(() => {
          applyMix(xs, draw).dispose();
          const t = mixTargets(ys, draw);
          tf.dispose([t.yi, t.yj]);
          if (typeof t.lambda !== 'number') t.lambda.dispose();
        });
      }
    }
    tf.dispose([xs, ys]);
  });

  test('options', () => {
    const xs = seededTensor([2, 3, 3, 1], 8);
    const ys = arangeLabels(2);
    const bad = (options: MixOptions) => () => mixBatch(xs, ys, options);
    expect(bad({ method: 'mixup', mixupAlpha: 1 })).toThrow(/^mixBatch: options must be either \{method, alpha\} or \{mixupAlpha, cutmixAlpha\}, not both, got /);
    expect(bad({ switch_prob: 0.5 } as MixOptions)).toThrow(/^mixBatch: option names must be some of 'method', 'alpha', .*'switchProb'.*, got 'switch_prob'\.$/);
    expect(bad({ method: 'mixup', cutmixMinMax: [0.2, 0.5] })).toThrow(/^mixBatch: method must be 'cutmix' with cutmixMinMax, got 'mixup'\.$/);
    for (const mm of [[0.6, 0.2], [0.2], [0, 1.5], 'x', null])
      expect(bad({ cutmixMinMax: mm as never })).toThrow(/^mixBatch: cutmixMinMax must be \[min, max\] with 0 <= min <= max <= 1/);
    expect(bad({ mixupAlpha: -1 })).toThrow(/^mixBatch: mixupAlpha must be a finite number >= 0/);
    expect(bad({ cutmixAlpha: Number.NaN })).toThrow(/^mixBatch: cutmixAlpha must be a finite number >= 0/);
    expect(bad({ prob: 1.5 })).toThrow(/^mixBatch: prob must be a number in \[0, 1\], got 1\.5\.$/);
    expect(bad({ switchProb: -0.1 })).toThrow(/^mixBatch: switchProb must be a number in \[0, 1\], got -0\.1\.$/);
    expect(bad({ correctLam: 1 as never })).toThrow(/^mixBatch: correctLam must be true or false, got 1\.$/);
    expect(bad({ mode: 'pairs' as never })).toThrow(/^mixBatch: mode must be one of 'batch', 'pair', 'elem', got 'pairs'\.$/);
    expect(() => mixupBatch(xs, ys, { cutmixAlpha: 1 } as never)).toThrow(/^mixupBatch: option names must be some of 'alpha', 'mode', 'prob', 'rng', got 'cutmixAlpha'\.$/);
    // CutMix may be drawn, so the inputs must be images whatever this batch draws.
    const flat = seededTensor([2, 5], 9);
    expect(() => mixBatch(flat, ys, { mixupAlpha: 1, cutmixAlpha: 1, switchProb: 0 })).toThrow(/^mixBatch: xs must be a float32 tensor \[B, H, W, C\] \(rank 4\)/);
    disposeBatch(mixBatch(flat, ys, { mixupAlpha: 1 }));
    tf.dispose([xs, ys, flat]);
  });

  test('drawMix, applyMix and mixTargets', () => {
    expect(() => drawMix([0, 3])).toThrow(/^drawMix: shape must be the inputs' shape \[B, \.\.\.\] \(\[B, H, W, C\] for CutMix\), got \[0,3\]\.$/);
    expect(() => drawMix([2, 3], { method: 'cutmix' })).toThrow(/^drawMix: shape must be/);
    expect(() => drawMix([2, 3], {}, {} as never)).toThrow(/^drawMix: rng must be an Rng/);
    const xs = seededTensor([2, 3, 3, 1], 10);
    const ok: MixDraw = { mode: 'elem', permutation: Int32Array.from([1, 0]), lambda: [0.5, 1], box: [null, { top: 0, bottom: 1, left: 0, right: 3 }] };
    tf.dispose(applyMix(xs, ok));
    expect(() => applyMix(xs, null as never)).toThrow(/^applyMix: draw\.mode must be one of 'batch', 'pair', 'elem', got undefined\.$/);
    expect(() => applyMix(xs, { ...ok, permutation: Int32Array.from([0, 0]) })).toThrow(/^applyMix: draw\.permutation must be 0\.\.1 in some order, each once, got \[0,0\]\.$/);
    expect(() => applyMix(xs, { ...ok, lambda: [0.5] })).toThrow(/^applyMix: draw must be a MixDraw \(see drawMix\) with 2 lambdas in \[0, 1\] and 2 boxes or nulls, got /);
    expect(() => applyMix(xs, { ...ok, box: [null, { top: 0, bottom: 4, left: 0, right: 1 }] })).toThrow(
      /^applyMix: draw\.box\[1\] must be \{top, bottom, left, right\} with 0 <= top <= bottom <= 3 and 0 <= left <= right <= 3, got /,
    );
    const flat = seededTensor([2, 4], 11);
    expect(() => applyMix(flat, ok)).toThrow(/^applyMix: xs\.shape must be images \[B, H, W, C\] for a draw with boxes, got \[2,4\]\.$/);
    const ys = arangeLabels(2);
    // Targets need no image size: the same draw serves int32 labels.
    const t = mixTargets(ys, ok);
    expect(values(t.yj)).toEqual([1, 0]);
    expect(values(t.lambda as tf.Tensor)).toEqual([0.5, 1]);
    expect(() => mixTargets(tf.keep(xs), ok)).toThrow(/^mixTargets: ys must be int32 labels \[B\] or float32 soft targets \[B, K\], got a float32 tensor of shape \[2, 3, 3, 1\]\.$/);
    tf.dispose([xs, flat, ys, t.yi, t.yj, t.lambda as tf.Tensor]);
  });
});
