import * as tf from '@tensorflow/tfjs';
import { mixWith, targetsWith } from './applyMix';
import type { MixDraw } from './mixDraw';
import { resolveRng } from './rng';
import type { Rng } from './rng';
import { weighSides } from './targets';
import { assertInputs, fail } from './validate';

/** The base-layer constructor arguments (`name`, `inputShape`, `trainable`, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

/** Arguments shared by {@link MixUp} and {@link CutMix}. */
export interface MixingLayerArgs extends LayerArgs {
  /** Seed of the layer's generator, an integer in [0, 2^32 − 1]; saved in the config. Omitted (or null) = random. */
  seed?: number | null;
  /** A generator to draw from instead (not saved in the config), e.g. a checkpointed one. */
  rng?: Rng;
}

/** A key that is an option misspelt: the same letters (any case, order or `_`), or one inside the other. */
function isNearMiss(key: string, option: string): boolean {
  const letters = (s: string) => [...s.toLowerCase().replace(/_/g, '')].sort().join('');
  const k = key.toLowerCase();
  const o = option.toLowerCase();
  return letters(key) === letters(option) || (k.length > 3 && (o.includes(k) || k.includes(o)));
}

/**
 * What {@link MixUp} and {@link CutMix} share: Keras 3's image-mixing preprocessing layers in tfjs form. Called on
 * `images` or on `[images, labels]` (Keras' `{images, labels}`) with `{training: true}`, the layer draws one
 * {@link MixDraw} and mixes both with it; at inference (`training` not true, as in `predict`) it passes them
 * through. The draw stays readable as `lastDraw`, to mix anything else of the batch ({@link applyMix},
 * {@link mixTargets}).
 */
export abstract class MixingLayer extends tf.layers.Layer {
  /** The seed given, or null (randomly seeded). */
  readonly seed: number | null;
  /** The draw of the last training call (partners, λ, boxes); null before the first. */
  lastDraw: MixDraw | null = null;
  private readonly rng: Rng;
  private readonly fn: string;

  protected constructor(fn: string, args: MixingLayerArgs, keys: readonly string[]) {
    // Layer configs also carry tfjs' own keys (name, dtype, customObjects...): only near misses of ours are refused.
    const own = ['seed', 'rng', ...keys];
    for (const key of Object.keys(args ?? {})) {
      if (!own.includes(key) && own.some((o) => isNearMiss(key, o))) fail(fn, 'option names', key, `${own.map((o) => `'${o}'`).join(', ')} or tfjs layer arguments`);
    }
    const { seed, rng, ...rest } = args;
    const layerArgs: Record<string, unknown> = { ...rest };
    for (const key of keys) delete layerArgs[key];
    super(layerArgs as LayerArgs);
    this.fn = fn;
    this.seed = seed ?? null;
    this.rng = resolveRng(fn, rng, seed ?? undefined);
  }

  /** Draws one batch's mixing for images of `shape`. */
  protected abstract drawFor(shape: number[], rng: Rng): MixDraw;

  /** The images' rank the layer needs, e.g. [4] for `[B, H, W, C]`; undefined: any `[B, ...]`. */
  protected abstract readonly ranks: readonly number[] | undefined;

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor | tf.Tensor[] {
    const [images, labels] = this.split(inputs);
    if (kwargs.training !== true) return inputs;
    const draw = this.drawFor(images.shape, this.rng);
    this.lastDraw = draw;
    const mixed = mixWith(images, draw);
    return labels ? [mixed, softMix(labels, draw)] : mixed;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), seed: this.seed };
  }

  private split(inputs: tf.Tensor | tf.Tensor[]): [tf.Tensor, tf.Tensor | undefined] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (list.length < 1 || list.length > 2) fail(this.fn, 'the number of inputs', list.length, '1 (images) or 2 ([images, labels])');
    const [images, labels] = list as [tf.Tensor, tf.Tensor | undefined];
    assertInputs(this.fn, 'images', images, this.ranks ? '[B, H, W, C]' : '[B, ...]', this.ranks);
    if (labels) this.assertLabels(labels, images.shape[0] as number);
    return [images, labels];
  }

  private assertLabels(labels: unknown, b: number): asserts labels is tf.Tensor {
    const ok = labels instanceof tf.Tensor && labels.rank === 2 && labels.dtype === 'float32' && labels.shape[0] === b;
    // int32 labels have no K to mix rows in: mixTargets(labels, layer.lastDraw) handles them.
    if (!ok) fail(this.fn, 'labels', labels, `float32 one-hot labels [${b}, K] (int32 ones: mixTargets(y, layer.lastDraw))`);
  }
}

/** `λ·y + (1−λ)·y[π]` for rows `[B, K]`. */
function softMix(labels: tf.Tensor, draw: MixDraw): tf.Tensor {
  return tf.tidy(() => weighSides(targetsWith(labels, draw), (y) => y));
}
