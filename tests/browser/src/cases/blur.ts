import { blur, chapterCnn, CNN_POOLINGS, maxBlurPool2d, type CnnPooling } from '@aa/blur';
import * as tf from '@tensorflow/tfjs';

import { blurCases, blurGradCases, chapterCnnFixture, maxBlurPoolCases } from '../fixtures';
import { check, expectClose, flat, type BrowserCase } from '../harness';

type Padding = 'valid' | 'same' | 'reflect';
type AnyRank = tf.Tensor3D | tf.Tensor4D | tf.Tensor5D;
interface BlurCase {
  input_shape: number[];
  input: unknown;
  kernelSize: number;
  stride: number;
  padding: Padding;
  output_shape?: number[];
  output?: unknown;
  upstream?: unknown;
  grad?: unknown;
}
interface PoolCase {
  input_shape: [number, number, number, number];
  input: unknown;
  poolSize: number;
  ratio: number;
  output_shape: number[];
  output: unknown;
}
interface CnnCase {
  tiny: { width: number; classes: number; input_shape: number[]; input: unknown; weights: Record<string, unknown[]>; output: unknown; upstream: unknown; input_grad: unknown };
}

const label = (c: BlurCase) => `[${c.input_shape}] k=${c.kernelSize} s=${c.stride} ${c.padding}`;

/** @aa/blur: the op, its gradient, MaxBlurPool2D and the chapter CNN with every pooling, against PyTorch. */
export const blurSuite: BrowserCase[] = [
  {
    name: `blur: forward equals PyTorch (${blurCases.length} cases: 1-D, 2-D, 3-D; valid, same, reflect)`,
    run({ tol }) {
      for (const c of blurCases as BlurCase[]) {
        tf.tidy(() => {
          const y = blur(tf.tensor(flat(c.input), c.input_shape) as tf.Tensor as AnyRank, { kernelSize: c.kernelSize, stride: c.stride, padding: c.padding });
          check(JSON.stringify(y.shape) === JSON.stringify(c.output_shape), `${label(c)}: shape [${y.shape}], expected [${c.output_shape}]`);
          expectClose(label(c), y.dataSync(), flat(c.output), tol.forward);
        });
      }
    },
  },
  {
    name: `blur: gradient equals PyTorch (${blurGradCases.length} cases)`,
    run({ tol }) {
      for (const c of blurGradCases as BlurCase[]) {
        tf.tidy(() => {
          const x = tf.tensor(flat(c.input), c.input_shape) as tf.Tensor as AnyRank;
          const options = { kernelSize: c.kernelSize, stride: c.stride, padding: c.padding };
          const upstream = tf.tensor(flat(c.upstream), blur(x, options).shape);
          const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(blur(v as AnyRank, options), upstream)))(x);
          expectClose(`${label(c)} gradient`, g.dataSync(), flat(c.grad), tol.grad);
        });
      }
    },
  },
  {
    name: `maxBlurPool2d: forward equals PyTorch's MaxPool2dAA (${maxBlurPoolCases.length} cases)`,
    run({ tol }) {
      for (const c of maxBlurPoolCases as PoolCase[]) {
        tf.tidy(() => {
          const y = maxBlurPool2d(tf.tensor4d(flat(c.input), c.input_shape), { poolSize: c.poolSize, ratio: c.ratio });
          check(JSON.stringify(y.shape) === JSON.stringify(c.output_shape), `p=${c.poolSize}: shape [${y.shape}], expected [${c.output_shape}]`);
          expectClose(`[${c.input_shape}] p=${c.poolSize} ratio=${c.ratio}`, y.dataSync(), flat(c.output), tol.forward);
        });
      }
    },
  },
  ...CNN_POOLINGS.map(
    (pooling): BrowserCase => ({
      name: `chapterCnn({pooling: '${pooling}'}): training-mode logits and input gradient equal PyTorch for the same weights`,
      run({ tol }) {
        const c = (chapterCnnFixture.chapterCnn as unknown as Record<CnnPooling, CnnCase>)[pooling].tiny;
        const [, h, w, ch] = c.input_shape as [number, number, number, number];
        const model = chapterCnn({ pooling, inputShape: [h, w, ch], width: c.width, classes: c.classes });
        try {
          for (const [layer, values] of Object.entries(c.weights)) {
            const current = model.getLayer(layer).getWeights();
            // BatchNorm also holds its moving statistics; the fixture gives gamma and beta.
            const given = values.map((v, i) => tf.tensor(flat(v), current[i]?.shape));
            model.getLayer(layer).setWeights([...given, ...current.slice(values.length)]);
            tf.dispose(given);
          }
          tf.tidy(() => {
            const x = tf.tensor(flat(c.input), c.input_shape);
            const upstream = tf.tensor(flat(c.upstream), [c.input_shape[0] as number, c.classes]);
            expectClose('logits', (model.apply(x, { training: true }) as tf.Tensor).dataSync(), flat(c.output), tol.forward);
            const gx = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(model.apply(v, { training: true }) as tf.Tensor, upstream)))(x);
            expectClose('input gradient', gx.dataSync(), flat(c.input_grad), tol.grad);
          });
        } finally {
          model.dispose();
        }
      },
    }),
  ),
];
