import * as tf from '@tensorflow/tfjs';

import { bottleneckBlock, countTrainableParams, denseResidualBlock, type Activation, type DownsampleInfo } from '@aa/rezero';

import { checkBlockCase, expectNoLeak, loadFixture, type BlockCase } from './helpers';

const bottlenecks = loadFixture<BlockCase[]>('bottleneckBlock');
const denses = loadFixture<BlockCase[]>('denseResidualBlock');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const form = (c: BlockCase) => (c.rezero ? `ReZero alpha=${c.alpha}` : 'plain');

describe('bottleneckBlock against PyTorch (BatchNorm in training mode)', () => {
  it.each(
    bottlenecks.map(
      (c) => [`${c.inChannels}->${c.channels} expansion ${c.expansion} stride ${c.stride} ${c.activation} ${form(c)} on [${c.input_shape}]`, c] as const,
    ),
  )('%s', async (_, c) => {
    const input = tf.input({ shape: c.input_shape.slice(1) });
    const output = bottleneckBlock(input, {
      channels: c.channels as number,
      expansion: c.expansion as number,
      kernelSize: c.kernelSize as number,
      stride: c.stride as number,
      activation: c.activation as Activation,
      rezero: c.rezero,
      name: 'bn',
    });
    const model = tf.model({ inputs: input, outputs: output });
    await expectNoLeak(() => checkBlockCase(model, 'bn', c));
    model.dispose();
  });

  it('is the identity at initialisation when the shape is kept, and has the expected parameters', () => {
    const input = tf.input({ shape: [4, 4, 16] });
    const model = tf.model({ inputs: input, outputs: bottleneckBlock(input, { channels: 16 }) });
    // 1x1 16->4, 3x3 4->4, 1x1 4->16 (no biases), BN gammas/betas 2*(4+4+16), alpha.
    expect(countTrainableParams(model)).toBe(16 * 4 + 9 * 4 * 4 + 4 * 16 + 2 * (4 + 4 + 16) + 1);
    const x = tf.randomNormal([2, 4, 4, 16]);
    const y = model.apply(x, { training: true }) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, y]);
    model.dispose();
  });

  it('hands the stride to a caller-supplied downsampler before the middle convolution and the projection', () => {
    const calls: DownsampleInfo[] = [];
    const input = tf.input({ shape: [7, 7, 4] });
    const output = bottleneckBlock(input, {
      channels: 8,
      expansion: 2,
      stride: 2,
      name: 'bt',
      downsample: (x, info) => {
        calls.push(info);
        return tf.layers
          .averagePooling2d({ poolSize: info.stride, strides: info.stride, padding: 'same', name: info.name })
          .apply(x) as tf.SymbolicTensor;
      },
    });
    const model = tf.model({ inputs: input, outputs: output });
    // The branch is downsampled at the inner width (8 / 2), the shortcut at the input's channels.
    expect(calls).toEqual([
      { channels: 4, stride: 2, path: 'branch', name: 'bt_down' },
      { channels: 4, stride: 2, path: 'shortcut', name: 'bt_proj_down' },
    ]);
    expect(model.getLayer('bt_down').input).toBe(model.getLayer('bt_act1').output);
    expect(model.getLayer('bt_conv2').input).toBe(model.getLayer('bt_down').output);
    expect(model.getLayer('bt_conv2').getConfig().strides).toEqual([1, 1]);
    expect(model.getLayer('bt_proj_conv').getConfig().strides).toEqual([1, 1]);
    expect(output.shape).toEqual([null, 4, 4, 8]);
    model.dispose();
  });

  it('rejects bad options', () => {
    const input = tf.input({ shape: [4, 4, 8] });
    expect(() => bottleneckBlock(input, { channels: 8, width: 2 } as never)).toThrow(
      /bottleneckBlock: option names must be one of 'channels', 'expansion', .*, got 'width'\./,
    );
    expect(() => bottleneckBlock(input, { channels: 6, expansion: 4 })).toThrow(
      /bottleneckBlock: expansion must divide channels.*got channels 6 and expansion 4/,
    );
    expect(() => bottleneckBlock(input, { channels: 8, expansion: 0 })).toThrow(/bottleneckBlock: expansion must be a positive integer.*got 0/);
    expect(() => bottleneckBlock(input, { channels: 8, kernelSize: 2 })).toThrow(/bottleneckBlock: kernelSize must be an odd positive integer.*got 2/);
    expect(() => bottleneckBlock(input, { channels: 8, activation: 'ReLU' as never })).toThrow(
      /bottleneckBlock: activation must be a tfjs activation name.*got 'ReLU'/,
    );
    expect(() => bottleneckBlock(tf.input({ shape: [8] }), { channels: 8 })).toThrow(/bottleneckBlock: input must be a tf.SymbolicTensor of shape \[B, H, W, C\] .*, got a SymbolicTensor of shape \[null, 8\]\./);
  });
});

describe('denseResidualBlock against PyTorch (BatchNorm1d in training mode)', () => {
  it.each(denses.map((c) => [`${c.inUnits}->${c.units} ${c.activation} ${form(c)} on [${c.input_shape}]`, c] as const))(
    '%s',
    async (_, c) => {
      const input = tf.input({ shape: c.input_shape.slice(1) });
      const output = denseResidualBlock(input, {
        units: c.units as number,
        activation: c.activation as Activation,
        rezero: c.rezero,
        name: 'fc',
      });
      const model = tf.model({ inputs: input, outputs: output });
      await expectNoLeak(() => checkBlockCase(model, 'fc', c));
      model.dispose();
    },
  );

  it('is the identity at initialisation when the width is kept', () => {
    const input = tf.input({ shape: [5] });
    const model = tf.model({ inputs: input, outputs: denseResidualBlock(input, { units: 5 }) });
    const x = tf.randomNormal([4, 5]);
    const y = model.apply(x, { training: true }) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, y]);
    model.dispose();
  });

  it("starts its dense kernels like PyTorch's Linear: U(+-1/sqrt(fanIn))", () => {
    const input = tf.input({ shape: [100] });
    const model = tf.model({ inputs: input, outputs: denseResidualBlock(input, { units: 64, name: 'fc' }) });
    for (const layer of ['fc_dense1', 'fc_dense2', 'fc_proj_dense']) {
      const [kernel, ...rest] = model.getLayer(layer).getWeights() as tf.Tensor[];
      expect(rest).toHaveLength(0); // bias-free
      const fanIn = (kernel as tf.Tensor).shape[0] as number;
      const bound = 1 / Math.sqrt(fanIn);
      const maxAbs = Array.from((kernel as tf.Tensor).dataSync()).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(maxAbs).toBeLessThanOrEqual(bound);
      expect(maxAbs).toBeGreaterThan(0.99 * bound);
    }
    model.dispose();
  });

  it('rejects bad options', () => {
    const input = tf.input({ shape: [5] });
    expect(() => denseResidualBlock(input, { units: 5, channels: 5 } as never)).toThrow(
      /denseResidualBlock: option names must be one of 'units', 'activation', 'rezero', 'initialAlpha', 'name', 'seed', got 'channels'\./,
    );
    expect(() => denseResidualBlock(input, { units: -1 })).toThrow(/denseResidualBlock: units must be a positive integer.*got -1/);
    expect(() => denseResidualBlock(tf.input({ shape: [2, 5] }), { units: 5 })).toThrow(
      /denseResidualBlock: input must be a tf.SymbolicTensor of shape \[B, D\] .*, got a SymbolicTensor of shape \[null, 2, 5\]\./,
    );
    expect(() => denseResidualBlock(input, { units: 5, rezero: 1 as never })).toThrow(/denseResidualBlock: rezero must be true or false, got 1/);
  });
});
