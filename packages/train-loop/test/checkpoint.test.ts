import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../src/adamw';
import { crossEntropy } from '../src/losses';
// The Node entry: importing it registers the directory store behind `checkpointDir` and the file:// handler.
import { fileCheckpointStore, fileIOHandler, loadCheckpoint, restoreModel } from '../src/node';
import type { EpochRecord } from '../src/records';
import { cosineAnnealing } from '../src/schedules';
import type { StepFn, TrainOptions } from '../src/train';
import { NonFiniteLossError, trainNetwork } from '../src/train';
import { ArraySource, blobs, maxAbsDiff, mlp, pairAccuracy, pairLoss, weightValues } from './helpers';
import type { PairTargets, TestTargets } from './helpers';

const D = 4;
const K = 3;
let root: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'train-loop-'));
});

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function source<T = tf.Tensor>(seed = 21): ArraySource<T> {
  const { x, y } = blobs(40, D, K, seed);
  return new ArraySource<T>(x, y, D, 8, true, seed);
}

function testSource(): ArraySource<TestTargets> {
  const { x, y } = blobs(12, D, K, 99);
  return new ArraySource<TestTargets>(x, y, D, 6, false);
}

/** A step that draws a weight and a partner shift from the loop's generator, so the RNG state matters on resume. */
const randomMixStep: StepFn = (batch, ctx) => {
  const b = batch.xs.shape[0] as number;
  const lam = 0.5 + 0.5 * ctx.random();
  const shift = 1 + Math.floor(ctx.random() * (b - 1));
  const perm = tf.tensor1d(Array.from({ length: b }, (_, i) => (i + shift) % b), 'int32');
  const xs = tf.add(tf.mul(batch.xs, lam), tf.mul(tf.gather(batch.xs, perm), 1 - lam));
  const predictions = ctx.model.apply(xs, { training: true }) as tf.Tensor;
  const targets: PairTargets = { first: batch.ys as tf.Tensor, second: tf.gather(batch.ys as tf.Tensor, perm), weight: lam };
  return { loss: ctx.loss(targets, predictions), predictions, targets };
};

function options(extra: Partial<TrainOptions>): TrainOptions {
  return {
    schedule: cosineAnnealing({ tMax: 3 }),
    testData: testSource(),
    scores: { Accuracy: pairAccuracy },
    step: randomMixStep,
    seed: 1234,
    silent: true,
    ...extra,
  };
}

describe('fileIOHandler', () => {
  it('writes model.json + weights.bin that tf.loadLayersModel reads back, with no temporary files left', async () => {
    const dir = path.join(root, 'io');
    const model = mlp(D, K, 3, { bn: true });
    await model.save(fileIOHandler(dir));
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    expect(json.weightsManifest[0]?.paths).toEqual(['weights.bin']);
    expect(json.format).toBe('layers-model');
    const loaded = await tf.loadLayersModel(fileIOHandler(dir));
    const x = tf.tensor2d([1, -2, 0.5, 3, 0, 0, 1, 1], [2, D]);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    loaded.dispose();
    model.dispose();
  });
});

describe('the file:// handler registered by @aa/train-loop/node', () => {
  it('model.save(file://dir) then tf.loadLayersModel(file://dir/model.json) round-trips the model exactly', async () => {
    const dir = path.join(root, 'url');
    const model = mlp(D, K, 5, { bn: true });
    const info = await model.save(`file://${dir}`);
    expect(info.modelArtifactsInfo.weightDataBytes).toBeGreaterThan(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await tf.loadLayersModel(`file://${path.join(dir, 'model.json')}`);
    expect(loaded.layers.map((l) => l.getClassName())).toEqual(model.layers.map((l) => l.getClassName()));
    const x = tf.tensor2d([0.5, -1, 2, 0.25, 3, 1, -2, 0], [2, D]);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    // The directory form of the URL loads too, and a damaged weights file is an error naming it.
    const again = await tf.loadLayersModel(`file://${dir}`);
    fs.truncateSync(path.join(dir, 'weights.bin'), 8);
    await expect(tf.loadLayersModel(`file://${dir}/model.json`)).rejects.toThrow(/fileIOHandler\.load: .*weights\.bin holds 8 bytes but .*model\.json describes \d+ \(truncated or corrupt\?\)\./);
    tf.dispose([x, a, b]);
    [model, loaded, again].forEach((m) => m.dispose());
  });

  it('routes only file:// URLs, and steps aside when another handler (tfjs-node\'s) takes them', () => {
    expect(tf.io.getSaveHandlers(`file://${root}/a`)).toHaveLength(1);
    expect(tf.io.getLoadHandlers(`file://${root}/a/model.json`)).toHaveLength(1);
    expect(tf.io.getSaveHandlers('indexeddb://a')).toHaveLength(0);
    const other: tf.io.IOHandler = { save: async () => ({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }) };
    tf.io.registerSaveRouter((url) => (typeof url === 'string' && url.startsWith('file://') ? other : (null as unknown as tf.io.IOHandler)));
    // tfjs refuses a URL two handlers claim; this package's router gives way.
    expect(tf.io.getSaveHandlers(`file://${root}/a`)).toEqual([other]);
  });
});

describe('checkpoints and resume', () => {
  it('2 epochs + resume for 1 more equals 3 epochs straight (weights, BN statistics, records)', async () => {
    const straightModel = mlp(D, K, 7, { bn: true });
    const straightOpt = new AdamW({ learningRate: 0.02 });
    const straightData = source<TestTargets>();
    const straight = await trainNetwork(straightModel, pairLoss, straightData, options({ epochs: 3, optimizer: straightOpt, stateful: { data: straightData } }));

    const dir = path.join(root, 'resume');
    const firstModel = mlp(D, K, 7, { bn: true });
    const firstOpt = new AdamW({ learningRate: 0.02 });
    const firstData = source<TestTargets>();
    await trainNetwork(firstModel, pairLoss, firstData, options({ epochs: 2, optimizer: firstOpt, checkpointDir: dir, stateful: { data: firstData } }));
    const cp = await loadCheckpoint(dir);
    expect(cp?.state.epoch).toBe(1);
    expect(cp?.state.schedule.step).toBe(2);
    const controlDir = path.join(root, 'resume-control');
    fs.cpSync(dir, controlDir, { recursive: true });

    // A fresh process would rebuild everything: different initial weights, new optimizer, new data object.
    const resumedModel = mlp(D, K, 99, { bn: true });
    const resumedOpt = new AdamW({ learningRate: 0.02 });
    const resumedData = source<TestTargets>();
    const resumed = await trainNetwork(
      resumedModel,
      pairLoss,
      resumedData,
      // Another seed on purpose: the generator's saved state, not the seed, must decide the draws.
      options({ epochs: 3, optimizer: resumedOpt, checkpointDir: dir, resume: true, seed: 999, stateful: { data: resumedData } }),
    );

    expect(maxAbsDiff(weightValues(resumedModel), weightValues(straightModel))).toBeLessThan(1e-6);
    expect(resumedOpt.iterations).toBe(straightOpt.iterations);
    expect(resumedOpt.getLearningRate()).toBeCloseTo(straightOpt.getLearningRate(), 15);
    expect(resumed.map((r) => r.epoch)).toEqual([0, 1, 2]);
    // Total time carries on from the checkpoint: the first two records are the first run's, restored.
    expect(resumed[2]!.totalTime).toBeCloseTo(resumed[1]!.totalTime + resumed[2]!.epochTime, 9);
    expect(resumed[1]!.totalTime).toBeCloseTo(resumed[0]!.epochTime + resumed[1]!.epochTime, 9);
    resumed.forEach((r, i) => {
      const s = straight[i] as EpochRecord;
      expect(Math.abs(r.trainLoss - s.trainLoss)).toBeLessThan(1e-6);
      expect(Math.abs((r.testLoss as number) - (s.testLoss as number))).toBeLessThan(1e-6);
      expect(r.lr).toBeCloseTo(s.lr as number, 15);
      expect(r.trainScores.Accuracy).toBeCloseTo(s.trainScores.Accuracy as number, 6);
      expect(r.testScores.Accuracy).toBeCloseTo(s.testScores.Accuracy as number, 6);
    });

    // Control: without restoring the data source's shuffling state the third epoch differs.
    const controlModel = mlp(D, K, 99, { bn: true });
    const controlOpt = new AdamW({ learningRate: 0.02 });
    await trainNetwork(controlModel, pairLoss, source<TestTargets>(), options({ epochs: 3, optimizer: controlOpt, checkpointDir: controlDir, resume: true }));
    expect(maxAbsDiff(weightValues(controlModel), weightValues(straightModel))).toBeGreaterThan(1e-4);

    [straightOpt, firstOpt, resumedOpt, controlOpt].forEach((o) => o.dispose());
    [straightModel, firstModel, resumedModel, controlModel].forEach((m) => m.dispose());
  });

  it('writes atomically into fresh directories, keeps the last N, and restores a model from one', async () => {
    const dir = path.join(root, 'keep');
    const model = mlp(D, K, 5);
    const opt = new AdamW();
    const written: string[] = [];
    await trainNetwork(model, crossEntropy, source(), {
      epochs: 5,
      optimizer: opt,
      checkpointDir: dir,
      checkpointEvery: 2,
      checkpointKeep: 2,
      silent: true,
      onEpochEnd: async () => {
        const cp = await loadCheckpoint(dir);
        if (cp && !written.includes(cp.path)) written.push(cp.path);
      },
    });
    // Every 2 epochs plus the last: after epochs 1, 3 and 4.
    expect(written.map((p) => path.basename(p).slice(0, 10))).toEqual(['epoch-0001', 'epoch-0003', 'epoch-0004']);
    const entries = fs.readdirSync(dir).sort();
    expect(entries).toEqual(['checkpoint.json', ...written.slice(1).map((p) => path.basename(p))].sort());
    expect(fs.readdirSync(written[2] as string).sort()).toEqual(['model.json', 'optimizer.bin', 'state.json', 'weights.bin']);
    const copy = mlp(D, K, 77);
    await restoreModel(copy, written[2] as string);
    expect(maxAbsDiff(weightValues(copy), weightValues(model))).toBe(0);
    opt.dispose();
    model.dispose();
    copy.dispose();
  });

  it('keeps the last good checkpoint when a NaN loss stops training', async () => {
    const dir = path.join(root, 'nan');
    const model = mlp(D, K, 6);
    const data = source();
    data.transform = (b, epoch, i) => {
      if (epoch === 2 && i === 3) {
        const xs = tf.fill(b.xs.shape as [number, number], Number.NaN);
        b.xs.dispose();
        return { xs, ys: b.ys };
      }
      return b;
    };
    const opt = new AdamW();
    const start = tf.memory().numTensors;
    let afterEpoch1: number[][] = [];
    const err = await trainNetwork(model, crossEntropy, data, {
      epochs: 4,
      optimizer: opt,
      checkpointDir: dir,
      silent: true,
      onEpochEnd: (r) => {
        if (r.epoch === 1) afterEpoch1 = weightValues(model);
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NonFiniteLossError);
    const cp = await loadCheckpoint(dir);
    expect((err as Error).message).toContain('at epoch 2, batch 3');
    expect((err as Error).message).toContain(`The last good checkpoint is ${cp?.path}`);
    expect(cp?.state.epoch).toBe(1);
    expect(cp?.state.records).toHaveLength(2);
    const copy = mlp(D, K, 1);
    await restoreModel(copy, cp?.path as string);
    expect(maxAbsDiff(weightValues(copy), afterEpoch1)).toBe(0);
    copy.dispose();
    opt.dispose();
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });

  it('refuses truncated, padded, missing or inconsistent checkpoint files, naming the file, before changing the model', async () => {
    const base = path.join(root, 'corrupt-base');
    const opt = new AdamW();
    await trainNetwork(mlp(D, K, 3, { bn: true }), crossEntropy, source(), { epochs: 1, optimizer: opt, checkpointDir: base, silent: true });
    opt.dispose();
    const latest = path.basename((await loadCheckpoint(base))!.path);
    const damage: Array<[string, (cp: string, dir: string) => void, RegExp]> = [
      ['weights.bin truncated', (cp) => fs.truncateSync(path.join(cp, 'weights.bin'), 10), /restoreModel: .*weights\.bin holds 10 bytes but .*model\.json describes \d+ \(truncated or corrupt\?\)/],
      ['weights.bin padded', (cp) => fs.appendFileSync(path.join(cp, 'weights.bin'), Buffer.alloc(4)), /restoreModel: .*weights\.bin holds \d+ bytes but/],
      ['optimizer.bin truncated', (cp) => fs.truncateSync(path.join(cp, 'optimizer.bin'), 4), /trainNetwork: .*optimizer\.bin holds 4 bytes but its manifest describes \d+/],
      ['optimizer.bin missing', (cp) => fs.rmSync(path.join(cp, 'optimizer.bin')), /trainNetwork: .*optimizer\.bin is missing/],
      ['model.json truncated', (cp) => fs.truncateSync(path.join(cp, 'model.json'), 20), /restoreModel: .*model\.json is not valid JSON \(truncated or corrupt\?\)/],
      ['state.json truncated', (cp) => fs.truncateSync(path.join(cp, 'state.json'), 40), /loadCheckpoint: .*state\.json is not valid JSON/],
      ['state.json missing', (cp) => fs.rmSync(path.join(cp, 'state.json')), /loadCheckpoint: .*state\.json is missing/],
      ['checkpoint.json truncated', (_cp, dir) => fs.truncateSync(path.join(dir, 'checkpoint.json'), 5), /loadCheckpoint: .*checkpoint\.json is not valid JSON/],
      ...(
        [
          ['epoch', 'x', /epoch must be an integer >= 0, got "x"/],
          ['records', undefined, /records must be an array of 1 epoch records, got undefined/],
          ['records', [], /records must be an array of 1 epoch records, got an array of length 0/],
          ['rng', [1, 2], /rng must be four uint32 numbers, got an array of length 2/],
          ['schedule', { step: -1, baseLr: 0.1 }, /schedule must be \{step: integer >= 0, baseLr: number \| null\}/],
        ] as Array<[string, unknown, RegExp]>
      ).map(([field, value, message]): [string, (cp: string) => void, RegExp] => [
        `state.json ${field}`,
        (cp) => {
          const file = path.join(cp, 'state.json');
          const state = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
          state[field] = value;
          fs.writeFileSync(file, JSON.stringify(state));
        },
        new RegExp(`loadCheckpoint: .*state\\.json is corrupt: ${message.source}`),
      ]),
    ];
    for (const [i, [label, hurt, message]] of damage.entries()) {
      const dir = path.join(root, `corrupt-${i}`);
      fs.cpSync(base, dir, { recursive: true });
      hurt(path.join(dir, latest), dir);
      const model = mlp(D, K, 4, { bn: true });
      const before = weightValues(model);
      const o = new AdamW();
      const start = tf.memory().numTensors;
      await expect(trainNetwork(model, crossEntropy, source(), { epochs: 2, optimizer: o, checkpointDir: dir, resume: true, silent: true })).rejects.toThrow(message);
      expect({ label, unchanged: maxAbsDiff(weightValues(model), before) === 0, leaked: tf.memory().numTensors - start }).toEqual({ label, unchanged: true, leaked: 0 });
      o.dispose();
      model.dispose();
    }
  });

  it('ignores what an interrupted write left behind, and prunes it at the next checkpoint', async () => {
    const dir = path.join(root, 'interrupted');
    const opt = new AdamW();
    const model = mlp(D, K, 3);
    await trainNetwork(model, crossEntropy, source(), { epochs: 1, optimizer: opt, checkpointDir: dir, silent: true });
    const good = (await loadCheckpoint(dir))!;
    // A crash mid-write: a half-written temporary directory, and a finished directory the pointer never named.
    fs.mkdirSync(path.join(dir, '.tmp-epoch-0001-deadbeef'));
    fs.writeFileSync(path.join(dir, '.tmp-epoch-0001-deadbeef', 'state.json'), '{"format":');
    fs.cpSync(good.path, path.join(dir, 'epoch-0001-feedface'), { recursive: true });
    expect((await loadCheckpoint(dir))!.path).toBe(good.path);
    const records = await trainNetwork(model, crossEntropy, source(), { epochs: 2, optimizer: opt, checkpointDir: dir, resume: true, silent: true });
    expect(records.map((r) => r.epoch)).toEqual([0, 1]);
    const latest = (await loadCheckpoint(dir))!;
    expect(latest.state.epoch).toBe(1);
    expect(fs.readdirSync(dir).sort()).toEqual(['checkpoint.json', path.basename(latest.path)]);
    opt.dispose();
    model.dispose();
  });

  it('refuses to resume with fewer epochs than the checkpoint holds, naming options.epochs and the count, changing nothing', async () => {
    const dir = path.join(root, 'fewer');
    const model = mlp(D, K, 2);
    const opt = new AdamW();
    await trainNetwork(model, crossEntropy, source(), { epochs: 3, optimizer: opt, checkpointDir: dir, silent: true });
    const cp = (await loadCheckpoint(dir))!;
    const fresh = mlp(D, K, 8);
    const before = weightValues(fresh);
    const o = new AdamW();
    await expect(trainNetwork(fresh, crossEntropy, source(), { epochs: 2, optimizer: o, checkpointDir: dir, resume: true, silent: true })).rejects.toThrow(
      new RegExp(`^trainNetwork: options\\.epochs must be at least 3, the number of epochs the checkpoint ${cp.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} holds, got 2\\.$`),
    );
    expect(maxAbsDiff(weightValues(fresh), before)).toBe(0);
    // As many epochs as it holds: nothing left to train, the saved records come back.
    const records = await trainNetwork(fresh, crossEntropy, source(), { epochs: 3, optimizer: o, checkpointDir: dir, resume: true, silent: true });
    expect(records).toEqual(cp.state.records);
    expect(maxAbsDiff(weightValues(fresh), weightValues(model))).toBe(0);
    [opt, o].forEach((x) => x.dispose());
    [model, fresh].forEach((m) => m.dispose());
  });

  it('takes the same directory as checkpointStore: fileCheckpointStore(dir)', async () => {
    const dir = path.join(root, 'store');
    const opt = new AdamW();
    const model = mlp(D, K, 2);
    await trainNetwork(model, crossEntropy, source(), { epochs: 2, optimizer: opt, checkpointStore: fileCheckpointStore(dir), silent: true });
    expect((await loadCheckpoint(dir))?.state.epoch).toBe(1);
    expect(() => fileCheckpointStore('')).toThrow(/^fileCheckpointStore: dir must be a non-empty directory path, got ""\.$/);
    opt.dispose();
    model.dispose();
  });

  it('resumes from scratch when the directory holds no checkpoint, and refuses an optimizer of another class', async () => {
    const dir = path.join(root, 'fresh');
    const model = mlp(D, K, 2);
    const opt = new AdamW();
    const records = await trainNetwork(model, crossEntropy, source(), { epochs: 1, optimizer: opt, checkpointDir: dir, resume: true, silent: true });
    expect(records).toHaveLength(1);
    const sgd = tf.train.sgd(0.1);
    await expect(trainNetwork(model, crossEntropy, source(), { epochs: 2, optimizer: sgd, checkpointDir: dir, resume: true, silent: true })).rejects.toThrow(
      /trainNetwork: options.optimizer must be an AdamW to resume the checkpoint .*, got "SGD"/,
    );
    await expect(
      trainNetwork(model, crossEntropy, source(), { epochs: 2, optimizer: opt, checkpointDir: dir, resume: true, silent: true, stateful: { data: source() } }),
    ).rejects.toThrow(/trainNetwork: options.stateful.data must be one of the objects saved in .* \(none\)/);
    opt.dispose();
    sgd.dispose();
    model.dispose();
  });
});
