import * as tf from '@tensorflow/tfjs';
import { sampleBeta } from './beta';
import { boxLambda } from './box';
import { randomPermutation } from './draws';
import { MixingLayer } from './mixingLayer';
import type { MixingLayerArgs } from './mixingLayer';
import type { MixDraw } from './mixDraw';
import { drawUniform } from './rng';
import type { Rng } from './rng';
import { assertBoolean, fail } from './validate';

/** Constructor arguments of {@link CutMix}. */
export interface CutMixArgs extends MixingLayerArgs {
  /**
   * Range of the batch's α: a number f means [0, f], a pair [a, b] (either order) the range between, within [0, 1];
   * α is drawn uniformly from it once per batch, then each sample's λ ~ Beta(α, α). Default 1 (Keras').
   */
  factor?: number | readonly [number, number];
  /** Labels weighted by the pixels really pasted (true) or by the drawn λ, as Keras does (false). Default true. */
  correctLam?: boolean;
}

/**
 * Keras 3's `keras.layers.CutMix` as a tfjs layer: in training, α uniform in the `factor` range for the batch, then
 * for every sample λ ~ Beta(α, α) and a box of sides `√(1−λ)·H × √(1−λ)·W` placed uniformly inside the image (the
 * pixels whose index lies in `[start, start + side)`), filled from a partner π(i); labels `[B, K]`, when given, mix as
 * `λ·y + (1−λ)·y[π]`. Identity at inference. See {@link MixingLayer} for how to call it.
 *
 * @example
 * const cutmix = new CutMix({ seed: 1 });
 * const [images, labels] = cutmix.apply([xs, oneHot], { training: true }) as tf.Tensor[];
 */
export class CutMix extends MixingLayer {
  static className = 'CutMix';
  readonly factor: [number, number];
  readonly correctLam: boolean;
  protected readonly ranks = [4];

  constructor(args: CutMixArgs = {}) {
    super('CutMix', args, ['factor', 'correctLam']);
    const { factor = 1, correctLam = true } = args;
    const f: unknown[] = Array.isArray(factor) ? factor : [0, factor];
    if (f.length !== 2 || !f.every((v) => typeof v === 'number' && v >= 0 && v <= 1)) {
      fail('CutMix', 'factor', factor, 'a number in [0, 1] or a pair of them');
    }
    assertBoolean('CutMix', 'correctLam', correctLam);
    this.factor = [Math.min(...(f as number[])), Math.max(...(f as number[]))];
    this.correctLam = correctLam;
  }

  protected drawFor(shape: number[], rng: Rng): MixDraw {
    const [b, h, w] = shape as [number, number, number];
    const [lo, hi] = this.factor;
    // Keras adds 1e-6 so that α > 0; a floor does the same and keeps α = 1 exact for [1, 1].
    const alpha = Math.max(1e-6, lo === hi ? lo : lo + drawUniform('CutMix', rng) * (hi - lo));
    const lambda = Array.from({ length: b }, () => sampleBeta(alpha, alpha, rng));
    // Keras' order: every column span, then every row span, then the partners.
    const span = (n: number) => (l: number) => {
      const side = Math.sqrt(1 - l) * n;
      const start = drawUniform('CutMix', rng) * (n - side);
      // Pixel p is inside when start <= p < start + side.
      return [Math.ceil(start), Math.min(n, Math.ceil(start + side))] as const;
    };
    const cols = lambda.map(span(w));
    const rows = lambda.map(span(h));
    const permutation = randomPermutation(b, rng);
    const box = lambda.map((_, i) => ({ top: rows[i]![0], bottom: rows[i]![1], left: cols[i]![0], right: cols[i]![1] }));
    return { mode: 'elem', permutation, lambda: this.correctLam ? box.map((bx) => boxLambda(bx, h, w)) : lambda, box };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), factor: this.factor, correctLam: this.correctLam };
  }
}

tf.serialization.registerClass(CutMix);
