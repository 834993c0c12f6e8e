import type { CifarSplit } from '@aa/cifar-data';

import type { RunData } from '../src/data';
import type { ModelRun, TrainTest } from '../src/experiments/types';
import { runInputs, type RunInputs } from '../src/jobs/context';
import type { RunManifest } from '../src/jobs/manifest';

/** A split of `count` 32×32 RGB images with pixels and labels from a fixed formula (no generator involved). */
export function split(count: number, classes = 10): CifarSplit {
  const images = new Uint8Array(count * 32 * 32 * 3);
  for (let i = 0; i < images.length; i++) images[i] = (i * 7 + 3) % 256;
  return { images, labels: Uint8Array.from({ length: count }, (_, i) => i % classes), count, height: 32, width: 32, channels: 3 };
}

/** Run data shaped like the embedded subset's, small. */
export function tinyRunData(): RunData {
  return { train: split(40), fullTest: split(20), classNames: Array.from({ length: 10 }, (_, i) => `class${i}`), embedded: true, source: 'test data', request: { subset: true } };
}

/** A run's inputs on {@link tinyRunData}; with `cifar100` its CIFAR-100 too (as when the full sets are available). */
export function tinyInputs(cifar100 = false): RunInputs {
  const inputs = runInputs(tinyRunData(), { trainSize: 16, testSize: 8 }, 0, () => undefined);
  if (!cifar100) return inputs;
  const c100: TrainTest = { train: split(16, 100), test: split(8, 100), name: 'CIFAR-100', classes: 100 };
  return { ...inputs, cifar100: async () => c100 };
}

/** A finished run written by hand: `accuracy` is its final test accuracy; a shift model gets shift figures. */
export function handRun(key: string, seed: number, accuracy: number, shift: boolean, testCount = 8): ModelRun {
  const correct = Math.round(accuracy * testCount);
  const run: ModelRun = {
    key,
    label: `${key} model`,
    seed,
    params: 18010,
    records: [{ epoch: 0, totalTime: 1, epochTime: 1, lr: 0.001, trainLoss: 2 - accuracy, testLoss: 2.1 - accuracy, trainScores: { Accuracy: accuracy }, testScores: { Accuracy: accuracy } }],
    finalAccuracy: accuracy,
    imagesPerSecond: 100,
    testCorrect: '1'.repeat(correct) + '0'.repeat(testCount - correct),
    learned: { learned: true, accuracy, chance: 0.1, pValue: 1e-6 },
  };
  if (shift) {
    run.shift = {
      metrics: { medianStd: 0.1, agreement: 0.9, accuracyAllShifts: accuracy, consistency: 0.9, images: testCount },
      perImageStd: new Array<number>(testCount).fill(0.1),
      imageProbabilities: new Array<number>(64).fill(0.5),
    };
  }
  return run;
}

/** The fixed head of a queue run's manifest (`jobs.json`) for `command`, training `experiments`. */
export function manifestHead(command: string, experiments: string[]): Pick<RunManifest, 'tool' | 'kind' | 'format' | 'createdAt' | 'command' | 'experiments'> {
  return { tool: 'aa-bench', kind: 'queue-run', format: 1, createdAt: '', command, experiments };
}
