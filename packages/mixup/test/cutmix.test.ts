import * as tf from '@tensorflow/tfjs';
import { boxLambda, createRng, cutmixBatch, cutmixBox } from '../src/index';
import type { MixedBatch } from '../src/index';
import { arangeLabels, expectClose, expectNoLeak, isPermutation, scriptedRng, seededTensor, untouchableRng, values } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function disposeBatch(b: MixedBatch): void {
  tf.dispose([b.xs, b.ys.yi, b.ys.yj]);
  if (typeof b.ys.lambda !== 'number') b.ys.lambda.dispose();
}

/**
 * Reads back, for sample i of a [B, H, W, C] CutMix output, which pixels came from the partner:
 * a pixel is pasted when all its channels equal the partner's and not the sample's own.
 * Returns the 0/1 mask and asserts every pixel is an exact copy of one or the other (CutMix copies, it does not blend).
 */
function pastedMask(out: number[], x: number[], i: number, partner: number, h: number, w: number, c: number): number[] {
  const mask: number[] = [];
  for (let p = 0; p < h * w; p++) {
    let fromSelf = true;
    let fromPartner = true;
    for (let k = 0; k < c; k++) {
      const o = out[(i * h * w + p) * c + k] as number;
      if (o !== x[(i * h * w + p) * c + k]) fromSelf = false;
      if (o !== x[(partner * h * w + p) * c + k]) fromPartner = false;
    }
    expect(fromSelf || fromPartner).toBe(true);
    mask.push(fromSelf ? 0 : 1);
  }
  return mask;
}

/** Asserts the 1s of `mask` (H×W) form one solid rectangle and returns its area. */
function rectangleArea(mask: number[], h: number, w: number): number {
  const rows = [...Array(h).keys()].filter((r) => mask.slice(r * w, (r + 1) * w).some((v) => v === 1));
  const cols = [...Array(w).keys()].filter((col) => rows.some((r) => mask[r * w + col] === 1));
  const area = mask.reduce((a, b) => a + b, 0);
  if (area > 0) {
    expect(rows[rows.length - 1]! - rows[0]! + 1).toBe(rows.length);
    expect(cols[cols.length - 1]! - cols[0]! + 1).toBe(cols.length);
    expect(area).toBe(rows.length * cols.length);
  }
  return area;
}

describe('cutmixBox', () => {
  test('a centred box has sides floor(H·√(1−λ))', () => {
    const box = cutmixBox(0.75, 8, 8, scriptedRng([0.5, 0.5]));
    expect(box).toEqual({ top: 2, bottom: 6, left: 2, right: 6 });
    expect(boxLambda(box, 8, 8)).toBe(0.75);
  });

  test('boxes are clipped at the border, and λ follows the clipped area', () => {
    const box = cutmixBox(0.75, 8, 8, scriptedRng([0, 0.99]));
    expect(box).toEqual({ top: 0, bottom: 2, left: 5, right: 8 });
    expect(boxLambda(box, 8, 8)).toBeCloseTo(1 - 6 / 64, 12);
  });

  test('λ = 1 gives an empty box, λ = 0 the whole image; non-square images work', () => {
    expect(boxLambda(cutmixBox(1, 8, 8, scriptedRng([0.3, 0.3])), 8, 8)).toBe(1);
    expect(boxLambda(cutmixBox(0, 8, 8, scriptedRng([0.5, 0.5])), 8, 8)).toBe(0);
    const box = cutmixBox(0.5, 4, 6, scriptedRng([0.5, 0.5]));
    // √0.5 → sides floor(2.83) = 2 and floor(4.24) = 4 around (2, 3).
    expect(box).toEqual({ top: 1, bottom: 3, left: 1, right: 5 });
  });

  test('an odd side starts floor(side/2) before the centre', () => {
    // √(1 − 0.609375) = 0.625 exactly: sides 5 around (4, 4), so rows and columns 2..6.
    const box = cutmixBox(0.609375, 8, 8, scriptedRng([0.5, 0.5]));
    expect(box).toEqual({ top: 2, bottom: 7, left: 2, right: 7 });
    expect(boxLambda(box, 8, 8)).toBe(1 - 25 / 64);
  });

  test('rejects bad λ, sizes and generators', () => {
    expect(() => cutmixBox(1.2, 8, 8)).toThrow(/cutmixBox: lambda must be a number in \[0, 1\], got 1\.2/);
    expect(() => cutmixBox(0.5, 0, 8)).toThrow(/cutmixBox: height must be a positive integer, got 0/);
    expect(() => cutmixBox(0.5, 8, 8, scriptedRng([-0.5, 0.5]))).toThrow(/cutmixBox: rng\.random\(\) must be a number in \[0, 1\), got -0\.5\./);
    expect(() => boxLambda({ top: 2, bottom: 9, left: 0, right: 1 }, 8, 8)).toThrow(
      /boxLambda: box must be \{top, bottom, left, right\} with 0 <= top <= bottom <= 8 and 0 <= left <= right <= 8, got \{"top":2,"bottom":9,"left":0,"right":1\}/,
    );
    expect(() => boxLambda({ top: 3, bottom: 2, left: 0, right: 1 }, 8, 8)).toThrow(/boxLambda: box must be/);
    expect(() => boxLambda({ top: 0, bottom: 1, left: 0, right: 1 }, 0, 8)).toThrow(/boxLambda: height must be a positive integer, got 0/);
  });
});

describe('cutmixBatch', () => {
  const [b, h, w, c] = [5, 6, 7, 2];

  test("'batch' mode pastes one box from each partner; λ is the box's true area", () => {
    const xs = seededTensor([b, h, w, c], 1);
    const ys = arangeLabels(b);
    for (const seed of [1, 2, 3, 4]) {
      const out = cutmixBatch(xs, ys, { rng: createRng(seed) });
      const perm = values(out.ys.yj);
      expect(isPermutation(perm, b)).toBe(true);
      expect(values(out.ys.yi)).toEqual([0, 1, 2, 3, 4]);
      const lam = out.ys.lambda as number;
      const o = values(out.xs);
      const masks = perm.map((p, i) => (p === i ? null : pastedMask(o, values(xs), i, p, h, w, c)));
      const moved = masks.filter((m): m is number[] => m !== null);
      expect(moved.length).toBeGreaterThan(0);
      // One box for the whole batch: every moved sample has the same mask.
      for (const m of moved) expect(m).toEqual(moved[0]);
      const area = rectangleArea(moved[0]!, h, w);
      expect(lam).toBeCloseTo(1 - area / (h * w), 12);
      disposeBatch(out);
    }
    tf.dispose([xs, ys]);
  });

  test("'elem' mode: a box and a corrected λ per sample", () => {
    const xs = seededTensor([b, h, w, c], 2);
    const ys = arangeLabels(b);
    const out = cutmixBatch(xs, ys, { mode: 'elem', alpha: 1, rng: createRng(7) });
    const perm = values(out.ys.yj);
    const lam = values(out.ys.lambda as tf.Tensor);
    let moved = 0;
    perm.forEach((p, i) => {
      if (p === i) return;
      moved++;
      const area = rectangleArea(pastedMask(values(out.xs), values(xs), i, p, h, w, c), h, w);
      expect(lam[i]).toBeCloseTo(1 - area / (h * w), 6);
    });
    expect(moved).toBeGreaterThan(0);
    disposeBatch(out);
    tf.dispose([xs, ys]);
  });

  test('the corrected λ averages to its exact expectation under α = 1 (λ uniform, uniform centres, clipping)', () => {
    const n = 16;
    // Exact E[λ]: side s = floor(n·√(1−λ)) has probability ((s+1)² − s²)/n² for λ ~ U(0, 1); the clipped side
    // length averages over the n centres, and rows and columns are independent.
    const side = (s: number) => {
      let total = 0;
      for (let centre = 0; centre < n; centre++) {
        const start = centre - Math.floor(s / 2);
        total += Math.min(n, Math.max(0, start + s)) - Math.min(n, Math.max(0, start));
      }
      return total / n;
    };
    let exact = 0;
    for (let s = 0; s < n; s++) exact += (((s + 1) ** 2 - s ** 2) / n ** 2) * (1 - side(s) ** 2 / n ** 2);
    const xs = seededTensor([2, n, n, 1], 3);
    const ys = arangeLabels(2);
    const rng = createRng(12);
    const trials = 1000;
    let sum = 0;
    let sumSq = 0;
    for (let k = 0; k < trials; k++) {
      const out = cutmixBatch(xs, ys, { rng });
      const lam = out.ys.lambda as number;
      sum += lam;
      sumSq += lam * lam;
      disposeBatch(out);
    }
    const mean = sum / trials;
    const se = Math.sqrt((sumSq / trials - mean ** 2) / trials);
    expect(exact).toBeGreaterThan(0.6); // clipping shrinks boxes: λ is biased above the drawn 1/2
    expect(Math.abs(mean - exact)).toBeLessThan(5 * se);
    tf.dispose([xs, ys]);
  });

  test('gradient: (1−M)·u on the sample plus M·u routed to the partner', () => {
    const xs = seededTensor([3, 4, 4, 2], 4);
    const ys = arangeLabels(3);
    const u = seededTensor([3, 4, 4, 2], 5);
    const seed = 9;
    const probe = cutmixBatch(xs, ys, { rng: createRng(seed) });
    const perm = values(probe.ys.yj);
    const o = values(probe.xs);
    const x = values(xs);
    const masks = perm.map((p, i) => (p === i ? new Array<number>(16).fill(0) : pastedMask(o, x, i, p, 4, 4, 2)));
    disposeBatch(probe);
    const g = tf.grad((xx: tf.Tensor) => {
      const out = cutmixBatch(xx, ys, { rng: createRng(seed) });
      tf.dispose([out.ys.yi, out.ys.yj]);
      return out.xs.mul(u).sum();
    })(xs);
    const uv = values(u);
    const expected = x.map((_, idx) => {
      const i = Math.floor(idx / 32);
      const pix = Math.floor((idx % 32) / 2);
      const k = perm.indexOf(i); // the sample whose partner is i
      const own = (1 - (masks[i]![pix] as number)) * (uv[idx] as number);
      const routed = (masks[k]![pix] as number) * (uv[k * 32 + (idx % 32)] as number);
      return perm[i] === i ? (uv[idx] as number) : own + routed;
    });
    expectClose(values(g), expected, 1e-5, 1e-6);
    tf.dispose([xs, ys, u, g]);
  });

  test('α = 0 copies the inputs without drawing; no leaks', async () => {
    const xs = seededTensor([2, 3, 3, 1], 6);
    const ys = arangeLabels(2);
    const out = cutmixBatch(xs, ys, { alpha: 0, rng: untouchableRng });
    expect(values(out.xs)).toEqual(values(xs));
    expect(out.ys.lambda).toBe(1);
    disposeBatch(out);
    await expectNoLeak(() => disposeBatch(cutmixBatch(xs, ys, { rng: createRng(1) })));
    await expectNoLeak(() => disposeBatch(cutmixBatch(xs, ys, { mode: 'elem', rng: createRng(1) })));
    tf.dispose([xs, ys]);
  });

  test('reports non-image inputs and bad options', () => {
    const flatXs = seededTensor([2, 6], 7);
    const ys = arangeLabels(2);
    expect(() => cutmixBatch(flatXs, ys)).toThrow(/cutmixBatch: xs must be a float32 tensor \[B, H, W, C\] \(rank 4\) with at least one sample, got a float32 tensor of shape \[2, 6\]\./);
    const img = seededTensor([2, 3, 3, 1], 8);
    expect(() => cutmixBatch(img, ys, { alpha: -0.5 })).toThrow(/cutmixBatch: alpha must be a finite number >= 0.*got -0\.5/);
    expect(() => cutmixBatch(img, ys, { mode: 'pixel' as 'elem' })).toThrow(/cutmixBatch: mode must be one of 'batch', 'pair', 'elem', got 'pixel'/);
    const three = arangeLabels(3);
    expect(() => cutmixBatch(img, three)).toThrow(/cutmixBatch: ys must be int32 labels \[2\] or float32 soft targets \[2, K\], got an int32 tensor of shape \[3\]\./);
    tf.dispose([flatXs, ys, img, three]);
  });
});
