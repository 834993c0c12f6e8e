import { residualBlock, type Activation, type DownsampleInfo } from '@aa/rezero';
import * as tf from '@tensorflow/tfjs';

import { residualBlockFixture } from '../fixtures';
import { expectClose, flat, type BrowserCase, type Tolerance } from '../harness';

interface BlockCase {
  inChannels: number;
  channels: number;
  kernelSize: number;
  stride: number;
  activation: Activation;
  rezero: boolean;
  alpha: number | null;
  downsample?: 'avgPool';
  input_shape: number[];
  input: unknown;
  weights: Record<string, unknown[]>;
  output_shape: number[];
  output: unknown;
  upstream: unknown;
  grads: { input: unknown; layers: Record<string, unknown[]>; alpha?: number };
}

const cases = residualBlockFixture.residualBlock as unknown as BlockCase[];

/** As the rezero Node tests compare: the absolute part scales with the largest expected value. */
function scaled(tol: Tolerance, expected: number[]): Tolerance {
  return { rtol: tol.rtol, atol: tol.atol * Math.max(1e-12, ...expected.map(Math.abs)) };
}

function blockModel(c: BlockCase): tf.LayersModel {
  const input = tf.input({ shape: c.input_shape.slice(1) });
  const avgPool = (x: tf.SymbolicTensor, info: DownsampleInfo) =>
    tf.layers.averagePooling2d({ poolSize: info.stride, strides: info.stride, padding: 'same', name: info.name }).apply(x) as tf.SymbolicTensor;
  const output = residualBlock(input, {
    channels: c.channels,
    kernelSize: c.kernelSize,
    stride: c.stride,
    activation: c.activation,
    rezero: c.rezero,
    downsample: c.downsample === 'avgPool' ? avgPool : undefined,
    name: 'rb',
  });
  return tf.model({ inputs: input, outputs: output });
}

function write(weight: tf.LayerVariable, values: unknown): void {
  const t = tf.tensor(flat(values), weight.shape as number[]);
  weight.write(t);
  t.dispose();
}

function describeCase(c: BlockCase): string {
  return `${c.inChannels}->${c.channels} stride ${c.stride} k${c.kernelSize} ${c.activation} ${c.rezero ? `ReZero alpha=${c.alpha}` : 'plain'}${c.downsample ? ' avg-pool downsample' : ''}`;
}

/** @aa/rezero: residual blocks with and without the ReZero gate, BatchNorm in training mode, against PyTorch. */
export const rezeroSuite: BrowserCase[] = [
  {
    name: `residualBlock: output, input gradient, weight gradients and the ReZero alpha gradient equal PyTorch (${cases.length} blocks)`,
    run({ tol }) {
      for (const c of cases) {
        const model = blockModel(c);
        try {
          for (const [suffix, values] of Object.entries(c.weights)) values.forEach((v, i) => write(model.getLayer(`rb_${suffix}`).weights[i] as tf.LayerVariable, v));
          if (c.rezero) write(model.getLayer('rb_rezero').weights[0] as tf.LayerVariable, c.alpha ?? 0);
          tf.tidy(() => {
            const x = tf.tensor(flat(c.input), c.input_shape);
            const upstream = tf.tensor(flat(c.upstream), c.output_shape);
            const what = describeCase(c);
            const out = flat(c.output);
            expectClose(`${what}: output`, (model.apply(x, { training: true }) as tf.Tensor).dataSync(), out, scaled(tol.forward, out));
            const loss = (v: tf.Tensor): tf.Scalar => tf.sum(tf.mul(model.apply(v, { training: true }) as tf.Tensor, upstream));
            const gin = flat(c.grads.input);
            expectClose(`${what}: input gradient`, tf.grad(loss)(x).dataSync(), gin, scaled(tol.grad, gin));
            const wanted = Object.entries(c.grads.layers).flatMap(([suffix, grads]) =>
              grads.map((g, i) => ({ name: `${suffix}[${i}]`, variable: model.getLayer(`rb_${suffix}`).trainableWeights[i]?.read() as tf.Variable, expected: flat(g) })),
            );
            if (c.rezero) wanted.push({ name: 'alpha', variable: model.getLayer('rb_rezero').trainableWeights[0]?.read() as tf.Variable, expected: [c.grads.alpha as number] });
            const { value, grads } = tf.variableGrads(() => loss(x), wanted.map((w) => w.variable));
            for (const w of wanted) expectClose(`${what}: gradient of ${w.name}`, (grads[w.variable.name] as tf.Tensor).dataSync(), w.expected, scaled(tol.grad, w.expected));
            tf.dispose([value, ...Object.values(grads)]);
          });
        } finally {
          model.dispose();
        }
      }
    },
  },
];
