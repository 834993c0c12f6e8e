/**
 * Training throughput of every model in the experiment registry on the backend `--backend auto` finds, next to the
 * workload each model declares for the time estimate (its cost in units of the chapter's CNN or ResNet), so a wrong
 * declaration shows. Prints; asserts nothing. `pnpm --filter @aa/bench bench`
 */
import { crossEntropy } from '@aa/mixup';
import { AdamW } from '@aa/train-loop';
import * as tf from '@tensorflow/tfjs';

import { describeBackend, selectBackend } from '../src/backend';
import { secondsPerImage } from '../src/estimate';
import { EXPERIMENTS } from '../src/experiments';
import type { ModelSpec } from '../src/experiments/types';

function imagesPerSecond(spec: ModelSpec, batch: number, steps: number): number {
  const model = spec.build(0);
  const optimizer = new AdamW();
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = () =>
    tf.tidy(() => {
      const xs = tf.randomUniform([batch, 24, 24, 3], 0, 1, 'float32', 1);
      const ys = tf.randomUniform([batch], 0, spec.classes ?? 10, 'int32', 2);
      optimizer.minimize(() => crossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor), false, vars);
    });
  step();
  const start = performance.now();
  for (let i = 0; i < steps; i++) step();
  const ips = (batch * steps) / ((performance.now() - start) / 1000);
  optimizer.dispose();
  model.dispose();
  return ips;
}

async function main(): Promise<void> {
  const info = await selectBackend('auto');
  describeBackend(info).forEach((l) => console.log(l));
  const slow = info.name === 'cpu';
  const [batch, steps] = slow ? [4, 1] : [128, 3];
  const seen = new Set<string>();
  const specs = EXPERIMENTS.flatMap((e) => e.models().map((m) => ({ experiment: e.key, spec: m })));
  const cnn = specs.find((s) => s.spec.key === 'plain')?.spec;
  const resnet = specs.find((s) => s.spec.key === 'resnet')?.spec;
  if (!cnn || !resnet) throw new Error('the registry lost its reference models');
  const reference = { cnn: imagesPerSecond(cnn, batch, steps), resnet: slow ? Number.NaN : imagesPerSecond(resnet, batch, steps), resnetExtrapolated: false };
  console.log(`training throughput, batch ${batch}, 24x24x3 inputs; declared = the images/s the time estimate assumes from the model's workload`);
  console.log(`${'experiment/model'.padEnd(34)} ${'img/s'.padStart(8)} ${'declared'.padStart(9)}`);
  for (const { experiment, spec } of specs) {
    const name = `${experiment}/${spec.key}`;
    if (seen.has(spec.key) || (slow && (spec.workload.resnet ?? 0) > 0)) continue;
    seen.add(spec.key);
    const measured = imagesPerSecond(spec, batch, steps);
    console.log(`${name.padEnd(34)} ${measured.toFixed(0).padStart(8)} ${(1 / secondsPerImage(spec.workload, reference)).toFixed(0).padStart(9)}`);
  }
  if (slow) console.log('(ResNet-sized models skipped on cpu: one step takes minutes)');
}

void main();
