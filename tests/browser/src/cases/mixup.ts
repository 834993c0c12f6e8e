import { crossEntropy, manifoldMixupForward, mixupLoss, type BaseLoss, type MixupTargets, type Rng, type Segment } from '@aa/mixup';
import * as tf from '@tensorflow/tfjs';

import { mixupFixture } from '../fixtures';
import { check, expectClose, flat, type BrowserCase } from '../harness';

interface LossCase {
  logits: number[][];
  yi: number[];
  yj: number[];
  lam: number | number[];
  labelSmoothing?: number;
  loss: number;
  grad: number[][];
}

/** A generator that replays given uniforms (the draws PyTorch's reference made), in the shared Rng shape. */
function scripted(uniforms: number[]): Rng {
  let u = 0;
  return {
    random() {
      check(u < uniforms.length, 'scripted rng: out of uniforms');
      return uniforms[u++] as number;
    },
    getState: () => [u],
    setState: (s: number[]) => {
      u = s[0] as number;
    },
  };
}

function lossCase(name: string, c: LossCase, base?: BaseLoss): BrowserCase {
  return {
    name,
    run({ tol }) {
      tf.tidy(() => {
        const logits = tf.tensor2d(c.logits);
        const targets: MixupTargets = { yi: tf.tensor1d(c.yi, 'int32'), yj: tf.tensor1d(c.yj, 'int32'), lambda: Array.isArray(c.lam) ? tf.tensor1d(c.lam) : c.lam };
        const loss = base ? mixupLoss(base) : mixupLoss();
        expectClose('loss', loss(targets, logits).dataSync(), [c.loss], tol.forward);
        expectClose('gradient', tf.grad((z: tf.Tensor) => loss(targets, z))(logits).dataSync(), flat(c.grad), tol.grad);
      });
    },
  };
}

const f = mixupFixture as unknown as {
  mixupLoss: LossCase[];
  mixupLossElem: LossCase;
  mixupLossSmoothed: LossCase;
  manifold: { x: number[][]; W1: number[][]; b1: number[]; W2: number[][]; y: number[]; perm: number[]; lam: number; boundary: number; logits: number[][]; loss: number; gradX: number[][]; gradW1: number[][]; gradB1: number[]; gradW2: number[][] };
};

/** @aa/mixup: the MixUp losses and Manifold MixUp's forward pass and gradients, against PyTorch. */
export const mixupSuite: BrowserCase[] = [
  ...f.mixupLoss.map((c, i) => lossCase(`mixupLoss: λ·CE(ŷ, yi) + (1−λ)·CE(ŷ, yj) and its gradient equal the chapter's PyTorch MixupLoss (case ${i})`, c)),
  lossCase("mixupLoss: per-sample λ ('elem' mode) and its gradient equal PyTorch", f.mixupLossElem),
  lossCase(
    "mixupLoss: with PyTorch's label_smoothing in the base loss",
    f.mixupLossSmoothed,
    (t, z) => crossEntropy(t, z, { reduction: 'none', labelSmoothing: f.mixupLossSmoothed.labelSmoothing }),
  ),
  {
    name: 'manifoldMixupForward: logits, loss and the gradients of a two-segment MLP mixed after the first segment equal PyTorch',
    run({ tol }) {
      const c = f.manifold;
      // Made inside tidy so the tensors they copy are freed (tidy keeps variables).
      const [w1, b1, w2] = tf.tidy(() => [tf.variable(tf.tensor2d(c.W1)), tf.variable(tf.tensor1d(c.b1)), tf.variable(tf.tensor2d(c.W2))]);
      try {
        tf.tidy(() => {
          const segments: Segment[] = [(x) => tf.relu(x.matMul(w1).add(b1)), (h) => h.matMul(w2)];
          const x = tf.tensor2d(c.x);
          const y = tf.tensor1d(c.y, 'int32');
          // Draws: the boundary (one candidate), λ (α = 1 makes it one uniform), then Fisher–Yates giving π = [2, 0, 3, 1].
          const rng = () => scripted([0, c.lam, 0.3, 0.5, 0.1]);
          const loss = mixupLoss();
          const forward = (xx: tf.Tensor) => {
            const out = manifoldMixupForward(segments, xx, y, { alpha: 1, boundaries: [c.boundary], rng: rng() });
            return { out, loss: loss(out.targets, out.predictions) };
          };
          const probe = forward(x);
          expectClose('yj', (probe.out.targets as MixupTargets).yj.dataSync(), c.perm.map((p) => c.y[p] as number), { rtol: 0, atol: 0 });
          expectClose('logits', probe.out.predictions.dataSync(), flat(c.logits), tol.forward);
          const { value, grads } = tf.variableGrads(() => forward(x).loss, [w1, b1, w2]);
          expectClose('loss', value.dataSync(), [c.loss], tol.forward);
          expectClose('gradient of W1', (grads[w1.name] as tf.Tensor).dataSync(), flat(c.gradW1), tol.grad);
          expectClose('gradient of b1', (grads[b1.name] as tf.Tensor).dataSync(), flat(c.gradB1), tol.grad);
          expectClose('gradient of W2', (grads[w2.name] as tf.Tensor).dataSync(), flat(c.gradW2), tol.grad);
          expectClose('gradient of x', tf.grad((xx: tf.Tensor) => forward(xx).loss)(x).dataSync(), flat(c.gradX), tol.grad);
        });
      } finally {
        tf.dispose([w1, b1, w2]);
      }
    },
  },
];
