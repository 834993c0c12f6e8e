/**
 * The chapter's models for the throughput bench, built with plain tfjs layers (no @aa/* imports):
 * the plain CNN, the same CNN with anti-aliased max pooling, and the 28-block ResNet / ReZero ResNet.
 * Shapes follow the PyTorch reference (the chapter's `chapter14_reference.py`), channels-last.
 */
import * as tf from '@tensorflow/tfjs';

/** Names of the benchmarked models, as `torch_throughput.py` names them. */
export type ModelName = 'normal' | 'aa' | 'resnet' | 'rezero' | 'rezero_mixup';

const H = 16; // the chapter's hidden channels
const K = 10; // classes
// PyTorch's BatchNorm2d epsilon (tfjs-layers defaults to 1e-3).
const BN_EPSILON = 1e-5;

/** `[conv 3x3 'same' -> BN -> ReLU]`, the chapter's `cnnLayer`. */
function cnnLayer(x: tf.SymbolicTensor, filters: number): tf.SymbolicTensor {
  const conv = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same' }).apply(x);
  const norm = tf.layers.batchNormalization({ epsilon: BN_EPSILON }).apply(conv);
  return tf.layers.reLU().apply(norm) as tf.SymbolicTensor;
}

/** Max pooling with window 2, stride 1 and one pixel of (-inf) padding per side: [B,H,W,C] -> [B,H+1,W+1,C]. */
class DenseMaxPool extends tf.layers.Layer {
  static className = 'BenchDenseMaxPool';
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = s as tf.Shape;
    return [shape[0] ?? null, (shape[1] as number) + 1, (shape[2] as number) + 1, shape[3] ?? null];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
    return tf.maxPool(x, 2, 1, 1);
  }
}
tf.serialization.registerClass(DenseMaxPool);

/** The chapter's anti-aliased max pool: dense max pool, then a fixed 3x3 binomial blur with stride 2 ('valid'). */
function antiAliasedPool(x: tf.SymbolicTensor, channels: number): tf.SymbolicTensor {
  const dense = new DenseMaxPool({}).apply(x) as tf.SymbolicTensor;
  const row = [1, 2, 1];
  const taps: number[] = [];
  for (const a of row) for (const b of row) for (let c = 0; c < channels; c++) taps.push((a * b) / 16);
  const blur = tf.layers.depthwiseConv2d({
    kernelSize: 3,
    strides: 2,
    padding: 'valid',
    useBias: false,
    trainable: false,
    depthwiseInitializer: tf.initializers.zeros(),
  });
  const out = blur.apply(dense) as tf.SymbolicTensor;
  blur.setWeights([tf.tensor4d(taps, [3, 3, channels, 1])]);
  return out;
}

/** The plain CNN (`aa: false`) or its anti-aliased variant (`aa: true`), input [B, 24, 24, 3] -> logits [B, 10]. */
export function plainCnn(aa: boolean): tf.LayersModel {
  const input = tf.input({ shape: [24, 24, 3] });
  const pool = (x: tf.SymbolicTensor) =>
    aa ? antiAliasedPool(x, H) : (tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor);
  let x = cnnLayer(cnnLayer(input, H), H);
  x = pool(x);
  x = cnnLayer(cnnLayer(x, H), H);
  x = pool(x);
  x = cnnLayer(cnnLayer(x, H), H);
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: K }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
}

/** ReZero's residual weight: `shortcut + alpha * relu(f)`, alpha a trainable scalar starting at 0. */
class ReZeroAdd extends tf.layers.Layer {
  static className = 'BenchReZeroAdd';
  private alpha: tf.LayerVariable | null = null;
  override build(): void {
    this.alpha = this.addWeight('alpha', [], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  override computeOutputShape(s: tf.Shape | tf.Shape[]): tf.Shape {
    return (s as tf.Shape[])[0] as tf.Shape;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [shortcut, f] = inputs as tf.Tensor[];
    return tf.tidy(() => tf.add(shortcut as tf.Tensor, tf.mul((this.alpha as tf.LayerVariable).read(), tf.relu(f as tf.Tensor))));
  }
}
tf.serialization.registerClass(ReZeroAdd);

function convBn(x: tf.SymbolicTensor, filters: number, kernelSize: number, strides: number): tf.SymbolicTensor {
  const conv = tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false }).apply(x);
  return tf.layers.batchNormalization({ epsilon: BN_EPSILON }).apply(conv) as tf.SymbolicTensor;
}

/** The chapter's residual block: F = conv-BN-ReLU-conv(stride)-BN, 1x1 conv + BN shortcut when the shape changes. */
function residualBlock(x: tf.SymbolicTensor, inC: number, outC: number, stride: number, rezero: boolean): tf.SymbolicTensor {
  let f = tf.layers.reLU().apply(convBn(x, outC, 3, 1)) as tf.SymbolicTensor;
  f = convBn(f, outC, 3, stride);
  const shortcut = inC !== outC || stride !== 1 ? convBn(x, outC, 1, stride) : x;
  if (rezero) return new ReZeroAdd({}).apply([shortcut, f]) as tf.SymbolicTensor;
  return tf.layers.reLU().apply(tf.layers.add().apply([shortcut, f])) as tf.SymbolicTensor;
}

/** The chapter's 28-block ResNet (plain residual blocks or ReZero), input [B, 24, 24, 3] -> logits [B, 10]. */
export function resnet(rezero: boolean): tf.LayersModel {
  const input = tf.input({ shape: [24, 24, 3] });
  let x = residualBlock(input, 3, H, 1, rezero);
  const stages: Array<[number, number, number]> = [
    [H, H, 1],
    [H, 2 * H, 2],
    [2 * H, 4 * H, 2],
    [4 * H, 4 * H, 2],
  ];
  stages.forEach(([inC, outC, stride], i) => {
    if (i > 0) x = residualBlock(x, inC, outC, stride, rezero);
    for (let j = 0; j < 6; j++) x = residualBlock(x, outC, outC, 1, rezero);
  });
  x = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: K }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
}

/** Builds a model by its `torch_throughput.py` name. */
export function buildModel(name: ModelName): tf.LayersModel {
  switch (name) {
    case 'normal':
      return plainCnn(false);
    case 'aa':
      return plainCnn(true);
    case 'resnet':
      return resnet(false);
    case 'rezero':
    case 'rezero_mixup':
      return resnet(true);
  }
}

/** A training step closure: Adam, softmax cross-entropy, BN in training mode; MixUp (one λ per batch) when asked. */
export function makeStep(model: tf.LayersModel, batch: number, mixup: boolean, seed = 1): { step: () => number; dispose: () => void } {
  const optimizer = tf.train.adam(1e-3);
  const xs = tf.randomUniform([batch, 24, 24, 3], 0, 1, 'float32', seed);
  const labels = tf.randomUniform([batch], 0, K, 'int32', seed + 1) as tf.Tensor1D;
  const yi = tf.oneHot(labels, K);
  // A fixed permutation and λ stand in for the collator's random ones: same ops, same cost.
  const order = tf.tensor1d(Array.from({ length: batch }, (_, i) => (i * 7 + 3) % batch), 'int32');
  const yj = tf.gather(yi, order);
  const lambda = 0.3;
  const step = (): number => {
    const cost = optimizer.minimize(() => {
      if (!mixup) return tf.losses.softmaxCrossEntropy(yi, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar;
      const mixed = tf.add(tf.mul(xs, lambda), tf.mul(tf.gather(xs, order), 1 - lambda));
      const logits = model.apply(mixed, { training: true }) as tf.Tensor;
      return tf.add(
        tf.mul(tf.losses.softmaxCrossEntropy(yi, logits), lambda),
        tf.mul(tf.losses.softmaxCrossEntropy(yj, logits), 1 - lambda),
      ) as tf.Scalar;
    }, true) as tf.Scalar;
    const loss = cost.dataSync()[0] as number;
    cost.dispose();
    return loss;
  };
  const dispose = () => {
    optimizer.dispose();
    tf.dispose([xs, labels, yi, order, yj]);
  };
  return { step, dispose };
}
