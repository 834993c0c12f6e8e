import * as tf from '@tensorflow/tfjs';

import { residualBlock, type Activation, type DownsampleInfo } from '@aa/rezero';

import { checkBlockCase, expectClose, expectNoLeak, loadFixture, setAlpha, setFixtureWeights, variableOf, type BlockCase } from './helpers';

const cases = loadFixture<BlockCase[]>('residualBlock');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function avgPoolDownsample(calls: DownsampleInfo[]) {
  return (x: tf.SymbolicTensor, info: DownsampleInfo): tf.SymbolicTensor => {
    calls.push(info);
    return tf.layers
      .averagePooling2d({ poolSize: info.stride, strides: info.stride, padding: 'same', name: info.name })
      .apply(x) as tf.SymbolicTensor;
  };
}

function blockModel(c: BlockCase, calls: DownsampleInfo[] = []): tf.LayersModel {
  const input = tf.input({ shape: c.input_shape.slice(1) });
  const output = residualBlock(input, {
    channels: c.channels as number,
    kernelSize: c.kernelSize as number,
    stride: c.stride as number,
    activation: c.activation as Activation,
    rezero: c.rezero,
    downsample: c.downsample === 'avgPool' ? avgPoolDownsample(calls) : undefined,
    name: 'rb',
  });
  return tf.model({ inputs: input, outputs: output });
}

function describeCase(c: BlockCase): string {
  const form = c.rezero ? `ReZero alpha=${c.alpha}` : 'plain';
  return `${c.inChannels}->${c.channels} stride ${c.stride} k${c.kernelSize} ${c.activation} ${form} on [${c.input_shape}]${c.downsample ? ' with an avg-pool downsample' : ''}`;
}

describe('residualBlock against PyTorch (BatchNorm in training mode)', () => {
  it('has the five shared reference cases plus the generated ones', () => {
    expect(cases.filter((c) => (c as BlockCase & { source: string }).source === 'shared')).toHaveLength(5);
  });

  it.each(cases.map((c) => [describeCase(c), c] as const))('%s: output, moving statistics and gradients', async (_, c) => {
    const model = blockModel(c);
    await expectNoLeak(() => checkBlockCase(model, 'rb', c));
    model.dispose();
  });
});

describe('residualBlock structure', () => {
  it('is the identity at initialisation when the shape is kept (ReZero, alpha 0), in training and inference', () => {
    const input = tf.input({ shape: [5, 5, 4] });
    const model = tf.model({ inputs: input, outputs: residualBlock(input, { channels: 4 }) });
    const x = tf.randomNormal([3, 5, 5, 4]);
    for (const training of [true, false]) {
      const y = model.apply(x, { training }) as tf.Tensor;
      expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
      y.dispose();
    }
    x.dispose();
    model.dispose();
  });

  it('passes the gradient to alpha at alpha = 0: d/dalpha sum(out * up) = sum(up * act(F(x)))', () => {
    const c = cases[0] as BlockCase;
    expect(c.rezero && c.alpha === 0).toBe(true);
    const model = blockModel(c);
    setFixtureWeights(model, 'rb', c.weights);
    setAlpha(model, 'rb', 0);
    const x = tf.tensor(c.input as number[]);
    const up = tf.tensor(c.upstream as number[]);
    const alpha = variableOf(model, 'rb_rezero', 0);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, up)),
      [alpha],
    );
    const g = (grads[alpha.name] as tf.Tensor).dataSync()[0] as number;
    expect(Math.abs(g)).toBeGreaterThan(1e-3);
    expectClose([g], [c.grads.alpha as number]);
    // One SGD step moves alpha off zero by exactly -lr * grad.
    const sgd = tf.train.sgd(0.1);
    const cost = sgd.minimize(() => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, up)), true, [alpha]);
    expectClose(alpha.dataSync(), [-0.1 * (c.grads.alpha as number)]);
    tf.dispose([value, x, up, cost as tf.Tensor, ...Object.values(grads)]);
    sgd.dispose();
    model.dispose();
  });

  it('names its layers from the prefix and uses a projection only when the shape changes', () => {
    const input = tf.input({ shape: [8, 8, 4] });
    const same = residualBlock(input, { channels: 4, name: 'same' });
    const strided = residualBlock(input, { channels: 4, stride: 2, name: 'strided' });
    const wider = residualBlock(input, { channels: 6, rezero: false, name: 'wider' });
    const model = tf.model({ inputs: input, outputs: [same, strided, wider] });
    const names = model.layers.map((l) => l.name);
    expect(names.filter((n) => n.startsWith('same_')).sort()).toEqual(
      ['same_act', 'same_act1', 'same_bn1', 'same_bn2', 'same_conv1', 'same_conv2', 'same_rezero'].sort(),
    );
    expect(names).toEqual(expect.arrayContaining(['strided_proj_conv', 'strided_proj_bn', 'strided_conv2_pad', 'wider_proj_conv', 'wider_add']));
    expect(names).not.toContain('wider_rezero');
    expect(strided.shape).toEqual([null, 4, 4, 4]);
    expect(wider.shape).toEqual([null, 8, 8, 6]);
    // BatchNorm as PyTorch's: epsilon 1e-5, running-average momentum 0.1 (tfjs 0.9).
    const bn = model.getLayer('same_bn1').getConfig();
    expect(bn.epsilon).toBe(1e-5);
    expect(bn.momentum).toBe(0.9);
    // No conv biases, like the chapter's bias=False.
    expect(model.getLayer('same_conv1').getConfig().useBias).toBe(false);
    model.dispose();
  });

  it('gives the shapes of PyTorch Conv2d(k, stride, padding=(k-1)//2) on odd and even sizes', () => {
    for (const [size, stride, k] of [[7, 2, 3], [8, 2, 3], [9, 3, 3], [6, 2, 5], [5, 1, 5], [1, 2, 3]] as const) {
      const input = tf.input({ shape: [size, size + 1, 2] });
      const y = residualBlock(input, { channels: 3, stride, kernelSize: k });
      const torch = (n: number) => Math.floor((n + 2 * ((k - 1) / 2) - k) / stride) + 1;
      expect(y.shape).toEqual([null, torch(size), torch(size + 1), 3]);
    }
  });

  it('hands the stride to a caller-supplied downsampler on both paths (exercise 5)', () => {
    const calls: DownsampleInfo[] = [];
    const c = cases.find((k) => k.downsample === 'avgPool') as BlockCase;
    const model = blockModel(c, calls);
    expect(calls).toEqual([
      { channels: 4, stride: 2, path: 'branch', name: 'rb_down' },
      { channels: 3, stride: 2, path: 'shortcut', name: 'rb_proj_down' },
    ]);
    expect(model.getLayer('rb_conv2').getConfig().strides).toEqual([1, 1]);
    expect(model.getLayer('rb_proj_conv').getConfig().strides).toEqual([1, 1]);
    expect(model.outputs[0]?.shape).toEqual([null, 4, 4, 4]);
    model.dispose();

    // Stride 1: the downsampler is not used.
    const seen: DownsampleInfo[] = [];
    const input = tf.input({ shape: [6, 6, 2] });
    residualBlock(input, { channels: 3, downsample: avgPoolDownsample(seen) });
    expect(seen).toHaveLength(0);
  });

  it('requires the strided convolution size ceil(n / stride) from a downsampler on odd sizes', () => {
    const input = tf.input({ shape: [7, 9, 2] });
    // 'valid' pooling floors (7 -> 3): not the size PyTorch's strided convolution gives.
    const floor = (x: tf.SymbolicTensor, info: DownsampleInfo) =>
      tf.layers.averagePooling2d({ poolSize: info.stride, strides: info.stride, padding: 'valid' }).apply(x) as tf.SymbolicTensor;
    expect(() => residualBlock(input, { channels: 3, stride: 2, downsample: floor })).toThrow(
      /residualBlock: downsample \(branch path, stride 2\) must map \[null, 7, 9, 3\] to \[null, 4, 5, 3\].*got \[null, 3, 4, 3\]/,
    );
    const y = residualBlock(input, { channels: 3, stride: 2, downsample: avgPoolDownsample([]) });
    expect(y.shape).toEqual([null, 4, 5, 3]);
  });

  it('rejects a downsampler that does not produce the strided size', () => {
    const input = tf.input({ shape: [8, 8, 2] });
    expect(() => residualBlock(input, { channels: 2, stride: 2, downsample: (x) => x })).toThrow(
      /residualBlock: downsample \(branch path, stride 2\) must map \[null, 8, 8, 2\] to \[null, 4, 4, 2\].*got \[null, 8, 8, 2\]/,
    );
    expect(() =>
      residualBlock(input, { channels: 2, stride: 2, downsample: () => 'nope' as unknown as tf.SymbolicTensor }),
    ).toThrow(/residualBlock: downsample's result must be a tf.SymbolicTensor \(the result of a layer's apply\), got 'nope'\./);
  });

  it('accepts every tfjs activation name', () => {
    const input = tf.input({ shape: [4, 4, 2] });
    for (const activation of ['relu', 'elu', 'selu', 'swish', 'mish', 'gelu', 'tanh'] as const) {
      expect(residualBlock(input, { channels: 2, activation }).shape).toEqual([null, 4, 4, 2]);
    }
  });
});

describe('residualBlock errors', () => {
  const input = tf.input({ shape: [8, 8, 3] });
  it.each([
    [{ channels: 0 }, /residualBlock: channels must be a positive integer.*got 0/],
    [{ channels: 2.5 }, /residualBlock: channels must be a positive integer.*got 2.5/],
    [{ channels: 4, kernelSize: 4 }, /residualBlock: kernelSize must be an odd positive integer.*got 4/],
    [{ channels: 4, stride: 0 }, /residualBlock: stride must be a positive integer.*got 0/],
    [{ channels: 4, activation: 'leaky' }, /residualBlock: activation must be a tfjs activation name, one of 'elu', .*'relu'.*got 'leaky'/],
    [{ channels: 4, rezero: 'yes' }, /residualBlock: rezero must be true or false, got 'yes'/],
    [{ channels: 4, initialAlpha: Number.NaN }, /residualBlock: initialAlpha must be a finite number, got NaN/],
    [{ channels: 4, downsample: 3 }, /residualBlock: downsample must be a function or undefined, got 3/],
    [{ channels: 4, name: '' }, /residualBlock: name must be a non-empty string or undefined, got ''/],
    // The chapter's spelling `ReZero=False` must not silently build a ReZero block.
    [{ channels: 4, ReZero: false }, /residualBlock: option names must be one of 'channels', .*'rezero'.*, got 'ReZero'\./],
    [{ channels: 4, kernel_size: 5, padding: 1 }, /residualBlock: option names must be one of 'channels', 'kernelSize', .*, got 'kernel_size'\./],
    [{ channels: 4, stride: Number.POSITIVE_INFINITY }, /residualBlock: stride must be a positive integer.*got Infinity/],
    [{ channels: Number.NaN }, /residualBlock: channels must be a positive integer \(1, 2, 3, \.\.\.\), got NaN\./],
    [{ channels: 4, initialAlpha: Number.NEGATIVE_INFINITY }, /residualBlock: initialAlpha must be a finite number, got -Infinity\./],
    [{ channels: 4, seed: -3 }, /residualBlock: seed must be an integer in \[0, 4294967295\] or undefined, got -3\./],
    [{ channels: [4, Number.NaN] }, /residualBlock: channels must be a positive integer.*got \[4, NaN\]\./],
    [{ channels: tf.layers.dense({ units: 2 }) }, /residualBlock: channels must be a positive integer.*got an instance of Dense/],
  ])('%j', (options, message) => {
    expect(() => residualBlock(input, options as never)).toThrow(message);
  });

  it('checks the input and the options object', () => {
    const concrete = tf.zeros([1, 4, 4, 2]);
    expect(() => residualBlock(concrete as never, { channels: 2 })).toThrow(
      /residualBlock: input must be a tf.SymbolicTensor of shape \[B, H, W, C\].*got a float32 tf.Tensor of shape \[1, 4, 4, 2\]/,
    );
    concrete.dispose();
    expect(() => residualBlock(tf.input({ shape: [4, 2] }), { channels: 2 })).toThrow(
      /residualBlock: input must be a tf.SymbolicTensor of shape \[B, H, W, C\] .*, got a SymbolicTensor of shape \[null, 4, 2\]\./,
    );
    expect(() => residualBlock(input, undefined as never)).toThrow(/residualBlock: options must be an object with some of the keys 'channels', .*, got undefined\./);
  });
});
