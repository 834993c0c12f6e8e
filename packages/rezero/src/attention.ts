import * as tf from '@tensorflow/tfjs';

import type { LayerArgs } from './rezero';
import { seedSequence } from './seeds';
import { assertBoolean, assertNoMisspeltOptions, assertOptionalSeed, assertPositiveInt, fail, shapeText } from './validate';

type LayerVariable = ReturnType<tf.layers.Layer['addWeight']>;

/** Constructor arguments of {@link TorchMultiheadAttention}. */
export interface TorchMultiheadAttentionArgs extends LayerArgs {
  /** Attention heads; must divide the query's feature size E (each head has E / numHeads features). */
  numHeads: number;
  /** Dropout on the attention weights, in training only (PyTorch's `dropout`). Default 0. */
  dropout?: number;
  /** Let query position i attend to key positions j <= i only (PyTorch's boolean `triu(ones, 1)` mask). Default false. */
  causal?: boolean;
  /** Biases on the four projections (PyTorch's `bias`). Default true. */
  useBias?: boolean;
  /** Seed of the projection kernels' initialisation (each gets its own seed derived from it). Default: unseeded. */
  seed?: number;
}

const OPTION_KEYS = ['numHeads', 'dropout', 'causal', 'useBias', 'seed'];

/** What a masked score becomes: far below any real score, so its softmax weight is exactly 0 (PyTorch uses -inf). */
const MASKED = -1e9;

/**
 * Multi-head attention with PyTorch's `nn.MultiheadAttention` math, weights and initialisation, as a
 * leaf layer that owns its weights (tfjs-layers does not track weights of layers nested inside a
 * custom layer). Batch-first and channels-last. Inputs, with query `[B, T, E]`:
 * - `[query]`: self-attention (key and value are the query);
 * - `[query, keyValue]`: attention over `keyValue` `[B, S, Ek]` (key and value, as a decoder's memory);
 * - `[query, key, value]`: key `[B, S, Ek]`, value `[B, S, Ev]`;
 * - any of these followed by a key padding mask `[B, S]` (float, 1 = attend, 0 = padding: the
 *   opposite of PyTorch's boolean `key_padding_mask`).
 *
 * (Pass a tensor once rather than as `[x, x, x]`: tfjs-layers' executor counts a tensor given twice
 * to one layer as one use but releases it once per slot, so a model that also uses `x` elsewhere would
 * find it disposed.)
 *
 * The output is `[B, T, E]`: `softmax(Q Kᵀ / √(E / numHeads) + masks) V` per head, heads concatenated,
 * then the output projection.
 *
 * Weights: `query_kernel` `[E, E]`, `key_kernel` `[Ek, E]`, `value_kernel` `[Ev, E]`, `output_kernel`
 * `[E, E]` (PyTorch's `in_proj_weight` blocks and `out_proj.weight`, transposed) and, with `useBias`,
 * the four biases `[E]`. Initialised as PyTorch does: Xavier-uniform input projections (over the
 * stacked `[3E, E]` matrix when Ek = Ev = E), U(±1/√E) output kernel, zero biases.
 *
 * A query row whose keys are all masked gets uniform weights here; PyTorch returns NaN for it.
 */
export class TorchMultiheadAttention extends tf.layers.Layer {
  static className = 'TorchMultiheadAttention';

  readonly numHeads: number;
  readonly dropout: number;
  readonly causal: boolean;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  private kernels: LayerVariable[] = [];
  private biases: LayerVariable[] = [];

  constructor(args: TorchMultiheadAttentionArgs) {
    const fn = 'TorchMultiheadAttention';
    assertNoMisspeltOptions(fn, args, OPTION_KEYS);
    if (args === undefined) fail(fn, 'the constructor argument', args, 'an object with at least { numHeads }');
    const { numHeads, dropout = 0, causal = false, useBias = true, seed, ...layerArgs } = args;
    super(layerArgs);
    assertPositiveInt(fn, 'numHeads', numHeads);
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) fail(fn, 'dropout', dropout, 'a number in [0, 1)');
    assertBoolean(fn, 'causal', causal);
    assertBoolean(fn, 'useBias', useBias);
    assertOptionalSeed(fn, 'seed', seed);
    this.numHeads = numHeads;
    this.dropout = dropout;
    this.causal = causal;
    this.useBias = useBias;
    this.seed = seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const { query, key, value } = this.checkShapes(inputShape);
    const e = query[2] as number;
    const ek = key[2] as number;
    const ev = value[2] as number;
    const nextSeed = seedSequence(this.seed);
    const uniform = (bound: number) => tf.initializers.randomUniform({ minval: -bound, maxval: bound, seed: nextSeed() });
    // PyTorch: xavier_uniform_ on in_proj_weight [3E, E] when the key and value sizes are E, else on each block.
    const xavier = (fanIn: number, fanOut: number) => uniform(Math.sqrt(6 / (fanIn + fanOut)));
    const same = ek === e && ev === e;
    const inits = same ? [xavier(e, 3 * e), xavier(e, 3 * e), xavier(e, 3 * e)] : [xavier(e, e), xavier(ek, e), xavier(ev, e)];
    const names = ['query', 'key', 'value'];
    const fanIns = [e, ek, ev];
    this.kernels = [];
    this.biases = [];
    for (let i = 0; i < 3; i++) {
      this.kernels.push(this.addWeight(`${names[i]}_kernel`, [fanIns[i] as number, e], 'float32', inits[i], undefined, true));
      if (this.useBias) this.biases.push(this.addWeight(`${names[i]}_bias`, [e], 'float32', tf.initializers.zeros(), undefined, true));
    }
    // out_proj is an nn.Linear (kaiming-uniform with a = √5: U(±1/√E)) whose bias PyTorch then zeroes.
    this.kernels.push(this.addWeight('output_kernel', [e, e], 'float32', uniform(1 / Math.sqrt(e)), undefined, true));
    if (this.useBias) this.biases.push(this.addWeight('output_bias', [e], 'float32', tf.initializers.zeros(), undefined, true));
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return this.checkShapes(inputShape).query;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean } = {}): tf.Tensor {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (this.kernels.length === 0) throw new Error('TorchMultiheadAttention: call() on a layer that was not built.');
    const roles = this.checkShapes(list.map((t) => t.shape));
    const pick = (i: number | undefined) => (i === undefined ? undefined : list[i]);
    const query = list[0] as tf.Tensor3D;
    const key = pick(roles.keyIndex) as tf.Tensor3D;
    const value = pick(roles.valueIndex) as tf.Tensor3D;
    const mask = pick(roles.maskIndex);
    const training = kwargs.training === true;
    return tf.tidy(() => {
      const [b, t, e] = query.shape;
      const s = key.shape[1];
      const h = this.numHeads;
      const d = e / h;
      const read = (i: number) => [this.kernels[i]!.read(), this.useBias ? this.biases[i]!.read() : null] as const;
      // [B, L, F] -> [B, heads, L, E / heads]
      const project = (x: tf.Tensor3D, i: number): tf.Tensor4D => {
        const [kernel, bias] = read(i);
        let y = tf.matMul(tf.reshape(x, [-1, x.shape[2]]), kernel as tf.Tensor2D);
        if (bias !== null) y = tf.add(y, bias);
        return tf.transpose(tf.reshape(y, [x.shape[0], x.shape[1], h, d]), [0, 2, 1, 3]);
      };
      // PyTorch scales the queries before the product.
      const q = tf.mul(project(query, 0), 1 / Math.sqrt(d));
      let scores: tf.Tensor = tf.matMul(q, project(key, 1), false, true); // [B, heads, T, S]
      if (this.causal) {
        const allowed = tf.linalg.bandPart(tf.ones([t, s]), -1, 0);
        scores = tf.add(scores, tf.mul(tf.sub(1, allowed), MASKED));
      }
      if (mask !== undefined) {
        const m = tf.reshape(mask, [b, 1, 1, s]);
        scores = tf.add(scores, tf.mul(tf.sub(1, m), MASKED));
      }
      let weights = tf.softmax(scores);
      if (training && this.dropout > 0) weights = tf.dropout(weights, this.dropout);
      const heads = tf.matMul(weights, project(value, 2)); // [B, heads, T, E / heads]
      const joined = tf.reshape(tf.transpose(heads, [0, 2, 1, 3]), [b * t, e]);
      const [kernel, bias] = read(3);
      let out = tf.matMul(joined, kernel as tf.Tensor2D);
      if (bias !== null) out = tf.add(out, bias);
      return tf.reshape(out, [b, t, e]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads, dropout: this.dropout, causal: this.causal, useBias: this.useBias, seed: this.seed ?? null };
  }

  /** Builds the layer from a saved config (a `null` seed, as JSON keeps it, means unseeded). */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const missing = ['numHeads', 'dropout', 'causal', 'useBias'].filter((k) => config[k] === undefined || config[k] === null);
    if (missing.length > 0) {
      throw new Error(`TorchMultiheadAttention.fromConfig: the saved config lacks ${missing.map((k) => `'${k}'`).join(', ')} (a corrupted or partial model file?).`);
    }
    return new cls({ ...config, seed: config.seed ?? undefined });
  }

  /** Checks the input shapes and tells which input is which (see the class comment). */
  private checkShapes(inputShape: tf.Shape | tf.Shape[]): {
    query: tf.Shape;
    key: tf.Shape;
    value: tf.Shape;
    keyIndex: number;
    valueIndex: number;
    maskIndex: number | undefined;
  } {
    const fn = 'TorchMultiheadAttention';
    const nested = Array.isArray(inputShape) && inputShape.length > 0 && inputShape.every((x) => Array.isArray(x));
    const shapes = (nested ? inputShape : [inputShape]) as tf.Shape[];
    const text = () => shapes.map((x) => `[${shapeText(x)}]`).join(', ');
    const last = shapes[shapes.length - 1] as tf.Shape;
    const maskIndex = shapes.length > 1 && last.length === 2 ? shapes.length - 1 : undefined;
    const sequences = maskIndex === undefined ? shapes.length : shapes.length - 1;
    if (!Array.isArray(inputShape) || sequences < 1 || sequences > 3) {
      throw new Error(
        `${fn}: expects [query], [query, keyValue] or [query, key, value], each optionally followed by a [B, S] mask, got input shape ${JSON.stringify(inputShape)}.`,
      );
    }
    const keyIndex = sequences === 1 ? 0 : 1;
    const valueIndex = sequences === 3 ? 2 : keyIndex;
    const [query, key, value] = [shapes[0], shapes[keyIndex], shapes[valueIndex]] as [tf.Shape, tf.Shape, tf.Shape];
    const known = (x: number | null | undefined, y: number | null | undefined) => x === null || y === null || x === y;
    const ok =
      [query, key, value].every((x) => x.length === 3 && typeof x[2] === 'number') &&
      known(query[0], key[0]) &&
      known(key[0], value[0]) &&
      known(key[1], value[1]);
    if (!ok) {
      throw new Error(
        `${fn}: query, key and value must be [B, T, E], [B, S, Ek] and [B, S, Ev] with known feature sizes (one batch, ` +
          `one key length), got ${text()}.`,
      );
    }
    if ((query[2] as number) % this.numHeads !== 0) {
      throw new Error(`${fn}: numHeads must divide the query's feature size, got numHeads ${this.numHeads} and E = ${query[2]}.`);
    }
    if (maskIndex !== undefined && !(known(last[0], query[0]) && known(last[1], key[1]))) {
      throw new Error(`${fn}: the key padding mask must be [B, S] for keys of length S, got ${text()}.`);
    }
    return { query, key, value, keyIndex, valueIndex, maskIndex };
  }
}

tf.serialization.registerClass(TorchMultiheadAttention);
