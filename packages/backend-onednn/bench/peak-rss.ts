/**
 * Peak resident memory of training one bench model on `onednn`, in a process of its own (the
 * throughput bench spawns it): `tsx bench/peak-rss.ts <model> [steps]` runs 2 warm-up steps and
 * `steps` (default 5) more, then prints one JSON line `{"model", "steps", "maxRssMiB"}` with the
 * process's peak resident set (getrusage), the figure `ru_maxrss` also gives for PyTorch.
 */
import * as tf from '@tensorflow/tfjs';

import { registerOneDnnBackend, unavailableReason } from '../src/index';
import { buildModel, makeStep, type ModelName } from './models';

const NAMES: readonly ModelName[] = ['normal', 'aa', 'resnet', 'rezero', 'rezero_mixup'];

async function main(): Promise<void> {
  const model = process.argv[2] as ModelName;
  const steps = Number(process.argv[3] ?? 5);
  if (!NAMES.includes(model)) throw new Error(`peak-rss: model must be one of ${NAMES.join(', ')}, got ${JSON.stringify(process.argv[2])}.`);
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`peak-rss: steps must be a positive integer, got ${JSON.stringify(process.argv[3])}.`);
  if (!registerOneDnnBackend()) throw new Error(`the onednn backend is unavailable: ${unavailableReason()}`);
  await tf.setBackend('onednn');
  const m = buildModel(model);
  const { step } = makeStep(m, 128, model === 'rezero_mixup');
  for (let i = 0; i < 2 + steps; i++) step();
  // maxRSS is in KiB on Linux.
  console.log(JSON.stringify({ model, steps, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
