import * as tf from '@tensorflow/tfjs';

import { blur } from '@aa/blur';

import { blurCases } from '../fixtures';
import { expectClose, flat, type BrowserCase } from '../harness';

/** The name Node looks for: this case must fail. */
export const CONTROL_CASE = 'control: a golden value off by 1e-2 fails (the comparisons above can fail)';

/** A deliberately wrong golden value: the harness must report it, or a passing run would prove nothing. */
export const controlSuite: BrowserCase[] = [
  {
    name: CONTROL_CASE,
    run({ tol }) {
      const c = blurCases[0] as { input_shape: number[]; input: unknown; kernelSize: number; stride: number; padding: 'valid'; output: unknown };
      tf.tidy(() => {
        const y = blur(tf.tensor(flat(c.input), c.input_shape) as tf.Tensor as tf.Tensor4D, { kernelSize: c.kernelSize, stride: c.stride, padding: c.padding });
        const wrong = flat(c.output);
        wrong[3] = (wrong[3] as number) + 1e-2;
        expectClose('blur with one golden value moved by 1e-2', y.dataSync(), wrong, tol.forward);
      });
    },
  },
];
