import * as tf from '@tensorflow/tfjs';

import { assertSpatialFits, blur, blurredLength, type ResolvedBlurOptions } from '../blur';
import { resolveInitializer, serializeInitializer, type Initializer, type InitializerInstance, type SerializedInitializer } from '../initializers';
import { BLUR_PADDINGS, type BlurPadding } from '../padding';
import { seedSequence } from '../seeds';
import { assertBoolean, assertNoMisspeltOptions, assertOneOf, assertOptionalSeed, assertPositiveInt, fail } from '../validate';
import { assertConfigHas, singleShape, singleTensor, type LayerArgs } from './layerUtils';

type LayerVariable = ReturnType<tf.layers.Layer['addWeight']>;

/** Padding of the convolution in {@link ConvBlurPool2D}, as `tf.layers.conv2d` takes it. */
export type ConvPadding = 'same' | 'valid';

/** Constructor arguments of {@link ConvBlurPool2D}. */
export interface ConvBlurPool2DArgs extends LayerArgs {
  /** Output channels. */
  filters: number;
  /** Side of the convolution window. Default 3. */
  kernelSize?: number;
  /** Padding of the stride-1 convolution: `'same'` keeps the size (PyTorch `padding=(k-1)//2` for odd k), `'valid'` none. Default `'same'`. */
  padding?: ConvPadding;
  /** The downsampling the strided convolution would have done; it moves to the blur. Default 2. With 1 there is no blur. */
  strides?: number;
  /** Activation between convolution and blur, a tfjs activation name. Default `'relu'` (antialiased-cnns' recipe). */
  activation?: string;
  /** Give the convolution a bias. Default true (PyTorch's `nn.Conv2d` and tfjs's `conv2d` default). */
  useBias?: boolean;
  /** Kernel initializer: a name, an instance or a saved config. Default tfjs's `conv2d` one, `'glorotNormal'`. */
  kernelInitializer?: Initializer | SerializedInitializer;
  /** Bias initializer. Default `'zeros'`. */
  biasInitializer?: Initializer | SerializedInitializer;
  /** Blur kernel size. Default `max(2, floor(1.7 * strides))`, 3 for stride 2 (as `MaxBlurPool2D` and `antiAliasedConv2d`). */
  blurKernelSize?: number;
  /** Padding of the blur. Default `'reflect'`, which gives the strided `'same'` convolution's size `ceil(n / strides)`. */
  blurPadding?: BlurPadding;
  /** Seed of both initializers (each gets its own seed derived from it): the same seed, the same initial weights. */
  seed?: number;
}

const OPTION_KEYS = Object.keys({
  filters: true,
  kernelSize: true,
  padding: true,
  strides: true,
  activation: true,
  useBias: true,
  kernelInitializer: true,
  biasInitializer: true,
  blurKernelSize: true,
  blurPadding: true,
  seed: true,
} satisfies Record<Exclude<keyof ConvBlurPool2DArgs, keyof LayerArgs>, true>);

/** The options a saved config must hold (the initializers and seed may be absent). */
const SAVED_KEYS = ['filters', 'kernelSize', 'padding', 'strides', 'activation', 'useBias', 'blurKernelSize', 'blurPadding'];

const CONV_PADDINGS: readonly ConvPadding[] = ['same', 'valid'];

/**
 * Anti-aliased strided convolution as one layer (antialiased-cnns' "StridedConv → ConvBlurPool"):
 * a stride-1 convolution (with bias), the activation (ReLU), then a {@link BlurPool} that does the
 * subsampling. Use it where you would write `tf.layers.conv2d({ strides: 2, activation: 'relu' })`;
 * with the default `'same'` padding and `'reflect'` blur it keeps that layer's output size
 * `ceil(n / strides)` and its weights (`kernel` `[k, k, Cin, filters]`, `bias` `[filters]`).
 *
 * It is a leaf layer that owns its two weights (tfjs-layers does not track the weights of layers
 * nested in a custom layer), so it trains, saves and loads like `Conv2D`. For a BatchNorm between
 * convolution and activation use the functional {@link antiAliasedConv2d} instead.
 *
 * @example
 * ```ts
 * // replaces tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' })
 * const layer = new ConvBlurPool2D({ filters: 16, kernelSize: 3, strides: 2 }); // [B, 24, 24, C] -> [B, 12, 12, 16]
 * ```
 */
export class ConvBlurPool2D extends tf.layers.Layer {
  static className = 'ConvBlurPool2D';

  readonly filters: number;
  readonly kernelSize: number;
  readonly padding: ConvPadding;
  readonly strides: number;
  readonly activation: string;
  readonly useBias: boolean;
  readonly blurKernelSize: number;
  readonly blurPadding: BlurPadding;
  readonly seed: number | undefined;
  private readonly kernelInitializer: InitializerInstance;
  private readonly biasInitializer: InitializerInstance;
  private readonly activationLayer: tf.layers.Layer;
  private kernel: LayerVariable | null = null;
  private bias: LayerVariable | null = null;

  constructor(args: ConvBlurPool2DArgs) {
    const fn = 'ConvBlurPool2D';
    assertNoMisspeltOptions(fn, args, OPTION_KEYS);
    if (args === undefined) fail(fn, 'the constructor argument', args, 'an object with at least { filters }');
    const {
      filters,
      kernelSize = 3,
      padding = 'same',
      strides = 2,
      activation = 'relu',
      useBias = true,
      kernelInitializer,
      biasInitializer,
      blurKernelSize = Math.max(2, Math.floor(1.7 * (args.strides ?? 2))),
      blurPadding = 'reflect',
      seed,
      ...layerArgs
    } = args;
    super(layerArgs);
    assertPositiveInt(fn, 'filters', filters);
    assertPositiveInt(fn, 'kernelSize', kernelSize);
    assertOneOf(fn, 'padding', padding, CONV_PADDINGS);
    assertPositiveInt(fn, 'strides', strides);
    assertBoolean(fn, 'useBias', useBias);
    assertPositiveInt(fn, 'blurKernelSize', blurKernelSize);
    assertOneOf(fn, 'blurPadding', blurPadding, BLUR_PADDINGS);
    assertOptionalSeed(fn, 'seed', seed);
    try {
      // A weightless tfjs layer applies the activation; it resolves every tfjs activation name.
      this.activationLayer = tf.layers.activation({ activation: activation as never });
    } catch {
      fail(fn, 'activation', activation, "a tfjs activation name such as 'relu', 'elu', 'tanh', 'swish'");
    }
    const nextSeed = seedSequence(seed);
    this.kernelInitializer = resolveInitializer(fn, 'kernelInitializer', kernelInitializer, 'glorotNormal', nextSeed());
    this.biasInitializer = resolveInitializer(fn, 'biasInitializer', biasInitializer, 'zeros', nextSeed());
    this.filters = filters;
    this.kernelSize = kernelSize;
    this.padding = padding;
    this.strides = strides;
    this.activation = activation;
    this.useBias = useBias;
    this.blurKernelSize = blurKernelSize;
    this.blurPadding = blurPadding;
    this.seed = seed;
  }

  private get blurOptions(): ResolvedBlurOptions {
    return { kernelSize: this.blurKernelSize, stride: this.strides, padding: this.blurPadding };
  }

  /** The stride-1 convolution's output shape. */
  private convShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape('ConvBlurPool2D', inputShape, [4]);
    if (typeof shape[3] !== 'number') throw new Error(`ConvBlurPool2D: the channel axis of the input must be known, got shape [${shape.map(String).join(', ')}].`);
    const conv = (n: number | null) => (n === null || this.padding === 'same' ? n : n - this.kernelSize + 1);
    for (const axis of [1, 2]) {
      const n = conv(shape[axis] as number | null);
      if (n !== null && n < 1) {
        throw new Error(
          `ConvBlurPool2D: x is too small for kernelSize ${this.kernelSize} under padding 'valid': spatial axis ${axis} of ` +
            `shape [${shape.map(String).join(', ')}] has ${shape[axis]} cells (or use padding 'same').`,
        );
      }
    }
    return [shape[0] as number | null, conv(shape[1] as number | null), conv(shape[2] as number | null), this.filters];
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const channels = this.convShape(inputShape)[3] as number;
    const inChannels = singleShape('ConvBlurPool2D', inputShape, [4])[3] as number;
    this.kernel = this.addWeight('kernel', [this.kernelSize, this.kernelSize, inChannels, channels], 'float32', this.kernelInitializer, undefined, true);
    if (this.useBias) this.bias = this.addWeight('bias', [channels], 'float32', this.biasInitializer, undefined, true);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const conv = this.convShape(inputShape);
    if (this.strides === 1) return conv;
    const what = `the convolution's output [${conv.map(String).join(', ')}]`;
    assertSpatialFits('ConvBlurPool2D', conv, this.blurOptions, what);
    return conv.map((n, axis) => (axis === 1 || axis === 2 ? blurredLength(n, this.blurOptions) : n));
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = singleTensor('ConvBlurPool2D', inputs) as tf.Tensor4D;
    if (this.kernel === null) throw new Error('ConvBlurPool2D: call() on a layer that was not built.');
    const kernel = this.kernel;
    const bias = this.bias;
    this.computeOutputShape(x.shape);
    return tf.tidy(() => {
      let y = tf.conv2d(x, kernel.read() as tf.Tensor4D, 1, this.padding);
      if (bias !== null) y = tf.add(y, bias.read());
      y = this.activationLayer.apply(y) as tf.Tensor4D;
      return this.strides === 1 ? y : blur(y, this.blurOptions);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      padding: this.padding,
      strides: this.strides,
      activation: this.activation,
      useBias: this.useBias,
      // The initializers as built (with the seeds derived from `seed`), so a rebuild starts the same.
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      blurKernelSize: this.blurKernelSize,
      blurPadding: this.blurPadding,
    };
  }

  /** Builds the layer from a saved config; a config lacking one of the layer's options is an error, not the defaults. */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    assertConfigHas('ConvBlurPool2D', config, SAVED_KEYS);
    return new cls(config);
  }
}

tf.serialization.registerClass(ConvBlurPool2D);
