import * as tf from '@tensorflow/tfjs';
import { MixingLayer } from './mixingLayer';
import type { MixingLayerArgs } from './mixingLayer';
import { drawWithPolicy } from './mixDraw';
import type { MixDraw } from './mixDraw';
import { resolvePolicy } from './policy';
import type { MixPolicy } from './policy';
import type { Rng } from './rng';

/** Constructor arguments of {@link MixUp}. */
export interface MixUpArgs extends MixingLayerArgs {
  /** Beta(α, α) of the one λ per batch; 0 passes batches through. Default 0.2 (Keras'). */
  alpha?: number;
}

/**
 * Keras 3's `keras.layers.MixUp` as a tfjs layer: in training, one λ ~ Beta(α, α) and one permutation π per batch,
 * images `λ·x + (1−λ)·x[π]` and, when given, labels `[B, K]` the same way. Call it as
 * `layer.apply([images, labels], {training: true})` in a data pipeline (see {@link MixingLayer}); identity at inference.
 *
 * @example
 * const mixup = new MixUp({ alpha: 0.2, seed: 1 });
 * const [images, labels] = mixup.apply([xs, oneHot], { training: true }) as tf.Tensor[];
 */
export class MixUp extends MixingLayer {
  static className = 'MixUp';
  readonly alpha: number;
  protected readonly ranks = undefined;
  private readonly policy: MixPolicy;

  constructor(args: MixUpArgs = {}) {
    super('MixUp', args, ['alpha']);
    const { alpha = 0.2 } = args;
    this.policy = resolvePolicy('MixUp', { method: 'mixup', alpha });
    this.alpha = alpha;
  }

  protected drawFor(shape: number[], rng: Rng): MixDraw {
    return drawWithPolicy('MixUp', this.policy, shape[0] as number, 1, 1, rng);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}

tf.serialization.registerClass(MixUp);
