import * as tf from '@tensorflow/tfjs';

import { assertFiniteNumber, assertNoMisspeltOptions, fail } from './validate';

/** The base-layer constructor arguments (`name`, `trainable`, ...), without reaching into tfjs-layers' internals. */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

type LayerVariable = ReturnType<tf.layers.Layer['addWeight']>;

/**
 * The ReZero combination `shortcut + alpha * branch` (Bachlechner et al., 2020), the pure tensor
 * function behind the {@link ReZero} layer. In the chapter's block `branch` is `act(F(x))`.
 *
 * @param shortcut - the skip path, any shape `S` (e.g. `[B, H, W, C]`).
 * @param branch - the residual path, the same shape `S`.
 * @param alpha - the gate: a number or a scalar (or one-element) tensor.
 * @returns `shortcut + alpha * branch`, shape `S`. Differentiable in all three arguments.
 */
export function rezero(shortcut: tf.Tensor, branch: tf.Tensor, alpha: tf.Tensor | number): tf.Tensor {
  const fn = 'rezero';
  if (!(shortcut instanceof tf.Tensor)) fail(fn, 'shortcut', shortcut, 'a tf.Tensor');
  if (!(branch instanceof tf.Tensor)) fail(fn, 'branch', branch, 'a tf.Tensor');
  if (!tf.util.arraysEqual(shortcut.shape, branch.shape)) {
    throw new Error(
      `${fn}: shortcut and branch must have the same shape, got [${shortcut.shape.join(', ')}] and [${branch.shape.join(', ')}].`,
    );
  }
  if (typeof alpha === 'number') {
    assertFiniteNumber(fn, 'alpha', alpha);
  } else if (!(alpha instanceof tf.Tensor) || alpha.size !== 1) {
    fail(fn, 'alpha', alpha, 'a number or a tf.Tensor with one element');
  }
  return tf.tidy(() => {
    // A one-element alpha of any rank broadcasts as a scalar; reshape so it never adds axes.
    const a = typeof alpha === 'number' ? tf.scalar(alpha) : alpha.rank === 0 ? alpha : tf.reshape(alpha, []);
    return tf.add(shortcut, tf.mul(a, branch));
  });
}

/** The layer's own options (besides tfjs's layer arguments). */
const REZERO_OPTION_KEYS = ['initialAlpha'];

/** Constructor arguments of {@link ReZero}. */
export interface ReZeroArgs extends LayerArgs {
  /** Starting value of the trainable gate `alpha`. Default 0: the block starts as the identity on its shortcut. */
  initialAlpha?: number;
}

/**
 * Layer form of {@link rezero}: takes `[shortcut, branch]` (same shape, e.g. `[B, H, W, C]`) and
 * returns `shortcut + alpha * branch`, where `alpha` is one trainable scalar weight, initialised
 * to `initialAlpha` (0 by default). Serialisable (`className` `'ReZero'`).
 *
 * @example
 * ```ts
 * const x = tf.input({ shape: [8, 8, 16] });
 * const branch = tf.layers.activation({ activation: 'relu' }).apply(
 *   tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same' }).apply(x)) as tf.SymbolicTensor;
 * const h = new ReZero().apply([x, branch]) as tf.SymbolicTensor; // equals x until alpha moves
 * ```
 */
export class ReZero extends tf.layers.Layer {
  static className = 'ReZero';

  /** Starting value of `alpha`. */
  readonly initialAlpha: number;
  private alpha: LayerVariable | null = null;

  constructor(args: ReZeroArgs = {}) {
    // tfjs ignores unknown keys: `initial_alpha` would silently start the gate at 0.
    assertNoMisspeltOptions('ReZero', args, REZERO_OPTION_KEYS);
    const { initialAlpha = 0, ...layerArgs } = args;
    super(layerArgs);
    assertFiniteNumber('ReZero', 'initialAlpha', initialAlpha);
    this.initialAlpha = initialAlpha;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    pairShapes(inputShape);
    this.alpha = this.addWeight(
      'alpha',
      [],
      'float32',
      tf.initializers.constant({ value: this.initialAlpha }),
      undefined,
      true,
    );
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return pairShapes(inputShape)[0];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2 || this.alpha === null) {
      throw new Error(`ReZero: expects the two inputs [shortcut, branch] on a built layer.`);
    }
    return rezero(inputs[0] as tf.Tensor, inputs[1] as tf.Tensor, this.alpha.read());
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initialAlpha: this.initialAlpha };
  }
}

tf.serialization.registerClass(ReZero);

/** The `[shortcut, branch]` shapes, checked to be two equal shapes (unknown sizes match anything). */
function pairShapes(inputShape: tf.Shape | tf.Shape[]): [tf.Shape, tf.Shape] {
  const shapes = inputShape as tf.Shape[];
  if (!Array.isArray(inputShape) || shapes.length !== 2 || !shapes.every((s) => Array.isArray(s))) {
    throw new Error(`ReZero: expects two inputs [shortcut, branch], got input shape ${JSON.stringify(inputShape)}.`);
  }
  const [a, b] = shapes as [tf.Shape, tf.Shape];
  const same = a.length === b.length && a.every((n, i) => n === null || b[i] === null || n === b[i]);
  if (!same) {
    throw new Error(`ReZero: shortcut and branch must have the same shape, got ${JSON.stringify(a)} and ${JSON.stringify(b)}.`);
  }
  return [a, b];
}
