import * as tf from '@tensorflow/tfjs';

import { activate, batchNorm, combine, conv, namer } from './blockParts';
import { seedSequence, type SeedSequence } from './seeds';
import { kaimingNormalInitializer, torchBiasInitializer } from './torchInit';
import {
  assertBoolean,
  assertFiniteNumber,
  assertImageShape,
  assertOptionalName,
  assertOptionalSeed,
  assertOptions,
  assertPositiveInt,
  fail,
} from './validate';
import { ZeroPadShortcut } from './zeroPadShortcut';

/** Options of {@link cifarResnet}. */
export interface CifarResNetOptions {
  /** Layers with weights, `6n + 2` for `n` blocks per stage: 20 (n = 3), 56 (n = 9), 110 (n = 18), ... Default 20. */
  depth?: number;
  /** `true` (default): `shortcut + α · relu(F(x))`, the skip after the nonlinearity; `false`: the plain `relu(F(x) + shortcut)`. */
  rezero?: boolean;
  /** Number of classes. Default 10. */
  classes?: number;
  /** Shape of one image, channels-last `[H, W, C]`; H and W may be `null`. Default `[32, 32, 3]`. */
  inputShape?: readonly (number | null)[];
  /** Channels of the stem and the first stage; the stages use w, 2w, 4w. Default 16. */
  width?: number;
  /** Starting value of every ReZero gate. Default 0. */
  initialAlpha?: number;
  /** Seed of the weight initialisation: every layer gets a distinct seed derived from it. Default: unseeded. */
  seed?: number;
  /** Model name. Default `rezero_resnet<depth>` or `resnet<depth>`. */
  name?: string;
}

const OPTION_KEYS = Object.keys({
  depth: true,
  rezero: true,
  classes: true,
  inputShape: true,
  width: true,
  initialAlpha: true,
  seed: true,
  name: true,
} satisfies Record<keyof CifarResNetOptions, true>);

/**
 * The CIFAR ResNet-20/56/110 of the ReZero authors' ReZero-examples ("ReZNet", after He et al.'s CIFAR
 * ResNets in Idelbayev's implementation): a 3×3 stem convolution (C → w) with BN and ReLU; three
 * stages of `n = (depth − 2) / 6` basic blocks with w, 2w and 4w channels, the second and third
 * starting at stride 2; global average pooling; a dense layer to the logits.
 *
 * A block is `F = conv3×3(stride)–BN–ReLU–conv3×3–BN` (bias-free, the stride on the first convolution)
 * with the parameter-free option-A shortcut ({@link ZeroPadShortcut}) where the shape changes. With
 * ReZero the skip is added after the nonlinearity, `shortcut(x) + α · relu(F(x))` with α starting at 0,
 * which is what lets the authors train it fast; the plain block is `relu(F(x) + shortcut(x))`.
 * Kernels start as PyTorch's `kaiming_normal_` (N(0, 2 / fanIn)), the classifier's bias U(±1/√fanIn),
 * BatchNorm as PyTorch's (epsilon 1e-5, momentum 0.1). Trainable parameters, as in PyTorch:
 * ResNet-20 269,731 (ReZero) / 269,722 (plain), ResNet-56 853,045 / 853,018, ResNet-110 1,728,016 / 1,727,962.
 *
 * Layers are named `stem_conv`, `stem_bn`, `stem_relu`, `block{i}_conv1`, `_bn1`, `_act1`, `_conv2`, `_bn2`,
 * `_shortcut`, `_act`, `_rezero` (plain: `_add`, `_act`), `pool` and `logits`.
 *
 * @returns a model mapping `[B, H, W, C]` images to `[B, classes]` logits.
 * @example
 * ```ts
 * const resnet20 = cifarResnet({ depth: 20, seed: 0 });
 * const resnet56 = cifarResnet({ depth: 56, rezero: false });
 * ```
 */
export function cifarResnet(options: CifarResNetOptions = {}): tf.LayersModel {
  const fn = 'cifarResnet';
  assertOptions(fn, options, true, OPTION_KEYS);
  const { depth = 20, rezero = true, classes = 10, inputShape = [32, 32, 3], width = 16, initialAlpha = 0, seed } = options;
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 8 || (depth - 2) % 6 !== 0) {
    fail(fn, 'depth', depth, '6n + 2 for n >= 1 blocks per stage (8, 14, 20, 32, 44, 56, 110, ...)');
  }
  assertBoolean(fn, 'rezero', rezero);
  assertPositiveInt(fn, 'classes', classes);
  assertImageShape(fn, inputShape);
  assertPositiveInt(fn, 'width', width);
  assertFiniteNumber(fn, 'initialAlpha', initialAlpha);
  assertOptionalSeed(fn, 'seed', seed);
  const name = options.name ?? (rezero ? `rezero_resnet${depth}` : `resnet${depth}`);
  assertOptionalName(fn, 'name', name);
  const nextSeed = seedSequence(seed);
  const blocksPerStage = (depth - 2) / 6;

  const input = tf.input({ shape: [...inputShape] as number[], name: `${name}_input` });
  const inChannels = inputShape[2] as number;
  let x = conv(input, width, 3, 1, 'stem_conv', undefined, kaimingNormalInitializer(9 * inChannels, nextSeed()));
  x = activate(batchNorm(x, 'stem_bn'), 'relu', 'stem_relu');
  let channels = width;
  let index = 0;
  for (const [stage, planes] of [width, 2 * width, 4 * width].entries()) {
    for (let j = 0; j < blocksPerStage; j++) {
      const stride = stage > 0 && j === 0 ? 2 : 1;
      x = basicBlock(x, channels, planes, stride, { rezero, initialAlpha }, `block${index}`, nextSeed);
      channels = planes;
      index++;
    }
  }
  const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers
    .dense({
      units: classes,
      kernelInitializer: kaimingNormalInitializer(channels, nextSeed()),
      biasInitializer: torchBiasInitializer(channels, nextSeed()),
      name: 'logits',
    })
    .apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name });
}

/** The notebook's `BasicBlock`: stride on the first convolution, option-A shortcut, ReZero after the ReLU. */
function basicBlock(
  x: tf.SymbolicTensor,
  inChannels: number,
  planes: number,
  stride: number,
  gate: { rezero: boolean; initialAlpha: number },
  prefix: string,
  nextSeed: SeedSequence,
): tf.SymbolicTensor {
  const name = namer(prefix);
  let f = conv(x, planes, 3, stride, name('conv1'), undefined, kaimingNormalInitializer(9 * inChannels, nextSeed()));
  f = activate(batchNorm(f, name('bn1')), 'relu', name('act1'));
  f = conv(f, planes, 3, 1, name('conv2'), undefined, kaimingNormalInitializer(9 * planes, nextSeed()));
  f = batchNorm(f, name('bn2'));
  const shortcut =
    stride !== 1 || inChannels !== planes
      ? (new ZeroPadShortcut({ channels: planes, stride, name: name('shortcut') }).apply(x) as tf.SymbolicTensor)
      : x;
  return combine(shortcut, f, { rezero: gate.rezero, activation: 'relu', initialAlpha: gate.initialAlpha }, name);
}
