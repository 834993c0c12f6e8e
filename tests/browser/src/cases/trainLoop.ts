import { AdamW, cosineAnnealing } from '@aa/train-loop';
import * as tf from '@tensorflow/tfjs';

import { trainLoopFixture } from '../fixtures';
import { expectClose, type BrowserCase } from '../harness';

interface AdamWCase {
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  cosineT: number;
  p0: number[];
  grads: number[][];
  params: number[][];
}

/** @aa/train-loop: AdamW stepped by the cosine schedule, on this backend's variables, against torch.optim.AdamW. */
export const trainLoopSuite: BrowserCase[] = (trainLoopFixture.adamw as AdamWCase[]).map((c, i) => ({
  name: `AdamW + cosineAnnealing: ${c.grads.length} steps equal torch.optim.AdamW + CosineAnnealingLR (case ${i})`,
  run({ tol }) {
    const opt = new AdamW({ learningRate: c.lr, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, weightDecay: c.weightDecay });
    const schedule = cosineAnnealing({ tMax: c.cosineT });
    const p = tf.tidy(() => tf.variable(tf.tensor1d(c.p0)));
    try {
      c.grads.forEach((g, t) => {
        opt.setLearningRate(schedule(t, c.lr));
        const grad = tf.tensor1d(g);
        opt.applyGradients({ [p.name]: grad });
        grad.dispose();
        expectClose(`parameters after step ${t + 1}`, p.dataSync(), c.params[t] as number[], tol.forward);
      });
    } finally {
      opt.dispose();
      p.dispose();
    }
  },
}));
