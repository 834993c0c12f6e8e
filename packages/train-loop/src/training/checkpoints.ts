import * as tf from '@tensorflow/tfjs';
import { encodeCheckpoint, readLatestCheckpoint, readOptimizerWeights, restoreModelFrom } from '../checkpoint/format';
import type { CheckpointStore } from '../checkpoint/store';
import { getLearningRate, setLearningRate } from '../learningRate';
import type { EpochRecord } from '../records';
import { fail } from '../validate';
import { FN } from './options';
import type { Run } from './run';

/** Where a resumed run continues: the records and training time so far, and the first epoch still to train. */
export interface Resumed {
  records: EpochRecord[];
  totalTime: number;
  firstEpoch: number;
}

/**
 * Restores the latest checkpoint of `store` into the model, optimizer, schedule, generator and `stateful` objects, or
 * returns null when the store holds none. Everything is read and checked before anything changes; asking for fewer
 * epochs than the checkpoint holds is an error.
 */
export async function resumeFromCheckpoint(run: Run, store: CheckpointStore): Promise<Resumed | null> {
  const { settings, optimizer } = run;
  const cp = await readLatestCheckpoint(store);
  if (cp === null) return null;
  const s = cp.state;
  const done = s.epoch + 1;
  if (settings.epochs < done) {
    fail(FN, 'options.epochs', settings.epochs, `at least ${done}, the number of epochs the checkpoint ${cp.path} holds`);
  }
  for (const name of Object.keys(settings.stateful)) {
    if (!(name in s.stateful)) {
      fail(FN, `options.stateful.${name}`, settings.stateful[name], `one of the objects saved in ${cp.path} (${Object.keys(s.stateful).join(', ') || 'none'})`);
    }
  }
  const optimizerWeights = await readOptimizerWeights(optimizer, cp);
  try {
    await restoreModelFrom(run.model, cp.stored);
    await optimizer.setWeights(optimizerWeights);
  } finally {
    tf.dispose(optimizerWeights.map((w) => w.tensor));
  }
  if (s.learningRate !== null && getLearningRate(optimizer) !== null) setLearningRate(optimizer, s.learningRate);
  run.schedule.step = s.schedule.step;
  run.schedule.baseLr = s.schedule.baseLr ?? run.schedule.baseLr;
  run.rng.setState(s.rng);
  for (const [name, obj] of Object.entries(settings.stateful)) obj.setState(s.stateful[name]);
  run.lastCheckpoint = cp.path;
  return { records: s.records, totalTime: s.totalTime, firstEpoch: done };
}

/** Writes the checkpoint after `epoch` (model, optimizer, schedule, generator, `stateful` states, records); returns its path. */
export async function saveEpochCheckpoint(run: Run, store: CheckpointStore, epoch: number, totalTime: number, records: EpochRecord[]): Promise<string> {
  const { settings, optimizer } = run;
  const states: Record<string, unknown> = {};
  for (const [name, obj] of Object.entries(settings.stateful)) states[name] = obj.getState();
  const files = await encodeCheckpoint(run.model, optimizer, {
    epoch,
    totalTime,
    schedule: { step: run.schedule.step, baseLr: run.schedule.baseLr },
    learningRate: getLearningRate(optimizer),
    rng: run.rng.getState(),
    stateful: states,
    records,
  });
  return store.save(epoch, files, settings.checkpointKeep);
}

/** Whether a checkpoint is due after `epoch`: every `checkpointEvery` epochs and after the last. */
export function checkpointDue(run: Run, epoch: number): boolean {
  const { checkpointEvery, epochs } = run.settings;
  return (epoch + 1) % checkpointEvery === 0 || epoch === epochs - 1;
}
